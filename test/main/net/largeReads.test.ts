// Large reads: an accepted socket moved into one with 1 MiB reads, and a connected one made with them.
// Real loopback sockets; a sender in this process writes faster than one 64 KiB read can take.

import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptWithLargeReads, READ_BUFFER_BYTES, ReadRouter } from '../../../main/net/largeReads';
import { trackHandles } from '../../support/leaks';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server whose first connection is adopted with large reads; resolves to it and the router. */
async function acceptAdopted(): Promise<{ port: number; accepted: Promise<{ socket: net.Socket; router: ReadRouter; serverClosed: Promise<void> }> }> {
  let resolve!: (v: { socket: net.Socket; router: ReadRouter; serverClosed: Promise<void> }) => void;
  const accepted = new Promise<{ socket: net.Socket; router: ReadRouter; serverClosed: Promise<void> }>((r) => (resolve = r));
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => {
    const router = new ReadRouter();
    const adopted = adoptWithLargeReads(socket, router, { allowHalfOpen: true });
    const serverClosed = new Promise<void>((r) => server.close(() => r()));
    resolve({ socket: adopted, router, serverClosed });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, accepted };
}

/** Connects and writes `bytes` in 1 MiB writes, then FIN. */
function send(port: number, bytes: Buffer): net.Socket {
  const client = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  client.on('connect', () => {
    for (let i = 0; i < bytes.length; i += READ_BUFFER_BYTES) client.write(bytes.subarray(i, i + READ_BUFFER_BYTES));
    client.end();
  });
  return client;
}

describe('large reads', () => {
  it('an adopted socket is a new Socket on the same connection: its reads as ordinary data, FIN as end, the listener drains', async () => {
    const leaks = trackHandles();
    const { port, accepted } = await acceptAdopted();
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const client = send(port, bytes);
    const { socket, serverClosed } = await accepted;
    expect(socket.remotePort).toBe(client.localPort);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    await new Promise<void>((r) => socket.once('end', () => r()));
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(bytes));
    expect(socket.bytesRead).toBe(bytes.length);
    // The old Socket was destroyed without closing the handle: the server's count of connections drops.
    await serverClosed;
    socket.end();
    await new Promise((r) => client.once('close', r));
    socket.destroy();
    await leaks.assertNoLeaks();
  });

  it('a taker gets reads bigger than 64 KiB in buffers it gives back, and can pause the socket', async () => {
    const { port, accepted } = await acceptAdopted();
    const bytes = randomBytes(16 * 1024 * 1024);
    send(port, bytes);
    const { socket, router } = await accepted;
    const got: Buffer[] = [];
    let largest = 0;
    let held: (() => void)[] = [];
    const buffersSeen = new Set<Buffer>();
    router.takeReads((buffer, length, release) => {
      buffersSeen.add(buffer);
      largest = Math.max(largest, length);
      got.push(Buffer.from(buffer.subarray(0, length)));
      held.push(release);
      // Hold two buffers, then pause until they are given back.
      if (held.length < 2) return true;
      setTimeout(() => {
        for (const r of held.splice(0)) r();
        socket.resume();
      }, 1);
      return false;
    });
    socket.resume();
    await new Promise<void>((r) => socket.once('end', () => r()));
    held.forEach((r) => r());
    held = [];
    expect(sha256(Buffer.concat(got))).toBe(sha256(bytes));
    expect(largest).toBeGreaterThan(64 * 1024);
    // Given-back buffers are read into again: a few buffers serve the whole 16 MiB.
    expect(buffersSeen.size).toBeLessThan(8);
    socket.destroy();
  });

  it('bytes that arrived before a taker takes over wait as data in the buffer, in order', async () => {
    const { port, accepted } = await acceptAdopted();
    const bytes = randomBytes(2 * 1024 * 1024);
    const client = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const { socket, router } = await accepted;
    client.write(bytes.subarray(0, 1000));
    await new Promise((r) => setTimeout(r, 50));
    const early = socket.read() as Buffer;
    expect(early.equals(bytes.subarray(0, 1000))).toBe(true);
    const rest: Buffer[] = [];
    router.takeReads((buffer, length, release) => {
      rest.push(Buffer.from(buffer.subarray(0, length)));
      release();
      return true;
    });
    client.end(bytes.subarray(1000));
    socket.resume();
    await new Promise<void>((r) => socket.once('end', () => r()));
    expect(Buffer.concat([early, ...rest]).equals(bytes)).toBe(true);
    socket.destroy();
  });

  it('a buffer a taker still holds is never read into again, even after the reads go back to data', async () => {
    const { port, accepted } = await acceptAdopted();
    const client = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const { socket, router } = await accepted;
    const first = randomBytes(200_000);
    let kept: { buffer: Buffer; length: number; copy: Buffer } | undefined;
    const took = new Promise<void>((resolve) =>
      router.takeReads((buffer, length) => {
        // Keep the buffer (as a file write in flight would) and hand the reads back at once.
        kept = { buffer, length, copy: Buffer.from(buffer.subarray(0, length)) };
        router.giveBack();
        resolve();
        return true;
      }),
    );
    socket.resume();
    client.write(first);
    await took;
    const later: Buffer[] = [];
    socket.on('data', (c: Buffer) => later.push(c));
    const rest = randomBytes(3 * 1024 * 1024);
    client.end(rest);
    await new Promise<void>((r) => socket.once('end', () => r()));
    expect(kept!.buffer.subarray(0, kept!.length).equals(kept!.copy)).toBe(true);
    // Nothing lost or reordered across the hand-back.
    expect(Buffer.concat([kept!.copy, ...later]).equals(Buffer.concat([first, rest]))).toBe(true);
    socket.destroy();
  });

  it('a connected socket made with the router options reads through it too', async () => {
    const bytes = randomBytes(4 * 1024 * 1024);
    const server = net.createServer((s) => s.end(bytes));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const router = new ReadRouter();
    const socket = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, ...router.options() });
    router.attach(socket);
    let largest = 0;
    const got: Buffer[] = [];
    router.takeReads((buffer, length, release) => {
      largest = Math.max(largest, length);
      got.push(Buffer.from(buffer.subarray(0, length)));
      release();
      return true;
    });
    await new Promise<void>((r) => socket.once('end', () => r()));
    expect(Buffer.concat(got).equals(bytes)).toBe(true);
    expect(largest).toBeGreaterThan(0);
    socket.destroy();
  });
});
