// Writes a trace as any export format: the one dispatch that `ftp-lab export` and `ftp-lab run --export`
// share. The pictures come from core's painters (one layout for all); here they become files: PNG through
// resvg, PDF through PDFKit (vector, real text), each written atomically.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { extname, join } from 'node:path';
import { exportModel, parseStepRange, StepRangeError, type StepRange } from '../../core/diagram/exportModel';
import { paintHtmlPlayer } from '../../core/diagram/htmlPlayer';
import { paintMermaid } from '../../core/diagram/mermaidPainter';
import type { ThemeName } from '../../core/diagram/palette';
import { paintPlantUml } from '../../core/diagram/plantumlPainter';
import { printableSvg } from '../../core/diagram/printableSvg';
import { paintSvg } from '../../core/diagram/svgPainter';
import { paintTextbookSvg } from '../../core/diagram/textbookView';
import type { TraceFile } from '../../core/trace/traceEvent';
import { serializeTrace } from '../../core/trace/traceFile';

export const EXPORT_FORMATS = ['svg', 'png', 'pdf', 'mmd', 'puml', 'html', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A request the user can fix: an unknown format, an option that does not fit the format. The CLI exits 2. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
}

export interface ExportOptions {
  /** Default: from the file name's extension. */
  readonly format?: string;
  readonly range?: StepRange;
  readonly theme?: ThemeName;
  /** Narration as notes (svg, png, pdf, mmd, puml). */
  readonly notes?: boolean;
  /** PNG only: pixels per SVG pixel. */
  readonly scale?: number;
  /** The textbook comparison table instead of the session diagram (svg, png, pdf, html). */
  readonly textbook?: boolean;
  readonly title?: string;
}

const extensions: Record<string, ExportFormat> = {
  '.svg': 'svg',
  '.png': 'png',
  '.pdf': 'pdf',
  '.mmd': 'mmd',
  '.mermaid': 'mmd',
  '.puml': 'puml',
  '.plantuml': 'puml',
  '.pu': 'puml',
  '.html': 'html',
  '.htm': 'html',
  '.json': 'json',
};

/** A format name as given to --format (a few aliases accepted), or an ExportError naming the choices. */
export function parseFormat(name: string): ExportFormat {
  const normal = name.toLowerCase().replace(/^\./, '');
  const format = extensions[`.${normal}`] ?? (normal === 'mermaid' ? 'mmd' : normal === 'plantuml' ? 'puml' : undefined);
  if (!format) throw new ExportError(`Unknown export format "${name}": choose one of ${EXPORT_FORMATS.join(', ')}.`);
  return format;
}

/** The format for a file: --format if given, else the extension. */
export function formatFor(path: string, explicit?: string): ExportFormat {
  if (explicit !== undefined) return parseFormat(explicit);
  const ext = extname(path).toLowerCase();
  const format = extensions[ext];
  if (!format) {
    throw new ExportError(`Cannot tell the export format of "${path}" from its extension${ext ? ` "${ext}"` : ''}: use --format ${EXPORT_FORMATS.join('|')}.`);
  }
  return format;
}

/** The export options as `ftp-lab export` and `ftp-lab run` take them (node:util parseArgs). */
export const EXPORT_ARGS = {
  theme: { type: 'string' },
  notes: { type: 'boolean' },
  scale: { type: 'string' },
  range: { type: 'string' },
} as const;

/** What `ftp-lab export --help` prints: every format and option, and what a step is. */
export const EXPORT_HELP = `Usage: ftp-lab export <trace.json> -o FILE [--format FORMAT] [options]
       ftp-lab run <scenario> --export FILE [--export FILE]... [options]

Formats (default: from the extension of FILE):
  svg    the sequence diagram, standalone (fonts named, styles inline, no script)
  png    the same picture as pixels (--scale 2 for slides)
  pdf    the same picture as a vector PDF with real, searchable text
  mmd    Mermaid sequenceDiagram text          (also .mermaid)
  puml   PlantUML @startuml text               (also .plantuml, .pu)
  html   one self-contained page that replays the session step by step, offline
  json   the trace itself, whole: it opens again in the app and in ftp-lab export

Options:
  --range N..M    only steps N to M (N.. to the end). A step is a numbered row of the full
                  diagram: one command, reply, connect, FIN/RST, transfer, marker or note, as
                  numbered in the SVG's margin and by the app's and the player's step counter.
                  The exported rows keep those numbers. (json: ignored, the trace stays whole.)
  --theme light|dark
  --notes         the narration of each step as notes under it (svg, png, pdf, mmd, puml;
                  the html player always shows it)
  --scale N       png only: pixels per diagram pixel, 0.1 to 8 (default 1)
  --textbook      export the textbook comparison (the textbook's upload beside RFC 959, and
                  where this session shows each step) instead of the diagram: svg, png, pdf, html
  --title TEXT    the diagram's title (default: the trace's)`;

