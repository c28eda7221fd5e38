// One FTP session as a capture shows it: the control connection's commands and replies (with the project's
// own line decoder and reply parser), the data connections each PORT/EPRT or 227/229 announced, what each
// transfer carried, and every FIN and RST with who sent it and what it meant (closeMeaning.ts's reasons).

import { CommandLineDecoder, parseCommand } from '../../protocol/commandLineDecoder';
import { commandTable, type TransferDirection } from '../../protocol/commands.table';
import { parseEpsvReply, parseEprtArgument, parsePasvReply, parsePortArgument } from '../../protocol/hostPort';
import { parseReplies, ReplySyntaxError, type Reply } from '../../protocol/replyParser';
import { concatBytes } from '../../protocol/transferUnits';
import { decodeUtf8 } from '../../protocol/utf8';
import { maskCommandLine } from '../../trace/mask';
import { endpointText } from '../../trace/endpointText';
import { otherSide } from '../../trace/sides';
import type { CloseReason, Endpoint, Representation, Side, TraceEventInput, TransferMode } from '../../trace/traceEvent';
import { DataConnectionReader, type TransferPlan } from './dataConnectionReader';
import { plural } from '../plural';

/** Transfers the command table does not list (it holds what FTP Lab's server implements): MLSD lists a directory (RFC 3659 §7). */
const OTHER_TRANSFERS: Readonly<Record<string, TransferDirection>> = { MLSD: 'download' };

/** Reply text held while waiting for a multi-line reply to end (a STAT listing may be long); more is a damaged or hostile stream. */
const MAX_REPLY_TEXT = 1024 * 1024;
/** Bytes held while waiting for a line end; no reply line is this long. */
const MAX_REPLY_LINE = 64 * 1024;

const LF = 0x0a;

/** What an import hands each session: where its events go, the capture's clock, and ids. */
export interface SessionContext {
  /** Records an event of this session (the caller adds the session number, seq and time). */
  emit(event: TraceEventInput): void;
  now(): number;
  notes: { say(sentence: string): void };
  listenerId(): string;
  dataConnectionId(a: Endpoint, b: Endpoint): string;
}

/** A data connection of this session, as the import follows it. */
export interface DataLink {
  readonly id: string;
  readonly reader: DataConnectionReader;
  /** The side of each of the TCP connection's ends (index as in tcpConnections.ts). */
  readonly sides: readonly [Side, Side];
  readonly listener: string;
  readonly fins: Set<Side>;
  closed: boolean;
}

interface Announcement {
  readonly endpoint: Endpoint;
  readonly by: Side;
  readonly listener: string;
}

export class FtpSessionReader {
  #commands = new CommandLineDecoder();
  #replyBytes: Uint8Array[] = [];
  /** The length of #replyBytes in all, kept as they come (summing them on every chunk is quadratic). */
  #replyByteCount = 0;
  /** Complete lines not yet read as replies: at most one multi-line reply that has not ended. */
  #replyText = '';
  /** The code of the multi-line reply #replyText holds: new text without its closing line need not be parsed again. */
  #unfinishedCode: string | undefined;
  /** Lines that start no reply, skipped since the last reply: said as one note when the run ends. */
  #skipped: { lines: number; first: string } | undefined;
  #mode: TransferMode = 'S';
  #type: Representation = 'A';
  #structure: 'F' | 'R' = 'F';
  /** A TYPE, MODE or STRU sent and not yet answered: it applies once the server accepts it (2xx). */
  #parameter: { verb: string; arg: string } | undefined;
  #announced: Announcement | undefined;
  /** The transfer the last transfer command asked for, until a data connection carries it. */
  #plan: TransferPlan | undefined;
  #aborting = false;
  #quitting = false;
  readonly #controlFins = new Set<Side>();
  readonly links: DataLink[] = [];

  constructor(
    readonly number: number,
    readonly control: string,
    readonly client: Endpoint,
    readonly server: Endpoint,
    private readonly ctx: SessionContext,
  ) {}

  controlHandshake(kind: 'syn' | 'syn-ack'): void {
    const [side, local, remote] = kind === 'syn' ? (['client', this.client, this.server] as const) : (['server', this.server, this.client] as const);
    this.ctx.emit({ type: kind === 'syn' ? 'tcp.connect' : 'tcp.accept', side, channel: 'control', conn: this.control, local, remote });
  }

