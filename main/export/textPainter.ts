// Draws text into bands of RGBA pixels from a glyph cache: each glyph of a face, at a size, a quarter-pixel
// phase and a paint (fill, or a stroke of some width) is outlined by fontkit and rasterised by resvg once,
// then blended wherever it appears. resvg drawing the labels itself reads the font file again for every
// glyph it shapes (fontdb keeps only the path): 0.6 ms a label, 4 s for a 10,000-event diagram.

import { Resvg } from '@resvg/resvg-js';
import * as fontkit from 'fontkit';
import type { FontSpec, TextDraw } from './textRuns';
import { TextRunsUnsupported } from './textRuns';
import type { FontFiles } from './fonts';

/** Rows [top, top + height) of the whole picture, RGBA with premultiplied alpha (as resvg renders). */
export interface PixelBand {
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly top: number;
  readonly height: number;
}

type FaceKey = 'sans' | 'sansBold' | 'sansOblique' | 'mono' | 'monoBold' | 'fallback';

interface Outline {
  /** Path data in pixels, y down, origin at the pen position. */
  readonly d: string;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

interface Mask {
  /** Where the mask's top-left pixel sits relative to the whole-pixel pen position. */
  readonly dx: number;
  readonly dy: number;
  readonly width: number;
  readonly height: number;
  readonly alpha: Uint8Array;
  /** Per row, the first and one past the last column with any coverage: the rest is skipped. */
  readonly spans: Uint16Array;
}

interface Placement {
  readonly mask: string;
  readonly x: number;
  readonly y: number;
  readonly colour: number;
}

/** Glyph positions are kept to a quarter pixel, as most text renderers do: 16 masks per glyph at most. */
const PHASES = 4;
const ATLAS_WIDTH = 2048;

export class TextPainter {
  private readonly faces = new Map<FaceKey, fontkit.Font | null>();
  private readonly shaped = new Map<string, { glyphs: { id: number; x: number; y: number }[]; advance: number }>();
  private readonly outlines = new Map<string, Outline | null>();
  private readonly masks = new Map<string, Mask>();
  private readonly colours = new Map<string, number>();

  /**
   * `scale`: pixels per diagram unit, across and down (they differ by a hair when the picture is rounded
   * to whole pixels; glyphs are sized by the vertical one). Throws TextRunsUnsupported when there is no
   * sans font to draw with.
   */
  constructor(
    private readonly fonts: FontFiles,
    private readonly scale: { readonly x: number; readonly y: number },
  ) {
    if (!fonts.sans) throw new TextRunsUnsupported('no DejaVu Sans font found');
  }

  /** Blends the texts (in painting order) into the band; glyphs outside it are clipped. */
  paint(texts: readonly TextDraw[], band: PixelBand): void {
    const placements: Placement[] = [];
    const missing = new Map<string, { outline: Outline; phaseX: number; phaseY: number; stroke?: TextDraw['stroke'] }>();
    for (const text of texts) {
      const paints: { colour: string; stroke?: TextDraw['stroke'] }[] = [];
      if (text.fill) paints.push({ colour: text.fill });
      if (text.stroke) paints.push({ colour: text.stroke.colour, stroke: text.stroke });
      if (text.strokeFirst) paints.reverse();
      if (paints.length === 0) continue;
      for (const chunk of text.chunks) {
        const glyphs = this.placeChunk(chunk.runs, chunk.x, text.anchor);
        const y = chunk.y * this.scale.y;
        for (const paint of paints) {
          const colour = this.colour(paint.colour);
          const strokeWidth = paint.stroke ? paint.stroke.width * this.scale.y : 0;
          const reach = Math.ceil(strokeWidth * 2 + 2);
          for (const glyph of glyphs) {
            const outline = glyph.outline;
            const gy = y + glyph.y;
            // Cheap reject against the band before any mask work.
            if (gy + outline.y2 + reach < band.top || gy + outline.y1 - reach > band.top + band.height) continue;
            const px = Math.floor(glyph.x);
            const py = Math.floor(gy);
            let phaseX = Math.round((glyph.x - px) * PHASES);
            let phaseY = Math.round((gy - py) * PHASES);
            const ix = phaseX === PHASES ? px + 1 : px;
            const iy = phaseY === PHASES ? py + 1 : py;
            phaseX %= PHASES;
            phaseY %= PHASES;
            const key = `${glyph.key}/${phaseX}${phaseY}/${paint.stroke ? `s${strokeWidth}${paint.stroke.join}` : 'f'}`;
            if (!this.masks.has(key) && !missing.has(key)) {
              missing.set(key, { outline, phaseX, phaseY, ...(paint.stroke ? { stroke: { ...paint.stroke, width: strokeWidth } } : {}) });
            }
            placements.push({ mask: key, x: ix, y: iy, colour });
          }
        }
      }
    }
    if (missing.size > 0) this.rasterise(missing);
    const pixelWords = words(band);
    for (const p of placements) blend(band, pixelWords, this.masks.get(p.mask)!, p.x, p.y, p.colour);
  }

