// Tests the directory store: the shared contract on a real temp directory, and confinement against links and '..'.

import { execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDirectoryStore } from '../../../main/store/directoryStore';
import type { BufferDrainingSink, FileStore } from '../../../main/store/fileStore';
import { openFilesUnder } from '../../support/leaks';
import { codeOf, describeStoreContract, readText, writeAll } from './storeContract';

const tempDirs: string[] = [];

async function tempDir(label: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `ftp-lab-${label}-`));
  tempDirs.push(dir);
  return dir;
}

async function exists(hostPath: string): Promise<boolean> {
  return fs.lstat(hostPath).then(
    () => true,
    () => false,
  );
}

afterEach(async () => {
  const dirs = tempDirs.splice(0);
  // Every file a test opened through the store is closed again.
  for (const dir of dirs) expect(await openFilesUnder(await fs.realpath(dir).catch(() => dir))).toEqual([]);
  await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

describeStoreContract('directory store', async () => createDirectoryStore(await tempDir('contract')));

describe('directory store: creation', () => {
  it.each([
    { title: 'a missing directory', make: async () => path.join(await tempDir('missing'), 'nope'), message: /no such directory/ },
    {
      title: 'a file',
      make: async () => {
        const file = path.join(await tempDir('file'), 'f.txt');
        await fs.writeFile(file, 'x');
        return file;
      },
      message: /not a directory/,
    },
  ])('refuses $title with a clear error', async ({ make, message }) => {
    await expect(createDirectoryStore(await make())).rejects.toThrow(message);
  });

  it('serves the real path of a root given through a symbolic link', async () => {
    const real = await fs.realpath(await tempDir('real'));
    await fs.writeFile(path.join(real, 'x.txt'), 'via link');
    const link = path.join(await tempDir('links'), 'root-link');
    await fs.symlink(real, link);
    const store = await createDirectoryStore(link);
    expect(store.description).toBe(`directory ${real}`);
    expect(await readText(store, '/x.txt')).toBe('via link');
  });

  it('sees files created on disk, and the disk sees its writes', async () => {
    const root = await tempDir('shared');
    const store = await createDirectoryStore(root);
    await fs.writeFile(path.join(root, 'disk.txt'), 'from disk');
    expect(await readText(store, '/disk.txt')).toBe('from disk');
    await writeAll(store, '/store.txt', 'from store');
    expect(await fs.readFile(path.join(root, 'store.txt'), 'utf8')).toBe('from store');
  });
});

describe('directory store: confinement', () => {
  let root: string;
  let outside: string;
  let store: FileStore;

  // root/     a.txt, docs/b.txt, out-file -> outside/secret.txt, out-dir -> outside/, etc-link -> /etc,
  //           dangling -> outside/not-yet.txt, inside-link -> docs/b.txt, inside-dir -> docs/
  // outside/  secret.txt
  beforeEach(async () => {
    root = await tempDir('root');
    outside = await tempDir('outside');
    await fs.writeFile(path.join(outside, 'secret.txt'), 'secret');
    await fs.writeFile(path.join(root, 'a.txt'), 'alpha');
    await fs.mkdir(path.join(root, 'docs'));
    await fs.writeFile(path.join(root, 'docs', 'b.txt'), 'bravo');
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'out-file'));
    await fs.symlink(outside, path.join(root, 'out-dir'));
    await fs.symlink('/etc', path.join(root, 'etc-link'));
    await fs.symlink(path.join(outside, 'not-yet.txt'), path.join(root, 'dangling'));
    await fs.symlink('docs/b.txt', path.join(root, 'inside-link'));
    await fs.symlink('docs', path.join(root, 'inside-dir'));
    store = await createDirectoryStore(root);
  });

  it.each([
    { title: 'reading a link to a file outside', run: (s: FileStore) => s.openRead('/out-file') },
    { title: 'stat of a link to a file outside', run: (s: FileStore) => s.stat('/out-file') },
    { title: 'reading through a link to a directory outside', run: (s: FileStore) => s.openRead('/out-dir/secret.txt') },
    { title: 'listing a link to a directory outside', run: (s: FileStore) => s.list('/out-dir') },
    { title: 'reading through a link to /etc', run: (s: FileStore) => s.openRead('/etc-link/passwd') },
    { title: 'listing a link to /etc', run: (s: FileStore) => s.list('/etc-link') },
    { title: 'writing over a link to a file outside', run: (s: FileStore) => s.openWrite('/out-file', { kind: 'replace' }) },
    { title: 'appending to a link to a file outside', run: (s: FileStore) => s.openWrite('/out-file', { kind: 'append' }) },
    { title: 'writing a new file through a linked directory', run: (s: FileStore) => s.openWrite('/out-dir/new.txt', { kind: 'replace' }) },
    { title: 'writing through a dangling link to outside', run: (s: FileStore) => s.openWrite('/dangling', { kind: 'replace' }) },
    { title: 'mkdir through a linked directory', run: (s: FileStore) => s.mkdir('/out-dir/sub') },
    { title: 'removing a file through a linked directory', run: (s: FileStore) => s.remove('/out-dir/secret.txt') },
    { title: 'renaming a file out through a linked directory', run: (s: FileStore) => s.rename('/a.txt', '/out-dir/a.txt') },
    { title: 'renaming a file in from a linked directory', run: (s: FileStore) => s.rename('/out-dir/secret.txt', '/stolen.txt') },
    { title: 'uniqueName in a linked directory', run: (s: FileStore) => s.uniqueName('/out-dir', 'x') },
  ])('$title is escapesRoot', async ({ run }) => {
    expect(await codeOf(run(store))).toBe('escapesRoot');
  });

  it('nothing outside was created, changed or removed by the refused operations', async () => {
    await codeOf(store.openWrite('/out-file', { kind: 'replace' }));
    await codeOf(store.openWrite('/out-dir/new.txt', { kind: 'replace' }));
    await codeOf(store.openWrite('/dangling', { kind: 'replace' }));
    await codeOf(store.remove('/out-dir/secret.txt'));
    await codeOf(store.rename('/a.txt', '/out-dir/a.txt'));
    expect((await fs.readdir(outside)).sort()).toEqual(['secret.txt']);
    expect(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('secret');
    expect(await fs.readFile(path.join(root, 'a.txt'), 'utf8')).toBe('alpha');
  });

  it.each([
    { title: "a leading '..'", make: () => '/../secret.txt' },
    { title: "'..' out of a subdirectory", make: () => '/docs/../../secret.txt' },
    // '/../ftp-lab-outside-XXXX/secret.txt': the path that would really reach the secret.
    { title: "'..' to the real outside file", make: () => `/${path.relative(root, path.join(outside, 'secret.txt')).split(path.sep).join('/')}` },
  ])('$title is escapesRoot, for reads and writes', async ({ make }) => {
    const virtual = make();
    expect(virtual).toContain('..');
    expect(await codeOf(store.openRead(virtual))).toBe('escapesRoot');
    expect(await codeOf(store.openWrite(virtual, { kind: 'replace' }))).toBe('escapesRoot');
    expect(await codeOf(store.mkdir(virtual))).toBe('escapesRoot');
  });

  it('the root listing leaves out links that lead outside, and shows links that stay inside', async () => {
    const entries = await store.list('/');
    expect(entries.map((e) => e.name)).toEqual(['a.txt', 'docs', 'inside-dir', 'inside-link']);
    expect(entries.find((e) => e.name === 'inside-dir')?.kind).toBe('dir');
    expect(entries.find((e) => e.name === 'inside-link')).toMatchObject({ kind: 'file', size: 5 });
  });

  it('links that stay inside the root work', async () => {
    expect(await readText(store, '/inside-link')).toBe('bravo');
    expect(await readText(store, '/inside-dir/b.txt')).toBe('bravo');
    await writeAll(store, '/inside-dir/c.txt', 'charlie');
    expect(await fs.readFile(path.join(root, 'docs', 'c.txt'), 'utf8')).toBe('charlie');
  });

  it('removing a link inside the root removes the link, not its target', async () => {
    await store.remove('/inside-link');
    expect(await exists(path.join(root, 'inside-link'))).toBe(false);
    expect(await fs.readFile(path.join(root, 'docs', 'b.txt'), 'utf8')).toBe('bravo');
  });

  it.runIf(process.platform !== 'win32')('a name the store could not address (a backslash in it) is left out of listings', async () => {
    await fs.writeFile(path.join(root, 'docs', 'odd\\name.txt'), 'x');
    expect((await store.list('/docs')).map((e) => e.name)).toEqual(['b.txt']);
  });

  it.runIf(process.platform !== 'win32')('a FIFO is neither listed nor opened (it would hang a transfer)', async () => {
    execFileSync('mkfifo', [path.join(root, 'docs', 'pipe')]);
    expect((await store.list('/docs')).map((e) => e.name)).toEqual(['b.txt']);
    expect(await codeOf(store.stat('/docs/pipe'))).toBe('io');
  });

  it.runIf(process.platform !== 'win32')(
    'reading a FIFO is refused at once, not after waiting for a writer (the small-file read would hold the event loop)',
    async () => {
      const fifo = path.join(root, 'docs', 'pipe');
      execFileSync('mkfifo', [fifo]);
      // A writer that turns up after 2 s: an open that waits for one takes 2 s, one that does not wait takes none.
      const writer = spawn('sh', ['-c', `sleep 2 && echo x > '${fifo}'`], { stdio: 'ignore' });
      try {
        const t0 = performance.now();
        expect(await codeOf(Promise.resolve().then(() => store.sync.readSmall('/docs/pipe', 0, 1000)))).toBe('io');
        expect(await codeOf(store.openRead('/docs/pipe'))).toBe('io');
        expect(performance.now() - t0).toBeLessThan(1000);
      } finally {
        writer.kill();
      }
    },
  );

  it('error messages name the virtual path, never the host path', async () => {
    const error = await store.openRead('/docs/nope.txt').catch((e: Error) => e);
    expect((error as Error).message).toContain('/docs/nope.txt');
    expect((error as Error).message).not.toContain(root);
  });
});

describe('directory store: whole-buffer writes (BufferDrainingSink)', () => {
  it('writes handed over at once, without waiting, land in order; resume writes from its offset', async () => {
    const root = await tempDir('drain');
    const store = await createDirectoryStore(root);
    const sink = (await store.openWrite('/d.bin', { kind: 'replace' })) as Writable & BufferDrainingSink;
    const parts = [Buffer.alloc(300_000, 1), Buffer.alloc(5, 2), Buffer.alloc(1_000_000, 3)];
    // Only the first `length` bytes of a buffer count.
    await Promise.all(parts.map((p) => sink.writeFrom(Buffer.concat([p, Buffer.from('junk')]), p.length)));
    await new Promise((resolve) => sink.end(resolve));
    expect((await fs.readFile(path.join(root, 'd.bin'))).equals(Buffer.concat(parts))).toBe(true);

    const resumed = (await store.openWrite('/d.bin', { kind: 'resume', offset: 10 })) as Writable & BufferDrainingSink;
    await resumed.writeFrom(Buffer.from('abc'), 3);
    await new Promise((resolve) => resumed.end(resolve));
    expect((await fs.readFile(path.join(root, 'd.bin'))).equals(Buffer.concat([Buffer.alloc(10, 1), Buffer.from('abc')]))).toBe(true);
  });

  it('a resume opened while the previous writer of the file is still writing waits for it (REST + STOR right after an ABOR): no 451 "beyond end of file"', async () => {
    const root = await tempDir('resume-race');
    const store = await createDirectoryStore(root);
    const first = (await store.openWrite('/r.bin', { kind: 'replace' })) as Writable & BufferDrainingSink;
    const parts = Array.from({ length: 16 }, (_, i) => Buffer.alloc(512 * 1024, i + 1));
    // Handed over and ended without waiting: the aborted upload's last writes are still on their way.
    const writes = parts.map((p) => first.writeFrom(p, p.length));
    first.end();
    const total = parts.length * 512 * 1024;
    const resumed = (await store.openWrite('/r.bin', { kind: 'resume', offset: total })) as Writable & BufferDrainingSink;
    await Promise.all(writes);
    await resumed.writeFrom(Buffer.from('tail'), 4);
    await new Promise((resolve) => resumed.end(resolve));
    expect((await fs.readFile(path.join(root, 'r.bin'))).equals(Buffer.concat([...parts, Buffer.from('tail')]))).toBe(true);
  });

  it('an append sink takes whole buffers too, each landing after the last, in order (O_APPEND ignores positions)', async () => {
    const root = await tempDir('append');
    await fs.writeFile(path.join(root, 'a.txt'), 'old|');
    const store = await createDirectoryStore(root);
    const sink = (await store.openWrite('/a.txt', { kind: 'append' })) as Writable & BufferDrainingSink;
    await Promise.all(['one|', 'two|', 'three'].map((t) => sink.writeFrom(Buffer.from(t + 'junk'), t.length)));
    await new Promise((resolve) => sink.end(resolve));
    expect(await fs.readFile(path.join(root, 'a.txt'), 'utf8')).toBe('old|one|two|three');
  });

  it('destroyed (a broken upload), the stream still lets the writes handed over before land first: the file keeps what the server counted', async () => {
    const root = await tempDir('destroy');
    const store = await createDirectoryStore(root);
    const sink = (await store.openWrite('/d.bin', { kind: 'replace' })) as Writable & BufferDrainingSink;
    const parts = Array.from({ length: 8 }, (_, i) => Buffer.alloc(256 * 1024, i + 1));
    const writes = parts.map((p) => sink.writeFrom(p, p.length));
    const closed = new Promise((resolve) => sink.once('close', resolve));
    sink.destroy();
    await closed;
    await Promise.allSettled(writes);
    expect((await fs.readFile(path.join(root, 'd.bin'))).equals(Buffer.concat(parts))).toBe(true);
  });

  it('the stream ends only after the writes handed over before its end (an aborted upload keeps what it took)', async () => {
    const root = await tempDir('end');
    const store = await createDirectoryStore(root);
    const sink = (await store.openWrite('/e.bin', { kind: 'replace' })) as Writable & BufferDrainingSink;
    const parts = Array.from({ length: 8 }, (_, i) => Buffer.alloc(256 * 1024, i));
    for (const p of parts) void sink.writeFrom(p, p.length);
    await new Promise((resolve) => sink.end(resolve));
    expect((await fs.readFile(path.join(root, 'e.bin'))).equals(Buffer.concat(parts))).toBe(true);
  });
});
