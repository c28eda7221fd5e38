import { describe, expect, it } from 'vitest';
import { activeStates, describeMachine, type StatechartNode } from '../../../core/machines/statechartModel';
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

  it('transitions carry their events and targets', () => {
    const session = describeMachine(serverSessionMachine).children.find((c) => c.key === 'session')!;
    const transfer = session.children.find((c) => c.key === 'loggedIn')!.children.find((c) => c.key === 'transfer')!;
    const transferring = transfer.children.find((c) => c.key === 'transferring')!;
    expect(transferring.transitions).toEqual(
      expect.arrayContaining([
        { event: 'data.sent', target: 'session.loggedIn.transfer.closingData' },
        { event: 'data.sent', target: 'session.loggedIn.idle' },
      ]),
    );
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
