// The FTP client session: runs a scenario's steps over real sockets, deciding when to send, connect and close.
// It accepts what RFC 1123 §4.1.2.11 asks a client to tolerate: multi-line replies, 125 for 150,
// and a 226 that arrives before or after the data connection's end (facts §1.5). Two regions run side by
// side, as in the server's machine: `session` (the steps) and `data` (the data connection's own life).

import { and, assign, enqueueActions, fromCallback, fromPromise, not, or, raise, sendTo, setup, stateIn } from 'xstate';
import { parseCommand } from '../protocol/commandLineDecoder';
import { formatEprtArgument, formatPortArgument, parseEpsvReply, parsePasvReply } from '../protocol/hostPort';
import { replyClass } from '../protocol/replyCodes';
import { transferModes } from '../protocol/transferModes';
import type { ControlInputEvent, ControlOutputEvent, DataInputEvent, DataOutputEvent } from './channelEvents';
import { closingTransitions, goneTransitions } from './dataRegion';
import { initialClientContext, type ClientContext, type ClientSessionInput, type ClientStep, type ReplySeen } from './clientSession.context';
import type { StateMeta } from './stateMeta';

/** Raised for the data region where no socket reports the change: the client starts dialling; the session is over. */
type DataRegionEvent = { type: 'data.dialing' } | { type: 'data.dropped' } | { type: 'data.released' };

export type ClientEvent = ControlInputEvent | DataInputEvent | DataRegionEvent;

/** What the step gate is asked before the client acts: the session host pauses here when stepping. */
export interface GateRequest {
  readonly action: 'command' | 'dataClose' | 'abort';
  readonly line?: string;
}

export interface ClientOutput {
  readonly ok: boolean;
  readonly failure?: string;
  readonly transfers: ClientContext['transfers'];
  readonly lastReply?: ReplySeen;
}

const stepOf = (context: ClientContext): ClientStep | undefined => context.steps[context.index];
/** The step's command line; {mark} is the receiver's position from the last 110 MARK (for REST after an ABOR). */
const lineOf = (context: ClientContext): string => {
  const step = stepOf(context);
  if (!step || step.kind === 'dataSetup') return '';
  return step.line.replace('{mark}', context.lastMark?.receiver ?? '0');
};
const replyOf = (event: ClientEvent): ReplySeen => (event.type === 'control.reply' ? { code: event.code, lines: event.lines } : { code: 0, lines: [] });

/** The replies a step accepts: as listed, or by default any positive completion/intermediate (1123 §4.1.2.11: first digit). */
function accepted(step: ClientStep | undefined, code: number): boolean {
  if (step && step.kind !== 'dataSetup' && step.expect) return step.expect.includes(code);
  if (step?.kind === 'transfer') return code === 226 || code === 250;
  const cls = replyClass(code);
  return cls === 'completion' || cls === 'intermediate';
}

function unexpected(context: ClientContext, reply: ReplySeen): string {
  const step = stepOf(context);
  const passive = step?.kind === 'dataSetup' && step.passive;
  const sent = lineOf(context) || (passive ? (context.extended ? 'EPSV' : 'PASV') : context.extended ? 'EPRT' : 'PORT');
  const masked = /^PASS\b/i.test(sent) ? 'PASS ****' : sent;
  return `The server answered ${masked} with ${reply.code} ${reply.lines.join(' ')}`.trim() + ', which this step did not expect.';
}

/** A 1yz is only right for the commands that start a transfer (959 §6); for any other it is a protocol error. */
function preliminaryError(context: ClientContext, reply: ReplySeen): string {
  const sent = parseCommand(lineOf(context) || 'PORT').verb;
  return `The server answered ${sent} with ${reply.code}: a preliminary (1yz) reply is only allowed for commands that open a data connection (RFC 959 §4.2, §6).`;
}

