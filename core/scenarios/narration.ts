// Narration: for each step of a trace, a few plain sentences on what happened and why, with the RFC
// section; in the textbook scenario, where the textbook's version differs and what the RFC says instead.

import { commandTable } from '../protocol/commands.table';
import { byteCountText } from '../trace/byteCounts';
import { closeMeaning } from '../trace/closeMeaning';
import type { KernelTcpState, Side, TraceEvent } from '../trace/traceEvent';
import { textbookSteps } from './textbookComparison';
import { kernelStateMeaning, kernelStateSection, timeWaitReason } from '../trace/kernelStateMeaning';
import { otherSide } from '../trace/sides';

export interface Narration {
  readonly text: string;
  readonly rfc?: string;
  /** Only in the textbook scenario: how the textbook tells this step, and why that is wrong. */
  readonly textbook?: string;
}

/** What each reply code means in a sentence (959 §4.2.1, later RFCs as noted). */
const replySentences: Record<number, [string, string]> = {
  110: ['The receiving server reports where it stands at a restart marker: MARK sender-marker = receiver-position.', '1123 §4.1.3.4'],
  125: ['125: the data connection is already open, and the transfer starts on it.', '959 §4.2.1'],
  150: ['150: a preliminary reply — the file is fine and the data connection is about to be opened. Another reply will follow.', '959 §4.2.1, §5.4'],
  200: ['200 Command okay: a parameter was set. Nothing happens on the network yet.', '959 §5.4'],
  211: ['211: system status (or the FEAT list).', '959 §4.2.1'],
  213: ['213: file status, such as a size or a time.', '3659 §3, §4'],
  214: ['214: help for a person.', '959 §4.2.1'],
  215: ['215: the system type.', '959 §4.2.1'],
  220: ['220: the server is ready for a new user. The client waits for this before sending anything.', '959 §5.4'],
  221: ['221: the server is closing the control connection; it will close it itself.', '959 §4.1.1'],
  225: ['225: the data connection is open but no transfer is in progress.', '959 §4.2.1'],
  226: ['226: the transfer succeeded and the server has closed the data connection (or ABOR succeeded).', '959 §5.2'],
  227: ['227: the server is listening for the data connection at the address in the reply; the client will connect.', '959 §4.1.2'],
  229: ['229: the server is listening on the port in (|||port|); the client connects to the control address.', '2428 §3'],
  230: ['230: the user is logged in.', '959 §5.4'],
  250: ['250: done. After a transfer it means the data connection was left open (BLOCK or COMPRESSED mode).', '959 §5.2'],
  257: ['257: a path name, quoted.', '959 Appendix II'],
  331: ['331: user name okay, now the password. (A careful server says 331 to every user name.)', '2577 §7'],
  350: ['350: accepted, waiting for the next command of the sequence (RNTO, or the transfer after REST).', '959 §4.2.1'],
  421: ['421: the server is closing the control connection.', '959 §4.2.1'],
  425: ['425: the data connection could not be opened.', '959 §4.2.1'],
  426: ['426: the data connection was closed and the transfer aborted.', '959 §4.1.3'],
  500: ['500: the command was not understood (or the line was too long).', '959 §4.2.1'],
  501: ['501: the arguments are wrong — or refused, as a PORT to another host is (no FTP bounce).', '2577 §3'],
  502: ['502: the server does not implement this command.', '959 §4.2.1'],
  503: ['503: bad sequence of commands.', '959 §4.2.1'],
  504: ['504: not implemented for that parameter.', '959 §4.2.1'],
  522: ['522: that network protocol is not supported.', '2428 §2'],
  530: ['530: not logged in.', '959 §4.2.1'],
  550: ['550: the file is unavailable — not found, or not allowed.', '959 §4.2.1'],
  553: ['553: that file name is not allowed.', '959 §4.2.1'],
};

/**
 * Narrates a trace event by event, remembering the last command so a reply can say what it answers.
 * Feed it every event in order; it returns undefined for events not worth a sentence (states, duplicates).
 */
export class Narrator {
  /** Each session's last command (a serve trace interleaves sessions): what its next reply answers. */
  readonly #lastVerbs = new Map<number | undefined, string>();
  readonly #textbook: boolean;
  /** Each connection's first FIN: who closed it first (its end is the one TIME_WAIT keeps). */
  readonly #firstClosers = new Map<string, Side>();

  constructor(options: { scenario?: string } = {}) {
    this.#textbook = options.scenario === 'textbook-upload';
  }

