// The textbook comparison as an export: a table SVG with the textbook's upload, step by step, beside what
// RFC 959 says, and (given a trace) where this session shows the RFC's version. Standalone like paintSvg:
// inline style, no script, every string escaped.

import { textbookSteps, type TextbookStep } from '../../scenarios/textbookComparison';
import type { TraceEvent, TraceFile } from '../../trace/traceEvent';
import { escapeXml } from './escape';
import { layoutTrace } from '../layout/layout';
import { themes, type ThemeName } from './palette';
import { sansTextWidth } from '../layout/textWidth';

export interface TextbookViewOptions {
  readonly theme?: ThemeName;
  /** A session to point at: each step's matching command or reply, by step number. */
  readonly trace?: TraceFile;
}

const FONT_SIZE = 13;
const LINE = 18;
const PAD = 9;
const SANS = "'Segoe UI', 'Helvetica Neue', Helvetica, Arial, 'DejaVu Sans', 'Liberation Sans', sans-serif";
const MONO = "'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";

interface Column {
  readonly title: string;
  readonly width: number;
  readonly text: (row: TextbookStep, evidence: string) => string;
  readonly mono?: boolean;
}

const verdicts: Record<TextbookStep['verdict'], string> = { correct: 'correct', error: 'wrong', note: 'note' };

/** Where the session shows each step: the first command with the verb, or reply with the code (after the verb asked for). */
export function sessionEvidence(trace: TraceFile): Map<number, string> {
  const model = layoutTrace(trace.events);
  const stepOf = new Map(model.rows.map((r) => [r.seq, r.step + 1]));
  const found = new Map<number, string>();
  let lastVerb: string | undefined;
  const seen = (e: TraceEvent) => stepOf.get(e.seq);
  for (const e of trace.events) {
    const step = seen(e);
    if (e.type === 'ftp.command' && e.dir === 'sent') lastVerb = e.verb;
    for (const t of textbookSteps) {
      if (found.has(t.step) || step === undefined) continue;
      const m = t.match;
      if (m?.verb && e.type === 'ftp.command' && e.verb === m.verb) found.set(t.step, `step ${step}: ${e.line}`);
      else if (m?.code && e.type === 'ftp.reply' && e.code === m.code && (!m.after || m.after === lastVerb))
        found.set(t.step, `step ${step}: ${e.code} ${e.lines[0] ?? ''}`);
      // Step 14 is the close, which no command or reply shows: the data connection's first FIN at end of file.
      else if (!m && t.step === 14 && e.type === 'tcp.fin' && e.channel === 'data' && e.reason === 'eof')
        found.set(t.step, `step ${step}: the ${e.side} sends FIN on the data connection: end of file`);
    }
  }
  return found;
}

