// splitText: the text of a printable SVG taken out as positioned, styled runs (for the PNG export's glyph
// painter), and the refusals that send a document to a full SVG renderer instead.

import { describe, expect, it } from 'vitest';
import { layoutTrace } from '../../../core/diagram/layout/layout';
import { themes } from '../../../core/diagram/painters/palette';
import { printableSvg } from '../../../main/export/printableSvg';
import { paintSvg } from '../../../core/diagram/painters/svgPainter';
import { paintTextbookSvg } from '../../../core/diagram/painters/textbookView';
import { splitText, TextRunsUnsupported } from '../../../main/export/textRuns';
import { fixtures } from '../../core/diagram/fixtures';

const fonts = { sans: 'DejaVu Sans', mono: 'DejaVu Sans Mono', keepPaintOrder: true };
const doc = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">${body}</svg>`;

describe('splitText', () => {
  it('takes every <text> out of a painted diagram and keeps the rest', () => {
    const svg = printableSvg(paintSvg(layoutTrace(fixtures.textbookUpload.events)), fonts);
    const split = splitText(svg);
    expect(split.svg).not.toContain('<text');
    expect(split.svg).toContain('<line class="arrow"');
    expect(split.texts.length).toBe((svg.match(/<text[\s>]/g) ?? []).length);
    const user = split.texts.find((t) => t.chunks[0]?.runs[0]?.text === 'USER student');
    // A wire label: monospace 12 px, centred, with a background-coloured halo painted under the text.
    expect(user).toMatchObject({
      anchor: 'middle',
      fill: themes.light.text,
      strokeFirst: true,
      stroke: { colour: themes.light.background, width: 4, join: 'round' },
    });
    expect(user?.chunks[0]?.runs[0]?.font).toEqual({ family: 'DejaVu Sans Mono', size: 12, bold: false, italic: false });
    // A FIN label is bold (`.fin .label{font-weight:700}`, a descendant rule printableSvg resolved).
    expect(split.texts.some((t) => t.chunks[0]?.runs[0]?.font.bold && /FIN/.test(t.chunks[0].runs[0].text))).toBe(true);
  });

  it('reads presentation attributes, with the style attribute winning', () => {
    const { texts } = splitText(
      doc('<text x="5" y="20" fill="#ff0000" text-anchor="end" style="fill:#00ff00;font-size:10px;font-weight:bold;font-style:italic">a</text>'),
    );
    expect(texts).toEqual([
      {
        anchor: 'end',
        strokeFirst: false,
        fill: '#00ff00',
        chunks: [{ x: 5, y: 20, runs: [{ text: 'a', font: { family: 'sans-serif', size: 10, bold: true, italic: true } }] }],
      },
    ]);
  });

  it('decodes entities and collapses white space as resvg and browsers do (line breaks and tabs are spaces)', () => {
    const { texts } = splitText(doc('<text x="0" y="0">  a &lt;b&gt; &amp;&#39;&#x4E2D;\n  c\t d  </text>'));
    expect(texts[0]?.chunks[0]?.runs[0]?.text).toBe("a <b> &'中 c d");
    // A note's line break between two words keeps them apart.
    expect(splitText(doc('<text x="0" y="0">line one\nline two\r\nthree</text>')).texts[0]?.chunks[0]?.runs[0]?.text).toBe('line one line two three');
  });

  it('turns <tspan x dy> lines into chunks and a family <tspan> into a run of its own', () => {
    const { texts } = splitText(
      doc(
        '<text x="10" y="20" style="font-size:12px"><tspan x="10" dy="0">one</tspan><tspan x="10" dy="16">two <tspan-not/></tspan></text>'.replace(
          '<tspan-not/>',
          '',
        ),
      ),
    );
    expect(texts[0]?.chunks.map((c) => [c.x, c.y, c.runs.map((r) => r.text).join('')])).toEqual([
      [10, 20, 'one'],
      [10, 36, 'two'],
    ]);
    const mixed = splitText(doc('<text x="0" y="9" style="font-family:DejaVu Sans">ab<tspan style="font-family:Fallback">文件</tspan>cd</text>'));
    expect(mixed.texts[0]?.chunks[0]?.runs.map((r) => [r.text, r.font.family])).toEqual([
      ['ab', 'DejaVu Sans'],
      ['文件', 'Fallback'],
      ['cd', 'DejaVu Sans'],
    ]);
  });

  it('skips text that is empty after white space is collapsed, and text with neither fill nor stroke has no paint', () => {
    expect(splitText(doc('<text x="0" y="0">   </text>')).texts).toEqual([]);
    expect(splitText(doc('<text x="0" y="0" style="fill:none">a</text>')).texts[0]?.fill).toBeUndefined();
  });

  it('splits the textbook comparison (multi-line cells)', () => {
    const split = splitText(printableSvg(paintTextbookSvg({ trace: fixtures.textbookUpload }), fonts));
    expect(split.svg).not.toContain('<text');
    expect(split.texts.some((t) => t.chunks.length > 1)).toBe(true);
  });

  const refused: [string, string][] = [
    ['a transform', '<g transform="translate(1 2)"><text x="0" y="0">a</text></g>'],
    ['group opacity', '<g style="opacity:0.5"><text x="0" y="0">a</text></g>'],
    ['a clip path', '<g clip-path="url(#c)"><text x="0" y="0">a</text></g>'],
    ['a marker', '<line x1="0" y1="0" x2="9" y2="0" marker-end="url(#m)"/>'],
    ['xml:space', '<g xml:space="preserve"><text x="0" y="0">a  b</text></g>'],
  ];
  for (const [what, body] of refused) {
    it(`refuses a document with ${what}`, () => {
      expect(() => splitText(doc(body))).toThrow(TextRunsUnsupported);
    });
  }

  const leftIn: [string, string][] = [
    ['rotated glyphs', '<text x="0" y="0" rotate="30">a</text>'],
    ['letter spacing', '<text x="0" y="0" style="letter-spacing:2px">a</text>'],
    ['a text path', '<text><textPath href="#p">a</textPath></text>'],
    ['translucent text', '<text x="0" y="0" style="fill-opacity:0.5">a</text>'],
    ['nested tspans', '<text x="0" y="0"><tspan>a<tspan>b</tspan></tspan></text>'],
    ['right-to-left text (needs bidi)', '<text x="0" y="0">file_שלום.txt</text>'],
    ['Arabic', '<text x="0" y="0">ملف</text>'],
    ['a font size in em', '<text x="0" y="0" style="font-size:1.2em">a</text>'],
    ['a gradient fill', '<text x="0" y="0" style="fill:url(#g)">a</text>'],
  ];
  for (const [what, body] of leftIn) {
    it(`leaves text with ${what} in the SVG for the SVG renderer, and takes the rest`, () => {
      const split = splitText(doc(`${body}<text x="1" y="2">plain</text>`));
      expect(split.svg).toContain(body);
      expect(split.texts.map((t) => t.chunks[0]?.runs[0]?.text)).toEqual(['plain']);
    });
  }

  it('judges markup, not text: a file name that reads like style is just text', () => {
    const split = splitText(doc('<text x="0" y="0">opacity:0 transform="x" white-space:pre.txt</text>'));
    expect(split.texts[0]?.chunks[0]?.runs[0]?.text).toBe('opacity:0 transform="x" white-space:pre.txt');
  });
});
