// Uploads into a directory store take the large-read path (each socket read written in its own buffer at
// its own offset): byte for byte in passive and active mode, early bytes first, ABOR keeps a prefix.
// And ABOR of a download the client has stopped reading answers at once. Raw control and data sockets
// against the real server; the store is the real directory store, wrapped only to count the buffers it is handed.

import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatPortArgument, parsePasvReply } from '../../../core/protocol/hostPort';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { createDirectoryStore } from '../../../main/store/directoryStore';
import type { FileStore } from '../../../main/store/fileStore';
import { countingDrains, type DrainCounts } from '../../helpers/drainCounter';
import { openRawControl, type RawControl } from '../../helpers/rawControl';
import { openFilesUnder, trackHandles } from '../../support/leaks';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let root: string;
let server: FtpServer;
let ctl: RawControl;
let leaks: ReturnType<typeof trackHandles>;
/** What the server handed the store's writeFrom: how many buffers, and the largest. */
let drained: DrainCounts;
let openWriteGate: Promise<void> | undefined;
let openReadGate: Promise<void> | undefined;

beforeEach(async () => {
  leaks = trackHandles();
  root = await mkdtemp(join(tmpdir(), 'ftp-lab-uploads-'));
  const store = await createDirectoryStore(root);
  const counted = countingDrains(store);
  drained = counted.counts;
  // A slow disk where a test asks for one: opening a file for writing waits for the gate.
  openWriteGate = undefined;
  openReadGate = undefined;
  const gated: FileStore = {
    ...counted.store,
    async openWrite(path, mode) {
      await openWriteGate;
      return counted.store.openWrite(path, mode);
    },
    async openRead(path, offset) {
      await openReadGate;
      return counted.store.openRead(path, offset);
    },
  };
  server = await startFtpServer({ store: gated, anonymous: true, loginDelayMs: 10 });
  ctl = await openRawControl(server.address.port);
  expect((await ctl.reply()).code).toBe(220);
  expect((await ctl.command('USER anonymous')).code).toBe(331);
  expect((await ctl.command('PASS x')).code).toBe(230);
  expect((await ctl.command('TYPE I')).code).toBe(200);
});

afterEach(async () => {
  await ctl.close();
  await server.close();
  // Every file the store opened is closed again, however the transfer ended.
  expect(await openFilesUnder(root)).toEqual([]);
  await rm(root, { recursive: true, force: true });
  await leaks.assertNoLeaks();
});

async function passiveData(): Promise<net.Socket> {
  const { port } = parsePasvReply((await ctl.command('PASV')).text)!;
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.on('end', () => socket.end());
  return socket;
}

/** Sends bytes in 1 MiB writes, then FIN. */
function sendAll(socket: net.Socket, bytes: Buffer): void {
  for (let i = 0; i < bytes.length; i += 1 << 20) socket.write(bytes.subarray(i, i + (1 << 20)));
  socket.end();
}

