// The server's command table: one row per command drives validation, HELP and FEAT (pyftpdlib's idea).
// Minimum set: RFC 1123 §4.1.2.13, plus what real clients send (RFC 2389, 2428, 3659).

/** How the server handles a command once it is valid; the server machine dispatches on this. */
export type CommandKind =
  | 'login' // USER, PASS, ACCT: the pre-login phase (959 §4.1.1)
  | 'control' // answered from session state alone, on the control connection
  | 'parameter' // transfer parameters: TYPE, STRU, MODE, PORT, EPRT, REST (959 §4.1.2)
  | 'passive' // PASV, EPSV: the server opens a listener first
  | 'file' // file-system actions answered on the control connection
  | 'transfer' // RETR, STOR, ...: need a data connection (959 §4.1.3)
  | 'abort'
  | 'quit';

export type ArgumentRule = 'none' | 'required' | 'optional';

export type TransferDirection = 'download' | 'upload';

export interface CommandRow {
  readonly verb: string;
  readonly kind: CommandKind;
  readonly loginRequired: boolean;
  readonly argument: ArgumentRule;
  /** Shown by HELP <verb>. */
  readonly help: string;
  readonly rfc: string;
  /** The line this command adds to FEAT (RFC 2389 §3.2), if any. */
  readonly feature?: string;
  /** For transfer commands: which way the data flows. */
  readonly direction?: TransferDirection;
  /** Experimental aliases a server SHOULD accept (RFC 1123 §4.1.3.1). */
  readonly aliasOf?: string;
}

