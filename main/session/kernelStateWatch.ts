// Puts the kernel's account of each connection in the trace: after every TCP event of a connection, each end
// in this process looks itself up in the kernel's table (kernelTcpTable.ts) and a tcp.state event records any
// change — which end ends up in TIME_WAIT is the operating system's answer, not FTP Lab's (issue 12).

import type { TraceRecorder } from '../../core/trace/traceRecorder';
import type { Channel, Endpoint, KernelTcpState, Side, TraceEvent } from '../../core/trace/traceEvent';
import { readKernelTcpTable, type KernelConnection } from '../net/kernelTcpTable';

/** An end of a connection this process holds, and the state last recorded for it. */
interface WatchedEnd {
  readonly side: Side;
  readonly channel: Channel;
  readonly conn: string;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly session: number | undefined;
  last: KernelTcpState | undefined;
  /** Looked at again this long after its last event: the peer's ACK of a FIN takes a moment (LAST_ACK → CLOSED). */
  settleAt: number;
}

/** After a connection's last event, how long its ends are still looked at. */
const SETTLE_MS = 60;
/** States after which an end is no longer looked at (TIME_WAIT lasts a minute or two; it is the answer). */
const FINAL: ReadonlySet<KernelTcpState> = new Set(['TIME_WAIT', 'CLOSED']);

export class KernelStateWatch {
  readonly #recorder: TraceRecorder;
  readonly #ends = new Map<string, WatchedEnd>();
  /** A sample is due at the end of the current task (several events of one task share one read of the table). */
  #scheduled = false;
  #settleTimer: NodeJS.Timeout | undefined;
  #unavailable = false;
  readonly #unsubscribe: () => void;

  constructor(recorder: TraceRecorder) {
    this.#recorder = recorder;
    this.#unsubscribe = recorder.subscribe((event) => this.#seen(event));
  }

  #seen(event: TraceEvent): void {
    if (this.#unavailable) return;
    if (event.type === 'tcp.connect' || event.type === 'tcp.accept') {
      const key = `${event.conn}/${event.side}`;
      this.#ends.set(key, {
        side: event.side,
        channel: event.channel,
        conn: event.conn,
        local: event.local,
        remote: event.remote,
        session: event.session,
        last: undefined,
        settleAt: 0,
      });
    } else if (event.type !== 'tcp.fin' && event.type !== 'tcp.rst' && event.type !== 'tcp.close') {
      return;
    }
    // A FIN or RST changes both ends' states, whoever recorded it.
    for (const end of this.#ends.values()) if (end.conn === event.conn) end.settleAt = performance.now() + SETTLE_MS;
    // Not now: recording from inside the recorder's own listener would put this event before the one being told.
    // A microtask runs right after it, before any further I/O: the state is the one the event left.
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#sample());
    }
  }

  #sample(): void {
    this.#scheduled = false;
    if (this.#ends.size === 0) return;
    const table = readKernelTcpTable();
    if (!Array.isArray(table)) {
      this.#unavailable = true;
      this.#recorder.record({ type: 'note', side: 'server', text: `No kernel TCP states: ${table.unavailable}.` });
      this.#ends.clear();
      return;
    }
    const now = performance.now();
    for (const [key, end] of this.#ends) {
      const state = stateOf(table, end);
      if (state !== end.last) {
        end.last = state;
        this.#recorder.record({
          type: 'tcp.state',
          side: end.side,
          channel: end.channel,
          conn: end.conn,
          state,
          ...(end.session !== undefined ? { session: end.session } : {}),
        });
      }
      if (FINAL.has(state)) this.#ends.delete(key);
    }
    // Ends still settling are looked at once more when their time is up.
    const next = Math.min(...[...this.#ends.values()].map((e) => e.settleAt).filter((t) => t > now));
    clearTimeout(this.#settleTimer);
    this.#settleTimer = Number.isFinite(next) ? setTimeout(() => this.#sample(), next - now) : undefined;
  }

  /** Waits for the samples still due (a run's trace is written after this), then stops watching. */
  async close(): Promise<void> {
    const due = Math.max(0, ...[...this.#ends.values()].map((e) => e.settleAt - performance.now()));
    if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
    clearTimeout(this.#settleTimer);
    if (this.#ends.size > 0 && !this.#unavailable) this.#sample();
    clearTimeout(this.#settleTimer);
    this.#unsubscribe();
    this.#ends.clear();
  }
}

function stateOf(table: readonly KernelConnection[], end: WatchedEnd): KernelTcpState {
  const row = table.find(
    (r) => r.local.port === end.local.port && r.remote.port === end.remote.port && r.local.host === end.local.host && r.remote.host === end.remote.host,
  );
  // No row: the kernel holds no such connection (RFC 793 §3.2: CLOSED "represents no connection state at all").
  return row?.state ?? 'CLOSED';
}
