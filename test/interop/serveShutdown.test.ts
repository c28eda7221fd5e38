// `ftp-lab serve` stopped by SIGTERM while its sessions work (issue 13, item 4): it answers 426 to each transfer
// under way and 421 to every session, cuts off within its grace whoever does not close, writes every session's
// end into the trace, and exits within 2 s whatever the clients do: here one downloads without reading, one
// uploads without end, one sits idle.

import net from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { parseEpsvReply } from '../../core/protocol/hostPort';
import { parseTrace } from '../../core/trace/traceFile';
import { openRawControl, type RawControl } from '../helpers/rawControl';
import { startFtpLabServe, type FtpLabServe } from '../support/ftpLabProcess';

let serve: FtpLabServe | undefined;
let dir: string | undefined;
const sockets: net.Socket[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const s of sockets.splice(0)) s.destroy();
  await serve?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function loggedIn(port: number): Promise<RawControl> {
  const ctl = await openRawControl(port);
  sockets.push(ctl.socket);
  expect((await ctl.reply()).code).toBe(220);
  expect((await ctl.command('USER anonymous')).code).toBe(331);
  expect((await ctl.command('PASS x')).code).toBe(230);
  return ctl;
}

async function passiveData(ctl: RawControl): Promise<net.Socket> {
  const port = parseEpsvReply((await ctl.command('EPSV')).text)!;
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  sockets.push(socket);
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

/** Every reply until the server closes the control connection. */
async function repliesUntilClosed(ctl: RawControl): Promise<number[]> {
  const codes: number[] = [];
  const closed = ctl.closed().then(() => 'closed' as const);
  for (;;) {
    const next = await Promise.race([ctl.reply(4000).catch(() => 'closed' as const), closed]);
    if (next === 'closed') return codes;
    codes.push(next.code);
  }
}

it('SIGTERM during transfers: 426 then 421 for each transfer, 421 for the idle session, the whole trace, exit within 2 s', async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftp-lab-shutdown-'));
  const tracePath = join(dir, 'trace.json');
  serve = await startFtpLabServe(['--anonymous', '--login-delay', '0', '--trace', tracePath]);
  await writeFile(join(serve.root, 'big.bin'), Buffer.alloc(64 * 1024 * 1024));

  // A download whose client never reads: the server's writes back up.
  const reader = await loggedIn(serve.port);
  const readerData = await passiveData(reader);
  readerData.pause();
  expect((await reader.command('RETR big.bin')).code).toBe(150);

  // An upload whose client never stops sending.
  const writer = await loggedIn(serve.port);
  const writerData = await passiveData(writer);
  expect((await writer.command('STOR endless.bin')).code).toBe(150);
  const chunk = Buffer.alloc(64 * 1024, 1);
  timers.push(setInterval(() => !writerData.destroyed && writerData.write(chunk), 1));

  const idle = await loggedIn(serve.port);

  // A session that is over (QUIT answered, control closed) whose client never closes its side of a MODE B data
  // connection the server closed: the server still has a socket to let go, and must not wait for it.
  await writeFile(join(serve.root, 'small.txt'), 'hello\n');
  const quitter = await loggedIn(serve.port);
  expect((await quitter.command('MODE B')).code).toBe(200);
  const quitterData = await passiveData(quitter);
  quitterData.on('data', () => undefined);
  expect((await quitter.command('RETR small.txt')).code).toBe(150);
  expect((await quitter.reply()).code).toBe(250);
  expect((await quitter.command('QUIT')).code).toBe(221);
  await quitter.closed();
  await new Promise((resolve) => setTimeout(resolve, 200));

  const replies = Promise.all([reader, writer, idle].map(repliesUntilClosed));
  const t0 = performance.now();
  const code = await serve.stop();
  const elapsed = performance.now() - t0;
  const [readerCodes, writerCodes, idleCodes] = await replies;

  expect(code).toBe(0);
  expect(elapsed).toBeLessThan(2000);
  expect(readerCodes).toEqual([426, 421]);
  expect(writerCodes).toEqual([426, 421]);
  expect(idleCodes).toEqual([421]);
  expect(serve.stdout()).toMatch(/Trace written to .*trace\.json \(\d+ events\)\./);
  expect(serve.stdout()).toMatch(/control connection C\d closed by server \(FIN\): the server is shutting down/);
  // Nothing is printed after the trace is closed: every event of the shutdown is in it.
  expect(serve.stdout().trimEnd().split('\n').at(-1)).toMatch(/^Trace written to/);

  const trace = parseTrace(await readFile(tracePath, 'utf8'));
  const events = trace.events;
  for (const session of [1, 2, 3]) {
    const own = events.filter((e) => e.session === session);
    expect(
      own.some((e) => e.type === 'ftp.reply' && e.code === 421),
      `session ${session} 421`,
    ).toBe(true);
    // The control connection ends with the server's FIN (or, for a client that would not close, its RST): recorded.
    expect(
      own.some((e) => (e.type === 'tcp.fin' || e.type === 'tcp.rst') && e.channel === 'control' && e.side === 'server' && e.reason === 'shutdown'),
      `session ${session} close`,
    ).toBe(true);
  }
  // Both transfers are in the trace, cut short.
  const transfers = events.filter((e) => e.type === 'data.transfer');
  expect(transfers.map((e) => e.type === 'data.transfer' && [e.session, e.complete])).toEqual(
    expect.arrayContaining([
      [1, false],
      [2, false],
    ]),
  );
}, 30_000);
