// The control connection on either side: lines in, lines out, each recorded in the trace as it crosses the wire.

import { fromCallback } from 'xstate';
import { CommandLineDecoder, parseCommand } from '../../core/protocol/commandLineDecoder';
import { parseRequest } from '../../core/protocol/serverRequest';
import { printable } from '../../core/protocol/printable';
import type { CloseReason } from '../../core/trace/traceEvent';
import { formatReply, parseReplies, ReplySyntaxError } from '../../core/protocol/replyParser';
import type { ControlInputEvent, ControlOutputEvent } from '../../core/machines/channelEvents';
import { maskCommandLine } from '../../core/trace/mask';
import type { TracedSocket } from './tracedSocket';

export interface ControlChannelOptions {
  /** Record PASS arguments as they were sent (off by default: design.md). */
  readonly revealPasswords: boolean;
  readonly maxLineBytes?: number;
  /** The server's idle timeout (RFC 1123 §4.1.3.2): control.idle after this long without a line; 0 never. */
  readonly idleTimeoutMs?: number;
}

/**
 * The server's control connection: decodes command lines (CRLF, Telnet IAC stripped, length-capped) and
 * hands each to the session parsed, sends replies, and closes when the machine says so. Lines are
 * recorded as they arrive, before the machine decides anything, so the trace shows exactly what the
 * client sent; replies are recorded as they are handed to the socket.
 */
export class ServerControlChannel {
  readonly #conn: TracedSocket;
  readonly #trace: ReturnType<typeof traceOf>;
  #idle: NodeJS.Timeout | undefined;

  constructor(conn: TracedSocket, options: ControlChannelOptions, deliver: (event: ControlInputEvent) => void) {
    this.#conn = conn;
    const { socket } = conn;
    const trace = (this.#trace = traceOf(conn));
    const decoder = new CommandLineDecoder(options.maxLineBytes ? { maxLineBytes: options.maxLineBytes } : {});
    let flooded = false;
    // Idleness is measured here (where lines arrive) and judged by the machine (a transfer is not idle): the
    // timer says so every idleTimeoutMs without input, and starts again.
    const idleMs = options.idleTimeoutMs ?? 0;
    const idle =
      idleMs > 0
        ? setTimeout(function expire() {
            deliver({ type: 'control.idle', seconds: Math.round(idleMs / 1000) });
            idle?.refresh();
          }, idleMs)
        : undefined;
    idle?.unref();
    this.#idle = idle;
    socket.once('close', () => clearTimeout(idle));
    socket.on('data', (chunk: Buffer) => {
      idle?.refresh();
      if (flooded) return;
      for (const input of decoder.push(chunk)) {
        if (input.kind === 'line') {
          const request = parseRequest(input.text);
          trace.record({
            type: 'ftp.command',
            side: 'server',
            dir: 'received',
            channel: 'control',
            conn: conn.conn,
            verb: request.sent,
            line: maskCommandLine(input.text, options.revealPasswords),
            ...trace.session,
          });
          deliver({ type: 'control.command', request });
        } else if (input.kind === 'tooLong') {
          trace.record({
            type: 'note',
            side: 'server',
            text: `A command line of ${input.bytes} bytes was discarded: over the ${options.maxLineBytes ?? 4096}-byte limit.`,
            ...trace.session,
          });
          deliver({ type: 'control.tooLong', bytes: input.bytes });
        } else {
          flooded = true;
          trace.record({ type: 'note', side: 'server', text: `${input.bytes} bytes arrived without a line end: the server disconnects.`, ...trace.session });
          deliver({ type: 'control.flood', bytes: input.bytes });
          return;
        }
      }
    });
    // A client that closes its side is gone: the server answers with its own FIN (959 §5.2 last paragraph).
    socket.on('end', () => conn.end('peer-closed'));
    socket.on('close', () => deliver({ type: 'control.closed', reason: 'peer' }));
  }

  reply(code: number, lines: readonly string[]): void {
    const conn = this.#conn;
    if (conn.socket.destroyed || conn.finSent) return;
    // A reply may echo what the client sent (a verb, a path): a bare CR or any other control character in
    // it goes out as a visible escape, never raw (it would forge reply lines, 959 §4.2).
    const safe = lines.map(printable);
    // Recorded as it is handed to the socket: a watcher (the serve transcript) learns of the reply no later
    // than the client can, so nothing it prints trails what the client already reacted to.
    this.#trace.record({ type: 'ftp.reply', side: 'server', dir: 'sent', channel: 'control', conn: conn.conn, code, lines: safe, ...this.#trace.session });
    conn.socket.write(formatReply(code, safe));
  }

  close(reason: CloseReason): void {
    this.#conn.end(reason);
  }

  /** The session is over: let the socket go (see releaseSocket). */
  release(): void {
    clearTimeout(this.#idle);
    releaseSocket(this.#conn);
  }
}

/**
 * The client's control actor: parses replies however TCP split them (multi-line included),
 * sends command lines, and reports a reply it cannot parse instead of guessing.
 */
export function clientControlActor(conn: TracedSocket, options: ControlChannelOptions) {
  return fromCallback<ControlOutputEvent>(({ sendBack: sendAny, receive }) => {
    const sendBack = (event: ControlInputEvent) => sendAny(event);
    const { socket } = conn;
    const trace = traceOf(conn);
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      pending += text;
      try {
        const { replies, rest } = parseReplies(pending);
        pending = rest;
        for (const r of replies) {
          trace.record({
            type: 'ftp.reply',
            side: 'client',
            dir: 'received',
            channel: 'control',
            conn: conn.conn,
            code: r.code,
            lines: r.lines,
            ...trace.session,
          });
          sendBack({ type: 'control.reply', code: r.code, lines: r.lines });
        }
      } catch (error) {
        const line = error instanceof ReplySyntaxError ? error.line : pending;
        pending = '';
        sendBack({ type: 'control.garbled', line });
      }
    });
    socket.on('end', () => conn.end('peer-closed'));
    socket.on('close', (hadError: boolean) => sendBack({ type: 'control.closed', reason: hadError ? 'error' : 'peer' }));
    receive((event) => {
      if (event.type === 'command') {
        if (socket.destroyed || conn.finSent) return;
        socket.write(event.line + '\r\n');
        const { verb } = parseCommand(event.line);
        trace.record({
          type: 'ftp.command',
          side: 'client',
          dir: 'sent',
          channel: 'control',
          conn: conn.conn,
          verb,
          line: maskCommandLine(event.line, options.revealPasswords),
          ...trace.session,
        });
      } else if (event.type === 'close') {
        conn.end(event.reason);
      }
    });
    return () => releaseSocket(conn);
  });
}

function traceOf(conn: TracedSocket) {
  const ctx = conn.traceContext;
  return {
    record: ctx.recorder.record.bind(ctx.recorder),
    session: ctx.session !== undefined ? { session: ctx.session } : {},
  };
}

/**
 * When the machine stops: a socket that already sent its FIN is given a moment to finish the close
 * handshake (so the last reply is not lost to a reset); any other is destroyed at once.
 */
function releaseSocket(conn: TracedSocket): void {
  const socket = conn.socket;
  if (socket.destroyed) return;
  if (!conn.finSent) {
    socket.destroy();
    return;
  }
  const timer = setTimeout(() => socket.destroy(), 2000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
