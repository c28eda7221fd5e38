// One data connection as a capture shows it: its transfers counted (and, in BLOCK and COMPRESSED mode,
// decoded with the project's own codecs, core/protocol/framing.ts), its markers, and where each transfer
// ended — the EOF marker, the sender's FIN (STREAM mode's end of file, RFC 959 §3.4.1), a reset or the
// capture's end. Bytes the capture lacks are counted as lost, never filled in.

import { framingFor, type Framing, type TransferDecoder } from '../../protocol/framing';
import type { Representation, Side, TraceEventInput, TransferMode } from '../../trace/traceEvent';

/** What the control connection said about the transfer now due: the command, who sends, in which mode and type. */
export interface TransferPlan {
  readonly command?: string;
  readonly sender?: Side;
  readonly mode: TransferMode;
  readonly representation: Representation;
  readonly structure: 'F' | 'R';
}

interface Transfer {
  readonly plan: TransferPlan;
  readonly sender: Side;
  readonly framing: Framing | undefined;
  decoder: TransferDecoder | undefined;
  bytes: number;
  fileBytes: number;
  lost: number;
  firstMs: number;
  lastMs: number;
}

export class DataConnectionReader {
  #transfer: Transfer | undefined;
  /** Transfers finished on this connection. */
  transfers = 0;

  constructor(
    readonly conn: string,
    private readonly emit: (event: TraceEventInput) => void,
    /** The time of the packet being read, in the capture's milliseconds. */
    private readonly now: () => number,
    private readonly notes: { say(sentence: string): void },
  ) {}

  /** Is a transfer under way, and who sends it? */
  get sender(): Side | undefined {
    return this.#transfer?.sender;
  }

  get active(): boolean {
    return this.#transfer !== undefined;
  }

  bytes(from: Side, bytes: Uint8Array, plan: () => TransferPlan): void {
    let rest = bytes;
    while (rest.length > 0) {
      const transfer = (this.#transfer ??= this.#start(from, plan()));
      transfer.lastMs = this.now();
      if (!transfer.decoder) {
        transfer.bytes += rest.length;
        transfer.fileBytes += rest.length;
        return;
      }
      rest = this.#decode(transfer, rest);
    }
  }

  /** A transfer starts with no byte yet (STREAM mode's empty file: the close comes first). */
  begin(from: Side, plan: TransferPlan): void {
    this.#transfer ??= this.#start(from, plan);
  }

  /** Bytes of `from` that crossed the wire but are not in the capture. */
  gap(from: Side, length: number): void {
    const transfer = (this.#transfer ??= this.#start(from, { mode: 'S', representation: 'I', structure: 'F' }));
    transfer.lost += length;
    transfer.bytes += length;
    this.notes.say(`${length} bytes the ${from} sent on ${this.conn} are not in the capture: the byte count includes them, the transfer counts as incomplete.`);
    this.emit({ type: 'note', side: from, text: `${length} bytes the ${from} sent on ${this.conn} are missing from the capture (a gap in the TCP sequence).` });
    if (transfer.decoder) {
      // A framed stream cannot be followed across a hole: its headers after it are not where the decoder would look.
      transfer.decoder = undefined;
      this.notes.say(
        `After the gap, ${this.conn}'s ${transfer.plan.mode === 'B' ? 'BLOCK' : 'COMPRESSED'} framing could not be followed: its markers and file bytes after it are not known.`,
      );
    }
  }

  /**
   * COMPRESSED mode: an EOF escape ending what has arrived is the trailing form FTP Lab sends (design.md);
   * once the server has replied to the transfer, no unit can follow it any more.
   */
  settle(): void {
    const transfer = this.#transfer;
    if (transfer?.decoder?.eofPending) this.#units(transfer, transfer.decoder.end());
  }

  /**
   * The connection is ending (a FIN of the sender, a reset, the capture's end): the transfer under way ends
   * here, complete only when it was STREAM mode's end of file, no byte was lost and nothing aborted it.
   */
  finish(complete: boolean): void {
    const transfer = this.#transfer;
    if (!transfer) return;
    let whole = complete && transfer.lost === 0;
    if (transfer.decoder) {
      try {
        this.#units(transfer, transfer.decoder.end());
        if (this.#transfer !== transfer) return;
      } catch (error) {
        this.notes.say(`${this.conn}: ${(error as Error).message}.`);
      }
      // A framed transfer ends with its EOF marker; a close before it cut the transfer short.
      whole = false;
    }
    this.#record(transfer, whole, false);
  }

  #start(sender: Side, plan: TransferPlan): Transfer {
    const framing = framingFor(plan.mode, plan.structure, plan.representation);
    const now = this.now();
    return { plan, sender, framing, decoder: framing?.decoder(), bytes: 0, fileBytes: 0, lost: 0, firstMs: now, lastMs: now };
  }

  /** Decodes bytes of a framed transfer; returns what comes after its EOF marker (the next transfer's). */
  #decode(transfer: Transfer, bytes: Uint8Array): Uint8Array {
    const decoder = transfer.decoder!;
    try {
      const before = decoder.bytesConsumed;
      const units = decoder.push(bytes);
      transfer.bytes += decoder.bytesConsumed - before;
      this.#units(transfer, units);
      return decoder.done ? decoder.takeRest() : new Uint8Array(0);
    } catch (error) {
      // The decoder counts nothing of a chunk it refused: the whole chunk is counted here, undecoded.
      this.notes.say(`${this.conn}: ${(error as Error).message}; the rest of its bytes are counted, not decoded.`);
      transfer.decoder = undefined;
      transfer.bytes += bytes.length;
      return new Uint8Array(0);
    }
  }

  #units(transfer: Transfer, units: ReturnType<TransferDecoder['push']>): void {
    const mode = transfer.plan.mode;
    /** A marker as the sender sent it, at the file offset reached so far. */
    const marker = (kind: 'restart' | 'eof', hex: string, value?: string) =>
      this.emit({
        type: 'data.marker',
        side: transfer.sender,
        dir: 'sent',
        channel: 'data',
        conn: this.conn,
        marker: kind,
        hex,
        ...(value !== undefined ? { value } : {}),
        offset: transfer.fileBytes,
        mode,
      });
    for (const unit of units) {
      if (unit.kind === 'data') transfer.fileBytes += unit.bytes.length;
      else if (unit.kind === 'restart') marker('restart', '', unit.marker);
      else if (unit.kind === 'eof') {
        // The file's bytes are recorded before the marker that ends them, as on the wire.
        // BLOCK and COMPRESSED keep the connection open after it (959 §3.3); STREAM with records closes anyway.
        this.#record(transfer, transfer.lost === 0, mode !== 'S');
        marker('eof', transfer.framing!.eofHex);
      }
    }
  }

  #record(transfer: Transfer, complete: boolean, keptOpen: boolean): void {
    this.#transfer = undefined;
    this.transfers += 1;
    const framed = transfer.framing !== undefined && transfer.decoder !== undefined;
    this.emit({
      type: 'data.transfer',
      side: transfer.sender,
      dir: 'sent',
      channel: 'data',
      conn: this.conn,
      bytes: transfer.bytes,
      ...(framed && transfer.fileBytes !== transfer.bytes ? { fileBytes: transfer.fileBytes } : {}),
      mode: transfer.plan.mode,
      representation: transfer.plan.representation,
      complete,
      durationMs: Math.round((transfer.lastMs - transfer.firstMs) * 1000) / 1000,
      ...(transfer.plan.command !== undefined ? { command: transfer.plan.command } : {}),
      ...(keptOpen ? { keptOpen: true } : {}),
    });
  }
}
