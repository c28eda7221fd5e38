// The exports that are text, painted from a trace: which painter draws each. main/export/exportFormats.ts's one
// dispatch uses them (and adds PNG and PDF from the same SVG) for `ftp-lab export` and for the app's Export
// dialog, which asks its host; each format's extension and media type are in exportFormats.table.ts.

import type { TraceFile } from '../../trace/traceEvent';
import { serializeTrace } from '../../trace/traceFile';
import { exportModel, type StepRange } from '../layout/exportModel';
import { paintHtmlPlayer } from './htmlPlayer';
import { paintMermaid } from './mermaidPainter';
import type { ThemeName } from './palette';
import { paintPlantUml } from './plantumlPainter';
import { paintSvg } from './svgPainter';
import { paintTextbookSvg } from './textbookView';
import type { ExportFormat } from './exportFormats.table';
import type { QuestionKindId } from '../../quiz/quizQuestion';

export interface TextExportOptions {
  readonly theme?: ThemeName;
  /** The narration of each step as notes under it (svg, mmd, puml). */
  readonly notes?: boolean;
  readonly range?: StepRange;
  readonly title?: string;
  /** The textbook comparison instead of the diagram (svg, html). */
  readonly textbook?: boolean;
  /** Each end's kernel TCP state on its lane. */
  readonly kernelStates?: boolean;
  /** The TCP layer's SYN / SYN-ACK / ACK and FIN / ACK arrows. */
  readonly tcp?: boolean;
  /** 'time': rows spaced by the real time between them, arrows slanted from the sender's record to the receiver's (svg, html). */
  readonly axis?: 'step' | 'time';
  /** The player's quiz: ask before each step of these kinds (html). */
  readonly quizKinds?: readonly QuestionKindId[];
}

/** The diagram layers asked for, as the layout takes them. */
const layersOf = (options: TextExportOptions) => ({ ...(options.kernelStates ? { kernelStates: true } : {}), ...(options.tcp ? { tcp: true } : {}) });

export interface TextExport {
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
    ...layersOf(options),
    ...(options.axis ? { axis: options.axis } : {}),
  });
}

/** The SVG a picture is made from: the textbook table, or the session's diagram. */
export function exportSvg(trace: TraceFile, options: TextExportOptions): string {
  if (options.textbook) return paintTextbookSvg({ trace, ...themeOf(options) });
  return paintSvg(exportModelFor(trace, options), themeOf(options));
}

export const TEXT_EXPORTS = {
  svg: { paint: exportSvg },
  mmd: { paint: (trace, options) => paintMermaid(exportModelFor(trace, options), themeOf(options)) },
  puml: { paint: (trace, options) => paintPlantUml(exportModelFor(trace, options), themeOf(options)) },
  html: {
    paint: (trace, options) =>
      options.textbook
        ? textbookHtml(exportSvg(trace, options), options.theme ?? 'light')
        : paintHtmlPlayer(trace, {
            ...themeOf(options),
            ...(options.range ? { range: options.range } : {}),
            ...(options.title ? { title: options.title } : {}),
            ...layersOf(options),
            ...(options.axis ? { axis: options.axis } : {}),
            ...(options.quizKinds?.length ? { quizKinds: options.quizKinds } : {}),
          }),
  },
  // The trace itself, whole: it opens again in the app and in `ftp-lab export`.
  json: { paint: (trace) => serializeTrace(trace) },
} as const satisfies Partial<Record<ExportFormat, TextExport>>;

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
