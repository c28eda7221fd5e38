// Estimated text widths for layout without a DOM to measure in (Mermaid measures in the DOM mid-layout;
// we do not). Per-character classes of a typical sans-serif, erring a little wide so a pill fits its text.

const NARROW = new Set([..."iljI.,:;'’|!()[]{} "]);
const SEMI = new Set([...'ftr-"/']);
const WIDE = new Set([...'mwMW@%']);

/** The width in px of `text` in the diagram's sans-serif font at `fontSize` px. */
export function sansTextWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) {
    if (NARROW.has(ch)) em += 0.3;
    else if (SEMI.has(ch)) em += 0.4;
    else if (WIDE.has(ch)) em += 0.88;
    else if (ch >= 'A' && ch <= 'Z') em += 0.68;
    else if (ch >= '0' && ch <= '9') em += 0.62;
    else em += 0.58;
  }
  return em * fontSize;
}

/** The width in px of `text` in the monospace font: every character 0.6 em (DejaVu Sans Mono, Menlo, SF Mono). */
export function monoTextWidth(text: string, fontSize: number): number {
  return [...text].length * 0.604 * fontSize;
}

/** Shortens text with '…' until `measure` says it fits `width`; the full text stays in the mark's detail. */
export function fitText(text: string, width: number, measure: (text: string) => number): string {
  if (measure(text) <= width) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(chars.slice(0, mid).join('') + '…') <= width) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, Math.max(lo, 3)).join('').trimEnd() + '…';
}
