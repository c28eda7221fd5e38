// A predict-then-reveal question: asked before a step of a trace is shown, answered from that step itself.

/** The kinds of step a teacher can have the quiz stop before (questionKinds.table.ts says how each is asked). */
export const QUESTION_KINDS = ['data.close', 'reply.1yz', 'reply.2yz', 'reply.3yz', 'reply.45yz', 'data.keptOpen', 'data.connect'] as const;
export type QuestionKindId = (typeof QUESTION_KINDS)[number];

export interface QuizQuestion {
  readonly kind: QuestionKindId;
  /** The trace event whose step the question stops before: what it shows is the answer. */
  readonly seq: number;
  readonly prompt: string;
  /** Two to four, in an order that does not give the answer away (codes in numeric order). */
  readonly choices: readonly string[];
  /** Index of the right choice. */
  readonly answer: number;
}

/** How a session's quiz stands: questions answered, and how many of them right. */
export interface QuizScore {
  readonly asked: number;
  readonly right: number;
}

export const noScore: QuizScore = { asked: 0, right: 0 };
