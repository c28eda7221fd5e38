// The built-in scenarios: the seed's textbook upload done the RFC way, and the classic situations a class asks about.

import type { Scenario } from './scenario';

const login = [
  { send: 'USER {user}', expect: [331, 230] },
  { send: 'PASS {password}', expect: [230] },
];

export const builtinScenarios: readonly Scenario[] = [
  {
    name: 'textbook-upload',
    title: 'The textbook upload, done as RFC 959 says',
    description:
      "The seed's 17-step upload with its errors corrected: PORT is answered 200 (not 150), STOR gets 150 then 226 (not 250), and the client closes the data connection to mark the end of file.",
    defaults: { passive: false, type: 'I', file: 'report.bin', size: 4096 },
    steps: [
      ...login,
      { send: 'TYPE {type}', expect: [200] },
      { send: 'STRU F', expect: [200], note: 'Redundant: F is the default (959 §5.1), but the textbook sends it.' },
      {
        send: 'MODE {mode}',
        expect: [200],
        note: 'S is the default, where closing the data connection means end of file; try --mode B to see the EOF marker instead.',
      },
      { data: 'setup', note: 'The client listens on an ephemeral port, then sends PORT (959 §3.2: before the transfer command).' },
      { send: 'STOR {file}', upload: true, note: '150, data, the client closes the data connection (EOF), then 226.' },
      { send: 'QUIT', expect: [221] },
    ],
  },
  {
    name: 'download',
    title: 'Download a file (RETR): the server closes the data connection',
    description: 'In STREAM mode the server is the sender, so its close is the end of file (959 §3.2, §3.4.1); 226 follows.',
    defaults: { passive: true, type: 'A', file: 'notes.txt' },
    steps: [...login, { send: 'TYPE {type}', expect: [200] }, { data: 'setup' }, { send: 'RETR {file}' }, { send: 'QUIT', expect: [221] }],
  },
  {
    name: 'listing',
    title: 'Directory listing (LIST and NLST) over the data connection',
    description: 'Listings travel on a data connection like files, one connection each, closed by the server (959 §4.1.3).',
    defaults: { passive: true },
    steps: [
      ...login,
      { send: 'PWD', expect: [257] },
      { data: 'setup' },
      { send: 'LIST' },
      { data: 'setup' },
      { send: 'NLST' },
      { send: 'QUIT', expect: [221] },
    ],
  },
  {
    name: 'passive-vs-active',
    title: 'The same download, active then passive: who opens the data connection',
    description: 'After PORT the server connects to the client (from port L-1 when it can); after PASV the client connects to the server.',
    defaults: { type: 'I', file: 'data.bin' },
    steps: [
      ...login,
      { send: 'TYPE {type}', expect: [200] },
      { data: 'setup', passive: false, note: 'Active: the client listens; the server will connect.' },
      { send: 'RETR {file}' },
      { data: 'setup', passive: true, note: 'Passive: the server listens; the client connects.' },
      { send: 'RETR {file}' },
      { send: 'QUIT', expect: [221] },
    ],
  },
  {
    name: 'abort',
    title: 'ABOR in the middle of a download: 426 for the transfer, 226 for ABOR',
    description:
      "The client uploads a large file, then starts downloading it, stops reading after 1 MiB and sends ABOR; the server closes the data connection (959 §4.1.3). By then the server has sent several MiB more into the sockets' buffers, so both counts pass 1 MiB, and they differ a little: the server counts what it handed to its socket (it drops what its kernel had not taken when it closes), the client what arrived.",
    defaults: { type: 'I', file: 'big.bin', size: 32 * 1024 * 1024, passive: true },
    steps: [
      ...login,
      { send: 'TYPE {type}', expect: [200] },
      { data: 'setup' },
      { send: 'STOR {file}', upload: true },
      { data: 'setup' },
      { send: 'RETR {file}', abortAfter: 1024 * 1024, expect: [426, 226], note: 'The client stops reading after 1 MiB and sends ABOR.' },
      { send: 'NOOP', expect: [200], note: 'The control connection is still fine.' },
      { send: 'QUIT', expect: [221] },
    ],
  },
  {
    name: 'rest-resume',
    title: 'Resume a download with REST (RFC 3659 §5)',
    description: 'REST n, answered 350, makes the next RETR start at byte n; the data connection carries only the rest.',
    defaults: { type: 'I', file: 'data.bin', passive: true },
    steps: [
      ...login,
      { send: 'TYPE {type}', expect: [200] },
      { send: 'SIZE {file}', expect: [213] },
      { data: 'setup' },
      { send: 'REST 40000', expect: [350] },
      { send: 'RETR {file}', note: 'Only the bytes from offset 40000 travel.' },
      { send: 'QUIT', expect: [221] },
    ],
  },
  {
    name: 'block-reuse',
    title: 'Three files over one BLOCK-mode data connection',
    description:
      'In BLOCK mode the end of file is a marker in the data (descriptor 0x40), so the server keeps the data connection open: 150 and 250 for the first file, then 125 and 250 for each next one (959 §3.3, §5.2).',
    defaults: { type: 'I', passive: true, mode: 'B' },
    steps: [
      ...login,
      { send: 'TYPE {type}', expect: [200] },
      { send: 'MODE {mode}', expect: [200], note: 'B (or C with --mode C): an EOF marker in the data, so the connection can stay open.' },
      { data: 'setup', note: 'One data connection for all three files.' },
      { send: 'RETR notes.txt', expect: [250], note: 'EOF marker, no close: 250.' },
      { send: 'RETR readme.txt', expect: [250], note: 'The same connection: 125, then 250.' },
      { send: 'RETR pub/hello.txt', expect: [250] },
      { send: 'QUIT', expect: [221], note: 'Only now does the server close the data connection (959 §3.2, condition 4).' },
    ],
  },
  {
    name: 'modes-side-by-side',
    title: 'The same download in STREAM, BLOCK and COMPRESSED mode: who closes, and what marks the end',
    description:
      'STREAM: the server closes the data connection to mark the end of file, then 226. BLOCK and COMPRESSED: an EOF marker travels in the data, the connection stays open, then 250.',
    defaults: { type: 'A', passive: true, file: 'notes.txt' },
    steps: [
      ...login,
      { send: 'TYPE {type}', expect: [200] },
      { send: 'MODE S', expect: [200] },
      { data: 'setup' },
      { send: 'RETR {file}', expect: [226], note: 'STREAM: the close is the end of file.' },
      { send: 'MODE B', expect: [200] },
      { data: 'setup' },
      { send: 'RETR {file}', expect: [250], note: 'BLOCK: the EOF marker is the end of file; the connection stays open.' },
      { send: 'MODE C', expect: [200] },
      { send: 'RETR {file}', expect: [250], note: 'COMPRESSED on the same open connection: 125, the EOF escape 00 40, 250.' },
      { send: 'QUIT', expect: [221] },
    ],
  },
  {
    name: 'compressed-runs',
    title: 'COMPRESSED mode on a file with long runs',
    description:
      'table.txt is padded with spaces and ruled with = and -: COMPRESSED mode sends the spaces as filler units and the rules as replicated bytes (959 §3.4.3), far fewer bytes than STREAM.',
    defaults: { type: 'A', passive: true, file: 'table.txt' },
    steps: [
      ...login,
      { send: 'TYPE {type}', expect: [200], note: 'TYPE A: the filler byte is a space.' },
      { send: 'MODE S', expect: [200] },
      { data: 'setup' },
      { send: 'RETR {file}', expect: [226], note: 'STREAM: every byte as it is.' },
      { send: 'MODE C', expect: [200] },
      { data: 'setup' },
      { send: 'RETR {file}', expect: [250], note: 'COMPRESSED: compare the byte count.' },
      { send: 'QUIT', expect: [221] },
    ],
  },
  {
    name: 'restart-resume',
    title: 'An interrupted BLOCK-mode upload, resumed from its last restart marker',
    description:
      'The client puts a restart marker in the data every 64 KiB; the server answers each with 110 MARK ssss = rrrr. After ABOR, REST rrrr and STOR continue from the marker, and the server ends up with the whole file (959 §3.5, 1123 §4.1.3.4).',
    defaults: { type: 'I', passive: true, mode: 'B', file: 'resumed.bin', size: 1024 * 1024 },
    steps: [
      ...login,
      { send: 'TYPE {type}', expect: [200] },
      { send: 'MODE {mode}', expect: [200] },
      { data: 'setup' },
      { send: 'STOR {file}', upload: true, restartEvery: 65536, abortAfter: 300_000, expect: [426, 226], note: 'Interrupted with ABOR after about 300 KB.' },
      { data: 'setup', note: 'ABOR closed the data connection (959 §3.2, condition 2).' },
      { send: 'REST {mark}', expect: [350], note: 'The receiver position of the last 110 MARK.' },
      { send: 'STOR {file}', upload: true, restartEvery: 65536, resume: true, expect: [250], note: 'The rest of the file, from the marker on.' },
      { send: 'SIZE {file}', expect: [213] },
      { send: 'QUIT', expect: [221] },
    ],
  },
  {
    name: 'wrong-password',
    title: 'A wrong password: 530 after a delay',
    description: 'The server always answers USER with 331 (RFC 2577 §7) and refuses at PASS, after a delay against password guessing (RFC 2577 §5).',
    steps: [
      { send: 'USER {user}', expect: [331] },
      { send: 'PASS wrong-password', expect: [530] },
      { send: 'QUIT', expect: [221] },
    ],
  },
  {
    name: 'missing-file',
    title: 'Downloading a file that does not exist: 550, and nothing moves on the data connection',
    description:
      'The server checks the file before it says 150, so the answer is an immediate 550 (959 §4.2.1). The data connection the client opened after PASV carries nothing and closes when the session ends (959 §3.2).',
    defaults: { passive: true, file: 'no-such-file.txt' },
    steps: [...login, { data: 'setup' }, { send: 'RETR {file}', expect: [550] }, { send: 'QUIT', expect: [221] }],
  },
  {
    name: 'refused-data',
    title: 'A data connection that cannot be opened: 150, then 425',
    description: 'The client sends PORT and then stops listening; the server says 150, its connect is refused, and it answers 425 (959 §4.2.1).',
    defaults: { file: 'notes.txt' },
    steps: [
      ...login,
      { data: 'setup', refuse: true },
      { send: 'RETR {file}', expect: [425] },
      { send: 'NOOP', expect: [200] },
      { send: 'QUIT', expect: [221] },
    ],
  },
];

export function findBuiltinScenario(name: string): Scenario | undefined {
  return builtinScenarios.find((s) => s.name === name);
}
