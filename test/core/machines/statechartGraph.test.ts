import { describe, expect, it } from 'vitest';
import { describeMachine } from '../../../core/machines/statechartModel';
import { arrowsTaken, INITIAL, statechartGraph } from '../../../core/machines/statechartGraph';
import { clientSessionMachine } from '../../../core/machines/clientSession.machine';
import { serverSessionMachine } from '../../../core/machines/serverSession.machine';

const client = describeMachine(clientSessionMachine);
const server = describeMachine(serverSessionMachine);
const clientGraph = statechartGraph(client);
const serverGraph = statechartGraph(server);

describe('statechartGraph: boxes and arrows from the machine definitions', () => {
  it('each region is a box of its own, and every state sits in the box of the state that contains it', () => {
    const regions = serverGraph.boxes.filter((b) => b.kind === 'region').map((b) => b.id);
    expect(regions).toEqual(['session', 'data']);
    for (const box of [...serverGraph.boxes, ...clientGraph.boxes]) {
      if (box.kind === 'region') expect(box.parent).toBeUndefined();
      else if (box.kind === 'initial') expect(box.id).toBe(`${box.parent}${INITIAL}`);
      else if (box.state === box.id) expect(box.parent).toBe(box.id.split('.').slice(0, -1).join('.'));
    }
  });

  it("the data regions have the data connection's states, with half closed holding its two halves", () => {
    const dataStates = (boxes: typeof serverGraph.boxes) =>
      boxes.filter((b) => b.id.startsWith('data.') && b.kind !== 'initial').map((b) => [b.id, b.kind, b.label]);
    expect(dataStates(serverGraph.boxes)).toEqual([
      ['data.none', 'atomic', 'None'],
      ['data.listening', 'atomic', 'Listening'],
      ['data.targetSet', 'atomic', 'Address known'],
      ['data.connecting', 'atomic', 'Connecting'],
      ['data.open', 'atomic', 'Open'],
      ['data.keptOpen', 'atomic', 'Kept open'],
      ['data.halfClosed', 'compound', 'Half closed'],
      ['data.halfClosed.finSent', 'atomic', "Server's FIN sent"],
      ['data.halfClosed.finReceived', 'atomic', "Client's FIN received"],
      ['data.closed', 'atomic', 'Closed'],
      ['data.released', 'final', 'Released'],
    ]);
    // The client's has the same states but Address known (it dials in passive mode, or listens in active).
    expect(dataStates(clientGraph.boxes).map(([id]) => id)).toEqual(
      dataStates(serverGraph.boxes)
        .map(([id]) => id)
        .filter((id) => id !== 'data.targetSet'),
    );
    expect(clientGraph.boxes.find((b) => b.id === 'data.halfClosed.finSent')?.label).toBe("Client's FIN sent");
  });

  it('one arrow per pair of states, in words, whatever number of events take it', () => {
    const arrow = (graph: typeof serverGraph, id: string) => graph.arrows.find((a) => a.id === id);
    expect(arrow(serverGraph, 'data.open->data.halfClosed.finReceived')).toMatchObject({
      lines: ['FIN arrives'],
      transitions: [{ event: 'data.peerFin', label: 'FIN arrives' }],
    });
    // data.lost and data.closed both end the connection from open: one arrow, two lines.
    expect(arrow(serverGraph, 'data.open->data.closed')).toMatchObject({ lines: ['lost', 'closed'] });
    expect(arrow(clientGraph, 'session.command.awaitingReply->session.closingControl')?.lines).toEqual(['221 goodbye']);
    // Transitions that do not change the state (a STAT answered during a transfer) are not arrows.
    expect(serverGraph.arrows.some((a) => a.source === a.target)).toBe(false);
    expect(new Set(serverGraph.arrows.map((a) => a.id)).size).toBe(serverGraph.arrows.length);
  });

  it('a start dot only where a state is entered as a whole: regions, and compounds some arrow leads to', () => {
    const starts = (graph: typeof serverGraph) => graph.boxes.filter((b) => b.kind === 'initial').map((b) => b.parent);
    expect(starts(clientGraph)).toEqual(['session', 'session.command', 'session.dataSetup', 'session.transfer', 'data']);
    // Half closed is entered at one half or the other, never at its `initial`.
    expect(starts(serverGraph)).toEqual(['session', 'session.notLoggedIn', 'session.loggedIn', 'session.loggedIn.transfer', 'data']);
    expect(serverGraph.arrows.find((a) => a.id === `data${INITIAL}->data.none`)).toMatchObject({ initial: true, lines: [] });
  });

  it("the client's Failed, reached from a dozen states, is drawn beside each of them rather than once", () => {
    const into = clientGraph.arrows.filter((a) => a.target === 'session.failed');
    expect(into.length).toBeGreaterThan(8);
    expect(clientGraph.boxes.some((b) => b.id === 'session.failed')).toBe(false);
    for (const arrow of into) {
      const copy = clientGraph.boxes.find((b) => b.id === arrow.targetBox)!;
      expect(copy).toMatchObject({ state: 'session.failed', kind: 'final', label: 'Failed' });
      // In the same box as the arrow's source (inside it, for an arrow from the whole session).
      const sourceParent = clientGraph.boxes.find((b) => b.id === arrow.source)!.parent;
      expect(copy.parent).toBe(arrow.source === 'session' ? 'session' : sourceParent);
    }
    // Done, reached from one state only, is drawn once.
    expect(clientGraph.boxes.filter((b) => b.state === 'session.done').map((b) => b.id)).toEqual(['session.done']);
  });
});

