// The band renderer (shapes by resvg a band at a time, text from a glyph cache) against the reference: resvg
// drawing the whole SVG, text included. Same picture within antialiasing, no seams between bands, and the
// documents it cannot draw exactly go to the reference whole.

import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { layoutTrace } from '../../../core/diagram/layout/layout';
import { paintSvg } from '../../../core/diagram/painters/svgPainter';
import type { TraceFile } from '../../../core/trace/traceEvent';
import { renderExport } from '../../../main/export/exportFormats';
import { ExportError } from '../../../main/export/exportError';
import { renderPng, type PngSource } from '../../../main/export/renderPng';
import { renderPngWithResvg } from '../../../main/export/resvgPng';
import { fixtures } from '../../core/diagram/fixtures';
import { hostileEvents, HOSTILE_TITLE } from '../../core/diagram/hostileTrace';

interface Difference {
  /** Share of pixels with a channel off by more than 48 of 255 (a visible change, not antialiasing). */
  readonly visible: number;
  /** Mean of each pixel's largest channel difference. */
  readonly mean: number;
}

function difference(actual: Uint8Array, expected: Uint8Array): Difference {
  const a = PNG.sync.read(Buffer.from(actual));
  const b = PNG.sync.read(Buffer.from(expected));
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let visible = 0;
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    let worst = 0;
    for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(a.data[i + c]! - b.data[i + c]!));
    sum += worst;
    if (worst > 48) visible++;
  }
  const n = a.width * a.height;
  return { visible: visible / n, mean: sum / n };
}

const hostile: TraceFile = { ...fixtures.download, meta: { ...fixtures.download.meta, title: HOSTILE_TITLE }, events: hostileEvents() };
const cases: [string, TraceFile, Parameters<typeof renderExport>[2], { visible: number; mean: number }?][] = [
  ['textbook upload', fixtures.textbookUpload, {}],
  ['block reuse, dark, notes', fixtures.blockReuse, { theme: 'dark', notes: true }],
  ['download, --scale 2', fixtures.download, { scale: 2 }],
  ['download, --scale 0.5', fixtures.download, { scale: 0.5 }],
  ['download, --scale 0.7 (not a whole number of pixels wide)', fixtures.download, { scale: 0.7 }],
  // Text 3–4 px high: a quarter pixel of glyph placement is a visible shade on more of the picture.
  ['the textbook comparison, --scale 0.3', fixtures.textbookUpload, { textbook: true, scale: 0.3 }, { visible: 0.015, mean: 3 }],
  ['serve + curl, steps 5..30', fixtures.serveCurl, { range: { from: 5, to: 30 } }],
  ['the textbook comparison', fixtures.clientVsftpd, { textbook: true }],
  ['hostile names, CJK, emoji, control characters', hostile, { notes: true }],
];

describe('PNG: the band renderer draws what resvg draws from the whole SVG', () => {
  for (const [name, trace, options, tolerance = { visible: 0.006, mean: 1 }] of cases) {
    it(name, async () => {
      const fast = (await renderExport(trace, 'png', options)) as Uint8Array;
      const reference = await renderPngWithResvg(String(await renderExport(trace, 'svg', options)), options?.scale ?? 1);
      const d = difference(fast, reference);
      // Opaque to the last row and column: a canvas rounded up is filled with the picture's background.
      const picture = PNG.sync.read(Buffer.from(fast));
      const lastColumn = Array.from({ length: picture.height }, (_, y) => picture.data[(y * picture.width + picture.width - 1) * 4 + 3]!);
      const lastRow = Array.from({ length: picture.width }, (_, x) => picture.data[((picture.height - 1) * picture.width + x) * 4 + 3]!);
      expect(Math.min(...lastColumn, ...lastRow)).toBe(255);
      // Measured: 0.06–0.45 % visible, mean 0.1–0.7 (glyphs placed to a quarter pixel; per-glyph halos).
      expect(d.visible, `visible differences ${(d.visible * 100).toFixed(3)} %`).toBeLessThan(tolerance.visible);
      expect(d.mean).toBeLessThan(tolerance.mean);
    });
  }

  it('the measure sees a picture without its text as different', async () => {
    const model = layoutTrace(fixtures.textbookUpload.events);
    const source: PngSource = { width: model.width, height: model.height, paint: () => paintSvg(model).replace(/<text[\s\S]*?<\/text>/g, '') };
    const reference = await renderPngWithResvg(paintSvg(model), 1);
    // Without its (untouched) text the picture is not the reference.
    const d = difference(await renderPng(source, 1), reference);
    expect(d.visible).toBeGreaterThan(0.01);
  });
});

