// File → Export: a modal dialog that has the host render the trace in any export format, with the code
// `ftp-lab export` uses (core/api exportTrace), shows the file before it is downloaded, and downloads exactly
// those bytes. Pictures preview as an <img> from a data: URL (SVG, PNG; a PDF as the SVG it is drawn from);
// an HTML export as a page in a sandboxed frame of its own (core/api/exportPreviewFrame.ts), never as markup
// of this page; text formats through textContent, so nothing from the trace is ever parsed here.

import { EXPORT_PREVIEW_PAGE, EXPORT_PREVIEW_SANDBOX } from '../core/api/exportPreviewFrame';
import { exportRequestSchema, type ExportRequest, type ExportResult, type LabApi } from '../core/api/labApi';
import type { StepRange } from '../core/diagram/layout/exportModel';
import { exportModel } from '../core/diagram/layout/exportModel';
import {
  EXPORT_FORMAT_TABLE,
  EXPORT_FORMATS,
  formatTakes,
  PNG_SCALE,
  type ExportFormat,
  type ExportOptionName,
} from '../core/diagram/painters/exportFormats.table';
import type { TraceFile } from '../core/trace/traceEvent';
import type { DiagramLayers } from '../core/diagram/layout/layout';
import { QUESTION_KINDS, type QuestionKindId } from '../core/quiz/quizQuestion';
import { byId, element } from './dom';
import { download, traceFileName } from './traceFiles';

/** The most of a text export the preview shows (the download is always whole). */
const PREVIEW_CHARS = 200_000;

/**
 * Reads the From/To fields against the trace's step count: empty means the first or the last step.
 * Returns the range (undefined for all steps) or a sentence saying what to fix.
 */
export function readRange(fromText: string, toText: string, steps: number): { range?: StepRange; error?: string } {
  const parse = (text: string): number | undefined | 'bad' => {
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    return /^\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed)) ? Number(trimmed) : 'bad';
  };
  const from = parse(fromText);
  const to = parse(toText);
  if (from === 'bad' || to === 'bad') return { error: 'Steps are whole numbers.' };
  if (from === undefined && to === undefined) return {};
  if (steps === 0) return { error: 'The trace has no steps to choose from.' };
  const first = from ?? 1;
  const last = to ?? steps;
  if (first < 1 || last < 1) return { error: 'Steps count from 1.' };
  if (first > steps || last > steps) return { error: `The diagram has ${steps} steps: choose from 1 to ${steps}.` };
  if (first > last) return { error: `From (${first}) must not be after To (${last}).` };
  if (first === 1 && last === steps) return {};
  return { range: { from: first, to: last } };
}

/** Reads the Scale field (empty: 1) against the request contract's own bounds; a sentence when it is out of them. */
export function readScale(text: string): { scale?: number; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  const checked = exportRequestSchema.shape.scale.safeParse(/^\d*\.?\d+$/.test(trimmed) ? Number(trimmed) : NaN);
  if (!checked.success) {
    const message = checked.error.issues[0]?.message ?? `the scale is a number from ${PNG_SCALE.min} to ${PNG_SCALE.max}`;
    return { error: `${message[0]?.toUpperCase()}${message.slice(1)}.` };
  }
  return checked.data === undefined || checked.data === 1 ? {} : { scale: checked.data };
}

/** The file's bytes as a Blob of its format's media type. */
export function exportBlob(result: ExportResult): Blob {
  const type = EXPORT_FORMAT_TABLE[result.format].mediaType;
  if (result.encoding === 'utf8') return new Blob([result.data], { type });
  const binary = atob(result.data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type });
}

/** The download's name: the trace's file name with the format's extension (and "-textbook" for the textbook table). */
export function exportFileName(trace: TraceFile, format: ExportFormat, textbook: boolean, now: Date): string {
  return traceFileName(trace, now).replace(/\.trace\.json$/, `${textbook ? '-textbook' : ''}${EXPORT_FORMAT_TABLE[format].extension}`);
}

