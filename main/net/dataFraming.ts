// Which framing a transfer mode uses on the data connection: none for STREAM (the close is the EOF),
// block headers for BLOCK, escapes for COMPRESSED (959 §3.4). One place maps modes to codecs.

import { BlockDecoder, createBlockEncoder } from '../../core/protocol/blockMode';
import { CompressedDecoder, createCompressedEncoder, fillerFor } from '../../core/protocol/compressedMode';
import type { TransferEncoder, TransferUnit } from '../../core/protocol/transferUnits';
import type { Representation, TransferMode } from '../../core/trace/traceEvent';

export interface TransferDecoder {
  push(chunk: Uint8Array): TransferUnit[];
  end(): TransferUnit[];
  readonly done: boolean;
  /** COMPRESSED: an EOF escape came and the decoder cannot yet tell which form it was in. */
  readonly eofPending?: boolean;
  takeRest(): Uint8Array;
}

export interface Framing {
  encoder(): TransferEncoder;
  decoder(): TransferDecoder;
  /** How the EOF marker looks on the wire, for the trace ('40 00 00', '00 40'). */
  readonly eofHex: string;
}

const framings: Partial<Record<TransferMode, (representation: Representation) => Framing>> = {
  B: () => ({ encoder: () => createBlockEncoder(), decoder: () => new BlockDecoder(), eofHex: '40 00 00' }),
  // The filler is a space under TYPE A and a zero byte under TYPE I (959 §3.4.3).
  C: (representation) => ({
    encoder: () => createCompressedEncoder({ filler: fillerFor(representation) }),
    decoder: () => new CompressedDecoder({ filler: fillerFor(representation) }),
    eofHex: '00 40',
  }),
};

/** The framing for a mode, or undefined for STREAM, whose data is unframed. */
export function framingFor(mode: TransferMode, representation: Representation): Framing | undefined {
  return framings[mode]?.(representation);
}

export function toHex(pieces: readonly Uint8Array[]): string {
  const parts: string[] = [];
  for (const piece of pieces) for (const byte of piece) parts.push(byte.toString(16).toUpperCase().padStart(2, '0'));
  return parts.join(' ');
}
