// The app's session host: answers the renderer's requests (core/api) by running real sessions on
// loopback — the built-in server and the client with a step gate — and pushes every trace event of a run (of a
// watched server: a line per session and the events of the sessions the page follows, main/session/classroom.ts,
// the complete trace going to a file); it also renders the page's exports with the CLI's own code (main/export/).
// Both the Electron shell and the browser host wrap this one object; their transports pace its pushes to the page
// (main/session/hostOutbox.ts) and add no other logic.

import {
  validateRequest,
  type Breakpoints,
  type ExportRequest,
  type HostMessage,
  type OpenedCapture,
  type RequestName,
  type RequestResults,
  type SessionOptions,
} from '../../core/api/labApi';
import { builtinScenarios, findBuiltinScenario } from '../../core/scenarios/builtinScenarios';
import { DEFAULT_ACCOUNT, parseScenario, settingsFor, type Scenario } from '../../core/scenarios/scenario';
import { createTraceFile, parseTrace } from '../../core/trace/traceFile';
import { importCapture } from '../../core/capture/import/captureImport';
import { maskCommandLine } from '../../core/trace/mask';
import { TraceRecorder } from '../../core/trace/traceRecorder';
import type { TraceMeta } from '../../core/trace/traceEvent';
import type { ResyncSource } from './hostOutbox';
import { startFtpServer, type FtpServer } from './ftpServer';
import { StepGate } from './stepGate';
import { createMemoryStore } from '../store/memoryStore';
import { startLabSession } from './labSession';
import { Classroom } from './classroom';
import { TraceFileWriter } from './traceFileWriter';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How often a watched server's trace file is brought up to date. */
const TRACE_FLUSH_MS = 500;

interface LiveSession {
  readonly id: string;
  readonly gate: StepGate;
  readonly recorder: TraceRecorder;
  readonly server: FtpServer | undefined;
  readonly done: Promise<void>;
  readonly abort: AbortController;
  /** A watched server's sessions, for the classroom list (watchServer only). */
  readonly classroom?: Classroom;
  /** Everything a page should draw of this session now (see resyncSource). */
  readonly resync: ResyncSource;
}

export interface LabHostOptions {
  /** Allow sessions against servers outside loopback (off: a classroom tool talks to this machine). */
  readonly allowRemoteServers?: boolean;
  readonly tool?: string;
  /** Where a watched server's complete trace file is written (default: the system's temporary folder). */
  readonly watchTraceDir?: string;
}

export class LabHost {
  readonly #listeners = new Set<(message: HostMessage) => void>();
  readonly #sessions = new Map<string, LiveSession>();
  #counter = 0;

  constructor(private readonly options: LabHostOptions = {}) {}

