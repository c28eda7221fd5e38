// The quiz's questions, asked of real traces (the built-in scenarios' fixtures): each is asked before the step
// that answers it, its choices come from the protocol tables, and its right answer is what the trace shows.

import { describe, expect, it } from 'vitest';
import { layoutTrace } from '../../../core/diagram/layout/layout';
import { questionBefore, questionKinds } from '../../../core/quiz/questionKinds.table';
import { QUESTION_KINDS, type QuizQuestion } from '../../../core/quiz/quizQuestion';
import type { TraceFile } from '../../../core/trace/traceEvent';
import { fixtures } from '../diagram/fixtures';

/** Every question a replay of `file` asks, step by step (the diagram's rows), with the event it stops before. */
function questionsOf(file: TraceFile, kinds = QUESTION_KINDS as readonly (typeof QUESTION_KINDS)[number][]) {
  const rows = layoutTrace(file.events, { title: 'quiz' }).rows;
  const scenario = typeof file.meta.scenario === 'string' ? file.meta.scenario : undefined;
  return rows.flatMap((row) => {
    const question = questionBefore(file.events, row.seq, kinds, scenario);
    return question ? [{ question, event: file.events.find((e) => e.seq === row.seq)! }] : [];
  });
}

const right = (q: QuizQuestion) => q.choices[q.answer];

describe('the textbook upload (active mode, STREAM, STOR), every kind asked', () => {
  const asked = questionsOf(fixtures.textbookUpload);
  const bySeq = new Map(asked.map(({ question }) => [question.seq, question]));

  it.each([
    {
      title: 'the greeting: 220, beside the other first replies 959 §5.4 allows',
      seq: 2,
      kind: 'reply.2yz',
      choices: ['120', '220', '230', '421'],
      right: '220',
    },
    { title: 'USER: 331, beside 332 (the other 3yz) and 230, 530', seq: 11, kind: 'reply.3yz', choices: ['230', '331', '332', '530'], right: '331' },
    { title: "PORT: 200, with the textbook's 150 among the choices", seq: 45, kind: 'reply.2yz', choices: ['150', '200', '227', '500'], right: '200' },
    { title: "STOR: 150, with the textbook's 250 among the choices", seq: 52, kind: 'reply.1yz', choices: ['125', '150', '226', '250'], right: '150' },
    { title: 'the data connection: the server connects to the client (active)', seq: 55, kind: 'data.connect', right: 'The server connects to the client' },
    { title: 'after a STREAM transfer the data connection is closed', seq: 57, kind: 'data.keptOpen', right: 'It is closed' },
    { title: "the upload's end of file: the client sends the first FIN", seq: 62, kind: 'data.close', right: 'The client' },
    {
      title: 'after 150, the reply that ends STOR: 226, beside 250 and the failures',
      seq: 68,
      kind: 'reply.2yz',
      choices: ['226', '250', '425', '426'],
      right: '226',
    },
    { title: 'QUIT: 221', seq: 77, kind: 'reply.2yz', right: '221' },
  ])('$title', ({ seq, kind, choices, right: expected }) => {
    const question = bySeq.get(seq)!;
    expect(question, `a question before event ${seq}`).toBeDefined();
    expect(question.kind).toBe(kind);
    if (choices) expect(question.choices).toEqual(choices);
    expect(right(question)).toBe(expected);
  });

  it('asks only before the steps of its kinds: no question before a command, a listen or the control connection', () => {
    const kinds = new Set(asked.map(({ event }) => event.type));
    expect([...kinds].sort()).toEqual(['data.transfer', 'ftp.reply', 'tcp.accept', 'tcp.fin']);
    // The server's FIN on D1 answers the client's: only the first FIN of a data connection asks.
    expect(asked.filter(({ question }) => question.kind === 'data.close').map(({ question }) => question.seq)).toEqual([62]);
  });

  it('the teacher chooses the kinds: only closes and 1yz/2yz replies', () => {
    const some = questionsOf(fixtures.textbookUpload, ['data.close', 'reply.1yz', 'reply.2yz']);
    expect(new Set(some.map(({ question }) => question.kind))).toEqual(new Set(['data.close', 'reply.1yz', 'reply.2yz']));
    expect(some.some(({ question }) => question.seq === 11)).toBe(false);
    expect(questionsOf(fixtures.textbookUpload, [])).toEqual([]);
  });

  it("outside the textbook scenario, the textbook's codes are offered only where a learner mixes them up anyway", () => {
    const file = { ...fixtures.textbookUpload, meta: { ...fixtures.textbookUpload.meta, scenario: 'passive-vs-active' } };
    expect(questionBefore(file.events, 45, ['reply.2yz'], 'passive-vs-active')!.choices).toEqual(['150', '200', '227', '500']);
    expect(questionBefore(file.events, 52, ['reply.1yz'], 'passive-vs-active')!.choices).toEqual(['125', '150', '226', '250']);
  });
});

