// Records trace events with one clock and one sequence, and names connections so both sides agree.

import type { Channel, Endpoint, TraceEvent, TraceEventInput } from './traceEvent';

export type TraceListener = (event: TraceEvent) => void;

export interface TraceRecorderOptions {
  /**
   * Keep every event (the default), for whoever reads `events` at the end. A recorder that only feeds
   * listeners (`ftp-lab serve`: its transcript and its trace file) keeps none, so a server that runs
   * for days holds no more memory for its trace than for its first session.
   */
  readonly retain?: boolean;
}

export class TraceRecorder {
  readonly #events: TraceEvent[] = [];
  readonly #retain: boolean;
  #count = 0;
  readonly #listeners = new Set<TraceListener>();
  readonly #connIds = new Map<string, { id: string; holders: number }>();
  readonly #start: number;
  #controlCount = 0;
  #dataCount = 0;
  #listenerCount = 0;

  /** `now` is a monotonic clock in milliseconds (performance.now in main; a fake in tests). */
  constructor(
    private readonly now: () => number,
    options: TraceRecorderOptions = {},
  ) {
    this.#start = now();
    this.#retain = options.retain ?? true;
  }

  get events(): readonly TraceEvent[] {
    if (!this.#retain) throw new Error('This trace recorder keeps no events (retain: false): subscribe to it instead.');
    return this.#events;
  }

  record(input: TraceEventInput): TraceEvent {
    this.#count += 1;
    const event = { ...input, seq: this.#count, t: round3(this.now() - this.#start) } as TraceEvent;
    if (this.#retain) this.#events.push(event);
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  subscribe(listener: TraceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The id of the TCP connection between two endpoints, claimed by each side that holds a socket
   * on it. Client and server in one process see the same connection from both ends (local and
   * remote swapped); keying on the unordered pair gives both the same id, so the diagram can join
   * a connect to its accept. Each side releases its claim when its socket closes, so a later
   * connection that happens to reuse the same four-tuple gets a new id.
   */
  claimConnection(channel: Channel, local: Endpoint, remote: Endpoint): string {
    const key = connectionKey(channel, local, remote);
    const entry = this.#connIds.get(key);
    if (entry) {
      entry.holders += 1;
      return entry.id;
    }
    const id = channel === 'control' ? `C${++this.#controlCount}` : `D${++this.#dataCount}`;
    this.#connIds.set(key, { id, holders: 1 });
    return id;
  }

  releaseConnection(channel: Channel, local: Endpoint, remote: Endpoint): void {
    const key = connectionKey(channel, local, remote);
    const entry = this.#connIds.get(key);
    if (entry && --entry.holders <= 0) this.#connIds.delete(key);
  }

  listenerId(): string {
    return `L${++this.#listenerCount}`;
  }
}

/** Microsecond resolution is plenty, and keeps trace files small and diff-able. */
function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function connectionKey(channel: Channel, a: Endpoint, b: Endpoint): string {
  const ends = [`${a.host}:${a.port}`, `${b.host}:${b.port}`].sort();
  return `${channel}|${ends[0]}|${ends[1]}`;
}