const rows: readonly CommandRow[] = [
  { verb: 'USER', kind: 'login', loginRequired: false, argument: 'required', help: 'USER <name>: identify the user.', rfc: '959 §4.1.1' },
  { verb: 'PASS', kind: 'login', loginRequired: false, argument: 'optional', help: 'PASS <password>: the password (sent in clear text).', rfc: '959 §4.1.1' },
  {
    verb: 'ACCT',
    kind: 'login',
    loginRequired: false,
    argument: 'required',
    help: 'ACCT <account>: account information (not needed here).',
    rfc: '959 §4.1.1',
  },
  { verb: 'QUIT', kind: 'quit', loginRequired: false, argument: 'none', help: 'QUIT: log out; the server closes the control connection.', rfc: '959 §4.1.1' },
  { verb: 'NOOP', kind: 'control', loginRequired: false, argument: 'none', help: 'NOOP: do nothing, reply 200.', rfc: '959 §4.1.3' },
  { verb: 'SYST', kind: 'control', loginRequired: false, argument: 'none', help: 'SYST: the system type.', rfc: '959 §4.1.3' },
  { verb: 'HELP', kind: 'control', loginRequired: false, argument: 'optional', help: 'HELP [<command>]: list commands or explain one.', rfc: '959 §4.1.3' },
  { verb: 'FEAT', kind: 'control', loginRequired: false, argument: 'none', help: 'FEAT: list extensions.', rfc: '2389 §3' },
  {
    verb: 'OPTS',
    kind: 'control',
    loginRequired: false,
    argument: 'required',
    help: 'OPTS UTF8 ON: UTF-8 path names (always on here).',
    rfc: '2389 §4',
    feature: 'UTF8',
  },
  {
    verb: 'STAT',
    kind: 'control',
    loginRequired: true,
    argument: 'optional',
    help: 'STAT [<path>]: session status, or a listing over the control connection.',
    rfc: '959 §4.1.3',
  },
  { verb: 'TYPE', kind: 'parameter', loginRequired: true, argument: 'required', help: 'TYPE A [N] | I | L 8: representation type.', rfc: '959 §3.1.1, §4.1.2' },
  {
    verb: 'STRU',
    kind: 'parameter',
    loginRequired: true,
    argument: 'required',
    help: 'STRU F | R: file structure, or records (each line of a file a record); P is not supported (1123 §4.1.2.3).',
    rfc: '959 §3.1.2, §4.1.2',
  },
  {
    verb: 'MODE',
    kind: 'parameter',
    loginRequired: true,
    argument: 'required',
    help: 'MODE S | B | C: transfer mode: stream (closing the connection ends the file), block or compressed (an EOF marker ends it).',
    rfc: '959 §3.4, §4.1.2',
  },
  {
    verb: 'PORT',
    kind: 'parameter',
    loginRequired: true,
    argument: 'required',
    help: 'PORT h1,h2,h3,h4,p1,p2: the server will connect to this address.',
    rfc: '959 §4.1.2',
  },
  { verb: 'EPRT', kind: 'parameter', loginRequired: true, argument: 'required', help: 'EPRT |1|host|port|: extended PORT.', rfc: '2428 §2', feature: 'EPRT' },
  {
    verb: 'REST',
    kind: 'parameter',
    loginRequired: true,
    argument: 'required',
    help: 'REST <offset>: restart the next RETR/STOR at this byte offset.',
    rfc: '3659 §5',
    feature: 'REST STREAM',
  },
  { verb: 'PASV', kind: 'passive', loginRequired: true, argument: 'none', help: 'PASV: the server listens; the client connects.', rfc: '959 §4.1.2' },
  { verb: 'EPSV', kind: 'passive', loginRequired: true, argument: 'optional', help: 'EPSV [1|ALL]: extended passive mode.', rfc: '2428 §3', feature: 'EPSV' },
  { verb: 'CWD', kind: 'file', loginRequired: true, argument: 'required', help: 'CWD <dir>: change working directory.', rfc: '959 §4.1.1' },
  { verb: 'XCWD', kind: 'file', loginRequired: true, argument: 'required', help: 'XCWD <dir>: same as CWD.', rfc: '1123 §4.1.3.1', aliasOf: 'CWD' },
  { verb: 'CDUP', kind: 'file', loginRequired: true, argument: 'none', help: 'CDUP: go to the parent directory.', rfc: '959 §4.1.1' },
  { verb: 'XCUP', kind: 'file', loginRequired: true, argument: 'none', help: 'XCUP: same as CDUP.', rfc: '1123 §4.1.3.1', aliasOf: 'CDUP' },
  { verb: 'PWD', kind: 'control', loginRequired: true, argument: 'none', help: 'PWD: print working directory.', rfc: '959 §4.1.3' },
  { verb: 'XPWD', kind: 'control', loginRequired: true, argument: 'none', help: 'XPWD: same as PWD.', rfc: '1123 §4.1.3.1', aliasOf: 'PWD' },
  { verb: 'MKD', kind: 'file', loginRequired: true, argument: 'required', help: 'MKD <dir>: make a directory.', rfc: '959 §4.1.3' },
  { verb: 'XMKD', kind: 'file', loginRequired: true, argument: 'required', help: 'XMKD <dir>: same as MKD.', rfc: '1123 §4.1.3.1', aliasOf: 'MKD' },
  { verb: 'RMD', kind: 'file', loginRequired: true, argument: 'required', help: 'RMD <dir>: remove an empty directory.', rfc: '959 §4.1.3' },
  { verb: 'XRMD', kind: 'file', loginRequired: true, argument: 'required', help: 'XRMD <dir>: same as RMD.', rfc: '1123 §4.1.3.1', aliasOf: 'RMD' },
  { verb: 'DELE', kind: 'file', loginRequired: true, argument: 'required', help: 'DELE <file>: delete a file.', rfc: '959 §4.1.3' },
  { verb: 'RNFR', kind: 'file', loginRequired: true, argument: 'required', help: 'RNFR <old>: rename from (RNTO must follow).', rfc: '959 §4.1.3' },
  { verb: 'RNTO', kind: 'file', loginRequired: true, argument: 'required', help: 'RNTO <new>: rename to.', rfc: '959 §4.1.3' },
  {
    verb: 'SIZE',
    kind: 'file',
    loginRequired: true,
    argument: 'required',
    help: 'SIZE <file>: size in bytes as it would be transferred.',
    rfc: '3659 §4',
    feature: 'SIZE',
  },
  { verb: 'MDTM', kind: 'file', loginRequired: true, argument: 'required', help: 'MDTM <file>: modification time (UTC).', rfc: '3659 §3', feature: 'MDTM' },
  {
    verb: 'RETR',
    kind: 'transfer',
    loginRequired: true,
    argument: 'required',
    help: 'RETR <file>: download a file.',
    rfc: '959 §4.1.3',
    direction: 'download',
  },
  {
    verb: 'STOR',
    kind: 'transfer',
    loginRequired: true,
    argument: 'required',
    help: 'STOR <file>: upload a file (replaces it).',
    rfc: '959 §4.1.3',
    direction: 'upload',
  },
  {
    verb: 'STOU',
    kind: 'transfer',
    loginRequired: true,
    argument: 'optional',
    help: 'STOU: upload under a unique name (given in the 150 reply).',
    rfc: '959 §4.1.3, 1123 §4.1.2.9',
    direction: 'upload',
  },
  {
    verb: 'APPE',
    kind: 'transfer',
    loginRequired: true,
    argument: 'required',
    help: 'APPE <file>: append to a file (or create it).',
    rfc: '959 §4.1.3',
    direction: 'upload',
  },
  {
    verb: 'LIST',
    kind: 'transfer',
    loginRequired: true,
    argument: 'optional',
    help: 'LIST [<path>]: a listing for people, over the data connection.',
    rfc: '959 §4.1.3',
    direction: 'download',
  },
  {
    verb: 'NLST',
    kind: 'transfer',
    loginRequired: true,
    argument: 'optional',
    help: 'NLST [<path>]: names only, over the data connection.',
    rfc: '959 §4.1.3, 1123 §4.1.2.7',
    direction: 'download',
  },
  { verb: 'ABOR', kind: 'abort', loginRequired: true, argument: 'none', help: 'ABOR: abort the transfer in progress.', rfc: '959 §4.1.3' },
];

/** Every command the server knows, by verb (aliases included). */
export const commandTable: ReadonlyMap<string, CommandRow> = new Map(rows.map((row) => [row.verb, row]));

/** Verbs RFC 959 defines that this server deliberately does not implement: 502, not 500. */
export const knownButNotImplemented: ReadonlySet<string> = new Set([
  'SMNT',
  'REIN',
  'SITE',
  'ALLO',
  'MLSD',
  'MLST',
  'LPRT',
  'LPSV',
  'AUTH',
  'PBSZ',
  'PROT',
  'HOST',
]);

/** The verb a row really means: aliases resolve to their original (XCWD -> CWD). */
export function canonicalVerb(row: CommandRow): string {
  return row.aliasOf ?? row.verb;
}

/** The FEAT reply's feature lines (RFC 2389 §3.2: each starts with exactly one space). */
export function featureLines(): string[] {
  const features = new Set(rows.flatMap((row) => (row.feature ? [row.feature] : [])));
  return [...features].sort().map((feature) => ` ${feature}`);
}

/** HELP with no argument: the verbs, several per line, for a person. */
export function helpLines(): string[] {
  const verbs = rows.map((row) => row.verb);
  const lines: string[] = ['The following commands are recognized:'];
  for (let i = 0; i < verbs.length; i += 8) lines.push(' ' + verbs.slice(i, i + 8).join(' '));
  lines.push('Help OK.');
  return lines;
}
