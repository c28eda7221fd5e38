// Whether a process's memory levels off: samples over time split into a first and a last half, each half's slope
// by least squares (MiB a minute), the most and the last. A host that holds a backlog keeps climbing in the last
// half; one whose memory is bounded by construction climbs while it fills its bounds and then stays flat.

export interface MemorySample {
  /** Since the measurement started. */
  readonly ms: number;
  readonly kib: number;
}

export interface MemoryTrend {
  readonly samples: number;
  readonly firstMiB: number;
  readonly maxMiB: number;
  readonly lastMiB: number;
  /** MiB per minute over the first and the last half of the samples. */
  readonly firstHalfSlope: number;
  readonly lastHalfSlope: number;
  /** The last half climbs by less than LEVEL_MIB_PER_MIN, or by less than a tenth of the first half's slope. */
  readonly levelsOff: boolean;
}

/** Growth a minute below which memory counts as flat (an allocator's and a JIT's drift). */
export const LEVEL_MIB_PER_MIN = 2;

function slope(samples: readonly MemorySample[]): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const mx = samples.reduce((s, p) => s + p.ms, 0) / n;
  const my = samples.reduce((s, p) => s + p.kib, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of samples) {
    num += (p.ms - mx) * (p.kib - my);
    den += (p.ms - mx) ** 2;
  }
  // KiB per ms to MiB per minute.
  return den === 0 ? 0 : ((num / den) * 60_000) / 1024;
}

export function memoryTrend(samples: readonly MemorySample[]): MemoryTrend | undefined {
  if (samples.length < 4) return undefined;
  const half = Math.floor(samples.length / 2);
  const first = slope(samples.slice(0, half));
  const last = slope(samples.slice(half));
  return {
    samples: samples.length,
    firstMiB: samples[0]!.kib / 1024,
    maxMiB: Math.max(...samples.map((s) => s.kib)) / 1024,
    lastMiB: samples[samples.length - 1]!.kib / 1024,
    firstHalfSlope: first,
    lastHalfSlope: last,
    levelsOff: last < LEVEL_MIB_PER_MIN || last < first / 10,
  };
}
