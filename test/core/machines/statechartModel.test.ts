import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { activeStates, describeMachine, rangesInState, type StatechartNode } from '../../../core/machines/statechartModel';
import { serverSessionMachine } from '../../../core/machines/serverSession.machine';
import { clientSessionMachine } from '../../../core/machines/clientSession.machine';
import type { TraceEvent } from '../../../core/trace/traceEvent';

const paths = (node: StatechartNode): string[] => [node.path, ...node.children.flatMap(paths)];

describe('describeMachine reads the states from the machine definitions', () => {
  it('the server has the protocol phases the issue names', () => {
    const all = paths(describeMachine(serverSessionMachine));
    expect(all).toEqual(
      expect.arrayContaining([
        'session.greeting',
        'session.notLoggedIn.awaitingUser',
        'session.notLoggedIn.awaitingPassword',
        'session.loggedIn.idle',
        'session.loggedIn.awaitingRnto',
        'session.loggedIn.transfer.opening',
        'session.loggedIn.transfer.transferring',
        'session.loggedIn.transfer.closingData',
        'session.loggedIn.transfer.aborting',
        'session.closing',
        'session.closed',
      ]),
    );
  });

  it("the server's data connection is a region of its own, with the states RFC 959 §3.2, §3.3 and §5.2 talk about", () => {
    const tree = describeMachine(serverSessionMachine);
    expect(tree.parallel).toBe(true);
    expect(tree.children.map((c) => c.key)).toEqual(['session', 'data']);
    expect(paths(tree.children[1]!)).toEqual([
      'data',
      'data.none',
      'data.listening',
      'data.targetSet',
      'data.connecting',
      'data.open',
      'data.keptOpen',
      'data.halfClosed',
      'data.halfClosed.finSent',
      'data.halfClosed.finReceived',
      'data.closed',
      'data.released',
    ]);
  });

  it('transitions carry their events (named as the trace names them), targets and words', () => {
    const session = describeMachine(serverSessionMachine).children.find((c) => c.key === 'session')!;
    const transfer = session.children.find((c) => c.key === 'loggedIn')!.children.find((c) => c.key === 'transfer')!;
    const transferring = transfer.children.find((c) => c.key === 'transferring')!;
    expect(transferring.transitions).toEqual(
      expect.arrayContaining([
        { event: 'data.sent', target: 'session.loggedIn.transfer.closingData', label: 'all data moved' },
        { event: 'data.sent', target: 'session.loggedIn.idle', label: '250, kept open' },
        // A transition without words of its own has its event's.
        { event: 'data.restartMarker', target: '', label: 'restart marker' },
      ]),
    );
    const gated = describeMachine(clientSessionMachine)
      .children[0]!.children.find((c) => c.key === 'command')!
      .children.find((c) => c.key === 'gated')!;
    // An invoked actor's done event, as main/session/stateTrace.ts records it.
    expect(gated.transitions).toEqual([{ event: 'done: gated', target: 'session.command.awaitingReply', label: 'sends it' }]);
  });

  it('each state says what kind it is: final, passed through at once, where a compound starts', () => {
    const tree = describeMachine(clientSessionMachine);
    const find = (path: string) => {
      const walk = (node: StatechartNode): StatechartNode | undefined => (node.path === path ? node : node.children.map(walk).find(Boolean));
      return walk(tree)!;
    };
    expect(find('session.failed')).toMatchObject({ final: true, transient: false });
    expect(find('session.ready')).toMatchObject({ final: false, transient: true, label: 'Next step?' });
    expect(find('session.transfer.awaitingPreliminary').transient).toBe(false);
    expect(find('session.transfer').initial).toBe('session.transfer.gated');
    expect(find('data.halfClosed').initial).toBe('data.halfClosed.finSent');
    expect(find('data.open').initial).toBeUndefined();
  });

  it('the client machine is described the same way', () => {
    const tree = describeMachine(clientSessionMachine);
    expect(tree.parallel).toBe(true);
    expect(paths(tree)).toEqual(
      expect.arrayContaining(['session.awaitingGreeting', 'session.transfer.moving', 'session.transfer.gatedClose', 'session.dataSetup.listening']),
    );
    // Its data region has the same states as the server's, but that it dials instead of being dialled in passive mode.
    expect(paths(tree.children[1]!)).toEqual([
      'data',
      'data.none',
      'data.listening',
      'data.connecting',
      'data.open',
      'data.keptOpen',
      'data.halfClosed',
      'data.halfClosed.finSent',
      'data.halfClosed.finReceived',
      'data.closed',
      'data.released',
    ]);
  });
});

