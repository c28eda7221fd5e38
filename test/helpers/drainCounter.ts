// A real store, wrapped only to count the whole buffers its write sinks are handed (BufferDrainingSink):
// how tests see that an upload took the large-read path.

import type { Writable } from 'node:stream';
import type { BufferDrainingSink, FileStore } from '../../main/store/fileStore';

export interface DrainCounts {
  /** writeFrom calls so far, and the largest length handed over. */
  calls: number;
  largest: number;
}

export function countingDrains(store: FileStore): { store: FileStore; counts: DrainCounts } {
  const counts: DrainCounts = { calls: 0, largest: 0 };
  const counting: FileStore = {
    ...store,
    async openWrite(path, mode) {
      const sink = (await store.openWrite(path, mode)) as Writable & Partial<BufferDrainingSink>;
      const writeFrom = sink.writeFrom?.bind(sink);
      if (writeFrom) {
        sink.writeFrom = (buffer, length) => {
          counts.calls += 1;
          counts.largest = Math.max(counts.largest, length);
          return writeFrom(buffer, length);
        };
      }
      return sink;
    },
  };
  return { store: counting, counts };
}
