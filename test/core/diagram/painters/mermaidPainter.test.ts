// paintMermaid: text Mermaid's own parser reads back as the same diagram: four participants, one arrow or
// note per statement, and every string from the trace exactly as recorded, however hostile.

import { describe, expect, it } from 'vitest';
import { exportModel } from '../../../../core/diagram/layout/exportModel';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { mermaidText, paintMermaid } from '../../../../core/diagram/painters/mermaidPainter';
import { sequenceStatements, type Statement } from '../../../../core/diagram/painters/sequenceStatements';
import { fixtures } from '../fixtures';
import { expectGolden } from '../golden';
import { HOSTILE_FILE, HOSTILE_NOTE, HOSTILE_REPLY, HOSTILE_TITLE, hostileEvents } from '../hostileTrace';
import { parseMermaid } from '../mermaidParser';

/** Control characters as the painters show them: their Unicode pictures (␊ for a newline). */
export const pictures = (text: string): string =>
  // eslint-disable-next-line no-control-regex -- control characters are what is being replaced
  text.replace(/[\u0000-\u001f\u007f]/g, (c) => String.fromCodePoint(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));

const ids = { client: 'CPI', 'client-data': 'CDTP', 'server-data': 'SDTP', server: 'SPI' } as const;

/** What Mermaid should have understood for each statement: sender, receiver (notes: the span), lines of text. */
function expected(statements: readonly Statement[]) {
  return statements.map((s) => {
    switch (s.kind) {
      case 'arrow':
        return { from: ids[s.from], to: ids[s.to], lines: s.lines.map((l, i) => pictures(i === 0 && s.step ? `${s.step}. ${l}` : l).trim()) };
      case 'note':
        return {
          from: ids[s.over[0]!],
          to: ids[s.over[s.over.length - 1]!],
          lines: [pictures(s.step && s.tone === 'info' ? `${s.step}. ${s.text}` : s.text).trim()],
        };
      default:
        return { from: ids[s.lane], to: undefined, lines: [''] };
    }
  });
}

describe('mermaidText', () => {
  it.each([
    ['markup', '<b>&amp;</b>', '#60;b#62;#38;amp#59;#60;/b#62;'],
    ['an init directive', '%%{init: {"theme":"forest"}}%%', '#37;#37;#123;init#58; #123;#34;theme#34;#58;#34;forest#34;#125;#125;#37;#37;'],
    ['statement separators and comments', 'a;b#c', 'a#59;b#35;c'],
    ["'wrap:' and the style pre-pass's colon", 'wrap: style:x', 'wrap#58; style#58;x'],
    ['a newline, shown as its picture', 'a\nb', 'a#9226;b'],
    ['a line separator', 'a\u2028b', 'a#8232;b'],
    ['non-ASCII text, kept readable', 'Größe_文件.txt', 'Größe_文件.txt'],
    ['KaTeX delimiters', '$$x$$', '#36;#36;x#36;#36;'],
    ['empty text (Mermaid needs some)', '', '#8203;'],
  ])('%s', (_title, text, written) => {
    expect(mermaidText(text)).toBe(written);
  });
});

describe('paintMermaid', () => {
  it('textbook upload (golden)', async () => {
    const trace = fixtures.textbookUpload;
    await expectGolden('textbook-upload.mmd', paintMermaid(layoutTrace(trace.events, { title: trace.meta.title ?? '' })));
  });

  it('every captured trace parses, with the four lanes and one message or note per statement', async () => {
    for (const [name, trace] of Object.entries(fixtures)) {
      const model = exportModel(trace);
      const parsed = await parseMermaid(paintMermaid(model));
      expect(parsed.type, name).toBe('sequence');
      expect(
        parsed.actors.map((a) => a.id),
        name,
      ).toEqual(['CPI', 'CDTP', 'SDTP', 'SPI']);
      expect(parsed.actors[0]?.lines[0], name).toBe('Client PI · control');
      expect(
        parsed.messages.map((m) => ({ from: m.from, to: m.to, lines: m.lines })),
        name,
      ).toEqual(expected(sequenceStatements(model)));
    }
  });

  it('draws close badges as notes over the closing side, and data connections as activations', async () => {
    const parsed = await parseMermaid(paintMermaid(exportModel(fixtures.textbookUpload)));
    const notes = parsed.messages.filter((m) => m.type === 2).map((m) => `${m.from}: ${m.lines.join(' ')}`);
    expect(notes).toContain('CDTP: client closed: EOF in STREAM mode');
    expect(notes).toContain('SDTP: server closed: answering the peer’s close');
    expect(parsed.messages.filter((m) => m.type === 17).map((m) => m.from)).toEqual(['CDTP', 'SDTP']);
    expect(parsed.messages.filter((m) => m.type === 18)).toHaveLength(2);
  });

  it('hostile names, notes and replies come out literally and add no statement, directive or participant', async () => {
    const model = exportModel(
      { format: 'ftp-lab-trace', version: 1, meta: { createdAt: '', tool: 'test', passwordsMasked: true }, events: hostileEvents() },
      { title: HOSTILE_TITLE },
    );
    const text = paintMermaid(model);
    expect(text).not.toMatch(/%%|<(?!br\/>)|@\{/);
    const parsed = await parseMermaid(text);
    expect(parsed.title).toBe(HOSTILE_TITLE);
    expect(parsed.actors.map((a) => a.id)).toEqual(['CPI', 'CDTP', 'SDTP', 'SPI']);
    expect(parsed.messages.map((m) => ({ from: m.from, to: m.to, lines: m.lines }))).toEqual(expected(sequenceStatements(model)));
    const all = parsed.messages.flatMap((m) => m.lines);
    expect(all).toContain(`11. STOR ${HOSTILE_FILE}`);
    expect(all).toContain(`12. 150 Opening BINARY mode data connection for /${HOSTILE_FILE}.`);
    expect(all).toContain(`17. ${pictures(HOSTILE_NOTE)}`);
    expect(all).toEqual(expect.arrayContaining([`19. 550 ${HOSTILE_REPLY[0]}`, ...HOSTILE_REPLY.slice(1).map(pictures)]));
  });

  it('narration notes (--notes) parse as notes across the diagram, and a dark theme is an init directive', async () => {
    const model = exportModel(fixtures.download, { notes: true });
    const text = paintMermaid(model, { theme: 'dark' });
    expect(text.startsWith('%%{init: {"theme": "dark"}}%%\nsequenceDiagram\n')).toBe(true);
    const parsed = await parseMermaid(text);
    const narration = parsed.messages.filter((m) => m.type === 2 && m.from === 'CPI' && m.to === 'SPI').map((m) => m.lines.join(' '));
    expect(narration.some((n) => n.startsWith('The server closes the data connection (TCP FIN): end of file in STREAM mode'))).toBe(true);
  });
});