  /** The glyphs of one chunk, positioned in pixels (x absolute, y relative to the baseline), anchor applied. */
  private placeChunk(runs: TextDraw['chunks'][number]['runs'], x: number, anchor: TextDraw['anchor']) {
    const out: { key: string; outline: Outline; x: number; y: number }[] = [];
    let pen = 0;
    for (const run of runs) {
      for (const segment of this.segments(run.text, run.font)) {
        const face = this.face(segment.face)!;
        const shaped = this.shape(segment.face, face, segment.text);
        const size = run.font.size * this.scale.y;
        const unit = size / face.unitsPerEm;
        for (const g of shaped.glyphs) {
          const outlineKey = `${segment.face}/${size}/${g.id}`;
          const outline = this.outline(outlineKey, face, g.id, unit);
          if (outline) out.push({ key: outlineKey, outline, x: pen + g.x * unit, y: -g.y * unit });
        }
        pen += shaped.advance * unit;
      }
    }
    const start = x * this.scale.x - (anchor === 'middle' ? pen / 2 : anchor === 'end' ? pen : 0);
    for (const glyph of out) glyph.x += start;
    return out;
  }

  /** Splits text into runs of one face each: the style's face, or the fallback face where it lacks a glyph. */
  private segments(text: string, font: FontSpec): { face: FaceKey; text: string }[] {
    const main = this.mainFace(font);
    const mainFont = this.face(main)!;
    const fallback = this.face('fallback');
    const out: { face: FaceKey; text: string }[] = [];
    for (const ch of text) {
      const code = ch.codePointAt(0)!;
      const face: FaceKey = code > 0x7e && fallback && !mainFont.hasGlyphForCodePoint(code) && fallback.hasGlyphForCodePoint(code) ? 'fallback' : main;
      const last = out[out.length - 1];
      if (last && last.face === face) last.text += ch;
      else out.push({ face, text: ch });
    }
    return out;
  }

  private mainFace(font: FontSpec): FaceKey {
    if (/fallback/i.test(font.family) && this.face('fallback')) return 'fallback';
    const mono = /mono/i.test(font.family);
    const wanted: FaceKey = mono ? (font.bold ? 'monoBold' : 'mono') : font.bold ? 'sansBold' : font.italic ? 'sansOblique' : 'sans';
    if (this.face(wanted)) return wanted;
    if (mono && this.face('mono')) return 'mono';
    return 'sans';
  }

  private face(key: FaceKey): fontkit.Font | null {
    let face = this.faces.get(key);
    if (face === undefined) {
      const file = this.fonts[key];
      face = null;
      if (file) {
        const opened = fontkit.openSync(file);
        face = 'fonts' in opened ? (opened.fonts[0] ?? null) : opened;
      }
      this.faces.set(key, face);
    }
    return face;
  }

