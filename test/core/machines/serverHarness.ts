// A fake world for the server session machine: no sockets, no store. The test plays the control
// connection, the data channel and the store by sending their events, reads what the machine emitted,
// and moves time on a SimulatedClock.

import { createActor, SimulatedClock, type Actor } from 'xstate';
import { serverSessionMachine, type ServerEmitted, type ServerEvent } from '../../../core/machines/serverSession.machine';
import type { ServerConfig } from '../../../core/machines/serverSession.context';
import type { FileActionResult } from '../../../core/machines/serverFileActions';
import { parseRequest } from '../../../core/protocol/serverRequest';

export const LOCAL = { host: '127.0.0.1', port: 2121 };
export const PEER = { host: '127.0.0.1', port: 50000 };

export const config: ServerConfig = {
  accounts: [{ user: 'alice', password: 's3cret' }],
  anonymous: true,
  loginDelayMs: 1000,
  maxLoginFailures: 3,
  dataTimeoutMs: 5000,
  nowMs: () => Date.UTC(2026, 11, 3),
};

export interface ServerHarness {
  readonly actor: Actor<typeof serverSessionMachine>;
  readonly clock: SimulatedClock;
  /** Everything the machine emitted, in order. */
  readonly emitted: ServerEmitted[];
  /** Emitted since the last call (and forgets them). */
  take(): ServerEmitted[];
  /** Reply codes emitted since the last take(). */
  codes(): number[];
  command(line: string): ServerEmitted[];
  send(event: ServerEvent): ServerEmitted[];
  /** The store's answer to the pending file.request. */
  fileDone(result?: FileActionResult): ServerEmitted[];
  session(): string;
  data(): string;
}

const pathOf = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : (Object.entries(value as Record<string, unknown>).map(([k, v]) => {
        const rest = pathOf(v);
        return rest ? `${k}.${rest}` : k;
      })[0] ?? '');

export function serverHarness(options: Partial<ServerConfig> = {}, refuse?: string): ServerHarness {
  const clock = new SimulatedClock();
  const actor = createActor(serverSessionMachine, {
    clock,
    input: { local: LOCAL, peer: PEER, config: { ...config, ...options }, ...(refuse ? { refuse } : {}) },
  });
  const emitted: ServerEmitted[] = [];
  let mark = 0;
  actor.on('*', (event) => emitted.push(event as ServerEmitted));
  actor.start();
  const take = () => {
    const out = emitted.slice(mark);
    mark = emitted.length;
    return out;
  };
  const value = () => actor.getSnapshot().value as { session: unknown; data: unknown };
  return {
    actor,
    clock,
    emitted,
    take,
    codes: () => take().flatMap((e) => (e.type === 'reply' ? [e.code] : [])),
    command(line) {
      actor.send({ type: 'control.command', request: parseRequest(line) });
      return take();
    },
    send(event) {
      actor.send(event);
      return take();
    },
    fileDone(result = { ok: true, info: { name: 'f', path: '/f', kind: 'file', size: 1024, modifiedMs: 0 } }) {
      const asked = emitted.findLast((e) => e.type === 'file.request');
      if (asked?.type !== 'file.request') throw new Error('fileDone: the machine asked the store nothing');
      actor.send({ type: 'file.done', request: asked.request, result });
      return take();
    },
    session: () => pathOf(value().session),
    data: () => pathOf(value().data),
  };
}

/** Logs in as anonymous; returns the harness with nothing left to take. */
export function loggedIn(options: Partial<ServerConfig> = {}): ServerHarness {
  const h = serverHarness(options);
  h.command('USER anonymous');
  h.command('PASS x');
  h.take();
  return h;
}

export const listening = { type: 'data.listening' as const, local: { host: '127.0.0.1', port: 40000 } };
export const connected = { type: 'data.connected' as const, local: { host: '127.0.0.1', port: 40000 }, remote: { host: '127.0.0.1', port: 50001 } };
