// The in-memory file store: a tree of directories and chunked files, seeded with sample files for demonstrations.

import { Readable, Writable } from 'node:stream';
import type { FileInfo } from '../../core/protocol/fileInfo';
import { cutShort, StoreError, type FileSink, type FileSource, type FileStore, type SyncFileStore } from './fileStore';
import { StorageQuota } from './storageQuota';
import { checkName, checkOffset, checkVirtualPath, compareNames, joinVirtual } from './virtualPath';

/**
 * Uploads are copied into blocks that grow with the file, from 64 KiB up to 1 MiB: big chunks for
 * downloads and no concatenation per write, without a 1 MiB block for every small file.
 */
const MIN_BLOCK_SIZE = 64 * 1024;
const MAX_BLOCK_SIZE = 1024 * 1024;

interface DirNode {
  readonly kind: 'dir';
  readonly children: Map<string, Node>;
  modifiedMs: number;
}

interface FileNode {
  readonly kind: 'file';
  /**
   * The content, in order. Bytes inside a chunk are never changed once they are part of the file, so a
   * reader can keep a copy of this array (a snapshot) while writers go on: writers only fill `block`
   * past the end of its last view, and truncation swaps views, never bytes.
   */
  chunks: Buffer[];
  size: number;
  modifiedMs: number;
  /** The block being filled: the last chunk is block.subarray(0, blockUsed). */
  block: Buffer | undefined;
  blockUsed: number;
}

type Node = DirNode | FileNode;

export interface MemoryStoreOptions {
  /** Start with the sample files (default true); false gives an empty root. */
  readonly seed?: boolean;
  /** The clock for modification times (default Date.now). */
  readonly now?: () => number;
  /** The most the files may hold in all, in bytes (serve --quota); the sample files count. */
  readonly quotaBytes?: number;
}

