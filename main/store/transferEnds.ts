// What a data transfer reads from and writes into, typed by what it can do: a store's file, or any other stream.

import type { Readable, Writable } from 'node:stream';
import type { FileSink, FileSource } from './fileStore';

/**
 * A store's file (openRead) can also fill a sender's buffers; anything else (a listing, a client's
 * generated upload) is only a stream. The data connection picks its way of sending by `kind`.
 */
export type TransferSource = { readonly kind: 'file'; readonly stream: FileSource } | { readonly kind: 'stream'; readonly stream: Readable };

/**
 * A store's file (openWrite) can also take whole buffers at its next position; anything else (the
 * client's hashing sink) is only a stream. The data connection picks its way of receiving by `kind`.
 */
export type TransferSink = { readonly kind: 'file'; readonly stream: FileSink } | { readonly kind: 'stream'; readonly stream: Writable };
