// Edges of a session a review found: commands sent ahead around RNFR, ABOR while the server dials, a failed
// transfer's data connection, a reset while the file is opened, BLOCK's EOF marker with the client's FIN,
// a second ABOR, and a client that sends thousands of commands ahead. Real loopback, raw sockets.

import net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPortArgument, parsePasvReply } from '../../../core/protocol/hostPort';
import { MAX_QUEUED_COMMANDS } from '../../../core/machines/serverSession.machine';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { createDirectoryStore } from '../../../main/store/directoryStore';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { openRawControl, type RawControl } from '../../helpers/rawControl';
import { trackHandles } from '../../support/leaks';

let server: FtpServer | undefined;
let ctl: RawControl | undefined;
let root: string | undefined;
const sockets: net.Socket[] = [];
const leaks = trackHandles();

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await ctl?.close();
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
  server = undefined;
  ctl = undefined;
  root = undefined;
  await leaks.assertNoLeaks();
});

async function session(store = createMemoryStore()): Promise<RawControl> {
  server = await startFtpServer({ store, anonymous: true, loginDelayMs: 20, dataTimeoutMs: 3000 });
  ctl = await openRawControl(server.address.port);
  expect((await ctl.reply()).code).toBe(220);
  expect((await ctl.command('USER anonymous')).code).toBe(331);
  expect((await ctl.command('PASS x')).code).toBe(230);
  return ctl;
}

/** The codes of the next `n` replies. */
async function codes(c: RawControl, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await c.reply(3000)).code);
  return out;
}

function track(socket: net.Socket): net.Socket {
  sockets.push(socket);
  socket.on('error', () => undefined);
  return socket;
}

async function passiveData(c: RawControl): Promise<net.Socket> {
  const port = parsePasvReply((await c.command('PASV')).text)!.port;
  const socket = track(net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }));
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

describe('commands sent ahead are answered in order, one reply each (959 §4.1.3, §4.2)', () => {
  it('RNFR followed by other commands: the rename is dropped and nothing overtakes anything, nothing is lost behind QUIT', async () => {
    const c = await session();
    c.send('PASV\r\nRNFR /pub/hello.txt\r\nPASV\r\nSYST\r\nNOOP\r\nQUIT');
    expect(await codes(c, 6)).toEqual([227, 350, 227, 215, 200, 221]);
  });

  it(`more than ${MAX_QUEUED_COMMANDS} commands sent ahead during a login delay: 421 and the server closes, the server stays up`, async () => {
    server = await startFtpServer({ store: createMemoryStore(), accounts: [{ user: 'u', password: 'p' }], loginDelayMs: 200 });
    const flooder = track(net.connect({ host: '127.0.0.1', port: server.address.port }));
    let text = '';
    flooder.setEncoding('latin1').on('data', (t: string) => (text += t));
    await new Promise((resolve) => flooder.once('connect', resolve));
    flooder.write('USER u\r\nPASS wrong\r\n' + 'NOOP\r\n'.repeat(MAX_QUEUED_COMMANDS + 50));
    await new Promise((resolve) => flooder.once('close', resolve));
    expect(text).toMatch(/^421 More than 1000 commands sent ahead/m);
    ctl = await openRawControl(server.address.port);
    expect((await ctl.reply()).code).toBe(220);
  });
});

describe('the data connection after ABOR and failures (959 §3.2: the server closes it)', () => {
  it('ABOR while the server is still dialling (PORT): the connection it then makes is closed at once', async () => {
    const c = await session();
    const listener = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', (s) => resolve(track(s))));
    expect((await c.command(`PORT ${formatPortArgument({ host: '127.0.0.1', port: (listener.address() as net.AddressInfo).port })}`)).code).toBe(200);
    c.send('RETR /pub/hello.txt\r\nABOR');
    expect(await codes(c, 3)).toEqual([150, 426, 226]);
    const socket = await accepted;
    listener.close();
    socket.on('data', () => undefined);
    // The server's connection, made after the ABOR, is let go: its FIN (or reset) comes.
    await new Promise((resolve) => (socket.readableEnded || socket.destroyed ? resolve(undefined) : socket.once('close', resolve)));
  });

  it('a transfer that fails (REST past the end of the file, then STOR) is answered with the reason (451) and the server closes the data connection', async () => {
    const c = await session();
    expect((await c.command('TYPE I')).code).toBe(200);
    const data = await passiveData(c);
    expect((await c.command('REST 100000')).code).toBe(350);
    const ended = new Promise((resolve) => data.once('end', resolve));
    data.on('data', () => undefined);
    c.send('STOR /pub/hello.txt');
    expect(await codes(c, 2)).toEqual([150, 451]);
    await ended;
  });

  it('a data connection reset while the file is being opened: 426, and the next command is answered (directory store)', async () => {
    root = await mkdtemp(join(tmpdir(), 'ftp-lab-edges-'));
    await writeFile(join(root, 'big.bin'), Buffer.alloc(1024 * 1024, 0x41));
    const c = await session(await createDirectoryStore(root));
    expect((await c.command('TYPE I')).code).toBe(200);
    for (let i = 0; i < 10; i++) {
      const data = await passiveData(c);
      c.send('RETR /big.bin');
      data.resetAndDestroy();
      const first = (await c.reply(3000)).code;
      if (first === 150) expect([226, 426]).toContain((await c.reply(3000)).code);
      else expect([425, 426]).toContain(first);
      expect((await c.command('NOOP')).code).toBe(200);
    }
  });

  it('a second ABOR while the first is under way waits, and is answered 225', async () => {
    const c = await session();
    expect((await c.command('TYPE I')).code).toBe(200);
    const data = await passiveData(c);
    expect((await c.command('STOR /up.bin')).code).toBe(150);
    data.write(Buffer.alloc(1000));
    await new Promise((r) => setTimeout(r, 50));
    c.send('ABOR\r\nABOR\r\nNOOP');
    expect(await codes(c, 4)).toEqual([426, 226, 225, 200]);
  });
});

