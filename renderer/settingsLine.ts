// The run's settings after the session's title in the header (" · STREAM mode · active · TYPE I"), leaving out
// what would answer a question the quiz is set to ask: the header is on the wall while the class predicts.

import { dataModesOf, dataModesText } from '../core/diagram/layout/traceSurvey';
import { transferModes } from '../core/protocol/transferModes';
import type { QuestionKindId } from '../core/quiz/quizQuestion';
import type { TraceEvent, TransferMode } from '../core/trace/traceEvent';

interface RunSettings {
  readonly passive?: boolean;
  readonly type?: string;
  readonly mode?: string;
}

/**
 * The line's parts in order, each with the quiz kinds whose answer it states. Active or passive says who connects
 * to whom (959 §3.2: in active mode the server connects). The transfer mode is in the keep-open question's own words.
 */
const PARTS: readonly { readonly answers: readonly QuestionKindId[]; text(settings: RunSettings, events: readonly TraceEvent[]): string }[] = [
  { answers: [], text: (s) => `${transferModes[(s.mode ?? 'S') as TransferMode]?.name ?? s.mode} mode` },
  {
    answers: ['data.connect'],
    // As the data connections actually opened (a scenario may use both), else as asked.
    text: (s, events) => {
      const opened = dataModesOf(events);
      return opened.length ? dataModesText(opened) : s.passive ? 'passive' : 'active';
    },
  },
  { answers: [], text: (s) => `TYPE ${s.type ?? 'I'}` },
];

/** The settings part of the header's title, empty for a trace without them (a capture, a watched server). */
export function settingsLine(meta: Record<string, unknown>, events: readonly TraceEvent[], quizKinds: readonly QuestionKindId[]): string {
  const settings = meta.settings as RunSettings | undefined;
  if (!settings) return '';
  return PARTS.filter((part) => !part.answers.some((kind) => quizKinds.includes(kind)))
    .map((part) => ` · ${part.text(settings, events)}`)
    .join('');
}
