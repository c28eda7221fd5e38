// The FTP server session: one actor per control connection, deciding every reply and every data-connection move.
// Two regions run side by side: `session` (login, commands and transfers: RFC 959 §4, §5.4, §6) and `data`
// (the data connection's own life: who opened it, who closed which half, whether it stays open: §3.2, §3.3, §5.2).
// Replies and orders leave as emitted events, which main/ hands to the sockets and the store; they report back
// as events. This file holds only the protocol.

import { and, assign, emit, enqueueActions, not, or, raise, setup, stateIn } from 'xstate';
import { Reply } from '../protocol/replyCodes';
import { formatEpsvReply, formatPasvReply } from '../protocol/hostPort';
import { resolveVirtualPath } from '../protocol/virtualPath';
import { transferModes } from '../protocol/transferModes';
import type { ServerRequest } from '../protocol/serverRequest';
import type { CloseReason } from '../trace/traceEvent';
import { transferCompleteText } from '../trace/byteCounts';
import type { ControlInputEvent, DataInputEvent, DataOutputEvent, DataSink, DataSource } from './channelEvents';
import { refusal, reply, sameHost, serverDataStates, simpleHandler, type DataView, type Outcome, type OutReply, type ServerDataState } from './serverCommands';
import { fileActionOutcome, listingPayload, storeErrorOutcome, type FileActionRequest, type FileActionResult } from './serverFileActions';
import { closingTransitions, goneTransitions } from './dataRegion';
import { initialServerContext, type ActiveTransfer, type ServerContext, type ServerSessionInput } from './serverSession.context';

/** The store's answer to a `file.request`, with the request it answers (so nothing needs to work it out again). */
export type FileDoneEvent = { type: 'file.done'; request: FileActionRequest; result: FileActionResult };

/**
 * Events the machine raises for its own data region where no socket reports the change: PORT/EPRT set a
 * target, a transfer starts dialling it, and the session lets a listener or connection go.
 */
type DataRegionEvent = { type: 'data.targetSet' } | { type: 'data.dialing' } | { type: 'data.dropped' };

/** The server as a whole is stopping (SIGTERM, Ctrl-C): every session is told, whatever it is doing. */
export type ShutdownEvent = { type: 'server.shutdown' };

export type ServerEvent = ControlInputEvent | DataInputEvent | FileDoneEvent | DataRegionEvent | ShutdownEvent;

/** What the machine asks of the world: main/ sends replies and closes on the sockets, orders to the data channel, requests to the store. */
export type ServerEmitted =
  | { type: 'reply'; code: number; lines: readonly string[] }
  | { type: 'control.close'; reason: CloseReason }
  | { type: 'data.order'; order: DataOutputEvent }
  | { type: 'file.request'; request: FileActionRequest };

/** The data region's states, by path below `data` (for STAT, and for tests that walk the region). */
export const DATA_STATES = Object.keys(serverDataStates) as ServerDataState[];

const requestOf = (event: ServerEvent): ServerRequest | undefined => (event.type === 'control.command' ? event.request : undefined);

/** `current` while an over-long line waits for its 500: something is being handled. */
const TOO_LONG: ServerRequest = { sent: '', verb: '', arg: '', row: undefined };

/**
 * Commands a client may send ahead while one is handled (959 §4.1.3 lets it). Past this many waiting, the
 * session ends with 421: each one is kept, and a client that sends megabytes of NOOPs during a login delay
 * would otherwise fill the server's memory.
 */
export const MAX_QUEUED_COMMANDS = 1000;

/** The file action a file-kind command asks for, or the refusal if its path is not acceptable. */
export function fileRequest(context: ServerContext, request: ServerRequest): FileActionRequest | Outcome {
  const verb = request.verb;
  const arg = verb === 'CDUP' ? '..' : request.arg;
  const resolved = resolveVirtualPath(context.cwd, arg.trim() === '' ? '.' : arg);
  if (!resolved.ok) return storeErrorOutcome(resolved.reason);
  const path = resolved.path;
  switch (verb) {
    case 'CWD':
    case 'CDUP':
      return { op: 'cwd', path };
    case 'MKD':
      return { op: 'mkd', path };
    case 'RMD':
      return { op: 'rmd', path };
    case 'DELE':
      return { op: 'dele', path };
    case 'RNFR':
      return { op: 'rnfr', path };
    case 'RNTO':
      return context.renameFrom ? { op: 'rnto', from: context.renameFrom, path } : { replies: [reply('badSequence', 'RNTO must come right after RNFR.')] };
    case 'SIZE':
      return { op: 'size', path, representation: context.representation };
    case 'MDTM':
      return { op: 'mdtm', path };
    case 'STAT':
      return { op: 'statList', path };
    case 'RETR':
      return { op: 'prepareRetr', path, offset: context.restOffset };
    case 'STOR':
    case 'APPE':
      return { op: 'prepareStor', path, unique: false };
    // STOU takes no path (959 §4.1.3): the server picks a name in the working directory.
    case 'STOU':
      return { op: 'prepareStor', path: context.cwd, unique: true };
    case 'LIST':
    case 'NLST':
      return { op: 'prepareList', path };
    default:
      return { replies: [reply('notImplemented')] };
  }
}

