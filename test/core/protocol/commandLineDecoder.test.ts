// Tests the server's control-stream decoder (Telnet IAC removal, CRLF lines, length and flood limits) and parseCommand.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CommandLineDecoder, parseCommand } from '../../../core/protocol/commandLineDecoder';
import type { ControlInput } from '../../../core/protocol/commandLineDecoder';
import { decodeUtf8, encodeUtf8 } from '../../../core/protocol/utf8';
import { split } from './split';

// Telnet bytes (RFC 854).
const IAC = 0xff;
const IP = 0xf4;
const DM = 0xf2;
const NOP = 0xf1;
const AYT = 0xf6;
const WILL = 0xfb;
const WONT = 0xfc;
const DO = 0xfd;
const DONT = 0xfe;

/** Bytes from a mix of text (UTF-8 encoded) and raw byte values. */
function wire(...parts: (string | number | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') out.push(...encodeUtf8(part));
    else if (typeof part === 'number') out.push(part);
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

function decodeAll(chunks: Uint8Array[], opts?: ConstructorParameters<typeof CommandLineDecoder>[0]): ControlInput[] {
  const decoder = new CommandLineDecoder(opts);
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

const line = (text: string): ControlInput => ({ kind: 'line', text });

describe('CommandLineDecoder', () => {
  const rows: { title: string; chunks: Uint8Array[]; expected: ControlInput[]; opts?: { maxLineBytes?: number; floodBytes?: number } }[] = [
    { title: 'one CRLF line (RFC 959 §4.1.3)', chunks: [wire('USER anonymous\r\n')], expected: [line('USER anonymous')] },
    { title: 'bare LF also ends a line', chunks: [wire('PWD\n')], expected: [line('PWD')] },
    { title: 'no line end yet: nothing, the server waits for CRLF', chunks: [wire('NOOP')], expected: [] },
    { title: 'a line split over three reads (RFC 1123 §4.1.2.10)', chunks: [wire('RE'), wire('TR a.t'), wire('xt\r\n')], expected: [line('RETR a.txt')] },
    { title: 'CR and LF in different reads', chunks: [wire('QUIT\r'), wire('\n')], expected: [line('QUIT')] },
    { title: 'several lines in one read', chunks: [wire('TYPE I\r\nPASV\r\nRETR x\r\n')], expected: [line('TYPE I'), line('PASV'), line('RETR x')] },
    { title: 'an empty line is a line', chunks: [wire('\r\n')], expected: [line('')] },
    { title: 'a CR not followed by LF stays in the text', chunks: [wire('A\rB\r\n')], expected: [line('A\rB')] },
    { title: 'CR CR LF keeps one CR', chunks: [wire('A\r\r\n')], expected: [line('A\r')] },
    { title: 'UTF-8 pathname (RFC 2640)', chunks: [wire('CWD /Grüße/日本\r\n')], expected: [line('CWD /Grüße/日本')] },
    { title: 'a UTF-8 character split across reads', chunks: [wire('CWD ', [0xc3]), wire([0xbc], '\r\n')], expected: [line('CWD ü')] },
    { title: 'invalid UTF-8 becomes U+FFFD', chunks: [wire('CWD ', [0xc3, 0x28], '\r\n')], expected: [line('CWD \uFFFD(')] },
    { title: 'ABOR with Telnet IP and Synch (IAC IP IAC DM) before it (959 §4.1.3)', chunks: [wire([IAC, IP, IAC, DM], 'ABOR\r\n')], expected: [line('ABOR')] },
    { title: 'IAC IP split between reads', chunks: [wire('AB', [IAC]), wire([IP], 'OR\r\n')], expected: [line('ABOR')] },
    { title: 'IAC NOP and IAC AYT are removed', chunks: [wire('NO', [IAC, NOP], 'OP', [IAC, AYT], '\r\n')], expected: [line('NOOP')] },
    { title: 'IAC WILL opt is three bytes, removed', chunks: [wire([IAC, WILL, 0x01], 'SYST\r\n')], expected: [line('SYST')] },
    { title: 'IAC WONT / DO / DONT opt are removed', chunks: [wire([IAC, WONT, 0x03, IAC, DO, 0x18, IAC, DONT, 0x22], 'FEAT\r\n')], expected: [line('FEAT')] },
    { title: 'an option negotiation split byte by byte', chunks: [wire('S', [IAC]), wire([DO]), wire([0x01]), wire('TAT\r\n')], expected: [line('STAT')] },
    { title: 'the option byte may be LF without ending the line', chunks: [wire('NO', [IAC, WILL, 0x0a], 'OP\r\n')], expected: [line('NOOP')] },
    { title: 'IAC IAC is one literal 0xFF byte (not UTF-8, so U+FFFD)', chunks: [wire('X', [IAC, IAC], 'Y\r\n')], expected: [line('X\uFFFDY')] },
    { title: 'IAC IAC split between reads', chunks: [wire('X', [IAC]), wire([IAC], 'Y\r\n')], expected: [line('X\uFFFDY')] },
    { title: 'IAC between CR and LF does not break the line end', chunks: [wire('PWD\r', [IAC, NOP], '\n')], expected: [line('PWD')] },
    {
      title: 'a line of exactly maxLineBytes is accepted',
      opts: { maxLineBytes: 8 },
      chunks: [wire('12345678\r\n')],
      expected: [line('12345678')],
    },
    {
      title: 'a line one byte over maxLineBytes gives one tooLong, then decoding goes on',
      opts: { maxLineBytes: 8 },
      chunks: [wire('123456789\r\nPWD\r\n')],
      expected: [{ kind: 'tooLong', bytes: 9 }, line('PWD')],
    },
    {
      title: 'a too-long line arriving in many reads still gives exactly one tooLong, at its end',
      opts: { maxLineBytes: 4 },
      chunks: [wire('abcdef'), wire('ghij'), wire('kl\r'), wire('\nNOOP\r\n')],
      expected: [{ kind: 'tooLong', bytes: 12 }, line('NOOP')],
    },
    {
      title: 'maxLineBytes counts bytes, not characters',
      opts: { maxLineBytes: 4 },
      chunks: [wire('üüü\r\nüü\r\n')],
      expected: [{ kind: 'tooLong', bytes: 6 }, line('üü')],
    },
    {
      title: 'Telnet commands do not count toward the line length',
      opts: { maxLineBytes: 4 },
      chunks: [wire([IAC, IP, IAC, DM], 'ABOR\r\n')],
      expected: [line('ABOR')],
    },
    {
      title: 'more than floodBytes without a line end gives one flood',
      opts: { maxLineBytes: 4, floodBytes: 10 },
      chunks: [wire('OK\r\n0123456789'), wire('A'), wire('\r\nPWD\r\n')],
      expected: [line('OK'), { kind: 'flood', bytes: 11 }],
    },
    {
      title: 'exactly floodBytes without a line end is not yet a flood',
      opts: { maxLineBytes: 4, floodBytes: 10 },
      chunks: [wire('0123456789'), wire('\nPWD\r\n')],
      expected: [{ kind: 'tooLong', bytes: 10 }, line('PWD')],
    },
    {
      // Python's ftplib sends ABOR\r\n as urgent data; Linux drops the urgent byte (the LF) from the stream.
      title: 'ABOR ends at its CR, so an ABOR whose LF never comes is still answered',
      chunks: [wire('ABOR\r'), wire('NOOP\r\n')],
      expected: [line('ABOR'), line('NOOP')],
    },
    {
      title: 'the LF after ABOR\r, arriving in a later read, does not make an empty line',
      chunks: [wire('abor\r'), wire('\n')],
      expected: [line('abor')],
    },
    {
      title: 'endless Telnet commands without a line end are a flood too',
      opts: { floodBytes: 6 },
      chunks: [wire([IAC, NOP, IAC, NOP, IAC, NOP, IAC, NOP])],
      expected: [{ kind: 'flood', bytes: 7 }],
    },
  ];
  for (const row of rows) {
    it(row.title, () => {
      expect(decodeAll(row.chunks, row.opts)).toEqual(row.expected);
    });
  }

  it('ignores everything after a flood', () => {
    const decoder = new CommandLineDecoder({ floodBytes: 16 });
    expect(decoder.push(new Uint8Array(17).fill(0x41))).toEqual([{ kind: 'flood', bytes: 17 }]);
    expect(decoder.push(wire('\r\nNOOP\r\n'))).toEqual([]);
  });

  it('uses 4096 and 1 MiB as default limits', () => {
    const fits = 'A'.repeat(4096);
    expect(decodeAll([wire(fits, '\r\n', fits, 'B\r\n')])).toEqual([line(fits), { kind: 'tooLong', bytes: 4097 }]);
    const decoder = new CommandLineDecoder();
    expect(decoder.push(new Uint8Array(1024 * 1024).fill(0x41))).toEqual([]);
    expect(decoder.push(wire('A'))).toEqual([{ kind: 'flood', bytes: 1024 * 1024 + 1 }]);
  });
});

describe('CommandLineDecoder (property)', () => {
  // A line is a list of pieces: text (any Unicode, no CR/LF) or a literal 0xFF byte, which travels as IAC IAC.
  const textPiece = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, ''));
  const piece = fc.oneof({ arbitrary: textPiece, weight: 4 }, { arbitrary: fc.constant(IAC), weight: 1 });
  const lineArb = fc.array(piece, { maxLength: 5 });
  // Telnet commands the decoder must drop, inserted anywhere: between lines and between pieces.
  const telnet = fc.oneof(
    fc.constant([IAC, IP]),
    fc.constant([IAC, DM]),
    fc.constant([IAC, NOP]),
    fc.tuple(fc.constantFrom(WILL, WONT, DO, DONT), fc.integer({ min: 0, max: 255 })).map(([verb, opt]) => [IAC, verb, opt]),
  );
  const inserts = fc.array(telnet, { maxLength: 2 });

  it('gives back the same lines for CRLF lines with Telnet commands inserted, split at any points', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(inserts, fc.array(fc.tuple(piece, inserts), { maxLength: 5 })), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 16 }),
        (lines, cuts) => {
          const bytes: number[] = [];
          const expected: ControlInput[] = [];
          for (const [before, pieces] of lines) {
            const content: number[] = [];
            bytes.push(...before.flat());
            for (const [p, after] of pieces) {
              if (typeof p === 'number') {
                content.push(0xff);
                bytes.push(IAC, IAC);
              } else {
                const encoded = encodeUtf8(p);
                content.push(...encoded);
                bytes.push(...encoded);
              }
              bytes.push(...after.flat());
            }
            bytes.push(0x0d, 0x0a);
            expected.push(line(decodeUtf8(Uint8Array.from(content))));
          }
          expect(decodeAll(split(Uint8Array.from(bytes), cuts))).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('plain text lines come back unchanged, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(
          lineArb.map((ps) => ps.filter((p) => typeof p === 'string').join('')),
          { maxLength: 8 },
        ),
        fc.array(fc.nat(), { maxLength: 16 }),
        (lines, cuts) => {
          const bytes = encodeUtf8(lines.map((l) => l + '\r\n').join(''));
          expect(decodeAll(split(bytes, cuts))).toEqual(lines.map(line));
        },
      ),
    );
  });
});

