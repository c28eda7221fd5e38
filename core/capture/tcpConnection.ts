// One TCP connection as a rebuilt capture shows it: the three-way handshake, then each segment a side
// sends with sequence and acknowledgment numbers that follow from everything before it (RFC 9293 §3.4),
// each acknowledged at once by the peer, and the FIN or RST that ends a direction.

import type { IpAddress } from './ipAddress';
import type { TcpSegment } from './ipTcpPacket';
import { TcpFlag, UNSCALED_MAX_WINDOW } from './tcpIp.table';

export type TcpEnd = 'initiator' | 'acceptor';

export interface TcpEndpoint {
  readonly address: IpAddress;
  readonly port: number;
  /** The initial sequence number this end chooses for its SYN (RFC 9293 §3.4.1). */
  readonly isn: number;
}

/** Why a segment cannot be sent now (the caller leaves it out and says so). */
export type TcpRefusal = 'not open' | 'already sent FIN' | 'reset';

/** One direction: the next sequence number to send, and whether FIN has used it up. */
interface Direction {
  next: number;
  finished: boolean;
}

const other = (end: TcpEnd): TcpEnd => (end === 'initiator' ? 'acceptor' : 'initiator');
const wrap = (n: number): number => n % 2 ** 32;

/**
 * The connection between two endpoints. Every segment that carries data or FIN is answered by a pure ACK
 * from the peer (no delayed ACKs, no window changes: the receive window stays at UNSCALED_MAX_WINDOW, above
 * any one segment), so a reader sees no loss, no retransmission and no window trouble.
 */
export class TcpConnection {
  readonly #ends: Readonly<Record<TcpEnd, TcpEndpoint>>;
  readonly #mss: number;
  readonly #sent: Record<TcpEnd, Direction>;
  #phase: 'closed' | 'open' | 'reset' = 'closed';

  constructor(initiator: TcpEndpoint, acceptor: TcpEndpoint, mss: number) {
    this.#ends = { initiator, acceptor };
    this.#mss = mss;
    this.#sent = { initiator: { next: initiator.isn, finished: false }, acceptor: { next: acceptor.isn, finished: false } };
  }

  /** The most payload one segment carries: what each SYN announces as its MSS. */
  get mss(): number {
    return this.#mss;
  }

  #segment(from: TcpEnd, flags: number, payload: Uint8Array = new Uint8Array(0)): TcpSegment {
    const source = this.#ends[from];
    const destination = this.#ends[other(from)];
    const direction = this.#sent[from];
    const segment: TcpSegment = {
      source: source.address,
      destination: destination.address,
      sourcePort: source.port,
      destinationPort: destination.port,
      seq: wrap(direction.next),
      // Everything the peer has sent, acknowledged (the only SYN without ACK is the first).
      ack: flags & TcpFlag.ACK ? wrap(this.#sent[other(from)].next) : 0,
      flags,
      window: UNSCALED_MAX_WINDOW,
      ...(flags & TcpFlag.SYN ? { mss: this.#mss } : {}),
      payload,
    };
    // SYN and FIN each take one sequence number (RFC 9293 §3.4).
    direction.next += payload.length + (flags & TcpFlag.SYN ? 1 : 0) + (flags & TcpFlag.FIN ? 1 : 0);
    return segment;
  }

  /** SYN, SYN-ACK, ACK (RFC 9293 §3.5). */
  open(): TcpSegment[] {
    if (this.#phase !== 'closed') throw new Error('The connection is already open.');
    this.#phase = 'open';
    return [this.#segment('initiator', TcpFlag.SYN), this.#segment('acceptor', TcpFlag.SYN | TcpFlag.ACK), this.#segment('initiator', TcpFlag.ACK)];
  }

  /** Why `from` cannot send now, or undefined when it can. */
  refusal(from: TcpEnd): TcpRefusal | undefined {
    if (this.#phase === 'closed') return 'not open';
    if (this.#phase === 'reset') return 'reset';
    return this.#sent[from].finished ? 'already sent FIN' : undefined;
  }

  #check(from: TcpEnd): void {
    const refusal = this.refusal(from);
    if (refusal) throw new Error(`The ${from} cannot send on this connection: ${refusal}.`);
  }

  /**
   * One segment of at most `mss` bytes from `from`, and the peer's ACK of it. `push` sets PSH, as a sender
   * does on the last segment of what it was given to send (RFC 9293 §3.9.1).
   */
  send(from: TcpEnd, payload: Uint8Array, push: boolean): TcpSegment[] {
    this.#check(from);
    if (payload.length === 0 || payload.length > this.#mss) throw new RangeError(`A segment carries 1 to ${this.#mss} bytes, not ${payload.length}.`);
    return [this.#segment(from, TcpFlag.ACK | (push ? TcpFlag.PSH : 0), payload), this.#segment(other(from), TcpFlag.ACK)];
  }

  /** FIN from `from` (with ACK, as every segment after the SYN), and the peer's ACK of it. */
  fin(from: TcpEnd): TcpSegment[] {
    this.#check(from);
    const segments = [this.#segment(from, TcpFlag.FIN | TcpFlag.ACK), this.#segment(other(from), TcpFlag.ACK)];
    this.#sent[from].finished = true;
    return segments;
  }

  /** RST from `from`; nothing more travels on the connection (RFC 9293 §3.5.2). */
  reset(from: TcpEnd): TcpSegment[] {
    if (this.#phase !== 'open') throw new Error(`A reset needs an open connection (this one is ${this.#phase}).`);
    this.#phase = 'reset';
    return [this.#segment(from, TcpFlag.RST | TcpFlag.ACK)];
  }
}