describe('arrowsTaken: the arrows a state event of the trace took', () => {
  // Rows from a real run of textbook-upload (ftp-lab run textbook-upload --trace): from, to and event as recorded.
  const rows: { title: string; graph: typeof serverGraph; tree: typeof server; from: string; to: string; event: string; arrows: string[] }[] = [
    {
      title: "the server's machine starts: it passes through Greeting into Not logged in",
      graph: serverGraph,
      tree: server,
      from: '(start)',
      to: 'session.notLoggedIn.awaitingUser',
      event: 'start',
      arrows: [
        `session${INITIAL}->session.greeting`,
        'session.greeting->session.notLoggedIn',
        `session.notLoggedIn${INITIAL}->session.notLoggedIn.awaitingUser`,
      ],
    },
    {
      title: "USER is taken by Not logged in's own arrow (from any state inside it)",
      graph: serverGraph,
      tree: server,
      from: 'session.notLoggedIn.awaitingUser',
      to: 'session.notLoggedIn.awaitingPassword',
      event: 'control.command',
      arrows: ['session.notLoggedIn->session.notLoggedIn.awaitingPassword'],
    },
    {
      title: 'the reply to a command goes through Next step? (which the trace never shows) to the next command',
      graph: clientGraph,
      tree: client,
      from: 'session.command.awaitingReply',
      to: 'session.command.gated',
      event: 'control.reply',
      arrows: ['session.command.awaitingReply->session.ready', 'session.ready->session.command', `session.command${INITIAL}->session.command.gated`],
    },
    {
      title: "PORT's reply goes through Next step? into the transfer",
      graph: clientGraph,
      tree: client,
      from: 'session.dataSetup.awaitingPortReply',
      to: 'session.transfer.gated',
      event: 'control.reply',
      arrows: ['session.dataSetup.awaitingPortReply->session.ready', 'session.ready->session.transfer', `session.transfer${INITIAL}->session.transfer.gated`],
    },
    {
      title: 'PORT accepted: the data region moves on an event the machine raised while a command arrived',
      graph: serverGraph,
      tree: server,
      from: 'data.none',
      to: 'data.targetSet',
      event: 'control.command',
      arrows: ['data->data.targetSet'],
    },
    {
      title: "the client's FIN half closes its data connection",
      graph: clientGraph,
      tree: client,
      from: 'data.open',
      to: 'data.halfClosed.finSent',
      event: 'data.finSent',
      arrows: ['data.open->data.halfClosed.finSent'],
    },
    {
      title: "closed while half closed: half closed's own arrow, which data.closed takes (not finSent's, which the peer's FIN takes)",
      graph: clientGraph,
      tree: client,
      from: 'data.halfClosed.finSent',
      to: 'data.closed',
      event: 'data.closed',
      arrows: ['data.halfClosed->data.closed'],
    },
    {
      title: 'the server answers the FIN that half closed it',
      graph: serverGraph,
      tree: server,
      from: 'data.halfClosed.finReceived',
      to: 'data.closed',
      event: 'data.finSent',
      arrows: ['data.halfClosed.finReceived->data.closed'],
    },
    {
      title: 'the server closed the control connection: the client passes through Next step? to Done',
      graph: clientGraph,
      tree: client,
      from: 'session.closingControl',
      to: 'session.done',
      event: 'control.closed',
      arrows: ['session.closingControl->session.ready', 'session.ready->session.done'],
    },
    {
      title: 'a failed transfer ends at the copy of Failed beside the state it failed in',
      graph: clientGraph,
      tree: client,
      from: 'session.transfer.moving',
      to: 'session.failed',
      event: 'control.reply',
      arrows: ['session.transfer.moving->session.failed'],
    },
    {
      title: 'no arrow leads from one state to the other: nothing is marked',
      graph: serverGraph,
      tree: server,
      from: 'data.none',
      to: 'data.halfClosed.finSent',
      event: 'data.finSent',
      arrows: [],
    },
  ];
  for (const row of rows) {
    it(row.title, () => {
      expect(arrowsTaken(row.graph, row.tree, row.from, row.to, row.event)).toEqual(row.arrows);
    });
  }
});
