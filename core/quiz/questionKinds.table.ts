// The quiz's question kinds, one row each: which trace event asks it, and how its choices and right answer are
// made from the trace and the protocol tables (reply sequences, the textbook's own codes, transfer modes).
// Pure: the playback asks it of the step it is about to show, live or replayed.

import { replySequenceOf } from '../protocol/replySequences.table';
import { transferModes } from '../protocol/transferModes';
import { textbookSteps } from '../scenarios/textbookComparison';
import type { FtpReplyEvent, TraceEvent } from '../trace/traceEvent';
import { otherSide } from '../trace/sides';
import type { QuestionKindId, QuizQuestion } from './quizQuestion';

export interface QuestionKind {
  readonly id: QuestionKindId;
  /** The teacher's checkbox. */
  readonly title: string;
  /** The question before `events[index]`, or undefined when that event does not ask it (or its answer is not recorded yet). */
  ask(events: readonly TraceEvent[], index: number, scenario: string | undefined): QuizQuestion | undefined;
}

const MAX_CHOICES = 4;

/** The nearest event before `index` that `test` accepts. */
function lastBefore(events: readonly TraceEvent[], index: number, test: (event: TraceEvent) => boolean): TraceEvent | undefined {
  for (let i = index - 1; i >= 0; i--) if (test(events[i]!)) return events[i];
  return undefined;
}

const onConn = (conn: string) => (e: TraceEvent) => 'conn' in e && e.conn === conn;

/** 1yz, 2yz, 3yz, or a refusal (4yz and 5yz together: both say no). */
function replyKindOf(code: number): QuestionKindId {
  const digit = Math.floor(code / 100);
  return digit === 1 ? 'reply.1yz' : digit === 2 ? 'reply.2yz' : digit === 3 ? 'reply.3yz' : 'reply.45yz';
}

/**
 * Which reply comes next: the right code, the textbook's wrong one where it has one for this step, the command's
 * other codes of the same class, codes a learner mixes up with it, then the others the command may get at this
 * point of its sequence (959 §5.4).
 */
function replyQuestion(events: readonly TraceEvent[], index: number, scenario: string | undefined, reply: FtpReplyEvent): QuizQuestion {
  const command = lastBefore(events, index, (e) => e.type === 'ftp.command' && e.conn === reply.conn);
  const verb = command?.type === 'ftp.command' ? command.verb : undefined;
  const sequence = replySequenceOf(verb);
  // A 1yz since the command: this reply ends it (226 or 250 after 150, or a failure).
  const since = command ? events.indexOf(command) : -1;
  const preliminary = events.slice(since + 1, index).some((e) => e.type === 'ftp.reply' && e.conn === reply.conn && e.code < 200);
  const stage = preliminary ? (sequence.afterPreliminary ?? sequence.first) : sequence.first;
  const textbook =
    scenario === 'textbook-upload'
      ? textbookSteps.filter((s) => s.textbookCode !== undefined && s.match?.code === reply.code && (!s.match.after || s.match.after === verb))
      : [];
  const candidates = [
    ...textbook.map((s) => s.textbookCode!),
    ...stage.filter((code) => Math.floor(code / 100) === Math.floor(reply.code / 100)),
    // The mix-ups belong to a command's first reply (PORT's 200 is not PASV's 227); after a 1yz, its own sequence says it all.
    ...(preliminary ? [] : (sequence.confusedWith ?? [])),
    ...stage,
  ];
  const codes = [reply.code];
  for (const code of candidates) if (codes.length < MAX_CHOICES && !codes.includes(code)) codes.push(code);
  codes.sort((a, b) => a - b);
  return {
    kind: replyKindOf(reply.code),
    seq: reply.seq,
    prompt: verb ? `Which reply does the server send next, to ${verb}?` : 'A client has connected. Which reply does the server send first?',
    choices: codes.map(String),
    answer: codes.indexOf(reply.code),
  };
}

const replyKind = (id: QuestionKindId, title: string): QuestionKind => ({
  id,
  title,
  ask(events, index, scenario) {
    const event = events[index]!;
    if (event.type !== 'ftp.reply' || replyKindOf(event.code) !== id) return undefined;
    return replyQuestion(events, index, scenario, event);
  },
});

