// The quiz's settings in the sidebar: on or off, and which kinds of step it asks before (one checkbox per row
// of core/quiz's table, so a new kind of question gets its checkbox without touching the page).

import { questionKinds } from '../core/quiz/questionKinds.table';
import type { QuestionKindId } from '../core/quiz/quizQuestion';
import { element } from './dom';

export interface QuizSettings {
  /** The kinds the quiz asks before; none while it is off. */
  kinds(): readonly QuestionKindId[];
  onChange(listener: (kinds: readonly QuestionKindId[]) => void): void;
}

export function createQuizSettings(on: HTMLInputElement, kindsBox: HTMLElement): QuizSettings {
  const doc = kindsBox.ownerDocument;
  const boxes = questionKinds.map((kind) => {
    const box = element(doc, 'input', { attrs: { type: 'checkbox', value: kind.id } });
    box.checked = true;
    kindsBox.append(element(doc, 'label', { className: 'check' }, [box, doc.createTextNode(` ${kind.title}`)]));
    return { id: kind.id, box };
  });
  const listeners: ((kinds: readonly QuestionKindId[]) => void)[] = [];
  const kinds = () => (on.checked ? boxes.filter((b) => b.box.checked).map((b) => b.id) : []);
  const changed = () => {
    kindsBox.classList.toggle('off', !on.checked);
    for (const listener of listeners) listener(kinds());
  };
  on.addEventListener('change', changed);
  for (const { box } of boxes) box.addEventListener('change', changed);
  kindsBox.classList.toggle('off', !on.checked);
  return {
    kinds,
    onChange: (listener) => void listeners.push(listener),
  };
}
