// TYPE A's line-end conversion (959 §3.1.1.1) as stream Transforms, for the transfers that pipe a stream.

import { Transform } from 'node:stream';
import { createAsciiDecoder, createAsciiEncoder } from '../../../core/protocol/asciiConversion';

/** A Transform that applies TYPE A's LF -> CRLF on the way out (959 §3.1.1.1). */
export function asciiEncodeStream(): Transform {
  const encode = createAsciiEncoder();
  return new Transform({ transform: (chunk: Buffer, _enc, done) => done(null, encode(chunk)) });
}

/** A Transform that applies TYPE A's CRLF -> LF on the way in. */
export function asciiDecodeStream(): Transform {
  const decoder = createAsciiDecoder();
  return new Transform({
    transform: (chunk: Buffer, _enc, done) => done(null, decoder.push(chunk)),
    flush: (done) => done(null, decoder.end()),
  });
}