describe('BLOCK mode: the EOF marker and the client FIN together', () => {
  it('the server answers the client FIN with its own once the file is in (959 §5.2), after 250', async () => {
    root = await mkdtemp(join(tmpdir(), 'ftp-lab-edges-'));
    const c = await session(await createDirectoryStore(root));
    expect((await c.command('TYPE I')).code).toBe(200);
    expect((await c.command('MODE B')).code).toBe(200);
    const data = await passiveData(c);
    data.on('data', () => undefined);
    const serverFin = new Promise((resolve) => data.once('end', resolve));
    expect((await c.command('STOR /b.bin')).code).toBe(150);
    // One block of 60000 bytes with the EOF flag (0x40), then the client closes its side.
    data.end(Buffer.concat([Buffer.from([0x40, 60000 >> 8, 60000 & 0xff]), Buffer.alloc(60000, 0x42)]));
    expect((await c.reply(5000)).code).toBe(250);
    await serverFin;
  });
});

describe('sessions that end are let go (issue 13: memory)', () => {
  it('after 50 sessions that each transferred and quit, the server holds none of them', async () => {
    server = await startFtpServer({ store: createMemoryStore(), anonymous: true, loginDelayMs: 0 });
    for (let i = 0; i < 50; i++) {
      const c = await openRawControl(server.address.port);
      expect((await c.reply()).code).toBe(220);
      expect((await c.command('USER anonymous')).code).toBe(331);
      expect((await c.command('PASS x')).code).toBe(230);
      const data = await passiveData(c);
      data.resume();
      // The client closes its side of the data connection once the listing has ended, as clients do.
      data.once('end', () => data.end());
      expect((await c.command('LIST')).code).toBe(150);
      expect((await c.reply()).code).toBe(226);
      expect((await c.command('QUIT')).code).toBe(221);
      await c.closed();
      await c.close();
    }
    // A session is over once its machine is done and its sockets closed, the data connection too; give the last one that moment.
    for (let i = 0; i < 50 && server.sessions.length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.sessions).toEqual([]);
  });
});

describe('a data connection that never arrives', () => {
  it('PASV, then RETR, and the client never connects: 150, then 425 after the data timeout, the listener let go, the session goes on', async () => {
    server = await startFtpServer({ store: createMemoryStore(), anonymous: true, loginDelayMs: 0, dataTimeoutMs: 300 });
    ctl = await openRawControl(server.address.port);
    expect((await ctl.reply()).code).toBe(220);
    expect((await ctl.command('USER anonymous')).code).toBe(331);
    expect((await ctl.command('PASS x')).code).toBe(230);
    const port = parsePasvReply((await ctl.command('PASV')).text)!.port;
    const t0 = performance.now();
    // 150: about to open the data connection (959 §4.2); then nothing comes, and 425.
    expect((await ctl.command('RETR /pub/hello.txt', 3000)).code).toBe(150);
    expect((await ctl.reply(3000)).code).toBe(425);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
    // The listener is gone: a connection to its port now is refused.
    const late = track(net.connect({ host: '127.0.0.1', port }));
    const outcome = await new Promise<string>((resolve) => {
      late.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      late.once('close', () => resolve('closed'));
    });
    expect(outcome).toBe('ECONNREFUSED');
    expect((await ctl.command('NOOP')).code).toBe(200);
  });
});
