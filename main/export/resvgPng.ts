// PNG through resvg alone, text included: the whole document in one picture. The reference the fast
// band renderer (pngBands.ts) is measured against, and the path for documents it refuses. Slow for long
// diagrams: resvg reads the font file again for every glyph it shapes.

import { ExportError } from './exportError';
import { findFonts } from './fonts';

/** Refused above this many pixels (4 bytes each in memory): a --range or a smaller --scale makes it fit. */
const MAX_PNG_PIXELS = 120_000_000;

export async function renderPngWithResvg(svg: string, scale: number): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  const pixels = Number(size?.[1] ?? 0) * Number(size?.[2] ?? 0) * scale * scale;
  if (pixels > MAX_PNG_PIXELS) {
    throw new ExportError(`The PNG would have ${Math.round(pixels / 1e6)} million pixels; export a --range of steps or a smaller --scale.`);
  }
  const fonts = findFonts();
  const fontFiles = [fonts.sans, fonts.sansBold, fonts.sansOblique, fonts.mono, fonts.monoBold, fonts.fallback].filter((f): f is string => f !== undefined);
  // resvg takes the first family of a font-family list even when it is not installed, so name the ones it has.
  const families = fonts.sans && fonts.mono ? { sans: "'DejaVu Sans'", mono: "'DejaVu Sans Mono'" } : undefined;
  const text = families ? svg.replace(/font-family:([^;}]*)/g, (_all, list: string) => `font-family:${/monospace/.test(list) ? families.mono : families.sans}`) : svg;
  const resvg = new Resvg(text, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      fontFiles,
      loadSystemFonts: fontFiles.length === 0,
      defaultFontFamily: families ? 'DejaVu Sans' : 'sans-serif',
      ...(families ? { sansSerifFamily: 'DejaVu Sans', monospaceFamily: 'DejaVu Sans Mono' } : {}),
    },
  });
  return resvg.render().asPng();
}