/** Breaks text into lines that fit `width` px (a longer word is cut, so nothing runs out of its cell). */
function wrap(text: string, width: number, measure: (t: string) => number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (measure(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    let rest = word;
    while (measure(rest) > width) {
      const chars = [...rest];
      let n = chars.length - 1;
      while (n > 1 && measure(chars.slice(0, n).join('')) > width) n--;
      lines.push(chars.slice(0, n).join(''));
      rest = chars.slice(n).join('');
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

export function paintTextbookSvg(options: TextbookViewOptions = {}): string {
  const t = themes[options.theme ?? 'light'];
  const evidence = options.trace ? sessionEvidence(options.trace) : new Map<number, string>();
  const columns: Column[] = [
    { title: 'Step', width: 52, text: (r) => String(r.step) },
    { title: 'The textbook says', width: 320, text: (r) => r.textbook },
    { title: 'Verdict', width: 84, text: (r) => verdicts[r.verdict] },
    { title: 'What RFC 959 (and its corrections) say', width: 470, text: (r) => r.rfc },
    ...(options.trace ? [{ title: 'In this session', width: 300, text: (_r: TextbookStep, e: string) => e || '—', mono: true }] : []),
  ];
  const margin = 24;
  const width = margin * 2 + columns.reduce((sum, c) => sum + c.width, 0);
  const measure = (mono: boolean | undefined) => (text: string) => (mono ? [...text].length * 0.604 * (FONT_SIZE - 1) : sansTextWidth(text, FONT_SIZE));
  const title = 'The textbook upload, step by step, beside RFC 959';
  const subtitle = options.trace
    ? `Session: ${options.trace.meta.title ?? options.trace.meta.scenario ?? 'FTP session'}`
    : 'Two steps are wrong: PORT is answered 200, and STOR is answered 150, not 250.';

  const out: string[] = [];
  const top = 104;
  let y = top;
  const headerHeight = LINE + PAD * 2;
  const body: string[] = [];
  for (const row of textbookSteps) {
    const cells = columns.map((c) => wrap(c.text(row, evidence.get(row.step) ?? ''), c.width - PAD * 2, measure(c.mono)));
    const height = Math.max(...cells.map((lines) => lines.length)) * LINE + PAD * 2;
    body.push(`<g class="row verdict-${row.verdict}" aria-label="${escapeXml(`Step ${row.step}: ${verdicts[row.verdict]}`)}">`);
    body.push(`<rect class="cell-bg" x="${margin}" y="${y}" width="${width - margin * 2}" height="${height}"/>`);
    let x = margin;
    cells.forEach((lines, i) => {
      const column = columns[i]!;
      const cls = i === 2 ? 'verdict' : column.mono ? 'mono' : 'cell';
      body.push(
        `<text class="${cls}" x="${x + PAD}" y="${y + PAD + FONT_SIZE}">` +
          lines.map((line, k) => `<tspan x="${x + PAD}" dy="${k === 0 ? 0 : LINE}">${escapeXml(line)}</tspan>`).join('') +
          `</text>`,
      );
      x += column.width;
    });
    body.push(`<line class="rule" x1="${margin}" y1="${y + height}" x2="${width - margin}" y2="${y + height}"/>`);
    body.push('</g>');
    y += height;
  }
  const height = y + 40;
  const desc = textbookSteps.map((r) => `Step ${r.step} (${verdicts[r.verdict]}): the textbook says "${r.textbook}" RFC: ${r.rfc}`).join('\n');

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="textbook-title textbook-desc" class="ftp-lab-textbook theme-${t.name}">`,
  );
  out.push(`<title id="textbook-title">${escapeXml(title)}</title>`);
  out.push(`<desc id="textbook-desc">${escapeXml(desc)}</desc>`);
  out.push(
    `<style>${[
      `.background{fill:${t.background}}`,
      `text{font-family:${SANS};font-size:${FONT_SIZE}px;fill:${t.text}}`,
      `.title{font-size:18px;font-weight:600}`,
      `.subtitle{fill:${t.muted}}`,
      `.head{font-weight:600}`,
      `.head-bg{fill:${t.laneFill}}`,
      `.cell-bg{fill:${t.background}}`,
      `.verdict-error .cell-bg{fill:${t.badgeFill}}`,
      `.verdict-error .verdict{fill:${t.error};font-weight:700}`,
      `.verdict-correct .verdict{fill:${t.data[2]}}`,
      `.verdict-note .verdict{fill:${t.muted}}`,
      `.mono{font-family:${MONO};font-size:${FONT_SIZE - 1}px}`,
      `.rule{stroke:${t.laneStroke};stroke-width:0.8}`,
    ].join('\n')}</style>`,
  );
  out.push(`<rect class="background" x="0" y="0" width="${width}" height="${height}"/>`);
  out.push(`<text class="title" x="${margin}" y="30">${escapeXml(title)}</text>`);
  out.push(`<text class="subtitle" x="${margin}" y="52">${escapeXml(subtitle)}</text>`);
  out.push(`<g class="header"><rect class="head-bg" x="${margin}" y="${top - headerHeight}" width="${width - margin * 2}" height="${headerHeight}"/>`);
  let x = margin;
  for (const c of columns) {
    out.push(`<text class="head" x="${x + PAD}" y="${top - PAD - 4}">${escapeXml(c.title)}</text>`);
    x += c.width;
  }
  out.push('</g>');
  out.push(...body);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
