// The FileStore contract as one test suite, run against every store so they behave alike for the protocol.

import { createHash, randomBytes } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StoreErrorCode } from '../../../core/protocol/fileInfo';
import { StoreError, type FileStore, type WriteMode } from '../../../main/store/fileStore';

/** The StoreError code a promise rejects with, or a description of what it did instead (readable in a failed expect). */
export async function codeOf(promise: Promise<unknown>): Promise<StoreErrorCode | string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof StoreError ? error.code : `not a StoreError: ${String(error)}`;
  }
}

export async function readAll(store: FileStore, path: string, offset?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.openRead(path, offset)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function readText(store: FileStore, path: string, offset?: number): Promise<string> {
  return (await readAll(store, path, offset)).toString('utf8');
}

export async function writeAll(
  store: FileStore,
  path: string,
  data: string | Buffer | readonly Buffer[],
  mode: WriteMode = { kind: 'replace' },
): Promise<void> {
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : Buffer.isBuffer(data) ? [data] : [...data];
  await pipeline(Readable.from(chunks), await store.openWrite(path, mode));
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes one chunk and waits until the store has taken it (the write callback). */
export function writeChunk(writable: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => writable.write(chunk, (error) => (error ? reject(error) : resolve())));
}

/**
 * Runs the contract against fresh, empty stores from `makeStore`. Each test starts from this fixture,
 * made through the store's own API:
 *   /a.txt          'alpha\n'
 *   /docs/b.txt     '0123456789'
 *   /empty/
 */
export function describeStoreContract(name: string, makeStore: () => Promise<FileStore>): void {
  describe(`${name}: FileStore contract`, () => {
    let store: FileStore;

    beforeEach(async () => {
      store = await makeStore();
      await writeAll(store, '/a.txt', 'alpha\n');
      await store.mkdir('/docs');
      await writeAll(store, '/docs/b.txt', '0123456789');
      await store.mkdir('/empty');
    });

    describe('stat', () => {
      it.each([
        { title: 'a file', path: '/a.txt', name: 'a.txt', kind: 'file', size: 6 },
        { title: 'a file in a directory', path: '/docs/b.txt', name: 'b.txt', kind: 'file', size: 10 },
        { title: 'a directory', path: '/docs', name: 'docs', kind: 'dir' },
        { title: 'the root (name is empty)', path: '/', name: '', kind: 'dir' },
      ])('$title', async ({ path, name, kind, size }) => {
        const info = await store.stat(path);
        expect(info).toMatchObject({ path, name, kind });
        if (size !== undefined) expect(info.size).toBe(size);
        expect(typeof info.modifiedMs).toBe('number');
      });

      it.each([
        { title: 'a missing file is notFound', path: '/nope.txt', code: 'notFound' },
        { title: 'a file in a missing directory is notFound', path: '/nope/b.txt', code: 'notFound' },
        { title: 'a path through a file is notDirectory', path: '/a.txt/x', code: 'notDirectory' },
      ])('$title', async ({ path, code }) => {
        expect(await codeOf(store.stat(path))).toBe(code);
      });

      it('a write sets the modification time to about now', async () => {
        const before = Date.now();
        await writeAll(store, '/fresh.txt', 'x');
        const info = await store.stat('/fresh.txt');
        expect(info.modifiedMs).toBeGreaterThanOrEqual(before - 2000);
        expect(info.modifiedMs).toBeLessThanOrEqual(Date.now() + 2000);
      });
    });

    describe('list', () => {
      it.each([
        {
          title: 'the root, sorted by name',
          path: '/',
          names: ['a.txt', 'docs', 'empty'],
          paths: ['/a.txt', '/docs', '/empty'],
          kinds: ['file', 'dir', 'dir'],
        },
        { title: 'a subdirectory (child paths under it)', path: '/docs', names: ['b.txt'], paths: ['/docs/b.txt'], kinds: ['file'] },
        { title: 'an empty directory', path: '/empty', names: [], paths: [], kinds: [] },
      ])('$title', async ({ path, names, paths, kinds }) => {
        const entries = await store.list(path);
        expect(entries.map((e) => e.name)).toEqual(names);
        expect(entries.map((e) => e.path)).toEqual(paths);
        expect(entries.map((e) => e.kind)).toEqual(kinds);
      });

      it('sorts in plain string order (upper case before lower case)', async () => {
        for (const name of ['b', 'C', 'a']) await writeAll(store, `/empty/${name}`, name);
        expect((await store.list('/empty')).map((e) => e.name)).toEqual(['C', 'a', 'b']);
      });

      it('entries carry the file sizes', async () => {
        expect((await store.list('/docs'))[0]?.size).toBe(10);
      });

      it.each([
        { title: 'a missing directory is notFound', path: '/nope', code: 'notFound' },
        { title: 'a file is notDirectory', path: '/a.txt', code: 'notDirectory' },
      ])('$title', async ({ path, code }) => {
        expect(await codeOf(store.list(path))).toBe(code);
      });
    });

    describe('mkdir', () => {
      it.each([
        { title: 'at the root', path: '/new' },
        { title: 'in a subdirectory', path: '/docs/sub' },
      ])('creates a directory $title', async ({ path }) => {
        await store.mkdir(path);
        expect((await store.stat(path)).kind).toBe('dir');
        expect(await store.list(path)).toEqual([]);
      });

      it.each([
        { title: 'an existing directory is exists', path: '/docs', code: 'exists' },
        { title: 'an existing file is exists', path: '/a.txt', code: 'exists' },
        { title: 'the root is exists', path: '/', code: 'exists' },
        { title: 'a missing parent is notFound', path: '/nope/sub', code: 'notFound' },
        { title: 'a file as parent is notDirectory', path: '/a.txt/sub', code: 'notDirectory' },
      ])('$title', async ({ path, code }) => {
        expect(await codeOf(store.mkdir(path))).toBe(code);
      });
    });

    describe('rmdir', () => {
      it('removes an empty directory', async () => {
        await store.rmdir('/empty');
        expect(await codeOf(store.stat('/empty'))).toBe('notFound');
      });

      it.each([
        { title: 'a directory with entries is notEmpty', path: '/docs', code: 'notEmpty' },
        { title: 'a file is notDirectory', path: '/a.txt', code: 'notDirectory' },
        { title: 'a missing directory is notFound', path: '/nope', code: 'notFound' },
        { title: 'the root is refused', path: '/', code: 'invalidName' },
      ])('$title', async ({ path, code }) => {
        expect(await codeOf(store.rmdir(path))).toBe(code);
      });

      it('a refused rmdir leaves the directory and its files', async () => {
        await codeOf(store.rmdir('/docs'));
        expect(await readText(store, '/docs/b.txt')).toBe('0123456789');
      });
    });

    describe('remove', () => {
      it('removes a file', async () => {
        await store.remove('/docs/b.txt');
        expect(await codeOf(store.stat('/docs/b.txt'))).toBe('notFound');
        expect(await store.list('/docs')).toEqual([]);
      });

      it.each([
        { title: 'a directory is isDirectory', path: '/empty', code: 'isDirectory' },
        { title: 'the root is isDirectory', path: '/', code: 'isDirectory' },
        { title: 'a missing file is notFound', path: '/nope.txt', code: 'notFound' },
        { title: 'a file in a missing directory is notFound', path: '/nope/x.txt', code: 'notFound' },
      ])('$title', async ({ path, code }) => {
        expect(await codeOf(store.remove(path))).toBe(code);
      });
    });

    describe('rename', () => {
      it.each([
        { title: 'a file to a new name', from: '/a.txt', to: '/renamed.txt', read: '/renamed.txt', text: 'alpha\n' },
        { title: 'a file into another directory', from: '/a.txt', to: '/docs/a.txt', read: '/docs/a.txt', text: 'alpha\n' },
        { title: 'a file over an existing file (replaces it)', from: '/a.txt', to: '/docs/b.txt', read: '/docs/b.txt', text: 'alpha\n' },
        { title: 'a directory, with its files', from: '/docs', to: '/empty/moved', read: '/empty/moved/b.txt', text: '0123456789' },
      ])('moves $title', async ({ from, to, read, text }) => {
        await store.rename(from, to);
        expect(await codeOf(store.stat(from))).toBe('notFound');
        expect(await readText(store, read)).toBe(text);
        expect((await store.stat(to)).path).toBe(to);
      });

      it('to the same path changes nothing', async () => {
        await store.rename('/a.txt', '/a.txt');
        expect(await readText(store, '/a.txt')).toBe('alpha\n');
      });

      it.each([
        { title: 'a missing source is notFound', from: '/nope.txt', to: '/x.txt', code: 'notFound' },
        { title: 'a missing target directory is notFound', from: '/a.txt', to: '/nope/a.txt', code: 'notFound' },
        { title: 'a file onto a directory is exists', from: '/a.txt', to: '/empty', code: 'exists' },
        { title: 'a directory onto a directory is exists', from: '/docs', to: '/empty', code: 'exists' },
        { title: 'a directory onto a file is exists', from: '/empty', to: '/a.txt', code: 'exists' },
        { title: 'a directory into itself is invalidName', from: '/docs', to: '/docs/inner', code: 'invalidName' },
        { title: 'the root is invalidName', from: '/', to: '/x', code: 'invalidName' },
        { title: 'onto the root is exists', from: '/a.txt', to: '/', code: 'exists' },
      ])('$title', async ({ from, to, code }) => {
        expect(await codeOf(store.rename(from, to))).toBe(code);
      });

      it('a refused rename leaves both sides as they were', async () => {
        await codeOf(store.rename('/a.txt', '/empty'));
        expect(await readText(store, '/a.txt')).toBe('alpha\n');
        expect(await store.list('/empty')).toEqual([]);
      });
    });

    describe('openRead', () => {
      it.each([
        { title: 'the whole file (no offset)', path: '/docs/b.txt', offset: undefined, text: '0123456789' },
        { title: 'from offset 0', path: '/docs/b.txt', offset: 0, text: '0123456789' },
        { title: 'from offset 4 (REST 4)', path: '/docs/b.txt', offset: 4, text: '456789' },
        { title: 'from the last byte', path: '/docs/b.txt', offset: 9, text: '9' },
        { title: 'at the end: no bytes', path: '/docs/b.txt', offset: 10, text: '' },
        { title: 'past the end: no bytes', path: '/docs/b.txt', offset: 1000, text: '' },
      ])('reads $title', async ({ path, offset, text }) => {
        expect(await readText(store, path, offset)).toBe(text);
      });

      it('an empty file reads as no bytes', async () => {
        await writeAll(store, '/zero', []);
        expect((await readAll(store, '/zero')).length).toBe(0);
      });

      it.each([
        { title: 'a directory is isDirectory', path: '/docs', offset: 0, code: 'isDirectory' },
        { title: 'the root is isDirectory', path: '/', offset: 0, code: 'isDirectory' },
        { title: 'a missing file is notFound', path: '/nope.txt', offset: 0, code: 'notFound' },
        { title: 'a negative offset is io', path: '/a.txt', offset: -1, code: 'io' },
        { title: 'a fractional offset is io', path: '/a.txt', offset: 1.5, code: 'io' },
      ])('$title', async ({ path, offset, code }) => {
        expect(await codeOf(store.openRead(path, offset))).toBe(code);
      });
    });

    describe('sync.readSmall (a small file at once)', () => {
      it.each([
        { title: 'the whole file', path: '/docs/b.txt', offset: 0, max: 10, text: '0123456789' },
        { title: 'from offset 4 (REST 4)', path: '/docs/b.txt', offset: 4, max: 6, text: '456789' },
        { title: 'at the end: no bytes', path: '/docs/b.txt', offset: 10, max: 0, text: '' },
        { title: 'past the end: no bytes', path: '/docs/b.txt', offset: 1000, max: 10, text: '' },
      ])('reads $title, the same bytes as openRead', async ({ path, offset, max, text }) => {
        expect(store.sync.readSmall(path, offset, max)?.toString()).toBe(text);
        expect(await readText(store, path, offset)).toBe(text);
      });

      it('a file written in several pieces reads the same from any offset: inside a piece, at a boundary, near the end', async () => {
        const pieces = [Buffer.from('abc'), Buffer.from('defgh'), Buffer.from('ij')];
        await writeAll(store, '/pieces.bin', pieces);
        for (const offset of [0, 1, 3, 4, 8, 9, 10]) {
          const expected = 'abcdefghij'.slice(offset);
          expect(store.sync.readSmall('/pieces.bin', offset, 100)?.toString(), `readSmall from ${offset}`).toBe(expected);
          expect(await readText(store, '/pieces.bin', offset), `openRead from ${offset}`).toBe(expected);
        }
      });

      it('gives nothing for a file with more than maxBytes left (openRead is for those)', () => {
        expect(store.sync.readSmall('/docs/b.txt', 0, 9)).toBeUndefined();
        expect(store.sync.readSmall('/docs/b.txt', 2, 7)).toBeUndefined();
      });

      it.each([
        { title: 'a directory is isDirectory', path: '/docs', code: 'isDirectory' },
        { title: 'a missing file is notFound', path: '/nope.txt', code: 'notFound' },
        { title: "a '..' segment is escapesRoot", path: '/docs/../a.txt', code: 'escapesRoot' },
        { title: 'a NUL byte is invalidName', path: '/a.txt\0.jpg', code: 'invalidName' },
      ])('$title', async ({ path, code }) => {
        expect(await codeOf(Promise.resolve().then(() => store.sync.readSmall(path, 0, 1000)))).toBe(code);
      });

      it('sync.stat and sync.list answer as stat and list do', async () => {
        expect(store.sync.stat('/docs/b.txt')).toEqual(await store.stat('/docs/b.txt'));
        expect(store.sync.list('/docs')).toEqual(await store.list('/docs'));
      });
    });

    describe('openWrite', () => {
      it.each([
        { title: 'replace creates a new file', path: '/new.txt', mode: { kind: 'replace' }, data: 'new', text: 'new' },
        { title: 'replace truncates a longer file', path: '/docs/b.txt', mode: { kind: 'replace' }, data: 'ab', text: 'ab' },
        { title: 'append adds at the end', path: '/docs/b.txt', mode: { kind: 'append' }, data: 'ab', text: '0123456789ab' },
        { title: 'append creates a missing file', path: '/new.txt', mode: { kind: 'append' }, data: 'ab', text: 'ab' },
        { title: 'resume keeps the first n bytes and cuts the rest', path: '/docs/b.txt', mode: { kind: 'resume', offset: 4 }, data: 'XY', text: '0123XY' },
        { title: 'resume may write past the old end', path: '/docs/b.txt', mode: { kind: 'resume', offset: 8 }, data: 'XYZW', text: '01234567XYZW' },
        { title: 'resume at the end appends', path: '/docs/b.txt', mode: { kind: 'resume', offset: 10 }, data: 'XY', text: '0123456789XY' },
        { title: 'resume at 0 replaces', path: '/docs/b.txt', mode: { kind: 'resume', offset: 0 }, data: 'XY', text: 'XY' },
        { title: 'resume at 0 creates a missing file', path: '/new.txt', mode: { kind: 'resume', offset: 0 }, data: 'XY', text: 'XY' },
      ] as { title: string; path: string; mode: WriteMode; data: string; text: string }[])('$title', async ({ path, mode, data, text }) => {
        await writeAll(store, path, data, mode);
        expect(await readText(store, path)).toBe(text);
        expect((await store.stat(path)).size).toBe(Buffer.byteLength(text));
      });

      it.each([
        { title: 'a missing parent is notFound', path: '/nope/x.txt', mode: { kind: 'replace' }, code: 'notFound' },
        { title: 'a file as parent is notDirectory', path: '/a.txt/x.txt', mode: { kind: 'replace' }, code: 'notDirectory' },
        { title: 'a directory is isDirectory (replace)', path: '/docs', mode: { kind: 'replace' }, code: 'isDirectory' },
        { title: 'a directory is isDirectory (append)', path: '/docs', mode: { kind: 'append' }, code: 'isDirectory' },
        { title: 'a directory is isDirectory (resume)', path: '/docs', mode: { kind: 'resume', offset: 0 }, code: 'isDirectory' },
        { title: 'the root is isDirectory', path: '/', mode: { kind: 'replace' }, code: 'isDirectory' },
        { title: 'resume past the end is io', path: '/docs/b.txt', mode: { kind: 'resume', offset: 11 }, code: 'io' },
        { title: 'resume with a negative offset is io', path: '/docs/b.txt', mode: { kind: 'resume', offset: -1 }, code: 'io' },
        { title: 'resume of a missing file at n > 0 is notFound', path: '/new.txt', mode: { kind: 'resume', offset: 3 }, code: 'notFound' },
      ] as { title: string; path: string; mode: WriteMode; code: StoreErrorCode }[])('$title', async ({ path, mode, code }) => {
        expect(await codeOf(store.openWrite(path, mode))).toBe(code);
      });

      it('a refused resume leaves the file unchanged', async () => {
        await codeOf(store.openWrite('/docs/b.txt', { kind: 'resume', offset: 11 }));
        expect(await readText(store, '/docs/b.txt')).toBe('0123456789');
      });

      it('bytes are in the file as they arrive, before the writable ends', async () => {
        const writable = await store.openWrite('/live.txt', { kind: 'replace' });
        await writeChunk(writable, Buffer.from('first '));
        expect((await store.stat('/live.txt')).size).toBe(6);
        await writeChunk(writable, Buffer.from('second'));
        expect(await readText(store, '/live.txt')).toBe('first second');
        await new Promise<void>((resolve) => writable.end(resolve));
      });

      it.each([
        { title: 'a replace destroyed mid-way keeps what arrived', path: '/part.bin', mode: { kind: 'replace' }, error: false, text: 'first part' },
        { title: 'a replace destroyed with an error keeps what arrived', path: '/part.bin', mode: { kind: 'replace' }, error: true, text: 'first part' },
        {
          title: 'an append destroyed mid-way keeps the old bytes and what arrived',
          path: '/a.txt',
          mode: { kind: 'append' },
          error: true,
          text: 'alpha\nfirst part',
        },
        {
          title: 'a resume destroyed mid-way keeps the prefix and what arrived',
          path: '/docs/b.txt',
          mode: { kind: 'resume', offset: 2 },
          error: true,
          text: '01first part',
        },
      ] as { title: string; path: string; mode: WriteMode; error: boolean; text: string }[])('$title', async ({ path, mode, error, text }) => {
        const writable = await store.openWrite(path, mode);
        writable.on('error', () => undefined);
        await writeChunk(writable, Buffer.from('first '));
        await writeChunk(writable, Buffer.from('part'));
        const closed = new Promise((resolve) => writable.once('close', resolve));
        writable.destroy(error ? new Error('connection reset') : undefined);
        await closed;
        expect(await readText(store, path)).toBe(text);
      });

      it('the store keeps its own copy: the writer may reuse its buffer after the write callback', async () => {
        const writable = await store.openWrite('/copy.txt', { kind: 'replace' });
        const buffer = Buffer.from('original');
        await writeChunk(writable, buffer);
        buffer.fill(0x2d);
        await new Promise<void>((resolve) => writable.end(resolve));
        expect(await readText(store, '/copy.txt')).toBe('original');
      });

      it('several MiB in uneven chunks round-trip byte-exactly, also read from an offset across a chunk boundary', async () => {
        const data = randomBytes(3 * 1024 * 1024 + 12_345);
        const cuts = [0, 1, 65_536, 1024 * 1024 - 3, 1024 * 1024 + 700_001, 2 * 1024 * 1024 + 17, 3 * 1024 * 1024, data.length];
        const chunks = cuts.slice(1).map((end, i) => data.subarray(cuts[i], end));
        await writeAll(store, '/big.bin', chunks);
        expect((await store.stat('/big.bin')).size).toBe(data.length);
        expect(sha256(await readAll(store, '/big.bin'))).toBe(sha256(data));
        const offset = 1024 * 1024 - 5;
        expect(sha256(await readAll(store, '/big.bin', offset))).toBe(sha256(data.subarray(offset)));
      });

      it('append and resume work across chunk boundaries', async () => {
        const first = randomBytes(1024 * 1024 + 100);
        const second = randomBytes(500_000);
        await writeAll(store, '/grow.bin', first);
        await writeAll(store, '/grow.bin', second, { kind: 'append' });
        expect(sha256(await readAll(store, '/grow.bin'))).toBe(sha256(Buffer.concat([first, second])));
        const cut = 1024 * 1024 - 10;
        await writeAll(store, '/grow.bin', second, { kind: 'resume', offset: cut });
        expect(sha256(await readAll(store, '/grow.bin'))).toBe(sha256(Buffer.concat([first.subarray(0, cut), second])));
      });
    });

    // The data connection sends and receives a store's files through these (main/store/transferEnds.ts), never
    // through a check of what the stream happens to offer: every store must have them.
    describe('whole buffers: openRead fills them (readInto), openWrite takes them (writeFrom)', () => {
      it.each([
        { title: 'a whole file, in buffers smaller than it', offset: 0, size: 1000 },
        { title: 'from an offset across a chunk boundary', offset: 1024 * 1024 - 5, size: 64 * 1024 },
        { title: 'in buffers larger than the file', offset: 0, size: 4 * 1024 * 1024 },
      ])('readInto gives the bytes openRead streams, $title; remaining counts down to 0, then 0 bytes', async ({ offset, size }) => {
        const data = randomBytes(2 * 1024 * 1024 + 7);
        await writeAll(store, '/fill.bin', [data.subarray(0, 1024 * 1024), data.subarray(1024 * 1024)]);
        const source = await store.openRead('/fill.bin', offset);
        expect(source.remaining).toBe(data.length - offset);
        const pieces: Buffer[] = [];
        const buffer = Buffer.alloc(size);
        for (let n = await source.readInto(buffer); n > 0; n = await source.readInto(buffer)) {
          pieces.push(Buffer.from(buffer.subarray(0, n)));
          expect(source.remaining).toBe(data.length - offset - Buffer.concat(pieces).length);
        }
        source.destroy();
        expect(source.remaining).toBe(0);
        expect(sha256(Buffer.concat(pieces))).toBe(sha256(data.subarray(offset)));
      });

      it.each([
        { title: 'replace', mode: { kind: 'replace' }, text: 'one|two|three' },
        { title: 'append', mode: { kind: 'append' }, text: '0123456789one|two|three' },
        { title: 'resume', mode: { kind: 'resume', offset: 4 }, text: '0123one|two|three' },
      ] as { title: string; mode: WriteMode; text: string }[])(
        'writeFrom ($title): writes handed over at once land in order, only `length` bytes of each',
        async ({ mode, text }) => {
          const sink = await store.openWrite('/docs/b.txt', mode);
          await Promise.all(['one|', 'two|', 'three'].map((t) => sink.writeFrom(Buffer.from(`${t}junk`), t.length)));
          await new Promise<void>((resolve) => sink.end(resolve));
          expect(await readText(store, '/docs/b.txt')).toBe(text);
        },
      );

      it('writeFrom: the buffer may be reused once its write has landed', async () => {
        const sink = await store.openWrite('/reuse.bin', { kind: 'replace' });
        const buffer = Buffer.alloc(300_000, 1);
        await sink.writeFrom(buffer, buffer.length);
        buffer.fill(2);
        await sink.writeFrom(buffer, 1000);
        await new Promise<void>((resolve) => sink.end(resolve));
        expect((await readAll(store, '/reuse.bin')).equals(Buffer.concat([Buffer.alloc(300_000, 1), Buffer.alloc(1000, 2)]))).toBe(true);
      });
    });

    describe('uniqueName', () => {
      it.each([
        { title: 'the base when it is free', dir: '/docs', taken: [], name: 'upload' },
        { title: 'base.1 when the base is taken', dir: '/docs', taken: ['upload'], name: 'upload.1' },
        { title: 'base.2 when base and base.1 are taken', dir: '/docs', taken: ['upload', 'upload.1'], name: 'upload.2' },
        { title: 'base.1 when a directory has the base name, at the root', dir: '/', taken: ['upload'], name: 'upload.1' },
      ])('$title', async ({ dir, taken, name }) => {
        for (const t of taken) await store.mkdir(dir === '/' ? `/${t}` : `${dir}/${t}`);
        expect(await store.uniqueName(dir, 'upload')).toBe(name);
      });

      it.each([
        { title: 'a missing directory is notFound', dir: '/nope', base: 'x', code: 'notFound' },
        { title: 'a file as directory is notDirectory', dir: '/a.txt', base: 'x', code: 'notDirectory' },
        { title: 'a base with a slash is invalidName', dir: '/docs', base: 'a/b', code: 'invalidName' },
        { title: 'an empty base is invalidName', dir: '/docs', base: '', code: 'invalidName' },
        { title: "a base of '..' is escapesRoot", dir: '/docs', base: '..', code: 'escapesRoot' },
      ])('$title', async ({ dir, base, code }) => {
        expect(await codeOf(store.uniqueName(dir, base))).toBe(code);
      });
    });

    describe('every method re-checks its path', () => {
      const badPaths = [
        { title: 'a relative path', path: 'a.txt', code: 'escapesRoot' },
        { title: "a '..' segment", path: '/docs/../a.txt', code: 'escapesRoot' },
        { title: "a leading '..'", path: '/../a.txt', code: 'escapesRoot' },
        { title: "a '.' segment", path: '/./a.txt', code: 'invalidName' },
        { title: 'a NUL byte', path: '/a.txt\0.jpg', code: 'invalidName' },
        { title: 'a backslash', path: '/docs\\b.txt', code: 'invalidName' },
        { title: 'an empty segment', path: '/docs//b.txt', code: 'invalidName' },
      ];
      const methods: { method: string; call: (s: FileStore, p: string) => Promise<unknown> }[] = [
        { method: 'stat', call: (s, p) => s.stat(p) },
        { method: 'list', call: (s, p) => s.list(p) },
        { method: 'mkdir', call: (s, p) => s.mkdir(p) },
        { method: 'rmdir', call: (s, p) => s.rmdir(p) },
        { method: 'remove', call: (s, p) => s.remove(p) },
        { method: 'rename (from)', call: (s, p) => s.rename(p, '/moved.txt') },
        { method: 'rename (to)', call: (s, p) => s.rename('/a.txt', p) },
        { method: 'openRead', call: (s, p) => s.openRead(p) },
        { method: 'openWrite', call: (s, p) => s.openWrite(p, { kind: 'replace' }) },
        { method: 'uniqueName', call: (s, p) => s.uniqueName(p, 'x') },
      ];
      const rows = methods.flatMap(({ method, call }) => badPaths.map((bad) => ({ ...bad, title: `${method}: ${bad.title} is ${bad.code}`, call })));

      it.each(rows)('$title', async ({ path, code, call }) => {
        expect(await codeOf(call(store, path))).toBe(code);
      });

      it('a refused rename moved nothing', async () => {
        await codeOf(store.rename('/a.txt', '/docs/../moved.txt'));
        expect(await readText(store, '/a.txt')).toBe('alpha\n');
        expect(await codeOf(store.stat('/moved.txt'))).toBe('notFound');
      });
    });
  });
}
