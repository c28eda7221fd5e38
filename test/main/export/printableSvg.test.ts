// printableSvg: our SVG with its style sheet resolved onto each element, for renderers that read only simple
// selectors and no paint-order (svg-to-pdfkit, which makes the PDF export).

import { describe, expect, it } from 'vitest';
import { layoutTrace } from '../../../core/diagram/layout/layout';
import { printableSvg } from '../../../main/export/printableSvg';
import { paintSvg } from '../../../core/diagram/painters/svgPainter';
import { fixtures } from '../../core/diagram/fixtures';

const options = { sans: 'DejaVu Sans', mono: 'DejaVu Sans Mono', fallback: { family: 'Fallback', covers: (c: number) => c < 0x2000 } };

describe('printableSvg', () => {
  const svg = paintSvg(layoutTrace(fixtures.textbookUpload.events, { title: 'Größe_文件 <upload>' }));
  const out = printableSvg(svg, options);

  it('drops the style sheet and resolves descendant selectors onto the elements', () => {
    expect(out).not.toContain('<style>');
    // `.message .arrow{stroke:…}`: a command arrow gets the control colour.
    expect(out).toMatch(/<g class="mark message command"[^>]*><title>[^<]*<\/title><line class="arrow"[^>]*style="[^"]*stroke:#24292f/);
    // `.reply .arrow{stroke-dasharray:7 4}` only on replies.
    expect(out).toMatch(/<g class="mark message reply"[^>]*><title>[^<]*<\/title><line class="arrow"[^>]*style="[^"]*stroke-dasharray:7 4/);
  });

  it('turns a text halo (paint-order: stroke) into a stroked copy under the plain text', () => {
    const label = /<text class="label"[^>]*style="([^"]*)">USER student<\/text><text class="label"[^>]*style="([^"]*)">USER student<\/text>/.exec(out);
    expect(label?.[1]).toMatch(/stroke:#ffffff;stroke-width:4px/);
    expect(label?.[2]).toMatch(/stroke:none/);
    expect(out).not.toContain('paint-order');
  });

  it('names the fonts the renderer has, and puts characters the main font lacks in a fallback tspan', () => {
    expect(out).toMatch(/<text class="label"[^>]*font-family:DejaVu Sans Mono/);
    expect(out).toMatch(/<text class="title"[^>]*font-family:DejaVu Sans[;"]/);
    expect(out).toContain('Größe_<tspan style="font-family:Fallback">文件</tspan> &lt;upload&gt;');
  });

  it('keeps every element of the original, plus one text per halo', () => {
    const count = (text: string) => {
      const tags = new Map<string, number>();
      for (const tag of text.match(/<(?!\/)[a-z]+/g) ?? []) if (tag !== '<style' && tag !== '<tspan') tags.set(tag, (tags.get(tag) ?? 0) + 1);
      return tags;
    };
    const halos = (out.match(/stroke:none/g) ?? []).length;
    const before = count(svg);
    before.set('<text', (before.get('<text') ?? 0) + halos);
    expect(count(out)).toEqual(before);
  });
});