const isOutcome = (value: FileActionRequest | Outcome): value is Outcome => 'replies' in value;

/** Turns a transfer into the order the data channel needs: where the bytes come from or go. */
function transferOrder(context: ServerContext, transfer: ActiveTransfer): DataOutputEvent {
  const settings = { representation: context.representation, mode: context.mode, structure: context.structure, command: `${transfer.verb} ${transfer.path}` };
  if (transfer.direction === 'download') {
    const source: DataSource =
      transfer.listing !== undefined ? { kind: 'text', text: transfer.listing } : { kind: 'file', path: transfer.path, offset: transfer.restOffset };
    return { type: 'send', source, settings };
  }
  const write = transfer.verb === 'APPE' ? 'append' : transfer.restOffset > 0 ? 'resume' : 'replace';
  const sink: DataSink = { kind: 'file', path: transfer.path, write, offset: transfer.restOffset };
  return { type: 'receive', sink, settings };
}

/** The ActiveTransfer a prepared transfer command becomes, from the store's answer. */
function newTransfer(context: ServerContext, request: FileActionRequest, result: Extract<FileActionResult, { ok: true }>): ActiveTransfer {
  const current = context.current!;
  const verb = current.verb;
  const path = result.path ?? ('path' in request ? request.path : '/');
  const now = context.config.nowMs ? context.config.nowMs() : 0;
  return {
    verb,
    path,
    direction: current.row?.direction ?? 'download',
    restOffset: context.restOffset,
    bytes: 0,
    ...(verb === 'STOU' ? { preliminaryText: `FILE: ${path.slice(path.lastIndexOf('/') + 1)}` } : {}),
    ...(verb === 'LIST' || verb === 'NLST' ? { listing: listingPayload(verb, result, now) } : {}),
  };
}

/** The completion reply's opening, with its byte counts (core/trace/byteCounts.ts). */
const completeText = (transfer: ActiveTransfer | undefined): string => transferCompleteText(transfer ?? { bytes: 0 });

/** enqueueActions' `check`, as the lazy data view uses it. */
type Check = (guard: never) => boolean;

/** The data region's state, read only if a handler asks (PORT and STAT do). */
function lazyDataView(check: Check): DataView {
  let state: string | undefined;
  return {
    get state() {
      state ??= DATA_STATES.find((path) => check(stateIn(`#server.data.${path}`) as never)) ?? 'none';
      return state;
    },
  };
}

/** Applies an outcome: one assign (its patch; the command is finished unless `keepCurrent`), its replies, its orders. */
function enqueueOutcome(
  enqueue: { assign: (patch: Partial<ServerContext>) => void; emit: (event: ServerEmitted) => void; raise: (event: DataRegionEvent) => void },
  outcome: Outcome,
  keepCurrent = false,
) {
  if (keepCurrent) {
    if (outcome.patch) enqueue.assign(outcome.patch);
  } else {
    enqueue.assign(outcome.patch ? { ...outcome.patch, current: undefined } : { current: undefined });
  }
  for (const r of outcome.replies) enqueue.emit({ type: 'reply', code: r.code, lines: r.lines });
  for (const order of outcome.data ?? []) enqueue.emit({ type: 'data.order', order });
  if (outcome.targetSet) enqueue.raise({ type: 'data.targetSet' });
}

/** Too many commands sent ahead: 421, the data connection goes, the server closes. */
const REFUSE_FLOOD = [
  {
    type: 'respond',
    params: { replies: [reply('serviceNotAvailable', `More than ${MAX_QUEUED_COMMANDS} commands sent ahead: closing the control connection.`)] },
  },
  { type: 'dropData', params: 'error' },
  { type: 'closeControl', params: 'error' },
] as const;

/** What the server says as it stops: 426 for a transfer under way, then 421 (959 §4.2: the answer to anything). */
function shutdownReplies(transfer: ActiveTransfer | undefined): OutReply[] {
  return [
    ...(transfer ? [reply('transferAborted', 'Connection closed; transfer aborted: the server is shutting down.')] : []),
    reply('serviceNotAvailable', 'The server is shutting down: closing the control connection.'),
  ];
}

/** A command that must wait: queued, unless too many already wait (then the session ends). */
const QUEUE_COMMAND = [{ guard: 'queueFull', target: '#server.session.closed', actions: REFUSE_FLOOD }, { actions: 'enqueueCommand' }] as const;
const QUEUE_TOO_LONG = [{ guard: 'queueFull', target: '#server.session.closed', actions: REFUSE_FLOOD }, { actions: 'enqueueTooLong' }] as const;

