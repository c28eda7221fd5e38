// One packet as a capture file holds it, whatever the file's format: when, on which link type, and its bytes.

export interface CapturedPacket {
  /** Its place in the file, from 1 (Wireshark's frame number). */
  readonly frame: number;
  /** Milliseconds since 1970-01-01 UTC (the file's resolution, at worst a few hundred nanoseconds lost to rounding). */
  readonly timeMs: number;
  /** The link type of its interface (pcapng.table.ts LinkType). */
  readonly linkType: number;
  /** The bytes the capture kept: a view into the file, not a copy. */
  readonly data: Uint8Array;
  /** Its length on the wire; more than data.length when the capture cut it short (snap length). */
  readonly originalLength: number;
}

/** A capture that cannot be read at all: one sentence, for the CLI's stderr or the app's message. */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
}
