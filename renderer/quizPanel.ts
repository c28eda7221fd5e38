// The quiz card above the diagram: the question and its numbered choices (keys 1–4 or a click), then the
// reveal: right or not, the right answer, and the step's narration (the one source, narrationFor); the
// session's score throughout. All text through textContent.

import type { Narration } from '../core/scenarios/narration';
import { element } from './dom';
import type { PlaybackSnapshot } from './playbackView';

export interface QuizPanel {
  /** `narration`: what "What happened" says of the current step (for the reveal). */
  render(snapshot: PlaybackSnapshot, narration: Narration | undefined): void;
  onAnswer(listener: (choice: number) => void): void;
}

const scoreText = ({ asked, right }: PlaybackSnapshot['score']) => (asked === 0 ? 'Quiz: no questions yet' : `Score: ${right} of ${asked} right`);

export function createQuizPanel(card: HTMLElement): QuizPanel {
  const doc = card.ownerDocument;
  const listeners: ((choice: number) => void)[] = [];
  let shownKey = '';
  return {
    onAnswer: (listener) => void listeners.push(listener),
    render(snapshot, narration) {
      const { question, reveal, score, quizOn, trace } = snapshot;
      const visible = quizOn && trace !== undefined;
      const key = JSON.stringify([visible, question, reveal, score, narration]);
      if (key === shownKey) return;
      shownKey = key;
      card.hidden = !visible;
      card.className = `quiz${question ? ' asking' : reveal ? (reveal.chosen === reveal.question.answer ? ' revealed right' : ' revealed wrong') : ''}`;
      const head = element(doc, 'p', { className: 'quiz-score', text: scoreText(score) });
      if (question) {
        const choices = question.choices.map((choice, i) => {
          const button = element(doc, 'button', { className: 'quiz-choice', attrs: { type: 'button', 'data-choice': String(i) } }, [
            element(doc, 'kbd', { text: String(i + 1) }),
            element(doc, 'span', { text: choice }),
          ]);
          button.addEventListener('click', () => listeners.forEach((listener) => listener(i)));
          return button;
        });
        card.replaceChildren(
          head,
          element(doc, 'p', { className: 'quiz-prompt', text: question.prompt }),
          element(doc, 'div', { className: 'quiz-choices', attrs: { role: 'group', 'aria-label': 'Choices' } }, choices),
        );
        return;
      }
      if (reveal) {
        const right = reveal.question.choices[reveal.question.answer] ?? '';
        const chosen = reveal.question.choices[reveal.chosen] ?? '';
        const verdict = reveal.chosen === reveal.question.answer ? `Right: ${right}.` : `Not this time: you chose ${chosen}; the answer is ${right}.`;
        card.replaceChildren(
          head,
          element(doc, 'p', { className: 'quiz-prompt', text: reveal.question.prompt }),
          element(doc, 'p', { className: 'quiz-verdict', text: verdict }),
          // The textbook's correction, where there is one, stays where it is told already: "What happened" beside the
          // diagram (and presenter mode's caption, which tells the narration too).
          ...(narration
            ? [element(doc, 'p', { className: 'quiz-narration', text: narration.rfc ? `${narration.text} (RFC ${narration.rfc})` : narration.text })]
            : []),
        );
        return;
      }
      card.replaceChildren(
        head,
        element(doc, 'p', { className: 'quiz-waiting', text: 'Step on: the next question comes before a step of a kind chosen on the left.' }),
      );
    },
  };
}