/** Turns the command-line values into ExportOptions, or an ExportError saying what is wrong. */
export function exportOptionsFrom(values: {
  format?: string | undefined;
  theme?: string | undefined;
  notes?: boolean | undefined;
  scale?: string | undefined;
  range?: string | undefined;
  textbook?: boolean | undefined;
  title?: string | undefined;
}): ExportOptions {
  if (values.theme !== undefined && values.theme !== 'light' && values.theme !== 'dark') throw new ExportError(`--theme is light or dark, not "${values.theme}".`);
  const scale = values.scale === undefined ? undefined : Number(values.scale);
  if (scale !== undefined && (!/^\s*[\d.]+\s*$/.test(values.scale ?? '') || !Number.isFinite(scale))) throw new ExportError(`--scale ${values.scale}: give a number from 0.1 to 8.`);
  let range: StepRange | undefined;
  try {
    range = values.range === undefined ? undefined : parseStepRange(values.range);
  } catch (error) {
    if (error instanceof StepRangeError) throw new ExportError(`--range ${error.message}`);
    throw error;
  }
  return {
    ...(values.format !== undefined ? { format: values.format } : {}),
    ...(values.theme !== undefined ? { theme: values.theme } : {}),
    ...(values.notes ? { notes: true } : {}),
    ...(scale !== undefined ? { scale } : {}),
    ...(range ? { range } : {}),
    ...(values.textbook ? { textbook: true } : {}),
    ...(values.title !== undefined ? { title: values.title } : {}),
  };
}

/** Checks the options that do not depend on the trace, so `run` can refuse them before the session starts. */
export function checkExportOptions(path: string, options: ExportOptions): ExportFormat {
  const format = formatFor(path, options.format);
  if (options.scale !== undefined && (!Number.isFinite(options.scale) || options.scale < 0.1 || options.scale > 8)) {
    throw new ExportError(`--scale ${options.scale}: give a number from 0.1 to 8 (pixels per diagram pixel).`);
  }
  if (options.textbook && !['svg', 'png', 'pdf', 'html'].includes(format)) {
    throw new ExportError(`The textbook comparison exports as svg, png, pdf or html, not ${format}.`);
  }
  return format;
}

/** The SVG a diagram export draws from: the textbook table, or the session's diagram. */
function svgFor(trace: TraceFile, options: ExportOptions): string {
  if (options.textbook) return paintTextbookSvg({ trace, ...(options.theme ? { theme: options.theme } : {}) });
  return paintSvg(modelFor(trace, options), options.theme ? { theme: options.theme } : {});
}

function modelFor(trace: TraceFile, options: ExportOptions) {
  return exportModel(trace, {
    ...(options.range ? { range: options.range } : {}),
    ...(options.notes ? { notes: true } : {}),
    ...(options.title ? { title: options.title } : {}),
  });
}

/** The export's content, in memory. */
export async function renderExport(trace: TraceFile, format: ExportFormat, options: ExportOptions = {}): Promise<string | Uint8Array> {
  switch (format) {
    case 'json':
      // The trace itself, whole: it opens again in the app and in `ftp-lab export`.
      return serializeTrace(trace);
    case 'svg':
      return svgFor(trace, options);
    case 'png':
      return renderPng(svgFor(trace, options), options.scale ?? 1);
    case 'pdf':
      return renderPdf(svgFor(trace, options), options.textbook ? 'Textbook upload vs RFC 959' : (options.title ?? trace.meta.title ?? 'FTP session'));
    case 'mmd':
      return paintMermaid(modelFor(trace, options), options.theme ? { theme: options.theme } : {});
    case 'puml':
      return paintPlantUml(modelFor(trace, options), options.theme ? { theme: options.theme } : {});
    case 'html':
      if (options.textbook) return textbookHtml(svgFor(trace, options), options.theme ?? 'light');
      return paintHtmlPlayer(trace, {
        ...(options.theme ? { theme: options.theme } : {}),
        ...(options.range ? { range: options.range } : {}),
        ...(options.title ? { title: options.title } : {}),
      });
  }
}

export interface WrittenExport {
  readonly path: string;
  readonly format: ExportFormat;
  readonly bytes: number;
}

