// What a way of sending or receiving may use of its data connection, and the result it hands back.

import type { Readable, Writable } from 'node:stream';
import type { TracedSocket } from '../tracedSocket';

export interface TransferResult {
  /** Bytes on the wire (after TYPE A conversion; framing included in BLOCK, COMPRESSED and records). */
  readonly bytes: number;
  /** The file's bytes as they travelled, without the framing, where that differs from `bytes`. */
  readonly fileBytes?: number;
  readonly complete: boolean;
  /** The sender stopped at `pauseAfterBytes` (to send ABOR); the rest was not sent. */
  readonly paused?: boolean;
}

/** One data connection as its transfers see it (DataConnection makes one per connection; it outlives each transfer). */
export interface TransferContext {
  readonly traced: TracedSocket;
  /** Bytes moved by the transfer in progress (the socket's count since it began). */
  readonly bytes: number;
  /** The source being sent: abort() and abandon() stop it. A send clears it once it is done with it. */
  activeSource: Readable | undefined;
  /** The sink being filled: abort() ends it. A receive clears it once it has finished it. */
  activeSink: Writable | undefined;
  /** Detaches the receive in progress from its sink (set by receive, used by abort). */
  detachReceive: (() => void) | undefined;
  /**
   * Records the data.transfer summary, once per transfer, as soon as the transfer's bytes are all on the wire
   * (before the FIN or EOF marker that ends them). `wireBytes`: the transfer's own count where the socket's
   * would include bytes that came after it; `fileBytes`: the file's bytes without framing, where they differ.
   */
  record(finishedNormally: boolean, keptOpen?: boolean, wireBytes?: number, fileBytes?: number): TransferResult;
  /** The transfer has settled: its summary is recorded (if it was not already) and the connection is idle again. */
  finish(finishedNormally: boolean, keptOpen?: boolean, wireBytes?: number, fileBytes?: number): TransferResult;
  /** Records a data.marker: an EOF or restart marker sent or received, at `offset` payload bytes. */
  marker(dir: 'sent' | 'received', marker: 'eof' | 'restart', hex: string, offset: number, value?: string): void;
  /** A restart marker has arrived, with how many payload bytes the receiver has (for 110 MARK). */
  restartMarker(marker: string, position: number): void;
}