export const clientSessionMachine = setup({
  types: {
    context: {} as ClientContext,
    input: {} as ClientSessionInput,
    events: {} as ClientEvent,
    output: {} as ClientOutput,
    meta: {} as StateMeta,
  },
  actors: {
    control: fromCallback<ControlOutputEvent>(() => () => undefined),
    dataChannel: fromCallback<DataOutputEvent>(() => () => undefined),
    /** Resolves when the client may take its next action (the step gate); at once when not stepping. */
    gate: fromPromise<void, GateRequest>(async () => undefined),
  },
  guards: {
    finished: ({ context }) => context.index >= context.steps.length,
    stepIs: ({ context }, kind: ClientStep['kind']) => stepOf(context)?.kind === kind,
    isMark: ({ event }) => event.type === 'control.reply' && event.code === 110,
    isPreliminary: ({ event }) => event.type === 'control.reply' && replyClass(event.code) === 'preliminary',
    isAccepted: ({ context, event }) => event.type === 'control.reply' && accepted(stepOf(context), event.code),
    passive: ({ context }) => {
      const step = stepOf(context);
      return step?.kind === 'dataSetup' && step.passive;
    },
    /** A data connection is up (even if the server has already sent its FIN: its bytes still wait to be read). */
    dataConnected: or([stateIn('#client.data.open'), stateIn('#client.data.keptOpen'), stateIn('#client.data.halfClosed')]),
    preliminarySeen: ({ context }) => context.preliminarySeen,
    transferDone: ({ context }) => context.dataFinished && context.completion !== undefined,
    abortDone: ({ context }) => context.dataFinished && context.completion !== undefined && context.abortReply !== undefined,
    streamMode: ({ context }) => transferModes[context.mode].eofByClose,
    /** USER was answered 230: the login is complete and PASS must not follow (959 §4.1.1, §5.4; ftplib and curl skip it too). */
    loggedInByUser: ({ context }) => {
      const step = stepOf(context);
      const previous = context.steps[context.index - 1];
      return (
        step?.kind === 'command' &&
        parseCommand(step.line).verb === 'PASS' &&
        (!step.expect || step.expect.includes(230)) &&
        previous?.kind === 'command' &&
        parseCommand(previous.line).verb === 'USER' &&
        context.lastReply?.code === 230
      );
    },
  },
  actions: {
    sendLine: sendTo('control', ({ context }) => ({ type: 'command' as const, line: lineOf(context) })),
    sendRaw: sendTo('control', (_, line: string) => ({ type: 'command' as const, line })),
    advance: assign({ index: ({ context }) => context.index + 1 }),
    rememberReply: assign({ lastReply: ({ event }) => replyOf(event) }),
    /** 110 MARK ssss = rrrr: where the receiving server stands, for a later REST (959 §3.5, 1123 §4.1.3.4). */
    rememberMark: assign({
      lastReply: ({ event }) => replyOf(event),
      lastMark: ({ context, event }) => (event.type === 'control.reply' ? (parseMark(event.lines.join(' ')) ?? context.lastMark) : context.lastMark),
    }),
    fail: assign({ failure: (_, message: string) => message }),
    failUnexpected: assign({ failure: ({ context, event }) => unexpected(context, replyOf(event)) }),
    /** TYPE and MODE change how the client encodes data, once the server has agreed (200). */
    trackParameters: assign(({ context, event }) => {
      if (event.type !== 'control.reply' || event.code !== 200) return {};
      const { verb, arg } = parseCommand(lineOf(context));
      const value = (arg ?? '').trim().toUpperCase();
      if (verb === 'TYPE') return { representation: value.startsWith('A') ? ('A' as const) : ('I' as const) };
      if (verb === 'MODE' && (value === 'S' || value === 'B' || value === 'C')) return { mode: value };
      if (verb === 'STRU' && (value === 'F' || value === 'R')) return { structure: value };
      return {};
    }),
    resetTransfer: assign({
      preliminarySeen: false,
      dataFinished: false,
      completion: undefined,
      abortReply: undefined,
      aborting: false,
      transferBytes: 0,
      transferSha256: undefined,
    }),
    /** A data connection serves one STREAM transfer; the next needs a new PORT or PASV (1123 §4.1.2.5). */
    dataUsedUp: assign({ dataTarget: undefined }),
    /** After a transfer: in STREAM mode the connection is gone; in BLOCK/COMPRESSED it stays for the next one. */
    dataUsedUpInStream: enqueueActions(({ context, enqueue }) => {
      // After ABOR the server closes the connection in any mode (959 §3.2, condition 2).
      if (transferModes[context.mode].eofByClose || context.aborting) enqueue.assign({ dataTarget: undefined });
    }),
    recordTransfer: assign({
      transfers: ({ context }) => {
        const step = stepOf(context);
        if (step?.kind !== 'transfer') return context.transfers;
        return [
          ...context.transfers,
          {
            command: step.line,
            direction: step.direction,
            bytes: context.transferBytes,
            ...(context.transferSha256 ? { sha256: context.transferSha256 } : {}),
            complete: !context.aborting && context.completion !== undefined && replyClass(context.completion.code) === 'completion',
            ...(context.transferBytes === 0 && !context.aborting && context.completion && replyClass(context.completion.code).endsWith('Negative')
              ? { refused: { code: context.completion.code, text: context.completion.lines.join(' ') } }
              : {}),
          },
        ];
      },
    }),
  },
}).createMachine({
  id: 'client',
  type: 'parallel',
  context: ({ input }) => initialClientContext(input),
  invoke: [
    { id: 'control', src: 'control' },
    { id: 'dataChannel', src: 'dataChannel' },
  ],
  output: ({ context }) => ({
    ok: context.failure === undefined,
    ...(context.failure ? { failure: context.failure } : {}),
    transfers: context.transfers,
    ...(context.lastReply ? { lastReply: context.lastReply } : {}),
  }),
  states: {
    session: {
      description: "The client's steps: the commands of its scenario, one at a time, each waiting for its reply.",
      meta: { label: 'Session' },
      initial: 'awaitingGreeting',
      on: {
        'control.closed': {
          target: '.failed',
          description: 'server hung up',
          actions: { type: 'fail', params: 'The server closed the control connection unexpectedly.' },
        },
        'control.garbled': {
          target: '.failed',
          description: 'not an FTP reply',
          actions: assign({ failure: ({ event }) => `The server sent a line that is not an FTP reply: ${JSON.stringify(event.line)} (RFC 959 §4.2).` }),
        },
      },
      states: {
        awaitingGreeting: {
          description: 'Connected, the client sends nothing until the server greets it with 220; a 120 means "wait, the 220 will come" (RFC 959 §5.4).',
          meta: { label: 'Waiting for the greeting' },
          on: {
            'control.reply': [
              { guard: 'isPreliminary', actions: 'rememberReply' },
              { guard: ({ event }) => event.code === 220, target: 'ready', description: '220 greeting', actions: 'rememberReply' },
              {
                target: 'failed',
                description: 'refused',
                actions: ['rememberReply', assign({ failure: ({ event }) => `The server refused the session: ${event.code} ${event.lines.join(' ')}` })],
              },
            ],
          },
        },
        ready: {
          description:
            "Between steps: takes the scenario's next step (a command, a data connection to set up, a transfer), or ends the session when none is left. The client passes through at once.",
          meta: { label: 'Next step?' },
          always: [
            { guard: 'finished', target: 'done', description: 'no steps left' },
            { guard: { type: 'stepIs', params: 'dataSetup' }, target: 'dataSetup', description: 'data connection' },
            { guard: { type: 'stepIs', params: 'transfer' }, target: 'transfer', description: 'transfer' },
            { guard: 'loggedInByUser', actions: 'advance' },
            { target: 'command', description: 'command' },
          ],
        },
        command: {
          description: 'One command (USER, TYPE, QUIT, ...) and its reply.',
          meta: { label: 'Command' },
          initial: 'gated',
          states: {
            gated: {
              description:
                'Held by the step gate: when you step through a session the client waits here, before it sends the command, until you press Step. Otherwise it goes on at once.',
              meta: { label: 'Held before sending' },
              invoke: {
                src: 'gate',
                input: ({ context }) => ({ action: 'command' as const, line: lineOf(context) }),
                onDone: { target: 'awaitingReply', description: 'sends it' },
              },
            },
            awaitingReply: {
              description:
                "The command is sent; the client waits for the reply. A 1yz (preliminary) reply is wrong here: only commands that open a data connection may get one (RFC 959 §4.2). QUIT's 221 means the server will now close the control connection.",
              meta: { label: 'Waiting for the reply' },
              entry: 'sendLine',
              on: {
                'control.reply': [
                  {
                    guard: 'isPreliminary',
                    target: '#client.session.failed',
                    description: '1yz: not allowed',
                    actions: ['rememberReply', assign({ failure: ({ context, event }) => preliminaryError(context, replyOf(event)) })],
                  },
                  // QUIT's 221 (or a 421 the step expected): the server will close the control connection (959 §4.1.1).
                  {
                    guard: ({ context, event }) => event.code === 221 && accepted(stepOf(context), event.code),
                    target: '#client.session.closingControl',
                    description: '221 goodbye',
                    actions: ['rememberReply', 'advance'],
                  },
                  {
                    guard: 'isAccepted',
                    target: '#client.session.ready',
                    description: 'expected reply',
                    actions: ['rememberReply', 'trackParameters', 'advance'],
                  },
                  { target: '#client.session.failed', description: 'unexpected reply', actions: ['rememberReply', 'failUnexpected'] },
                ],
              },
            },
          },
        },
        dataSetup: {
          description:
            'Sets up the next data connection (RFC 959 §3.2): active mode (PORT or EPRT: the client listens and the server will connect) or passive mode (PASV or EPSV: the server listens and the client connects).',
          meta: { label: 'Data connection setup' },
          initial: 'choosing',
          states: {
            choosing: {
              description: 'Active or passive, as the scenario says. The client passes through at once.',
              meta: { label: 'Active or passive?' },
              always: [
                { guard: 'passive', target: 'gatedPassive', description: 'passive' },
                { target: 'listening', description: 'active' },
              ],
            },
            listening: {
              description:
                'Active mode: the client opens a listening socket first, then tells the server where it is, before the transfer command (RFC 959 §3.2).',
              meta: { label: 'Opening a listener' },
              entry: sendTo('dataChannel', { type: 'listen' }),
              on: {
                'data.listening': { target: 'gatedPort', description: 'listening', actions: assign({ dataTarget: ({ event }) => event.local }) },
                'data.failed': {
                  target: '#client.session.failed',
                  description: 'cannot listen',
                  actions: assign({ failure: ({ event }) => `Could not listen for the data connection: ${event.reason}` }),
                },
              },
            },
            gatedPort: {
              description: 'Held by the step gate before PORT (or EPRT) is sent, when you step through a session.',
              meta: { label: 'Held before PORT' },
              invoke: {
                src: 'gate',
                input: ({ context }) => ({ action: 'command' as const, line: portLine(context) }),
                onDone: { target: 'awaitingPortReply', description: 'sends PORT' },
              },
            },
            awaitingPortReply: {
              description:
                "PORT (or EPRT) has told the server the listener's address; 200 means the server will connect to it when a transfer starts (RFC 959 §4.1.2).",
              meta: { label: "Waiting for PORT's reply" },
              entry: sendTo('control', ({ context }) => ({ type: 'command' as const, line: portLine(context) })),
              on: {
                'control.reply': [
                  {
                    guard: 'isPreliminary',
                    target: '#client.session.failed',
                    description: '1yz: not allowed',
                    actions: [
                      'rememberReply',
                      assign({
                        failure: ({ context, event }) =>
                          preliminaryError({ ...context, steps: [] }, replyOf(event)).replace(/answered \S+/, `answered ${context.extended ? 'EPRT' : 'PORT'}`),
                      }),
                    ],
                  },
                  {
                    guard: ({ event }) => event.code === 200,
                    target: '#client.session.ready',
                    description: '200 OK',
                    actions: [
                      'rememberReply',
                      enqueueActions(({ context, enqueue }) => {
                        const step = stepOf(context);
                        // The listener goes (and a connection a server made at PORT time with it): the data region says so.
                        if (step?.kind === 'dataSetup' && step.refuse) {
                          enqueue.sendTo('dataChannel', { type: 'reset', reason: 'reset' });
                          enqueue.raise({ type: 'data.dropped' });
                        }
                      }),
                      'advance',
                    ],
                  },
                  {
                    target: '#client.session.failed',
                    description: 'refused',
                    actions: ['rememberReply', 'failUnexpected', sendTo('dataChannel', { type: 'reset', reason: 'error' })],
                  },
                ],
              },
            },
            gatedPassive: {
              description: 'Passive mode: held by the step gate before PASV (or EPSV) is sent, when you step through a session.',
              meta: { label: 'Held before PASV' },
              invoke: {
                src: 'gate',
                input: ({ context }) => ({ action: 'command' as const, line: context.extended ? 'EPSV' : 'PASV' }),
                onDone: { target: 'awaitingPassiveReply', description: 'sends PASV' },
              },
            },
            awaitingPassiveReply: {
              description:
                "Passive mode: the server listens and says where, 227 with an address (or 229 with a port for EPSV). The client takes only the port and connects to the control connection's address (RFC 959 §4.1.2, RFC 2428 §3).",
              meta: { label: "Waiting for PASV's reply" },
              entry: sendTo('control', ({ context }) => ({ type: 'command' as const, line: context.extended ? 'EPSV' : 'PASV' })),
              on: {
                'control.reply': [
                  {
                    guard: ({ context, event }) => passiveTarget(context, event.code, event.lines) !== undefined,
                    target: 'connecting',
                    description: '227: its port',
                    actions: ['rememberReply', assign({ dataTarget: ({ context, event }) => passiveTarget(context, event.code, event.lines) })],
                  },
                  { target: '#client.session.failed', description: 'no port', actions: ['rememberReply', 'failUnexpected'] },
                ],
              },
            },
            connecting: {
              description: 'Passive mode: the client connects to the port the server named.',
              meta: { label: 'Connecting' },
              entry: [sendTo('dataChannel', ({ context }) => ({ type: 'connect' as const, target: context.dataTarget! })), raise({ type: 'data.dialing' })],
              on: {
                'data.connected': { target: '#client.session.ready', description: 'connected', actions: 'advance' },
                'data.failed': {
                  target: '#client.session.failed',
                  description: 'cannot connect',
                  actions: assign({ failure: ({ event }) => `Could not open the passive data connection: ${event.reason}` }),
                },
              },
            },
          },
        },
        transfer: {
          description: 'A transfer command (STOR, RETR, LIST, ...): its preliminary reply, the data, the close that ends it and the completion reply.',
          meta: { label: 'Transfer' },
          initial: 'gated',
          entry: 'resetTransfer',
          on: {
            'data.closed': { actions: assign({ dataFinished: true, transferBytes: ({ context, event }) => Math.max(context.transferBytes, event.bytes) }) },
            'data.lost': { actions: assign({ dataFinished: true, transferBytes: ({ context, event }) => Math.max(context.transferBytes, event.bytes) }) },
            'data.failed': {
              target: '#client.session.failed',
              description: 'data connection failed',
              actions: assign({ failure: ({ event }) => `The data connection failed: ${event.reason}` }),
            },
            'data.received': [
              // BLOCK/COMPRESSED: the EOF marker arrived in the data; the connection stays open (959 §3.3).
              {
                guard: not('streamMode'),
                actions: assign({ dataFinished: true, transferBytes: ({ event }) => event.bytes, transferSha256: ({ event }) => event.sha256 }),
              },
              // STREAM: the server's FIN was the end of file (or, after ABOR, its close); the client closes its side in turn (959 §5.2).
              {
                actions: [
                  assign({ transferBytes: ({ event }) => event.bytes, transferSha256: ({ event }) => event.sha256 }),
                  sendTo('dataChannel', { type: 'close', reason: 'peer-closed' }),
                ],
              },
            ],
          },
          states: {
            gated: {
              description: 'Held by the step gate before the transfer command is sent, when you step through a session.',
              meta: { label: 'Held before sending' },
              invoke: {
                src: 'gate',
                input: ({ context }) => ({ action: 'command' as const, line: lineOf(context) }),
                onDone: { target: 'awaitingPreliminary', description: 'sends it' },
              },
            },
            awaitingPreliminary: {
              description:
                'The transfer command is sent; the client waits for 150 (or 125) and for the data connection to be up. A refusal (550, 425, ...) ends the step: the data connection set up for it is not used.',
              meta: { label: 'Waiting for 150' },
              entry: 'sendLine',
              // Active mode: the server connects after (or, for some servers, before) its 1yz (facts §1.5).
              always: { guard: and(['preliminarySeen', 'dataConnected']), target: 'moving', description: '150 and connected' },
              on: {
                'control.reply': [
                  { guard: 'isPreliminary', actions: ['rememberReply', assign({ preliminarySeen: true })] },
                  // 1yz then 2yz before this client has even accepted the active connection (a busy client, a
                  // tiny file): the server has sent the file and closed; the bytes wait in the connection, which
                  // must still be read to its end of file before the transfer is done (959 §5.4; facts §1.5).
                  {
                    guard: ({ context, event }) => context.preliminarySeen && replyClass(event.code) === 'completion',
                    actions: ['rememberReply', assign({ completion: ({ event }) => replyOf(event) })],
                  },
                  // Refused before any data moved (550, 425, 553, ...): the data connection set up for it is not used.
                  {
                    guard: 'isAccepted',
                    target: '#client.session.ready',
                    description: 'refused, as expected',
                    actions: [
                      'rememberReply',
                      assign({ completion: ({ event }) => replyOf(event) }),
                      'recordTransfer',
                      sendTo('dataChannel', { type: 'reset', reason: 'reset' }),
                      'dataUsedUp',
                      'advance',
                    ],
                  },
                  {
                    target: '#client.session.failed',
                    description: 'unexpected reply',
                    actions: ['rememberReply', 'failUnexpected', sendTo('dataChannel', { type: 'reset', reason: 'error' })],
                  },
                ],
              },
            },
            moving: {
              description:
                'The data flows: the client sends the file (upload) or reads it (download). In STREAM mode the end of the file is the sender closing the connection (RFC 959 §3.4.1); in BLOCK or COMPRESSED mode it is a marker in the data (§3.3).',
              meta: { label: 'Moving the data' },
              entry: sendTo('dataChannel', ({ context }) => {
                const step = stepOf(context) as Extract<ClientStep, { kind: 'transfer' }>;
                const settings = {
                  representation: context.representation,
                  mode: context.mode,
                  structure: context.structure,
                  command: lineOf(context),
                  ...(step.restartEvery ? { restartEvery: step.restartEvery } : {}),
                };
                const pause = step.abortAfterBytes !== undefined ? { pauseAfterBytes: step.abortAfterBytes } : {};
                if (step.direction === 'upload') {
                  const content = step.upload ?? { size: 0, text: false, seed: 1 };
                  // After REST {mark}, the sender starts again from its own marker ssss (959 §3.5).
                  const offset = step.resumeFromMark && context.lastMark ? Number(context.lastMark.sender) || 0 : 0;
                  return {
                    type: 'send' as const,
                    source: { kind: 'generated' as const, name: step.line, ...content, offset },
                    settings: { ...settings, ...(offset > 0 ? { markerBase: offset } : {}) },
                    ...pause,
                  };
                }
                return {
                  type: 'receive' as const,
                  sink: { kind: 'memory' as const, name: step.line },
                  settings,
                  ...pause,
                };
              }),
              always: { guard: 'transferDone', target: 'finished', description: 'all data and 226' },
              on: {
                'data.sent': [
                  // STREAM upload: the client is the sender, so its close is the end of file (959 §3.2, §3.4.1). No command is sent.
                  {
                    guard: 'streamMode',
                    target: 'gatedClose',
                    description: 'all sent (STREAM)',
                    actions: assign({ transferBytes: ({ event }) => event.bytes }),
                  },
                  // BLOCK/COMPRESSED: the EOF marker went with the data; the client never closes (only the server may, §3.2).
                  { actions: assign({ dataFinished: true, transferBytes: ({ event }) => event.bytes }) },
                ],
                'data.paused': { target: 'gatedAbort', description: 'time to abort', actions: assign({ transferBytes: ({ event }) => event.bytes }) },
                'control.reply': [
                  // 110 MARK: the receiving server's answer to a restart marker, exempt from the one-1yz rule (facts §0 #9).
                  { guard: 'isMark', actions: 'rememberMark' },
                  {
                    guard: 'isPreliminary',
                    target: '#client.session.failed',
                    description: 'a second 1yz',
                    actions: [
                      'rememberReply',
                      { type: 'fail', params: 'The server sent a second preliminary reply for one command (RFC 959 §4.2 allows one).' },
                    ],
                  },
                  { actions: ['rememberReply', assign({ completion: ({ event }) => replyOf(event) })] },
                ],
              },
            },
            gatedClose: {
              description:
                "STREAM upload: every byte is sent, and the client's close will be the end of file. Held here by the step gate when you step through a session, so the close is a step of its own.",
              meta: { label: 'Held before closing' },
              invoke: { src: 'gate', input: { action: 'dataClose' as const }, onDone: { target: 'closingData', description: 'closes its side' } },
              on: {
                'control.reply': [
                  { guard: 'isMark', actions: 'rememberMark' },
                  { actions: ['rememberReply', assign({ completion: ({ event }) => replyOf(event) })] },
                ],
              },
            },
            closingData: {
              description:
                'The client has closed its side of the data connection: its FIN is the end of the file (RFC 959 §3.4.1). It waits for the server to close its side and for 226.',
              meta: { label: 'Closing the data connection' },
              entry: sendTo('dataChannel', { type: 'close', reason: 'eof' }),
              always: { guard: 'transferDone', target: 'finished', description: 'closed and 226' },
              on: {
                'control.reply': [
                  { guard: 'isMark', actions: 'rememberMark' },
                  { actions: ['rememberReply', assign({ completion: ({ event }) => replyOf(event) })] },
                ],
              },
            },
            gatedAbort: {
              description: 'The scenario aborts this transfer part way: held by the step gate before ABOR is sent, when you step through a session.',
              meta: { label: 'Held before ABOR' },
              invoke: { src: 'gate', input: { action: 'abort' as const, line: 'ABOR' }, onDone: { target: 'aborting', description: 'sends ABOR' } },
              on: {
                'control.reply': [
                  { guard: 'isMark', actions: 'rememberMark' },
                  { actions: ['rememberReply', assign({ completion: ({ event }) => replyOf(event) })] },
                ],
              },
            },
            aborting: {
              description:
                "ABOR is sent: the client reads and discards what is left of the data, and waits for two replies, the transfer's own (426, or 226 if it had finished) and then ABOR's (226 or 225) (RFC 959 §4.1.3).",
              meta: { label: 'Aborting' },
              entry: [assign({ aborting: true }), { type: 'sendRaw', params: 'ABOR' }, sendTo('dataChannel', { type: 'drain' })],
              always: { guard: 'abortDone', target: 'finished', description: 'both replies in' },
              on: {
                'control.reply': [
                  { guard: 'isMark', actions: 'rememberMark' },
                  {
                    guard: ({ context }) => context.completion === undefined,
                    actions: ['rememberReply', assign({ completion: ({ event }) => replyOf(event) })],
                  },
                  { actions: ['rememberReply', assign({ abortReply: ({ event }) => replyOf(event) })] },
                ],
              },
            },
            finished: {
              description:
                'The transfer is over: the client checks its completion reply against the scenario and records what moved. It passes through at once.',
              meta: { label: 'Transfer over' },
              always: [
                {
                  guard: ({ context }) => context.aborting || accepted(stepOf(context), context.completion!.code),
                  target: '#client.session.ready',
                  description: 'as expected',
                  actions: ['recordTransfer', 'dataUsedUpInStream', 'advance'],
                },
                {
                  target: '#client.session.failed',
                  description: 'unexpected reply',
                  actions: ['recordTransfer', assign({ failure: ({ context }) => unexpected(context, context.completion!) })],
                },
              ],
            },
          },
        },
        closingControl: {
          description: 'QUIT was answered 221: the server closes the control connection, and the client waits for that (RFC 959 §4.1.1).',
          meta: { label: 'Waiting for the close' },
          on: { 'control.closed': { target: 'ready', description: 'server closed it' } },
        },
        done: {
          description: 'Every step is done: the session is over, and any data connection is let go.',
          meta: { label: 'Done' },
          type: 'final',
          entry: [sendTo('dataChannel', { type: 'reset', reason: 'quit' }), raise({ type: 'data.released' })],
        },
        failed: {
          description: 'Something the scenario did not expect (a reply, a closed connection): the session ends and says why.',
          meta: { label: 'Failed' },
          type: 'final',
          entry: [
            sendTo('dataChannel', { type: 'reset', reason: 'error' }),
            sendTo('control', { type: 'close', reason: 'error' }),
            raise({ type: 'data.released' }),
          ],
        },
      },
    },
    data: {
      description:
        'The data connection as the client sees it (RFC 959 §3.2, §3.3, §5.2): the client listens (PORT, EPRT) or dials (PASV, EPSV), the connection opens, and it closes half by half; in BLOCK or COMPRESSED mode it may stay open for the next file.',
      meta: { label: 'Data connection' },
      initial: 'none',
      on: {
        'data.listening': { target: '.listening', description: 'listens (PORT)' },
        'data.dialing': { target: '.connecting', description: 'dials (PASV)' },
        'data.dropped': '.closed',
        'data.released': '.released',
      },
      states: {
        none: { description: 'No data connection, and none being set up.', meta: { label: 'None' } },
        listening: {
          description: 'Active mode: the client listens for the server to connect (PORT, EPRT).',
          meta: { label: 'Listening' },
          on: { 'data.connected': { target: 'open', description: 'server connects' }, 'data.failed': 'closed', 'data.closed': 'closed' },
        },
        connecting: {
          description: 'Passive mode: the client dials the port the server listens on (PASV, EPSV).',
          meta: { label: 'Connecting' },
          on: { 'data.connected': 'open', 'data.failed': 'closed', 'data.closed': 'closed' },
        },
        open: {
          description: 'The data connection is up: bytes can flow.',
          meta: { label: 'Open' },
          on: {
            'data.sent': { guard: not('streamMode'), target: 'keptOpen', description: 'EOF marker sent' },
            'data.received': { guard: not('streamMode'), target: 'keptOpen', description: 'EOF marker read' },
            ...closingTransitions,
          },
        },
        keptOpen: {
          description: 'BLOCK or COMPRESSED mode: a marker in the data ended the file, and the connection stays for the next transfer (RFC 959 §3.3).',
          meta: { label: 'Kept open' },
          on: closingTransitions,
        },
        halfClosed: {
          description: 'One side has sent its FIN and will send nothing more; the other may still send until it closes too (RFC 959 §5.2).',
          meta: { label: 'Half closed' },
          initial: 'finSent',
          on: goneTransitions,
          states: {
            finSent: {
              description:
                "The client's FIN is out: the end of file of a STREAM upload (RFC 959 §3.4.1), or its answer to the server's close. It waits for the server's FIN.",
              meta: { label: "Client's FIN sent" },
              on: { 'data.peerFin': { target: '#client.data.closed', description: "server's FIN" } },
            },
            finReceived: {
              description:
                "The server's FIN came: the end of file of a STREAM download, or the server closing (ABOR, QUIT: RFC 959 §3.2). The client closes its side in turn.",
              meta: { label: "Server's FIN received" },
              on: { 'data.finSent': '#client.data.closed' },
            },
          },
        },
        closed: {
          description: 'Both sides have closed (or the connection was reset or never opened). The next transfer needs a new PORT or PASV.',
          meta: { label: 'Closed' },
        },
        released: { description: 'The session is over: nothing of the data connection is kept.', meta: { label: 'Released' }, type: 'final' },
      },
    },
  },
});

/** ssss and rrrr from `110 MARK ssss = rrrr` (1123 §4.1.3.4): the receiver's position is what REST needs. */
export function parseMark(text: string): { sender: string; receiver: string } | null {
  const match = /MARK\s+(\S+)\s*=\s*(\S+)/.exec(text);
  return match ? { sender: match[1]!, receiver: match[2]! } : null;
}

function portLine(context: ClientContext): string {
  const target = context.dataTarget!;
  return context.extended ? `EPRT ${formatEprtArgument({ family: 1, host: target.host, port: target.port })}` : `PORT ${formatPortArgument(target)}`;
}

/**
 * Where to connect after 227/229. The client connects to the control connection's peer address and
 * takes only the port from the reply, as Python's ftplib does (CVE-2021-4189): a server cannot point
 * the client at a third host.
 */
function passiveTarget(context: ClientContext, code: number, lines: readonly string[]) {
  const text = lines.join(' ');
  if (code === 229) {
    const port = parseEpsvReply(text);
    return port === null ? undefined : { host: context.controlPeer.host, port };
  }
  if (code === 227) {
    const parsed = parsePasvReply(text);
    return parsed === null ? undefined : { host: context.controlPeer.host, port: parsed.port };
  }
  return undefined;
}