export const serverSessionMachine = setup({
  types: {
    context: {} as ServerContext,
    input: {} as ServerSessionInput,
    events: {} as ServerEvent,
    emitted: {} as ServerEmitted,
  },
  delays: {
    loginDelay: ({ context }) => context.config.loginDelayMs,
    dataTimeout: ({ context }) => context.config.dataTimeoutMs,
  },
  guards: {
    /** The server will not serve this connection (a session limit). */
    refusing: ({ context }) => context.refuse !== undefined,
    /** A command arrived while none is being handled and others wait: take the next. */
    canDispatch: ({ context }) => context.queue.length > 0 && context.current === undefined,
    queueFull: ({ context }) => context.queue.length >= MAX_QUEUED_COMMANDS,
    refused: ({ event }, loggedIn: boolean) => {
      const request = requestOf(event);
      return request !== undefined && refusal(loggedIn, request.sent, request.arg) !== undefined;
    },
    isVerb: ({ event }, verb: string) => requestOf(event)?.verb === verb,
    isKind: ({ event }, kind: string) => requestOf(event)?.row?.kind === kind,
    hasSimpleHandler: ({ event }) => {
      const request = requestOf(event);
      return request !== undefined && simpleHandler(request.verb) !== undefined;
    },
    isStatWithPath: ({ event }) => {
      const request = requestOf(event);
      return request?.verb === 'STAT' && request.arg.trim() !== '';
    },
    pathRefused: ({ context, event }) => {
      const request = requestOf(event);
      if (!request) return false;
      const kind = request.row?.kind;
      const wantsPath = kind === 'file' || kind === 'transfer' || (request.verb === 'STAT' && request.arg.trim() !== '');
      return wantsPath && isOutcome(fileRequest(context, request));
    },
    isEpsvAll: ({ event }) => {
      const request = requestOf(event);
      return request?.verb === 'EPSV' && request.arg.trim().toUpperCase() === 'ALL';
    },
    /** PASV after EPSV ALL (2428 §4), or EPSV for a protocol other than IPv4 (2428 §3: 522). */
    passiveRefused: ({ context, event }) => passiveRefusal(context, requestOf(event)) !== undefined,
    credentialsOk: ({ context, event }) => {
      const user = context.user ?? '';
      if (context.config.anonymous && /^(anonymous|ftp)$/i.test(user)) return true;
      const password = requestOf(event)?.arg;
      return context.config.accounts.some((a) => a.user === user && a.password === password);
    },
    tooManyFailures: ({ context }) => context.loginFailures >= context.config.maxLoginFailures,
    fileFailed: ({ event }) => event.type === 'file.done' && !event.result.ok,
    currentIsRnfr: ({ context }) => context.current?.verb === 'RNFR',
    renameCancelled: ({ context }) => context.renameFrom === undefined,
    modeKeepsConnection: ({ context }) => !transferModes[context.mode].eofByClose,
    /** A data connection is up and free for a transfer (a fresh one, or one BLOCK/COMPRESSED kept open). */
    dataReady: or([stateIn('#server.data.open'), stateIn('#server.data.keptOpen')]),
    /** PORT/EPRT or PASV/EPSV has said where the next data connection comes from, or one is up (959 §3.2). */
    dataSetUp: or([stateIn('#server.data.listening'), stateIn('#server.data.targetSet'), stateIn('#server.data.open'), stateIn('#server.data.keptOpen')]),
    duringTransfer: stateIn('#server.session.loggedIn.transfer'),
  },
  actions: {
    enqueueCommand: assign({
      queue: ({ context, event }) =>
        event.type === 'control.command' ? [...context.queue, { kind: 'command' as const, request: event.request }] : context.queue,
    }),
    enqueueTooLong: assign({
      queue: ({ context, event }) => (event.type === 'control.tooLong' ? [...context.queue, { kind: 'tooLong' as const, bytes: event.bytes }] : context.queue),
    }),
    /** Takes the next queued command; it is marked current until its handler finishes it, so only one runs at a time. */
    dispatchNext: enqueueActions(({ context, enqueue }) => {
      const [next, ...rest] = context.queue;
      if (!next) return;
      if (next.kind === 'command') {
        enqueue.assign({ queue: rest, current: next.request });
        enqueue.raise({ type: 'control.command', request: next.request });
      } else {
        enqueue.assign({ queue: rest, current: TOO_LONG });
        enqueue.raise({ type: 'control.tooLong', bytes: next.bytes });
      }
    }),
    /** Replies (and orders, and a context change) that finish the command being handled. */
    respond: enqueueActions(({ enqueue }, outcome: Outcome) => enqueueOutcome(enqueue, outcome)),
    /** Replies that do not finish anything (STAT during a transfer, 110 MARK). */
    say: enqueueActions(({ enqueue }, outcome: Outcome) => enqueueOutcome(enqueue, outcome, true)),
    /** A command answered from session state alone (serverCommands.ts). */
    runHandler: enqueueActions(({ context, event, enqueue, check }) => {
      const request = requestOf(event)!;
      enqueueOutcome(enqueue, simpleHandler(request.verb)!(context, request.arg, lazyDataView(check)));
    }),
    /** The command waits for the store: it becomes current, and the store is asked. */
    askStore: enqueueActions(({ context, event, enqueue }) => {
      const request = requestOf(event)!;
      enqueue.assign({ current: request });
      enqueue.emit({ type: 'file.request', request: fileRequest(context, request) as FileActionRequest });
    }),
    order: emit((_, order: DataOutputEvent) => ({ type: 'data.order' as const, order })),
    /** Lets any listener or connection go (the adapter ignores this when there is none), and the data region follows. */
    dropData: enqueueActions(({ enqueue }, reason: CloseReason) => {
      enqueue.emit({ type: 'data.order', order: { type: 'reset', reason } });
      enqueue.raise({ type: 'data.dropped' });
    }),
    closeControl: emit((_, reason: CloseReason) => ({ type: 'control.close' as const, reason })),
    /** ABOR, once the data connection is closed: 426 for the transfer, then 226 for ABOR (959 §4.1.3). */
    reportAborted: enqueueActions(({ event, enqueue }) => {
      const bytes = 'bytes' in event ? event.bytes : 0;
      enqueue.assign({ transfer: undefined, current: undefined });
      enqueue.emit({ type: 'reply', code: Reply.transferAborted.code, lines: [`Transfer aborted after ${bytes} bytes; data connection closed.`] });
      enqueue.emit({ type: 'reply', code: Reply.closingData.code, lines: ['ABOR successful.'] });
    }),
  },
}).createMachine({
  id: 'server',
  type: 'parallel',
  context: ({ input }) => initialServerContext(input),
  states: {
    session: {
      initial: 'greeting',
      on: {
        // Commands that arrive while another is being handled wait their turn (959 §4.1.3, 1123 §4.1.3.3),
        // up to MAX_QUEUED_COMMANDS.
        'control.command': QUEUE_COMMAND,
        'control.tooLong': QUEUE_TOO_LONG,
        // Megabytes without a line end: one 500, then the connection goes (design.md).
        'control.flood': {
          target: '.closed',
          actions: [
            { type: 'respond', params: { replies: [reply('syntaxError', 'Command line too long; closing the connection.')] } },
            { type: 'closeControl', params: 'error' },
            { type: 'dropData', params: 'error' },
          ],
        },
        // A control connection that drops is ABOR plus QUIT (959 §4.1.1); the data connection closes with it (§3.2, condition 4).
        'control.closed': { target: '.closed', actions: { type: 'dropData', params: 'quit' } },
        // The server stops. A transfer under way is cut short as ABOR cuts it (959 §4.1.3): the data connection
        // closes, its command gets 426; then 421, which may answer anything (959 §4.2), and the server closes.
        // A session already closing has nothing more to say.
        'server.shutdown': {
          guard: not(or([stateIn('#server.session.closing'), stateIn('#server.session.closed')])),
          target: '.closed',
          actions: [
            { type: 'dropData', params: 'shutdown' },
            { type: 'respond', params: ({ context }) => ({ replies: shutdownReplies(context.transfer) }) },
            { type: 'closeControl', params: 'shutdown' },
          ],
        },
        // An abandoned session goes after the idle timeout (1123 §4.1.3.2): 421, then the server closes. A transfer
        // in progress is not idleness, and a session already closing has nothing more to say.
        'control.idle': {
          guard: not(or(['duringTransfer', stateIn('#server.session.closing'), stateIn('#server.session.closed')])),
          target: '.closed',
          actions: [
            {
              type: 'respond',
              params: ({ event }) => ({ replies: [reply('serviceNotAvailable', `No command for ${event.seconds} seconds: closing the control connection.`)] }),
            },
            { type: 'dropData', params: 'quit' },
            { type: 'closeControl', params: 'error' },
          ],
        },
      },
      states: {
        // Connection establishment (959 §5.4): 220, or 421 when the server takes no more sessions (a limit), then it closes.
        greeting: {
          always: [
            {
              guard: 'refusing',
              target: 'closed',
              actions: [
                { type: 'respond', params: ({ context }) => ({ replies: [reply('serviceNotAvailable', `${context.refuse ?? ''}; try again later.`)] }) },
                { type: 'closeControl', params: 'limit' },
              ],
            },
            {
              target: 'notLoggedIn',
              actions: emit(({ context }) => ({ type: 'reply' as const, code: 220, lines: [context.config.banner ?? 'FTP Lab server ready.'] })),
            },
          ],
        },
        // Before login only login, QUIT and the commands that need no login are taken (vsftpd's pre-login split).
        notLoggedIn: {
          initial: 'awaitingUser',
          on: {
            'control.command': [
              {
                guard: { type: 'refused', params: false },
                actions: { type: 'respond', params: ({ event }) => refusal(false, requestOf(event)!.sent, requestOf(event)!.arg)! },
              },
              { guard: { type: 'isVerb', params: 'QUIT' }, target: '#server.session.closing' },
              { guard: { type: 'isVerb', params: 'ACCT' }, actions: { type: 'respond', params: { replies: [reply('superfluous', 'No account needed.')] } } },
              // RFC 2577 §7: always 331 to USER, so user names cannot be guessed one reply at a time.
              {
                guard: { type: 'isVerb', params: 'USER' },
                target: '.awaitingPassword',
                reenter: true,
                actions: { type: 'respond', params: ({ event }) => ({ replies: [reply('needPassword')], patch: { user: requestOf(event)!.arg.trim() } }) },
              },
              { guard: 'hasSimpleHandler', actions: 'runHandler' },
              { actions: { type: 'respond', params: { replies: [reply('notLoggedIn', 'Please log in with USER and PASS first.')] } } },
            ],
            'control.tooLong': { actions: { type: 'respond', params: { replies: [reply('syntaxError', 'Command line too long.')] } } },
          },
          states: {
            awaitingUser: {
              always: { guard: 'canDispatch', actions: 'dispatchNext' },
              on: {
                'control.command': {
                  guard: { type: 'isVerb', params: 'PASS' },
                  actions: { type: 'respond', params: { replies: [reply('badSequence', 'Login with USER first.')] } },
                },
              },
            },
            awaitingPassword: {
              always: { guard: 'canDispatch', actions: 'dispatchNext' },
              on: {
                'control.command': [
                  {
                    guard: and([{ type: 'isVerb', params: 'PASS' }, 'credentialsOk']),
                    target: '#server.session.loggedIn',
                    actions: {
                      type: 'respond',
                      params: ({ context }) => ({
                        replies: [reply('loggedIn', `User ${context.user ?? ''} logged in, proceed.`)],
                        patch: { loginFailures: 0 },
                      }),
                    },
                  },
                  {
                    guard: { type: 'isVerb', params: 'PASS' },
                    target: 'loginRefused',
                    actions: assign({ loginFailures: ({ context }) => context.loginFailures + 1, current: ({ event }) => requestOf(event) }),
                  },
                ],
              },
            },
            // A bad password is answered only after a delay (RFC 2577 §5), and too many end the session with 421.
            loginRefused: {
              on: { 'control.command': QUEUE_COMMAND, 'control.tooLong': QUEUE_TOO_LONG },
              after: {
                loginDelay: [
                  {
                    guard: 'tooManyFailures',
                    target: '#server.session.closed',
                    actions: [
                      { type: 'respond', params: { replies: [reply('serviceNotAvailable', 'Too many failed logins; closing the control connection.')] } },
                      { type: 'closeControl', params: 'error' },
                    ],
                  },
                  {
                    target: 'awaitingUser',
                    actions: { type: 'respond', params: { replies: [reply('notLoggedIn', 'Login incorrect.')], patch: { user: undefined } } },
                  },
                ],
              },
            },
          },
        },
        loggedIn: {
          initial: 'idle',
          states: {
            idle: {
              always: { guard: 'canDispatch', actions: 'dispatchNext' },
              on: {
                'control.command': [
                  {
                    guard: { type: 'refused', params: true },
                    actions: { type: 'respond', params: ({ event }) => refusal(true, requestOf(event)!.sent, requestOf(event)!.arg)! },
                  },
                  { guard: { type: 'isVerb', params: 'QUIT' }, target: '#server.session.closing' },
                  {
                    guard: { type: 'isVerb', params: 'USER' },
                    actions: { type: 'respond', params: { replies: [reply('notLoggedIn', 'Already logged in; this server does not change users.')] } },
                  },
                  {
                    guard: { type: 'isVerb', params: 'PASS' },
                    actions: { type: 'respond', params: { replies: [reply('badSequence', 'Already logged in.')] } },
                  },
                  {
                    guard: { type: 'isVerb', params: 'ACCT' },
                    actions: { type: 'respond', params: { replies: [reply('superfluous', 'No account needed.')] } },
                  },
                  { guard: 'pathRefused', actions: { type: 'respond', params: ({ context, event }) => fileRequest(context, requestOf(event)!) as Outcome } },
                  { guard: 'isStatWithPath', target: 'fileAction', actions: 'askStore' },
                  { guard: 'hasSimpleHandler', actions: 'runHandler' },
                  {
                    guard: 'isEpsvAll',
                    actions: {
                      type: 'respond',
                      params: { replies: [reply('ok', 'EPSV ALL ok: from now on only EPSV sets up data connections.')], patch: { epsvAll: true } },
                    },
                  },
                  { guard: 'passiveRefused', actions: { type: 'respond', params: ({ context, event }) => passiveRefusal(context, requestOf(event))! } },
                  // PASV/EPSV: a new listener replaces any listener or connection that exists (959 §3.2, condition 3).
                  {
                    guard: { type: 'isKind', params: 'passive' },
                    target: 'openingPassive',
                    actions: [assign({ current: ({ event }) => requestOf(event) }), { type: 'order', params: { type: 'listen' } }],
                  },
                  { guard: { type: 'isKind', params: 'file' }, target: 'fileAction', actions: 'askStore' },
                  { guard: { type: 'isKind', params: 'transfer' }, target: 'transfer', actions: 'askStore' },
                  // ABOR with no transfer running: close an idle data connection (226) or say there was nothing (225).
                  {
                    guard: and([{ type: 'isKind', params: 'abort' }, 'dataReady']),
                    actions: [
                      { type: 'dropData', params: 'abort' },
                      { type: 'respond', params: { replies: [reply('closingData', 'Data connection closed; no transfer was in progress.')] } },
                    ],
                  },
                  {
                    guard: { type: 'isKind', params: 'abort' },
                    actions: { type: 'respond', params: { replies: [reply('noTransfer', 'No transfer to abort.')] } },
                  },
                  { actions: { type: 'respond', params: { replies: [reply('notImplemented')] } } },
                ],
                'control.tooLong': { actions: { type: 'respond', params: { replies: [reply('syntaxError', 'Command line too long.')] } } },
              },
            },
            openingPassive: {
              on: {
                'data.listening': {
                  target: 'idle',
                  actions: {
                    type: 'respond',
                    params: ({ context, event }) => {
                      const local = sameHost(event.local.host, '::') ? context.local : event.local;
                      const text =
                        context.current?.verb === 'EPSV' ? formatEpsvReply(event.local.port) : formatPasvReply({ host: local.host, port: event.local.port });
                      return {
                        replies: [context.current?.verb === 'EPSV' ? reply('enteringExtendedPassive', text) : reply('enteringPassive', text)],
                        patch: { dataAddress: event.local },
                      };
                    },
                  },
                },
                'data.failed': {
                  target: 'idle',
                  actions: {
                    type: 'respond',
                    params: ({ event }) => ({ replies: [reply('cantOpenData', `Cannot listen for a data connection: ${event.reason}`)] }),
                  },
                },
              },
            },
            fileAction: {
              on: {
                'file.done': [
                  {
                    guard: and(['currentIsRnfr', not('fileFailed')]),
                    target: 'awaitingRnto',
                    actions: { type: 'respond', params: ({ context, event }) => fileActionOutcome(event.request, event.result, now(context)) },
                  },
                  {
                    target: 'idle',
                    actions: {
                      type: 'respond',
                      params: ({ context, event }) => withPatch(fileActionOutcome(event.request, event.result, now(context)), { renameFrom: undefined }),
                    },
                  },
                ],
              },
            },
            // RNFR succeeded: RNTO must come next (959 §4.1.3); anything else cancels the rename and is handled normally.
            awaitingRnto: {
              always: [
                { guard: 'renameCancelled', target: 'idle' },
                { guard: 'canDispatch', actions: 'dispatchNext' },
              ],
              on: {
                'control.command': [
                  {
                    guard: 'pathRefused',
                    target: 'idle',
                    actions: {
                      type: 'respond',
                      params: ({ context, event }) => withPatch(fileRequest(context, requestOf(event)!) as Outcome, { renameFrom: undefined }),
                    },
                  },
                  { guard: { type: 'isVerb', params: 'RNTO' }, target: 'fileAction', actions: 'askStore' },
                  // Handled afresh in idle; it stays the current command until then, so nothing queued overtakes it.
                  { target: 'idle', actions: [assign({ renameFrom: undefined, current: ({ event }) => requestOf(event) }), raise(({ event }) => event)] },
                ],
                'control.tooLong': { target: 'idle', actions: [assign({ renameFrom: undefined, current: TOO_LONG }), raise(({ event }) => event)] },
              },
            },
            transfer: {
              initial: 'preparing',
              on: {
                // During a transfer only ABOR and STAT are acted on at once; the rest wait their turn (959 §4.1.3, 1123 §4.1.3.3).
                'control.command': [
                  { guard: { type: 'isVerb', params: 'ABOR' }, target: '.aborting' },
                  {
                    guard: { type: 'isVerb', params: 'STAT' },
                    actions: {
                      type: 'say',
                      params: ({ context }) => ({
                        replies: [
                          reply('systemStatus', [
                            `Transfer in progress: ${context.transfer?.verb ?? context.current?.verb ?? ''} ${context.transfer?.path ?? ''}`.trim(),
                            'End of status',
                          ]),
                        ],
                      }),
                    },
                  },
                  ...QUEUE_COMMAND,
                ],
              },
              states: {
                preparing: {
                  on: {
                    'file.done': [
                      {
                        guard: 'fileFailed',
                        target: '#server.session.loggedIn.idle',
                        actions: {
                          type: 'respond',
                          params: ({ event }) =>
                            withPatch(event.result.ok ? { replies: [] } : storeErrorOutcome(event.result.error, event.result.message), { restOffset: 0 }),
                        },
                      },
                      {
                        guard: not('dataSetUp'),
                        target: '#server.session.loggedIn.idle',
                        actions: {
                          type: 'respond',
                          params: { replies: [reply('cantOpenData', 'Use PORT, EPRT, PASV or EPSV first.')], patch: { restOffset: 0 } },
                        },
                      },
                      {
                        target: 'opening',
                        actions: assign(({ context, event }) => ({
                          transfer: newTransfer(context, event.request, event.result as Extract<FileActionResult, { ok: true }>),
                          restOffset: 0,
                        })),
                      },
                    ],
                  },
                },
                // 125 if a data connection that already carried a transfer is reused, else 150 (959 §4.2.1);
                // in active mode the server then connects to the client's address (959 §3.2).
                opening: {
                  entry: enqueueActions(({ context, enqueue, check }) => {
                    const transfer = context.transfer!;
                    const reuse = check(stateIn('#server.data.keptOpen'));
                    const what = transfer.verb === 'LIST' || transfer.verb === 'NLST' ? 'the listing' : transfer.path;
                    const text =
                      transfer.preliminaryText ??
                      (reuse ? undefined : `Opening ${context.representation === 'A' ? 'ASCII' : 'BINARY'} mode data connection for ${what}.`);
                    const preliminary = reply(reuse ? 'dataAlreadyOpen' : 'aboutToOpenData', text);
                    enqueue.emit({ type: 'reply', code: preliminary.code, lines: preliminary.lines });
                    if (context.dataAddress && check(stateIn('#server.data.targetSet'))) {
                      enqueue.emit({ type: 'data.order', order: { type: 'connect', target: context.dataAddress } });
                      enqueue.raise({ type: 'data.dialing' });
                    }
                  }),
                  always: { guard: 'dataReady', target: 'transferring' },
                  on: {
                    'data.connected': 'transferring',
                    'data.failed': {
                      target: '#server.session.loggedIn.idle',
                      actions: [
                        {
                          type: 'respond',
                          params: ({ event }) => ({
                            replies: [reply('cantOpenData', `Can't open data connection: ${event.reason}.`)],
                            patch: { transfer: undefined },
                          }),
                        },
                        { type: 'dropData', params: 'error' },
                      ],
                    },
                  },
                  after: {
                    dataTimeout: {
                      target: '#server.session.loggedIn.idle',
                      actions: [
                        {
                          type: 'respond',
                          params: { replies: [reply('cantOpenData', 'No data connection was made in time.')], patch: { transfer: undefined } },
                        },
                        { type: 'dropData', params: 'error' },
                      ],
                    },
                  },
                },
                transferring: {
                  entry: { type: 'order', params: ({ context }) => transferOrder(context, context.transfer!) },
                  on: {
                    // BLOCK/COMPRESSED: the EOF marker travelled in the data; the connection stays open and the reply is 250 (§3.3, §5.2).
                    // STREAM: the server sent, so its close is the end of file (959 §3.4.1, §3.2 condition 1); or the client
                    // closed its side, and that was the end of file: the server closes its own in turn (§5.2).
                    'data.sent': [
                      {
                        guard: 'modeKeepsConnection',
                        target: '#server.session.loggedIn.idle',
                        actions: { type: 'respond', params: ({ context, event }) => keptOpenOutcome(context, event) },
                      },
                      { target: 'closingData', actions: assign({ transfer: ({ context, event }) => counted(context.transfer, event) }) },
                    ],
                    'data.received': [
                      {
                        guard: 'modeKeepsConnection',
                        target: '#server.session.loggedIn.idle',
                        actions: { type: 'respond', params: ({ context, event }) => keptOpenOutcome(context, event) },
                      },
                      { target: 'closingData', actions: assign({ transfer: ({ context, event }) => counted(context.transfer, event) }) },
                    ],
                    // The sender's restart markers in BLOCK/COMPRESSED mode, answered with where the server is (1123 §4.1.3.4):
                    // rrrr is the server's position in the file, where this transfer started (REST) plus what it has written.
                    'data.restartMarker': {
                      actions: {
                        type: 'say',
                        params: ({ context, event }) => ({
                          replies: [{ code: 110, lines: [`MARK ${event.marker} = ${(context.transfer?.restOffset ?? 0) + event.position}`] }],
                        }),
                      },
                    },
                    // The transfer failed: the server closes the data connection (959 §3.2, condition 5) and says why: 426 when
                    // the connection broke; the store's refusal when the file could not take the bytes (452 for a full disk).
                    'data.lost': {
                      target: '#server.session.loggedIn.idle',
                      actions: [
                        { type: 'dropData', params: 'error' },
                        {
                          type: 'respond',
                          params: ({ event }) =>
                            withPatch(
                              event.error
                                ? storeErrorOutcome(event.error, event.reason)
                                : { replies: [reply('transferAborted', `Connection closed; transfer aborted after ${event.bytes} bytes.`)] },
                              { transfer: undefined },
                            ),
                        },
                      ],
                    },
                    // The connection went away before the transfer could end normally (a reset while the file was opened).
                    'data.closed': {
                      target: '#server.session.loggedIn.idle',
                      actions: {
                        type: 'respond',
                        params: ({ event }) => ({
                          replies: [reply('transferAborted', `Connection closed; transfer aborted after ${event.bytes} bytes.`)],
                          patch: { transfer: undefined },
                        }),
                      },
                    },
                  },
                },
                // The server closes its side: after a download its FIN is the end of file; after an upload it answers the
                // client's. 226 goes as soon as that FIN is sent: a client may wait for 226 before it closes its own side,
                // so the server never waits for the client's FIN (design.md; vsftpd and pyftpdlib do the same).
                closingData: {
                  entry: {
                    type: 'order',
                    params: ({ context }) => ({ type: 'close', reason: context.transfer?.direction === 'upload' ? 'peer-closed' : 'eof' }),
                  },
                  on: {
                    'data.finSent': {
                      target: '#server.session.loggedIn.idle',
                      actions: { type: 'respond', params: ({ context }) => completedOutcome(context) },
                    },
                    'data.closed': {
                      target: '#server.session.loggedIn.idle',
                      actions: { type: 'respond', params: ({ context }) => completedOutcome(context) },
                    },
                  },
                },
                // ABOR during a transfer: close the data connection, then 426 for the transfer and 226 for ABOR (959 §4.1.3).
                aborting: {
                  entry: { type: 'order', params: { type: 'abort', reason: 'abort' } },
                  on: {
                    // A second ABOR while this one is under way is answered after it (225: nothing left to abort).
                    'control.command': QUEUE_COMMAND,
                    'data.finSent': { target: '#server.session.loggedIn.idle', actions: 'reportAborted' },
                    'data.closed': { target: '#server.session.loggedIn.idle', actions: 'reportAborted' },
                    'data.lost': { target: '#server.session.loggedIn.idle', actions: 'reportAborted' },
                  },
                },
              },
            },
          },
        },
        // QUIT: 221, then the server closes the control connection (959 §4.1.1, §5.2); any data connection goes too (§3.2, condition 4).
        closing: {
          entry: [
            { type: 'respond', params: { replies: [reply('closingControl', 'Goodbye.')] } },
            { type: 'dropData', params: 'quit' },
            { type: 'closeControl', params: 'quit' },
          ],
          on: { 'control.command': {}, 'control.tooLong': {} },
        },
        closed: { type: 'final' },
      },
    },
    // The data connection (959 §3.2, §3.3, §5.2): set up by PASV/EPSV (the server listens) or PORT/EPRT (the
    // server will connect), open, then closed half by half; in BLOCK/COMPRESSED it may stay open between files.
    data: {
      initial: 'none',
      on: {
        // A new PASV/EPSV or PORT/EPRT replaces whatever was there (959 §3.2, condition 3).
        'data.listening': '.listening',
        'data.targetSet': '.targetSet',
        'data.dropped': '.closed',
        'data.failed': '.closed',
        'control.closed': '.released',
      },
      states: {
        none: {},
        listening: { on: { 'data.connected': 'open', 'data.closed': 'closed' } },
        targetSet: { on: { 'data.dialing': 'connecting' } },
        connecting: { on: { 'data.connected': 'open', 'data.closed': 'closed' } },
        open: {
          on: {
            'data.sent': { guard: 'modeKeepsConnection', target: 'keptOpen' },
            'data.received': { guard: 'modeKeepsConnection', target: 'keptOpen' },
            ...closingTransitions,
          },
        },
        // BLOCK/COMPRESSED: the EOF marker ended the file and the connection stays up; the next transfer gets 125 (959 §3.3, §5.2).
        keptOpen: { on: closingTransitions },
        halfClosed: {
          // Entered only at one of its halves; `initial` is required of a compound state.
          initial: 'finSent',
          on: goneTransitions,
          states: {
            // The server's FIN is out (STREAM end of file, ABOR, ...): the client reads to the end and closes its side (959 §5.2).
            finSent: { on: { 'data.peerFin': '#server.data.closed' } },
            // The client's FIN came (STREAM upload: its end of file). Between transfers the server closes its side at once
            // (959 §5.2, last paragraph); during a transfer the session does, once the file is safely stored.
            finReceived: {
              entry: enqueueActions(({ enqueue, check }) => {
                if (!check(stateIn('#server.session.loggedIn.transfer'))) enqueue.emit({ type: 'data.order', order: { type: 'close', reason: 'peer-closed' } });
              }),
              on: {
                'data.finSent': '#server.data.closed',
                // BLOCK/COMPRESSED: the EOF marker ended the file, and the client has closed its side too; the
                // session goes back to idle without a close of its own, so the server answers the FIN here (959 §5.2).
                'data.received': { guard: 'modeKeepsConnection', actions: { type: 'order', params: { type: 'close', reason: 'peer-closed' } } },
                'data.sent': { guard: 'modeKeepsConnection', actions: { type: 'order', params: { type: 'close', reason: 'peer-closed' } } },
              },
            },
          },
        },
        closed: {},
        // The session is over: nothing of the data connection is kept.
        released: { type: 'final' },
      },
    },
  },
});

