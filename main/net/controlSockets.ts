// Control connections: the server's listener on its control port and the client's connect to it.
// Nagle is off on control sockets, or each reply can wait 40 ms for a delayed ACK (design.md).

import net from 'node:net';
import { TracedSocket, type TraceContext } from './tracedSocket';
import { plainHost } from '../../core/protocol/hostPort';
import type { Endpoint } from '../../core/trace/traceEvent';

export interface ControlListener {
  readonly local: Endpoint;
  close(): Promise<void>;
}

/** Listens for control connections; `traceFor` gives each accepted connection its trace context. */
export function listenControl(
  host: string,
  port: number,
  traceFor: () => TraceContext,
  onConnection: (socket: TracedSocket) => void,
): Promise<ControlListener> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true });
    server.on('connection', (socket) => {
      socket.setNoDelay(true);
      const trace = traceFor();
      onConnection(new TracedSocket(socket, 'control', trace, { kind: 'accept' }));
    });
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      const address = server.address() as net.AddressInfo;
      resolve({
        local: { host: plainHost(address.address), port: address.port },
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

export function connectControl(trace: TraceContext, target: Endpoint, timeoutMs: number): Promise<TracedSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer from ${target.host}:${target.port} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      socket.removeAllListeners('error');
      resolve(new TracedSocket(socket, 'control', trace, { kind: 'connect' }));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
