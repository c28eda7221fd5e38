// The directory file store: serves a real directory, confined to it even when symbolic links point elsewhere.

import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { FileInfo } from '../../core/protocol/fileInfo';
import { StoreError, type BufferDrainingSink, type BufferFillingSource, type FileStore, type WriteMode } from './fileStore';
import { checkName, checkOffset, checkVirtualPath, compareNames, joinVirtual } from './virtualPath';

/** Stream buffers of 1 MiB: few big reads and writes per transfer. */
const HIGH_WATER_MARK = 1024 * 1024;
/** Linux gives up after 40 links (ELOOP); so does the dangling-link walk below. */
const MAX_LINKS = 40;

/** Serves `root` (which must be an existing directory); every path is checked to stay inside it. */
export async function createDirectoryStore(root: string): Promise<FileStore> {
  let realRoot: string;
  let rootStats: Stats;
  try {
    realRoot = await fs.realpath(root);
    rootStats = await fs.stat(realRoot);
  } catch (error) {
    const code = errorCode(error);
    throw new Error(`cannot serve ${root}: ${code === 'ENOENT' ? 'no such directory' : (error as Error).message}`, { cause: error });
  }
  if (!rootStats.isDirectory()) throw new Error(`cannot serve ${root}: not a directory`);
  const rootPrefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
  const inside = (real: string) => real === realRoot || real.startsWith(rootPrefix);

  /**
   * Where `hostPath` really is (symbolic links followed) must be inside the root. If it does not exist,
   * its parent decides where it would be created. A dangling link fails realpath like a missing file,
   * yet open() would follow it and create its target, so its target is checked the same way.
   */
  const confine = async (hostPath: string, virtual: string, links = 0): Promise<void> => {
    let real: string;
    try {
      real = await fs.realpath(hostPath);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw storeError(error, virtual);
      let realParent: string;
      try {
        realParent = await fs.realpath(path.dirname(hostPath));
      } catch (parentError) {
        throw storeError(parentError, virtual);
      }
      if (!inside(realParent)) throw escapes(virtual);
      const link = await fs.readlink(path.join(realParent, path.basename(hostPath))).catch(() => undefined);
      if (link === undefined) return;
      if (links >= MAX_LINKS) throw new StoreError('io', `${virtual}: too many levels of symbolic links`);
      return confine(path.resolve(realParent, link), virtual, links + 1);
    }
    if (!inside(real)) throw escapes(virtual);
  };

  /**
   * The host path for a virtual path, after the containment check. Operations use this lexical path
   * (not the realpath) so that DELE or RNFR of a link inside the root acts on the link, as on disk.
   * Between the check and the operation the tree could change (a race); the check is a guard for a
   * teaching server's root, not a sandbox against a hostile local user.
   */
  const resolve = async (virtual: string): Promise<{ host: string; segments: string[] }> => {
    const segments = checkVirtualPath(virtual);
    const host = path.join(realRoot, ...segments);
    await confine(host, virtual);
    return { host, segments };
  };

  const statOf = async (host: string, virtual: string): Promise<Stats> => {
    try {
      return await fs.stat(host);
    } catch (error) {
      throw storeError(error, virtual);
    }
  };

  /** stat, or undefined if nothing is there. */
  const statIfAny = async (host: string, virtual: string): Promise<Stats | undefined> => {
    try {
      return await fs.stat(host);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw storeError(error, virtual);
    }
  };

  const info = (virtual: string, segments: readonly string[], stats: Stats): FileInfo => {
    // FileInfo knows files and directories only; a FIFO or device would hang or confuse a transfer.
    if (!stats.isFile() && !stats.isDirectory()) throw new StoreError('io', `${virtual}: not a regular file or directory`);
    return {
      name: segments[segments.length - 1] ?? '',
      path: virtual,
      kind: stats.isDirectory() ? 'dir' : 'file',
      size: stats.size,
      modifiedMs: Math.trunc(stats.mtimeMs),
    };
  };

  return {
    description: `directory ${realRoot}`,

    async stat(virtual) {
      const { host, segments } = await resolve(virtual);
      return info(virtual, segments, await statOf(host, virtual));
    },

    async list(dirPath) {
      const { host } = await resolve(dirPath);
      const stats = await statOf(host, dirPath);
      if (!stats.isDirectory()) throw new StoreError('notDirectory', `${dirPath}: not a directory`);
      let names: string[];
      try {
        names = await fs.readdir(host);
      } catch (error) {
        throw storeError(error, dirPath);
      }
      // An entry the store could not serve (a link leading outside, a name with a backslash, a FIFO)
      // is left out of the listing rather than shown and then refused.
      const entries = await Promise.all(
        names.map(async (name) => {
          const virtual = joinVirtual(dirPath, name);
          try {
            const child = await resolve(virtual);
            return info(virtual, child.segments, await statOf(child.host, virtual));
          } catch {
            return undefined;
          }
        }),
      );
      return entries.filter((entry): entry is FileInfo => entry !== undefined).sort((a, b) => compareNames(a.name, b.name));
    },

    async mkdir(virtual) {
      const { host } = await resolve(virtual);
      try {
        await fs.mkdir(host);
      } catch (error) {
        throw storeError(error, virtual);
      }
    },

    async rmdir(virtual) {
      const { host, segments } = await resolve(virtual);
      if (segments.length === 0) throw new StoreError('invalidName', '/: the root cannot be removed');
      const stats = await statOf(host, virtual);
      if (!stats.isDirectory()) throw new StoreError('notDirectory', `${virtual}: not a directory`);
      try {
        await fs.rmdir(host);
      } catch (error) {
        // Some systems say EEXIST for a non-empty directory (POSIX allows both).
        throw errorCode(error) === 'EEXIST' ? new StoreError('notEmpty', `${virtual}: directory not empty`) : storeError(error, virtual);
      }
    },

    async remove(virtual) {
      const { host, segments } = await resolve(virtual);
      if (segments.length === 0) throw new StoreError('isDirectory', '/: is a directory');
      // Checked first: unlink(2) of a directory is EISDIR on Linux but EPERM on macOS.
      if ((await statOf(host, virtual)).isDirectory()) throw new StoreError('isDirectory', `${virtual}: is a directory`);
      try {
        await fs.unlink(host);
      } catch (error) {
        throw storeError(error, virtual);
      }
    },

    async rename(from, to) {
      const source = await resolve(from);
      if (source.segments.length === 0) throw new StoreError('invalidName', '/: the root cannot be renamed');
      const sourceStats = await statOf(source.host, from);
      const target = await resolve(to);
      if (target.segments.length === 0) throw new StoreError('exists', '/: already exists');
      if (from === to) return;
      if (sourceStats.isDirectory() && to.startsWith(`${from}/`)) throw new StoreError('invalidName', `${to}: a directory cannot move into itself`);
      const existing = await statIfAny(target.host, to);
      // rename(2) would replace an empty directory; the store never replaces directories (as the memory store).
      if (existing && (existing.isDirectory() || sourceStats.isDirectory())) throw new StoreError('exists', `${to}: already exists`);
      try {
        await fs.rename(source.host, target.host);
      } catch (error) {
        throw storeError(error, to);
      }
    },

    async openRead(virtual, offset = 0) {
      checkOffset(offset);
      const { host } = await resolve(virtual);
      // Opened here, not lazily by the stream, so a missing file is a rejected promise, not a later 'error'.
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(host, 'r');
      } catch (error) {
        throw storeError(error, virtual);
      }
      let size: number;
      try {
        const stats = await handle.stat();
        if (stats.isDirectory()) throw new StoreError('isDirectory', `${virtual}: is a directory`);
        if (!stats.isFile()) throw new StoreError('io', `${virtual}: not a regular file`);
        size = stats.size;
      } catch (error) {
        await handle.close();
        throw error instanceof StoreError ? error : storeError(error, virtual);
      }
      // The bytes there are when the file is opened (as the memory store's snapshot), read with buffers
      // no bigger than what is left: a 1 KiB file costs one 1 KiB read, not a 1 MiB buffer.
      const remaining = Math.max(0, size - offset);
      const stream = handle.createReadStream(
        remaining > 0 ? { start: offset, end: size - 1, highWaterMark: Math.min(remaining, HIGH_WATER_MARK) } : { start: offset, highWaterMark: 1024 },
      );
      return withReadInto(stream, handle, offset, offset + remaining);
    },

    async openWrite(virtual, mode) {
      const { host, segments } = await resolve(virtual);
      if (segments.length === 0) throw new StoreError('isDirectory', '/: is a directory');
      const existing = await statIfAny(host, virtual);
      if (existing?.isDirectory()) throw new StoreError('isDirectory', `${virtual}: is a directory`);
      if (existing && !existing.isFile()) throw new StoreError('io', `${virtual}: not a regular file`);
      return openWriteStream(host, virtual, mode, existing);
    },

    async uniqueName(dirPath, base) {
      checkName(base);
      const { host } = await resolve(dirPath);
      if (!(await statOf(host, dirPath)).isDirectory()) throw new StoreError('notDirectory', `${dirPath}: not a directory`);
      for (let n = 0; ; n += 1) {
        const candidate = n === 0 ? base : `${base}.${n}`;
        // lstat: a dangling link also takes the name.
        try {
          await fs.lstat(path.join(host, candidate));
        } catch (error) {
          if (errorCode(error) === 'ENOENT') return candidate;
          throw storeError(error, joinVirtual(dirPath, candidate));
        }
      }
    },
  };
}