/** PASV after EPSV ALL (2428 §4), or EPSV for a network protocol other than IPv4 (2428 §3). */
function passiveRefusal(context: ServerContext, request: ServerRequest | undefined): Outcome | undefined {
  if (!request) return undefined;
  if (request.verb === 'PASV' && context.epsvAll) return { replies: [reply('badSequence', 'EPSV ALL is in effect: use EPSV (RFC 2428 §4).')] };
  const arg = request.arg.trim();
  if (request.verb === 'EPSV' && arg !== '' && arg !== '1') return { replies: [reply('protocolNotSupported')] };
  return undefined;
}

/** A transfer with the data channel's byte counts. */
function counted(transfer: ActiveTransfer | undefined, event: { bytes: number; fileBytes?: number }): ActiveTransfer | undefined {
  return transfer && { ...transfer, bytes: event.bytes, ...(event.fileBytes !== undefined ? { fileBytes: event.fileBytes } : {}) };
}

/** BLOCK/COMPRESSED: 250, and the data connection stays open for the next transfer, which gets 125 (959 §5.2). */
function keptOpenOutcome(context: ServerContext, event: { bytes: number; fileBytes?: number }): Outcome {
  const text = `${completeText(counted(context.transfer, event))}; the data connection stays open (MODE ${context.mode}).`;
  return { replies: [{ code: Reply.fileActionOk.code, lines: [text] }], patch: { transfer: undefined } };
}

/** 226: the server has closed its side of the data connection (959 §5.2). */
function completedOutcome(context: ServerContext): Outcome {
  return { replies: [reply('closingData', `${completeText(context.transfer)}; data connection closed.`)], patch: { transfer: undefined } };
}

function withPatch(outcome: Outcome, patch: Partial<ServerContext>): Outcome {
  return { ...outcome, patch: { ...outcome.patch, ...patch } };
}

function now(context: ServerContext): number {
  return context.config.nowMs ? context.config.nowMs() : 0;
}