describe('PNG bands', () => {
  for (const scale of [1, 1.5, 0.7, 3]) {
    it(`join without seams at --scale ${scale}: 23-row bands give the same pixels as one band`, async () => {
      const model = layoutTrace(fixtures.blockReuse.events);
      const source: PngSource = { width: model.width, height: model.height, paint: (window) => paintSvg(model, window ? { window } : {}) };
      const one = PNG.sync.read(Buffer.from(await renderPng(source, scale, { bandPixels: 1e9 })));
      const many = PNG.sync.read(Buffer.from(await renderPng(source, scale, { bandPixels: Math.round(model.width * scale) * 23 })));
      expect([many.width, many.height]).toEqual([one.width, one.height]);
      // Each band is rendered 32 rows taller at both ends and cropped, in whole-pixel coordinates, so
      // no edge is antialiased differently: at most a rounding step apart (measured: 0 at 1 and 1.5), but for
      // a glyph's edge here and there (measured at 3: one pixel of a 12 px badge's last letter, 16 of 255).
      let worst = 0;
      let off = 0;
      for (let i = 0; i < one.data.length; i++) {
        const d = Math.abs(one.data[i]! - many.data[i]!);
        worst = Math.max(worst, d);
        if (d > 4) off += 1;
      }
      expect(off).toBeLessThanOrEqual(8);
      expect(worst).toBeLessThanOrEqual(32);
    });
  }

  it('a right-to-left file name is drawn by resvg inside its band; the rest of the text by the glyph painter', async () => {
    const trace: TraceFile = { ...fixtures.download, meta: { ...fixtures.download.meta, title: 'קובץ report.txt' } };
    const fast = (await renderExport(trace, 'png', {})) as Uint8Array;
    const reference = await renderPngWithResvg(String(await renderExport(trace, 'svg', {})), 1);
    expect(difference(fast, reference).visible).toBeLessThan(0.006);
  });

  it('a painter window paints only the marks that reach into it', () => {
    const model = layoutTrace(fixtures.blockReuse.events);
    const whole = paintSvg(model);
    const band = paintSvg(model, { window: { top: 600, bottom: 700 } });
    expect((band.match(/<g class="mark /g) ?? []).length).toBeLessThan((whole.match(/<g class="mark /g) ?? []).length / 3);
    expect(band).toMatch(/viewBox="0 600 \d+ 100"/);
    expect(band).not.toContain('<desc');
  });

  it('a document the text split cannot place goes to resvg whole, and comes out the same', async () => {
    const model = layoutTrace(fixtures.download.events);
    const svg = paintSvg(model).replace('<g class="rows">', '<g class="rows" transform="translate(0 0)">');
    const source: PngSource = { width: model.width, height: model.height, paint: () => svg };
    expect(Buffer.compare(Buffer.from(await renderPng(source, 1)), Buffer.from(await renderPngWithResvg(svg, 1)))).toBe(0);
  });

  it('refuses a picture of more than 2,000 million pixels with a plain sentence', async () => {
    const source: PngSource = { width: 1000, height: 3_000_000, paint: () => '' };
    await expect(renderPng(source, 1)).rejects.toThrow(ExportError);
    await expect(renderPng(source, 1)).rejects.toThrow(
      /^The PNG would have 3000 million pixels \(.*\), more than the 2000 million allowed: export a range of steps or at a smaller scale\.$/,
    );
  });
});
