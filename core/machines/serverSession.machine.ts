// The FTP server session: one actor per control connection, deciding every reply and every data-connection move.
// Sockets and the file store are actors supplied by main/ with .provide(); this file holds only the protocol.

import { assign, enqueueActions, fromCallback, fromPromise, raise, sendTo, setup } from 'xstate';
import { commandTable, canonicalVerb } from '../protocol/commands.table';
import { Reply } from '../protocol/replyCodes';
import { parseCommand } from '../protocol/commandLineDecoder';
import { formatEpsvReply, formatPasvReply } from '../protocol/hostPort';
import { resolveVirtualPath } from '../protocol/virtualPath';
import { transferModes } from '../protocol/transferModes';
import type { ControlInputEvent, ControlOutputEvent, DataInputEvent, DataOutputEvent, DataSink, DataSource } from './channelEvents';
import { refusal, reply, sameHost, simpleHandler, type Outcome } from './serverCommands';
import { fileActionOutcome, listingPayload, storeErrorOutcome, type FileActionRequest, type FileActionResult } from './serverFileActions';
import { initialServerContext, type ActiveTransfer, type ServerContext, type ServerSessionInput } from './serverSession.context';

/** A queued command handed to the session states, one at a time. */
export type CommandEvent = { type: 'cmd'; verb: string; arg: string | undefined } | { type: 'cmd.tooLong'; bytes: number };

export type ServerEvent = ControlInputEvent | DataInputEvent | CommandEvent;


const argOf = (event: ServerEvent): string => (event.type === 'cmd' ? event.arg ?? '' : '');
const verbOf = (event: ServerEvent): string => (event.type === 'cmd' ? event.verb : '');
const rowOf = (event: ServerEvent) => commandTable.get(verbOf(event));
const canonicalOf = (event: ServerEvent): string => {
  const row = rowOf(event);
  return row ? canonicalVerb(row) : verbOf(event);
};

/** The file action a file-kind command asks for, or the refusal if its path is not acceptable. */
function fileRequest(context: ServerContext, event: ServerEvent): FileActionRequest | Outcome {
  const verb = canonicalOf(event);
  const arg = verb === 'CDUP' ? '..' : argOf(event);
  const resolved = resolveVirtualPath(context.cwd, arg.trim() === '' ? '.' : arg);
  if (!resolved.ok) return storeErrorOutcome(resolved.reason);
  const path = resolved.path;
  switch (verb) {
    case 'CWD':
    case 'CDUP': return { op: 'cwd', path };
    case 'MKD': return { op: 'mkd', path };
    case 'RMD': return { op: 'rmd', path };
    case 'DELE': return { op: 'dele', path };
    case 'RNFR': return { op: 'rnfr', path };
    case 'RNTO': return context.renameFrom ? { op: 'rnto', from: context.renameFrom, path } : { replies: [reply('badSequence', 'RNTO must come right after RNFR.')] };
    case 'SIZE': return { op: 'size', path, representation: context.representation };
    case 'MDTM': return { op: 'mdtm', path };
    case 'STAT': return { op: 'statList', path };
    case 'RETR': return { op: 'prepareRetr', path, offset: context.restOffset };
    case 'STOR':
    case 'APPE': return { op: 'prepareStor', path, unique: false };
    // STOU takes no path (959 §4.1.3): the server picks a name in the working directory.
    case 'STOU': return { op: 'prepareStor', path: context.cwd, unique: true };
    case 'LIST':
    case 'NLST': return { op: 'prepareList', path };
    default: return { replies: [reply('notImplemented')] };
  }
}

const isOutcome = (value: FileActionRequest | Outcome): value is Outcome => 'replies' in value;

/** Turns a data-channel order for this transfer into the source or sink the data actor needs. */
function transferOrder(context: ServerContext, transfer: ActiveTransfer): DataOutputEvent {
  const settings = { representation: context.representation, mode: context.mode, structure: context.structure, command: `${transfer.verb} ${transfer.path}` };
  if (transfer.direction === 'download') {
    const source: DataSource = transfer.listing !== undefined ? { kind: 'text', text: transfer.listing } : { kind: 'file', path: transfer.path, offset: transfer.restOffset };
    return { type: 'send', source, settings };
  }
  const write = transfer.verb === 'APPE' ? 'append' : transfer.restOffset > 0 ? 'resume' : 'replace';
  const sink: DataSink = { kind: 'file', path: transfer.path, write, offset: transfer.restOffset };
  return { type: 'receive', sink, settings };
}

