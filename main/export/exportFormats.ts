// Writes a trace as any export format: the one dispatch that `ftp-lab export`, `ftp-lab run --export` and the
// app's Export dialog (through its host, exportRequest.ts) share. The pictures come from core's painters (one
// layout for all); here they become files (PNG and PDF by main/export/), each written atomically. The capture
// for Wireshark (pcapng) is rebuilt from the trace by core/capture/.

import { rename, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseStepRange, StepRangeError, type StepRange } from '../../core/diagram/layout/exportModel';
import type { ThemeName } from '../../core/diagram/painters/palette';
import { exportModelFor, exportSvg, TEXT_EXPORTS } from '../../core/diagram/painters/textExports';
import { paintSvg } from '../../core/diagram/painters/svgPainter';
import { paintTextbookSvg } from '../../core/diagram/painters/textbookView';
import type { TraceFile } from '../../core/trace/traceEvent';
import { EXPORT_FORMATS, formatNamed, formatsTaking, formatTakes, PNG_SCALE, type ExportFormat } from '../../core/diagram/painters/exportFormats.table';
import { tracePcapng } from '../../core/capture/tracePcapng';
import { ExportError } from './exportError';
import { parseQuizKinds, QuizKindsError } from '../../core/quiz/quizKindNames';
import { QUESTION_KINDS, type QuestionKindId } from '../../core/quiz/quizQuestion';
import { renderPdf } from './renderPdf';
import { renderPng, type PngSource } from './renderPng';
import { svgSize } from './svgSize';

export { EXPORT_FORMATS, type ExportFormat };
export { ExportError };

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
  /** 'time': rows spaced by the real time between them, arrows slanted from the sender's record to the receiver's (svg, png, pdf, html). */
  readonly axis?: 'step' | 'time';
  /** PNG only: refuse a picture of more pixels than this (default: renderPng's own limit). */
  readonly maxPixels?: number;
  /** Each end's kernel TCP state on its lane (svg, png, pdf, mmd, puml, html). */
  readonly kernelStates?: boolean;
  /** The TCP layer: SYN / SYN-ACK / ACK and FIN / ACK as arrows of their own (svg, png, pdf, mmd, puml, html). */
  readonly tcp?: boolean;
  /** The player's quiz: ask before each step of these kinds (html). */
  readonly quizKinds?: readonly QuestionKindId[];
}

/** A format name as given to --format (a few aliases accepted), or an ExportError naming the choices. */
export function parseFormat(name: string): ExportFormat {
  const format = formatNamed(name);
  if (!format) throw new ExportError(`Unknown export format "${name}": choose one of ${EXPORT_FORMATS.join(', ')}.`);
  return format;
}

/** The format for a file: --format if given, else the extension. */
export function formatFor(path: string, explicit?: string): ExportFormat {
  if (explicit !== undefined) return parseFormat(explicit);
  const ext = extname(path).toLowerCase();
  const format = ext ? formatNamed(ext) : undefined;
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
  'kernel-states': { type: 'boolean' },
  tcp: { type: 'boolean' },
  axis: { type: 'string' },
} as const;

/** What `ftp-lab export --help` prints: every format and option, and what a step is. */
export const EXPORT_HELP = `Usage: ftp-lab export <trace.json|capture.pcap|capture.pcapng> -o FILE [--format FORMAT] [options]
       ftp-lab run <scenario> --export FILE [--export FILE]... [options]

Formats (default: from the extension of FILE):
  svg    the sequence diagram, standalone (fonts named, styles inline, no script)
  png    the same picture as pixels (--scale 2 for slides)
  pdf    the same picture as a vector PDF with real, searchable text
  mmd    Mermaid sequenceDiagram text          (also .mermaid)
  puml   PlantUML @startuml text               (also .plantuml, .pu)
  html   one self-contained page that replays the session step by step, offline
  json   the trace itself, whole: it opens again in the app and in ftp-lab export
  pcapng the session's packets for Wireshark, rebuilt from the trace: handshakes, every command
         and reply as recorded (re-encoded with CRLF), data of the recorded lengths (filler bytes: a trace keeps counts),
         FIN and RST from the side that sent them. The file's comment says what is made up, and how
         to have Wireshark decode FTP on a port other than 21 (Decode As; tshark -d).

Options:
  --range N..M    only steps N to M (N.. to the end). A step is a numbered row of the full
                  diagram: one command, reply, connect, FIN/RST, transfer, marker or note, as
                  numbered in the SVG's margin and by the app's and the player's step counter.
                  The exported rows keep those numbers. (json, pcapng: ignored, the trace stays whole.)
  --theme light|dark
  --notes         the narration of each step as notes under it (svg, png, pdf, mmd, puml;
                  the html player always shows it)
  --scale N       png only: pixels per diagram pixel, 0.1 to 8 (default 1)
  --axis step|time
                  step (default): one row per step. time: rows spaced by the real time between
                  them (on a log scale when the gaps span orders of magnitude, as the margin says,
                  each long gap's length beside it) and arrows slanted from the sender's record
                  to the receiver's (flat where one end was traced). svg, png, pdf, html
  --textbook      export the textbook comparison (the textbook's upload beside RFC 959, and
                  where this session shows each step) instead of the diagram: svg, png, pdf, html
  --title TEXT    the diagram's title (default: the trace's)
  --kernel-states each end's kernel TCP state on its lane (ESTABLISHED, FIN_WAIT_2, TIME_WAIT, …), as
                  the trace's tcp.state events recorded it (ftp-lab run --tcp-states, or the app);
                  a trace without them says so under the legend
  --tcp           the TCP layer: SYN / SYN-ACK / ACK under each connect, the ACK under each FIN, as
                  arrows of their own (the step numbers stay the same)
  --quiz          html only: predict, then reveal. Before each step of a chosen kind the player asks
                  what comes (choices made from the trace and the protocol tables, as the app's quiz),
                  keys 1-4 or a click, then shows the step and its narration, and keeps a score
  --quiz-kinds LIST
                  the kinds it asks before (implies --quiz; default all), comma-separated:
                  closes (who sends a data connection's first FIN), replies (all replies) or
                  1yz, 2yz, 3yz, 45yz, kept-open (does the data connection stay open), connects
                  (who connects to whom)`;