describe('uploads into a directory store', () => {
  it('passive STOR of 24 MiB: stored byte for byte, through a few large buffers', async () => {
    const bytes = randomBytes(24 * 1024 * 1024);
    const data = await passiveData();
    expect((await ctl.command('STOR big.bin')).code).toBe(150);
    sendAll(data, bytes);
    expect((await ctl.reply(20_000)).code).toBe(226);
    expect(sha256(await readFile(join(root, 'big.bin')))).toBe(sha256(bytes));
    expect(drained.calls).toBeGreaterThan(0);
    // Reads of more than Node's usual 64 KiB: the socket reads into 1 MiB buffers.
    expect(drained.largest).toBeGreaterThan(64 * 1024);
  });

  it('active STOR (PORT, the server connects): the same', async () => {
    const bytes = randomBytes(8 * 1024 * 1024 + 3);
    const listener = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const connected = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
    expect((await ctl.command(`PORT ${formatPortArgument({ host: '127.0.0.1', port: (listener.address() as net.AddressInfo).port })}`)).code).toBe(200);
    expect((await ctl.command('STOR active.bin')).code).toBe(150);
    const data = await connected;
    listener.close();
    data.on('end', () => data.end());
    sendAll(data, bytes);
    expect((await ctl.reply(20_000)).code).toBe(226);
    expect(sha256(await readFile(join(root, 'active.bin')))).toBe(sha256(bytes));
    expect(drained.calls).toBeGreaterThan(0);
  });

  it('bytes sent before STOR is even read come first in the file', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const data = await passiveData();
    data.write(bytes.subarray(0, 100_000));
    await new Promise((r) => setTimeout(r, 50));
    expect((await ctl.command('STOR early.bin')).code).toBe(150);
    data.end(bytes.subarray(100_000));
    expect((await ctl.reply(20_000)).code).toBe(226);
    expect(sha256(await readFile(join(root, 'early.bin')))).toBe(sha256(bytes));
  });

  it('REST + STOR resumes at the offset on the same path', async () => {
    const first = randomBytes(5 * 1024 * 1024);
    let data = await passiveData();
    expect((await ctl.command('STOR resume.bin')).code).toBe(150);
    sendAll(data, first);
    expect((await ctl.reply(20_000)).code).toBe(226);
    const tail = randomBytes(3 * 1024 * 1024);
    data = await passiveData();
    expect((await ctl.command('REST 1000000')).code).toBe(350);
    expect((await ctl.command('STOR resume.bin')).code).toBe(150);
    sendAll(data, tail);
    expect((await ctl.reply(20_000)).code).toBe(226);
    expect(sha256(await readFile(join(root, 'resume.bin')))).toBe(sha256(Buffer.concat([first.subarray(0, 1_000_000), tail])));
  });

  it('ABOR during an upload: 426 then 226, the file keeps a prefix of what was sent, the session goes on', async () => {
    const bytes = randomBytes(64 * 1024 * 1024);
    const data = await passiveData();
    data.on('error', () => undefined);
    expect((await ctl.command('STOR cut.bin')).code).toBe(150);
    // Send a part, then ABOR while the connection is still open.
    data.write(bytes.subarray(0, 4 * 1024 * 1024));
    await new Promise((r) => setTimeout(r, 100));
    const abortReply = await ctl.command('ABOR', 10_000);
    expect([426, 226]).toContain(abortReply.code);
    if (abortReply.code === 426) expect((await ctl.reply(10_000)).code).toBe(226);
    await new Promise((r) => data.once('close', r));
    const kept = await readFile(join(root, 'cut.bin'));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.equals(bytes.subarray(0, kept.length))).toBe(true);
    expect((await ctl.command('NOOP')).code).toBe(200);
    expect((await stat(join(root, 'cut.bin'))).size).toBe(kept.length);
  });

  it('ABOR while the client has stopped reading a download: 426 and 226 come at once, not after a timeout', async () => {
    await writeFile(join(root, 'big.bin'), randomBytes(32 * 1024 * 1024));
    const data = await passiveData();
    data.pause();
    expect((await ctl.command('RETR big.bin')).code).toBe(150);
    // The client reads nothing more (as Python's ftplib does until it has the 426): kernel buffers fill,
    // and the server's last write waits in the process.
    await new Promise((r) => setTimeout(r, 300));
    const started = performance.now();
    const first = await ctl.command('ABOR', 4000);
    expect(first.code).toBe(426);
    expect((await ctl.reply(4000)).code).toBe(226);
    // Well inside the 5 s after which an aborted connection that never closes is reset.
    expect(performance.now() - started).toBeLessThan(2000);
    // What was already on its way still arrives, then the server's FIN (not a reset).
    let received = 0;
    const ended = new Promise<void>((resolve, reject) => {
      data.on('data', (c: Buffer) => (received += c.length));
      data.once('end', () => resolve());
      data.once('error', reject);
    });
    data.resume();
    await ended;
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(32 * 1024 * 1024);
    expect((await ctl.command('NOOP')).code).toBe(200);
  });

  it('a client that resets the data connection part-way through a download: 426, and the file is closed', async () => {
    await writeFile(join(root, 'big.bin'), randomBytes(32 * 1024 * 1024));
    const data = await passiveData();
    data.on('error', () => undefined);
    let received = 0;
    const some = new Promise<void>((resolve) =>
      data.on('data', (c: Buffer) => {
        received += c.length;
        if (received > 1024 * 1024) resolve();
      }),
    );
    expect((await ctl.command('RETR big.bin')).code).toBe(150);
    await some;
    data.resetAndDestroy();
    expect([426, 451]).toContain((await ctl.reply(5000)).code);
    expect((await ctl.command('NOOP')).code).toBe(200);
  });

  it('ABOR while the file is still being opened (MODE B): the file is closed again, nothing is received into it', async () => {
    expect((await ctl.command('MODE B')).code).toBe(200);
    let open!: () => void;
    openWriteGate = new Promise<void>((resolve) => (open = resolve));
    const data = await passiveData();
    data.on('error', () => undefined);
    expect((await ctl.command('STOR slow.bin')).code).toBe(150);
    const aborted = await ctl.command('ABOR', 5000);
    expect([426, 226]).toContain(aborted.code);
    if (aborted.code === 426) expect((await ctl.reply(5000)).code).toBe(226);
    await new Promise((r) => data.once('close', r));
    // Only now does the disk answer: the file opened for the aborted transfer must be closed again.
    open();
    await new Promise((r) => setTimeout(r, 100));
    expect((await ctl.command('NOOP')).code).toBe(200);
    // afterEach: no file left open below the root.
  });

  it('ABOR while the file to send is still being opened: the file is closed again, nothing is sent', async () => {
    // Larger than what is read at once (storeFileActions SMALL_FILE_BYTES): it goes through openRead.
    await writeFile(join(root, 'later.bin'), randomBytes(600_000));
    let open!: () => void;
    openReadGate = new Promise<void>((resolve) => (open = resolve));
    const data = await passiveData();
    data.on('error', () => undefined);
    let received = 0;
    data.on('data', (c: Buffer) => (received += c.length));
    expect((await ctl.command('RETR later.bin')).code).toBe(150);
    const aborted = await ctl.command('ABOR', 5000);
    expect([426, 226]).toContain(aborted.code);
    if (aborted.code === 426) expect((await ctl.reply(5000)).code).toBe(226);
    await new Promise((r) => data.once('close', r));
    open();
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toBe(0);
    expect((await ctl.command('NOOP')).code).toBe(200);
    // afterEach: no file left open below the root.
  });
});
