// PDF export: PDFKit draws a painted SVG as vector paths and real, searchable text (svg-to-pdfkit), with
// the fonts embedded; characters the main font lacks go to the fallback font.

import { createRequire } from 'node:module';
import { printableSvg } from './printableSvg';
import { findFonts } from './fonts';
import { svgSize } from './svgSize';

const require = createRequire(import.meta.url);

type SvgToPdf = (doc: PDFKit.PDFDocument, svg: string, x: number, y: number, options: Record<string, unknown>) => void;

export async function renderPdf(svg: string, title: string): Promise<Uint8Array> {
  const { default: PDFDocument } = await import('pdfkit');
  const svgToPdf = require('svg-to-pdfkit') as SvgToPdf;
  const fonts = findFonts();
  const { width, height } = svgSize(svg) ?? { width: 800, height: 600 };
  // SVG px to PDF pt: 96 px per inch, 72 pt per inch.
  const doc = new PDFDocument({ size: [width * 0.75, height * 0.75], margin: 0, info: { Title: title, Creator: 'FTP Lab', Producer: 'FTP Lab (PDFKit)' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });

  const registered = new Set<string>();
  const register = (name: string, file: string | undefined) => {
    if (!file) return;
    doc.registerFont(name, file);
    registered.add(name);
  };
  register('sans', fonts.sans);
  register('sans-bold', fonts.sansBold);
  register('sans-oblique', fonts.sansOblique);
  register('mono', fonts.mono);
  register('mono-bold', fonts.monoBold);
  register('fallback', fonts.fallback);
  const fontCallback = (family: string, bold: boolean, italic: boolean): string => {
    if (/fallback/i.test(family) && registered.has('fallback')) return 'fallback';
    const mono = /mono/i.test(family);
    const name = `${mono ? 'mono' : 'sans'}${bold ? '-bold' : italic && !mono ? '-oblique' : ''}`;
    if (registered.has(name)) return name;
    if (registered.has(mono ? 'mono' : 'sans')) return mono ? 'mono' : 'sans';
    // PDF's standard fonts: Latin-1 only, but always there.
    return mono ? (bold ? 'Courier-Bold' : 'Courier') : bold ? 'Helvetica-Bold' : 'Helvetica';
  };

  const coverage = registered.has('sans') && registered.has('fallback') ? glyphCoverage(doc, 'sans') : undefined;
  const printable = printableSvg(svg, {
    sans: 'DejaVu Sans',
    mono: 'DejaVu Sans Mono',
    ...(coverage ? { fallback: { family: 'Fallback', covers: coverage } } : {}),
  });
  // Warnings name SVG features svg-to-pdfkit skips (<title>, aria attributes): nothing the picture shows.
  svgToPdf(doc, printable, 0, 0, { width, height, fontCallback, warningCallback: () => undefined });
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

/**
 * Which characters a registered font has, from the fontkit font PDFKit loaded (PDFKit has no public API for
 * it); undefined if that ever changes, and then no fallback font is used.
 */
function glyphCoverage(doc: PDFKit.PDFDocument, name: string): ((code: number) => boolean) | undefined {
  try {
    const font = (doc.font(name) as unknown as { _font?: { font?: { hasGlyphForCodePoint?: (code: number) => boolean } } })._font?.font;
    const has = font?.hasGlyphForCodePoint?.bind(font);
    return has ? (code) => has(code) : undefined;
  } catch {
    return undefined;
  }
}