export const serverSessionMachine = setup({
  types: {
    context: {} as ServerContext,
    input: {} as ServerSessionInput,
    events: {} as ServerEvent,
  },
  actors: {
    /** The control connection (main/net): takes replies and close orders, reports lines. */
    control: fromCallback<ControlOutputEvent>(() => () => undefined),
    /** The data channel (main/net): listens, connects, moves bytes, closes when told. */
    dataChannel: fromCallback<DataOutputEvent>(() => () => undefined),
    /** The file store (main/store): performs one file action. */
    fileAction: fromPromise<FileActionResult, FileActionRequest>(async () => {
      throw new Error('fileAction actor not provided');
    }),
  },
  delays: {
    loginDelay: ({ context }) => context.loginDelayMs,
    dataTimeout: ({ context }) => context.dataTimeoutMs,
  },
  guards: {
    canDispatch: ({ context }) => context.queue.length > 0 && context.current === undefined,
    isRefused: ({ context, event }) => event.type === 'cmd' && refusal(context, event.verb, event.arg) !== undefined,
    isVerb: ({ event }, verb: string) => canonicalOf(event) === verb,
    isKind: ({ event }, kind: string) => rowOf(event)?.kind === kind,
    hasSimpleHandler: ({ event }) => simpleHandler(canonicalOf(event)) !== undefined,
    isStatWithPath: ({ event }) => canonicalOf(event) === 'STAT' && argOf(event).trim() !== '',
    pathRefused: ({ context, event }) => {
      const kind = rowOf(event)?.kind;
      const wantsPath = kind === 'file' || kind === 'transfer' || (canonicalOf(event) === 'STAT' && argOf(event).trim() !== '');
      return wantsPath && isOutcome(fileRequest(context, event));
    },
    isEpsvAll: ({ event }) => canonicalOf(event) === 'EPSV' && argOf(event).trim().toUpperCase() === 'ALL',
    credentialsOk: ({ context, event }) => {
      const user = context.user ?? '';
      if (context.anonymous && /^(anonymous|ftp)$/i.test(user)) return true;
      return context.accounts.some((a) => a.user === user && a.password === argOf(event));
    },
    tooManyFailures: ({ context }) => context.loginFailures >= context.maxLoginFailures,
    dataOpen: ({ context }) => context.dataOpen,
    noDataSetup: ({ context }) => context.dataSetup.kind === 'none' && !context.dataOpen,
    resultFailed: ({ event }) => !(event as unknown as { output: FileActionResult }).output.ok,
    lineIs: ({ event }, verb: string) => event.type === 'control.line' && parseCommand(event.text).verb === verb,
    modeKeepsConnection: ({ context }) => !transferModes[context.mode].eofByClose,
  },
  actions: {
    enqueueLine: assign({
      queue: ({ context, event }) => {
        if (event.type === 'control.line') {
          const { verb, arg } = parseCommand(event.text);
          return [...context.queue, { kind: 'command' as const, verb, arg }];
        }
        if (event.type === 'control.tooLong') return [...context.queue, { kind: 'tooLong' as const, bytes: event.bytes }];
        return context.queue;
      },
    }),
    dispatchNext: enqueueActions(({ context, enqueue }) => {
      const [next, ...rest] = context.queue;
      if (!next) return;
      enqueue.assign({ queue: rest, current: next });
      enqueue.raise(next.kind === 'command' ? { type: 'cmd', verb: next.verb, arg: next.arg } : { type: 'cmd.tooLong', bytes: next.bytes });
    }),
    finish: assign({ current: undefined }),
    /** Sends an outcome's replies and data orders and applies its context change. */
    apply: enqueueActions(({ enqueue }, outcome: Outcome) => {
      if (outcome.patch) enqueue.assign(outcome.patch);
      for (const r of outcome.replies) enqueue.sendTo('control', { type: 'reply', code: r.code, lines: [...r.lines] });
      for (const d of outcome.data ?? []) enqueue.sendTo('dataChannel', d);
    }),
    /** A transfer's byte count, kept for its completion reply. */
    recordBytes: assign({
      transfer: ({ context, event }) => ('bytes' in event && context.transfer ? { ...context.transfer, bytes: event.bytes } : context.transfer),
    }),
    /** BLOCK/COMPRESSED: 250, and the data connection stays open for the next transfer, which gets 125 (959 §5.2). */
    reportKeptOpen: enqueueActions(({ context, enqueue }) => {
      const text = `Transfer complete (${context.transfer?.bytes ?? 0} bytes); the data connection stays open (MODE ${context.mode}).`;
      enqueue.sendTo('control', { type: 'reply', code: Reply.fileActionOk.code, lines: [text] });
      enqueue.assign({ dataUsed: true, transfer: undefined, current: undefined });
    }),
    /** ABOR during a transfer, once the data connection is closed: 426 for the transfer, then 226 for ABOR (959 §4.1.3). */
    reportAborted: enqueueActions(({ event, enqueue }) => {
      const bytes = 'bytes' in event ? event.bytes : 0;
      enqueue.sendTo('control', { type: 'reply', code: Reply.transferAborted.code, lines: [`Transfer aborted after ${bytes} bytes; data connection closed.`] });
      enqueue.sendTo('control', { type: 'reply', code: Reply.closingData.code, lines: ['ABOR successful.'] });
      enqueue.assign({ dataOpen: false, dataUsed: false, dataSetup: { kind: 'none' }, transfer: undefined, current: undefined });
    }),
    resetData: enqueueActions(({ context, enqueue }, reason: 'reset' | 'replaced' | 'quit' | 'error' | 'abort') => {
      if (context.dataOpen || context.dataSetup.kind === 'passive') enqueue.sendTo('dataChannel', { type: 'reset', reason });
      enqueue.assign({ dataOpen: false, dataUsed: false, dataSetup: { kind: 'none' } });
    }),
  },
}).createMachine({
  id: 'server',
  context: ({ input }) => initialServerContext(input),
  invoke: [
    { id: 'control', src: 'control' },
    { id: 'dataChannel', src: 'dataChannel' },
  ],
  initial: 'greeting',
  on: {
    'control.line': { actions: 'enqueueLine' },
    'control.tooLong': { actions: 'enqueueLine' },
    // Megabytes without a line end: one 500, then the connection goes (design.md).
    'control.flood': {
      target: '.closed',
      actions: [
        { type: 'apply', params: { replies: [reply('syntaxError', 'Command line too long; closing the connection.')] } },
        sendTo('control', { type: 'close', reason: 'error' }),
        { type: 'resetData', params: 'error' },
      ],
    },
    // A control connection that drops is ABOR plus QUIT (959 §4.1.1); the data connection closes with it (§3.2, condition 4).
    'control.closed': { target: '.closed', actions: { type: 'resetData', params: 'quit' } },
    'data.connected': { actions: assign({ dataOpen: true, dataUsed: false }) },
    'data.lost': { actions: assign({ dataOpen: false, dataUsed: false }) },
    'data.closed': { actions: assign({ dataOpen: false, dataUsed: false }) },
  },
  states: {
    greeting: {
      always: {
        target: 'notLoggedIn',
        actions: sendTo('control', ({ context }) => ({ type: 'reply' as const, code: 220, lines: [context.banner ?? 'FTP Lab server ready.'] })),
      },
    },
    notLoggedIn: {
      initial: 'awaitingUser',
      on: {
        cmd: [
          { guard: 'isRefused', actions: [{ type: 'apply', params: ({ context, event }) => refusal(context, verbOf(event), argOf(event))! }, 'finish'] },
          { guard: { type: 'isVerb', params: 'QUIT' }, target: '#server.closing' },
          { guard: { type: 'isVerb', params: 'ACCT' }, actions: [{ type: 'apply', params: { replies: [reply('superfluous', 'No account needed.')] } }, 'finish'] },
          // RFC 2577 §7: always 331 to USER, so user names cannot be guessed one reply at a time.
          {
            guard: { type: 'isVerb', params: 'USER' },
            target: '.awaitingPassword',
            reenter: true,
            actions: [assign({ user: ({ event }) => argOf(event).trim() }), { type: 'apply', params: { replies: [reply('needPassword')] } }, 'finish'],
          },
          { guard: 'hasSimpleHandler', actions: [{ type: 'apply', params: ({ context, event }) => simpleHandler(canonicalOf(event))!(context, argOf(event)) }, 'finish'] },
        ],
        'cmd.tooLong': { actions: [{ type: 'apply', params: { replies: [reply('syntaxError', 'Command line too long.')] } }, 'finish'] },
      },
      states: {
        awaitingUser: {
          always: { guard: 'canDispatch', actions: 'dispatchNext' },
          on: {
            cmd: {
              guard: { type: 'isVerb', params: 'PASS' },
              actions: [{ type: 'apply', params: { replies: [reply('badSequence', 'Login with USER first.')] } }, 'finish'],
            },
          },
        },
        awaitingPassword: {
          always: { guard: 'canDispatch', actions: 'dispatchNext' },
          on: {
            cmd: [
              { guard: { type: 'isVerb', params: 'PASS' }, target: 'checkingPassword' },
            ],
          },
        },
        checkingPassword: {
          always: [
            { guard: ({ context }) => context.loggedIn, target: '#server.loggedIn' },
            { target: 'loginRefused' },
          ],
          entry: enqueueActions(({ context, event, enqueue, check }) => {
            if (check({ type: 'credentialsOk' })) {
              enqueue.assign({ loggedIn: true, loginFailures: 0 });
              enqueue({ type: 'apply', params: { replies: [reply('loggedIn', `User ${context.user ?? ''} logged in, proceed.`)] } });
              enqueue('finish');
            } else {
              enqueue.assign({ loginFailures: context.loginFailures + 1 });
            }
            void event;
          }),
        },
        // A bad password is answered only after a delay (RFC 2577 §5), and too many end the session with 421.
        loginRefused: {
          after: {
            loginDelay: [
              {
                guard: 'tooManyFailures',
                target: '#server.closed',
                actions: [
                  { type: 'apply', params: { replies: [reply('serviceNotAvailable', 'Too many failed logins; closing the control connection.')] } },
                  sendTo('control', { type: 'close', reason: 'error' }),
                ],
              },
              { target: 'awaitingUser', actions: [{ type: 'apply', params: { replies: [reply('notLoggedIn', 'Login incorrect.')] } }, assign({ user: undefined }), 'finish'] },
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
            cmd: [
              { guard: 'isRefused', actions: [{ type: 'apply', params: ({ context, event }) => refusal(context, verbOf(event), argOf(event))! }, 'finish'] },
              { guard: { type: 'isVerb', params: 'QUIT' }, target: '#server.closing' },
              { guard: { type: 'isVerb', params: 'USER' }, actions: [{ type: 'apply', params: { replies: [reply('notLoggedIn', 'Already logged in; this server does not change users.')] } }, 'finish'] },
              { guard: { type: 'isVerb', params: 'PASS' }, actions: [{ type: 'apply', params: { replies: [reply('badSequence', 'Already logged in.')] } }, 'finish'] },
              { guard: { type: 'isVerb', params: 'ACCT' }, actions: [{ type: 'apply', params: { replies: [reply('superfluous', 'No account needed.')] } }, 'finish'] },
              { guard: 'pathRefused', actions: [{ type: 'apply', params: ({ context, event }) => fileRequest(context, event) as Outcome }, 'finish'] },
              { guard: 'isStatWithPath', target: 'fileAction' },
              { guard: 'hasSimpleHandler', actions: [{ type: 'apply', params: ({ context, event }) => simpleHandler(canonicalOf(event))!(context, argOf(event)) }, 'finish'] },
              { guard: 'isEpsvAll', actions: [{ type: 'apply', params: { replies: [reply('ok', 'EPSV ALL ok: from now on only EPSV sets up data connections.')], patch: { epsvAll: true } } }, 'finish'] },
              { guard: { type: 'isKind', params: 'passive' }, target: 'openingPassive' },
              { guard: { type: 'isKind', params: 'file' }, target: 'fileAction' },
              { guard: { type: 'isKind', params: 'transfer' }, target: 'transfer' },
              // ABOR with no transfer running: close an idle data connection (226) or say there was nothing (225).
              { guard: { type: 'isKind', params: 'abort' }, actions: [enqueueActions(({ context, enqueue }) => {
                if (context.dataOpen) {
                  enqueue({ type: 'resetData', params: 'abort' });
                  enqueue({ type: 'apply', params: { replies: [reply('closingData', 'Data connection closed; no transfer was in progress.')] } });
                } else {
                  enqueue({ type: 'apply', params: { replies: [reply('noTransfer', 'No transfer to abort.')] } });
                }
              }), 'finish'] },
            ],
            'cmd.tooLong': { actions: [{ type: 'apply', params: { replies: [reply('syntaxError', 'Command line too long.')] } }, 'finish'] },
          },
        },
        openingPassive: {
          entry: enqueueActions(({ context, enqueue }) => {
            const current = context.current;
            const verb = current?.kind === 'command' ? current.verb : 'PASV';
            const arg = current?.kind === 'command' ? (current.arg ?? '').trim() : '';
            if (verb === 'PASV' && context.epsvAll) {
              enqueue({ type: 'apply', params: { replies: [reply('badSequence', 'EPSV ALL is in effect: use EPSV (RFC 2428 §4).')] } });
              enqueue.raise({ type: 'data.failed', reason: 'refused' });
              return;
            }
            if (verb === 'EPSV' && arg !== '' && arg !== '1') {
              enqueue({ type: 'apply', params: { replies: [reply('protocolNotSupported')] } });
              enqueue.raise({ type: 'data.failed', reason: 'refused' });
              return;
            }
            // A new PASV replaces any listener or connection that exists (959 §3.2, condition 3).
            enqueue({ type: 'resetData', params: 'replaced' });
            enqueue.sendTo('dataChannel', { type: 'listen' });
          }),
          on: {
            'data.listening': {
              target: 'idle',
              actions: [
                enqueueActions(({ context, event, enqueue }) => {
                  const verb = context.current?.kind === 'command' ? context.current.verb : 'PASV';
                  const local = sameHost(event.local.host, '::') ? context.local : event.local;
                  const text = verb === 'EPSV' ? formatEpsvReply(event.local.port) : formatPasvReply({ host: local.host.replace(/^::ffff:/i, ''), port: event.local.port });
                  enqueue({ type: 'apply', params: { replies: [verb === 'EPSV' ? reply('enteringExtendedPassive', text) : reply('enteringPassive', text)], patch: { dataSetup: { kind: 'passive', local: event.local } } } });
                }),
                'finish',
              ],
            },
            'data.failed': {
              target: 'idle',
              actions: [
                enqueueActions(({ event, enqueue }) => {
                  if (event.reason !== 'refused') enqueue({ type: 'apply', params: { replies: [reply('cantOpenData', `Cannot listen for a data connection: ${event.reason}`)] } });
                }),
                'finish',
              ],
            },
          },
        },
        fileAction: {
          invoke: {
            src: 'fileAction',
            // Only commands whose request passed the 'pathRefused' guard get here.
            input: ({ context }) => fileRequest(context, currentAsEvent(context)) as FileActionRequest,
            onDone: [
              {
                guard: ({ context }) => {
                  const current = context.current;
                  return current?.kind === 'command' && canonicalVerb(commandTable.get(current.verb)!) === 'RNFR';
                },
                target: 'awaitingRnto',
                actions: enqueueActions(({ context, event, enqueue }) => {
                  const request = fileRequest(context, currentAsEvent(context)) as FileActionRequest;
                  enqueue({ type: 'apply', params: fileActionOutcome(request, event.output, now(context)) });
                }),
              },
              {
                target: 'idle',
                actions: [
                  enqueueActions(({ context, event, enqueue }) => {
                    const request = fileRequest(context, currentAsEvent(context)) as FileActionRequest;
                    enqueue({ type: 'apply', params: fileActionOutcome(request, event.output, now(context)) });
                    enqueue.assign({ renameFrom: undefined });
                  }),
                  'finish',
                ],
              },
            ],
            onError: {
              target: 'idle',
              actions: [enqueueActions(({ event, enqueue }) => {
                enqueue({ type: 'apply', params: storeErrorOutcome('io', String((event.error as Error)?.message ?? event.error)) });
              }), 'finish'],
            },
          },
        },
        // RNFR succeeded: RNTO must come next (959 §4.1.3); anything else cancels the rename and is handled normally.
        awaitingRnto: {
          entry: 'finish',
          always: [
            { guard: ({ context }) => context.renameFrom === undefined, target: 'idle' },
            { guard: 'canDispatch', actions: 'dispatchNext' },
          ],
          on: {
            cmd: [
              { guard: 'pathRefused', target: 'idle', actions: [assign({ renameFrom: undefined }), { type: 'apply', params: ({ context, event }) => fileRequest(context, event) as Outcome }, 'finish'] },
              { guard: { type: 'isVerb', params: 'RNTO' }, target: 'fileAction' },
              { target: 'idle', actions: [assign({ renameFrom: undefined }), raise(({ event }) => event as CommandEvent)] },
            ],
            'cmd.tooLong': { target: 'idle', actions: [assign({ renameFrom: undefined }), raise(({ event }) => event as CommandEvent)] },
          },
        },
        transfer: {
          initial: 'preparing',
          on: {
            // During a transfer only ABOR and STAT are acted on at once; the rest wait their turn (959 §4.1.3, 1123 §4.1.3.3).
            'control.line': [
              { guard: { type: 'lineIs', params: 'ABOR' }, target: '.aborting' },
              {
                guard: { type: 'lineIs', params: 'STAT' },
                actions: { type: 'apply', params: ({ context }) => ({ replies: [reply('systemStatus', [`Transfer in progress: ${context.transfer?.verb ?? ''} ${context.transfer?.path ?? ''}`.trim(), 'End of status'])] }) },
              },
              { actions: 'enqueueLine' },
            ],
          },
          states: {
            preparing: {
              invoke: {
                src: 'fileAction',
                input: ({ context }) => fileRequest(context, currentAsEvent(context)) as FileActionRequest,
                onDone: [
                  {
                    guard: 'resultFailed',
                    target: '#server.loggedIn.idle',
                    actions: [enqueueActions(({ event, enqueue }) => {
                      const output = event.output;
                      if (!output.ok) enqueue({ type: 'apply', params: storeErrorOutcome(output.error, output.message) });
                    }), assign({ restOffset: 0 }), 'finish'],
                  },
                  {
                    guard: 'noDataSetup',
                    target: '#server.loggedIn.idle',
                    actions: [{ type: 'apply', params: { replies: [reply('cantOpenData', 'Use PORT, EPRT, PASV or EPSV first.')] } }, assign({ restOffset: 0 }), 'finish'],
                  },
                  {
                    target: 'opening',
                    actions: assign({
                      transfer: ({ context, event }) => {
                        const verb = canonicalOf(currentAsEvent(context));
                        const row = commandTable.get(verb)!;
                        const output = event.output as Extract<FileActionResult, { ok: true }>;
                        const request = fileRequest(context, currentAsEvent(context)) as FileActionRequest;
                        const path = output.path ?? ('path' in request ? request.path : '/');
                        return {
                          verb,
                          path,
                          direction: row.direction ?? 'download',
                          restOffset: context.restOffset,
                          bytes: 0,
                          ...(verb === 'STOU' ? { preliminaryText: `FILE: ${path.slice(path.lastIndexOf('/') + 1)}` } : {}),
                          ...(verb === 'LIST' || verb === 'NLST' ? { listing: listingPayload(verb, output, now(context)) } : {}),
                        };
                      },
                      restOffset: 0,
                    }),
                  },
                ],
                onError: {
                  target: '#server.loggedIn.idle',
                  actions: [enqueueActions(({ event, enqueue }) => {
                    enqueue({ type: 'apply', params: storeErrorOutcome('io', String((event.error as Error)?.message ?? event.error)) });
                  }), 'finish'],
                },
              },
            },
            // 125 if a data connection that already carried a transfer is reused, else 150 (959 §4.2.1);
            // in active mode the server then connects to the client's address (959 §3.2).
            opening: {
              entry: enqueueActions(({ context, enqueue }) => {
                const transfer = context.transfer!;
                const reuse = context.dataOpen && context.dataUsed;
                const text = transfer.preliminaryText ?? (reuse ? undefined : `Opening ${context.representation === 'A' ? 'ASCII' : 'BINARY'} mode data connection for ${transfer.verb === 'LIST' || transfer.verb === 'NLST' ? 'the listing' : transfer.path}.`);
                enqueue({ type: 'apply', params: { replies: [reply(reuse ? 'dataAlreadyOpen' : 'aboutToOpenData', text)] } });
                if (!context.dataOpen && context.dataSetup.kind === 'active') enqueue.sendTo('dataChannel', { type: 'connect', target: context.dataSetup.target });
              }),
              always: { guard: 'dataOpen', target: 'transferring' },
              on: {
                'data.connected': { target: 'transferring', actions: assign({ dataOpen: true, dataUsed: false }) },
                'data.failed': {
                  target: '#server.loggedIn.idle',
                  actions: [
                    enqueueActions(({ event, enqueue }) => enqueue({ type: 'apply', params: { replies: [reply('cantOpenData', `Can't open data connection: ${event.reason}.`)] } })),
                    { type: 'resetData', params: 'error' },
                    assign({ transfer: undefined }),
                    'finish',
                  ],
                },
              },
              after: {
                dataTimeout: {
                  target: '#server.loggedIn.idle',
                  actions: [
                    { type: 'apply', params: { replies: [reply('cantOpenData', 'No data connection was made in time.')] } },
                    { type: 'resetData', params: 'error' },
                    assign({ transfer: undefined }),
                    'finish',
                  ],
                },
              },
            },
            transferring: {
              entry: sendTo('dataChannel', ({ context }) => transferOrder(context, context.transfer!)),
              on: {
                // STREAM mode: the sender's close is the end of file (959 §3.4.1). The server sent, so it closes (§3.2, condition 1).
                // BLOCK/COMPRESSED: the EOF marker travelled in the data; the connection stays open and the reply is 250 (§3.3, §5.2).
                'data.sent': [
                  { guard: 'modeKeepsConnection', target: '#server.loggedIn.idle', actions: ['recordBytes', 'reportKeptOpen'] },
                  { target: 'closingData', actions: 'recordBytes' },
                ],
                // STREAM mode: the client closed its side, and that was the end of file: read to the end, then close ours (959 §5.2).
                'data.received': [
                  { guard: 'modeKeepsConnection', target: '#server.loggedIn.idle', actions: ['recordBytes', 'reportKeptOpen'] },
                  { target: 'closingData', actions: 'recordBytes' },
                ],
                // The sender's restart markers in BLOCK/COMPRESSED mode, answered with where the server is (1123 §4.1.3.4).
                'data.restartMarker': {
                  // rrrr is the server's position in the file: where this transfer started (REST) plus what it has written.
                  actions: enqueueActions(({ context, event, enqueue }) =>
                    enqueue({ type: 'apply', params: { replies: [{ code: 110, lines: [`MARK ${event.marker} = ${(context.transfer?.restOffset ?? 0) + event.position}`] }] } }),
                  ),
                },
                'data.lost': {
                  target: '#server.loggedIn.idle',
                  actions: [
                    enqueueActions(({ event, enqueue }) => enqueue({ type: 'apply', params: { replies: [reply('transferAborted', `Connection closed; transfer aborted after ${event.bytes} bytes.`)] } })),
                    assign({ dataOpen: false, dataUsed: false, dataSetup: { kind: 'none' }, transfer: undefined }),
                    'finish',
                  ],
                },
              },
            },
            // After a download the server's FIN is the end of file; after an upload it answers the client's.
            closingData: {
              entry: sendTo('dataChannel', ({ context }) => ({ type: 'close' as const, reason: context.transfer?.direction === 'upload' ? ('peer-closed' as const) : ('eof' as const) })),
              on: {
                'data.closed': {
                  target: '#server.loggedIn.idle',
                  actions: [
                    { type: 'apply', params: ({ context }) => ({ replies: [reply('closingData', `Transfer complete (${context.transfer?.bytes ?? 0} bytes); data connection closed.`)] }) },
                    assign({ dataOpen: false, dataUsed: false, dataSetup: { kind: 'none' }, transfer: undefined }),
                    'finish',
                  ],
                },
              },
            },
            // ABOR during a transfer: close the data connection, then 426 for the transfer and 226 for ABOR (959 §4.1.3).
            aborting: {
              entry: sendTo('dataChannel', { type: 'abort', reason: 'abort' }),
              on: {
                'data.closed': { target: '#server.loggedIn.idle', actions: 'reportAborted' },
                'data.lost': { target: '#server.loggedIn.idle', actions: 'reportAborted' },
              },
            },
          },
        },
      },
    },
    // QUIT: 221, then the server closes the control connection (959 §4.1.1, §5.2); any data connection goes too (§3.2, condition 4).
    closing: {
      entry: [
        { type: 'apply', params: { replies: [reply('closingControl', 'Goodbye.')] } },
        { type: 'resetData', params: 'quit' },
        sendTo('control', { type: 'close', reason: 'quit' }),
      ],
      on: { 'control.line': {}, 'control.tooLong': {} },
    },
    closed: { type: 'final' },
  },
});

function currentAsEvent(context: ServerContext): ServerEvent {
  const current = context.current;
  return current?.kind === 'command' ? { type: 'cmd', verb: current.verb, arg: current.arg } : { type: 'cmd', verb: 'NOOP', arg: undefined };
}

function now(context: ServerContext): number {
  return context.nowMs ? context.nowMs() : 0;
}
