// File → Export: a modal dialog that paints the trace with core/diagram's painters (the same ones the CLI's
// `ftp-lab export` uses) and shows what the file will hold before it is downloaded. The SVG preview is an
// <img> with a data: URL (the page's CSP allows data: images; the SVG's own <style> would be refused inline);
// the text formats fill a <pre> through textContent, so nothing from the trace is ever parsed as markup.
// PNG and PDF need the host's renderers (resvg, PDFKit): the dialog names the CLI for them.

import { exportModel, StepRangeError, type StepRange } from '../core/diagram/layout/exportModel';
import type { ThemeName } from '../core/diagram/painters/palette';
import { TEXT_EXPORTS, type TextFormat } from '../core/diagram/painters/textExports';
import type { TraceFile } from '../core/trace/traceEvent';
import { byId } from './dom';
import { download, traceFileName } from './traceFiles';

/** The formats the page can paint itself: the text ones (PNG and PDF need the host's renderers). */
export type DialogFormat = TextFormat;

/** The most of a text export the preview shows (the download is always whole). */
const PREVIEW_CHARS = 200_000;

export interface ExportChoice {
  readonly format: DialogFormat;
  readonly theme: ThemeName;
  readonly notes: boolean;
  readonly range?: StepRange;
}

/** The export's text, painted as `ftp-lab export` paints it. Throws StepRangeError for a range the trace lacks. */
export function renderExportText(trace: TraceFile, choice: ExportChoice): string {
  return TEXT_EXPORTS[choice.format].paint(trace, {
    theme: choice.theme,
    ...(choice.notes ? { notes: true } : {}),
    ...(choice.range ? { range: choice.range } : {}),
  });
}

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

export interface ExportDialog {
  /** Opens the dialog on the given trace (the whole trace, as recorded so far). */
  open(trace: TraceFile): void;
}

export function createExportDialog(doc: Document): ExportDialog {
  const dialog = byId<HTMLDialogElement>(doc, 'export-dialog');
  const format = byId<HTMLSelectElement>(doc, 'export-format');
  const theme = byId<HTMLSelectElement>(doc, 'export-theme');
  const notes = byId<HTMLInputElement>(doc, 'export-notes');
  const from = byId<HTMLInputElement>(doc, 'export-from');
  const to = byId<HTMLInputElement>(doc, 'export-to');
  const rangeHint = byId(doc, 'export-range-hint');
  const error = byId(doc, 'export-error');
  const fileName = byId(doc, 'export-file-name');
  const preview = byId(doc, 'export-preview');
  const text = byId<HTMLPreElement>(doc, 'export-preview-text');
  const downloadButton = byId<HTMLButtonElement>(doc, 'export-download');
  const closeButton = byId<HTMLButtonElement>(doc, 'export-close');

  let trace: TraceFile | undefined;
  let steps = 0;
  let content: { readonly text: string; readonly name: string; readonly type: string } | undefined;

  const choice = (): { choice?: ExportChoice; error?: string } => {
    const read = readRange(from.value, to.value, steps);
    if (read.error !== undefined) return { error: read.error };
    return {
      choice: {
        format: format.value as DialogFormat,
        theme: theme.value === 'dark' ? 'dark' : 'light',
        notes: notes.checked,
        ...(read.range ? { range: read.range } : {}),
      },
    };
  };

  const showError = (sentence: string | undefined) => {
    error.hidden = sentence === undefined;
    error.textContent = sentence ?? '';
  };

  function update(): void {
    content = undefined;
    downloadButton.disabled = true;
    const f = format.value as DialogFormat;
    // Which options the format takes: JSON is the trace itself, whole; the player always shows the narration.
    theme.disabled = f === 'json';
    notes.disabled = f === 'json' || f === 'html';
    from.disabled = to.disabled = f === 'json';
    rangeHint.textContent = f === 'json' ? 'JSON: the trace stays whole.' : `${steps} steps; leave blank for all.`;
    if (!trace) return;
    const read = choice();
    from.setAttribute('aria-invalid', String(read.error !== undefined));
    to.setAttribute('aria-invalid', String(read.error !== undefined));
    if (!read.choice) {
      showError(read.error);
      showPreview(undefined, f);
      return;
    }
    let painted: string;
    try {
      painted = renderExportText(trace, read.choice);
    } catch (thrown) {
      if (!(thrown instanceof StepRangeError)) throw thrown;
      showError(thrown.message);
      showPreview(undefined, f);
      return;
    }
    showError(undefined);
    const name = traceFileName(trace, new Date()).replace(/\.trace\.json$/, TEXT_EXPORTS[f].extension);
    content = { text: painted, name, type: TEXT_EXPORTS[f].mediaType };
    fileName.textContent = name;
    showPreview(painted, f);
    downloadButton.disabled = false;
  }

  /** The SVG preview's <img>, made only while an SVG is shown (the page holds no image otherwise). */
  let image: HTMLImageElement | undefined;

  function showPreview(painted: string | undefined, f: DialogFormat): void {
    const picture = f === 'svg' && painted !== undefined;
    text.hidden = picture || painted === undefined;
    if (picture) {
      if (!image) {
        image = doc.createElement('img');
        image.id = 'export-preview-image';
        preview.prepend(image);
      }
      image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(painted)}`;
      image.alt = `Preview of the exported diagram${trace?.meta.title ? `: ${trace.meta.title}` : ''}`;
      text.textContent = '';
    } else {
      image?.remove();
      image = undefined;
      const shown = painted ?? '';
      text.textContent =
        shown.length > PREVIEW_CHARS ? `${shown.slice(0, PREVIEW_CHARS)}\n… (${shown.length - PREVIEW_CHARS} more characters in the file)` : shown;
    }
    if (painted === undefined) fileName.textContent = '';
  }

  for (const input of [format, theme, notes]) input.addEventListener('change', update);
  for (const input of [from, to]) input.addEventListener('input', update);
  downloadButton.addEventListener('click', () => {
    if (content) download(doc, new Blob([content.text], { type: content.type }), content.name);
  });
  closeButton.addEventListener('click', () => dialog.close());
  // Closed (the Close button or Escape): let go of the preview, the picture above all.
  dialog.addEventListener('close', () => {
    showPreview(undefined, 'json');
    content = undefined;
  });

  return {
    open(next) {
      trace = next;
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
