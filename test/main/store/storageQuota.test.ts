// A store's storage quota (serve --quota): a write that would pass it is stopped at it, the file keeping exactly the
// bytes that fitted; every change a store makes (write, overwrite, REST + STOR, append, DELE, RNTO over a file) is
// counted. The same rows for the memory store and for the directory store on a real temp directory.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createDirectoryStore } from '../../../main/store/directoryStore';
import { StoreError, type BufferDrainingSink, type FileStore } from '../../../main/store/fileStore';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { openFilesUnder } from '../../support/leaks';
import { codeOf, readAll, writeAll, writeChunk } from './storeContract';

const tempDirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ftp-lab-quota-'));
  tempDirs.push(dir);
  return dir;
}

afterEach(async () => {
  const dirs = tempDirs.splice(0);
  // Every file a test opened through the store is closed again, refused writes included.
  for (const dir of dirs) expect(await openFilesUnder(await fs.realpath(dir))).toEqual([]);
  await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

/** Distinct bytes, so a file that is not exactly the start of what was sent cannot pass for it. */
function bytes(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 7 + seed * 31) & 0xff));
}

/** The refusal a write rejects with (the test fails if it resolves). */
async function refusalOf(write: Promise<unknown>): Promise<StoreError> {
  const error = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the write was not refused').toBeInstanceOf(StoreError);
  return error as StoreError;
}

const QUOTA = 1000;

const stores: { name: string; make: (quotaBytes: number) => Promise<FileStore> }[] = [
  { name: 'memory store', make: async (quotaBytes) => createMemoryStore({ seed: false, quotaBytes }) },
  { name: 'directory store', make: async (quotaBytes) => createDirectoryStore(await tempDir(), { quotaBytes }) },
];

describe.each(stores)('$name under a quota of 1000 bytes', ({ make }) => {
  it('a write that would pass it lands as far as it fits, then is refused (overQuota) saying what the file keeps', async () => {
    const store = await make(QUOTA);
    const sent = bytes(1500, 1);
    const refusal = await refusalOf(writeAll(store, '/up.bin', sent));
    expect(refusal.code).toBe('overQuota');
    expect(refusal.message).toBe("/up.bin: the server's quota of 1000 bytes is used up; the file keeps its first 1000 bytes");
    expect((await readAll(store, '/up.bin')).equals(sent.subarray(0, 1000))).toBe(true);
    expect(store.quota).toMatchObject({ limitBytes: 1000, usedBytes: 1000 });
  });

  it('written in many small pieces, the file is still exactly the start of what was sent', async () => {
    const store = await make(QUOTA);
    const pieces = Array.from({ length: 40 }, (_, i) => bytes(77, i));
    const refusal = await refusalOf(writeAll(store, '/up.bin', pieces));
    expect(refusal.message).toMatch(/keeps its first 1000 bytes$/);
    expect((await readAll(store, '/up.bin')).equals(Buffer.concat(pieces).subarray(0, 1000))).toBe(true);
  });

  it('a write that fits exactly is not refused; once full, the next byte is (an empty file still fits)', async () => {
    const store = await make(QUOTA);
    await writeAll(store, '/full.bin', bytes(1000, 2));
    await writeAll(store, '/empty.bin', Buffer.alloc(0));
    const refusal = await refusalOf(writeAll(store, '/one.bin', Buffer.from('x')));
    expect(refusal.message).toMatch(/keeps its first 0 bytes$/);
    expect((await store.stat('/one.bin')).size).toBe(0);
  });

  it('after a refusal the writer takes nothing more: later writes on it are refused too and change nothing', async () => {
    const store = await make(QUOTA);
    const sink = await store.openWrite('/up.bin', { kind: 'replace' });
    sink.on('error', () => undefined);
    await writeChunk(sink, bytes(600, 3));
    expect(await codeOf(writeChunk(sink, bytes(600, 4)))).toBe('overQuota');
    await new Promise((resolve) => (sink.closed ? resolve(undefined) : sink.once('close', resolve)));
    expect((await readAll(store, '/up.bin')).equals(Buffer.concat([bytes(600, 3), bytes(400, 4)]))).toBe(true);
    expect(store.quota?.usedBytes).toBe(1000);
  });

  it.each([
    {
      title: 'an overwrite (STOR over a file) frees the old bytes first',
      before: 800,
      then: async (s: FileStore) => writeAll(s, '/a.bin', bytes(900, 5)),
      used: 900,
    },
    { title: 'DELE frees the file', before: 800, then: async (s: FileStore) => (await s.remove('/a.bin'), writeAll(s, '/b.bin', bytes(900, 5))), used: 900 },
    {
      title: 'REST 100 + STOR frees the tail it cuts off',
      before: 800,
      then: async (s: FileStore) => writeAll(s, '/a.bin', bytes(900, 5), { kind: 'resume', offset: 100 }),
      used: 1000,
    },
    {
      title: 'RNTO over a file frees the file it replaces',
      before: 500,
      then: async (s: FileStore) => (await writeAll(s, '/b.bin', bytes(400, 6)), await s.rename('/a.bin', '/b.bin'), writeAll(s, '/c.bin', bytes(500, 7))),
      used: 1000,
    },
    {
      title: 'RNTO to a free name moves the bytes, neither freeing nor taking any',
      before: 500,
      then: async (s: FileStore) => (await s.mkdir('/d'), await s.rename('/a.bin', '/d/a.bin'), writeAll(s, '/c.bin', bytes(500, 7))),
      used: 1000,
    },
  ])('$title', async ({ before, then, used }) => {
    const store = await make(QUOTA);
    await writeAll(store, '/a.bin', bytes(before, 8));
    await then(store);
    expect(store.quota?.usedBytes).toBe(used);
    // And the count is right, not just the same: what is left fits, one byte more does not.
    if (used < QUOTA) await writeAll(store, '/rest.bin', bytes(QUOTA - used, 9));
    expect(await codeOf(writeAll(store, '/more.bin', Buffer.from('x')))).toBe('overQuota');
  });

  it('APPE counts what it adds: 600 then 600 more keeps the first 1000', async () => {
    const store = await make(QUOTA);
    await writeAll(store, '/log.txt', bytes(600, 10));
    const refusal = await refusalOf(writeAll(store, '/log.txt', bytes(600, 11), { kind: 'append' }));
    expect(refusal.message).toMatch(/keeps its first 1000 bytes$/);
    expect((await readAll(store, '/log.txt')).equals(Buffer.concat([bytes(600, 10), bytes(400, 11)]))).toBe(true);
  });

  it('two uploads at once share the quota: together they keep 1000 bytes, each the start of its own', async () => {
    const store = await make(QUOTA);
    const a = await store.openWrite('/a.bin', { kind: 'replace' });
    const b = await store.openWrite('/b.bin', { kind: 'replace' });
    for (const sink of [a, b]) sink.on('error', () => undefined);
    const sentA = bytes(700, 12);
    const sentB = bytes(700, 13);
    // 350 bytes at a time, taking turns (how a stream groups its writes decides which of them is cut where).
    const results = await Promise.allSettled([
      writeChunk(a, sentA.subarray(0, 350)),
      writeChunk(b, sentB.subarray(0, 350)),
      writeChunk(a, sentA.subarray(350)),
      writeChunk(b, sentB.subarray(350)),
    ]);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as StoreError).code] : []));
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(['overQuota']));
    await Promise.all([a, b].map((s) => new Promise((resolve) => (s.closed ? resolve(undefined) : s.once('close', resolve)))));
    const onA = await readAll(store, '/a.bin');
    const onB = await readAll(store, '/b.bin');
    expect(onA.length + onB.length).toBe(1000);
    expect(onA.equals(sentA.subarray(0, onA.length)) && onB.equals(sentB.subarray(0, onB.length))).toBe(true);
  });
});

