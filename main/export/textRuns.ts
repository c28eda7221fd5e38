// Takes the text out of a printable SVG (printableSvg's output: every style inline): the SVG without its
// <text> elements, and each text as positioned, styled runs, for a renderer that draws the text itself
// from a glyph cache (the PNG export). A text it cannot place exactly stays in the SVG for the SVG
// renderer; markup that changes how everything is drawn is refused, and the caller renders the whole
// document the slow way.

export type TextAnchor = 'start' | 'middle' | 'end';

export interface FontSpec {
  /** The font-family as printableSvg wrote it: one family name. */
  readonly family: string;
  /** CSS px. */
  readonly size: number;
  readonly bold: boolean;
  readonly italic: boolean;
}

export interface TextRun {
  readonly text: string;
  readonly font: FontSpec;
}

/** A piece of text that starts at an absolute position: the text element's own, or a <tspan> with x or y. */
export interface TextChunk {
  readonly x: number;
  readonly y: number;
  readonly runs: readonly TextRun[];
}

export interface TextDraw {
  readonly anchor: TextAnchor;
  /** CSS colours; undefined for none. */
  readonly fill?: string;
  readonly stroke?: { readonly colour: string; readonly width: number; readonly join: 'miter' | 'round' | 'bevel' };
  /** paint-order: stroke (a halo under the text); otherwise fill first, then stroke. */
  readonly strokeFirst: boolean;
  readonly chunks: readonly TextChunk[];
}

export interface SplitText {
  /** The document with the texts taken out (any left in are for the SVG renderer to draw). */
  readonly svg: string;
  /** In document order, which is painting order. */
  readonly texts: readonly TextDraw[];
}

/** The document uses something that moves or blends text in ways TextDraw cannot say. */
export class TextRunsUnsupported extends Error {
  override readonly name = 'TextRunsUnsupported';
}

/**
 * Features of the markup (tags and attributes, not text) that move or blend everything under them,
 * text included, or make resvg isolate a layer: such a document is refused whole.
 */
const DOCUMENT_LEVEL = [
  /\stransform="/,
  /[\s;"]opacity[:=]/,
  /\s(filter|clip-path|mask)="/,
  /[;"](filter|clip-path|mask):/,
  // Markers make resvg isolate a layer, and a layer far outside a band's canvas makes it panic.
  /<marker|\smarker-(start|mid|end)="|[;"]marker(-start|-mid|-end)?:/,
  /\sxml:space="/,
  /white-space\s*[:=]/,
];

/** What a single <text> may use that TextDraw cannot say: that text is left in the SVG for resvg to draw. */
const TEXT_LEVEL = [
  /<textPath/,
  /\s(rotate|textLength|lengthAdjust|dx)="/,
  /(letter-spacing|word-spacing|dominant-baseline|alignment-baseline|baseline-shift|writing-mode|text-decoration|font-variant|font-stretch)\s*[:=]/,
  /<tspan[^>]*>[^<]*<tspan/,
];

/** Right-to-left scripts need the bidirectional algorithm, which a glyph-by-glyph painter does not run. */
const RIGHT_TO_LEFT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]|\uD802[\uDC00-\uDFFF]|\uD803[\uDC00-\uDE7F]|\uD83A[\uDD00-\uDDFF]|\uD83B[\uDC00-\uDEFF]/;

const TEXT = /<text(\s[^>]*)?>([\s\S]*?)<\/text>/g;
const TSPAN = /<tspan(\s[^>]*)?>([^<]*)<\/tspan>/g;

/**
 * The SVG without the text this module can place, and that text as draws. A <text> it cannot place
 * exactly (right-to-left, rotated, on a path ...) stays in the SVG, for the SVG renderer. Throws
 * TextRunsUnsupported for documents whose markup changes how everything is drawn.
 */