  subscribe(listener: (message: HostMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Where a page that was not sent some of a session's events (its outbox was full) can have what it should draw
   * again: a run's recorder keeps all its events (so this works after the run ended); a watched server's classroom
   * keeps its followed sessions' (undefined once the server is stopped: its trace file has them).
   */
  resyncSource(sessionId: string): ResyncSource | undefined {
    return this.#sessions.get(sessionId)?.resync;
  }

  /** Validates and runs one request: the single entry point both hosts use. */
  async request(name: unknown, args: unknown): Promise<unknown> {
    const valid = validateRequest(name, args);
    return this.#dispatch(valid.name, valid.args);
  }

  async #dispatch(name: RequestName, args: unknown[]): Promise<unknown> {
    switch (name) {
      case 'listScenarios':
        return builtinScenarios.map((s) => ({ name: s.name, title: s.title, description: s.description })) satisfies RequestResults['listScenarios'];
      case 'startSession':
        return this.#start(args[0] as SessionOptions);
      case 'watchServer':
        return this.#watch((args[0] as { port: number }).port);
      case 'gate': {
        const session = this.#running(args[0] as string);
        if (!session) return undefined;
        const command = args[1] as 'pause' | 'resume' | 'step';
        if (command === 'pause') session.gate.pause();
        else if (command === 'resume') session.gate.resume();
        else session.gate.step();
        return undefined;
      }
      case 'setBreakpoints':
        this.#running(args[0] as string)?.gate.setBreakpoints(args[1] as Breakpoints);
        return undefined;
      case 'stopSession': {
        const session = this.#running(args[0] as string);
        if (session) await this.#stop(session);
        return undefined;
      }
      case 'parseTrace':
        return parseTrace(args[0] as string);
      case 'importCapture': {
        const { name, base64 } = args[0] as OpenedCapture;
        return importCapture(new Uint8Array(Buffer.from(base64, 'base64')), { fileName: name, tool: this.options.tool ?? 'ftp-lab' });
      }
      case 'follow': {
        const classroom = this.#session(args[0] as string).classroom;
        if (!classroom) throw new Error('Only a watched server has sessions to follow.');
        classroom.follow(args[1] as number[]);
        return undefined;
      }
      case 'ack':
        // Taken by the transport's outbox (main/session/hostOutbox.ts) before it gets here; nothing for the host to do.
        return undefined;
      case 'exportTrace': {
        // The renderers (resvg's native binary, PDFKit) load with the first export, not with the host.
        const { answerExportRequest } = await import('../export/exportRequest');
        return answerExportRequest(args[0] as ExportRequest);
      }
    }
  }

  async #start(options: SessionOptions): Promise<RequestResults['startSession']> {
    const scenario = await scenarioFor(options.scenario);
    const settings = settingsFor(scenario, {
      ...(options.passive !== undefined ? { passive: options.passive } : {}),
      ...(options.type ? { type: options.type } : {}),
      ...(options.mode ? { mode: options.mode } : {}),
      ...(options.file ? { file: options.file } : {}),
      ...(options.size !== undefined ? { size: options.size } : {}),
      ...(options.user ? { user: options.user } : {}),
      ...(options.password ? { password: options.password } : {}),
    });
    if (options.server && !this.options.allowRemoteServers && !isLoopback(options.server.host)) {
      throw new Error(`Only servers on this machine (loopback) can be used here, not ${options.server.host}.`);
    }
    const id = `s${++this.#counter}`;
    const recorder = new TraceRecorder(() => performance.now());
    // The client waits at the gate before each action; the built-in server before each reply and each close of its own.
    const gate = new StepGate({
      paused: options.paused ?? false,
      breakpoints: options.breakpoints ?? {},
      holds: options.server ? ['client'] : ['client', 'server'],
    });
    recorder.subscribe((event) => this.#push({ type: 'trace.event', sessionId: id, event }));
    this.#announceGate(id, gate);
    const abort = new AbortController();
    const lab = await startLabSession({
      scenario,
      settings,
      tool: this.options.tool ?? 'ftp-lab',
      recorder,
      gate,
      signal: abort.signal,
      extended: options.extended ?? false,
      ...(options.server ? { server: options.server } : {}),
      // Recorded for the diagram's kernel-state view: which end ends in TIME_WAIT is the kernel's answer.
      kernelTcpStates: true,
    });
    const session: LiveSession = {
      id,
      gate,
      recorder,
      server: lab.server,
      abort,
      resync: () => recorder.events,
      done: lab.done
        .then((output) => this.#push({ type: 'session.end', sessionId: id, ok: output.ok, ...(output.failure ? { failure: output.failure } : {}) }))
        .catch((error: Error) => this.#push({ type: 'session.end', sessionId: id, ok: false, failure: error.message }))
        .finally(() => this.#sessions.delete(id)),
    };
    this.#sessions.set(id, session);
    return { sessionId: id, trace: createTraceFile(lab.meta, recorder.events) };
  }

  /** The built-in server on loopback, watched: whatever an external client does with it arrives as one session's events, until stopSession. */
  async #watch(port: number): Promise<RequestResults['watchServer']> {
    // Nothing kept in the recorder: the trace file, the classroom's bounded memory and the page hold the events.
    const recorder = new TraceRecorder(() => performance.now(), { retain: false });
    // The external client sets the pace; the server can be held before each reply and each close of its own.
    const gate = new StepGate({ paused: false, holds: ['server'] });
    let server: FtpServer;
    try {
      server = await startFtpServer({
        host: '127.0.0.1',
        port,
        store: createMemoryStore(),
        recorder,
        accounts: [DEFAULT_ACCOUNT],
        anonymous: true,
        numberSessions: true,
        loginDelayMs: 1000,
        gate,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'EADDRINUSE'
          ? `Port ${port} on 127.0.0.1 is already in use: pick another one (0 picks a free port).`
          : `Could not start the server on 127.0.0.1:${port}: ${(error as Error).message}`,
      );
    }
    const id = `s${++this.#counter}`;
    const meta: TraceMeta = {
      createdAt: new Date().toISOString(),
      tool: this.options.tool ?? 'ftp-lab',
      title: `Watching the server on ${server.address.host}:${server.address.port}`,
      server: { host: server.address.host, port: server.address.port },
      passwordsMasked: true,
    };
    // The complete trace goes to a file as it happens; the page is sent a line per session and the events of the
    // sessions it follows (a class of fifty clients makes hundreds of thousands of events an hour).
    const traceDir = this.options.watchTraceDir ?? tmpdir();
    let writer: TraceFileWriter;
    try {
      writer = await openWatchTrace(traceDir, meta, server.address.port);
    } catch (error) {
      await server.close();
      throw new Error(`Cannot write the watched server's trace to ${traceDir}: ${(error as Error).message}`);
    }
    const traceFile = writer.path;
    // A flush that fails is retried with the next one (the writer holds the events, up to a bound); the page is told once.
    let toldOfFailure = false;
    const flush = () =>
      writer.flush().catch((error: Error) => {
        if (toldOfFailure) return;
        toldOfFailure = true;
        this.#push({ type: 'host.notice', sessionId: id, text: `The watched server's trace file ${traceFile} could not be written: ${error.message}` });
      });
    const flushEvery = setInterval(() => void flush(), TRACE_FLUSH_MS);
    const classroom = new Classroom({ sessionId: id, push: (message) => this.#push(message) });
    recorder.subscribe((event) => {
      gate.observe(event);
      writer.append([event]);
      classroom.observe(event);
    });
    this.#announceGate(id, gate);
    const abort = new AbortController();
    const session: LiveSession = {
      id,
      gate,
      recorder,
      server,
      abort,
      classroom,
      resync: () => classroom.followedEvents(),
      done: new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }))
        .then(() => server.close())
        .finally(() => {
          clearInterval(flushEvery);
          classroom.close();
          return writer.close().catch(() => undefined);
        })
        .then(
          () => this.#push({ type: 'session.end', sessionId: id, ok: true }),
          (error: Error) => this.#push({ type: 'session.end', sessionId: id, ok: false, failure: error.message }),
        )
        .finally(() => this.#sessions.delete(id)),
    };
    this.#sessions.set(id, session);
    return { sessionId: id, port: server.address.port, trace: createTraceFile(meta, []), traceFile };
  }

  async #stop(session: LiveSession): Promise<void> {
    session.abort.abort();
    session.gate.resume();
    await session.done;
  }

  /** Ends every session (closing its sockets): the host is shutting down. */
  async close(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((s) => this.#stop(s)));
    this.#listeners.clear();
  }

  /** Tells the renderer what the gate holds, as a reader should see it (PASS masked). */
  #announceGate(id: string, gate: StepGate): void {
    gate.subscribe((state) => {
      const held = state.waiting;
      const waiting = held ? (held.side === 'client' ? maskCommandLine(held.line ?? held.action, false) : (held.line ?? held.action)) : undefined;
      this.#push({
        type: 'gate.state',
        sessionId: id,
        paused: state.paused,
        ...(waiting ? { waiting, side: held!.side } : {}),
        ...(state.reason ? { reason: state.reason } : {}),
      });
    });
  }

  /**
   * The session a control (step, resume, pause, breakpoints, stop) is for; undefined when it has already ended:
   * the page's click and the session's end cross on the wire (a Resume pressed as the last reply comes in), and
   * there is nothing left to control, which is no error. An id this host never gave out still is one.
   */
  #running(id: string): LiveSession | undefined {
    const session = this.#sessions.get(id);
    if (session) return session;
    const number = /^s(\d+)$/.exec(id)?.[1];
    if (number !== undefined && Number(number) >= 1 && Number(number) <= this.#counter) return undefined;
    throw new Error(`No running session ${id}.`);
  }

  #session(id: string): LiveSession {
    const session = this.#sessions.get(id);
    if (!session) throw new Error(`No running session ${id}.`);
    return session;
  }

  #push(message: HostMessage): void {
    for (const listener of this.#listeners) listener(message);
  }
}

async function scenarioFor(choice: SessionOptions['scenario']): Promise<Scenario> {
  if (typeof choice === 'string') {
    const builtin = findBuiltinScenario(choice);
    if (!builtin) throw new Error(`No built-in scenario "${choice}".`);
    return builtin;
  }
  return parseScenario(choice.json);
}

function isLoopback(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === 'localhost' || host === '::1';
}

/**
 * A watched server's trace file, created and its header written: in a fresh private folder (mkdtemp) under `dir`,
 * created exclusively and readable by its owner only — a shared temporary folder must not let another user
 * plant a symlink at a guessable name or read the class's session.
 */
async function openWatchTrace(dir: string, meta: TraceMeta, port: number): Promise<TraceFileWriter> {
  const folder = await mkdtemp(join(dir, 'ftp-lab-watch-'));
  const writer = new TraceFileWriter(join(folder, `watch-${meta.createdAt.replace(/[:.]/g, '-')}-${port}.trace.json`), meta, { exclusive: true });
  try {
    await writer.opened();
  } catch (error) {
    await writer.close().catch(() => undefined);
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return writer;
}
