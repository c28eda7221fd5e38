// Tests the in-memory store: the shared contract, the seeded sample files, and big transfers at memory speed.

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { describeStoreContract, readAll, readText, sha256, writeAll } from './storeContract';

describeStoreContract('memory store', async () => createMemoryStore({ seed: false }));

describe('memory store: seeded sample files', () => {
  it.each([
    { title: 'readme.txt', path: '/readme.txt', kind: 'file', size: undefined },
    { title: 'notes.txt', path: '/notes.txt', kind: 'file', size: undefined },
    { title: 'data.bin is 64 KiB', path: '/data.bin', kind: 'file', size: 65_536 },
    { title: 'the pub directory', path: '/pub', kind: 'dir', size: 0 },
    { title: 'pub/hello.txt', path: '/pub/hello.txt', kind: 'file', size: 20 },
    { title: 'the upload directory', path: '/upload', kind: 'dir', size: 0 },
  ])('$title exists', async ({ path, kind, size }) => {
    const info = await createMemoryStore().stat(path);
    expect(info.kind).toBe(kind);
    if (size !== undefined) expect(info.size).toBe(size);
  });

  it('the root lists the samples by name; /upload is empty', async () => {
    const store = createMemoryStore();
    expect((await store.list('/')).map((e) => e.name)).toEqual(['data.bin', 'notes.txt', 'pub', 'readme.txt', 'table.txt', 'upload']);
    expect((await store.list('/pub')).map((e) => e.name)).toEqual(['hello.txt']);
    expect(await store.list('/upload')).toEqual([]);
  });

  it.each([
    { title: 'readme.txt welcomes', path: '/readme.txt', starts: 'Welcome to FTP Lab', minLines: 3 },
    { title: 'notes.txt has a dozen lines', path: '/notes.txt', starts: 'FTP notes', minLines: 12 },
    { title: 'hello.txt greets', path: '/pub/hello.txt', starts: 'Hello from FTP Lab!', minLines: 1 },
  ])('$title, with LF line endings (TYPE A has something to convert)', async ({ path, starts, minLines }) => {
    const store = createMemoryStore();
    const text = await readText(store, path);
    expect(text.startsWith(starts)).toBe(true);
    expect(text).not.toContain('\r');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n').length).toBeGreaterThanOrEqual(minLines);
    expect((await store.stat(path)).size).toBe(Buffer.byteLength(text));
  });

  it.each([
    { title: 'LF', byte: 0x0a },
    { title: 'CR', byte: 0x0d },
    { title: '0xFF', byte: 0xff },
    { title: 'NUL', byte: 0x00 },
  ])('data.bin contains $title bytes (the TYPE A pitfalls)', async ({ byte }) => {
    expect((await readAll(createMemoryStore(), '/data.bin')).includes(byte)).toBe(true);
  });

  it('data.bin is the same in every store (seeded PRNG), and each store has its own copy', async () => {
    const one = createMemoryStore();
    const two = createMemoryStore();
    const bytes = await readAll(one, '/data.bin');
    expect(sha256(await readAll(two, '/data.bin'))).toBe(sha256(bytes));
    await writeAll(one, '/data.bin', 'changed');
    expect((await two.stat('/data.bin')).size).toBe(65_536);
  });

  it('the description names the samples; an unseeded store is empty', async () => {
    expect(createMemoryStore().description).toMatch(/^in-memory store \(.*sample files/);
    const empty = createMemoryStore({ seed: false });
    expect(empty.description).toBe('in-memory store (empty)');
    expect(await empty.list('/')).toEqual([]);
  });

  it('modification times come from the now option', async () => {
    let clock = 1_000_000;
    const store = createMemoryStore({ now: () => clock });
    expect((await store.stat('/readme.txt')).modifiedMs).toBe(1_000_000);
    clock = 2_000_000;
    await writeAll(store, '/upload/x.txt', 'x');
    expect((await store.stat('/upload/x.txt')).modifiedMs).toBe(2_000_000);
    expect((await store.stat('/upload')).modifiedMs).toBe(2_000_000);
  });
});

describe('memory store: behaviour beyond the contract', () => {
  it('a small upload keeps no block slack: its chunk is its exact size', async () => {
    const store = createMemoryStore({ seed: false });
    await writeAll(
      store,
      '/small.txt',
      ['abc', 'def'].map((t) => Buffer.from(t)),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of await store.openRead('/small.txt')) chunks.push(chunk as Buffer);
    expect(chunks.map((c) => [c.toString(), c.buffer.byteLength])).toEqual([['abcdef', 6]]);
  });

  it('a download opened before an overwrite still sends the file as it was', async () => {
    const store = createMemoryStore({ seed: false });
    const original = randomBytes(2 * 1024 * 1024);
    await writeAll(store, '/f.bin', original);
    const reader = await store.openRead('/f.bin');
    await writeAll(store, '/f.bin', randomBytes(1024 * 1024 + 3), { kind: 'resume', offset: 1000 });
    const chunks: Buffer[] = [];
    for await (const chunk of reader) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(original));
  });

  it('a 64 MiB upload and download round-trip byte-exactly, in chunks of at most 1 MiB', async () => {
    const store = createMemoryStore({ seed: false });
    const data = randomBytes(64 * 1024 * 1024);
    // 64 KiB pieces, as a socket delivers them.
    const pieces = function* () {
      for (let at = 0; at < data.length; at += 65_536) yield data.subarray(at, at + 65_536);
    };
    await pipeline(Readable.from(pieces()), await store.openWrite('/big.bin', { kind: 'replace' }));
    const chunks: Buffer[] = [];
    for await (const chunk of await store.openRead('/big.bin')) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(data));
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(1024 * 1024);
    // Big chunks, not the 1024 pieces of 64 KiB that came in: blocks grow 64K, 64K, 128K, 256K, 512K, then 1 MiB each.
    expect(chunks.length).toBe(68);
  });
});
