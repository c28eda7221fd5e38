// The exports that are text, painted from a trace: one table for `ftp-lab export` (main/export/exportFormats.ts,
// which adds PNG and PDF from the same SVG) and the app's Export dialog (renderer/exportDialog.ts). Each format
// names its file extension, its media type, and which painter draws it.

import type { TraceFile } from '../../trace/traceEvent';
import { serializeTrace } from '../../trace/traceFile';
import { exportModel, type StepRange } from '../layout/exportModel';
import { paintHtmlPlayer } from './htmlPlayer';
import { paintMermaid } from './mermaidPainter';
import type { ThemeName } from './palette';
import { paintPlantUml } from './plantumlPainter';
import { paintSvg } from './svgPainter';
import { paintTextbookSvg } from './textbookView';

export interface TextExportOptions {
  readonly theme?: ThemeName;
  /** The narration of each step as notes under it (svg, mmd, puml). */
  readonly notes?: boolean;
  readonly range?: StepRange;
  readonly title?: string;
  /** The textbook comparison instead of the diagram (svg, html). */
  readonly textbook?: boolean;
}

export interface TextExport {
  readonly extension: string;
  readonly mediaType: string;
  /** Throws StepRangeError for a range the trace does not have. */
  paint(trace: TraceFile, options: TextExportOptions): string;
}

const themeOf = (options: TextExportOptions) => (options.theme ? { theme: options.theme } : {});

/** The diagram's model as every picture of the session draws it: one layout for the screen and each export. */
export function exportModelFor(trace: TraceFile, options: TextExportOptions) {
  return exportModel(trace, {
    ...(options.range ? { range: options.range } : {}),
    ...(options.notes ? { notes: true } : {}),
    ...(options.title ? { title: options.title } : {}),
  });
}

/** The SVG a picture is made from: the textbook table, or the session's diagram. */
export function exportSvg(trace: TraceFile, options: TextExportOptions): string {
  if (options.textbook) return paintTextbookSvg({ trace, ...themeOf(options) });
  return paintSvg(exportModelFor(trace, options), themeOf(options));
}

export const TEXT_EXPORTS = {
  svg: { extension: '.svg', mediaType: 'image/svg+xml', paint: exportSvg },
  mmd: { extension: '.mmd', mediaType: 'text/plain', paint: (trace, options) => paintMermaid(exportModelFor(trace, options), themeOf(options)) },
  puml: { extension: '.puml', mediaType: 'text/plain', paint: (trace, options) => paintPlantUml(exportModelFor(trace, options), themeOf(options)) },
  html: {
    extension: '.html',
    mediaType: 'text/html',
    paint: (trace, options) =>
      options.textbook
        ? textbookHtml(exportSvg(trace, options), options.theme ?? 'light')
        : paintHtmlPlayer(trace, {
            ...themeOf(options),
            ...(options.range ? { range: options.range } : {}),
            ...(options.title ? { title: options.title } : {}),
          }),
  },
  // The trace itself, whole: it opens again in the app and in `ftp-lab export`.
  json: { extension: '.json', mediaType: 'application/json', paint: (trace) => serializeTrace(trace) },
} as const satisfies Record<string, TextExport>;

export type TextFormat = keyof typeof TEXT_EXPORTS;

/** The textbook comparison as a page of its own: the SVG, nothing else (no script, a CSP that allows none). */
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