export function createMemoryStore(opts: MemoryStoreOptions = {}): FileStore {
  const now = opts.now ?? Date.now;
  const root: DirNode = { kind: 'dir', children: new Map(), modifiedMs: now() };
  const seeded = opts.seed ?? true;
  if (seeded) seed(root, now());
  const quota = opts.quotaBytes === undefined ? undefined : new StorageQuota(opts.quotaBytes, bytesIn(root));

  /** The node at `segments`; a file where a directory should be is notDirectory (as ENOTDIR on disk). */
  const find = (segments: readonly string[], path: string): Node => {
    let node: Node = root;
    for (const segment of segments) {
      if (node.kind !== 'dir') throw new StoreError('notDirectory', `${path}: a path component is not a directory`);
      const child: Node | undefined = node.children.get(segment);
      if (!child) throw new StoreError('notFound', `${path}: no such file or directory`);
      node = child;
    }
    return node;
  };

  const findDir = (segments: readonly string[], path: string): DirNode => {
    const node = find(segments, path);
    if (node.kind !== 'dir') throw new StoreError('notDirectory', `${path}: not a directory`);
    return node;
  };

  /** The directory that holds (or would hold) the last segment, and that segment. */
  const parentOf = (segments: readonly string[], path: string): { parent: DirNode; name: string } => {
    const name = segments[segments.length - 1];
    if (name === undefined) throw new StoreError('invalidName', 'the root has no parent');
    return { parent: findDir(segments.slice(0, -1), path), name };
  };

  const info = (path: string, name: string, node: Node): FileInfo => ({
    name,
    path,
    kind: node.kind,
    size: node.kind === 'file' ? node.size : 0,
    modifiedMs: node.modifiedMs,
  });

  const touch = (node: Node) => {
    node.modifiedMs = now();
  };

  const sync: SyncFileStore = {
    stat(path) {
      const segments = checkVirtualPath(path);
      return info(path, segments[segments.length - 1] ?? '', find(segments, path));
    },
    list(dirPath) {
      const dir = findDir(checkVirtualPath(dirPath), dirPath);
      return [...dir.children.keys()].sort(compareNames).map((name) => info(joinVirtual(dirPath, name), name, dir.children.get(name) as Node));
    },
    readSmall(path, offset, maxBytes) {
      checkOffset(offset);
      const node = find(checkVirtualPath(path), path);
      if (node.kind === 'dir') throw new StoreError('isDirectory', `${path}: is a directory`);
      if (node.size - offset > maxBytes) return undefined;
      // Only the chunks from the offset on: the tail of a large file after REST costs its own size, not the file's.
      const tail = chunksFrom(node.chunks, offset);
      return tail.length === 1 ? tail[0]! : Buffer.concat(tail);
    },
  };

  return {
    description: seeded ? 'in-memory store (5 sample files, 2 directories)' : 'in-memory store (empty)',
    sync,
    ...(quota ? { quota } : {}),

    async stat(path) {
      return sync.stat(path);
    },

    async list(dirPath) {
      return sync.list(dirPath);
    },

    async mkdir(path) {
      const segments = checkVirtualPath(path);
      if (segments.length === 0) throw new StoreError('exists', '/: the root already exists');
      const { parent, name } = parentOf(segments, path);
      if (parent.children.has(name)) throw new StoreError('exists', `${path}: already exists`);
      parent.children.set(name, { kind: 'dir', children: new Map(), modifiedMs: now() });
      touch(parent);
    },

    async rmdir(path) {
      const segments = checkVirtualPath(path);
      if (segments.length === 0) throw new StoreError('invalidName', '/: the root cannot be removed');
      const { parent, name } = parentOf(segments, path);
      const node = parent.children.get(name);
      if (!node) throw new StoreError('notFound', `${path}: no such directory`);
      if (node.kind !== 'dir') throw new StoreError('notDirectory', `${path}: not a directory`);
      if (node.children.size > 0) throw new StoreError('notEmpty', `${path}: directory not empty`);
      parent.children.delete(name);
      touch(parent);
    },

    async remove(path) {
      const segments = checkVirtualPath(path);
      if (segments.length === 0) throw new StoreError('isDirectory', '/: is a directory');
      const { parent, name } = parentOf(segments, path);
      const node = parent.children.get(name);
      if (!node) throw new StoreError('notFound', `${path}: no such file`);
      if (node.kind === 'dir') throw new StoreError('isDirectory', `${path}: is a directory`);
      parent.children.delete(name);
      quota?.release(node.size);
      touch(parent);
    },

    async rename(from, to) {
      const fromSegments = checkVirtualPath(from);
      const toSegments = checkVirtualPath(to);
      if (fromSegments.length === 0) throw new StoreError('invalidName', '/: the root cannot be renamed');
      const source = parentOf(fromSegments, from);
      const node = source.parent.children.get(source.name);
      if (!node) throw new StoreError('notFound', `${from}: no such file or directory`);
      if (toSegments.length === 0) throw new StoreError('exists', '/: already exists');
      const target = parentOf(toSegments, to);
      if (from === to) return;
      if (node.kind === 'dir' && to.startsWith(`${from}/`)) throw new StoreError('invalidName', `${to}: a directory cannot move into itself`);
      const existing = target.parent.children.get(target.name);
      // Like rename(2), a file replaces a file; unlike it, directories are never replaced (the student sees why).
      if (existing && (existing.kind === 'dir' || node.kind === 'dir')) throw new StoreError('exists', `${to}: already exists`);
      source.parent.children.delete(source.name);
      target.parent.children.set(target.name, node);
      // The file a file replaces is gone, and its bytes with it.
      if (existing?.kind === 'file') quota?.release(existing.size);
      touch(source.parent);
      touch(target.parent);
    },

    async openRead(path, offset = 0) {
      checkOffset(offset);
      const node = find(checkVirtualPath(path), path);
      if (node.kind === 'dir') throw new StoreError('isDirectory', `${path}: is a directory`);
      return chunkReader(node.chunks.slice(), offset);
    },

    async openWrite(path, mode) {
      const segments = checkVirtualPath(path);
      if (segments.length === 0) throw new StoreError('isDirectory', '/: is a directory');
      const { parent, name } = parentOf(segments, path);
      const existing = parent.children.get(name);
      if (existing?.kind === 'dir') throw new StoreError('isDirectory', `${path}: is a directory`);
      if (mode.kind === 'resume') {
        checkOffset(mode.offset);
        if (!existing && mode.offset > 0) throw new StoreError('notFound', `${path}: no such file to resume`);
        if (existing && mode.offset > existing.size) throw new StoreError('io', 'restart offset beyond end of file');
      }
      let file = existing;
      if (!file) {
        file = { kind: 'file', chunks: [], size: 0, modifiedMs: now(), block: undefined, blockUsed: 0 };
        parent.children.set(name, file);
        touch(parent);
      }
      const before = file.size;
      if (mode.kind === 'replace') truncate(file, 0);
      else if (mode.kind === 'resume') truncate(file, mode.offset);
      quota?.release(before - file.size);
      touch(file);
      return chunkWriter(file, now, path, quota);
    },

    async uniqueName(dirPath, base) {
      checkName(base);
      const dir = findDir(checkVirtualPath(dirPath), dirPath);
      for (let n = 0; ; n += 1) {
        const candidate = n === 0 ? base : `${base}.${n}`;
        if (!dir.children.has(candidate)) return candidate;
      }
    },
  };
}

