// The directory file store: serves a real directory, confined to it even when symbolic links point elsewhere.
//
// Metadata calls (realpath, stat, mkdir, rename...) are synchronous, and so is reading a small file whole
// (sync.readSmall: open, fstat, read, close); streaming a large file, and writing, go through the thread pool.
// On a local disk a synchronous stat takes 2-5 µs, while the thread-pool round trip of its async form
// costs about 40 µs of wall and CPU time (measured here, Node 20): seven of them per RETR were a fifth of
// a small file's time. The price: a served directory on a filesystem that hangs (a dead NFS mount)
// would stall every session of the process, as it would stall vsftpd's one.

import fs, { type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import type { FileInfo } from '../../core/protocol/fileInfo';
import { cutShort, StoreError, type FileSink, type FileSource, type FileStore, type SyncFileStore, type WriteMode } from './fileStore';
import { StorageQuota } from './storageQuota';
import { checkName, checkOffset, checkVirtualPath, compareNames, joinVirtual } from './virtualPath';

/** Stream buffers of 1 MiB: few big reads and writes per transfer. */
const HIGH_WATER_MARK = 1024 * 1024;
/** Linux gives up after 40 links (ELOOP); so does the dangling-link walk below. */
const MAX_LINKS = 40;

/**
 * Files are opened for reading without waiting: a FIFO (or a device) in the served folder would otherwise
 * hold the open until some writer appears, the event loop itself for the synchronous small-file read.
 * On a regular file O_NONBLOCK changes nothing; anything else is refused by regularFileSize.
 */
const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

/** The size of an opened file that is a regular file; a directory or anything else is refused. */
function regularFileSize(fd: number, virtual: string): number {
  const stats = fs.fstatSync(fd);
  if (stats.isDirectory()) throw new StoreError('isDirectory', `${virtual}: is a directory`);
  if (!stats.isFile()) throw new StoreError('io', `${virtual}: not a regular file`);
  return stats.size;
}

export interface DirectoryStoreOptions {
  /** The most the files under the root may hold in all, in bytes (serve --quota); what is there at the start counts. */
  readonly quotaBytes?: number;
}

/** Serves `root` (which must be an existing directory); every path is checked to stay inside it. */
export async function createDirectoryStore(root: string, opts: DirectoryStoreOptions = {}): Promise<FileStore> {
  let realRoot: string;
  let rootStats: Stats;
  try {
    realRoot = fs.realpathSync.native(root);
    rootStats = fs.statSync(realRoot);
  } catch (error) {
    const code = errorCode(error);
    throw new Error(`cannot serve ${root}: ${code === 'ENOENT' ? 'no such directory' : (error as Error).message}`, { cause: error });
  }
  if (!rootStats.isDirectory()) throw new Error(`cannot serve ${root}: not a directory`);
  const quota = opts.quotaBytes === undefined ? undefined : new StorageQuota(opts.quotaBytes, measuredBytes(realRoot, root));
  /**
   * Each file's writer until it has closed. An aborted upload's last writes can still be on their way when the
   * client, told 426 and 226, sends REST and STOR again: the new writer waits for them, so the resumed upload
   * sees the file as long as the 110 MARKs said (RFC 959 §3.5), not shorter (a 451 "beyond end of file").
   */
  const openWriters = new Map<string, Promise<void>>();
  const rootPrefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
  const inside = (real: string) => real === realRoot || real.startsWith(rootPrefix);

  /**
   * Where `hostPath` really is (symbolic links followed) must be inside the root. If it does not exist,
   * its parent decides where it would be created. A dangling link fails realpath like a missing file,
   * yet open() would follow it and create its target, so its target is checked the same way.
   */
  const confine = (hostPath: string, virtual: string, links = 0): void => {
    let real: string;
    try {
      real = fs.realpathSync.native(hostPath);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw storeError(error, virtual);
      let realParent: string;
      try {
        realParent = fs.realpathSync.native(path.dirname(hostPath));
      } catch (parentError) {
        throw storeError(parentError, virtual);
      }
      if (!inside(realParent)) throw escapes(virtual);
      let link: string;
      try {
        link = fs.readlinkSync(path.join(realParent, path.basename(hostPath)));
      } catch {
        return;
      }
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
  const resolve = (virtual: string): { host: string; segments: string[] } => {
    const segments = checkVirtualPath(virtual);
    const host = path.join(realRoot, ...segments);
    confine(host, virtual);
    return { host, segments };
  };

  const statOf = (host: string, virtual: string): Stats => {
    try {
      return fs.statSync(host);
    } catch (error) {
      throw storeError(error, virtual);
    }
  };

  /** stat, or undefined if nothing is there. */
  const statIfAny = (host: string, virtual: string): Stats | undefined => {
    try {
      return fs.statSync(host);
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

  const sync: SyncFileStore = {
    stat(virtual) {
      const { host, segments } = resolve(virtual);
      return info(virtual, segments, statOf(host, virtual));
    },

    list(dirPath) {
      const { host } = resolve(dirPath);
      const stats = statOf(host, dirPath);
      if (!stats.isDirectory()) throw new StoreError('notDirectory', `${dirPath}: not a directory`);
      let names: string[];
      try {
        names = fs.readdirSync(host);
      } catch (error) {
        throw storeError(error, dirPath);
      }
      // An entry the store could not serve (a link leading outside, a name with a backslash, a FIFO)
      // is left out of the listing rather than shown and then refused.
      const entries = names.map((name) => {
        const virtual = joinVirtual(dirPath, name);
        try {
          const child = resolve(virtual);
          return info(virtual, child.segments, statOf(child.host, virtual));
        } catch {
          return undefined;
        }
      });
      return entries.filter((entry): entry is FileInfo => entry !== undefined).sort((a, b) => compareNames(a.name, b.name));
    },

    // One open, fstat, read and close, all synchronous: for a small file that is a few microseconds, where
    // a FileHandle and a stream cost a thread-pool round trip for each of open, read and close.
    readSmall(virtual, offset, maxBytes) {
      checkOffset(offset);
      const { host } = resolve(virtual);
      let fd: number;
      try {
        fd = fs.openSync(host, READ_FLAGS);
      } catch (error) {
        throw storeError(error, virtual);
      }
      try {
        const length = Math.max(0, regularFileSize(fd, virtual) - offset);
        if (length > maxBytes) return undefined;
        const bytes = Buffer.allocUnsafe(length);
        let got = 0;
        while (got < length) {
          const n = fs.readSync(fd, bytes, got, length - got, offset + got);
          if (n === 0) break;
          got += n;
        }
        // A file that shrank while it was read: what was there.
        return got === length ? bytes : bytes.subarray(0, got);
      } catch (error) {
        throw error instanceof StoreError ? error : storeError(error, virtual);
      } finally {
        fs.closeSync(fd);
      }
    },
  };

  return {
    description: `directory ${realRoot}`,
    sync,
    ...(quota ? { quota } : {}),

    async stat(virtual) {
      return sync.stat(virtual);
    },

    async list(dirPath) {
      return sync.list(dirPath);
    },

    async mkdir(virtual) {
      const { host } = resolve(virtual);
      try {
        fs.mkdirSync(host);
      } catch (error) {
        throw storeError(error, virtual);
      }
    },

    async rmdir(virtual) {
      const { host, segments } = resolve(virtual);
      if (segments.length === 0) throw new StoreError('invalidName', '/: the root cannot be removed');
      const stats = statOf(host, virtual);
      if (!stats.isDirectory()) throw new StoreError('notDirectory', `${virtual}: not a directory`);
      try {
        fs.rmdirSync(host);
      } catch (error) {
        // Some systems say EEXIST for a non-empty directory (POSIX allows both).
        throw errorCode(error) === 'EEXIST' ? new StoreError('notEmpty', `${virtual}: directory not empty`) : storeError(error, virtual);
      }
    },

    async remove(virtual) {
      const { host, segments } = resolve(virtual);
      if (segments.length === 0) throw new StoreError('isDirectory', '/: is a directory');
      // Checked first: unlink(2) of a directory is EISDIR on Linux but EPERM on macOS.
      if (statOf(host, virtual).isDirectory()) throw new StoreError('isDirectory', `${virtual}: is a directory`);
      const freed = quota ? storedBytes(host) : 0;
      try {
        fs.unlinkSync(host);
      } catch (error) {
        throw storeError(error, virtual);
      }
      quota?.release(freed);
    },

    async rename(from, to) {
      const source = resolve(from);
      if (source.segments.length === 0) throw new StoreError('invalidName', '/: the root cannot be renamed');
      const sourceStats = statOf(source.host, from);
      const target = resolve(to);
      if (target.segments.length === 0) throw new StoreError('exists', '/: already exists');
      if (from === to) return;
      if (sourceStats.isDirectory() && to.startsWith(`${from}/`)) throw new StoreError('invalidName', `${to}: a directory cannot move into itself`);
      const existing = statIfAny(target.host, to);
      // rename(2) would replace an empty directory; the store never replaces directories (as the memory store).
      if (existing && (existing.isDirectory() || sourceStats.isDirectory())) throw new StoreError('exists', `${to}: already exists`);
      // The file (or link) a file replaces is gone, and its bytes with it.
      const freed = quota && existing ? storedBytes(target.host) : 0;
      try {
        fs.renameSync(source.host, target.host);
      } catch (error) {
        throw storeError(error, to);
      }
      quota?.release(freed);
    },

    async openRead(virtual, offset = 0) {
      checkOffset(offset);
      const { host } = resolve(virtual);
      // Opened here, not lazily by the stream, so a missing file is a rejected promise, not a later 'error'.
      // A FileHandle, not a bare descriptor: its close waits for reads still in flight, so an aborted
      // transfer can never close a descriptor that a late read then finds reused by another file.
      let handle: FileHandle;
      try {
        handle = await fs.promises.open(host, READ_FLAGS);
      } catch (error) {
        throw storeError(error, virtual);
      }
      let size: number;
      try {
        size = regularFileSize(handle.fd, virtual);
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
      const { host, segments } = resolve(virtual);
      if (segments.length === 0) throw new StoreError('isDirectory', '/: is a directory');
      await afterEarlierWriter(openWriters.get(host));
      const existing = statIfAny(host, virtual);
      if (existing?.isDirectory()) throw new StoreError('isDirectory', `${virtual}: is a directory`);
      if (existing && !existing.isFile()) throw new StoreError('io', `${virtual}: not a regular file`);
      const sink = await openWriteStream(host, virtual, mode, existing, quota);
      const closed = new Promise<void>((done) => sink.once('close', () => done()));
      openWriters.set(host, closed);
      void closed.then(() => openWriters.get(host) === closed && openWriters.delete(host));
      return sink;
    },

    async uniqueName(dirPath, base) {
      checkName(base);
      const { host } = resolve(dirPath);
      if (!statOf(host, dirPath).isDirectory()) throw new StoreError('notDirectory', `${dirPath}: not a directory`);
      for (let n = 0; ; n += 1) {
        const candidate = n === 0 ? base : `${base}.${n}`;
        // lstat: a dangling link also takes the name.
        try {
          fs.lstatSync(path.join(host, candidate));
        } catch (error) {
          if (errorCode(error) === 'ENOENT') return candidate;
          throw storeError(error, joinVirtual(dirPath, candidate));
        }
      }
    },
  };
}

/** A writer stuck on a client that stopped sending is not waited for longer than this (its own timeouts end it). */
const EARLIER_WRITER_WAIT_MS = 5000;

/** Resolves once the file's earlier writer has closed, or after EARLIER_WRITER_WAIT_MS. */
async function afterEarlierWriter(closed: Promise<void> | undefined): Promise<void> {
  if (!closed) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((done) => (timer = setTimeout(done, EARLIER_WRITER_WAIT_MS)))]);
  clearTimeout(timer);
}

/** Makes a file's read stream a FileSource: positional reads on the same handle, up to `end`. */
function withReadInto(stream: Readable, handle: FileHandle, start: number, end: number): FileSource {
  let position = start;
  const source = stream as FileSource;
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

async function openWriteStream(
  host: string,
  virtual: string,
  mode: WriteMode,
  existing: Stats | undefined,
  quota: StorageQuota | undefined,
): Promise<FileSink> {
  let handle: FileHandle;
  let start: number | undefined;
  try {
    if (mode.kind === 'replace') handle = await fs.promises.open(host, 'w');
    // 'a' (O_APPEND): every write lands at the end, whatever else writes the file meanwhile.
    else if (mode.kind === 'append') handle = await fs.promises.open(host, 'a');
    else {
      start = checkOffset(mode.offset);
      if (!existing) {
        if (start > 0) throw new StoreError('notFound', `${virtual}: no such file to resume`);
        handle = await fs.promises.open(host, 'w');
      } else {
        if (start > existing.size) throw new StoreError('io', 'restart offset beyond end of file');
        // r+: write in place from `start` without O_TRUNC; the tail past the offset is cut first.
        handle = await fs.promises.open(host, 'r+');
        try {
          fs.ftruncateSync(handle.fd, start);
        } catch (error) {
          await handle.close();
          throw error;
        }
      }
    }
  } catch (error) {
    throw error instanceof StoreError ? error : storeError(error, virtual);
  }
  // What the file holds now that it is open: nothing after O_TRUNC, the bytes before the offset after a resume.
  const size = mode.kind === 'append' ? (existing?.size ?? 0) : (start ?? 0);
  quota?.release((existing?.size ?? 0) - size);
  // Each write goes to the file as it comes, so a destroyed stream leaves what was written.
  return fileSink(handle, mode.kind === 'append' ? undefined : (start ?? 0), virtual, quota && { quota, size });
}

/**
 * A file opened for writing as a FileSink: whole buffers (writeFrom) and stream writes (write, TYPE A
 * conversion, records) take one path, `land`: one write at a time, in order, at the next position (or at the
 * end, appending). When the disk fills, the file is a prefix of what was sent, never a hole left by a later
 * write that found space before an earlier one; after a failure nothing more is written, and the refusal says
 * how many bytes the file keeps. Under a quota each write takes its bytes from it first, and only those it got
 * go to the file: a write that would pass the quota writes what fits, then fails (overQuota) as a full disk would.
 */
function fileSink(handle: FileHandle, start: number | undefined, virtual: string, limit: { quota: StorageQuota; size: number } | undefined): FileSink {
  let position = start;
  let queue: Promise<void> = Promise.resolve();
  let failure: StoreError | undefined;
  /** Bytes this writer took from the quota. */
  let taken = 0;
  /** The store's refusal for a failed write, once: what went wrong and how much of the file is there. */
  const refuse = (error: unknown): StoreError => {
    if (failure) return failure;
    const kept = fs.fstatSync(handle.fd).size;
    // A write that failed part-way (a full disk, EIO) took bytes it did not write: they go back.
    limit?.quota.release(limit.size + taken - kept);
    failure = cutShort(error instanceof StoreError ? error : storeError(error, virtual), kept);
    return failure;
  };
  const land = (buffer: Buffer, length: number): Promise<void> => {
    const at = position;
    if (position !== undefined) position += length;
    const written = queue.then(async () => {
      if (failure) throw failure;
      const granted = limit ? limit.quota.take(length) : length;
      taken += granted;
      try {
        // A regular file takes the whole write, but the call may return less: write the rest after it.
        for (let done = 0; done < granted;) {
          const { bytesWritten } = await handle.write(buffer, done, granted - done, at === undefined ? null : at + done);
          done += bytesWritten;
        }
      } catch (error) {
        throw refuse(error);
      }
      if (granted < length) throw refuse(limit!.quota.exceeded(virtual));
    });
    queue = written.catch(() => undefined);
    return written;
  };
  const sink = new Writable({
    highWaterMark: HIGH_WATER_MARK,
    write(chunk: Buffer, _encoding, callback) {
      land(chunk, chunk.length).then(() => callback(), callback);
    },
    writev(chunks, callback) {
      const buffer = chunks.length === 1 ? (chunks[0]!.chunk as Buffer) : Buffer.concat(chunks.map((c) => c.chunk as Buffer));
      land(buffer, buffer.length).then(() => callback(), callback);
    },
    // The stream ends, or is destroyed (closing the file), only after the writes handed over before: an aborted or
    // broken upload keeps every byte the server took (and counted, and reported in 110 MARK), so REST finds them there.
    final(callback) {
      void queue.then(() => callback());
    },
    destroy(error, callback) {
      void queue
        .then(() => handle.close())
        .then(
          () => callback(error),
          (closeError: Error) => callback(error ?? closeError),
        );
    },
  }) as FileSink;
  sink.writeFrom = land;
  return sink;
}

/**
 * The bytes the regular files under `realRoot` hold, links not followed (a link's target is counted where it is,
 * or not at all if it is outside): what the quota starts from.
 */
function measuredBytes(realRoot: string, root: string): number {
  const under = (dir: string): number => {
    let total = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const entryPath = path.join(dir, entry.name);
      if (entry.isDirectory()) total += under(entryPath);
      else if (entry.isFile()) total += fs.lstatSync(entryPath).size;
    }
    return total;
  };
  try {
    return under(realRoot);
  } catch (error) {
    throw new Error(`cannot measure what ${root} holds for the quota: ${errorCode(error) ?? (error as Error).message}`, { cause: error });
  }
}

/** What removing or replacing the entry at `host` frees: a regular file's bytes; a link or anything else, none. */
function storedBytes(host: string): number {
  try {
    const stats = fs.lstatSync(host);
    return stats.isFile() ? stats.size : 0;
  } catch {
    return 0;
  }
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
    case 'ENOSPC':
      return new StoreError('noSpace', `${virtual}: no space left on the device`);
    case 'EDQUOT':
      return new StoreError('noSpace', `${virtual}: disk quota exceeded`);
    case 'EFBIG':
      return new StoreError('tooBig', `${virtual}: the file is too large`);
    case 'EIO':
      return new StoreError('io', `${virtual}: input/output error`);
    default:
      // Node's own message names the host path; the code alone keeps the served directory private.
      return new StoreError('io', `${virtual}: ${errorCode(error) ?? 'input/output error'}`);
  }
}
