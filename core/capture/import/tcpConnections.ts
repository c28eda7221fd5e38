// Follows TCP connections through a capture: the handshake (when the capture has it), each direction's bytes
// in order (tcpStream.ts), and the FIN and RST with the end that sent each. A connection whose SYN is not in
// the capture (it started before the capture did) is followed from its first segment. A new SYN on a
// 4-tuple whose connection has ended starts a new connection.

import { endpointText } from '../../trace/endpointText';
import type { Endpoint } from '../../trace/traceEvent';
import { TcpFlag } from '../tcpIp.table';
import type { CapturedSegment } from './ipTcpDecoder';
import { TcpStream, type StreamPiece } from './tcpStream';

/** 0: the end that sent the first segment the capture has (the SYN's sender when there is one); 1: the other. */
export type EndIndex = 0 | 1;

export interface TcpConnection {
  /** ends[0] opened the connection when synSeen; otherwise it only spoke first in the capture. */
  readonly ends: readonly [Endpoint, Endpoint];
  readonly synSeen: boolean;
  readonly streams: readonly [TcpStream, TcpStream];
  /** The FIN of each end has been handed out (after every byte before it). */
  readonly finSent: [boolean, boolean];
  reset: boolean;
  /** Whatever the caller keeps about the connection (the FTP layer's view of it). */
  tag: unknown;
}

export type ConnectionEvent =
  | { readonly kind: 'syn' | 'syn-ack'; readonly conn: TcpConnection; readonly from: EndIndex }
  | { readonly kind: 'bytes'; readonly conn: TcpConnection; readonly from: EndIndex; readonly bytes: Uint8Array }
  | { readonly kind: 'gap'; readonly conn: TcpConnection; readonly from: EndIndex; readonly length: number }
  | { readonly kind: 'fin' | 'rst'; readonly conn: TcpConnection; readonly from: EndIndex };

/** The same key from either end's point of view. */
export function flowKey(a: Endpoint, b: Endpoint): string {
  const x = endpointText(a);
  const y = endpointText(b);
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

const isClosed = (c: TcpConnection) => c.reset || (c.finSent[0] && c.finSent[1]);

export class TcpConnections {
  readonly #open = new Map<string, TcpConnection>();

  /** The connection this segment belongs to, if one is being followed. */
  find(key: string): TcpConnection | undefined {
    return this.#open.get(key);
  }

  /**
   * One segment, from `source` to `destination`: the connection events it causes, in order. `follow` says
   * whether a connection the tracker does not know yet is to be followed (the caller's choice: FTP or not).
   */
  segment(
    key: string,
    source: Endpoint,
    destination: Endpoint,
    segment: CapturedSegment,
    follow: (syn: boolean, conn: TcpConnection) => boolean,
  ): ConnectionEvent[] {
    const out: ConnectionEvent[] = [];
    const flags = segment.flags;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const ack = (flags & TcpFlag.ACK) !== 0;
    let conn = this.#open.get(key);
    if (conn && syn && !ack && isClosed(conn)) {
      this.#open.delete(key);
      conn = undefined;
    }
    if (!conn) {
      // A SYN-ACK without its SYN still shows who opened: the other end.
      const opener = syn && ack ? destination : source;
      const candidate: TcpConnection = {
        ends: [opener, opener === source ? destination : source],
        synSeen: syn,
        streams: [new TcpStream(), new TcpStream()],
        finSent: [false, false],
        reset: false,
        tag: undefined,
      };
      if (!follow(syn, candidate)) return out;
      conn = candidate;
      this.#open.set(key, conn);
    }
    const from: EndIndex = endpointText(conn.ends[0]) === endpointText(source) ? 0 : 1;
    const stream = conn.streams[from];
    const peer = conn.streams[from === 0 ? 1 : 0];
    if (syn) {
      // The SYN takes one sequence number; the first byte has the next (RFC 9293 §3.4). A repeated SYN is a retransmission.
      if (!stream.started) {
        stream.start(segment.seq + 1);
        out.push({ kind: ack ? 'syn-ack' : 'syn', conn, from });
      }
    }
    if (conn.reset) return out;
    if (ack) this.#pieces(conn, (from === 0 ? 1 : 0) as EndIndex, peer.acked(segment.ack), out);
    if (flags & TcpFlag.RST) {
      // What each end still held is lost with the connection.
      this.#pieces(conn, from, stream.flush(), out);
      conn.reset = true;
      out.push({ kind: 'rst', conn, from });
      return out;
    }
    const payloadStart = syn ? segment.seq + 1 : segment.seq;
    if (segment.payloadOnWire > 0) this.#pieces(conn, from, stream.push(payloadStart, segment.payload, segment.payloadOnWire), out);
    else if (!stream.started) stream.start(payloadStart);
    if (flags & TcpFlag.FIN && !stream.finSeen) {
      stream.fin(payloadStart, segment.payloadOnWire);
      this.#pieces(conn, from, [], out);
    }
    return out;
  }

  /** The capture has ended: each direction's holes are lost, its FIN (if seen) handed out. */
  finish(): ConnectionEvent[] {
    const out: ConnectionEvent[] = [];
    for (const conn of this.#open.values()) {
      if (conn.reset) continue;
      for (const from of [0, 1] as const) this.#pieces(conn, from, conn.streams[from].flush(), out);
    }
    return out;
  }

  /** Every connection followed and not yet replaced by a new one on its 4-tuple. */
  connections(): IterableIterator<TcpConnection> {
    return this.#open.values();
  }

  /** Pieces of one direction as events, then that end's FIN once every byte before it is out. */
  #pieces(conn: TcpConnection, from: EndIndex, pieces: readonly StreamPiece[], out: ConnectionEvent[]): void {
    for (const piece of pieces) {
      if (piece.kind === 'bytes') out.push({ kind: 'bytes', conn, from, bytes: piece.bytes });
      else out.push({ kind: 'gap', conn, from, length: piece.length });
    }
    if (!conn.finSent[from] && conn.streams[from].finReached) {
      conn.finSent[from] = true;
      out.push({ kind: 'fin', conn, from });
    }
  }
}
