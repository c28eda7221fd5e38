// One direction of a TCP connection put back in order (RFC 9293 §3.4, §3.10.7.4): bytes are handed out once
// each, in sequence order, whatever order the capture has them in. Retransmitted and overlapping bytes are
// taken once; out-of-order segments wait for the hole before them; a hole that cannot be filled any more
// (the peer acknowledged past it, the waiting bytes grew too large, the capture ended) is handed out as a
// gap of so many bytes: never guessed, never filled in.

export type StreamPiece = { readonly kind: 'bytes'; readonly bytes: Uint8Array } | { readonly kind: 'gap'; readonly length: number };

interface Pending {
  readonly offset: number;
  readonly length: number;
  /** Undefined: bytes that crossed the wire but are not in the capture (cut by the snap length). */
  readonly bytes: Uint8Array | undefined;
}

/** Out-of-order bytes held at most, per direction, before the hole in front of them is declared lost. */
export const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024;
/**
 * Out-of-order segments held at most, per direction (a 16 MiB window of 1 KiB segments), before the hole in front
 * of them is declared lost: each insertion moves up to this many, so a capture of tiny segments in reverse order
 * stays linear in its size.
 */
export const MAX_PENDING_PIECES = 16 * 1024;

export class TcpStream {
  /** The sequence number of stream offset 0 (the ISN + 1, or the first sequence number the capture shows). */
  #base = 0;
  #started = false;
  /** Offset of the next byte to hand out. */
  #next = 0;
  readonly #pending: Pending[] = [];
  #pendingBytes = 0;
  /** Offset the FIN stands at (it takes the sequence number after the last byte), once seen. */
  #finAt: number | undefined;
  /** Bytes seen more than once (retransmissions, overlaps). */
  retransmittedBytes = 0;
  /** Bytes seen from before the stream's start (a capture that began mid-connection). */
  bytesBeforeStart = 0;
  /** Bytes declared lost. */
  lostBytes = 0;

  constructor(private readonly maxPendingBytes = DEFAULT_MAX_PENDING_BYTES) {}

  get started(): boolean {
    return this.#started;
  }

  /** Bytes handed out or declared lost so far: the stream's length up to here. */
  get length(): number {
    return this.#next;
  }

  /** The stream's first byte has sequence number `seq` (the SYN's plus one; or, without a SYN, the first one seen). */
  start(seq: number): void {
    this.#base = seq >>> 0;
    this.#started = true;
  }

  /** The offset of a sequence number: the one nearest the next expected byte, so a wrap past 2^32 is harmless. */
  #offsetOf(seq: number): number {
    return this.#next + ((seq - ((this.#base + this.#next) >>> 0)) | 0);
  }

  /** A segment's payload: `payload` is what the capture kept of `onWire` bytes. Returns what can now be handed out. */
  push(seq: number, payload: Uint8Array, onWire = payload.length): StreamPiece[] {
    if (!this.#started) this.start(seq);
    let offset = this.#offsetOf(seq);
    let kept = payload;
    let length = Math.max(onWire, payload.length);
    if (offset < 0) {
      // Bytes from before the first sequence number the capture showed: nothing they belong to is here.
      const before = Math.min(-offset, length);
      this.bytesBeforeStart += before;
      kept = kept.subarray(Math.min(before, kept.length));
      length -= before;
      offset = 0;
    }
    if (length <= 0) return [];
    const out: StreamPiece[] = [];
    if (offset + length <= this.#next) {
      this.retransmittedBytes += length;
      return out;
    }
    this.#hold({ offset, length: kept.length, bytes: kept });
    if (length > kept.length) this.#hold({ offset: offset + kept.length, length: length - kept.length, bytes: undefined });
    this.#deliver(out);
    while (this.#pendingBytes > this.maxPendingBytes || this.#pending.length > MAX_PENDING_PIECES) this.#skipHole(Number.POSITIVE_INFINITY, out);
    return out;
  }

  /** The sender's FIN: it stands after `payloadLength` bytes from `seq`. */
  fin(seq: number, payloadLength: number): void {
    if (!this.#started) this.start(seq);
    this.#finAt ??= Math.max(0, this.#offsetOf(seq) + payloadLength);
  }

  /** Every byte before the FIN has been handed out (or declared lost): the FIN's place in the stream is reached. */
  get finReached(): boolean {
    return this.#finAt !== undefined && this.#next >= this.#finAt;
  }

  get finSeen(): boolean {
    return this.#finAt !== undefined;
  }

  /**
   * The peer acknowledged up to `ack`: it received every byte before it, so a byte before it the capture lacks
   * will not come again. Those holes are declared lost and what waits behind them is handed out.
   */
  acked(ack: number): StreamPiece[] {
    if (!this.#started) return [];
    let upTo = this.#offsetOf(ack);
    // The FIN takes a sequence number of its own but is no byte.
    if (this.#finAt !== undefined) upTo = Math.min(upTo, this.#finAt);
    const out: StreamPiece[] = [];
    if (upTo > this.#next) this.#skipHole(upTo, out);
    return out;
  }

  /** The capture ended, or the connection did: every hole is lost, everything held is handed out. */
  flush(): StreamPiece[] {
    const out: StreamPiece[] = [];
    while (this.#pending.length > 0) this.#skipHole(Number.POSITIVE_INFINITY, out);
    if (this.#finAt !== undefined && this.#finAt > this.#next) this.#gap(this.#finAt - this.#next, out);
    return out;
  }

  #hold(piece: Pending): void {
    if (piece.length === 0) return;
    // Kept sorted by offset; bytes the capture has before a lost range at the same offset. Found by binary search:
    // the first held piece that goes after this one.
    const after = (held: Pending) => held.offset > piece.offset || (held.offset === piece.offset && piece.bytes !== undefined && !held.bytes);
    let low = 0;
    let high = this.#pending.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (after(this.#pending[mid]!)) high = mid;
      else low = mid + 1;
    }
    if (low === this.#pending.length) this.#pending.push(piece);
    else this.#pending.splice(low, 0, piece);
    this.#pendingBytes += piece.length;
  }

  /** Hands out what is contiguous with the next byte. */
  #deliver(out: StreamPiece[]): void {
    while (this.#pending.length > 0 && this.#pending[0]!.offset <= this.#next) {
      const piece = this.#pending.shift()!;
      this.#pendingBytes -= piece.length;
      const end = piece.offset + piece.length;
      if (end <= this.#next) {
        this.retransmittedBytes += piece.length;
        continue;
      }
      const skip = this.#next - piece.offset;
      this.retransmittedBytes += skip;
      if (piece.bytes) out.push({ kind: 'bytes', bytes: piece.bytes.subarray(skip) });
      else this.#gap(piece.length - skip, out, false);
      this.#next = end;
    }
  }

  /** Declares the hole before the first held piece lost (up to `limit`), then hands out what follows it. */
  #skipHole(limit: number, out: StreamPiece[]): void {
    const first = this.#pending[0];
    const to = Math.min(limit, first ? first.offset : limit);
    if (Number.isFinite(to) && to > this.#next) this.#gap(to - this.#next, out);
    this.#deliver(out);
  }

  #gap(length: number, out: StreamPiece[], advance = true): void {
    this.lostBytes += length;
    if (advance) this.#next += length;
    const last = out[out.length - 1];
    if (last?.kind === 'gap') out[out.length - 1] = { kind: 'gap', length: last.length + length };
    else out.push({ kind: 'gap', length });
  }
}