export const questionKinds: readonly QuestionKind[] = [
  {
    id: 'data.close',
    title: 'Who closes the data connection (its first FIN)',
    ask(events, index) {
      const event = events[index]!;
      if (event.type !== 'tcp.fin' || event.channel !== 'data') return undefined;
      if (lastBefore(events, index, (e) => e.type === 'tcp.fin' && onConn(event.conn)(e))) return undefined;
      const sides = ['client', 'server'] as const;
      return {
        kind: 'data.close',
        seq: event.seq,
        prompt: `Who closes data connection ${event.conn} first: who sends its first FIN?`,
        choices: ['The client', 'The server'],
        // The FIN's sender is in `side` on both ends' records.
        answer: sides.indexOf(event.side),
      };
    },
  },
  replyKind('reply.1yz', 'Replies 1yz (preliminary: 125, 150)'),
  replyKind('reply.2yz', 'Replies 2yz (completion: 200, 226, 250 …)'),
  replyKind('reply.3yz', 'Replies 3yz (intermediate: 331, 350)'),
  replyKind('reply.45yz', 'Replies 4yz and 5yz (refusals)'),
  {
    id: 'data.keptOpen',
    title: 'Does the data connection stay open after a transfer',
    ask(events, index) {
      const event = events[index]!;
      if ((event.type !== 'data.transfer' && event.type !== 'data.marker') || event.channel !== 'data') return undefined;
      // The first record of a transfer: none of this connection's before it, or the last one ended a transfer.
      const previous = lastBefore(events, index, (e) => (e.type === 'data.transfer' || e.type === 'data.marker') && onConn(event.conn)(e));
      if (previous?.type === 'data.marker') return undefined;
      // The answer is the transfer's own record; a transfer cut short (ABOR, a reset) asks nothing.
      const transfer = events.slice(index).find((e) => e.type === 'data.transfer' && e.conn === event.conn);
      if (transfer?.type !== 'data.transfer' || !transfer.complete) return undefined;
      const mode = transferModes[transfer.mode];
      return {
        kind: 'data.keptOpen',
        seq: event.seq,
        prompt: `A file is about to travel on data connection ${event.conn} in ${mode.name} mode. When it is all there, does ${event.conn} stay open?`,
        choices: ['It stays open for the next transfer', 'It is closed'],
        answer: transfer.keptOpen === true ? 0 : 1,
      };
    },
  },
  {
    id: 'data.connect',
    title: 'Who connects to whom (active or passive)',
    ask(events, index) {
      const event = events[index]!;
      if ((event.type !== 'tcp.connect' && event.type !== 'tcp.accept') || event.channel !== 'data') return undefined;
      if (lastBefore(events, index, (e) => (e.type === 'tcp.connect' || e.type === 'tcp.accept') && onConn(event.conn)(e))) return undefined;
      const initiator = event.type === 'tcp.connect' ? event.side : otherSide(event.side);
      return {
        kind: 'data.connect',
        seq: event.seq,
        prompt: `Data connection ${event.conn} is about to open. Who connects to whom?`,
        choices: ['The client connects to the server', 'The server connects to the client'],
        answer: initiator === 'client' ? 0 : 1,
      };
    },
  },
];

/** The index of the event with this seq (a trace is in seq order). */
function indexOfSeq(events: readonly TraceEvent[], seq: number): number {
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = events[mid]!.seq;
    if (at === seq) return mid;
    if (at < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The question to ask before the step that shows event `seq`, of the kinds the teacher chose; undefined if none asks. */
export function questionBefore(
  events: readonly TraceEvent[],
  seq: number,
  kinds: readonly QuestionKindId[],
  scenario: string | undefined,
): QuizQuestion | undefined {
  const index = indexOfSeq(events, seq);
  if (index < 0 || kinds.length === 0) return undefined;
  for (const kind of questionKinds) {
    if (!kinds.includes(kind.id)) continue;
    const question = kind.ask(events, index, scenario);
    if (question) return question;
  }
  return undefined;
}