  /** The capture has no SYN for the control connection: it was open before the capture started. */
  controlOpenBefore(): void {
    const sentence = `The capture starts in the middle of session ${this.number}: its control connection ${this.control} (client ${endpointText(this.client)}, server ${endpointText(this.server)}) was already open, and what was said before is not in the capture.`;
    this.ctx.notes.say(sentence);
    this.ctx.emit({ type: 'note', side: 'client', text: sentence });
  }

  controlBytes(from: Side, bytes: Uint8Array): void {
    if (from === 'client') {
      for (const input of this.#commands.push(bytes)) {
        if (input.kind === 'line') this.#command(input.text);
        else
          this.#noteControl(
            `The client sent ${input.bytes} bytes ${input.kind === 'tooLong' ? 'in one line, longer than any command' : 'without a line end'}: not read as a command.`,
          );
      }
      return;
    }
    this.#replyBytes.push(bytes);
    this.#replyByteCount += bytes.length;
    // Lines end in LF (959 §4.2); text up to the last one can be decoded without cutting a character in two.
    if (bytes.lastIndexOf(LF) < 0) {
      if (this.#replyByteCount > MAX_REPLY_LINE) {
        this.#noteControl(`The server sent more than ${MAX_REPLY_LINE} bytes without a line end: not read as replies.`);
        this.#dropReplyBytes();
      }
      return;
    }
    const joined = concatBytes(this.#replyBytes);
    const end = joined.lastIndexOf(LF) + 1;
    this.#dropReplyBytes();
    if (end < joined.length) {
      this.#replyBytes.push(joined.slice(end));
      this.#replyByteCount = joined.length - end;
    }
    this.#readReplies(decodeUtf8(joined.subarray(0, end)));
  }

