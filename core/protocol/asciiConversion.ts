// TYPE A line-end conversion between the stored Unix form (LF) and the NVT-ASCII wire form (CRLF), RFC 959 §3.1.1.1.

const CR = 0x0d;
const LF = 0x0a;

/**
 * Stored form to wire form: every LF becomes CR LF (959 §3.1.1.1: the sender converts its native
 * line ends to CRLF). A CR already in front of the LF is left alone and still gets its own CR, so
 * 'CR LF' stored is sent as 'CR CR LF' and the decoder gives back exactly 'CR LF':
 * decode(encode(x)) = x for any bytes. No state is needed, so any chunking gives the same bytes.
 */
export function createAsciiEncoder(): (chunk: Uint8Array) => Uint8Array {
  return (chunk) => {
    const lfs = countByte(chunk, LF);
    if (lfs === 0) return chunk;
    const out = new Uint8Array(chunk.length + lfs);
    let from = 0;
    let n = 0;
    for (let lf = chunk.indexOf(LF); lf >= 0; lf = chunk.indexOf(LF, from)) {
      out.set(chunk.subarray(from, lf), n);
      n += lf - from;
      out[n++] = CR;
      out[n++] = LF;
      from = lf + 1;
    }
    out.set(chunk.subarray(from), n);
    return out;
  };
}

/**
 * Wire form to stored form: CR LF becomes LF; a CR not followed by LF is kept (it is data, not a
 * line end). A CR at the very end of a chunk is held back until the next chunk shows whether an
 * LF follows, because TCP may split a CRLF anywhere; end() releases a CR still held at EOF.
 */
export function createAsciiDecoder(): { push(chunk: Uint8Array): Uint8Array; end(): Uint8Array } {
  let heldCr = false;
  return {
    push(chunk) {
      // An empty chunk decides nothing about a held CR.
      if (chunk.length === 0 || (!heldCr && chunk.indexOf(CR) < 0)) return chunk;
      // At most one byte more than the input: the CR held from the previous chunk.
      const out = new Uint8Array(chunk.length + 1);
      let n = 0;
      let from = 0;
      if (heldCr) {
        heldCr = false;
        // Held CR + LF here is a line end: drop the CR. Anything else: the CR was data.
        if (chunk[0] !== LF) out[n++] = CR;
      }
      for (let cr = chunk.indexOf(CR, from); cr >= 0; cr = chunk.indexOf(CR, cr + 1)) {
        if (cr === chunk.length - 1) {
          out.set(chunk.subarray(from, cr), n);
          n += cr - from;
          from = chunk.length;
          heldCr = true;
          break;
        }
        if (chunk[cr + 1] === LF) {
          // Copy up to the CR and continue from the LF, which is kept.
          out.set(chunk.subarray(from, cr), n);
          n += cr - from;
          from = cr + 1;
        }
      }
      out.set(chunk.subarray(from), n);
      n += chunk.length - from;
      return out.subarray(0, n);
    },
    end() {
      if (!heldCr) return new Uint8Array(0);
      heldCr = false;
      return Uint8Array.of(CR);
    },
  };
}

/** The size of stored bytes once sent under TYPE A: one extra byte per LF (SIZE, RFC 3659 §4). */
export function asciiWireSize(bytes: Uint8Array): number {
  return bytes.length + countByte(bytes, LF);
}

function countByte(bytes: Uint8Array, value: number): number {
  let count = 0;
  for (let i = bytes.indexOf(value); i >= 0; i = bytes.indexOf(value, i + 1)) count++;
  return count;
}
