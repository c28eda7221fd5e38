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
      initial: 'awaitingGreeting',
      on: {
        'control.closed': { target: '.failed', actions: { type: 'fail', params: 'The server closed the control connection unexpectedly.' } },
        'control.garbled': {
          target: '.failed',
          actions: assign({ failure: ({ event }) => `The server sent a line that is not an FTP reply: ${JSON.stringify(event.line)} (RFC 959 §4.2).` }),
        },
      },
      states: {
        // The client sends nothing before the greeting; a 120 means wait for the 220 (959 §5.4).
        awaitingGreeting: {
          on: {
            'control.reply': [
              { guard: 'isPreliminary', actions: 'rememberReply' },
              { guard: ({ event }) => event.code === 220, target: 'ready', actions: 'rememberReply' },
              {
                target: 'failed',
                actions: ['rememberReply', assign({ failure: ({ event }) => `The server refused the session: ${event.code} ${event.lines.join(' ')}` })],
              },
            ],
          },
        },
        ready: {
          always: [
            { guard: 'finished', target: 'done' },
            { guard: { type: 'stepIs', params: 'dataSetup' }, target: 'dataSetup' },
            { guard: { type: 'stepIs', params: 'transfer' }, target: 'transfer' },
            { guard: 'loggedInByUser', actions: 'advance' },
            { target: 'command' },
          ],
        },
        command: {
          initial: 'gated',
          states: {
            gated: {
              invoke: { src: 'gate', input: ({ context }) => ({ action: 'command' as const, line: lineOf(context) }), onDone: 'awaitingReply' },
            },
            awaitingReply: {
              entry: 'sendLine',
              on: {
                'control.reply': [
                  {
                    guard: 'isPreliminary',
                    target: '#client.session.failed',
                    actions: ['rememberReply', assign({ failure: ({ context, event }) => preliminaryError(context, replyOf(event)) })],
                  },
                  // QUIT's 221 (or a 421 the step expected): the server will close the control connection (959 §4.1.1).
                  {
                    guard: ({ context, event }) => event.code === 221 && accepted(stepOf(context), event.code),
                    target: '#client.session.closingControl',
                    actions: ['rememberReply', 'advance'],
                  },
                  { guard: 'isAccepted', target: '#client.session.ready', actions: ['rememberReply', 'trackParameters', 'advance'] },
                  { target: '#client.session.failed', actions: ['rememberReply', 'failUnexpected'] },
                ],
              },
            },
          },
        },
        dataSetup: {
          initial: 'choosing',
          states: {
            choosing: {
              always: [{ guard: 'passive', target: 'gatedPassive' }, { target: 'listening' }],
            },
            // Active mode: the client listens first, then tells the server where (959 §3.2: before the transfer command).
            listening: {
              entry: sendTo('dataChannel', { type: 'listen' }),
              on: {
                'data.listening': { target: 'gatedPort', actions: assign({ dataTarget: ({ event }) => event.local }) },
                'data.failed': {
                  target: '#client.session.failed',
                  actions: assign({ failure: ({ event }) => `Could not listen for the data connection: ${event.reason}` }),
                },
              },
            },
            gatedPort: {
              invoke: {
                src: 'gate',
                input: ({ context }) => ({ action: 'command' as const, line: portLine(context) }),
                onDone: 'awaitingPortReply',
              },
            },
            awaitingPortReply: {
              entry: sendTo('control', ({ context }) => ({ type: 'command' as const, line: portLine(context) })),
              on: {
                'control.reply': [
                  {
                    guard: 'isPreliminary',
                    target: '#client.session.failed',
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
                  { target: '#client.session.failed', actions: ['rememberReply', 'failUnexpected', sendTo('dataChannel', { type: 'reset', reason: 'error' })] },
                ],
              },
            },
            // Passive mode: the server listens and says where; the client connects (959 §4.1.2, 2428 §3).
            gatedPassive: {
              invoke: {
                src: 'gate',
                input: ({ context }) => ({ action: 'command' as const, line: context.extended ? 'EPSV' : 'PASV' }),
                onDone: 'awaitingPassiveReply',
              },
            },
            awaitingPassiveReply: {
              entry: sendTo('control', ({ context }) => ({ type: 'command' as const, line: context.extended ? 'EPSV' : 'PASV' })),
              on: {
                'control.reply': [
                  {
                    guard: ({ context, event }) => passiveTarget(context, event.code, event.lines) !== undefined,
                    target: 'connecting',
                    actions: ['rememberReply', assign({ dataTarget: ({ context, event }) => passiveTarget(context, event.code, event.lines) })],
                  },
                  { target: '#client.session.failed', actions: ['rememberReply', 'failUnexpected'] },
                ],
              },
            },
            connecting: {
              entry: [sendTo('dataChannel', ({ context }) => ({ type: 'connect' as const, target: context.dataTarget! })), raise({ type: 'data.dialing' })],
              on: {
                'data.connected': { target: '#client.session.ready', actions: 'advance' },
                'data.failed': {
                  target: '#client.session.failed',
                  actions: assign({ failure: ({ event }) => `Could not open the passive data connection: ${event.reason}` }),
                },
              },
            },
          },
        },
        transfer: {
          initial: 'gated',
          entry: 'resetTransfer',
          on: {
            'data.closed': { actions: assign({ dataFinished: true, transferBytes: ({ context, event }) => Math.max(context.transferBytes, event.bytes) }) },
            'data.lost': { actions: assign({ dataFinished: true, transferBytes: ({ context, event }) => Math.max(context.transferBytes, event.bytes) }) },
            'data.failed': { target: '#client.session.failed', actions: assign({ failure: ({ event }) => `The data connection failed: ${event.reason}` }) },
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
              invoke: { src: 'gate', input: ({ context }) => ({ action: 'command' as const, line: lineOf(context) }), onDone: 'awaitingPreliminary' },
            },
            awaitingPreliminary: {
              entry: 'sendLine',
              // Active mode: the server connects after (or, for some servers, before) its 1yz (facts §1.5).
              always: { guard: and(['preliminarySeen', 'dataConnected']), target: 'moving' },
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
                    actions: [
                      'rememberReply',
                      assign({ completion: ({ event }) => replyOf(event) }),
                      'recordTransfer',
                      sendTo('dataChannel', { type: 'reset', reason: 'reset' }),
                      'dataUsedUp',
                      'advance',
                    ],
                  },
                  { target: '#client.session.failed', actions: ['rememberReply', 'failUnexpected', sendTo('dataChannel', { type: 'reset', reason: 'error' })] },
                ],
              },
            },
            moving: {
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
              always: { guard: 'transferDone', target: 'finished' },
              on: {
                'data.sent': [
                  // STREAM upload: the client is the sender, so its close is the end of file (959 §3.2, §3.4.1). No command is sent.
                  { guard: 'streamMode', target: 'gatedClose', actions: assign({ transferBytes: ({ event }) => event.bytes }) },
                  // BLOCK/COMPRESSED: the EOF marker went with the data; the client never closes (only the server may, §3.2).
                  { actions: assign({ dataFinished: true, transferBytes: ({ event }) => event.bytes }) },
                ],
                'data.paused': { target: 'gatedAbort', actions: assign({ transferBytes: ({ event }) => event.bytes }) },
                'control.reply': [
                  // 110 MARK: the receiving server's answer to a restart marker, exempt from the one-1yz rule (facts §0 #9).
                  { guard: 'isMark', actions: 'rememberMark' },
                  {
                    guard: 'isPreliminary',
                    target: '#client.session.failed',
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
              invoke: { src: 'gate', input: { action: 'dataClose' as const }, onDone: 'closingData' },
              on: {
                'control.reply': [
                  { guard: 'isMark', actions: 'rememberMark' },
                  { actions: ['rememberReply', assign({ completion: ({ event }) => replyOf(event) })] },
                ],
              },
            },
            closingData: {
              entry: sendTo('dataChannel', { type: 'close', reason: 'eof' }),
              always: { guard: 'transferDone', target: 'finished' },
              on: {
                'control.reply': [
                  { guard: 'isMark', actions: 'rememberMark' },
                  { actions: ['rememberReply', assign({ completion: ({ event }) => replyOf(event) })] },
                ],
              },
            },
            gatedAbort: {
              invoke: { src: 'gate', input: { action: 'abort' as const, line: 'ABOR' }, onDone: 'aborting' },
              on: {
                'control.reply': [
                  { guard: 'isMark', actions: 'rememberMark' },
                  { actions: ['rememberReply', assign({ completion: ({ event }) => replyOf(event) })] },
                ],
              },
            },
            // ABOR: the transfer's own reply (426, or 226 if it had finished) and then ABOR's reply (226 or 225) (959 §4.1.3).
            aborting: {
              entry: [assign({ aborting: true }), { type: 'sendRaw', params: 'ABOR' }, sendTo('dataChannel', { type: 'drain' })],
              always: { guard: 'abortDone', target: 'finished' },
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
              always: [
                {
                  guard: ({ context }) => context.aborting || accepted(stepOf(context), context.completion!.code),
                  target: '#client.session.ready',
                  actions: ['recordTransfer', 'dataUsedUpInStream', 'advance'],
                },
                {
                  target: '#client.session.failed',
                  actions: ['recordTransfer', assign({ failure: ({ context }) => unexpected(context, context.completion!) })],
                },
              ],
            },
          },
        },
        closingControl: {
          on: { 'control.closed': { target: 'ready' } },
        },
        done: {
          type: 'final',
          entry: [sendTo('dataChannel', { type: 'reset', reason: 'quit' }), raise({ type: 'data.released' })],
        },
        failed: {
          type: 'final',
          entry: [
            sendTo('dataChannel', { type: 'reset', reason: 'error' }),
            sendTo('control', { type: 'close', reason: 'error' }),
            raise({ type: 'data.released' }),
          ],
        },
      },
    },
    // The data connection as the client sees it (959 §3.2, §3.3, §5.2): it listens (PORT/EPRT) or dials
    // (PASV/EPSV), the connection opens, and it closes half by half; in BLOCK/COMPRESSED it may stay open.
    data: {
      initial: 'none',
      on: {
        'data.listening': '.listening',
        'data.dialing': '.connecting',
        'data.dropped': '.closed',
        'data.released': '.released',
      },
      states: {
        none: {},
        listening: { on: { 'data.connected': 'open', 'data.failed': 'closed', 'data.closed': 'closed' } },
        connecting: { on: { 'data.connected': 'open', 'data.failed': 'closed', 'data.closed': 'closed' } },
        open: {
          on: {
            'data.sent': { guard: not('streamMode'), target: 'keptOpen' },
            'data.received': { guard: not('streamMode'), target: 'keptOpen' },
            ...closingTransitions,
          },
        },
        // BLOCK/COMPRESSED: the EOF marker ended the file; the connection stays for the next transfer (959 §3.3).
        keptOpen: { on: closingTransitions },
        halfClosed: {
          initial: 'finSent',
          on: goneTransitions,
          states: {
            // The client's FIN is out: a STREAM upload's end of file (959 §3.2), or its answer after ABOR.
            finSent: { on: { 'data.peerFin': '#client.data.closed' } },
            // The server's FIN came: a STREAM download's end of file, or the server closing (ABOR, QUIT, §3.2).
            finReceived: { on: { 'data.finSent': '#client.data.closed' } },
          },
        },
        closed: {},
        released: { type: 'final' },
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
