// PNG through resvg alone, text included: the whole document in one picture. The reference the fast
// band renderer (renderPng.ts) is measured against, and the path for documents it refuses. Slow for long
// diagrams: resvg reads the font file again for every glyph it shapes.

import { ExportError } from './exportError';
import { findFonts } from './fonts';
import { svgSize } from './svgSize';

/** Refused above this many pixels (4 bytes each in memory): a --range or a smaller --scale makes it fit. */
const MAX_PNG_PIXELS = 120_000_000;

export async function renderPngWithResvg(svg: string, scale: number): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const size = svgSize(svg);
  const pixels = (size?.width ?? 0) * (size?.height ?? 0) * scale * scale;
  if (pixels > MAX_PNG_PIXELS) {
    throw new ExportError(`The PNG would have ${Math.round(pixels / 1e6)} million pixels; export a --range of steps or a smaller --scale.`);
  }
  const text = withResvgFamilies(svg);
  const background = backgroundOf(svg);
  const resvg = new Resvg(text, { fitTo: { mode: 'zoom', value: scale }, font: resvgFontOptions(), ...(background ? { background } : {}) });
  return resvg.render().asPng();
}

/** The fonts resvg draws text with: the DejaVu faces and the fallback font where found, else the system's. */
export function resvgFontOptions() {
  const fonts = findFonts();
  const fontFiles = [fonts.sans, fonts.sansBold, fonts.sansOblique, fonts.mono, fonts.monoBold, fonts.fallback].filter((f): f is string => f !== undefined);
  const named = fonts.sans !== undefined && fonts.mono !== undefined;
  return {
    fontFiles,
    loadSystemFonts: fontFiles.length === 0,
    defaultFontFamily: named ? 'DejaVu Sans' : 'sans-serif',
    ...(named ? { sansSerifFamily: 'DejaVu Sans', monospaceFamily: 'DejaVu Sans Mono' } : {}),
  };
}

/** resvg takes the first family of a font-family list even when it is not installed, so name the ones it has. */
function withResvgFamilies(svg: string): string {
  const fonts = findFonts();
  if (!fonts.sans || !fonts.mono) return svg;
  return svg.replace(/font-family:([^;}]*)/g, (_all, list: string) => `font-family:${/monospace/.test(list) ? "'DejaVu Sans Mono'" : "'DejaVu Sans'"}`);
}

/**
 * The picture's background colour (its rect.background, from the style sheet or inline), to fill the
 * canvas with: a canvas rounded up to whole pixels is otherwise transparent past the picture's edge.
 */
export function backgroundOf(svg: string): string | undefined {
  return (/<rect class="background"[^>]*\sstyle="[^"]*fill:([^;"]+)/.exec(svg) ?? /\.background\{fill:([^;}]+)/.exec(svg))?.[1]?.trim();
}