describe('other scenarios', () => {
  it('a passive download: the client connects, the server closes first (its end of file)', () => {
    const asked = questionsOf(fixtures.download, ['data.connect', 'data.close', 'data.keptOpen']);
    expect(asked.map(({ question }) => [question.kind, right(question)])).toEqual([
      ['data.connect', 'The client connects to the server'],
      ['data.keptOpen', 'It is closed'],
      ['data.close', 'The server'],
    ]);
  });

  it('BLOCK mode, three RETRs on one data connection: it stays open each time, asked at each transfer’s first record (its EOF marker)', () => {
    const asked = questionsOf(fixtures.blockReuse, ['data.keptOpen', 'data.close']);
    expect(asked.map(({ question, event }) => [question.kind, event.type, right(question)])).toEqual([
      ['data.keptOpen', 'data.marker', 'It stays open for the next transfer'],
      ['data.keptOpen', 'data.marker', 'It stays open for the next transfer'],
      ['data.keptOpen', 'data.marker', 'It stays open for the next transfer'],
      // At QUIT the server closes D1 too.
      ['data.close', 'tcp.fin', 'The server'],
    ]);
    const replies = questionsOf(fixtures.blockReuse, ['reply.1yz', 'reply.2yz']).map(({ question }) => question);
    // A later RETR on the open connection gets 125; each ends with 250 (the connection stays open, 959 §5.2).
    expect(replies.filter((q) => right(q) === '125')).toHaveLength(2);
    expect(replies.filter((q) => right(q) === '250').every((q) => q.choices.includes('226'))).toBe(true);
  });

  it("a server's own trace (curl against the watched server): refusals asked too, the replies answering each session's own commands", () => {
    const asked = questionsOf(fixtures.serveCurl, ['reply.45yz', 'reply.2yz']);
    const refusal = asked.find(({ question }) => question.kind === 'reply.45yz')!.question;
    expect(right(refusal)).toBe('530');
    expect(refusal.prompt).toBe('Which reply does the server send next, to PASS?');
    // The second session's greeting answers no command.
    expect(asked.find(({ question }) => question.seq === 16)!.question.prompt).toMatch(/^A client has connected/);
  });

  it('a live trace asks about a transfer only once its own record is there to answer it', () => {
    const marker = fixtures.blockReuse.events.find((e) => e.type === 'data.marker')!;
    const upToMarker = fixtures.blockReuse.events.filter((e) => e.seq <= marker.seq);
    expect(questionBefore(upToMarker, marker.seq, ['data.keptOpen'], undefined)).toBeUndefined();
    expect(questionBefore(fixtures.blockReuse.events, marker.seq, ['data.keptOpen'], undefined)).toBeDefined();
  });

  it.each(Object.entries(fixtures))('%s: every question has 2–4 distinct choices, and its right answer is what the step shows', (_name, file) => {
    const asked = questionsOf(file);
    expect(asked.length).toBeGreaterThan(3);
    for (const { question, event } of asked) {
      expect(question.choices.length).toBeGreaterThanOrEqual(2);
      expect(question.choices.length).toBeLessThanOrEqual(4);
      expect(new Set(question.choices).size).toBe(question.choices.length);
      expect(question.seq).toBe(event.seq);
      if (event.type === 'ftp.reply') expect(right(question)).toBe(String(event.code));
      if (event.type === 'tcp.fin') expect(right(question)).toBe(event.side === 'client' ? 'The client' : 'The server');
    }
  });

  it('the table has one row per kind, each with a checkbox title', () => {
    expect(questionKinds.map((k) => k.id)).toEqual([...QUESTION_KINDS]);
    expect(questionKinds.every((k) => k.title.length > 0)).toBe(true);
  });
});
