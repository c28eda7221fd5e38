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

export class TraceFileWriter {
  #pending: TraceEvent[] = [];
  #count = 0;
  /** Byte offset of the closing bytes: where the next events go. */
  #offset = 0;
  #handle: Promise<fs.FileHandle>;
  /** Every write runs after the previous one: flushes never interleave. */
  #queue: Promise<void>;
  #closed = false;

  constructor(
    readonly path: string,
    meta: TraceMeta,
  ) {
    const header = `{\n "format": "ftp-lab-trace",\n "version": 1,\n "meta": ${JSON.stringify(meta)},\n "events": [`;
    this.#offset = Buffer.byteLength(header);
    this.#handle = fs.open(path, 'w');
    // The empty trace exists at once; errors surface on the first flush() or close().
    this.#queue = this.#handle.then(async (handle) => {
      await writeAll(handle, Buffer.from(header + CLOSING), 0);
    });
  }

  /** Events written so far plus those waiting for the next flush. */
  get eventCount(): number {
    return this.#count + this.#pending.length;
  }

  /** Queues events for the next flush (cheap: nothing is serialised yet). Ignored once closed. */
  append(events: readonly TraceEvent[]): void {
    if (this.#closed) return;
    for (const event of events) this.#pending.push(event);
  }

  /** Writes the events appended since the last flush; resolves once they are in the file. */
  flush(): Promise<void> {
    const run = this.#queue.then(() => this.#write());
    // A failed write is reported to this caller; the next flush tries again from the same offset.
    this.#queue = run.catch(() => undefined);
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
}

async function writeAll(handle: fs.FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, done, buffer.length - done, position + done);
    done += bytesWritten;
  }
}
