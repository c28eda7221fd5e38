// The contract every file store honours: what the FTP server may ask of the files it serves, and how it is refused.

import type { Readable, Writable } from 'node:stream';
import type { FileInfo, StoreErrorCode } from '../../core/protocol/fileInfo';

/** A refusal the protocol can explain: core/protocol maps each code to an FTP reply (550, 553, ...). */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * A write's refusal once part of the file is written: it says how many bytes the file keeps, so the client
 * (and the student reading the reply) knows where a REST would resume. The same words for every store and cause.
 */
export function cutShort(refusal: StoreError, keptBytes: number): StoreError {
  return new StoreError(refusal.code, `${refusal.message}; the file keeps its first ${keptBytes} bytes`);
}

/**
 * How STOR, APPE and REST n + STOR write a file:
 * replace truncates (or creates), append adds at the end (or creates),
 * resume keeps the first `offset` bytes and writes from there (the rest is cut off first).
 */
export type WriteMode = { kind: 'replace' } | { kind: 'append' } | { kind: 'resume'; offset: number };

/**
 * What openRead's stream offers besides being a Readable: fill a caller's buffer with the next
 * bytes, so a sender can reuse two buffers for a whole file instead of getting a fresh one per read.
 * A consumer uses either this or the stream interface, never both, and destroy()s the stream when done.
 */
export interface BufferFillingSource {
  /** Puts the next bytes at the start of `buffer`; resolves to how many (0: the end). */
  readInto(buffer: Buffer): Promise<number>;
  /** Bytes left to read (as the file was when opened). */
  readonly remaining: number;
}

/**
 * What openWrite's stream offers besides being a Writable: write a caller's buffer at the file's next
 * position and resolve once it is in the file. Several may be handed over at once (they land one at a time, in
 * the order given, each at its own offset), so a receiver can hand over every socket read as it comes and reuse
 * the buffer when its write resolves.
 * A consumer uses either this or the stream interface, and end()s the stream after its writes resolved.
 */
export interface BufferDrainingSink {
  writeFrom(buffer: Buffer, length: number): Promise<void>;
}

/** A stored file opened for reading: its bytes as a stream, or into a caller's buffers. Every store's openRead gives one. */
export type FileSource = Readable & BufferFillingSource;

/** A stored file opened for writing: a stream to write, or whole buffers handed over. Every store's openWrite gives one. */
export type FileSink = Writable & BufferDrainingSink;

/**
 * Answers a store gives at once, without a trip through the thread pool or a promise: the same results and
 * the same refusals (thrown StoreErrors) as the async methods. Sessions ask these, so that preparing a RETR
 * or LIST, and sending a small file, costs no round trip at all. (A store on a filesystem that can hang
 * would stall every session here: directoryStore.ts says why that price is paid.)
 */
export interface SyncFileStore {
  stat(path: string): FileInfo;
  list(dirPath: string): FileInfo[];
  /** The file's bytes from `offset` if at most `maxBytes` are left, else undefined (then use openRead). isDirectory, notFound. */
  readSmall(path: string, offset: number, maxBytes: number): Buffer | undefined;
}

/**
 * Paths are virtual absolute paths ('/', '/pub/hello.txt'), already normalised by the caller.
 * Every method still re-checks them (checkVirtualPath) and refuses anything else with
 * StoreError('escapesRoot' | 'invalidName'): the store is the last line of defence.
 */
export interface FileStore {
  /** For people: 'in-memory store (4 sample files, 2 directories)', 'directory /srv/ftp'. */
  readonly description: string;
  /** The synchronous answers (questions only: nothing that changes the tree). */
  readonly sync: SyncFileStore;
  /**
   * The most its files may hold in all and what they hold now, if it was given a quota (serve --quota).
   * A write that would pass it is stopped at it: overQuota, the file keeping the bytes that fitted.
   */
  readonly quota?: { readonly limitBytes: number; readonly usedBytes: number };
  /** notFound if missing. */
  stat(path: string): Promise<FileInfo>;
  /** The entries of a directory, sorted by name (code-point order); notFound / notDirectory. */
  list(dirPath: string): Promise<FileInfo[]>;
  /** exists if already there (file or directory); notFound if the parent is missing; notDirectory if the parent is a file. */
  mkdir(path: string): Promise<void>;
  /** notEmpty, notDirectory, notFound; the root is never removed (invalidName). */
  rmdir(path: string): Promise<void>;
  /** Removes a file: isDirectory, notFound. */
  remove(path: string): Promise<void>;
  /**
   * Moves a file or directory. notFound if `from` or the parent of `to` is missing; a file replaces an
   * existing file at `to`, but nothing replaces a directory and a directory replaces nothing (exists);
   * a directory cannot move into itself, and the root cannot move (invalidName).
   */
  rename(from: string, to: string): Promise<void>;
  /** The file's bytes from `offset` (default 0; at or past the end: no bytes). isDirectory, notFound. */
  openRead(path: string, offset?: number): Promise<FileSource>;
  /**
   * A sink for the file's new bytes. Bytes become part of the file as they are written, so an
   * interrupted upload (the Writable destroyed mid-way) keeps what arrived. A write the store cannot take whole
   * (a full disk, the quota) fails, after the bytes that fitted, with a refusal from cutShort().
   * notFound if the parent is missing, isDirectory if a directory has that name;
   * resume past the end of the file: io.
   */
  openWrite(path: string, mode: WriteMode): Promise<FileSink>;
  /** A name not yet used in dirPath (for STOU): base, base.1, base.2, ... notFound / notDirectory. */
  uniqueName(dirPath: string, base: string): Promise<string>;
}
