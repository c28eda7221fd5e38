// The client's data-channel actor: listens for the server (PORT/EPRT) or connects to it (PASV/EPSV),
// sends generated uploads, receives downloads into a hash, and closes only when the client machine says so.

import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { fromCallback } from 'xstate';
import type { DataInputEvent, DataOutputEvent } from '../../core/machines/channelEvents';
import type { Endpoint } from '../../core/trace/traceEvent';
import { generatedContent } from '../session/generatedContent';
import { connectData, listenOnce, type OneShotListener } from './dataSockets';
import { DataConnection } from './dataConnection';
import type { TracedSocket, TraceContext } from './tracedSocket';

export interface ClientDataChannelOptions {
  readonly trace: TraceContext;
  readonly controlLocal: Endpoint;
  readonly controlPeer: Endpoint;
  readonly now: () => number;
  readonly connectTimeoutMs: number;
}

/** A sink that keeps only a SHA-256 and a count: downloads are checked, not stored. */
function hashSink(): { sink: Writable; digest(): string; bytes(): number } {
  const hash = createHash('sha256');
  let count = 0;
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      count += chunk.length;
      done();
    },
  });
  return { sink, digest: () => hash.digest('hex'), bytes: () => count };
}

export function clientDataChannelActor(options: ClientDataChannelOptions) {
  return fromCallback<DataOutputEvent>(({ sendBack: sendAny, receive }) => {
    const sendBack = (event: DataInputEvent) => sendAny(event);
    let generation = 0;
    let listener: OneShotListener | undefined;
    let data: DataConnection | undefined;
    const current = (gen: number) => gen === generation;

    const adopt = (traced: TracedSocket, gen: number) => {
      if (!current(gen)) return traced.reset('replaced');
      data = new DataConnection(traced, options.now);
      traced.socket.once('close', () => {
        if (!current(gen)) return;
        const bytes = data?.bytes ?? 0;
        data = undefined;
        sendBack({ type: 'data.closed', bytes });
      });
      sendBack({ type: 'data.connected', local: traced.local, remote: traced.remote });
    };

    const dropAll = (reason: 'replaced' | 'quit' | 'error' | 'reset' | 'abort') => {
      generation += 1;
      listener?.close();
      listener = undefined;
      const old = data;
      data = undefined;
      if (!old) return;
      if (reason === 'error' || reason === 'abort') old.abort(reason);
      else old.close(reason);
    };

    receive((event) => {
      const gen = generation;
      switch (event.type) {
        case 'listen': {
          dropAll('replaced');
          const myGen = generation;
          // The client checks that the connection really comes from the server (RFC 2577 §4).
          listenOnce(options.trace, options.controlLocal.host, options.controlPeer.host, (traced) => adopt(traced, myGen))
            .then((l) => {
              if (!current(myGen)) return l.close();
              listener = l;
              sendBack({ type: 'data.listening', local: l.local });
            })
            .catch((error: Error) => current(myGen) && sendBack({ type: 'data.failed', reason: error.message }));
          return;
        }
        case 'connect': {
          dropAll('replaced');
          const myGen = generation;
          connectData(options.trace, event.target, options.controlLocal.host, undefined, options.connectTimeoutMs)
            .then((traced) => adopt(traced, myGen))
            .catch((error: NodeJS.ErrnoException) => current(myGen) && sendBack({ type: 'data.failed', reason: `connection to ${event.target.host}:${event.target.port} failed (${error.code ?? error.message})` }));
          return;
        }
        case 'send': {
          const conn = data;
          if (!conn) return sendBack({ type: 'data.failed', reason: 'no data connection' });
          if (event.source.kind !== 'generated') return sendBack({ type: 'data.failed', reason: 'the client uploads generated content only' });
          const source = generatedContent(event.source);
          conn
            .send(source, event.settings, event.settings.representation === 'A')
            .then((result) => current(gen) && sendBack({ type: 'data.sent', bytes: result.bytes }))
            .catch((error: Error) => current(gen) && sendBack({ type: 'data.lost', bytes: conn.bytes, reason: error.message }));
          return;
        }
        case 'receive': {
          const conn = data;
          if (!conn) return sendBack({ type: 'data.failed', reason: 'no data connection' });
          const target = hashSink();
          if (event.pauseAfterBytes !== undefined) {
            const limit = event.pauseAfterBytes;
            const onData = () => {
              if (conn.bytes < limit) return;
              conn.traced.socket.off('data', onData);
              conn.pause();
              sendBack({ type: 'data.paused', bytes: conn.bytes });
            };
            conn.traced.socket.on('data', onData);
          }
          conn
            .receive(target.sink, event.settings, event.settings.representation === 'A')
            .then((result) => current(gen) && sendBack({ type: 'data.received', bytes: result.bytes, sha256: target.digest() }))
            .catch((error: Error) => current(gen) && sendBack({ type: 'data.lost', bytes: conn.bytes, reason: error.message }));
          return;
        }
        case 'drain':
          // After ABOR the client reads on (and discards), so it sees the server's close promptly.
          data?.abandon();
          data?.traced.socket.resume();
          return;
        case 'close':
          if (!data) return sendBack({ type: 'data.closed', bytes: 0 });
          data.close(event.reason);
          return;
        case 'abort':
          if (!data) return sendBack({ type: 'data.closed', bytes: 0 });
          data.abort(event.reason);
          return;
        case 'reset':
          dropAll(event.reason === 'error' ? 'error' : event.reason === 'quit' ? 'quit' : 'reset');
          return;
      }
    });

    return () => dropAll('quit');
  });
}