export function splitText(svg: string): SplitText {
  // Only the markup counts here: a file name that reads "opacity:" is text, not style.
  const markup = svg.replace(/>[^<]*</g, '><');
  for (const pattern of DOCUMENT_LEVEL) {
    if (pattern.test(markup)) throw new TextRunsUnsupported(`the SVG uses ${pattern.source}`);
  }
  const texts: TextDraw[] = [];
  const rest = svg.replace(TEXT, (all, attrText: string | undefined, body: string) => {
    const ownMarkup = all.replace(/>[^<]*</g, '><');
    if (TEXT_LEVEL.some((pattern) => pattern.test(ownMarkup)) || RIGHT_TO_LEFT.test(body)) return all;
    try {
      const draw = textDraw(attributes(attrText ?? ''), body);
      if (draw) texts.push(draw);
      return '';
    } catch (error) {
      if (error instanceof TextRunsUnsupported) return all;
      throw error;
    }
  });
  return { svg: rest, texts };
}

function textDraw(attrs: Map<string, string>, body: string): TextDraw | undefined {
  const style = properties(attrs);
  if (style.has('fill-opacity') || style.has('stroke-opacity')) throw new TextRunsUnsupported('translucent text');
  const font = fontOf(style, undefined);
  const anchor = (style.get('text-anchor') ?? 'start') as TextAnchor;
  if (anchor !== 'start' && anchor !== 'middle' && anchor !== 'end') throw new TextRunsUnsupported(`text-anchor ${String(anchor)}`);
  const x = coordinate(attrs.get('x'));
  const y = coordinate(attrs.get('y'));

  // Pieces in order: [text, tspan attributes or undefined for the text element's own content].
  const pieces: { text: string; attrs?: Map<string, string> }[] = [];
  let last = 0;
  TSPAN.lastIndex = 0;
  for (let m = TSPAN.exec(body); m; m = TSPAN.exec(body)) {
    if (m.index > last) pieces.push({ text: body.slice(last, m.index) });
    pieces.push({ text: m[2] ?? '', attrs: attributes(m[1] ?? '') });
    last = TSPAN.lastIndex;
  }
  if (last < body.length) pieces.push({ text: body.slice(last) });
  if (pieces.some((p) => p.text.includes('<'))) throw new TextRunsUnsupported('markup inside <text> other than flat <tspan>s');

  const chunks: { x: number; y: number; runs: TextRun[] }[] = [];
  let current = { x, y, runs: [] as TextRun[] };
  chunks.push(current);
  for (const piece of pieces) {
    const text = decodeEntities(piece.text);
    if (piece.attrs) {
      const tx = piece.attrs.get('x');
      const ty = piece.attrs.get('y');
      const dy = piece.attrs.get('dy');
      if (tx !== undefined || ty !== undefined || dy !== undefined) {
        const nextY = (ty !== undefined ? coordinate(ty) : current.y) + (dy !== undefined ? coordinate(dy) : 0);
        if (tx === undefined && current.runs.length > 0) throw new TextRunsUnsupported('a <tspan> that moves only vertically within a line');
        current = { x: tx !== undefined ? coordinate(tx) : current.x, y: nextY, runs: [] };
        chunks.push(current);
      }
      current.runs.push({ text, font: fontOf(properties(piece.attrs), font) });
    } else {
      current.runs.push({ text, font });
    }
  }
  collapseWhitespace(chunks);
  const visible = chunks.filter((c) => c.runs.some((r) => r.text.length > 0));
  if (visible.length === 0) return undefined;

  const fill = paint(style.get('fill') ?? attrs.get('fill') ?? '#000');
  const strokeColour = paint(style.get('stroke') ?? attrs.get('stroke') ?? 'none');
  const strokeWidth = parseFloat(style.get('stroke-width') ?? attrs.get('stroke-width') ?? '1');
  const join = (style.get('stroke-linejoin') ?? 'miter') as 'miter' | 'round' | 'bevel';
  const order = (style.get('paint-order') ?? 'normal').trim().split(/\s+/);
  const strokeFirst = order[0] === 'stroke' || (order[0] === 'markers' && order[1] === 'stroke');
  return {
    anchor,
    strokeFirst,
    ...(fill ? { fill } : {}),
    ...(strokeColour && strokeWidth > 0 ? { stroke: { colour: strokeColour, width: strokeWidth, join } } : {}),
    chunks: visible.map((c) => ({ x: c.x, y: c.y, runs: c.runs.filter((r) => r.text.length > 0) })),
  };
}

