// The quiz's kinds by the names a command line takes (`ftp-lab export --quiz-kinds closes,2yz`): a few short
// names and groups, and each kind's own id; parseQuizKinds reads such a list.

import { QUESTION_KINDS, type QuestionKindId } from './quizQuestion';

/** Short names and groups, in the order `--help` lists them. */
export const QUIZ_KIND_NAMES: Readonly<Record<string, readonly QuestionKindId[]>> = {
  all: QUESTION_KINDS,
  closes: ['data.close'],
  replies: ['reply.1yz', 'reply.2yz', 'reply.3yz', 'reply.45yz'],
  '1yz': ['reply.1yz'],
  '2yz': ['reply.2yz'],
  '3yz': ['reply.3yz'],
  '45yz': ['reply.45yz'],
  'kept-open': ['data.keptOpen'],
  connects: ['data.connect'],
};

export class QuizKindsError extends Error {
  override readonly name = 'QuizKindsError';
}

/** The kinds a comma-separated list names, in the table's order, each once; a QuizKindsError naming the choices for a name it does not know. */
export function parseQuizKinds(text: string): QuestionKindId[] {
  const wanted = new Set<QuestionKindId>();
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new QuizKindsError(`Name the kinds of question: ${Object.keys(QUIZ_KIND_NAMES).join(', ')}.`);
  for (const name of names) {
    const kinds = Object.hasOwn(QUIZ_KIND_NAMES, name)
      ? QUIZ_KIND_NAMES[name]
      : QUESTION_KINDS.find((id) => id === name)
        ? [name as QuestionKindId]
        : undefined;
    if (!kinds)
      throw new QuizKindsError(
        `"${name}" is not a kind of question: choose from ${Object.keys(QUIZ_KIND_NAMES).join(', ')} (or ${QUESTION_KINDS.join(', ')}).`,
      );
    for (const kind of kinds) wanted.add(kind);
  }
  return QUESTION_KINDS.filter((kind) => wanted.has(kind));
}
