// Performs the server machine's file actions on a FileStore, and opens the store's files for the data channel.
// The machine decides what the results mean.

import { Readable } from 'node:stream';
import type { FileActionRequest, FileActionResult } from '../../core/machines/serverFileActions';
import type { DataSink, DataSource } from '../../core/machines/channelEvents';
import type { OpenedSink } from '../net/dataChannel';
import { asciiWireSize } from '../../core/protocol/asciiConversion';
import { parentPath } from '../../core/protocol/virtualPath';
import { StoreError, type FileStore } from '../store/fileStore';
import type { TransferSource } from '../store/transferEnds';

/**
 * Performs a file action. Questions (stat, list) are answered at once from the store's synchronous side,
 * so a RETR or LIST is prepared without a promise round trip; changes (MKD, DELE, STOR's unique name, ...)
 * and SIZE under TYPE A (which reads the file) return a promise.
 */
export function performFileAction(store: FileStore, request: FileActionRequest): FileActionResult | Promise<FileActionResult> {
  try {
    const answer = perform(store, request);
    return answer instanceof Promise ? answer.catch(failure) : answer;
  } catch (error) {
    return failure(error);
  }
}

function failure(error: unknown): FileActionResult {
  if (error instanceof StoreError) return { ok: false, error: error.code, message: error.message };
  return { ok: false, error: 'io', message: (error as Error).message };
}

function perform(store: FileStore, request: FileActionRequest): FileActionResult | Promise<FileActionResult> {
  const sync = store.sync;
  switch (request.op) {
    case 'cwd': {
      const info = sync.stat(request.path);
      if (info.kind !== 'dir') throw new StoreError('notDirectory', 'not a directory');
      return { ok: true, info };
    }
    case 'mkd':
      return store.mkdir(request.path).then(() => ({ ok: true }));
    case 'rmd':
      return store.rmdir(request.path).then(() => ({ ok: true }));
    case 'dele':
      return store.remove(request.path).then(() => ({ ok: true }));
    case 'rnfr':
      return { ok: true, info: sync.stat(request.path) };
    case 'rnto':
      return store.rename(request.from, request.path).then(() => ({ ok: true }));
    case 'mdtm':
    case 'size': {
      const info = sync.stat(request.path);
      if (info.kind !== 'file') throw new StoreError('isDirectory', 'not a plain file');
      // SIZE is the size as it would be transferred: under TYPE A the CRLFs count (RFC 3659 §4).
      if (request.op === 'size' && request.representation === 'A') return wireSizeAscii(store, request.path).then((size) => ({ ok: true, info, size }));
      return { ok: true, info, size: info.size };
    }
    case 'statList':
    case 'prepareList': {
      const info = sync.stat(request.path);
      return info.kind === 'dir' ? { ok: true, info, entries: sync.list(request.path) } : { ok: true, info, entries: [info] };
    }
    case 'prepareRetr': {
      const info = sync.stat(request.path);
      if (info.kind !== 'file') throw new StoreError('isDirectory', 'not a plain file');
      return { ok: true, info, path: request.path };
    }
    case 'prepareStor': {
      const dir = request.unique ? request.path : parentPath(request.path);
      const parent = sync.stat(dir);
      if (parent.kind !== 'dir') throw new StoreError('notDirectory', 'not a directory');
      if (request.unique) return store.uniqueName(dir, 'ftp-lab-upload').then((name) => ({ ok: true, path: dir === '/' ? `/${name}` : `${dir}/${name}` }));
      let existing;
      try {
        existing = sync.stat(request.path);
      } catch {
        existing = undefined;
      }
      if (existing?.kind === 'dir') throw new StoreError('isDirectory', 'a directory has that name');
      return { ok: true, path: request.path };
    }
  }
}

async function wireSizeAscii(store: FileStore, path: string): Promise<number> {
  let size = 0;
  for await (const chunk of await store.openRead(path, 0)) size += asciiWireSize(chunk as Uint8Array);
  return size;
}

/** Up to this size a file is read at once, synchronously, and sent in one write. */
const SMALL_FILE_BYTES = 256 * 1024;

/** A small file (from its offset) or a listing, whole, at once; undefined for a file larger than SMALL_FILE_BYTES. */
export function readSmallSource(store: FileStore, source: DataSource): Buffer | undefined {
  if (source.kind === 'file') return store.sync.readSmall(source.path, source.offset, SMALL_FILE_BYTES);
  if (source.kind === 'text') return Buffer.from(source.text, 'utf8');
  return undefined;
}

/** What the server sends: a stored file from an offset, or a listing already in NVT form. */
export async function openStoreSource(store: FileStore, source: DataSource): Promise<TransferSource> {
  if (source.kind === 'file') return { kind: 'file', stream: await store.openRead(source.path, source.offset) };
  if (source.kind === 'text') return { kind: 'stream', stream: Readable.from([Buffer.from(source.text, 'utf8')]) };
  throw new Error('the server sends only files and listings');
}

export async function openStoreSink(store: FileStore, sink: DataSink): Promise<OpenedSink> {
  if (sink.kind !== 'file') throw new Error('the server receives only into files');
  const mode = sink.write === 'resume' ? { kind: 'resume' as const, offset: sink.offset } : { kind: sink.write };
  return { kind: 'file', stream: await store.openWrite(sink.path, mode) };
}
