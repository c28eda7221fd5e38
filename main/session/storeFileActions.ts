// Performs the server machine's file actions on a FileStore, and opens the store's files for the data channel.
// The machine decides what the results mean.

import { Readable } from 'node:stream';
import type { FileActionRequest, FileActionResult } from '../../core/machines/serverFileActions';
import type { DataSink, DataSource } from '../../core/machines/channelEvents';
import type { OpenedSink } from '../net/dataChannel';
import { asciiWireSize } from '../../core/protocol/asciiConversion';
import { parentPath } from '../../core/protocol/virtualPath';
import { StoreError, type FileStore } from '../store/fileStore';

export async function performFileAction(store: FileStore, request: FileActionRequest): Promise<FileActionResult> {
  try {
    return await perform(store, request);
  } catch (error) {
    if (error instanceof StoreError) return { ok: false, error: error.code, message: error.message };
    return { ok: false, error: 'io', message: (error as Error).message };
  }
}

async function perform(store: FileStore, request: FileActionRequest): Promise<FileActionResult> {
  switch (request.op) {
    case 'cwd': {
      const info = await store.stat(request.path);
      if (info.kind !== 'dir') throw new StoreError('notDirectory', 'not a directory');
      return { ok: true, info };
    }
    case 'mkd':
      await store.mkdir(request.path);
      return { ok: true };
    case 'rmd':
      await store.rmdir(request.path);
      return { ok: true };
    case 'dele':
      await store.remove(request.path);
      return { ok: true };
    case 'rnfr':
      return { ok: true, info: await store.stat(request.path) };
    case 'rnto':
      await store.rename(request.from, request.path);
      return { ok: true };
    case 'mdtm':
    case 'size': {
      const info = await store.stat(request.path);
      if (info.kind !== 'file') throw new StoreError('isDirectory', 'not a plain file');
      // SIZE is the size as it would be transferred: under TYPE A the CRLFs count (RFC 3659 §4).
      if (request.op === 'size' && request.representation === 'A') return { ok: true, info, size: await wireSizeAscii(store, request.path) };
      return { ok: true, info, size: info.size };
    }
    case 'statList':
    case 'prepareList': {
      const info = await store.stat(request.path);
      return info.kind === 'dir' ? { ok: true, info, entries: await store.list(request.path) } : { ok: true, info, entries: [info] };
    }
    case 'prepareRetr': {
      const info = await store.stat(request.path);
      if (info.kind !== 'file') throw new StoreError('isDirectory', 'not a plain file');
      return { ok: true, info, path: request.path };
    }
    case 'prepareStor': {
      const dir = request.unique ? request.path : parentPath(request.path);
      const parent = await store.stat(dir);
      if (parent.kind !== 'dir') throw new StoreError('notDirectory', 'not a directory');
      if (request.unique) {
        const name = await store.uniqueName(dir, 'ftp-lab-upload');
        return { ok: true, path: dir === '/' ? `/${name}` : `${dir}/${name}` };
      }
      const existing = await store.stat(request.path).catch(() => undefined);
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

/** What the server sends: a stored file from an offset, or a listing already in NVT form. */
export async function openStoreSource(store: FileStore, source: DataSource): Promise<Readable> {
  if (source.kind === 'file') return store.openRead(source.path, source.offset);
  if (source.kind === 'text') return Readable.from([Buffer.from(source.text, 'utf8')]);
  throw new Error('the server sends only files and listings');
}

export async function openStoreSink(store: FileStore, sink: DataSink): Promise<OpenedSink> {
  if (sink.kind !== 'file') throw new Error('the server receives only into files');
  const mode = sink.write === 'resume' ? { kind: 'resume' as const, offset: sink.offset } : { kind: sink.write };
  return { sink: await store.openWrite(sink.path, mode) };
}
