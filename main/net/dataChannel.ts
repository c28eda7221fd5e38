// The data-channel actor for either side: listens (the side that waits) or connects (the side that dials),
// moves bytes between a source or sink and the socket, and closes only when its session machine says so.
// What differs between client and server — where bytes come from and go — is passed in.

import type { Readable, Writable } from 'node:stream';
import { fromCallback } from 'xstate';
import type { DataInputEvent, DataOutputEvent, DataSink, DataSource } from '../../core/machines/channelEvents';
import type { CloseReason, Endpoint } from '../../core/trace/traceEvent';
import { connectData, listenOnce, type OneShotListener } from './dataSockets';
import { DataConnection } from './dataConnection';
import type { PassivePortPicker } from './passivePorts';
import type { TracedSocket, TraceContext } from './tracedSocket';

/** A sink plus what can be said about the bytes once it has them all (the client hashes downloads). */
export interface OpenedSink {
  readonly sink: Writable;
  summary?(): { sha256?: string };
}

export interface DataChannelOptions {
  readonly trace: TraceContext;
  /** The control connection's ends: data listeners bind the same local address; only its peer may connect. */
  readonly controlLocal: Endpoint;
  readonly controlPeer: Endpoint;
  readonly now: () => number;
  readonly connectTimeoutMs: number;
  /** The local port to connect from when it can be bound (the server's L-1, 959 §3.2). */
  readonly preferredLocalPort?: number;
  /** Where to listen for passive data connections (a server's configured range); any free port without it. */
  readonly passivePorts?: PassivePortPicker;
  openSource(source: DataSource): Promise<Readable>;
  openSink(sink: DataSink): Promise<OpenedSink>;
}

export function dataChannelActor(options: DataChannelOptions) {
  return fromCallback<DataOutputEvent>(({ sendBack: sendAny, receive }) => {
    const sendBack = (event: DataInputEvent) => sendAny(event);
    // Each connection or listener belongs to a generation; whatever a replaced one reports later is
    // dropped, so a late close of an old connection is never mistaken for the current one.
    let generation = 0;
    let listener: OneShotListener | undefined;
    let data: DataConnection | undefined;
    const current = (gen: number) => gen === generation;

    const adopt = (traced: TracedSocket, gen: number) => {
      if (!current(gen)) return traced.reset('replaced');
      const conn = new DataConnection(traced, options.now);
      data = conn;
      // A peer that closes a connection between transfers (BLOCK/COMPRESSED keep it open) gets our
      // FIN in return (959 §5.2); during a transfer the transfer itself decides.
      traced.socket.on('end', () => {
        if (conn.idle) conn.close('peer-closed');
      });
      traced.socket.once('close', () => {
        if (!current(gen)) return;
        const bytes = data?.bytes ?? 0;
        data = undefined;
        sendBack({ type: 'data.closed', bytes });
      });
      sendBack({ type: 'data.connected', local: traced.local, remote: traced.remote });
    };

    /** Forgets the listener and connection; an open connection is closed (FIN), or cut off after an error. */
    const dropAll = (reason: CloseReason) => {
      generation += 1;
      listener?.close();
      listener = undefined;
      const old = data;
      data = undefined;
      if (!old) return;
      if (reason === 'error' || reason === 'abort') old.abort(reason);
      else old.close(reason);
    };

    const failed = (gen: number, reason: string) => current(gen) && sendBack({ type: 'data.failed', reason });

    receive((event) => {
      const gen = generation;
      switch (event.type) {
        case 'listen': {
          dropAll('replaced');
          const myGen = generation;
          // Only the control connection's peer may connect (RFC 2577 §4); others are refused at once.
          listenOnce(options.trace, options.controlLocal.host, options.controlPeer.host, (traced) => adopt(traced, myGen), options.passivePorts)
            .then((l) => {
              if (!current(myGen)) return l.close();
              listener = l;
              sendBack({ type: 'data.listening', local: l.local });
            })
            .catch((error: Error) => failed(myGen, error.message));
          return;
        }
        case 'connect': {
          if (data) dropAll('replaced');
          const myGen = generation;
          connectData(options.trace, event.target, options.controlLocal.host, options.preferredLocalPort, options.connectTimeoutMs)
            .then((traced) => adopt(traced, myGen))
            .catch((error: NodeJS.ErrnoException) => failed(myGen, `connection to ${event.target.host}:${event.target.port} failed (${error.code ?? error.message})`));
          return;
        }
        case 'send': {
          const conn = data;
          if (!conn) return failed(gen, 'no data connection');
          // Listings are built in NVT form already (CRLF); files are converted under TYPE A.
          const ascii = event.settings.representation === 'A' && event.source.kind !== 'text';
          options
            .openSource(event.source)
            .then((source) => {
              // Aborted (or replaced) while the file was being opened: close it, send nothing.
              if (!current(gen)) {
                source.destroy();
                return undefined;
              }
              return conn.send(source, event.settings, ascii, event.pauseAfterBytes);
            })
            .then((result) => result && current(gen) && sendBack(result.paused ? { type: 'data.paused', bytes: result.bytes } : { type: 'data.sent', bytes: result.bytes }))
            .catch((error: Error) => current(gen) && sendBack({ type: 'data.lost', bytes: conn.bytes, reason: error.message }));
          return;
        }
        case 'receive': {
          const conn = data;
          if (!conn) return failed(gen, 'no data connection');
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
          conn.onRestartMarker = (marker, position) => current(gen) && sendBack({ type: 'data.restartMarker', marker, position });
          options
            .openSink(event.sink)
            .then((opened) => {
              // Aborted (or replaced) while the file was being opened: close it, receive nothing.
              if (!current(gen)) {
                opened.sink.end();
                return undefined;
              }
              return conn.receive(opened.sink, event.settings, event.settings.representation === 'A').then((result) => {
                if (current(gen)) sendBack({ type: 'data.received', bytes: result.bytes, ...(opened.summary?.() ?? {}) });
              });
            })
            .catch((error: Error) => current(gen) && sendBack({ type: 'data.lost', bytes: conn.bytes, reason: error.message }));
          return;
        }
        case 'drain':
          // After sending ABOR the receiver reads on and discards, so it sees the sender's close promptly.
          data?.abandon();
          data?.traced.socket.resume();
          return;
        case 'close':
          if (!data) return sendBack({ type: 'data.closed', bytes: 0 });
          data.close(event.reason);
          return;
        case 'abort': {
          listener?.close();
          listener = undefined;
          const conn = data;
          if (!conn) return sendBack({ type: 'data.closed', bytes: 0 });
          // 959 §4.1.3: the server closes the data connection, then sends 426 and 226. Closing is its
          // own FIN: the peer may read no further until it has those replies (Python's ftplib waits
          // for them in abort()), so they cannot wait for the peer's FIN too. data.closed goes as soon
          // as this side's FIN is sent (or the socket is gone); the connection is forgotten then, and
          // its later full close is not reported again.
          generation += 1;
          data = undefined;
          const socket = conn.traced.socket;
          let reported = false;
          const report = () => {
            if (reported) return;
            reported = true;
            socket.off('finish', report);
            socket.off('close', report);
            sendBack({ type: 'data.closed', bytes: conn.bytes });
          };
          socket.once('finish', report);
          socket.once('close', report);
          conn.abort(event.reason);
          if (socket.writableFinished || socket.destroyed) report();
          return;
        }
        case 'reset':
          dropAll(event.reason);
          return;
      }
    });

    return () => dropAll('quit');
  });
}
