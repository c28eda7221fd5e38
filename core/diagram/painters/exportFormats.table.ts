// Every export format in one table: its file extensions, media type, how the app names it, and which options
// it takes. `ftp-lab export` reads it to parse --format and file names, the host to check an export request,
// and the app's Export dialog to fill its format menu and enable the options that apply. What paints each
// format is main/export/exportFormats.ts's one dispatch (core's painters, plus PNG and PDF from their SVG).

/**
 * The options an export can take; which apply depends on the format (the `takes` column). 'layers': the
 * diagram's optional layers, kernel TCP states and the TCP segments (--kernel-states, --tcp); 'axis': step or time (--axis);
 * 'quiz': predict, then reveal, in the player (--quiz, --quiz-kinds).
 */
export type ExportOptionName = 'theme' | 'notes' | 'range' | 'scale' | 'textbook' | 'layers' | 'axis' | 'quiz';

export interface ExportFormatRow {
  /** The file extension it is written with, dot included. */
  readonly extension: string;
  /** Other extensions that mean the same format (also as --format names, without the dot). */
  readonly aliases: readonly string[];
  readonly mediaType: string;
  /** What the app's format menu calls it. */
  readonly label: string;
  readonly takes: readonly ExportOptionName[];
}

export const EXPORT_FORMAT_TABLE = {
  svg: {
    extension: '.svg',
    aliases: [],
    mediaType: 'image/svg+xml',
    label: 'SVG picture (.svg)',
    takes: ['theme', 'notes', 'range', 'textbook', 'layers', 'axis'],
  },
  png: {
    extension: '.png',
    aliases: [],
    mediaType: 'image/png',
    label: 'PNG image (.png)',
    takes: ['theme', 'notes', 'range', 'scale', 'textbook', 'layers', 'axis'],
  },
  pdf: {
    extension: '.pdf',
    aliases: [],
    mediaType: 'application/pdf',
    label: 'PDF, searchable text (.pdf)',
    takes: ['theme', 'notes', 'range', 'textbook', 'layers', 'axis'],
  },
  mmd: {
    extension: '.mmd',
    aliases: ['.mermaid'],
    mediaType: 'text/plain',
    label: 'Mermaid sequenceDiagram (.mmd)',
    takes: ['theme', 'notes', 'range', 'layers'],
  },
  puml: { extension: '.puml', aliases: ['.plantuml', '.pu'], mediaType: 'text/plain', label: 'PlantUML (.puml)', takes: ['theme', 'notes', 'range', 'layers'] },
  // The player always shows the narration, beside the diagram rather than in it. The time axis (rows spaced by
  // real time, arrows slanted from the sender's record to the receiver's) is for the pictures and the player: Mermaid and PlantUML draw one arrow a row.
  html: {
    extension: '.html',
    aliases: ['.htm'],
    mediaType: 'text/html',
    label: 'HTML player (.html)',
    takes: ['theme', 'range', 'textbook', 'layers', 'axis', 'quiz'],
  },
  // The trace itself, whole: it opens again in the app and in `ftp-lab export`.
  json: { extension: '.json', aliases: [], mediaType: 'application/json', label: 'JSON trace (.json)', takes: [] },
  // The session's packets rebuilt for Wireshark (core/capture/): always the whole session.
  pcapng: { extension: '.pcapng', aliases: [], mediaType: 'application/x-pcapng', label: 'Wireshark capture (.pcapng)', takes: [] },
} as const satisfies Record<string, ExportFormatRow>;

export type ExportFormat = keyof typeof EXPORT_FORMAT_TABLE;

/** The format names, in the table's order (the order the app's menu and --help list them). */
export const EXPORT_FORMATS = Object.keys(EXPORT_FORMAT_TABLE) as [ExportFormat, ...ExportFormat[]];

export function exportFormatRow(format: ExportFormat): ExportFormatRow {
  return EXPORT_FORMAT_TABLE[format];
}

/** Whether a format takes an option (the textbook table, a scale, …). */
export function formatTakes(format: ExportFormat, option: ExportOptionName): boolean {
  return (EXPORT_FORMAT_TABLE[format].takes as readonly ExportOptionName[]).includes(option);
}

/** The formats that take an option, in table order. */
export function formatsTaking(option: ExportOptionName): ExportFormat[] {
  return EXPORT_FORMATS.filter((format) => formatTakes(format, option));
}

/**
 * The format a name stands for: a format name, an extension or an alias, with or without its dot, in any
 * case ('SVG', '.htm', 'mermaid'); undefined when none does.
 */
export function formatNamed(name: string): ExportFormat | undefined {
  const normal = name.toLowerCase().replace(/^\./, '');
  return EXPORT_FORMATS.find((format) => {
    const row: ExportFormatRow = EXPORT_FORMAT_TABLE[format];
    return format === normal || [row.extension, ...row.aliases].some((alias) => alias.replace(/^\./, '') === normal);
  });
}

/** The PNG scale's bounds: pixels per diagram pixel. */
export const PNG_SCALE = { min: 0.1, max: 8 } as const;
