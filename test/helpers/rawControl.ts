// A bare control connection for tests: send exact bytes, read parsed replies. No FTP logic of its own.

import net from 'node:net';
import { parseEpsvReply } from '../../core/protocol/hostPort';
import { parseReplies, type Reply } from '../../core/protocol/replyParser';

export interface RawControl {
  readonly socket: net.Socket;
  send(line: string): void;
  sendBytes(bytes: Uint8Array | string): void;
  /** The next reply, waiting up to `timeoutMs`. */
  reply(timeoutMs?: number): Promise<Reply>;
  /** Sends a command and returns its (first) reply. */
  command(line: string, timeoutMs?: number): Promise<Reply>;
  /** Resolves when the server has closed the connection. */
  closed(): Promise<void>;
  close(): Promise<void>;
}

export async function openRawControl(port: number, host = '127.0.0.1'): Promise<RawControl> {
  const socket = net.connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setEncoding('utf8');
  const queue: Reply[] = [];
  const waiters: ((r: Reply) => void)[] = [];
  let pending = '';
  let ended = false;
  const closeWaiters: (() => void)[] = [];
  socket.on('data', (text: string) => {
    pending += text;
    const { replies, rest } = parseReplies(pending);
    pending = rest;
    for (const r of replies) {
      const w = waiters.shift();
      if (w) w(r);
      else queue.push(r);
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    ended = true;
    for (const w of closeWaiters.splice(0)) w();
  });
  const reply = (timeoutMs = 5000) =>
    new Promise<Reply>((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      waiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  return {
    socket,
    send: (line) => socket.write(line + '\r\n'),
    sendBytes: (bytes) => socket.write(bytes),
    reply,
    async command(line, timeoutMs) {
      socket.write(line + '\r\n');
      return reply(timeoutMs);
    },
    closed: () => new Promise<void>((resolve) => (ended ? resolve() : closeWaiters.push(resolve))),
    async close() {
      if (ended) return;
      socket.end();
      await new Promise<void>((resolve) => (ended ? resolve() : closeWaiters.push(resolve)));
    },
  };
}

/**
 * An anonymous login with TYPE I and EPSV, and a data connection to the passive port the server named (not yet
 * used by any command): where the upload tests start. `dataClosed` settles when the data connection closes.
 */
export async function openPassiveUpload(port: number): Promise<{ ctl: RawControl; data: net.Socket; dataClosed: Promise<void> }> {
  const ctl = await openRawControl(port);
  for (const [line, code] of [
    [undefined, 220],
    ['USER anonymous', 331],
    ['PASS x', 230],
    ['TYPE I', 200],
  ] as const) {
    const reply = line === undefined ? await ctl.reply() : await ctl.command(line);
    if (reply.code !== code) throw new Error(`${line ?? 'the greeting'}: expected ${code}, got ${reply.code} ${reply.text}`);
  }
  const epsv = await ctl.command('EPSV');
  const dataPort = parseEpsvReply(epsv.text);
  if (dataPort === undefined || dataPort === null) throw new Error(`EPSV: no port in "${epsv.text}"`);
  const data = net.connect({ host: '127.0.0.1', port: dataPort });
  data.on('error', () => undefined);
  await new Promise((resolve) => data.once('connect', resolve));
  const dataClosed = new Promise<void>((resolve) => data.once('close', () => resolve()));
  return { ctl, data, dataClosed };
}