/** Adds BufferFillingSource to a file's read stream: positional reads on the same handle, up to `end`. */
function withReadInto(stream: Readable, handle: fs.FileHandle, start: number, end: number): Readable & BufferFillingSource {
  let position = start;
  const source = stream as Readable & BufferFillingSource;
  Object.defineProperty(source, 'remaining', { get: () => end - position });
  source.readInto = async (buffer: Buffer) => {
    const length = Math.min(buffer.length, end - position);
    if (length <= 0) return 0;
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    // A file cut short since it was opened ends where its bytes end.
    if (bytesRead === 0) position = end;
    position += bytesRead;
    return bytesRead;
  };
  return source;
}

async function openWriteStream(host: string, virtual: string, mode: WriteMode, existing: Stats | undefined): Promise<Writable> {
  let handle: fs.FileHandle;
  let start: number | undefined;
  try {
    if (mode.kind === 'replace') handle = await fs.open(host, 'w');
    // 'a' (O_APPEND): every write lands at the end, whatever else writes the file meanwhile.
    else if (mode.kind === 'append') handle = await fs.open(host, 'a');
    else {
      start = checkOffset(mode.offset);
      if (!existing) {
        if (start > 0) throw new StoreError('notFound', `${virtual}: no such file to resume`);
        handle = await fs.open(host, 'w');
      } else {
        if (start > existing.size) throw new StoreError('io', 'restart offset beyond end of file');
        // r+: write in place from `start` without O_TRUNC; the tail past the offset is cut first.
        handle = await fs.open(host, 'r+');
        try {
          await handle.truncate(start);
        } catch (error) {
          await handle.close();
          throw error;
        }
      }
    }
  } catch (error) {
    throw error instanceof StoreError ? error : storeError(error, virtual);
  }
  // Each write goes to the file as it comes, so a destroyed stream leaves what was written.
  const stream = handle.createWriteStream(start === undefined ? { highWaterMark: HIGH_WATER_MARK } : { start, highWaterMark: HIGH_WATER_MARK });
  // Appending (O_APPEND) ignores positions, so only a write from a known offset takes whole buffers.
  return mode.kind === 'append' ? stream : withWriteFrom(stream, handle, start ?? 0);
}