  private shape(key: FaceKey, face: fontkit.Font, text: string) {
    const cacheKey = `${key}\u0000${text}`;
    let shaped = this.shaped.get(cacheKey);
    if (!shaped) {
      const run = face.layout(text);
      const glyphs: { id: number; x: number; y: number }[] = [];
      let x = 0;
      run.glyphs.forEach((glyph, i) => {
        const position = run.positions[i]!;
        glyphs.push({ id: glyph.id, x: x + position.xOffset, y: position.yOffset });
        x += position.xAdvance;
      });
      shaped = { glyphs, advance: x };
      this.shaped.set(cacheKey, shaped);
    }
    return shaped;
  }

  private outline(key: string, face: fontkit.Font, id: number, unit: number): Outline | null {
    let outline = this.outlines.get(key);
    if (outline === undefined) {
      const glyph = face.getGlyph(id);
      const commands = glyph.path.commands;
      outline = null;
      if (commands.length > 0) {
        const box = glyph.path.bbox;
        const letter: Record<string, string> = { moveTo: 'M', lineTo: 'L', quadraticCurveTo: 'Q', bezierCurveTo: 'C', closePath: 'Z' };
        let d = '';
        for (const c of commands) {
          d += letter[c.command] ?? '';
          for (let i = 0; i < c.args.length; i += 2) d += `${i ? ' ' : ''}${round(c.args[i]! * unit)} ${round(-c.args[i + 1]! * unit)}`;
        }
        outline = { d, x1: box.minX * unit, y1: -box.maxY * unit, x2: box.maxX * unit, y2: -box.minY * unit };
      }
      this.outlines.set(key, outline);
    }
    return outline;
  }

  /** Rasterises the missing masks in one resvg render: an atlas of cells, white on transparent. */
  private rasterise(missing: Map<string, { outline: Outline; phaseX: number; phaseY: number; stroke?: TextDraw['stroke'] }>): void {
    const cells: { key: string; x: number; y: number; w: number; h: number; ox: number; oy: number }[] = [];
    const paths: string[] = [];
    let cx = 0;
    let cy = 0;
    let shelf = 0;
    for (const [key, m] of missing) {
      // Miter joins reach further than half the stroke; two widths covers the default miter limit of 4.
      const pad = (m.stroke ? Math.ceil(m.stroke.width * 2) : 0) + 2;
      const ox = pad - Math.floor(m.outline.x1);
      const oy = pad - Math.floor(m.outline.y1);
      const w = Math.ceil(m.outline.x2) - Math.floor(m.outline.x1) + 2 * pad + 1;
      const h = Math.ceil(m.outline.y2) - Math.floor(m.outline.y1) + 2 * pad + 1;
      if (cx + w > ATLAS_WIDTH) {
        cx = 0;
        cy += shelf;
        shelf = 0;
      }
      cells.push({ key, x: cx, y: cy, w, h, ox, oy });
      const tx = round(cx + ox + m.phaseX / PHASES);
      const ty = round(cy + oy + m.phaseY / PHASES);
      const paint = m.stroke ? `fill="none" stroke="#fff" stroke-width="${m.stroke.width}" stroke-linejoin="${m.stroke.join}"` : 'fill="#fff"';
      paths.push(`<path transform="translate(${tx} ${ty})" ${paint} d="${m.outline.d}"/>`);
      cx += w;
      shelf = Math.max(shelf, h);
    }
    const height = cy + shelf;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${ATLAS_WIDTH}" height="${height}">${paths.join('')}</svg>`;
    const image = new Resvg(svg, { font: { loadSystemFonts: false } }).render();
    const pixels = image.pixels;
    for (const cell of cells) {
      const alpha = new Uint8Array(cell.w * cell.h);
      const spans = new Uint16Array(cell.h * 2);
      for (let row = 0; row < cell.h; row++) {
        const from = ((cell.y + row) * ATLAS_WIDTH + cell.x) * 4 + 3;
        let first = cell.w;
        let end = 0;
        for (let col = 0; col < cell.w; col++) {
          const a = pixels[from + col * 4]!;
          alpha[row * cell.w + col] = a;
          if (a !== 0) {
            if (first === cell.w) first = col;
            end = col + 1;
          }
        }
        spans[row * 2] = Math.min(first, end);
        spans[row * 2 + 1] = end;
      }
      this.masks.set(cell.key, { dx: -cell.ox, dy: -cell.oy, width: cell.w, height: cell.h, alpha, spans });
    }
  }

