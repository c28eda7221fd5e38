// Deterministic upload content: the same name, size and seed always give the same bytes, in 1 MiB chunks.

import { Readable } from 'node:stream';

export interface GeneratedSpec {
  readonly size: number;
  readonly text: boolean;
  readonly seed: number;
  /** Start here instead of at byte 0 (an upload resumed after REST). */
  readonly offset?: number;
}

const CHUNK = 1 << 20;
const WORDS = ['ftp', 'data', 'control', 'stream', 'block', 'port', 'passive', 'reply', 'close', 'eof', 'lab', 'file'];

/**
 * The content is a pseudo-random block of up to 1 MiB, repeated to the size: generating it costs
 * the same for 1 KiB and 256 MiB, so uploads measure the network, not the generator.
 */
function template(spec: GeneratedSpec): Buffer {
  const block = Buffer.alloc(Math.min(CHUNK, spec.size));
  fill(block, spec);
  return block;
}

/** The whole content as one buffer (for tests and small files). */
export function generateBytes(spec: GeneratedSpec): Buffer {
  const block = template(spec);
  const out = Buffer.alloc(spec.size);
  for (let offset = 0; offset < spec.size; offset += block.length) block.copy(out, offset, 0, Math.min(block.length, spec.size - offset));
  return out;
}

/** A stream of the content, so a 256 MiB upload never sits in memory at once. */
export function generatedContent(spec: GeneratedSpec): Readable {
  let offset = Math.min(spec.offset ?? 0, spec.size);
  const block = template(spec);
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (offset >= spec.size) {
        this.push(null);
        return;
      }
      // Where `offset` falls in the repeating block, and how much of the block is left from there.
      const at = offset % block.length;
      const n = Math.min(block.length - at, spec.size - offset);
      // The block is never written after it is made, so the same memory can be queued many times.
      const chunk = block.subarray(at, at + n);
      offset += n;
      this.push(chunk);
    },
  });
}

function fill(out: Buffer, spec: GeneratedSpec): void {
  let state = spec.seed >>> 0 || 1;
  const next = () => {
    // xorshift32: small, fast, deterministic.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  if (!spec.text) {
    for (let i = 0; i < out.length; i++) out[i] = next() & 0xff;
    return;
  }
  let i = 0;
  let column = 0;
  while (i < out.length) {
    const word = WORDS[next() % WORDS.length]!;
    for (let k = 0; k < word.length && i < out.length; k++) out[i++] = word.charCodeAt(k);
    column += word.length + 1;
    if (i < out.length) out[i++] = column > 60 ? 0x0a : 0x20;
    if (column > 60) column = 0;
  }
}