/** A size as a person reads it. */
function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A rendered export: the file, and what the preview shows of it (a PDF's preview is its SVG). */
interface Rendered {
  readonly request: ExportRequest;
  /** The request's options, as a key: the same options need no new rendering. */
  readonly key: string;
  readonly file: ExportResult;
  readonly preview: ExportResult;
}

export interface ExportDialog {
  /**
   * Opens the dialog on the given trace (the whole trace, as recorded so far), with the diagram's layers and on the
   * axis the diagram shows: the export's first choices. `quizKinds`: the kinds the app's quiz asks before, which
   * the HTML player's quiz asks too when it is ticked (all of them when the app's quiz is off).
   */
  open(trace: TraceFile, layers?: DiagramLayers, axis?: 'step' | 'time', quizKinds?: readonly QuestionKindId[]): void;
}

export function createExportDialog(doc: Document, api: LabApi): ExportDialog {
  const dialog = byId<HTMLDialogElement>(doc, 'export-dialog');
  const format = byId<HTMLSelectElement>(doc, 'export-format');
  const theme = byId<HTMLSelectElement>(doc, 'export-theme');
  const notes = byId<HTMLInputElement>(doc, 'export-notes');
  const textbook = byId<HTMLInputElement>(doc, 'export-textbook');
  const kernelStates = byId<HTMLInputElement>(doc, 'export-kernel-states');
  const tcp = byId<HTMLInputElement>(doc, 'export-tcp');
  const timeAxis = byId<HTMLInputElement>(doc, 'export-time-axis');
  const quiz = byId<HTMLInputElement>(doc, 'export-quiz');
  const scale = byId<HTMLInputElement>(doc, 'export-scale');
  const from = byId<HTMLInputElement>(doc, 'export-from');
  const to = byId<HTMLInputElement>(doc, 'export-to');
  const rangeHint = byId(doc, 'export-range-hint');
  const error = byId(doc, 'export-error');
  const fileName = byId(doc, 'export-file-name');
  const status = byId(doc, 'export-status');
  const preview = byId(doc, 'export-preview');
  const text = byId<HTMLPreElement>(doc, 'export-preview-text');
  const downloadButton = byId<HTMLButtonElement>(doc, 'export-download');
  const closeButton = byId<HTMLButtonElement>(doc, 'export-close');

  // The format menu is the table's, in its order.
  format.replaceChildren(...EXPORT_FORMATS.map((name) => element(doc, 'option', { text: EXPORT_FORMAT_TABLE[name].label, attrs: { value: name } })));

  let trace: TraceFile | undefined;
  /** The trace as the request carries it: serialised once per opening, not once per change. */
  let traceText = '';
  let steps = 0;
  let quizKinds: readonly QuestionKindId[] = QUESTION_KINDS;
  /** Each opening (and closing) starts a new generation: answers for an older one are dropped. */
  let generation = 0;
  let shown: Rendered | undefined;
  /** The request whose answer the dialog waits for (the latest), and whether one is on its way. */
  let wanted: { request: ExportRequest; key: string } | undefined;
  let busy = false;

  const showError = (sentence: string | undefined) => {
    error.hidden = sentence === undefined;
    error.textContent = sentence ?? '';
  };

  /** The request the form describes, or a sentence saying what to fix. Options the format does not take are left out. */
  function readForm(): { request?: ExportRequest; error?: string; field?: 'range' | 'scale' } {
    const f = format.value as ExportFormat;
    const takes = (option: ExportOptionName) => formatTakes(f, option);
    const table = takes('textbook') && textbook.checked;
    // The textbook table is the whole comparison: no steps to choose, no notes to add.
    const range = takes('range') && !table ? readRange(from.value, to.value, steps) : {};
    const scaled = takes('scale') ? readScale(scale.value) : {};
    if (range.error !== undefined) return { error: range.error, field: 'range' };
    if (scaled.error !== undefined) return { error: scaled.error, field: 'scale' };
    return {
      request: {
        trace: traceText,
        format: f,
        ...(takes('theme') ? { theme: theme.value === 'dark' ? 'dark' : 'light' } : {}),
        ...(takes('notes') && !table && notes.checked ? { notes: true } : {}),
        ...(range.range ? { range: range.range } : {}),
        ...(scaled.scale !== undefined ? { scale: scaled.scale } : {}),
        ...(table ? { textbook: true } : {}),
        ...(takes('layers') && !table && kernelStates.checked ? { kernelStates: true } : {}),
        ...(takes('layers') && !table && tcp.checked ? { tcp: true } : {}),
        ...(takes('axis') && !table && timeAxis.checked ? { axis: 'time' as const } : {}),
        ...(takes('quiz') && !table && quiz.checked ? { quizKinds: [...quizKinds] } : {}),
      },
    };
  }

  /** Enables the options the format takes, says what the range means, and asks for the export the form describes. */
  function update(): void {
    const f = format.value as ExportFormat;
    const table = formatTakes(f, 'textbook') && textbook.checked;
    theme.disabled = !formatTakes(f, 'theme');
    textbook.disabled = !formatTakes(f, 'textbook');
    notes.disabled = !formatTakes(f, 'notes') || table;
    kernelStates.disabled = tcp.disabled = !formatTakes(f, 'layers') || table;
    timeAxis.disabled = !formatTakes(f, 'axis') || table;
    quiz.disabled = !formatTakes(f, 'quiz') || table;
    from.disabled = to.disabled = !formatTakes(f, 'range') || table;
    scale.disabled = !formatTakes(f, 'scale');
    rangeHint.textContent =
      f === 'json' ? 'JSON: the trace stays whole.' : table ? 'The textbook table: the whole comparison.' : `${steps} steps; leave blank for all.`;
    if (!trace) return;
    const read = readForm();
    from.setAttribute('aria-invalid', String(read.field === 'range'));
    to.setAttribute('aria-invalid', String(read.field === 'range'));
    scale.setAttribute('aria-invalid', String(read.field === 'scale'));
    if (!read.request) {
      wanted = undefined;
      showError(read.error);
      clearPreview();
      return;
    }
    const { trace: _trace, ...options } = read.request;
    const key = JSON.stringify(options);
    if (wanted ? wanted.key === key : shown?.key === key) return;
    wanted = { request: read.request, key };
    showError(undefined);
    downloadButton.disabled = true;
    status.textContent = 'Rendering…';
    if (!busy) void renderWanted();
  }

  /** Asks the host for the latest wanted export; one request at a time, and only the latest answer is shown. */
  async function renderWanted(): Promise<void> {
    busy = true;
    try {
      while (wanted) {
        const asked = wanted;
        const askedIn = generation;
        let outcome: { rendered?: Rendered; error?: string };
        try {
          outcome = { rendered: await render(asked.request, asked.key) };
        } catch (thrown) {
          outcome = { error: (thrown as Error).message };
        }
        // A newer request or another opening replaced this one while it rendered: show nothing of it.
        if (askedIn !== generation || wanted !== asked) continue;
        wanted = undefined;
        if (outcome.rendered) show(outcome.rendered);
        else {
          showError(outcome.error);
          clearPreview();
        }
      }
    } finally {
      busy = false;
    }
  }

  async function render(request: ExportRequest, key: string): Promise<Rendered> {
    // A PDF cannot be shown in an <img>: the preview shows the SVG it is drawn from, the download is the PDF.
    const [file, picture] = await Promise.all([
      api.request('exportTrace', request),
      request.format === 'pdf' ? api.request('exportTrace', { ...request, format: 'svg' }) : undefined,
    ]);
    return { request, key, file, preview: picture ?? file };
  }

  function show(rendered: Rendered): void {
    shown = rendered;
    const { file, preview: seen } = rendered;
    fileName.textContent = trace ? exportFileName(trace, file.format, rendered.request.textbook ?? false, new Date()) : '';
    status.textContent = `${sizeText(file.bytes)}${file.format === 'pdf' ? ' · the PDF draws this picture as vectors, with searchable text' : ''}`;
    if (seen.format === 'svg' || seen.format === 'png') showPicture(seen);
    else if (seen.format === 'html') showPage(seen.data);
    // Packets are no picture: say what the file is and what opens it (its own comment says what was rebuilt).
    else if (seen.format === 'pcapng')
      showText(
        'The session’s packets, rebuilt from the trace for Wireshark: download the file and open it in Wireshark, or read it with tshark -r FILE. ' +
          'Its comment (Statistics → Capture File Properties) says what was rebuilt and which Decode As shows FTP on this session’s ports.',
      );
    else showText(seen.data);
    downloadButton.disabled = false;
  }

  /** The preview's picture, frame and text: at most one of them is shown; the others are removed. */
  let image: HTMLImageElement | undefined;
  let frame: HTMLIFrameElement | undefined;

  function showPicture(result: ExportResult): void {
    frame?.remove();
    frame = undefined;
    text.hidden = true;
    text.textContent = '';
    if (!image) {
      image = doc.createElement('img');
      image.id = 'export-preview-image';
      preview.prepend(image);
    }
    image.src =
      result.encoding === 'base64'
        ? `data:${EXPORT_FORMAT_TABLE[result.format].mediaType};base64,${result.data}`
        : `data:image/svg+xml;charset=utf-8,${encodeURIComponent(result.data)}`;
    image.alt = `Preview of the exported ${result.format.toUpperCase()}${trace?.meta.title ? `: ${trace.meta.title}` : ''}`;
  }

  /**
   * The page in a new sandboxed frame of the preview page, which becomes the one document posted to it. The
   * frame's origin is opaque, so the message can only be addressed to '*'; it goes to this frame's window alone.
   */
  function showPage(html: string): void {
    image?.remove();
    image = undefined;
    frame?.remove();
    text.hidden = true;
    text.textContent = '';
    const next = doc.createElement('iframe');
    next.id = 'export-preview-frame';
    next.setAttribute('sandbox', EXPORT_PREVIEW_SANDBOX);
    next.title = 'Preview of the exported HTML page';
    next.addEventListener('load', () => next.contentWindow?.postMessage(html, '*'), { once: true });
    next.src = EXPORT_PREVIEW_PAGE;
    preview.prepend(next);
    frame = next;
  }

  function showText(painted: string): void {
    image?.remove();
    image = undefined;
    frame?.remove();
    frame = undefined;
    text.hidden = false;
    text.textContent =
      painted.length > PREVIEW_CHARS ? `${painted.slice(0, PREVIEW_CHARS)}\n… (${painted.length - PREVIEW_CHARS} more characters in the file)` : painted;
  }

  function clearPreview(): void {
    shown = undefined;
    image?.remove();
    image = undefined;
    frame?.remove();
    frame = undefined;
    text.hidden = true;
    text.textContent = '';
    fileName.textContent = '';
    status.textContent = '';
    downloadButton.disabled = true;
  }

  for (const input of [format, theme, notes, textbook, kernelStates, tcp, timeAxis, quiz]) input.addEventListener('change', update);
  for (const input of [from, to, scale]) input.addEventListener('input', update);
  downloadButton.addEventListener('click', () => {
    if (shown && trace)
      download(doc, exportBlob(shown.file), fileName.textContent || exportFileName(trace, shown.file.format, shown.request.textbook ?? false, new Date()));
  });
  closeButton.addEventListener('click', () => dialog.close());
  // Closed (the Close button or Escape): let go of the preview and of any answer still on its way.
  dialog.addEventListener('close', () => {
    generation += 1;
    wanted = undefined;
    clearPreview();
  });

  return {
    open(next, layers, axis = 'step', kinds = []) {
      generation += 1;
      if (layers) {
        kernelStates.checked = layers.kernelStates ?? false;
        tcp.checked = layers.tcp ?? false;
      }
      timeAxis.checked = axis === 'time';
      quizKinds = kinds.length > 0 ? kinds : QUESTION_KINDS;
      wanted = undefined;
      clearPreview();
      trace = next;
      traceText = JSON.stringify(next);
      steps = exportModel(next).steps;
      from.max = to.max = String(Math.max(1, steps));
      from.placeholder = '1';
      to.placeholder = String(steps);
      from.value = '';
      to.value = '';
      update();
      if (!dialog.open) dialog.showModal();
    },
  };
}