/** Turns the command-line values into ExportOptions, or an ExportError saying what is wrong. */
export function exportOptionsFrom(values: {
  format?: string | undefined;
  theme?: string | undefined;
  notes?: boolean | undefined;
  scale?: string | undefined;
  range?: string | undefined;
  textbook?: boolean | undefined;
  title?: string | undefined;
  'kernel-states'?: boolean | undefined;
  tcp?: boolean | undefined;
  axis?: string | undefined;
  quiz?: boolean | undefined;
  'quiz-kinds'?: string | undefined;
}): ExportOptions {
  if (values.theme !== undefined && values.theme !== 'light' && values.theme !== 'dark')
    throw new ExportError(`--theme is light or dark, not "${values.theme}".`);
  if (values.axis !== undefined && values.axis !== 'step' && values.axis !== 'time') throw new ExportError(`--axis is step or time, not "${values.axis}".`);
  const scale = values.scale === undefined ? undefined : Number(values.scale);
  if (scale !== undefined && (!/^\s*[\d.]+\s*$/.test(values.scale ?? '') || !Number.isFinite(scale)))
    throw new ExportError(`--scale ${values.scale}: give a number from 0.1 to 8.`);
  let range: StepRange | undefined;
  try {
    range = values.range === undefined ? undefined : parseStepRange(values.range);
  } catch (error) {
    if (error instanceof StepRangeError) throw new ExportError(`--range ${error.message}`);
    throw error;
  }
  let quizKinds: readonly QuestionKindId[] | undefined = values.quiz ? QUESTION_KINDS : undefined;
  try {
    if (values['quiz-kinds'] !== undefined) quizKinds = parseQuizKinds(values['quiz-kinds']);
  } catch (error) {
    if (error instanceof QuizKindsError) throw new ExportError(`--quiz-kinds: ${error.message}`);
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
    ...(values['kernel-states'] ? { kernelStates: true } : {}),
    ...(values.tcp ? { tcp: true } : {}),
    ...(values.axis !== undefined ? { axis: values.axis } : {}),
    ...(quizKinds ? { quizKinds } : {}),
  };
}

/** Checks the options that do not depend on the trace, so `run` can refuse them before the session starts. */
export function checkExportOptions(path: string, options: ExportOptions): ExportFormat {
  const format = formatFor(path, options.format);
  if (options.scale !== undefined && (!Number.isFinite(options.scale) || options.scale < PNG_SCALE.min || options.scale > PNG_SCALE.max)) {
    throw new ExportError(`--scale ${options.scale}: give a number from ${PNG_SCALE.min} to ${PNG_SCALE.max} (pixels per diagram pixel).`);
  }
  if (options.axis === 'time' && !formatTakes(format, 'axis')) {
    const takers = formatsTaking('axis');
    throw new ExportError(
      `The time axis is drawn in ${takers.slice(0, -1).join(', ')} and ${takers.at(-1)}, not ${format}: its arrows are drawn in order, one a row.`,
    );
  }
  if (options.quizKinds?.length && (!formatTakes(format, 'quiz') || options.textbook)) {
    throw new ExportError(
      `The quiz is asked by the HTML player of the session (${formatsTaking('quiz').join(', ')}), not by ${options.textbook ? 'the textbook table' : format}.`,
    );
  }
  if (options.textbook && !formatTakes(format, 'textbook')) {
    const takers = formatsTaking('textbook');
    throw new ExportError(`The textbook comparison exports as ${takers.slice(0, -1).join(', ')} or ${takers.at(-1)}, not ${format}.`);
  }
  return format;
}

/** The picture for PNG: the session's diagram painted a band at a time, or the textbook table whole. */
function pngSourceFor(trace: TraceFile, options: ExportOptions): PngSource {
  const theme = options.theme ? { theme: options.theme } : {};
  if (options.textbook) {
    const svg = paintTextbookSvg({ trace, ...theme });
    const size = svgSize(svg) ?? { width: 0, height: 0 };
    return { ...size, paint: () => svg };
  }
  const model = exportModelFor(trace, options);
  return { width: model.width, height: model.height, paint: (window) => paintSvg(model, { ...theme, ...(window ? { window } : {}) }) };
}

/** The export's content, in memory. */
export async function renderExport(trace: TraceFile, format: ExportFormat, options: ExportOptions = {}): Promise<string | Uint8Array> {
  switch (format) {
    case 'png':
      return renderPng(pngSourceFor(trace, options), options.scale ?? 1, options.maxPixels !== undefined ? { maxPixels: options.maxPixels } : {});
    case 'pcapng':
      return tracePcapng(trace);
    case 'pdf':
      return renderPdf(exportSvg(trace, options), options.textbook ? 'Textbook upload vs RFC 959' : (options.title ?? trace.meta.title ?? 'FTP session'));
    default:
      return TEXT_EXPORTS[format].paint(trace, options);
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