/**
 * SVG's white-space handling as resvg and browsers do it (CSS white-space: normal): line breaks and tabs
 * become spaces, runs of spaces collapse to one, the text's leading and trailing spaces go.
 */
function collapseWhitespace(chunks: { runs: TextRun[] }[]): void {
  let previousSpace = true;
  const all: TextRun[][] = chunks.map((c) => c.runs);
  for (const runs of all) {
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      let out = '';
      for (const ch of run.text.replace(/\r\n|[\r\n\t]/g, ' ')) {
        if (ch === ' ') {
          if (previousSpace) continue;
          previousSpace = true;
        } else previousSpace = false;
        out += ch;
      }
      runs[i] = { text: out, font: run.font };
    }
  }
  // The trailing space of the whole text.
  for (let c = all.length - 1; c >= 0; c--) {
    const runs = all[c]!;
    for (let i = runs.length - 1; i >= 0; i--) {
      const run = runs[i]!;
      if (run.text.length === 0) continue;
      runs[i] = { text: run.text.replace(/ $/, ''), font: run.font };
      return;
    }
  }
}

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/([\w:-]+)="([^"]*)"/g)) out.set(m[1]!, decodeEntities(m[2]!));
  return out;
}

/** Presentation attributes, overridden by the style attribute (CSS beats presentation attributes). */
function properties(attrs: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of [
    'font-family',
    'font-size',
    'font-weight',
    'font-style',
    'text-anchor',
    'fill',
    'stroke',
    'stroke-width',
    'stroke-linejoin',
    'fill-opacity',
    'stroke-opacity',
    'paint-order',
  ]) {
    const value = attrs.get(name);
    if (value !== undefined) out.set(name, value);
  }
  for (const declaration of (attrs.get('style') ?? '').split(';')) {
    const colon = declaration.indexOf(':');
    if (colon > 0) out.set(declaration.slice(0, colon).trim(), declaration.slice(colon + 1).trim());
  }
  return out;
}

function fontOf(style: Map<string, string>, inherited: FontSpec | undefined): FontSpec {
  const family = (style.get('font-family') ?? inherited?.family ?? 'sans-serif')
    .split(',')[0]!
    .trim()
    .replace(/^['"]|['"]$/g, '');
  const sizeText = style.get('font-size');
  const size = sizeText !== undefined ? parseFloat(sizeText) : (inherited?.size ?? 12);
  if (sizeText !== undefined && !/^[\d.]+(px)?$/.test(sizeText.trim())) throw new TextRunsUnsupported(`font-size ${sizeText}`);
  const weight = style.get('font-weight');
  const bold = weight !== undefined ? weight === 'bold' || weight === 'bolder' || Number(weight) >= 600 : (inherited?.bold ?? false);
  const fontStyle = style.get('font-style');
  const italic = fontStyle !== undefined ? fontStyle === 'italic' || fontStyle === 'oblique' : (inherited?.italic ?? false);
  return { family, size, bold, italic };
}

function coordinate(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\s*-?[\d.]+(e-?\d+)?\s*$/i.test(value)) throw new TextRunsUnsupported(`coordinate "${value}"`);
  return Number(value);
}

function paint(value: string): string | undefined {
  const v = value.trim();
  if (v === 'none' || v === 'transparent') return undefined;
  if (/^url\(/.test(v)) throw new TextRunsUnsupported(`paint ${v}`);
  return v;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (all, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return NAMED[name] ?? all;
  });
}
