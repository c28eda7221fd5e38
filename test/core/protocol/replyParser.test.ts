// Tests reply parsing (any TCP split, single and multi-line, RFC 959 §4.2) and the server's reply formatter.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatReply, parseReplies, ReplySyntaxError } from '../../../core/protocol/replyParser';
import type { Reply } from '../../../core/protocol/replyParser';
import { split } from './split';

const reply = (code: number, lines: string[], multiline = lines.length > 1): Reply => ({ code, lines, text: lines.join('\n'), multiline });

/** Feeds chunks one at a time as a client does: rest + chunk each time. */
function parseIncrementally(chunks: string[]): { replies: Reply[]; rest: string } {
  const replies: Reply[] = [];
  let rest = '';
  for (const chunk of chunks) {
    const parsed = parseReplies(rest + chunk);
    replies.push(...parsed.replies);
    rest = parsed.rest;
  }
  return { replies, rest };
}

/** The lines a client reads back: the formatter pads middle lines that start with a digit (959 §4.2). */
const linesAsParsed = (lines: string[]) => lines.map((line, i) => (i > 0 && i < lines.length - 1 && /^\d/.test(line) ? ' ' + line : line));

describe('parseReplies', () => {
  const rows: { title: string; input: string; replies: Reply[]; rest: string }[] = [
    { title: 'single line', input: '220 FTP Lab ready.\r\n', replies: [reply(220, ['FTP Lab ready.'])], rest: '' },
    {
      title: 'multi-line FEAT reply (RFC 2389 §3.2: feature lines start with one space)',
      input: '211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n',
      replies: [reply(211, ['Features:', ' MDTM', ' SIZE', 'End'])],
      rest: '',
    },
    {
      title: 'middle line starting with another code does not end the reply (959 §4.2)',
      input: '123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n234 not the end either\r\n123 The last line\r\n',
      replies: [reply(123, ['First line', 'Second line', '  234 A line beginning with numbers', '234 not the end either', 'The last line'])],
      rest: '',
    },
    {
      title: "a middle line with the same code and '-' is still a middle line",
      input: '250-a\r\n250-b\r\n250 c\r\n',
      replies: [reply(250, ['a', '250-b', 'c'])],
      rest: '',
    },
    {
      title: 'a middle line with the code glued to text is not the end',
      input: '214-Help\r\n214x\r\n214 End\r\n',
      replies: [reply(214, ['Help', '214x', 'End'])],
      rest: '',
    },
    { title: 'partial single line stays in rest', input: '220 FTP Lab re', replies: [], rest: '220 FTP Lab re' },
    { title: 'line with CR but no LF yet stays in rest', input: '200 OK\r', replies: [], rest: '200 OK\r' },
    {
      title: 'unfinished multi-line reply stays in rest whole',
      input: '211-Features:\r\n MDTM\r\n',
      replies: [],
      rest: '211-Features:\r\n MDTM\r\n',
    },
    {
      title: 'complete reply, then a partial one',
      input: '331 Password required.\r\n230-Welcome\r\n 23',
      replies: [reply(331, ['Password required.'])],
      rest: '230-Welcome\r\n 23',
    },
    {
      title: 'two replies in one chunk (150 then 226)',
      input: '150 Opening data connection.\r\n226 Transfer complete.\r\n',
      replies: [reply(150, ['Opening data connection.']), reply(226, ['Transfer complete.'])],
      rest: '',
    },
    {
      title: 'bare LF line ends',
      input: '211-Features:\n SIZE\n211 End\n200 OK\n',
      replies: [reply(211, ['Features:', ' SIZE', 'End']), reply(200, ['OK'])],
      rest: '',
    },
    { title: "code with no text ('ddd CRLF')", input: '200\r\n', replies: [reply(200, [''])], rest: '' },
    { title: "code and space with no text ('ddd SP CRLF')", input: '200 \r\n', replies: [reply(200, [''])], rest: '' },
    { title: 'multi-line reply whose last line is exactly the code', input: '221-Bye\r\n221\r\n', replies: [reply(221, ['Bye', ''])], rest: '' },
    { title: "multi-line reply with one line ('ddd-' then 'ddd ')", input: '226-\r\n226 Done\r\n', replies: [reply(226, ['', 'Done'])], rest: '' },
    { title: 'inner spaces are kept', input: '257 "/a  b" created.\r\n', replies: [reply(257, ['"/a  b" created.'])], rest: '' },
    { title: 'only the CR of the line end is stripped', input: '200 a\rb\r\r\n', replies: [reply(200, ['a\rb\r'])], rest: '' },
    { title: 'non-ASCII text (RFC 2640)', input: '257 "/Grüße/日本" created.\r\n', replies: [reply(257, ['"/Grüße/日本" created.'])], rest: '' },
    { title: 'empty input', input: '', replies: [], rest: '' },
  ];
  for (const row of rows) {
    it(row.title, () => {
      expect(parseReplies(row.input)).toEqual({ replies: row.replies, rest: row.rest });
    });
  }

  const bad = [
    { title: 'text that is no reply at all', input: 'hello\r\n', line: 'hello' },
    { title: 'two-digit code', input: '22 Ready\r\n', line: '22 Ready' },
    { title: 'four-digit code', input: '2200 Ready\r\n', line: '2200 Ready' },
    { title: 'code followed by something other than SP or -', input: '220:Ready\r\n', line: '220:Ready' },
    { title: 'empty line where a reply should start', input: '\r\n', line: '' },
    { title: 'leading space before the code', input: ' 220 Ready\r\n', line: ' 220 Ready' },
    { title: 'garbage after a good reply', input: '200 OK\r\nSSH-2.0-OpenSSH\r\n', line: 'SSH-2.0-OpenSSH' },
  ];
  it.each(bad)('throws ReplySyntaxError with the offending line: $title', ({ input, line }) => {
    let caught: unknown;
    try {
      parseReplies(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ReplySyntaxError);
    expect((caught as ReplySyntaxError).line).toBe(line);
  });

  it('keeps the replies that came before the bad line on the error', () => {
    const error = (() => {
      try {
        parseReplies('200 OK\r\nbad\r\n');
      } catch (e) {
        return e as ReplySyntaxError;
      }
      return undefined;
    })();
    expect(error?.replies).toEqual([reply(200, ['OK'])]);
  });

  it('does not judge a line before its line end has arrived', () => {
    expect(parseReplies('SSH-2.0')).toEqual({ replies: [], rest: 'SSH-2.0' });
  });
});

describe('formatReply', () => {
  const rows = [
    { title: 'one line', code: 200, lines: ['Command okay.'], wire: '200 Command okay.\r\n' },
    { title: 'one empty line', code: 200, lines: [''], wire: '200 \r\n' },
    { title: 'no lines at all is one empty line', code: 200, lines: [], wire: '200 \r\n' },
    { title: 'two lines', code: 230, lines: ['Welcome', 'Logged in.'], wire: '230-Welcome\r\n230 Logged in.\r\n' },
    { title: 'FEAT reply', code: 211, lines: ['Features:', ' MDTM', ' SIZE', 'End'], wire: '211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n' },
    {
      title: 'middle lines starting with a digit get a leading space (959 §4.2)',
      code: 211,
      lines: ['Status:', '211 looks like an end', '42 files', 'End'],
      wire: '211-Status:\r\n 211 looks like an end\r\n 42 files\r\n211 End\r\n',
    },
    { title: 'first and last lines are never padded', code: 213, lines: ['1 first', '2 last'], wire: '213-1 first\r\n213 2 last\r\n' },
  ];
  it.each(rows)('$title', ({ code, lines, wire }) => {
    expect(formatReply(code, lines)).toBe(wire);
  });

  const refused = [
    { title: 'a line containing CRLF (would forge a reply)', code: 200, lines: ['OK\r\n230 Logged in'] },
    { title: 'a line containing a bare LF', code: 200, lines: ['a', 'b\nc', 'd'] },
    { title: 'a two-digit code', code: 99, lines: ['x'] },
    { title: 'a non-integer code', code: 200.5, lines: ['x'] },
  ];
  it.each(refused)('refuses $title', ({ code, lines }) => {
    expect(() => formatReply(code, lines)).toThrow(RangeError);
  });
});

// Printable text without CR/LF: ASCII and full Unicode, plus lines that look like reply codes.
const printable = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ''));
const codeArb = fc.integer({ min: 100, max: 599 });
const lineArb = fc.oneof(
  printable,
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, '')),
  fc.tuple(codeArb, fc.constantFrom(' ', '-', ''), printable).map(([c, sep, t]) => `${c}${sep}${t}`),
  fc.tuple(fc.constantFrom(' ', '  '), codeArb, printable).map(([pad, c, t]) => `${pad}${c} ${t}`),
);
const replyArb = fc.record({ code: codeArb, lines: fc.array(lineArb, { minLength: 1, maxLength: 6 }) });

