// The server's data-channel actor: listens (PASV/EPSV) or connects (PORT/EPRT), moves file bytes
// between the store and the socket, and closes only when the session machine says so.

import { Readable } from 'node:stream';
import { fromCallback } from 'xstate';
import type { DataInputEvent, DataOutputEvent, DataSink, DataSource } from '../../core/machines/channelEvents';
import type { Endpoint } from '../../core/trace/traceEvent';
import type { FileStore } from '../store/fileStore';
import { connectData, listenOnce, type OneShotListener } from './dataSockets';
import { DataConnection } from './dataConnection';
import type { TracedSocket, TraceContext } from './tracedSocket';

export interface ServerDataChannelOptions {
  readonly trace: TraceContext;
  /** The control connection's ends: data listeners bind the same local address; only its peer may connect. */
  readonly controlLocal: Endpoint;
  readonly controlPeer: Endpoint;
  readonly store: FileStore;
  readonly now: () => number;
  readonly connectTimeoutMs: number;
}

export function serverDataChannelActor(options: ServerDataChannelOptions) {
  return fromCallback<DataOutputEvent>(({ sendBack: sendAny, receive }) => {
    const sendBack = (event: DataInputEvent) => sendAny(event);
    // Each connection or listener belongs to a generation; anything a replaced one reports later is dropped,
    // so a late close of an old connection can never be mistaken for the current one.
    let generation = 0;
    let listener: OneShotListener | undefined;
    let data: DataConnection | undefined;

    const current = (gen: number) => gen === generation;

    const adopt = (traced: TracedSocket, gen: number) => {
      if (!current(gen)) {
        traced.reset('replaced');
        return;
      }
      data = new DataConnection(traced, options.now);
      traced.socket.once('close', () => {
        if (!current(gen)) return;
        const bytes = data?.bytes ?? 0;
        data = undefined;
        sendBack({ type: 'data.closed', bytes });
      });
      sendBack({ type: 'data.connected', local: traced.local, remote: traced.remote });
    };

    const dropAll = (reason: 'replaced' | 'quit' | 'error' | 'abort' | 'reset') => {
      generation += 1;
      listener?.close();
      listener = undefined;
      const old = data;
      data = undefined;
      if (old) {
        if (reason === 'error' || reason === 'abort') old.abort(reason);
        else old.close(reason);
      }
    };

    const openSource = async (source: DataSource): Promise<Readable> => {
      if (source.kind === 'file') return options.store.openRead(source.path, source.offset);
      if (source.kind === 'text') return Readable.from([Buffer.from(source.text, 'utf8')]);
      throw new Error('the server sends only files and listings');
    };

    const openSink = async (sink: DataSink) => {
      if (sink.kind !== 'file') throw new Error('the server receives only into files');
      const mode = sink.write === 'resume' ? { kind: 'resume' as const, offset: sink.offset } : { kind: sink.write };
      return options.store.openWrite(sink.path, mode);
    };

    receive((event) => {
      const gen = generation;
      switch (event.type) {
        case 'listen': {
          dropAll('replaced');
          const myGen = generation;
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
          // The server's data port is L-1 (959 §3.2, §5.2): 2120 for a server on 2121, 20 for 21.
          const preferred = options.controlLocal.port > 1 ? options.controlLocal.port - 1 : undefined;
          connectData(options.trace, event.target, options.controlLocal.host, preferred, options.connectTimeoutMs)
            .then((traced) => adopt(traced, gen))
            .catch((error: NodeJS.ErrnoException) => current(gen) && sendBack({ type: 'data.failed', reason: `connection to ${event.target.host}:${event.target.port} failed (${error.code ?? error.message})` }));
          return;
        }
        case 'send': {
          const conn = data;
          if (!conn) return sendBack({ type: 'data.failed', reason: 'no data connection' });
          const ascii = event.settings.representation === 'A' && event.source.kind === 'file';
          openSource(event.source)
            .then((source) => conn.send(source, event.settings, ascii))
            .then((result) => current(gen) && sendBack({ type: 'data.sent', bytes: result.bytes }))
            .catch((error: Error) => current(gen) && sendBack({ type: 'data.lost', bytes: conn.bytes, reason: error.message }));
          return;
        }
        case 'receive': {
          const conn = data;
          if (!conn) return sendBack({ type: 'data.failed', reason: 'no data connection' });
          openSink(event.sink)
            .then((sink) => conn.receive(sink, event.settings, event.settings.representation === 'A'))
            .then((result) => current(gen) && sendBack({ type: 'data.received', bytes: result.bytes }))
            .catch((error: Error) => current(gen) && sendBack({ type: 'data.lost', bytes: conn.bytes, reason: error.message }));
          return;
        }
        case 'close': {
          if (!data) return sendBack({ type: 'data.closed', bytes: 0 });
          data.close(event.reason);
          return;
        }
        case 'abort': {
          const conn = data;
          listener?.close();
          listener = undefined;
          if (!conn) return sendBack({ type: 'data.closed', bytes: 0 });
          // The 'close' handler reports data.closed with the bytes that made it.
          conn.abort(event.reason);
          return;
        }
        case 'reset':
          dropAll(event.reason === 'error' ? 'error' : event.reason === 'abort' ? 'abort' : event.reason === 'quit' ? 'quit' : 'replaced');
          return;
      }
    });

    return () => dropAll('quit');
  });
}
