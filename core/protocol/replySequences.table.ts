// Which replies each command may get, and in what order: RFC 959 §5.4's command-reply sequences (later
// commands from their own RFCs), the table the quiz draws a reply question's plausible codes from.

import { commandTable, canonicalVerb } from './commands.table';

export interface ReplySequence {
  /** The replies a command may get first: its success codes first, then the refusals (959 §5.4's order). */
  readonly first: readonly number[];
  /** After a 1yz preliminary reply: the replies that may end the command (959 §5.4, "(110) 226, 250 …"). */
  readonly afterPreliminary?: readonly number[];
  /** Codes a learner mixes up with this command's own: a sibling command's reply, the other completion. */
  readonly confusedWith?: readonly number[];
  readonly rfc: string;
}

/** 959 §5.4 "Connection Establishment": the server's greeting answers no command. */
export const greetingReplies: ReplySequence = { first: [220, 120, 421], confusedWith: [230], rfc: '959 §5.4' };

/** A command the table does not know (or this server does not implement) gets one of these. */
const unknownCommand: ReplySequence = { first: [500, 502, 501, 530], confusedWith: [200], rfc: '959 §5.4' };

const storeLike: ReplySequence = {
  first: [125, 150, 532, 450, 452, 553, 500, 501, 421, 530],
  afterPreliminary: [226, 250, 425, 426, 451, 551, 552],
  confusedWith: [226, 250, 200],
  rfc: '959 §5.4',
};
const listLike: ReplySequence = {
  first: [125, 150, 450, 500, 501, 502, 421, 530],
  afterPreliminary: [226, 250, 425, 426, 451],
  confusedWith: [226, 250, 200],
  rfc: '959 §5.4',
};
const parameter: ReplySequence = { first: [200, 500, 501, 504, 421, 530], confusedWith: [250, 150], rfc: '959 §5.4' };

const sequences: Readonly<Record<string, ReplySequence>> = {
  USER: { first: [230, 530, 500, 501, 421, 331, 332], rfc: '959 §5.4' },
  PASS: { first: [230, 202, 530, 500, 501, 503, 421, 332], confusedWith: [331], rfc: '959 §5.4' },
  ACCT: { first: [230, 202, 530, 500, 501, 503, 421], rfc: '959 §5.4' },
  CWD: { first: [250, 500, 501, 502, 421, 530, 550], confusedWith: [200, 257], rfc: '959 §5.4' },
  CDUP: { first: [200, 500, 501, 502, 421, 530, 550], confusedWith: [250, 257], rfc: '959 §5.4' },
  QUIT: { first: [221, 500], confusedWith: [226, 421], rfc: '959 §5.4' },
  PORT: { first: [200, 500, 501, 421, 530], confusedWith: [227, 150], rfc: '959 §5.4' },
  EPRT: { first: [200, 522, 500, 501], confusedWith: [229, 150], rfc: '2428 §2' },
  PASV: { first: [227, 500, 501, 502, 421, 530], confusedWith: [229, 200], rfc: '959 §5.4' },
  EPSV: { first: [229, 500, 501, 502, 522], confusedWith: [227, 200], rfc: '2428 §3' },
  MODE: parameter,
  TYPE: parameter,
  STRU: parameter,
  REST: { first: [350, 500, 501, 502, 421, 530], confusedWith: [200, 110], rfc: '959 §5.4, 3659 §5' },
  STOR: storeLike,
  STOU: storeLike,
  APPE: storeLike,
  RETR: {
    first: [125, 150, 450, 550, 500, 501, 421, 530],
    afterPreliminary: [226, 250, 425, 426, 451],
    confusedWith: [226, 250, 200],
    rfc: '959 §5.4',
  },
  LIST: listLike,
  NLST: listLike,
  RNFR: { first: [350, 450, 550, 500, 501, 502, 421, 530], confusedWith: [250], rfc: '959 §5.4' },
  RNTO: { first: [250, 532, 553, 500, 501, 502, 503, 421, 530], confusedWith: [350], rfc: '959 §5.4' },
  DELE: { first: [250, 450, 550, 500, 501, 502, 421, 530], confusedWith: [200, 226], rfc: '959 §5.4' },
  RMD: { first: [250, 500, 501, 502, 421, 530, 550], confusedWith: [257], rfc: '959 §5.4' },
  MKD: { first: [257, 500, 501, 502, 421, 530, 550], confusedWith: [250], rfc: '959 §5.4' },
  PWD: { first: [257, 500, 501, 502, 421, 550], confusedWith: [250], rfc: '959 §5.4' },
  ABOR: { first: [225, 226, 500, 501, 502, 421], confusedWith: [426], rfc: '959 §5.4' },
  SYST: { first: [215, 500, 501, 502, 421], confusedWith: [211], rfc: '959 §5.4' },
  STAT: { first: [211, 212, 213, 450, 500, 501, 502, 421, 530], rfc: '959 §5.4' },
  HELP: { first: [211, 214, 500, 501, 502, 421], rfc: '959 §5.4' },
  NOOP: { first: [200, 500, 421], confusedWith: [250], rfc: '959 §5.4' },
  FEAT: { first: [211, 500, 502], confusedWith: [214], rfc: '2389 §3' },
  OPTS: { first: [200, 451, 501, 502], rfc: '2389 §4' },
  SIZE: { first: [213, 550, 500, 501], confusedWith: [211, 250], rfc: '3659 §4' },
  MDTM: { first: [213, 550, 500, 501], confusedWith: [211, 250], rfc: '3659 §3' },
};

/** The sequence a command's replies follow (aliases as their original: XCWD as CWD). */
export function replySequenceOf(verb: string | undefined): ReplySequence {
  if (verb === undefined) return greetingReplies;
  const row = commandTable.get(verb.toUpperCase());
  return (row && sequences[canonicalVerb(row)]) ?? unknownCommand;
}