/** Cuts a file to `size` bytes by swapping views; the bytes readers may hold are left untouched. */
function truncate(file: FileNode, size: number): void {
  file.block = undefined;
  file.blockUsed = 0;
  if (size === 0) {
    file.chunks = [];
    file.size = 0;
    return;
  }
  const kept: Buffer[] = [];
  let total = 0;
  for (const chunk of file.chunks) {
    if (total >= size) break;
    const take = Math.min(chunk.length, size - total);
    kept.push(take === chunk.length ? chunk : chunk.subarray(0, take));
    total += take;
  }
  file.chunks = kept;
  file.size = total;
}

/** Copies `data` onto the end of the file, filling blocks: one memcpy per block, no per-byte work. */
function append(file: FileNode, data: Uint8Array): void {
  let from = 0;
  while (from < data.length) {
    if (!file.block || file.blockUsed === file.block.length) {
      // Doubling with the file keeps the slack below the file's own size (and 1 MiB).
      // allocUnsafeSlow: a block of its own, not a slice of Node's shared pool; every byte is written before it is exposed.
      file.block = Buffer.allocUnsafeSlow(Math.min(MAX_BLOCK_SIZE, Math.max(MIN_BLOCK_SIZE, file.size)));
      file.blockUsed = 0;
      file.chunks.push(file.block.subarray(0, 0));
    }
    const take = Math.min(file.block.length - file.blockUsed, data.length - from);
    file.block.set(data.subarray(from, from + take), file.blockUsed);
    file.blockUsed += take;
    file.chunks[file.chunks.length - 1] = file.block.subarray(0, file.blockUsed);
    file.size += take;
    from += take;
  }
}

/**
 * When a writer is done (finished or destroyed), the block it was filling is copied to its exact size,
 * so a stored file does not keep up to 1 MiB of slack. Readers keep the old view, which stays valid.
 */
function seal(file: FileNode): void {
  const block = file.block;
  file.block = undefined;
  if (!block || file.blockUsed === block.length) return;
  const exact = Buffer.allocUnsafeSlow(file.blockUsed);
  block.copy(exact, 0, 0, file.blockUsed);
  file.chunks[file.chunks.length - 1] = exact;
}

/**
 * Each write lands in the file at once, so whatever arrived before a destroy() stays (an interrupted
 * upload keeps its bytes). Copying also means the caller may reuse its buffers afterwards.
 * Under a quota a write that would pass it lands as far as it fits, then fails (overQuota).
 */
