// paintSvg: a standalone, accessible, safe SVG of the model; golden files for real sessions.

import { describe, expect, it } from 'vitest';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { paintSvg } from '../../../../core/diagram/painters/svgPainter';
import { fixtures } from '../fixtures';
import { expectGolden, normaliseNumbers } from '../golden';
import { TraceBuilder, textbookUpload } from '../traceBuilder';

/** A small well-formedness check: tags balance, and no raw '<' or bare '&' in text. */
function wellFormedProblems(svg: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    const text = svg.slice(last, m.index);
    if (text.includes('<')) problems.push(`raw '<' before offset ${m.index}`);
    if (/&(?!(amp|lt|gt|quot|#39);)/.test(text)) problems.push(`bare '&' before offset ${m.index}`);
    last = tag.lastIndex;
    const [, closing, name = '', , selfClosing] = m;
    if (selfClosing) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) problems.push(`</${name}> does not close the open element`);
  }
  if (svg.slice(last).trim()) problems.push('text after the root element');
  if (stack.length) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}

describe('paintSvg: golden files', () => {
  it('textbook upload (light, step axis)', async () => {
    const trace = fixtures.textbookUpload;
    await expectGolden('textbook-upload.svg', paintSvg(layoutTrace(trace.events, { title: trace.meta.title ?? '' })));
  });

  it('block reuse (light, step axis)', async () => {
    const trace = fixtures.blockReuse;
    await expectGolden('block-reuse.svg', paintSvg(layoutTrace(trace.events, { title: trace.meta.title ?? '' })));
  });

  it('download (dark, time axis)', async () => {
    const trace = fixtures.download;
    await expectGolden('download-dark-time.svg', paintSvg(layoutTrace(trace.events, { title: trace.meta.title ?? '', axis: 'time' }), { theme: 'dark' }));
  });

  it('normalising rounds geometry to one decimal place and leaves text alone', () => {
    expect(normaliseNumbers('<text x="12.349" y="-0.04">127.0.0.1 2.35 ms</text><path d="M1,2 L3.25,4"/>')).toBe(
      '<text x="12.3" y="0">127.0.0.1 2.35 ms</text><path d="M1,2 L3.3,4"/>',
    );
  });
});

describe('paintSvg: document', () => {
  const model = layoutTrace(fixtures.blockReuse.events, { title: 'Three files over one BLOCK-mode data connection' });
  const svg = paintSvg(model);

  it('is a standalone, well-formed SVG with role="img", <title>, <desc> and an inline style', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('role="img"');
    expect(svg).toMatch(/<title id="ftplab-title">Three files over one BLOCK-mode data connection<\/title>/);
    expect(svg).toMatch(/<desc id="ftplab-desc">Sequence diagram of an FTP session in \d+ steps/);
    expect(svg).toMatch(/<style>[^<]*font-family:[^;]*sans-serif[^<]*monospace/);
    expect(wellFormedProblems(svg)).toEqual([]);
  });

  it('draws every mark as a <g> with its accessible name, in model order within its layer', () => {
    const groups = [...svg.matchAll(/<g class="mark [^"]*" data-mark="([^"]+)" data-step="\d+" aria-label="([^"]+)">/g)];
    expect(groups).toHaveLength(model.marks.length);
    expect(new Set(groups.map((g) => g[1]))).toEqual(new Set(model.marks.map((m) => m.id)));
  });

  it('shows step numbers, lane titles, close badges, byte counts, EOF markers and a legend', () => {
    for (const text of [
      'Client PI · control',
      'Server DTP · data',
      '>1<',
      `>${model.steps}<`,
      'stays open: BLOCK mode, EOF marker sent',
      '581 bytes · TYPE I MODE B',
      'EOF marker 40 00 00',
      'server closed: session ended',
      'Legend',
      'data connection D1: passive mode',
    ]) {
      expect(svg, text).toContain(text);
    }
  });

  it('gives each data connection its own colour and dash', () => {
    const b = new TraceBuilder().login();
    for (const [i, conn] of ['D1', 'D2'].entries()) {
      b.command('PASV')
        .reply(227, 'Entering Passive Mode.')
        .connect('data', conn, 'client', 50010 + i, 40010 + i);
      b.command('LIST').reply(150, 'Listing.').transfer(conn, 'server', 100).streamEnd(conn, 'server').reply(226, 'Done.');
    }
    const two = paintSvg(layoutTrace(b.quit().events));
    const spans = [...two.matchAll(/<g class="mark connection"[^>]*>.*?<rect class="span"[^>]*fill="([^"]+)"[^>]*?(?:stroke-dasharray="([^"]+)")?\/>/g)];
    expect(spans.map((s) => [s[1], s[2]])).toEqual([
      ['#0072b2', undefined],
      ['#d55e00', '9 4'],
    ]);
  });

  it('dark theme: a dark background and light text', () => {
    const dark = paintSvg(model, { theme: 'dark' });
    expect(dark).toContain('.background{fill:#0d1117}');
    expect(dark).toContain('fill:#e6edf3');
    expect(wellFormedProblems(dark)).toEqual([]);
  });
});

describe('paintSvg: security', () => {
  const evil = '<img src=x onerror=alert(1)>.txt';
  const b = new TraceBuilder().login();
  b.command(`STOR ${evil}`).reply(553, `Could not create ${evil}: "quotes" & 'apostrophes'`);
  b.note('</text><script>alert(1)</script><foreignObject onload="x()"/>');
  const events = [...textbookUpload(), ...b.events.map((e, i) => ({ ...e, seq: 1000 + i, t: 1000 + i }))];
  const svg = paintSvg(layoutTrace(events, { title: `"><script>alert('title')</script>` }), { idPrefix: '"><script>' });

  it('a file name with markup appears as text', () => {
    expect(svg).toContain('STOR &lt;img src=x onerror=alert(1)&gt;.txt');
    expect(svg).toContain('&quot;quotes&quot; &amp; &#39;apostrophes&#39;');
    expect(svg).toContain('&lt;/text&gt;&lt;script&gt;');
  });

  it('contains no script, no event-handler attribute and no foreignObject', () => {
    expect(svg).not.toMatch(/<script/i);
    // Text and attribute values may say "onerror=" (it is the file's name); no element may have an on* attribute.
    const attributeNames = [...svg.matchAll(/<[A-Za-z][\w:-]*((?:\s+[\w:-]+="[^"]*")*)\s*\/?>/g)].flatMap((tag) =>
      [...(tag[1] ?? '').matchAll(/\s([\w:-]+)="/g)].map((a) => a[1] ?? ''),
    );
    expect(attributeNames.length).toBeGreaterThan(100);
    expect(attributeNames.filter((name) => /^on/i.test(name))).toEqual([]);
    expect(svg).not.toMatch(/<foreignObject/i);
    expect(svg).not.toMatch(/<img/i);
    expect(wellFormedProblems(svg)).toEqual([]);
  });
});
