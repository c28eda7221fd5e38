// The seed's textbook upload (shared/seeds), step by step, next to what RFC 959 says: the data behind the
// narration's "the textbook differs here" notes and the textbook comparison export.

export interface TextbookStep {
  /** The textbook's step number (1-17). */
  readonly step: number;
  /** What the textbook says, paraphrased. */
  readonly textbook: string;
  readonly verdict: 'correct' | 'error' | 'note';
  /** What RFC 959 (and its corrections) say, with the section. */
  readonly rfc: string;
  /** The trace event that shows the RFC's version: a command verb or a reply code in a session. */
  readonly match?: { readonly verb?: string; readonly code?: number; readonly after?: string };
  /** Where the textbook names another reply code than the RFC's: the code it names (the quiz offers it as a choice). */
  readonly textbookCode?: number;
}

export const textbookSteps: readonly TextbookStep[] = [
  {
    step: 1,
    textbook: 'After the control connection to port 21 is made, the server sends 220.',
    verdict: 'correct',
    rfc: '220 Service ready (959 §5.4); a 120 may come first.',
    match: { code: 220 },
  },
  { step: 2, textbook: 'The client sends USER.', verdict: 'correct', rfc: 'USER identifies the user (959 §4.1.1).', match: { verb: 'USER' } },
  {
    step: 3,
    textbook: 'The server answers 331.',
    verdict: 'correct',
    rfc: '331 User name okay, need password; a server should always say 331 (RFC 2577 §7).',
    match: { code: 331 },
  },
  {
    step: 4,
    textbook: 'The client sends PASS.',
    verdict: 'correct',
    rfc: 'PASS follows USER; the password crosses the network in clear text (RFC 2577 §6).',
    match: { verb: 'PASS' },
  },
  { step: 5, textbook: 'The server answers 230.', verdict: 'correct', rfc: '230 User logged in (959 §5.4).', match: { code: 230 } },
  {
    step: 6,
    textbook: 'The client passive-opens an ephemeral port and sends PORT with it.',
    verdict: 'correct',
    rfc: 'The client must listen before it sends the transfer command (959 §3.2, §5.2); "passive open" means listen.',
    match: { verb: 'PORT' },
  },
  {
    step: 7,
    textbook: 'The server answers PORT with 150 ("data connection will open shortly").',
    verdict: 'error',
    rfc: 'PORT is answered 200 Command okay (959 §5.4). A 1yz reply belongs only to a command that opens a data connection; to PORT it would be an error (959 §4.2, §6).',
    match: { code: 200, after: 'PORT' },
    textbookCode: 150,
  },
  {
    step: 8,
    textbook: 'The client sends TYPE.',
    verdict: 'note',
    rfc: 'TYPE I for a binary upload; the default is A (ASCII) with CRLF conversion (959 §3.1.1, §5.1).',
    match: { verb: 'TYPE' },
  },
  { step: 9, textbook: 'The server answers 200.', verdict: 'correct', rfc: '200 Command okay (959 §5.4).', match: { code: 200, after: 'TYPE' } },
  {
    step: 10,
    textbook: 'The client sends STRU.',
    verdict: 'note',
    rfc: 'STRU F is the default (959 §5.1): sending it changes nothing.',
    match: { verb: 'STRU' },
  },
  { step: 11, textbook: 'The server answers 200.', verdict: 'correct', rfc: '200 Command okay (959 §5.4).', match: { code: 200, after: 'STRU' } },
  {
    step: 12,
    textbook: 'The client sends STOR.',
    verdict: 'correct',
    rfc: 'STOR stores the file, replacing one of the same name (959 §4.1.3).',
    match: { verb: 'STOR' },
  },
  {
    step: 13,
    textbook: 'The server opens the data connection and sends 250.',
    verdict: 'error',
    rfc: 'The server answers STOR with 150 (or 125 if a data connection is already open) and connects from its port L-1 to the PORT address (959 §3.2, §5.4). 250 is a completion reply: with the later 226 it would give STOR two completion replies (959 §4.2), and 250 after a transfer means the data connection stayed open, impossible in STREAM mode (959 §5.2).',
    match: { code: 150, after: 'STOR' },
    textbookCode: 250,
  },
  {
    step: 14,
    textbook: 'The client sends the file on the data connection, then closes it: closing means end of file.',
    verdict: 'correct',
    rfc: 'In STREAM mode the sender closes the data connection to mark the end of file, and when the client is the sender, the client closes (959 §3.2, §3.4.1). No command is sent for it. In BLOCK or COMPRESSED mode an EOF marker would travel instead and only the server may close.',
  },
  {
    step: 15,
    textbook: 'The server sends 226.',
    verdict: 'correct',
    rfc: '226 Closing data connection, file action successful: sent after the server has closed its end (959 §5.2).',
    match: { code: 226 },
  },
  {
    step: 16,
    textbook: 'The client sends QUIT (or sets up another data connection).',
    verdict: 'correct',
    rfc: 'QUIT ends the session (959 §4.1.1); in STREAM mode each transfer needs a new data connection (959 §3.3, 1123 §4.1.2.5).',
    match: { verb: 'QUIT' },
  },
  {
    step: 17,
    textbook: 'The server answers 221 and closes the control connection.',
    verdict: 'correct',
    rfc: '221 Service closing control connection; the server closes it (959 §2.3, §4.1.1).',
    match: { code: 221 },
  },
];

/** The steps where the textbook is wrong. */
export const textbookErrors = textbookSteps.filter((s) => s.verdict === 'error');
