// Path tests of the server session machine with xstate/graph: every state the events below can reach is
// walked, and the graph must say what RFC 959 says of the data connection: whatever happens, it can end
// closed; no state is a dead end; every command of the command table has a path to an answer.

import { describe, expect, it } from 'vitest';
import { createActor, type ActorLogic } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { DATA_STATES, serverSessionMachine, type ServerEvent } from '../../../core/machines/serverSession.machine';
import { commandTable } from '../../../core/protocol/commands.table';
import { parseRequest } from '../../../core/protocol/serverRequest';
import { config, connected, LOCAL, listening, PEER } from './serverHarness';

const input = { local: LOCAL, peer: PEER, config };
const command = (line: string): ServerEvent => ({ type: 'control.command', request: parseRequest(line) });
// The graph walks events, not the requests behind them: one request stands for all (these tests check where the machine can go, not what it says).
const asked = { op: 'prepareRetr', path: '/f', offset: 0 } as const;
const fileOk: ServerEvent = {
  type: 'file.done',
  request: asked,
  result: { ok: true, path: '/f', info: { name: 'f', path: '/f', kind: 'file', size: 10, modifiedMs: 0 } },
};
const fileFailed: ServerEvent = { type: 'file.done', request: asked, result: { ok: false, error: 'notFound' } };

/** What the world can do: the client's commands, the sockets' reports, the store's answers, the timers. */
const events: ServerEvent[] = [
  ...[
    'USER anonymous',
    'PASS x',
    'PASV',
    'EPSV',
    'PORT 127,0,0,1,195,80',
    'RETR f',
    'STOR f',
    'LIST',
    'ABOR',
    'QUIT',
    'MODE B',
    'MODE S',
    'RNFR a',
    'RNTO b',
    'NOOP',
  ].map(command),
  listening,
  connected,
  { type: 'data.failed', reason: 'refused' },
  { type: 'data.sent', bytes: 10 },
  { type: 'data.received', bytes: 10 },
  { type: 'data.finSent', bytes: 10 },
  { type: 'data.peerFin' },
  { type: 'data.closed', bytes: 10 },
  { type: 'data.lost', bytes: 5, reason: 'reset' },
  fileOk,
  { type: 'server.shutdown' },
  fileFailed,
  { type: 'control.closed', reason: 'peer' },
  { type: 'control.idle', seconds: 300 },
  // Delayed transitions, as XState names their events.
  { type: 'xstate.after.loginDelay.server.session.notLoggedIn.loginRefused' } as unknown as ServerEvent,
  { type: 'xstate.after.dataTimeout.server.session.loggedIn.transfer.opening' } as unknown as ServerEvent,
];

type Snapshot = ReturnType<typeof serverSessionMachine.transition>;
const valueOf = (s: Snapshot) => s.value as { session: unknown; data: unknown };
const path = (value: unknown): string =>
  typeof value === 'string' ? value : (Object.entries(value as Record<string, unknown>).map(([k, v]) => (path(v) ? `${k}.${path(v)}` : k))[0] ?? '');
/** A vertex: both regions' states and the context that decides what comes next (mode, what is pending). */
const serializeState = (s: Snapshot) => {
  const c = s.context;
  return JSON.stringify([
    path(valueOf(s).session),
    path(valueOf(s).data),
    c.mode,
    c.current?.verb ?? '',
    c.queue.length > 0,
    c.renameFrom !== undefined,
    c.transfer?.direction ?? '',
    c.loginFailures,
    c.user !== undefined,
    s.status,
  ]);
};

// Typed as the graph functions see any actor logic (the machine's emitted-event types do not matter here).
const logic = serverSessionMachine as unknown as ActorLogic<Snapshot, ServerEvent, typeof input>;
type Vertex = { state: Snapshot; transitions: Record<string, { event: ServerEvent; state: Snapshot }> };
const adjacency = getAdjacencyMap(logic, { input, events, serializeState, limit: 1_000_000 }) as unknown as Record<string, Vertex>;
const vertices = Object.keys(adjacency);

/** Each vertex's predecessors: "can reach X" is one search backwards from X, not one search per vertex. */
const predecessors = new Map<string, Set<string>>();
for (const v of vertices) {
  for (const t of Object.values(adjacency[v]!.transitions)) {
    const next = serializeState(t.state);
    if (!predecessors.has(next)) predecessors.set(next, new Set());
    predecessors.get(next)!.add(v);
  }
}

/** The vertices from which some vertex satisfying `goal` can be reached (those included). */
function canReach(goal: (vertex: string) => boolean): Set<string> {
  const found = new Set(vertices.filter(goal));
  const todo = [...found];
  while (todo.length) {
    for (const p of predecessors.get(todo.pop()!) ?? []) {
      if (found.has(p)) continue;
      found.add(p);
      todo.push(p);
    }
  }
  return found;
}

const dataOf = (vertex: string) => (JSON.parse(vertex) as string[])[1]!;

describe('the server machine as a graph (xstate/graph)', () => {
  it('is walked in full: a few hundred states, every data state among them', () => {
    expect(vertices.length).toBeGreaterThan(100);
    expect(vertices.length).toBeLessThan(30_000);
    const dataStates = new Set(vertices.map(dataOf));
    for (const state of DATA_STATES) expect(dataStates, state).toContain(state);
  });

  it('from every state, the data region can end closed (or released with the session): no data connection is stranded', () => {
    const canClose = canReach((v) => dataOf(v) === 'closed' || dataOf(v) === 'released');
    expect(vertices.filter((v) => !canClose.has(v))).toEqual([]);
  });

  it('no state lacks a way out: every state that is not the end has a transition to another state', () => {
    const deadEnds = vertices.filter((v) => {
      const snapshot = adjacency[v]!.state as Snapshot;
      if (snapshot.status === 'done') return false;
      return Object.values(adjacency[v]!.transitions).every((t) => serializeState(t.state) === v);
    });
    expect(deadEnds).toEqual([]);
  });

  it('every path ends with the session done once the control connection goes', () => {
    const isDone = (v: string) => adjacency[v]!.state.status === 'done';
    expect(vertices.some(isDone)).toBe(true);
    const canEnd = canReach(isDone);
    expect(vertices.filter((v) => !canEnd.has(v))).toEqual([]);
  });

  it('every command in the command table has a path to an answer (a reply, or the store or data channel asked)', () => {
    const toIdle = getShortestPaths(logic, {
      input,
      events,
      serializeState,
      toState: (s) => path(valueOf(s as Snapshot).session) === 'loggedIn.idle',
      limit: 1_000_000,
    });
    expect(toIdle.length).toBeGreaterThan(0);
    const steps = toIdle[0]!.steps.map((s) => s.event).filter((e) => !e.type.startsWith('xstate.init'));
    const unanswered: string[] = [];
    for (const verb of commandTable.keys()) {
      const actor = createActor(serverSessionMachine, { input });
      const out: { type: string }[] = [];
      actor.start();
      for (const e of steps) actor.send(e);
      actor.on('*', (e) => out.push(e));
      const arg = commandTable.get(verb)!.argument === 'none' ? '' : ' x';
      actor.send(command(`${verb}${arg}`));
      if (!out.some((e) => e.type === 'reply' || e.type === 'file.request' || e.type === 'data.order')) unanswered.push(verb);
      actor.stop();
    }
    expect(unanswered).toEqual([]);
  });
});