function chunkWriter(file: FileNode, now: () => number, path: string, quota: StorageQuota | undefined): FileSink {
  /** Appends what the quota allows of `chunks`; the refusal if that was not all of them. */
  const write = (chunks: readonly Buffer[]): StoreError | undefined => {
    file.modifiedMs = now();
    for (const chunk of chunks) {
      const granted = quota ? quota.take(chunk.length) : chunk.length;
      append(file, granted < chunk.length ? chunk.subarray(0, granted) : chunk);
      if (granted < chunk.length) return cutShort(quota!.exceeded(path), file.size);
    }
    return undefined;
  };
  const writer = new Writable({
    highWaterMark: MAX_BLOCK_SIZE,
    write(chunk: Buffer, _encoding, callback) {
      callback(write([chunk]));
    },
    writev(entries, callback) {
      callback(write(entries.map((entry) => entry.chunk as Buffer)));
    },
    // Runs after 'finish' (autoDestroy) as well as on destroy(): the one place every writer ends.
    destroy(error, callback) {
      seal(file);
      callback(error);
    },
  }) as FileSink;
  // Whole buffers: copied into the file at once, so the write has landed (and the buffer is free) when it resolves.
  let refused: StoreError | undefined;
  writer.writeFrom = (buffer: Buffer, length: number) => {
    // Like a stream write after end(): a writer that has ended, been destroyed or refused adds nothing more to the file.
    if (refused) return Promise.reject(refused);
    if (writer.writableEnded || writer.destroyed) return Promise.reject(new StoreError('io', 'the file is closed for writing'));
    refused = write([buffer.subarray(0, length)]);
    return refused ? Promise.reject(refused) : Promise.resolve();
  };
  return writer;
}

/** A file's bytes from `offset` on, as views of its chunks: whole chunks before the offset are skipped, the first one left is cut there. */
function chunksFrom(chunks: readonly Buffer[], offset: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = offset;
  for (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    out.push(skip > 0 ? chunk.subarray(skip) : chunk);
    skip = 0;
  }
  return out;
}

/** Emits a snapshot of the chunks from `offset` on, one stored chunk per read (no copying). */
function chunkReader(chunks: readonly Buffer[], offset: number): FileSource {
  const tail = chunksFrom(chunks, offset);
  let index = 0;
  let remaining = tail.reduce((n, chunk) => n + chunk.length, 0);
  const stream = new Readable({
    read() {
      for (;;) {
        const piece = tail[index];
        index += 1;
        if (!piece) {
          this.push(null);
          return;
        }
        // Empty views (a block just started) carry nothing, and push(empty) would not end the read.
        if (piece.length > 0) {
          remaining -= piece.length;
          this.push(piece);
          return;
        }
      }
    },
  }) as FileSource;
  // BufferFillingSource: copies the snapshot's bytes into the caller's buffer.
  Object.defineProperty(stream, 'remaining', { get: () => remaining });
  // Bytes of tail[index] already copied out (readInto and read() are never used on the same stream).
  let used = 0;
  stream.readInto = async (buffer: Buffer) => {
    let filled = 0;
    while (filled < buffer.length && index < tail.length) {
      const piece = tail[index]!;
      const copied = piece.copy(buffer, filled, used);
      filled += copied;
      used += copied;
      if (used >= piece.length) {
        index += 1;
        used = 0;
      }
    }
    remaining -= filled;
    return filled;
  };
  return stream;
}

/** The bytes the files under `dir` hold: what a quota starts from. */
function bytesIn(dir: DirNode): number {
  let total = 0;
  for (const node of dir.children.values()) total += node.kind === 'file' ? node.size : bytesIn(node);
  return total;
}

// ---- Sample files -------------------------------------------------------------------------------

