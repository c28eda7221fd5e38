// Limits a teacher sets on `ftp-lab serve` (issue 13): --max-sessions and --max-per-ip. A connection over a limit
// is greeted with 421 instead of 220 (RFC 959 §5.4) and closed by the server; the trace shows it; a place that
// frees up is taken again. Clients connect from 127.0.0.1 to 127.0.0.4 (all loopback).

import net from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { parseTrace } from '../../core/trace/traceFile';
import { startFtpLabServe, type FtpLabServe } from '../support/ftpLabProcess';

let serve: FtpLabServe | undefined;
let dir: string | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await serve?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Connects from `from` and reads the greeting; `closed` settles when the server closes the connection. */
async function connectFrom(port: number, from: string): Promise<{ greeting: string; socket: net.Socket; closed: Promise<void> }> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress: from });
  sockets.push(socket);
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('end', () => resolve()));
  const greeting = await new Promise<string>((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\r\n')) resolve(text.split('\r\n')[0]!);
    });
    socket.once('error', reject);
  });
  return { greeting, socket, closed };
}

it('--max-sessions 3 --max-per-ip 1: 421 past either limit, the server closes; a freed place is taken again; the trace says so', async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftp-lab-limits-'));
  const tracePath = join(dir, 'trace.json');
  serve = await startFtpLabServe(['--anonymous', '--max-sessions', '3', '--max-per-ip', '1', '--trace', tracePath]);
  expect(serve.stdout()).toMatch(/^FTP Lab server on .* \(anonymous login; at most 3 sessions, 1 per address\)\. Ctrl-C stops it\.$/m);
  const a = await connectFrom(serve.port, '127.0.0.1');
  expect(a.greeting).toMatch(/^220 /);
  const b = await connectFrom(serve.port, '127.0.0.1');
  expect(b.greeting).toBe('421 Too many sessions from 127.0.0.1: this server takes 1 at a time from one address; try again later.');
  await b.closed;
  expect((await connectFrom(serve.port, '127.0.0.2')).greeting).toMatch(/^220 /);
  expect((await connectFrom(serve.port, '127.0.0.3')).greeting).toMatch(/^220 /);
  const e = await connectFrom(serve.port, '127.0.0.4');
  expect(e.greeting).toBe('421 Too many sessions: this server takes 3 at a time; try again later.');
  await e.closed;
  // A leaves: once the server has answered its QUIT, its place is free again, for its own address too.
  a.socket.write('QUIT\r\n');
  await a.closed;
  const gone = new Promise((resolve) => a.socket.once('close', resolve));
  a.socket.end();
  await gone;
  expect((await connectFrom(serve.port, '127.0.0.1')).greeting).toMatch(/^220 /);

  // The live transcript says why the server closed those two.
  expect((await serve.transcript()).match(/closed by server \(FIN\): the server takes no more sessions now/g)).toHaveLength(2);
  expect(await serve.stop()).toBe(0);
  const trace = parseTrace(await readFile(tracePath, 'utf8'));
  expect(trace.meta.limits).toEqual({ maxSessions: 3, maxPerIp: 1 });
  const events = trace.events;
  // (The sessions still open at the end get the shutdown's 421 too: only the greetings count here.)
  const refused = events.filter((e) => e.type === 'ftp.reply' && e.code === 421 && e.lines[0]!.startsWith('Too many sessions')).map((e) => e.session);
  expect(refused).toHaveLength(2);
  for (const session of refused) {
    expect(events.some((e) => e.session === session && e.type === 'tcp.fin' && e.channel === 'control' && e.side === 'server' && e.reason === 'limit')).toBe(
      true,
    );
  }
  serve = undefined;
}, 30_000);

it('a limit that is not a number is a usage error with a plain sentence', async () => {
  await expect(startFtpLabServe(['--max-sessions', 'lots'], { readyTimeoutMs: 5000 })).rejects.toThrow(/--max-sessions: "lots" is not a number of sessions/);
});

it('--max-sessions 1: a client that connects as soon as the previous session was closed by the server is served (50 in a row)', async () => {
  serve = await startFtpLabServe(['--anonymous', '--max-sessions', '1']);
  const greetings: string[] = [];
  for (let i = 0; i < 50; i++) {
    const c = await connectFrom(serve.port, '127.0.0.1');
    greetings.push(c.greeting.slice(0, 3));
    // QUIT: the server answers 221 and closes; the client closes its side only then, and the next one connects at once.
    c.socket.write('QUIT\r\n');
    await c.closed;
    c.socket.end();
  }
  expect(greetings.filter((g) => g !== '220')).toEqual([]);
}, 30_000);
