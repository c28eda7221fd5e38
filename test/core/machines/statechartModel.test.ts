import { describe, expect, it } from 'vitest';
import { activeState, describeMachine, type StatechartNode } from '../../../core/machines/statechartModel';
import { serverSessionMachine } from '../../../core/machines/serverSession.machine';
import { clientSessionMachine } from '../../../core/machines/clientSession.machine';
import type { TraceEvent } from '../../../core/trace/traceEvent';

const paths = (node: StatechartNode): string[] => [node.path, ...node.children.flatMap(paths)];

describe('describeMachine reads the states from the machine definitions', () => {
  it('the server has the protocol phases the issue names', () => {
    const all = paths(describeMachine(serverSessionMachine));
    expect(all).toEqual(expect.arrayContaining(['greeting', 'notLoggedIn.awaitingUser', 'notLoggedIn.awaitingPassword', 'loggedIn.idle', 'loggedIn.awaitingRnto', 'loggedIn.transfer.opening', 'loggedIn.transfer.transferring', 'loggedIn.transfer.closingData', 'loggedIn.transfer.aborting', 'closing', 'closed']));
  });

  it('transitions carry their events and targets', () => {
    const transfer = describeMachine(serverSessionMachine).children.find((c) => c.key === 'loggedIn')!.children.find((c) => c.key === 'transfer')!;
    const transferring = transfer.children.find((c) => c.key === 'transferring')!;
    expect(transferring.transitions).toEqual(expect.arrayContaining([{ event: 'data.sent', target: 'loggedIn.transfer.closingData' }, { event: 'data.sent', target: 'loggedIn.idle' }]));
  });

  it('the client machine is described the same way', () => {
    expect(paths(describeMachine(clientSessionMachine))).toEqual(expect.arrayContaining(['awaitingGreeting', 'transfer.moving', 'transfer.gatedClose', 'dataSetup.listening']));
  });
});

it('activeState is the last state event of that machine up to a step', () => {
  const base = { t: 0, side: 'server' as const, type: 'state' as const, machine: 'server' as const };
  const events: TraceEvent[] = [
    { ...base, seq: 1, from: '(start)', to: 'notLoggedIn.awaitingUser', event: 'xstate.init' },
    { ...base, seq: 2, from: 'notLoggedIn.awaitingUser', to: 'loggedIn.idle', event: 'cmd PASS' },
    { ...base, seq: 3, side: 'client', machine: 'client', from: 'ready', to: 'command.gated', event: 'control.reply' },
  ];
  expect(activeState(events, 'server', 2)).toEqual({ path: 'loggedIn.idle', event: 'cmd PASS', from: 'notLoggedIn.awaitingUser', seq: 2 });
  expect(activeState(events, 'server', 1)?.path).toBe('notLoggedIn.awaitingUser');
  expect(activeState(events, 'client', 2)).toBeUndefined();
});
