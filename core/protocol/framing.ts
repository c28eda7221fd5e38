// How a transfer's bytes are framed on the data connection, by MODE and STRU (959 §3.4): one place maps them to the codecs.
// None for STREAM with file structure (the close is the EOF); FF escapes for STREAM with records; block
// headers for BLOCK; escapes for COMPRESSED.

import { BlockDecoder, createBlockEncoder } from './blockMode';
import { CompressedDecoder, createCompressedEncoder, fillerFor } from './compressedMode';
import { createStreamRecordEncoder, StreamRecordDecoder } from './recordStructure';
import type { TransferEncoder, TransferUnit } from './transferUnits';
import type { Representation, TransferMode } from '../trace/traceEvent';

export type Structure = 'F' | 'R';

export interface TransferDecoder {
  push(chunk: Uint8Array): TransferUnit[];
  end(): TransferUnit[];
  readonly done: boolean;
  /** COMPRESSED: an EOF escape came and the decoder cannot yet tell which form it was in. */
  readonly eofPending?: boolean;
  takeRest(): Uint8Array;
  /** Bytes of this transfer taken in, headers included; nothing after the EOF marker. */
  readonly bytesConsumed: number;
}

/** What a sender may call; STREAM+STRU R has no restart markers (959 §3.5), the others do. */
export type FramingEncoder = Omit<TransferEncoder, 'restart'> & { restart?: TransferEncoder['restart'] };

export interface Framing {
  encoder(): FramingEncoder;
  decoder(): TransferDecoder;
  /** How the EOF marker looks on the wire, for the trace ('40 00 00', '00 40', 'FF 02'). */
  readonly eofHex: string;
}

/** The framing for these parameters, or undefined for STREAM with file structure: plain bytes. */
export function framingFor(mode: TransferMode, structure: Structure, representation: Representation): Framing | undefined {
  switch (mode) {
    case 'S':
      return structure === 'R' ? { encoder: createStreamRecordEncoder, decoder: () => new StreamRecordDecoder(), eofHex: 'FF 02' } : undefined;
    case 'B':
      return { encoder: () => createBlockEncoder(), decoder: () => new BlockDecoder(), eofHex: '40 00 00' };
    case 'C': {
      // The filler is a space under TYPE A and a zero byte under TYPE I (959 §3.4.3).
      const filler = fillerFor(representation);
      return { encoder: () => createCompressedEncoder({ filler }), decoder: () => new CompressedDecoder({ filler }), eofHex: '00 40' };
    }
  }
}

export function toHex(pieces: readonly Uint8Array[]): string {
  const parts: string[] = [];
  for (const piece of pieces) for (const byte of piece) parts.push(byte.toString(16).toUpperCase().padStart(2, '0'));
  return parts.join(' ');
}
