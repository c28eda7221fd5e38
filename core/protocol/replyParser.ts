// Reads FTP replies out of the control-connection text however TCP split it, and formats them (RFC 959 §4.2).

export interface Reply {
  code: number;
  /**
   * The reply's lines without their line ends. The first and last lines lose their code prefix
   * ('ddd-' / 'ddd '); the lines in between are kept exactly as sent, padding included.
   */
  lines: string[];
  /** lines joined by '\n'. */
  text: string;
  /** Did the reply use the 'ddd-' ... 'ddd ' form (RFC 959 §4.2)? */
  multiline: boolean;
}

/** A line that cannot start a reply where one was expected: the client reports it instead of guessing. */
export class ReplySyntaxError extends Error {
  /** The offending line, without its line end. */
  readonly line: string;
  /** Replies that were complete before the offending line. */
  readonly replies: Reply[];
  /** Where the text after the offending line starts in the input: a reader that skips the line goes on from here. */
  readonly next: number;

  constructor(line: string, replies: Reply[], next = 0) {
    super(`Not an FTP reply line (expected three digits, then a space or '-'): ${JSON.stringify(line)}`);
    this.name = 'ReplySyntaxError';
    this.line = line;
    this.replies = replies;
    this.next = next;
  }
}

// A reply starts with exactly three digits followed by SP, '-' or the end of the line (959 §4.2).
// 'ddd' alone is tolerated: some servers send a code with no text.
const REPLY_START = /^(\d{3})([ -]|$)/;

/**
 * Takes every complete reply at the start of `input` and returns the text that is left over (a
 * reply still arriving). Call it again with rest + the next chunk: one read may hold part of a
 * reply or several replies (RFC 1123 §4.1.2.10 for the same rule on commands).
 * Lines end in CRLF (959 §4.2); a bare LF is accepted too, because real servers send it.
 * Throws ReplySyntaxError for a complete line that should start a reply but cannot.
 * `from` starts the reading further into `input`, so a reader that skips a bad line need not copy the text after it.
 */
export function parseReplies(input: string, from = 0): { replies: Reply[]; rest: string } {
  const replies: Reply[] = [];
  let pos = from;
  for (;;) {
    const firstEnd = input.indexOf('\n', pos);
    if (firstEnd < 0) break;
    const first = stripCr(input.slice(pos, firstEnd));
    const start = REPLY_START.exec(first);
    if (!start) throw new ReplySyntaxError(first, replies, firstEnd + 1);
    const codeText = start[1]!;
    const code = Number(codeText);
    if (start[2] !== '-') {
      const lines = [first.slice(4)];
      replies.push({ code, lines, text: lines.join('\n'), multiline: false });
      pos = firstEnd + 1;
      continue;
    }
    // Multi-line (959 §4.2): the reply ends at the first later line that begins with the same code
    // followed by SP. Lines in between may be anything, even other codes, and are not nested.
    const lines = [first.slice(4)];
    let p = firstEnd + 1;
    let complete = false;
    for (;;) {
      const end = input.indexOf('\n', p);
      if (end < 0) break;
      const line = stripCr(input.slice(p, end));
      p = end + 1;
      if (line === codeText || line.startsWith(codeText + ' ')) {
        lines.push(line.slice(4));
        complete = true;
        break;
      }
      lines.push(line);
    }
    if (!complete) break;
    replies.push({ code, lines, text: lines.join('\n'), multiline: true });
    pos = p;
  }
  return { replies, rest: input.slice(pos) };
}

/**
 * Formats one reply as the server sends it (959 §4.2): one line gives 'ddd text CRLF'; several give
 * 'ddd-first', the middle lines, then 'ddd last'. A middle line that starts with a digit gets a
 * leading space, so a client can never mistake it for the last line ("  234 ..." in 959 §4.2).
 * No line may contain CR or LF: that would forge extra reply lines.
 */
export function formatReply(code: number, lines: string[]): string {
  if (!Number.isInteger(code) || code < 100 || code > 999) throw new RangeError(`Reply code must have three digits: ${code}`);
  for (const line of lines) {
    if (/[\r\n]/.test(line)) throw new RangeError(`Reply line contains CR or LF: ${JSON.stringify(line)}`);
  }
  const [first = '', ...others] = lines;
  if (others.length === 0) return `${code} ${first}\r\n`;
  const last = others.pop() ?? '';
  const middle = others.map((line) => (/^\d/.test(line) ? ' ' + line : line) + '\r\n');
  return `${code}-${first}\r\n${middle.join('')}${code} ${last}\r\n`;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
