// One run of a scenario, the one orchestration `ftp-lab run`, the app's live runs and the bench share: the
// built-in server on loopback (unless the run targets another server), one recorder, the trace's meta, and
// FTP Lab's client playing the scenario's steps. The built-in server stops when the client is done.

import type { ClientOutput } from '../../core/machines/clientSession.machine';
import type { ClientStep } from '../../core/machines/clientSession.context';
import { DEFAULT_ACCOUNT, resolveScenario, type RunSettings, type Scenario } from '../../core/scenarios/scenario';
import type { Endpoint, TraceMeta } from '../../core/trace/traceEvent';
import { TraceRecorder } from '../../core/trace/traceRecorder';
import { createMemoryStore } from '../store/memoryStore';
import { runClientSession } from './clientSession';
import { startFtpServer, type FtpServer } from './ftpServer';
import { KernelStateWatch } from './kernelStateWatch';
import type { StepGate } from './stepGate';
import type { PassivePortRange } from '../net/passivePorts';

export interface LabSessionOptions {
  readonly scenario: Scenario;
  readonly settings: RunSettings;
  /** Who made the trace (its meta's `tool`). */
  readonly tool: string;
  /** Another server to play against; absent: the built-in one, on a free loopback port. */
  readonly server?: Endpoint;
  /** Where the events go (a new recorder if absent; the bench gives one for many runs). */
  readonly recorder?: TraceRecorder;
  /** Holds the client before each action and the built-in server before each reply and close of its own. */
  readonly gate?: StepGate;
  readonly extended?: boolean;
  readonly revealPasswords?: boolean;
  readonly sessionTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Records each end's TCP state as the kernel reports it (tcp.state events; kernelStateWatch.ts). */
  readonly kernelTcpStates?: boolean;
  /** The built-in server's passive-mode ports (a packet capture names them in its filter). */
  readonly passivePorts?: PassivePortRange;
  /** Runs once the server's address is known, before the client connects (a packet capture starts here). */
  readonly beforeClient?: (address: Endpoint) => Promise<void>;
}

export interface LabSession {
  /** The server the client plays against. */
  readonly address: Endpoint;
  readonly recorder: TraceRecorder;
  readonly meta: TraceMeta;
  readonly steps: readonly ClientStep[];
  /** The built-in server, while the run lasts (undefined when the run targets another server). */
  readonly server: FtpServer | undefined;
  /** The client's outcome, once it is done and the built-in server has stopped. */
  readonly done: Promise<ClientOutput>;
}

/** Starts the run: resolves once the server is up (so a caller can show where), with the run going on in `done`. */
export async function startLabSession(options: LabSessionOptions): Promise<LabSession> {
  const { scenario, settings } = options;
  const recorder = options.recorder ?? new TraceRecorder(() => performance.now());
  const kernelStates = options.kernelTcpStates ? new KernelStateWatch(recorder) : undefined;
  const server = options.server
    ? undefined
    : await startFtpServer({
        store: createMemoryStore(),
        recorder,
        accounts: [DEFAULT_ACCOUNT],
        anonymous: true,
        loginDelayMs: 1000,
        ...(options.gate ? { gate: options.gate } : {}),
        ...(options.passivePorts ? { passivePorts: options.passivePorts } : {}),
      });
  const address = options.server ?? server!.address;
  try {
    await options.beforeClient?.(address);
  } catch (error) {
    await server?.close();
    await kernelStates?.close();
    throw error;
  }
  const steps = resolveScenario(scenario, settings);
  const meta: TraceMeta = {
    createdAt: new Date().toISOString(),
    tool: options.tool,
    title: scenario.title,
    scenario: scenario.name,
    server: { host: address.host, port: address.port },
    passwordsMasked: !options.revealPasswords,
    settings: { passive: settings.passive, type: settings.type, mode: settings.mode, file: settings.file, size: settings.size },
  };
  const done = runClientSession({
    server: { host: address.host, port: address.port },
    steps,
    extended: options.extended ?? false,
    recorder,
    ...(options.gate ? { gate: options.gate } : {}),
    ...(options.revealPasswords ? { revealPasswords: true } : {}),
    ...(options.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: options.sessionTimeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  }).finally(async () => {
    await server?.close();
    // The last closes' states (TIME_WAIT, CLOSED) are read a moment after them: in the trace before it is written.
    await kernelStates?.close();
  });
  return { address, recorder, meta, steps, server, done };
}
