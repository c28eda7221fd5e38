// Pure handlers for the server commands answered from session state alone (control and parameter kinds).
// Each returns the replies, the context change and any data-channel orders; the machine applies them.

import { Reply, type ReplyName } from '../protocol/replyCodes';
import { commandTable, featureLines, helpLines, knownButNotImplemented } from '../protocol/commands.table';
import { parseEprtArgument, parsePortArgument, plainHost } from '../protocol/hostPort';
import { quotePath } from '../protocol/virtualPath';
import type { DataOutputEvent } from './channelEvents';
import type { ServerContext } from './serverSession.context';
import type { Endpoint } from '../trace/traceEvent';

export interface OutReply {
  readonly code: number;
  readonly lines: readonly string[];
}

export interface Outcome {
  readonly replies: readonly OutReply[];
  readonly patch?: Partial<ServerContext>;
  readonly data?: readonly DataOutputEvent[];
  /** PORT/EPRT: the data region learns where the server will connect (no socket reports that). */
  readonly targetSet?: boolean;
}

/** What a handler may know of the data connection: the data region's state (serverSession.machine.ts). */
export interface DataView {
  /** The data region's state, as its path names it ('none', 'listening', 'open', 'halfClosed.finSent', ...). */
  readonly state: string;
}

/**
 * The server's data region, state by state (paths below `data` in serverSession.machine.ts): what STAT says
 * of it (and of the address the port specification named, where it counts), and whether a listener or a connection exists that a new port specification must let go (959 §3.2,
 * condition 3). One table; the machine's state list comes from it too.
 */
export const serverDataStates = {
  none: { words: 'none yet (send PORT, EPRT, PASV or EPSV)', holds: false },
  listening: { words: 'the server listens (passive)', address: 'on', holds: true },
  targetSet: { words: 'the server will connect (active)', address: 'to', holds: false },
  connecting: { words: 'the server is connecting (active)', address: 'to', holds: true },
  open: { words: 'open', holds: true },
  keptOpen: { words: 'open, kept after a transfer (MODE B/C)', holds: true },
  'halfClosed.finSent': { words: 'closing: the server has sent its FIN', holds: true },
  'halfClosed.finReceived': { words: 'closing: the client has sent its FIN', holds: true },
  closed: { words: 'closed', holds: false },
  released: { words: 'closed', holds: false },
} as const satisfies Record<string, { words: string; holds: boolean; address?: string }>;

export type ServerDataState = keyof typeof serverDataStates;

/** A listener or a connection exists that a new port specification must let go (959 §3.2, condition 3). */
export function holdsDataResources(data: DataView): boolean {
  return serverDataStates[data.state as ServerDataState]?.holds ?? false;
}

export function reply(name: ReplyName, text?: string | readonly string[]): OutReply {
  const entry = Reply[name];
  const lines = text === undefined ? [entry.text] : typeof text === 'string' ? [text] : text;
  return { code: entry.code, lines };
}

const answer = (name: ReplyName, text?: string | readonly string[], patch?: Partial<ServerContext>, data?: readonly DataOutputEvent[]): Outcome => ({
  replies: [reply(name, text)],
  ...(patch ? { patch } : {}),
  ...(data ? { data } : {}),
});

type Handler = (ctx: ServerContext, arg: string, data: DataView) => Outcome;

/** The same host, an IPv4 peer of a dual-stack socket (::ffff:a.b.c.d) and a.b.c.d alike. */
export function sameHost(a: string, b: string): boolean {
  return plainHost(a) === plainHost(b);
}

/**
 * The bounce-attack checks for PORT and EPRT (RFC 2577 §3): only the control connection's own peer,
 * and never a privileged port. Refused before any connection is attempted.
 */
function checkActiveTarget(ctx: ServerContext, target: Endpoint): Outcome | undefined {
  if (ctx.epsvAll) return answer('badSequence', 'EPSV ALL is in effect: only EPSV may set up data connections (RFC 2428 §4).');
  if (!sameHost(target.host, ctx.peer.host)) {
    return answer('argumentError', `Refused: ${target.host} is not the address this control connection comes from (no FTP bounce, RFC 2577 §3).`);
  }
  if (target.port < 1024) {
    return answer('notImplementedForParameter', `Refused: port ${target.port} is a privileged port (RFC 2577 §3).`);
  }
  return undefined;
}

/** A new port specification closes any existing data connection or listener (959 §3.2, condition 3). */
function setActiveTarget(data: DataView, target: Endpoint, text: string): Outcome {
  const reset: DataOutputEvent[] = holdsDataResources(data) ? [{ type: 'reset', reason: 'replaced' }] : [];
  return { ...answer('ok', text, { dataAddress: target }, reset), targetSet: true };
}

