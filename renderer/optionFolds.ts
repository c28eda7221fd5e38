// The sidebar's folded option groups (<details class="fold" data-fold>): each folded heading says what is set
// inside it, so a breakpoint, a layer or the quiz is never on unseen, and a fold that opens scrolls into sight.

import type { SessionOptions } from '../core/api/labApi';
import type { DiagramLayers } from '../core/diagram/layout/layout';
import type { QuestionKindId } from '../core/quiz/quizQuestion';
import { transferModes } from '../core/protocol/transferModes';
import type { BreakpointSet } from './breakpoints';

/** What the sidebar holds, as the panels read it back. */
export interface OptionValues {
  readonly session: SessionOptions;
  readonly layers: DiagramLayers;
  readonly breakpoints: BreakpointSet;
  readonly quizKinds: readonly QuestionKindId[];
}

/** The words beside each fold's heading, by its data-fold name: short, a folded heading is one line on a laptop. */
export function foldStates(values: OptionValues): Readonly<Record<string, string>> {
  const { session, layers, breakpoints, quizKinds } = values;
  const shownLayers = [layers.kernelStates && 'kernel', layers.tcp && 'TCP'].filter(Boolean);
  // EPRT and EPSV are PORT's and PASV's RFC 2428 forms.
  const command = session.passive ? (session.extended ? 'EPSV' : 'PASV') : session.extended ? 'EPRT' : 'PORT';
  const mode = transferModes[session.mode ?? 'S'].name;
  const set = breakpoints.verbs.length + breakpoints.codes.length + breakpoints.events.length;
  return {
    layers: shownLayers.length ? shownLayers.join(', ') : 'off',
    // TYPE is left to the open group (and the header's settings line): with it the words took a second line. PORT or
    // PASV says who connects to whom: not while the quiz asks it (as the header's settings line, settingsLine.ts).
    transfer: quizKinds.includes('data.connect') ? mode : `${mode} · ${command}`,
    login: session.user ?? '',
    server: session.server ? `${session.server.host}:${session.server.port}` : 'built-in',
    breakpoints: set === 0 ? 'none' : `${set} set`,
    quiz: quizKinds.length > 0 ? 'on' : 'off',
  };
}

export interface OptionFolds {
  /** Rewrites the headings' words (after the panels changed a value themselves, e.g. a scenario's defaults). */
  refresh(): void;
}

export function createOptionFolds(form: HTMLFormElement, read: () => OptionValues): OptionFolds {
  const folds = [...form.querySelectorAll<HTMLDetailsElement>('details.fold[data-fold]')];
  const refresh = () => {
    const states = foldStates(read());
    for (const fold of folds) {
      const state = fold.querySelector(':scope > summary > .fold-state');
      if (state) state.textContent = states[fold.dataset.fold ?? ''] ?? '';
    }
  };
  // Listeners on the form run after the inputs' own (bubbling), so the panels have read the change first.
  form.addEventListener('input', refresh);
  form.addEventListener('change', refresh);
  for (const fold of folds)
    fold.addEventListener('toggle', () => {
      // Below the other folds' headings on a laptop, an opened group would otherwise start out of sight.
      if (fold.open) fold.scrollIntoView({ block: 'nearest' });
    });
  refresh();
  return { refresh };
}
