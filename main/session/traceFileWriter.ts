// Keeps a trace file current as events happen, writing only the new events each time (O(new events)
// per flush, not O(all events)). The file is valid JSON in the trace contract (core/trace/traceFile)
// after every flush:
//
//   {
//    "format": "ftp-lab-trace",
//    "version": 1,
//    "meta": {...},
//    "events": [
//     {...one event per line...},
//     {...}
//    ]
//   }
//
// A flush writes the new events at the offset of the closing bytes, followed by the closing bytes
// again, in ONE positional write: the file only grows, and a process that dies between flushes (or
// is killed while not writing) leaves the last flushed state, which parses.

import { promises as fs } from 'node:fs';
import type { TraceEvent, TraceMeta } from '../../core/trace/traceEvent';

const CLOSING = '\n ]\n}\n';

/**
 * Events held for a retry after a failed flush, at most: past this the writer gives up (the file keeps its last
 * flushed state) instead of holding a busy server's events in memory without bound while the disk stays full.
 */
export const MAX_HELD_EVENTS = 100_000;

export interface TraceFileWriterOptions {
  /** Create a new file only ('wx': never follow a symlink or reuse a file someone else put there), readable by its owner only. */
  readonly exclusive?: boolean;
}

export class TraceFileWriter {
  #pending: TraceEvent[] = [];
  #count = 0;
  /** Byte offset of the closing bytes: where the next events go. */
  #offset = 0;
  #handle: Promise<fs.FileHandle>;
  /** Every write runs after the previous one: flushes never interleave. */
  #queue: Promise<void>;
  #closed = false;
  readonly #opened: Promise<void>;
  /** Why the writer gave up (too many events held after failed flushes); undefined while it writes. */
  #gaveUp: Error | undefined;

  constructor(
    readonly path: string,
    meta: TraceMeta,
    options: TraceFileWriterOptions = {},
  ) {
    const header = `{\n "format": "ftp-lab-trace",\n "version": 1,\n "meta": ${JSON.stringify(meta)},\n "events": [`;
    this.#offset = Buffer.byteLength(header);
    this.#handle = options.exclusive ? fs.open(path, 'wx', 0o600) : fs.open(path, 'w');
    // The empty trace exists at once; errors surface through opened(), the first flush() or close().
    this.#opened = this.#handle.then(async (handle) => {
      await writeAll(handle, Buffer.from(header + CLOSING), 0);
    });
    this.#queue = this.#opened;
    // Handled here so that a file that cannot be created never ends the process as an unhandled rejection
    // between now and the first flush: whoever cares awaits opened().
    this.#opened.catch(() => undefined);
  }

  /** Resolves once the empty trace is in the file; rejects (with the system's reason) when it cannot be created. */
  opened(): Promise<void> {
    return this.#opened;
  }

  /** Why the writer stopped writing (events kept failing to reach the file), or undefined. */
  get failure(): Error | undefined {
    return this.#gaveUp;
  }

  /** Events written so far plus those waiting for the next flush. */
  get eventCount(): number {
    return this.#count + this.#pending.length;
  }

  /** Queues events for the next flush (cheap: nothing is serialised yet). Ignored once closed or given up. */
  append(events: readonly TraceEvent[]): void {
    if (this.#closed || this.#gaveUp) return;
    for (const event of events) this.#pending.push(event);
  }

  /** Writes the events appended since the last flush; resolves once they are in the file. */
  flush(): Promise<void> {
    const run = this.#queue.then(() => this.#write());
    // A failed write is reported to this caller; the next flush tries again from the same offset, holding the
    // events meanwhile (a file never opened holds them too) — up to a bound, past which the writer gives up.
    this.#queue = run.catch((error: Error) => {
      if (this.#pending.length > MAX_HELD_EVENTS) this.#giveUp(error);
    });
    return run;
  }

  /** Flushes what is left and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return this.#queue;
    this.#closed = true;
    try {
      await this.flush();
    } finally {
      const handle = await this.#handle.catch(() => undefined);
      await handle?.close();
    }
  }

  async #write(): Promise<void> {
    if (this.#pending.length === 0) return;
    const handle = await this.#handle;
    const events = this.#pending;
    this.#pending = [];
    let text = '';
    for (let i = 0; i < events.length; i += 1) text += (this.#count + i === 0 ? '\n  ' : ',\n  ') + JSON.stringify(events[i]);
    const body = Buffer.from(text + CLOSING);
    const eventsBytes = body.length - CLOSING.length;
    try {
      await writeAll(handle, body, this.#offset);
    } catch (error) {
      // Not written: keep the events for the next try (the closing bytes at #offset may be partly
      // overwritten by a short write, but the next successful write rewrites them).
      this.#pending = events.concat(this.#pending);
      throw error;
    }
    this.#offset += eventsBytes;
    this.#count += events.length;
  }

  /** Drops the held events and takes no more: the file keeps its last flushed state, which parses. */
  #giveUp(error: Error): void {
    this.#gaveUp = error;
    this.#pending = [];
  }
}

async function writeAll(handle: fs.FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, done, buffer.length - done, position + done);
    done += bytesWritten;
  }
}