  /** A CSS colour as 0xRRGGBB. */
  private colour(css: string): number {
    let value = this.colours.get(css);
    if (value === undefined) {
      value = parseColour(css);
      this.colours.set(css, value);
    }
    return value;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

const NAMED_COLOURS: Record<string, number> = {
  black: 0x000000,
  white: 0xffffff,
  red: 0xff0000,
  green: 0x008000,
  blue: 0x0000ff,
  gray: 0x808080,
  grey: 0x808080,
};

function parseColour(css: string): number {
  const v = css.trim().toLowerCase();
  let m = /^#([0-9a-f]{6})$/.exec(v);
  if (m) return parseInt(m[1]!, 16);
  m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(v);
  if (m) return parseInt(m[1]! + m[1]! + m[2]! + m[2]! + m[3]! + m[3]!, 16);
  m = /^rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(v);
  if (m) return (Number(m[1]) << 16) | (Number(m[2]) << 8) | Number(m[3]);
  const named = NAMED_COLOURS[v];
  if (named !== undefined) return named;
  throw new TextRunsUnsupported(`colour ${css}`);
}

/** The pixels as 32-bit words (one per pixel), copied once if the buffer is not 4-byte aligned. */
function words(band: PixelBand): Uint32Array {
  const px = band.pixels;
  if (px.byteOffset % 4 === 0) return new Uint32Array(px.buffer, px.byteOffset, band.width * band.height);
  throw new RangeError('pixel buffer is not 4-byte aligned');
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Source-over of an opaque colour through a coverage mask, onto premultiplied RGBA. */
function blend(band: PixelBand, pixelWords: Uint32Array, mask: Mask, x: number, y: number, colour: number): void {
  const r = (colour >> 16) & 0xff;
  const g = (colour >> 8) & 0xff;
  const b = colour & 0xff;
  // The colour as the word an opaque pixel of it is in memory (bytes R, G, B, A).
  const solid = littleEndian ? ((0xff << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 0xff) >>> 0;
  const left = x + mask.dx;
  const top = y + mask.dy - band.top;
  const rowFrom = Math.max(0, -top);
  const rowTo = Math.min(mask.height, band.height - top);
  const colFrom = Math.max(0, -left);
  const colTo = Math.min(mask.width, band.width - left);
  const px = band.pixels;
  const alpha = mask.alpha;
  const spans = mask.spans;
  for (let row = rowFrom; row < rowTo; row++) {
    const from = Math.max(colFrom, spans[row * 2]!);
    const to = Math.min(colTo, spans[row * 2 + 1]!);
    let m = row * mask.width + from;
    let w = (top + row) * band.width + left + from;
    for (let col = from; col < to; col++, m++, w++) {
      const a = alpha[m]!;
      // Nothing to draw, or already this colour (a halo over the background it matches): most of a mask.
      if (a === 0 || pixelWords[w] === solid) continue;
      if (a === 255) {
        pixelWords[w] = solid;
        continue;
      }
      const i = w * 4;
      const keep = 255 - a;
      px[i] = (r * a + px[i]! * keep + 127) / 255;
      px[i + 1] = (g * a + px[i + 1]! * keep + 127) / 255;
      px[i + 2] = (b * a + px[i + 2]! * keep + 127) / 255;
      px[i + 3] = (255 * a + px[i + 3]! * keep + 127) / 255;
    }
  }
}
