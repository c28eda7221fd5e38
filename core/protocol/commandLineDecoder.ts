// Turns the server's raw control-connection bytes into command lines: Telnet IAC removed, CRLF split, length-capped.

import { decodeUtf8 } from './utf8';

export type ControlInput = { kind: 'line'; text: string } | { kind: 'tooLong'; bytes: number } | { kind: 'flood'; bytes: number };

export interface CommandLineDecoderOptions {
  /** Longest accepted line, in bytes before the line end. Default 4096. */
  maxLineBytes?: number;
  /** Unterminated bytes after which the peer is treated as a flood. Default 1 MiB. */
  floodBytes?: number;
}

// Telnet byte values (RFC 854, "Telnet command structure").
const IAC = 0xff;
const WILL = 0xfb;
const DONT = 0xfe;
const CR = 0x0d;
const LF = 0x0a;

// Where the Telnet layer is inside an IAC sequence; kept between chunks, which may split one.
const DATA = 0;
/** Just saw IAC. */
const COMMAND = 1;
/** Saw IAC WILL/WONT/DO/DONT: the next byte is the option code. */
const OPTION = 2;

/**
 * The control connection is a Telnet NVT stream (RFC 959 §4.1.3 end; RFC 854). This decoder:
 * - removes Telnet commands before splitting lines: IAC IP and IAC DM (the ABOR "Synch", 959 §4.1.3),
 *   any other two-byte IAC command, and the three-byte option negotiations IAC WILL/WONT/DO/DONT opt.
 *   It does not answer negotiations: a user-FTP must not start them (RFC 1123 §4.1.2.12), and
 *   replying is the caller's business. IAC IAC stands for one literal 0xFF byte (RFC 854).
 * - splits on CRLF (959 §4.1.3) and also bare LF, never assuming one read is one line (1123 §4.1.2.10).
 * - caps line length: a line over maxLineBytes yields one 'tooLong' when it ends, and only its first
 *   maxLineBytes bytes are ever held; a peer that sends more than floodBytes without any line end
 *   yields one 'flood' and is ignored from then on (the caller disconnects).
 * - decodes each line as UTF-8 (RFC 2640 §2.2).
 */
export class CommandLineDecoder {
  readonly #maxLineBytes: number;
  readonly #floodBytes: number;
  /** The current line's first bytes (at most maxLineBytes of them). */
  readonly #line: Uint8Array;
  /** Data bytes of the current line so far, after Telnet removal, including any held ones. */
  #lineBytes = 0;
  /** Raw bytes since the last line end, Telnet commands included: what a flood is measured in. */
  #pendingRaw = 0;
  /** Was the last data byte a CR? Then an LF right after it ends the line and the CR is not text. */
  #lastWasCr = false;
  /** ABOR was taken at its CR (see #data): the LF that may follow belongs to it, not to a new line. */
  #aborCr = false;
  #telnet: typeof DATA | typeof COMMAND | typeof OPTION = DATA;
  #flooded = false;

  constructor(opts: CommandLineDecoderOptions = {}) {
    this.#maxLineBytes = opts.maxLineBytes ?? 4096;
    this.#floodBytes = opts.floodBytes ?? 1024 * 1024;
    if (!(this.#maxLineBytes >= 1) || !(this.#floodBytes >= 1)) throw new RangeError('maxLineBytes and floodBytes must be positive');
    this.#line = new Uint8Array(this.#maxLineBytes);
  }

  push(chunk: Uint8Array): ControlInput[] {
    const out: ControlInput[] = [];
    if (this.#flooded) return out;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.#telnet === DATA && byte === LF) {
        // A line end is never part of the unterminated data it ends.
        this.#data(byte, out);
        continue;
      }
      this.#pendingRaw++;
      if (this.#pendingRaw > this.#floodBytes) {
        // Only reachable without a line end for floodBytes bytes: nothing after this matters.
        this.#flooded = true;
        out.push({ kind: 'flood', bytes: this.#pendingRaw });
        return out;
      }
      switch (this.#telnet) {
        case COMMAND:
          if (byte === IAC) {
            this.#telnet = DATA;
            this.#data(byte, out);
          } else if (byte >= WILL && byte <= DONT) {
            this.#telnet = OPTION;
          } else {
            // IP (F4), DM (F2), AO, AYT, NOP, ...: a two-byte command with no place in the line.
            this.#telnet = DATA;
          }
          continue;
        case OPTION:
          this.#telnet = DATA;
          continue;
        case DATA:
          if (byte === IAC) this.#telnet = COMMAND;
          else this.#data(byte, out);
          continue;
      }
    }
    return out;
  }

  /** One data byte (Telnet already removed). */
  #data(byte: number, out: ControlInput[]): void {
    if (this.#aborCr) {
      this.#aborCr = false;
      if (byte === LF) return;
    }
    if (byte === CR && this.#isAbor()) {
      // ABOR ends at its CR. Python's ftplib sends "ABOR\r\n" as TCP urgent data; a Linux receiver
      // without SO_OOBINLINE (which Node cannot set) takes the last byte, the LF, out of the stream,
      // so the LF may never come, while the client waits for ABOR's reply. pyftpdlib and vsftpd turn
      // SO_OOBINLINE on for this reason.
      out.push({ kind: 'line', text: decodeUtf8(this.#line.subarray(0, this.#lineBytes)) });
      this.#lineBytes = 0;
      this.#pendingRaw = 0;
      this.#lastWasCr = false;
      this.#aborCr = true;
      return;
    }
    if (byte === LF) {
      // A CR right before the LF is part of the line end (CRLF), not of the text.
      const length = this.#lineBytes - (this.#lastWasCr ? 1 : 0);
      if (length > this.#maxLineBytes) out.push({ kind: 'tooLong', bytes: length });
      else out.push({ kind: 'line', text: decodeUtf8(this.#line.subarray(0, length)) });
      this.#lineBytes = 0;
      this.#pendingRaw = 0;
      this.#lastWasCr = false;
      return;
    }
    // A line that fits has length <= maxLineBytes, so all its text bytes land in the buffer; a CR
    // that would not fit can only be a line-end CR (or the line is too long anyway), so it is just counted.
    if (this.#lineBytes < this.#maxLineBytes) this.#line[this.#lineBytes] = byte;
    this.#lineBytes++;
    this.#lastWasCr = byte === CR;
  }

  /** Is the line so far exactly ABOR (any case)? */
  #isAbor(): boolean {
    if (this.#lineBytes !== 4) return false;
    const [a, b, o, r] = this.#line;
    return (a! | 0x20) === 0x61 && (b! | 0x20) === 0x62 && (o! | 0x20) === 0x6f && (r! | 0x20) === 0x72;
  }
}

/**
 * Splits a command line into its verb and argument (RFC 959 §5.3: the code, then SP, then the
 * argument). The verb is upper-cased because commands are case-insensitive (959 §5.3). The argument
 * is everything after the first space, verbatim: pathnames may contain or start with spaces.
 * 'CWD ' gives arg ''; 'PWD' gives arg undefined.
 */
export function parseCommand(line: string): { verb: string; arg: string | undefined } {
  const space = line.indexOf(' ');
  if (space < 0) return { verb: line.toUpperCase(), arg: undefined };
  return { verb: line.slice(0, space).toUpperCase(), arg: line.slice(space + 1) };
}