const handlers: Record<string, Handler> = {
  NOOP: () => answer('ok', 'NOOP ok.'),
  SYST: () => answer('systemType'),
  FEAT: () => answer('systemStatus', ['Features:', ...featureLines(), 'End']),
  HELP: (_ctx, arg) => {
    if (!arg.trim()) return answer('help', helpLines());
    const row = commandTable.get(arg.trim().toUpperCase());
    if (!row) return answer('argumentError', `Unknown command ${arg.trim()}.`);
    return answer('help', `${row.help} (RFC ${row.rfc})`);
  },
  OPTS: (_ctx, arg) => {
    // RFC 2640 clients send OPTS UTF8 ON; path names here are always UTF-8.
    if (/^utf8(\s+on)?$/i.test(arg.trim())) return answer('ok', 'Always in UTF8 mode.');
    return answer('argumentError', `Option not understood: ${arg}.`);
  },
  PWD: (ctx) => answer('pathCreated', `${quotePath(ctx.cwd)} is the current directory.`),
  STAT: (ctx, _arg, dataView) => {
    const state = serverDataStates[dataView.state as ServerDataState];
    const where = state && 'address' in state && ctx.dataAddress ? ` ${state.address} ${ctx.dataAddress.host}:${ctx.dataAddress.port}` : '';
    return answer('systemStatus', [
      'FTP Lab server status:',
      ` Connected from ${ctx.peer.host}:${ctx.peer.port}`,
      ` Logged in as ${ctx.user ?? '(nobody)'}`,
      ` TYPE ${ctx.representation}, MODE ${ctx.mode}, STRU ${ctx.structure}`,
      ` Data connection: ${state?.words ?? dataView.state}${where}`,
      'End of status',
    ]);
  },
  TYPE: (_ctx, arg) => {
    const words = arg.trim().toUpperCase().split(/\s+/);
    const [type, param] = words;
    // 1123 §4.1.2.2: a host with no N/T difference treats T as N. ASA carriage control (C) is not offered.
    if (type === 'A' && (param === undefined || param === 'N' || param === 'T') && words.length <= 2) {
      return answer('ok', 'Type set to A.', { representation: 'A' });
    }
    if (type === 'I' && words.length === 1) return answer('ok', 'Type set to I.', { representation: 'I' });
    // 1123 §4.1.2.1: TYPE L 8 is required, and on an 8-bit host it is the same as I.
    if (type === 'L' && param === '8' && words.length === 2) return answer('ok', 'Type set to L 8 (same as I on this host).', { representation: 'I' });
    if (type === 'A' || type === 'E' || type === 'L') return answer('notImplementedForParameter', `TYPE ${arg.trim()} is not supported; use A, I or L 8.`);
    return answer('argumentError', `Unknown TYPE ${arg.trim()}.`);
  },
  STRU: (_ctx, arg) => {
    const s = arg.trim().toUpperCase();
    if (s === 'F') return answer('ok', 'Structure set to F.', { structure: 'F' });
    // Records are the lines of a text file here: each line travels as a record ending in EOR (959 §3.1.2.2).
    if (s === 'R') return answer('ok', 'Structure set to R: each line is a record.', { structure: 'R' });
    // Page structure is NOT RECOMMENDED (1123 §4.1.2.3).
    if (s === 'P') return answer('notImplementedForParameter', 'STRU P is not supported (RFC 1123 §4.1.2.3 does not recommend it).');
    return answer('argumentError', `Unknown STRU ${arg.trim()}.`);
  },
  MODE: (_ctx, arg) => {
    const m = arg.trim().toUpperCase();
    // 959 §3.4: S closes the data connection to end each file; B and C carry an EOF marker, so it can stay open.
    if (m === 'S' || m === 'B' || m === 'C') return answer('ok', `Mode set to ${m}.`, { mode: m });
    return answer('argumentError', `Unknown MODE ${arg.trim()}.`);
  },
  PORT: (ctx, arg, data) => {
    const parsed = parsePortArgument(arg);
    if ('error' in parsed) return answer('argumentError', 'PORT needs h1,h2,h3,h4,p1,p2 (RFC 959 §4.1.2).');
    return (
      checkActiveTarget(ctx, parsed) ?? setActiveTarget(data, parsed, `PORT command successful: the server will connect to ${parsed.host}:${parsed.port}.`)
    );
  },
  EPRT: (ctx, arg, data) => {
    const parsed = parseEprtArgument(arg);
    if (!parsed.ok) {
      return parsed.code === 522 ? answer('protocolNotSupported') : answer('argumentError', 'EPRT needs |1|address|port| (RFC 2428 §2).');
    }
    if (parsed.family !== 1) return answer('protocolNotSupported');
    const target = { host: parsed.host, port: parsed.port };
    return (
      checkActiveTarget(ctx, target) ?? setActiveTarget(data, target, `EPRT command successful: the server will connect to ${target.host}:${target.port}.`)
    );
  },
  REST: (_ctx, arg) => {
    // RFC 3659 §5: in STREAM mode the marker is a decimal byte offset; errors surface on the transfer command.
    if (!/^\d+$/.test(arg.trim())) return answer('argumentError', 'REST needs a byte offset (RFC 3659 §5).');
    const offset = Number(arg.trim());
    if (!Number.isSafeInteger(offset)) return answer('argumentError', 'REST offset is too large.');
    return answer('pendingFurtherInfo', `Restarting at ${offset}. Send RETR or STOR to continue.`, { restOffset: offset });
  },
};

/** The handler for a control or parameter command, if the verb has one. */
export function simpleHandler(verb: string): Handler | undefined {
  return handlers[verb];
}

/** The reply for a command the server cannot take in its current state, by table row and login. */
export function refusal(loggedIn: boolean, verb: string, arg: string | undefined): Outcome | undefined {
  const row = commandTable.get(verb);
  if (!row) {
    return knownButNotImplemented.has(verb)
      ? answer('notImplemented', `${verb} is not implemented by this server.`)
      : answer('syntaxError', `Command not understood: ${verb}.`);
  }
  if (row.loginRequired && !loggedIn) return answer('notLoggedIn', 'Please log in with USER and PASS first.');
  const a = arg ?? '';
  if (row.argument === 'required' && a.trim() === '') return answer('argumentError', `${verb} needs an argument.`);
  if (row.argument === 'none' && a.trim() !== '') return answer('argumentError', `${verb} takes no argument.`);
  return undefined;
}
