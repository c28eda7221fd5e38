// A real store, wrapped only to count the whole buffers its write sinks are handed (BufferDrainingSink):
// how tests see that an upload took the large-read path.

import type { FileStore } from '../../main/store/fileStore';

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
      const sink = await store.openWrite(path, mode);
      const writeFrom = sink.writeFrom.bind(sink);
      sink.writeFrom = (buffer, length) => {
        counts.calls += 1;
        counts.largest = Math.max(counts.largest, length);
        return writeFrom(buffer, length);
      };
      return sink;
    },
  };
  return { store: counting, counts };
}
