// Keeps a long-running `ftp-lab serve` near the memory its live sessions need. With V8's defaults a burst of
// short sessions grows the heap well ahead of what is live and gives it back only after seconds of idling
// (issue 13; bench phase `sessions`, bench/sessionMemory.ts). bin/ftp-lab.js applies it for `serve` before
// the CLI is even loaded (dist/cli/serverHeap.mjs): set later, the heap has already grown while loading.

import { setFlagsFromString } from 'node:v8';

/**
 * - heap-growing-percent: after a full GC the old generation may grow to 1.2× what survived it, instead of
 *   V8's 1.1–4× picked from the allocation rate (a burst of sessions looks like a fast allocator: 4×).
 * - semi-space-growth-factor 1: the young generation keeps its starting size instead of doubling towards
 *   16 MiB per semi-space; a session's objects are short-lived and small, so a small nursery suffices.
 * Both are read at each GC, so setting them at run time works. VmRSS after 0/1k/5k/10k sessions, same machine:
 * defaults 84/130/157/161 MiB; these flags 77/85/86/87 MiB (set only once serve started: 84/100/102/104).
 * Only for `serve`: its live heap is a few MiB. The app and `export`, which may hold a large trace, keep the defaults.
 */
export const SERVER_HEAP_FLAGS = ['--heap-growing-percent=20', '--semi-space-growth-factor=1'] as const;

export function keepServerHeapSmall(): void {
  for (const flag of SERVER_HEAP_FLAGS) setFlagsFromString(flag);
}