  narrate(event: TraceEvent): Narration | undefined {
    if (event.type === 'tcp.fin' && !this.#firstClosers.has(closerKey(event))) this.#firstClosers.set(closerKey(event), event.side);
    switch (event.type) {
      case 'ftp.command': {
        if (event.dir === 'received' && this.#lastVerbs.get(event.session) === event.verb) return undefined;
        this.#lastVerbs.set(event.session, event.verb);
        const row = commandTable.get(event.verb);
        const what = row ? row.help : `${event.verb}: not a command this server knows.`;
        const extra = event.verb === 'PASS' ? ' FTP sends the password in clear text; the trace shows it masked.' : '';
        return this.#withTextbook(
          { text: `The client sends ${event.verb} on the control connection. ${what}${extra}`, ...(row ? { rfc: row.rfc } : {}) },
          { verb: event.verb },
        );
      }
      case 'ftp.reply': {
        const [sentence, rfc] = replySentences[event.code] ?? [`${event.code}: ${event.lines[0] ?? ''}`, '959 §4.2'];
        const verb = this.#lastVerbs.get(event.session);
        const to = verb ? `The server answers ${verb}. ` : '';
        return this.#withTextbook({ text: `${to}${sentence}`, rfc }, { code: event.code, after: verb });
      }
      case 'tcp.state':
        return kernelStateNarration(event.side, event.conn, event.state, this.#firstClosers.get(closerKey(event)));
      case 'tcp.unlisten':
        return {
          text: `The ${event.side} stops listening on ${event.local.host}:${event.local.port} before the data connection came: the operating system now refuses a connection to that port (a TCP RST).`,
          rfc: '959 §3.2',
        };
      case 'tcp.listen':
        return event.channel === 'data'
          ? { text: `The ${event.side} listens on ${event.local.host}:${event.local.port} for the data connection (a TCP passive open).`, rfc: '959 §3.2' }
          : undefined;
      case 'tcp.connect':
      case 'tcp.accept': {
        const initiator = event.type === 'tcp.connect' ? event.side : otherSide(event.side);
        if (event.channel === 'control') return { text: `The ${initiator} opens the control connection.`, rfc: '959 §2.3' };
        return initiator === 'server'
          ? {
              text: 'Active mode: the server opens the data connection to the address the client gave in PORT/EPRT, from its own port L-1 when it can.',
              rfc: '959 §3.2, §5.2',
            }
          : { text: 'Passive mode: the client opens the data connection to the port the server gave in 227/229.', rfc: '959 §4.1.2' };
      }
      case 'tcp.fin':
        if (event.dir === 'received' && event.reason === undefined) return undefined;
        return event.channel === 'data'
          ? {
              text: `The ${event.side} closes the data connection (TCP FIN): ${closeMeaning(event.reason)}.`,
              rfc: event.reason === 'eof' ? '959 §3.2, §3.4.1' : '959 §3.2',
            }
          : { text: `The ${event.side} closes the control connection (TCP FIN).`, rfc: '959 §4.1.1' };
      case 'tcp.rst':
        return { text: `The ${event.side} resets the ${event.channel} connection (TCP RST): ${closeMeaning(event.reason)}.`, rfc: '959 §3.2' };
      case 'tcp.refused':
        return { text: `A ${event.channel} connection was refused: ${event.reason}.`, rfc: '2577 §4' };
      case 'data.transfer':
        if (event.dir === 'received') return undefined;
        return {
          text: `${byteCountText(event)} travel on the data connection from the ${event.side} (TYPE ${event.representation}, MODE ${event.mode})${event.keptOpen ? '; the connection stays open' : ''}.`,
          rfc: event.mode === 'S' ? '959 §3.4.1' : event.mode === 'B' ? '959 §3.4.2' : '959 §3.4.3',
        };
      case 'data.marker':
        if (event.dir === 'received') return undefined;
        if (event.marker === 'eof') {
          return {
            text: `The end of file travels in the data as a marker (${event.hex}): no close is needed, so the data connection can stay open for the next transfer.`,
            rfc: event.mode === 'C' ? '959 §3.4.3' : '959 §3.4.2, §3.3',
          };
        }
        if (event.marker === 'restart')
          return { text: `A restart marker "${event.value ?? ''}" travels in the data: a point a transfer can be resumed from.`, rfc: '959 §3.5' };
        return { text: 'An end-of-record marker travels in the data.', rfc: '959 §3.4' };
      case 'note':
        return { text: event.text };
      default:
        return undefined;
    }
  }

  /** A command (`verb`) or a reply (`code`, answering `after`) the textbook tells differently gets its correction. */
  #withTextbook(narration: Narration, step: { verb: string } | { code: number; after: string | undefined }): Narration {
    if (!this.#textbook) return narration;
    const differing = textbookSteps.find(
      (s) =>
        s.verdict === 'error' &&
        s.match &&
        ('verb' in step ? s.match.verb === step.verb : s.match.code === step.code && (!s.match.after || s.match.after === step.after)),
    );
    return differing ? { ...narration, textbook: `The textbook (step ${differing.step}) says: "${differing.textbook}" — ${differing.rfc}` } : narration;
  }
}

/** A connection's key across sessions (a serve trace numbers each session's connections from C1, D1 again). */
const closerKey = (event: { conn: string; session?: number | undefined }): string => `${event.session ?? ''}/${event.conn}`;

/**
 * The kernel's TCP state of one end, in the words of the one table (kernelStateMeaning.ts); at TIME_WAIT, why
 * (RFC 9293 §3.6): the end that closes first keeps the connection 2 MSL, in case a late segment is on its way.
 */
function kernelStateNarration(side: Side, conn: string, state: KernelTcpState, firstCloser: Side | undefined): Narration {
  const why = state === 'TIME_WAIT' ? ` ${timeWaitReason(side, conn, firstCloser)}` : '';
  return {
    text: `The ${side}'s kernel has ${conn} in ${state}: ${kernelStateMeaning[state]}.${why}`,
    rfc: kernelStateSection(state),
  };
}