describe('parseCommand', () => {
  const rows = [
    { title: 'verb without argument', line: 'PWD', verb: 'PWD', arg: undefined },
    { title: 'verb is upper-cased (959 §5.3: case-insensitive)', line: 'user anonymous', verb: 'USER', arg: 'anonymous' },
    { title: 'mixed-case verb', line: 'ReTr a.txt', verb: 'RETR', arg: 'a.txt' },
    { title: 'argument case is kept', line: 'CWD /Pub/MiXed', verb: 'CWD', arg: '/Pub/MiXed' },
    { title: 'argument with spaces is kept whole', line: 'STOR my file.txt', verb: 'STOR', arg: 'my file.txt' },
    { title: 'leading spaces after the separator belong to the name', line: 'RETR   spaced.txt', verb: 'RETR', arg: '  spaced.txt' },
    { title: 'trailing spaces belong to the name', line: 'DELE x ', verb: 'DELE', arg: 'x ' },
    { title: "'CWD ' has an empty argument, not none", line: 'CWD ', verb: 'CWD', arg: '' },
    { title: 'TYPE with two parameters', line: 'TYPE A N', verb: 'TYPE', arg: 'A N' },
    { title: 'PORT argument', line: 'PORT 127,0,0,1,19,136', verb: 'PORT', arg: '127,0,0,1,19,136' },
    { title: 'non-ASCII argument (RFC 2640)', line: 'MKD Grüße', verb: 'MKD', arg: 'Grüße' },
    { title: 'empty line', line: '', verb: '', arg: undefined },
    { title: 'a tab is not the separator', line: 'NOOP\tx', verb: 'NOOP\tX', arg: undefined },
  ];
  it.each(rows)('$title', ({ line: input, verb, arg }) => {
    expect(parseCommand(input)).toEqual({ verb, arg });
  });

  it('verb + space + argument always splits back into the same parts (property)', () => {
    const verbArb = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(verbArb, fc.string({ unit: 'grapheme' }), (verb, arg) => {
        expect(parseCommand(`${verb.toLowerCase()} ${arg}`)).toEqual({ verb, arg });
      }),
    );
  });
});
