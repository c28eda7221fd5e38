// A sink that keeps only a SHA-256 and a count: the client checks downloads, it does not store them.

import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { OpenedSink } from '../net/dataChannel';

export function hashSink(): OpenedSink {
  const hash = createHash('sha256');
  let digest: string | undefined;
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done();
    },
  });
  return { kind: 'stream', stream: sink, summary: () => ({ sha256: (digest ??= hash.digest('hex')) }) };
}