const README = [
  'Welcome to FTP Lab!',
  '',
  'This server is part of FTP Lab, a tool that shows what really happens on the wire',
  'in an FTP session: every command, every reply and every data connection.',
  '',
  'Try: RETR notes.txt (TYPE A), RETR data.bin (TYPE I), REST 40000 then RETR data.bin,',
  'LIST /pub, and STOR into /upload.',
  '',
].join('\n');

const NOTES = [
  'FTP notes',
  '1. The control connection carries commands and replies.',
  '2. Each file or listing travels on its own data connection.',
  '3. PORT: the client listens, the server connects.',
  '4. PASV: the server listens, the client connects.',
  '5. In STREAM mode, closing the data connection ends the file.',
  '6. TYPE A converts line endings to CRLF on the wire.',
  '7. TYPE I sends the bytes unchanged.',
  '8. REST n makes the next RETR or STOR start at byte n.',
  '9. 1yz: preliminary; 2yz: done; 3yz: send more.',
  '10. 4yz: try again later; 5yz: do not repeat as is.',
  '11. ABOR stops a transfer: 426, then 226.',
  '',
].join('\n');

const HELLO = 'Hello from FTP Lab!\n';

/**
 * A report with long runs: padded columns (spaces) and rule lines ('=' and '-'). COMPRESSED mode
 * (959 §3.4.3) turns the spaces into filler units under TYPE A and the rules into replicated bytes.
 */
const TABLE = (() => {
  const rule = (c: string) => c.repeat(72);
  const row = (name: string, code: string, meaning: string) => `${name.padEnd(12)}${code.padStart(8)}${' '.repeat(12)}${meaning.padEnd(40)}`;
  const lines = [rule('='), row('COMMAND', 'REPLY', 'MEANING'), rule('-')];
  const rows: [string, string, string][] = [
    ['USER', '331', 'user name okay, need password'],
    ['PASS', '230', 'user logged in'],
    ['PORT', '200', 'command okay (not 150)'],
    ['PASV', '227', 'entering passive mode'],
    ['STOR', '150', 'about to open data connection'],
    ['(data)', '226', 'closing data connection'],
    ['MODE B', '200', 'block mode: EOF marker in the data'],
    ['(data)', '250', 'done; data connection left open'],
    ['QUIT', '221', 'closing control connection'],
  ];
  for (let i = 0; i < 6; i++) for (const r of rows) lines.push(row(...r));
  lines.push(rule('='), '');
  return lines.join('\n');
})();

/** 64 KiB from a fixed-seed xorshift32: every byte value appears, including LF, CR and 0xFF (TYPE A pitfalls). */
export const SAMPLE_BINARY_SIZE = 65_536;

let sampleBinary: Buffer | undefined;

function sampleBinaryBytes(): Buffer {
  if (!sampleBinary) {
    const bytes = Buffer.alloc(SAMPLE_BINARY_SIZE);
    let x = 0x2545f491;
    for (let i = 0; i < bytes.length; i += 1) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = (x >>> 24) & 0xff;
    }
    sampleBinary = bytes;
  }
  // A copy per store: a consumer that writes into a chunk it read must not reach other stores.
  return Buffer.from(sampleBinary);
}

function seed(root: DirNode, at: number): void {
  const file = (content: Buffer): FileNode => ({ kind: 'file', chunks: [content], size: content.length, modifiedMs: at, block: undefined, blockUsed: 0 });
  const dir = (entries: [string, Node][] = []): DirNode => ({ kind: 'dir', children: new Map(entries), modifiedMs: at });
  root.children.set('readme.txt', file(Buffer.from(README, 'utf8')));
  root.children.set('notes.txt', file(Buffer.from(NOTES, 'utf8')));
  root.children.set('table.txt', file(Buffer.from(TABLE, 'utf8')));
  root.children.set('data.bin', file(sampleBinaryBytes()));
  root.children.set('pub', dir([['hello.txt', file(Buffer.from(HELLO, 'utf8'))]]));
  root.children.set('upload', dir());
}