  /** Bytes of the control connection the capture lacks: whatever line they were in is unreadable. */
  controlGap(from: Side, length: number): void {
    this.#noteControl(
      `${length} bytes the ${from} sent on ${this.control} are missing from the capture: ${from === 'client' ? 'a command' : 'a reply'} may be missing here.`,
    );
    if (from === 'client') this.#commands = new CommandLineDecoder();
    else {
      this.#dropReplyBytes();
      this.#replyText = '';
      this.#unfinishedCode = undefined;
    }
  }

  controlFin(from: Side): void {
    const reason: CloseReason | undefined = this.#controlFins.has(otherSide(from)) ? 'peer-closed' : this.#quitting ? 'quit' : undefined;
    this.#controlFins.add(from);
    this.ctx.emit({ type: 'tcp.fin', side: from, dir: 'sent', channel: 'control', conn: this.control, ...(reason ? { reason } : {}) });
  }

  controlRst(from: Side): void {
    this.ctx.emit({ type: 'tcp.rst', side: from, dir: 'sent', channel: 'control', conn: this.control });
  }

  /** Both ends are done with a connection (both FINs, or a reset): each side's socket is closed. */
  closed(channel: 'control' | 'data', conn: string): void {
    for (const side of ['client', 'server'] as const) this.ctx.emit({ type: 'tcp.close', side, channel, conn });
  }

  /** Which of a new connection's two ends is the listener this session announced, if it is one of them. */
  listenerOf(ends: readonly [Endpoint, Endpoint], synSeen: boolean): 0 | 1 | undefined {
    const announced = this.#announced;
    if (!announced) return undefined;
    const own = announced.by === 'server' ? this.server : this.client;
    const matches = (e: Endpoint) => e.port === announced.endpoint.port && (e.host === announced.endpoint.host || e.host === own.host);
    // With the SYN, ends[1] is the end it went to: the listener. Without it, either end may be.
    if (matches(ends[1])) return 1;
    if (!synSeen && matches(ends[0])) return 0;
    return undefined;
  }

  /** A data connection to the announced listener: it belongs to this session from now on. */
  openData(ends: readonly [Endpoint, Endpoint], listenerEnd: 0 | 1): DataLink {
    const announced = this.#announced!;
    this.#announced = undefined;
    const id = this.ctx.dataConnectionId(ends[0], ends[1]);
    const listenerSide = announced.by;
    const sides: [Side, Side] = listenerEnd === 1 ? [otherSide(listenerSide), listenerSide] : [listenerSide, otherSide(listenerSide)];
    const link: DataLink = {
      id,
      reader: new DataConnectionReader(id, (e) => this.ctx.emit(e), this.ctx.now, this.ctx.notes),
      sides,
      listener: announced.listener,
      fins: new Set(),
      closed: false,
    };
    this.links.push(link);
    return link;
  }

  dataHandshake(link: DataLink, kind: 'syn' | 'syn-ack', ends: readonly [Endpoint, Endpoint]): void {
    const connector = link.sides[0];
    if (kind === 'syn') this.ctx.emit({ type: 'tcp.connect', side: connector, channel: 'data', conn: link.id, local: ends[0], remote: ends[1] });
    else this.ctx.emit({ type: 'tcp.accept', side: link.sides[1], channel: 'data', conn: link.id, listener: link.listener, local: ends[1], remote: ends[0] });
  }

  dataBytes(link: DataLink, from: Side, bytes: Uint8Array): void {
    link.reader.bytes(from, bytes, () => this.#takePlan());
  }

  dataGap(link: DataLink, from: Side, length: number): void {
    link.reader.gap(from, length);
  }

  dataFin(link: DataLink, from: Side): void {
    const reader = link.reader;
    const endOfFile = reader.active ? reader.sender === from && this.#mode === 'S' : this.#plan?.sender === from && this.#plan.mode === 'S';
    const reason: CloseReason | undefined = this.#aborting
      ? 'abort'
      : link.fins.has(otherSide(from))
        ? 'peer-closed'
        : endOfFile
          ? 'eof'
          : this.#quitting
            ? 'quit'
            : reader.transfers === 0 && !reader.active
              ? 'reset'
              : undefined;
    if (endOfFile && !reader.active) {
      // STREAM mode: a close with no byte before it is an empty file, sent whole.
      reader.begin(from, this.#takePlan());
    }
    if (reader.active && reader.sender === from) reader.finish(!this.#aborting && this.#mode === 'S');
    link.fins.add(from);
    this.ctx.emit({ type: 'tcp.fin', side: from, dir: 'sent', channel: 'data', conn: link.id, ...(reason ? { reason } : {}) });
  }

  dataRst(link: DataLink, from: Side): void {
    link.reader.finish(false);
    this.ctx.emit({ type: 'tcp.rst', side: from, dir: 'sent', channel: 'data', conn: link.id, ...(this.#aborting ? { reason: 'abort' as const } : {}) });
  }

  /** The capture ended: transfers still under way end here, cut short; server text that never ended is said. */
  end(): void {
    this.#saySkipped();
    if (this.#replyText !== '')
      this.#noteControl(
        `The capture ends inside a multi-line ${this.#unfinishedCode ?? ''} reply: its ${plural(this.#replyText.length, 'character')} so far were not read as a reply.`,
      );
    if (this.#replyByteCount > 0)
      this.#noteControl(
        `The capture ends inside a line from the server: its ${plural(this.#replyByteCount, 'byte')} without a line end were not read as a reply.`,
      );
    for (const link of this.links) {
      if (link.closed) continue;
      link.reader.settle();
      link.reader.finish(false);
    }
  }

  #takePlan(): TransferPlan {
    const plan = this.#plan ?? { mode: this.#mode, representation: this.#type, structure: this.#structure };
    this.#plan = undefined;
    return plan;
  }

  #noteControl(sentence: string): void {
    this.ctx.notes.say(`Session ${this.number}: ${sentence}`);
    this.ctx.emit({ type: 'note', side: 'client', text: sentence });
  }

  #command(line: string): void {
    const { verb, arg = '' } = parseCommand(line);
    if (verb !== 'ABOR') this.#aborting = false;
    if (verb === 'PORT' || verb === 'EPRT') {
      const parsed = verb === 'PORT' ? parsePortArgument(arg) : parseEprtArgument(arg);
      if ('host' in parsed) this.#announce({ host: parsed.host, port: parsed.port }, 'client');
    }
    this.ctx.emit({ type: 'ftp.command', side: 'client', dir: 'sent', channel: 'control', conn: this.control, verb, line: maskCommandLine(line, false) });
    if (verb === 'TYPE' || verb === 'MODE' || verb === 'STRU') this.#parameter = { verb, arg: arg.trim().toUpperCase() };
    else if (verb === 'ABOR') this.#aborting = true;
    else if (verb === 'QUIT') this.#quitting = true;
    const direction = commandTable.get(verb)?.direction ?? OTHER_TRANSFERS[verb];
    if (direction) {
      this.#plan = {
        command: maskCommandLine(line, false),
        sender: direction === 'upload' ? 'client' : 'server',
        mode: this.#mode,
        representation: this.#type,
        structure: this.#structure,
      };
    }
  }

  #announce(endpoint: Endpoint, by: Side): void {
    const listener = this.ctx.listenerId();
    this.#announced = { endpoint, by, listener };
    this.ctx.emit({ type: 'tcp.listen', side: by, channel: 'data', listener, local: endpoint });
  }

  #dropReplyBytes(): void {
    this.#replyBytes = [];
    this.#replyByteCount = 0;
  }

  /**
   * Reads the replies in `lines` (complete lines) after what is held. One pass forward: a line that starts no
   * reply is skipped by its place in the text, so no text is read twice and no line is taken for another.
   */
  #readReplies(lines: string): void {
    const code = this.#unfinishedCode;
    this.#replyText += lines;
    // A multi-line reply ends only at a line that starts with its code then SP (or is the code alone) (959 §4.2).
    if (code !== undefined && !new RegExp(`^${code}(?: |\r?$)`, 'm').test(lines)) {
      this.#capUnfinished();
      return;
    }
    let from = 0;
    for (;;) {
      try {
        const { replies, rest } = parseReplies(this.#replyText, from);
        replies.forEach((r) => this.#reply(r));
        this.#replyText = rest;
        break;
      } catch (error) {
        if (!(error instanceof ReplySyntaxError)) throw error;
        // A line that starts no reply (a capture that began inside a multi-line reply, a damaged stream): skipped, counted.
        error.replies.forEach((r) => this.#reply(r));
        if (this.#skipped) this.#skipped.lines += 1;
        else this.#skipped = { lines: 1, first: error.line };
        from = error.next;
      }
    }
    this.#unfinishedCode = this.#replyText === '' ? undefined : this.#replyText.slice(0, 3);
    this.#capUnfinished();
  }

  #capUnfinished(): void {
    if (this.#replyText.length <= MAX_REPLY_TEXT) return;
    this.#noteControl(`A multi-line ${this.#unfinishedCode ?? ''} reply did not end within ${MAX_REPLY_TEXT} characters: its text was dropped.`);
    this.#replyText = '';
    this.#unfinishedCode = undefined;
  }

  /** A run of lines that start no reply has ended: one note for all of them. */
  #saySkipped(): void {
    const skipped = this.#skipped;
    if (!skipped) return;
    this.#skipped = undefined;
    this.#noteControl(
      `${plural(skipped.lines, 'line')} from the server ${skipped.lines === 1 ? 'is not an FTP reply and was' : 'are not FTP replies and were'} skipped (the first: ${JSON.stringify(skipped.first.slice(0, 80))}).`,
    );
  }

  #reply(reply: Reply): void {
    this.#saySkipped();
    if (reply.code === 227 || reply.code === 229) {
      const port = reply.code === 229 ? parseEpsvReply(reply.text) : undefined;
      const endpoint = reply.code === 227 ? parsePasvReply(reply.text) : port ? { host: this.server.host, port } : null;
      if (endpoint) this.#announce(endpoint, 'server');
    }
    this.ctx.emit({ type: 'ftp.reply', side: 'server', dir: 'sent', channel: 'control', conn: this.control, code: reply.code, lines: reply.lines });
    if (reply.code === 221) this.#quitting = true;
    if (reply.code >= 200 && reply.code < 300 && this.#parameter) {
      const { verb, arg } = this.#parameter;
      const letter = arg.charAt(0);
      if (verb === 'TYPE' && (letter === 'A' || letter === 'I')) this.#type = letter;
      else if (verb === 'TYPE' && letter === 'L') this.#type = 'I';
      else if (verb === 'MODE' && (letter === 'S' || letter === 'B' || letter === 'C')) this.#mode = letter;
      else if (verb === 'STRU' && (letter === 'F' || letter === 'R')) this.#structure = letter;
    }
    if (reply.code >= 200) this.#parameter = undefined;
    // A transfer's final reply: a COMPRESSED EOF escape that ended the data is settled now (dataConnectionReader.ts).
    if (reply.code >= 200) for (const link of this.links) if (!link.closed) link.reader.settle();
  }
}
