// Rewrites one of our painted SVGs for renderers that know less CSS than a browser (svg-to-pdfkit reads
// neither descendant selectors nor paint-order): the <style> sheet becomes a style attribute on each
// element, text halos (paint-order: stroke) become a stroked copy under the text, font lists become the
// fonts the renderer has, and characters the main font lacks go into a fallback font's <tspan>.
// Only for SVG that paintSvg or paintTextbookSvg made: text and attribute values there are escaped, so
// every '<' starts a tag.

export interface PrintableOptions {
  /** The family to use for sans-serif text and for monospace text. */
  readonly sans: string;
  readonly mono: string;
  /** A font for characters the main fonts lack (CJK, say), and the test for which those are. */
  readonly fallback?: { readonly family: string; readonly covers: (codePoint: number) => boolean };
  /** Keep paint-order as a property instead of drawing a stroked copy under the text (default: copy). */
  readonly keepPaintOrder?: boolean;
}

interface Rule {
  /** Compound selectors, outermost first; each is a tag (or '') and classes. */
  readonly parts: readonly { readonly tag: string; readonly classes: readonly string[] }[];
  readonly specificity: number;
  readonly order: number;
  readonly declarations: readonly [string, string][];
}

interface Element {
  readonly tag: string;
  readonly classes: readonly string[];
}

const TAG = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g;
const ATTR = /\s([\w:-]+)="([^"]*)"/g;

export function printableSvg(svg: string, options: PrintableOptions): string {
  const sheet = /<style>([^<]*)<\/style>/.exec(svg)?.[1] ?? '';
  const rules = parseSheet(sheet);
  const body = svg.replace(/<style>[^<]*<\/style>\n?/, '');
  const out: string[] = [];
  const stack: Element[] = [];
  let last = 0;
  /** A <text> whose halo needs a copy: its start tag (with and without the stroke) waits for its content. */
  let pending: { halo: string; plain: string; start: number } | undefined;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(body); m; m = TAG.exec(body)) {
    const [whole, closing, tag = '', attrs = '', selfClosing] = m;
    const between = body.slice(last, m.index);
    last = TAG.lastIndex;
    if (closing) {
      stack.pop();
      if (pending && tag === 'text') {
        const content = fallbackRuns(body.slice(pending.start, m.index), options);
        out.push(`${pending.halo}${content}</text>${pending.plain}${content}</text>`);
        pending = undefined;
      } else if (!pending) {
        out.push(between, whole);
      }
      continue;
    }
    if (!pending) out.push(between);
    const attributes = [...attrs.matchAll(ATTR)].map((a) => [a[1] ?? '', a[2] ?? ''] as const);
    const classes = (attributes.find(([name]) => name === 'class')?.[1] ?? '').split(/\s+/).filter(Boolean);
    const element: Element = { tag, classes };
    const style = cascade(rules, element, stack, options);
    const inline = attributes.find(([name]) => name === 'style')?.[1];
    const rest = attributes
      .filter(([name]) => name !== 'style')
      .map(([name, value]) => ` ${name}="${value}"`)
      .join('');
    const startTag = (declarations: Map<string, string>) => {
      const text = [...declarations].map(([k, v]) => `${k}:${v}`).join(';') + (inline ? `;${inline}` : '');
      return `<${tag}${rest}${text ? ` style="${text.replace(/"/g, "'")}"` : ''}${selfClosing ? '/' : ''}>`;
    };
    const halo =
      !options.keepPaintOrder &&
      style.get('paint-order')?.includes('stroke') &&
      (style.get('stroke') ?? 'none') !== 'none' &&
      parseFloat(style.get('stroke-width') ?? '1') > 0;
    if (!options.keepPaintOrder) style.delete('paint-order');
    if (tag === 'text' && halo && !selfClosing) {
      const plain = new Map(style);
      plain.set('stroke', 'none');
      pending = { halo: startTag(style), plain: startTag(plain), start: last };
      stack.push(element);
      continue;
    }
    if (tag === 'text' && !selfClosing) {
      out.push(startTag(style));
      stack.push(element);
      // The text's content is copied when its end tag comes; run the fallback over it now instead.
      const end = body.indexOf('</text>', last);
      if (end >= 0 && !body.slice(last, end).includes('<')) {
        out.push(fallbackRuns(body.slice(last, end), options));
        last = end;
      }
      continue;
    }
    out.push(startTag(style));
    if (!selfClosing) stack.push(element);
  }
  out.push(body.slice(last));
  return out.join('');
}

function parseSheet(sheet: string): Rule[] {
  const rules: Rule[] = [];
  let order = 0;
  for (const block of sheet.split('}')) {
    const [selectorText = '', declarationText = ''] = block.split('{');
    if (!selectorText.trim()) continue;
    const declarations = declarationText
      .split(';')
      .map((d) => {
        const colon = d.indexOf(':');
        return [d.slice(0, colon).trim(), d.slice(colon + 1).trim()] as [string, string];
      })
      .filter(([k, v]) => k && v);
    for (const selector of selectorText.split(',')) {
      const parts = selector
        .trim()
        .split(/\s+/)
        .map((compound) => {
          const [tag = '', ...classes] = compound.split('.');
          return { tag, classes };
        });
      const specificity = parts.reduce((sum, p) => sum + p.classes.length * 100 + (p.tag ? 1 : 0), 0);
      rules.push({ parts, specificity, order: order++, declarations });
    }
  }
  return rules;
}

function matchesCompound(part: Rule['parts'][number], element: Element): boolean {
  return (!part.tag || part.tag === element.tag) && part.classes.every((c) => element.classes.includes(c));
}

/** The last part matches the element; each earlier part matches some ancestor, in order (descendant combinators). */
function matches(rule: Rule, element: Element, ancestors: readonly Element[]): boolean {
  const parts = rule.parts;
  const lastPart = parts[parts.length - 1];
  if (!lastPart || !matchesCompound(lastPart, element)) return false;
  let i = parts.length - 2;
  for (let a = ancestors.length - 1; a >= 0 && i >= 0; a--) {
    const part = parts[i];
    const ancestor = ancestors[a];
    if (part && ancestor && matchesCompound(part, ancestor)) i--;
  }
  return i < 0;
}

function cascade(rules: readonly Rule[], element: Element, ancestors: readonly Element[], options: PrintableOptions): Map<string, string> {
  const matched = rules.filter((r) => matches(r, element, ancestors)).sort((a, b) => a.specificity - b.specificity || a.order - b.order);
  const style = new Map<string, string>();
  for (const rule of matched) for (const [k, v] of rule.declarations) style.set(k, v);
  const family = style.get('font-family');
  if (family) style.set('font-family', /monospace/.test(family) ? options.mono : options.sans);
  return style;
}

/** Wraps runs of characters the main fonts lack in a <tspan> of the fallback font. */
function fallbackRuns(text: string, options: PrintableOptions): string {
  const fallback = options.fallback;
  if (!fallback || /^[\x20-\x7e\s]*$/.test(text)) return text;
  let out = '';
  let run = '';
  const flush = () => {
    if (run) out += `<tspan style="font-family:${fallback.family}">${run}</tspan>`;
    run = '';
  };
  // Entities (&lt;, &#39;) stay whole: they are ASCII, which the main fonts have.
  for (const token of text.match(/&[#\w]+;|[\s\S]/gu) ?? []) {
    const code = token.codePointAt(0) ?? 0;
    if (token.length > 1 && token.startsWith('&')) {
      flush();
      out += token;
    } else if (code > 0x7e && !fallback.covers(code)) {
      run += token;
    } else {
      flush();
      out += token;
    }
  }
  flush();
  return out;
}