/** Renders the trace in the format the options or the file name ask for and writes it (temp file + rename). */
export async function writeExport(trace: TraceFile, path: string, options: ExportOptions = {}): Promise<WrittenExport> {
  const format = checkExportOptions(path, options);
  let content: string | Uint8Array;
  try {
    content = await renderExport(trace, format, options);
  } catch (error) {
    if (error instanceof StepRangeError) throw new ExportError(`--range: ${error.message}`);
    throw error;
  }
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, bytes);
  await rename(temp, path);
  return { path, format, bytes: bytes.length };
}

// ---------------------------------------------------------------------------------------------------------
// Fonts: the diagram names common fonts; the renderers get DejaVu (installed with fonts-dejavu-core on Debian)
// where it is found, and a wide fallback font for scripts DejaVu lacks (CJK: Droid Sans Fallback, Noto CJK).
// ---------------------------------------------------------------------------------------------------------

interface FontFiles {
  readonly sans?: string;
  readonly sansBold?: string;
  readonly sansOblique?: string;
  readonly mono?: string;
  readonly monoBold?: string;
  readonly fallback?: string;
}

const fontNames: Record<keyof FontFiles, readonly string[]> = {
  sans: ['DejaVuSans.ttf'],
  sansBold: ['DejaVuSans-Bold.ttf'],
  sansOblique: ['DejaVuSans-Oblique.ttf'],
  mono: ['DejaVuSansMono.ttf'],
  monoBold: ['DejaVuSansMono-Bold.ttf'],
  fallback: ['DroidSansFallbackFull.ttf', 'DroidSansFallback.ttf', 'NotoSansSC-Regular.otf', 'NotoSansCJKsc-Regular.otf'],
};

let fontCache: FontFiles | undefined;

/** Finds the font files in the usual font folders (a few levels deep; the first match wins). */
export function findFonts(): FontFiles {
  if (fontCache) return fontCache;
  const wanted = new Map<string, keyof FontFiles>();
  for (const [key, names] of Object.entries(fontNames) as [keyof FontFiles, readonly string[]][]) for (const name of names) wanted.set(name, key);
  const found: Partial<Record<keyof FontFiles, string>> = {};
  const rank = (key: keyof FontFiles, file: string) => fontNames[key].indexOf(file);
  const visit = (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry);
      const key = wanted.get(entry);
      if (key) {
        const current = found[key];
        if (!current || rank(key, entry) < rank(key, current.split(/[\\/]/).pop() ?? '')) found[key] = path;
        continue;
      }
      if (depth > 0 && !entry.includes('.')) {
        try {
          if (statSync(path).isDirectory()) visit(path, depth - 1);
        } catch {
          // unreadable folder: skip it
        }
      }
    }
  };
  const dirs = ['/usr/share/fonts', '/usr/local/share/fonts', join(homedir(), '.local/share/fonts'), join(homedir(), '.fonts'), '/Library/Fonts', join(homedir(), 'Library/Fonts'), 'C:\\Windows\\Fonts'];
  for (const dir of dirs) if (existsSync(dir)) visit(dir, 3);
  fontCache = found;
  return found;
}

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------------------
// PNG: resvg (Rust, prebuilt in the npm package), from the same SVG.
// ---------------------------------------------------------------------------------------------------------

/** Refused above this many pixels (4 bytes each in memory): a --range or a smaller --scale makes it fit. */
const MAX_PNG_PIXELS = 120_000_000;

export async function renderPng(svg: string, scale: number): Promise<Uint8Array> {
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

// ---------------------------------------------------------------------------------------------------------
// PDF: PDFKit draws the SVG as vector paths and real text (svg-to-pdfkit), with the fonts embedded.
// ---------------------------------------------------------------------------------------------------------

type SvgToPdf = (doc: PDFKit.PDFDocument, svg: string, x: number, y: number, options: Record<string, unknown>) => void;

export async function renderPdf(svg: string, title: string): Promise<Uint8Array> {
  const { default: PDFDocument } = await import('pdfkit');
  const svgToPdf = require('svg-to-pdfkit') as SvgToPdf;
  const fonts = findFonts();
  const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  const width = Number(size?.[1] ?? 800);
  const height = Number(size?.[2] ?? 600);
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

function textbookHtml(svg: string, theme: ThemeName): string {
  const background = theme === 'dark' ? '#0d1117' : '#ffffff';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>The textbook upload beside RFC 959 · FTP Lab</title>
<style>body{margin:0;padding:16px;background:${background}}svg{max-width:100%;height:auto}</style>
</head>
<body>
${svg}</body>
</html>
`;
}