/** Adds BufferDrainingSink to a file's write stream: positional writes on the same handle, from `start`. */
function withWriteFrom(stream: Writable, handle: fs.FileHandle, start: number): Writable & BufferDrainingSink {
  let position = start;
  const sink = stream as Writable & BufferDrainingSink;
  sink.writeFrom = async (buffer: Buffer, length: number) => {
    let at = position;
    position += length;
    // A regular file takes the whole write, but the call may return less: write the rest after it.
    for (let done = 0; done < length; ) {
      const { bytesWritten } = await handle.write(buffer, done, length - done, at);
      done += bytesWritten;
      at += bytesWritten;
    }
  };
  return sink;
}

function escapes(virtual: string): StoreError {
  return new StoreError('escapesRoot', `${virtual}: leads outside the served directory`);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Node's errno codes as the protocol's reasons; the message keeps the virtual path, never the host path. */
function storeError(error: unknown, virtual: string): StoreError {
  switch (errorCode(error)) {
    case 'ENOENT':
      return new StoreError('notFound', `${virtual}: no such file or directory`);
    case 'EEXIST':
      return new StoreError('exists', `${virtual}: already exists`);
    case 'ENOTEMPTY':
      return new StoreError('notEmpty', `${virtual}: directory not empty`);
    case 'ENOTDIR':
      return new StoreError('notDirectory', `${virtual}: not a directory`);
    case 'EISDIR':
      return new StoreError('isDirectory', `${virtual}: is a directory`);
    case 'ENAMETOOLONG':
      return new StoreError('invalidName', `${virtual}: name too long`);
    case 'EACCES':
    case 'EPERM':
      return new StoreError('io', `${virtual}: permission denied`);
    default:
      // Node's own message names the host path; the code alone keeps the served directory private.
      return new StoreError('io', `${virtual}: ${errorCode(error) ?? 'input/output error'}`);
  }
}