it('activeStates is the last state event of each region of that machine up to a step', () => {
  const tree = describeMachine(serverSessionMachine);
  const base = { t: 0, side: 'server' as const, type: 'state' as const, machine: 'server' as const };
  const events: TraceEvent[] = [
    { ...base, seq: 1, from: '(start)', to: 'session.notLoggedIn.awaitingUser', event: 'start' },
    { ...base, seq: 2, from: '(start)', to: 'data.none', event: 'start' },
    { ...base, seq: 3, from: 'session.notLoggedIn.awaitingUser', to: 'session.loggedIn.idle', event: 'control.command PASS' },
    { ...base, seq: 4, from: 'data.none', to: 'data.listening', event: 'data.listening' },
    { ...base, seq: 5, side: 'client', machine: 'client', from: 'ready', to: 'command.gated', event: 'control.reply' },
  ];
  expect(activeStates(events, 'server', 4, tree)).toEqual([
    { path: 'session.loggedIn.idle', event: 'control.command PASS', from: 'session.notLoggedIn.awaitingUser', seq: 3 },
    { path: 'data.listening', event: 'data.listening', from: 'data.none', seq: 4 },
  ]);
  expect(activeStates(events, 'server', 1, tree).map((a) => a.path)).toEqual(['session.notLoggedIn.awaitingUser']);
  expect(activeStates(events, 'client', 4, describeMachine(clientSessionMachine))).toEqual([]);
});

it("a trace recorded before the server had regions still lights the session's states", () => {
  const tree = describeMachine(serverSessionMachine);
  const events: TraceEvent[] = [
    { t: 0, side: 'server', type: 'state', machine: 'server', seq: 1, from: 'notLoggedIn.awaitingUser', to: 'loggedIn.idle', event: 'cmd PASS' },
  ];
  expect(activeStates(events, 'server', 1, tree)).toEqual([
    { path: 'session.loggedIn.idle', event: 'cmd PASS', from: 'session.notLoggedIn.awaitingUser', seq: 1 },
  ]);
});

describe('every state and every arrow says what it is in plain words, from the machine definitions', () => {
  const machines = { client: clientSessionMachine, server: serverSessionMachine };
  /** What a name in the code looks like: 'awaitingReply', 'data.finSent', 'xstate.done.actor.0', '(always)', 'done: gated'. */
  const jargon = /[a-z][A-Z]|\.[a-z]|xstate|\(always\)|^done:|^after /;

  for (const [name, machine] of Object.entries(machines)) {
    it(`${name}: every state has a label (meta.label) and a description, and the label is not its name in the code`, () => {
      const missing: string[] = [];
      const walk = (node: AnyStateMachine['root'], isRoot: boolean) => {
        const meta = node.meta as { label?: unknown } | undefined;
        if (!isRoot) {
          if (typeof meta?.label !== 'string' || meta.label.trim() === '' || meta.label === node.key || jargon.test(meta.label))
            missing.push(`${node.id}: label ${JSON.stringify(meta?.label)}`);
          if (!node.description || node.description.length < 20) missing.push(`${node.id}: description ${JSON.stringify(node.description)}`);
        }
        for (const child of Object.values(node.states)) walk(child, false);
      };
      walk(machine.root, true);
      expect(missing).toEqual([]);
    });

    it(`${name}: every transition that changes the state is labelled in words, not with its event's name`, () => {
      const paths = (node: StatechartNode): StatechartNode[] => [node, ...node.children.flatMap(paths)];
      const bad = paths(describeMachine(machine))
        .flatMap((node) => node.transitions.filter((t) => t.target !== '' && t.target !== node.path).map((t) => ({ from: node.path, ...t })))
        .filter((t) => t.label.trim() === '' || t.label === t.event || jargon.test(t.label));
      expect(bad).toEqual([]);
    });
  }
});

it('rangesInState: from the event that entered a state (or one inside it) to the one that left it, in its own region only', () => {
  const tree = describeMachine(serverSessionMachine);
  const base = { t: 0, side: 'server' as const, type: 'state' as const, machine: 'server' as const, event: 'x' };
  const events: TraceEvent[] = [
    { ...base, seq: 1, from: '(start)', to: 'session.loggedIn.idle' },
    { ...base, seq: 2, from: 'session.loggedIn.idle', to: 'session.loggedIn.transfer.preparing' },
    { ...base, seq: 3, from: 'data.none', to: 'data.open' },
    { ...base, seq: 4, from: 'session.loggedIn.transfer.preparing', to: 'session.loggedIn.transfer.transferring' },
    { ...base, seq: 5, from: 'session.loggedIn.transfer.transferring', to: 'session.loggedIn.idle' },
    { ...base, seq: 6, from: 'session.loggedIn.idle', to: 'session.loggedIn.transfer.preparing' },
  ];
  expect(rangesInState(events, 'server', 'session.loggedIn.transfer', tree)).toEqual([
    { from: 2, to: 5 },
    { from: 6, to: Number.POSITIVE_INFINITY },
  ]);
  expect(rangesInState(events, 'server', 'session.loggedIn.transfer.transferring', tree)).toEqual([{ from: 4, to: 5 }]);
  expect(rangesInState(events, 'client', 'session.loggedIn.transfer', tree)).toEqual([]);
});
