// A long, real trace for the renderer and export figures (issues 4 and 5): built-in scenarios run again
// and again, on loopback, by FTP Lab's own client (main/session/labSession.ts) against one server of its own,
// all into one TraceRecorder.
import { writeFile } from 'node:fs/promises';
import { findBuiltinScenario } from '../core/scenarios/builtinScenarios';
import { settingsFor } from '../core/scenarios/scenario';
import type { TraceMeta } from '../core/trace/traceEvent';
import { createTraceFile, serializeTrace } from '../core/trace/traceFile';
import { TraceRecorder } from '../core/trace/traceRecorder';
import { startLabSession } from '../main/session/labSession';
import { startFtpServer } from '../main/session/ftpServer';
import { createMemoryStore } from '../main/store/memoryStore';

export interface BigTrace {
  path: string;
  events: number;
  bytes: number;
  sessions: number;
  /** Wall-clock milliseconds to run the sessions (not a figure of the bench, just for the log). */
  ms: number;
}

/** Runs `scenarios` in turn until the trace has at least `minEvents` events, and saves it as `path`. */
export async function makeBigTrace(path: string, minEvents: number, scenarios: readonly string[] = ['block-reuse', 'listing']): Promise<BigTrace> {
  const started = performance.now();
  const recorder = new TraceRecorder(() => performance.now());
  const server = await startFtpServer({ store: createMemoryStore(), recorder, anonymous: true, numberSessions: true });
  let sessions = 0;
  try {
    while (recorder.events.length < minEvents) {
      const name = scenarios[sessions % scenarios.length]!;
      const scenario = findBuiltinScenario(name);
      if (!scenario) throw new Error(`no built-in scenario "${name}"`);
      // One server for every run (numbered sessions, one trace): each run plays against it, as against any server.
      const lab = await startLabSession({
        scenario,
        settings: settingsFor(scenario, { user: 'anonymous' }),
        tool: 'ftp-lab bench',
        server: server.address,
        recorder,
        sessionTimeoutMs: 30_000,
      });
      const output = await lab.done;
      if (!output.ok) throw new Error(`session ${sessions + 1} (${name}) failed: ${output.failure}`);
      sessions++;
    }
  } finally {
    await server.close();
  }
  const meta: TraceMeta = {
    createdAt: new Date().toISOString(),
    tool: 'ftp-lab bench',
    title: `bench: ${sessions} sessions (${scenarios.join(', ')})`,
    server: server.address,
    passwordsMasked: true,
  };
  const text = serializeTrace(createTraceFile(meta, recorder.events));
  await writeFile(path, text);
  return { path, events: recorder.events.length, bytes: Buffer.byteLength(text), sessions, ms: performance.now() - started };
}
