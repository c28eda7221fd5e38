// PNG export: the picture is painted and rendered band by band (resvg draws the shapes of each band on
// the thread pool, two at a time), the text is blended in from a glyph cache (textPainter.ts), and the
// rows are compressed as they come (pngWriter.ts). Memory stays a few bands, whatever the trace's length.
// A document the text split cannot place exactly goes to resvg whole instead (resvgPng.ts).

import { availableParallelism } from 'node:os';
import { printableSvg } from './printableSvg';
import { splitText, TextRunsUnsupported } from './textRuns';
import { ExportError } from './exportError';
import { findFonts } from './fonts';
import { PNG_MAX_DIMENSION, PngWriter } from './pngWriter';
import { backgroundOf, renderPngWithResvg, resvgFontOptions } from './resvgPng';
import { TextPainter } from './textPainter';

/** A picture that can be painted a band at a time. */
export interface PngSource {
  /** In diagram units (CSS px). */
  readonly width: number;
  readonly height: number;
  /** The SVG of the picture, or only what reaches into [top, bottom] when a window is given (more is fine). */
  paint(window?: { readonly top: number; readonly bottom: number }): string;
}

/** Refused above this many pixels; at about 15 million pixels a second that is two minutes. */
const MAX_PNG_PIXELS = 2_000_000_000;
/** Pixels per band: big enough that per-band work is small, small enough that two bands run at once in little memory. */
const BAND_PIXELS = 4_000_000;
/** Painted windows reach this far past their band (diagram units), so text and strokes crossing an edge are drawn. */
const WINDOW_MARGIN = 40;
/**
 * Pixel rows rendered past each edge of a band and dropped: resvg antialiases a shape cut by the canvas
 * edge a little differently near it (up to about 20 rows at --scale 3), which would show as a faint seam.
 */
const OVERDRAW = 32;

export async function renderPng(source: PngSource, scale: number, tuning: { readonly bandPixels?: number } = {}): Promise<Uint8Array> {
  // Whole pixels as resvg counts them (rounded), so both paths give the same size.
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  if (width * height > MAX_PNG_PIXELS || width > PNG_MAX_DIMENSION || height > PNG_MAX_DIMENSION) {
    throw new ExportError(`The PNG would have ${Math.round((width * height) / 1e6)} million pixels; export a --range of steps or a smaller --scale.`);
  }
  try {
    return await renderBands(source, width, height, tuning.bandPixels ?? BAND_PIXELS);
  } catch (error) {
    if (error instanceof TextRunsUnsupported) return renderPngWithResvg(source.paint(), scale);
    throw error;
  }
}

interface Band {
  readonly top: number;
  readonly rows: number;
  /** Extra rows rendered above the band (OVERDRAW, fewer at the top of the picture). */
  readonly above: number;
  readonly texts: ReturnType<typeof splitText>['texts'];
  readonly pixels: Promise<Uint8Array>;
}

async function renderBands(source: PngSource, width: number, height: number, bandPixels: number): Promise<Uint8Array> {
  const { renderAsync } = await import('@resvg/resvg-js');
  // As resvg maps a picture onto its rounded canvas: the whole width onto the whole width, and so down.
  const sx = width / source.width;
  const sy = height / source.height;
  const text = new TextPainter(findFonts(), { x: sx, y: sy });
  const bandRows = Math.max(16, Math.min(height, Math.floor(bandPixels / width)));
  const bandCount = Math.ceil(height / bandRows);
  const inFlight = Math.max(2, Math.min(4, availableParallelism()));
  const writer = new PngWriter(width, height);

  const start = (index: number): Band => {
    const top = index * bandRows;
    const rows = Math.min(bandRows, height - top);
    const above = Math.min(OVERDRAW, top);
    const below = Math.min(OVERDRAW, height - top - rows);
    const canvasTop = top - above;
    const canvasRows = rows + above + below;
    const svg = source.paint({ top: canvasTop / sy - WINDOW_MARGIN, bottom: (canvasTop + canvasRows) / sy + WINDOW_MARGIN });
    const split = splitText(printableSvg(svg, { sans: 'DejaVu Sans', mono: 'DejaVu Sans Mono', keepPaintOrder: true }));
    // The band's own canvas: exactly its pixel rows. The viewBox is in pixels (whole numbers, so every
    // band rasterises its edges alike) and the picture is scaled into it.
    const band = split.svg
      .replace(
        /<svg\b[^>]*>/,
        (root) =>
          root
            .replace(/\s(width|height|viewBox|preserveAspectRatio)="[^"]*"/g, '')
            .replace(/^<svg/, `<svg width="${width}" height="${canvasRows}" viewBox="0 ${canvasTop} ${width} ${canvasRows}"`) +
          `<g transform="scale(${sx} ${sy})">`,
      )
      .replace(/<\/svg>\s*$/, '</g></svg>');
    const background = backgroundOf(band);
    // Text the glyph painter cannot place (right-to-left, say) was left in the band: resvg draws it.
    const font = /<text[\s>]/.test(band) ? resvgFontOptions() : { loadSystemFonts: false };
    const pixels = renderAsync(band, { font, logLevel: 'off', ...(background ? { background } : {}) }).then((image) => image.pixels);
    // A failed band is reported where it is awaited; until then it must not count as unhandled.
    pixels.catch(() => undefined);
    return { top, rows, above, texts: split.texts, pixels };
  };

  const queue: Band[] = [];
  let next = 0;
  try {
    while (next < Math.min(inFlight, bandCount)) queue.push(start(next++));
    while (queue.length > 0) {
      const band = queue.shift()!;
      const rendered = await band.pixels;
      if (next < bandCount) queue.push(start(next++));
      const own = rendered.subarray(band.above * width * 4, (band.above + band.rows) * width * 4);
      // Text is blended a pixel (32 bits) at a time: that needs 4-byte alignment (row starts are).
      const pixels = own.byteOffset % 4 === 0 ? own : new Uint8Array(own);
      text.paint(band.texts, { pixels, width, top: band.top, height: band.rows });
      await writer.addRows(pixels, band.rows);
    }
    return await writer.finish();
  } catch (error) {
    writer.abort();
    throw error;
  }
}
