// parseQuizKinds: the names `ftp-lab export --quiz-kinds` takes, groups and ids, each kind once, in the table's order.

import { describe, expect, it } from 'vitest';
import { parseQuizKinds, QUIZ_KIND_NAMES, QuizKindsError } from '../../../core/quiz/quizKindNames';
import { QUESTION_KINDS } from '../../../core/quiz/quizQuestion';

describe('parseQuizKinds', () => {
  it.each([
    { title: 'a short name', text: 'closes', kinds: ['data.close'] },
    { title: 'a group', text: 'replies', kinds: ['reply.1yz', 'reply.2yz', 'reply.3yz', 'reply.45yz'] },
    { title: 'names and ids, spaces and repeats, in the table order', text: ' 2yz, data.close ,closes,1yz', kinds: ['data.close', 'reply.1yz', 'reply.2yz'] },
    { title: 'all', text: 'all', kinds: [...QUESTION_KINDS] },
    { title: 'the transfer questions', text: 'kept-open,connects', kinds: ['data.keptOpen', 'data.connect'] },
  ])('$title', ({ text, kinds }) => {
    expect(parseQuizKinds(text)).toEqual(kinds);
  });

  it.each([
    { title: 'an unknown name, the choices named', text: 'closes,fins', message: /"fins" is not a kind of question: choose from all, closes, replies/ },
    { title: 'nothing named', text: ' , ', message: /^Name the kinds of question/ },
    { title: 'no property of Object', text: 'constructor', message: /"constructor" is not a kind/ },
  ])('refuses $title', ({ text, message }) => {
    expect(() => parseQuizKinds(text)).toThrow(QuizKindsError);
    expect(() => parseQuizKinds(text)).toThrow(message);
  });

  it('every kind has a name of its own besides its id', () => {
    const named = new Set(Object.entries(QUIZ_KIND_NAMES).flatMap(([name, kinds]) => (name === 'all' || name === 'replies' ? [] : kinds)));
    expect([...named].sort()).toEqual([...QUESTION_KINDS].sort());
  });
});