describe('parseReplies with formatReply (properties)', () => {
  it('parses back what formatReply produced, however the text is split into chunks', () => {
    fc.assert(
      fc.property(fc.array(replyArb, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (generated, cuts) => {
        const wire = generated.map((r) => formatReply(r.code, r.lines)).join('');
        const { replies, rest } = parseIncrementally(split(wire, cuts));
        expect(rest).toBe('');
        expect(replies).toEqual(generated.map((r) => reply(r.code, linesAsParsed(r.lines))));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips a reply exactly when no middle line starts with a digit', () => {
    const plainMiddle = fc.array(
      printable.filter((s) => !/^\d/.test(s)),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(codeArb, lineArb, plainMiddle, lineArb, fc.boolean(), (code, first, middle, last, single) => {
        const lines = single ? [first] : [first, ...middle, last];
        expect(parseReplies(formatReply(code, lines))).toEqual({ replies: [reply(code, lines)], rest: '' });
      }),
    );
  });

  it('never consumes a reply that has not fully arrived', () => {
    fc.assert(
      fc.property(replyArb, fc.nat(), (r, cut) => {
        const wire = formatReply(r.code, r.lines);
        const prefix = wire.slice(0, cut % wire.length);
        expect(parseReplies(prefix)).toEqual({ replies: [], rest: prefix });
      }),
    );
  });
});