describe('directory store: what the quota starts from', () => {
  it('the regular files already under the root, in every directory; a link is not counted again', async () => {
    const root = await tempDir();
    await fs.mkdir(path.join(root, 'sub/deeper'), { recursive: true });
    await fs.writeFile(path.join(root, 'a.bin'), bytes(300, 1));
    await fs.writeFile(path.join(root, 'sub/deeper/b.bin'), bytes(200, 2));
    await fs.symlink(path.join(root, 'a.bin'), path.join(root, 'sub/link-to-a'));
    const store = await createDirectoryStore(root, { quotaBytes: 1000 });
    expect(store.quota).toMatchObject({ limitBytes: 1000, usedBytes: 500 });
    // DELE of the link frees nothing: the file it pointed to is still there.
    await store.remove('/sub/link-to-a');
    expect(store.quota?.usedBytes).toBe(500);
    const refusal = await refusalOf(writeAll(store, '/c.bin', bytes(600, 3)));
    expect(refusal.message).toMatch(/keeps its first 500 bytes$/);
  });

  it('a root already over the quota is served; every upload is refused until files are deleted', async () => {
    const root = await tempDir();
    await fs.writeFile(path.join(root, 'big.bin'), bytes(1500, 4));
    const store = await createDirectoryStore(root, { quotaBytes: 1000 });
    expect(store.quota?.usedBytes).toBe(1500);
    expect(await codeOf(writeAll(store, '/x.bin', Buffer.from('x')))).toBe('overQuota');
    await store.remove('/big.bin');
    await store.remove('/x.bin');
    await writeAll(store, '/x.bin', bytes(1000, 5));
    expect(store.quota?.usedBytes).toBe(1000);
  });

  it('whole buffers handed over at once (BufferDrainingSink): the one that passes the quota is cut there, the ones after it refused alike', async () => {
    const root = await tempDir();
    const store = await createDirectoryStore(root, { quotaBytes: 1000 });
    const sink = (await store.openWrite('/d.bin', { kind: 'replace' })) as Writable & BufferDrainingSink;
    const parts = [bytes(400, 6), bytes(400, 7), bytes(400, 8), bytes(400, 9)];
    const results = await Promise.allSettled(parts.map((p) => sink.writeFrom(p, p.length)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    for (const r of results.slice(2))
      expect(((r as PromiseRejectedResult).reason as Error).message).toMatch(/quota of 1000 bytes is used up; the file keeps its first 1000 bytes$/);
    sink.destroy();
    await new Promise((resolve) => sink.once('close', resolve));
    expect((await fs.readFile(path.join(root, 'd.bin'))).equals(Buffer.concat(parts).subarray(0, 1000))).toBe(true);
  });
});

describe('memory store: what the quota starts from', () => {
  it('the sample files count', async () => {
    const store = createMemoryStore({ quotaBytes: 1024 * 1024 });
    const sizes = async (dir: string): Promise<number> =>
      (await store.list(dir)).reduce(async (sum, e) => (await sum) + (e.kind === 'file' ? e.size : await sizes(e.path)), Promise.resolve(0));
    expect(store.quota?.usedBytes).toBe(await sizes('/'));
    expect(store.quota?.usedBytes).toBeGreaterThan(65_536);
  });
});
