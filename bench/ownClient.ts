// FTP Lab's own client (runClientSession, in this process) for the bench, run as a child process so its
// peak RSS is its own. One process per (server, mode, operation); each repetition is a new session:
// login, TYPE I, MODE (unless STREAM), passive data setup, the transfer, QUIT.
// Usage: node --import tsx bench/ownClient.ts '{"host":..,"port":..,"user":..,"password":..,"mode":"S","op":"retr","path":"big.bin","size":N,"repeat":3}'
// Prints one JSON line: { runs: [...], maxRssKiB }.
import { runClientSession } from '../main/session/clientSession';
import { TraceRecorder } from '../core/trace/traceRecorder';
import type { ClientStep } from '../core/machines/clientSession.context';
import type { TransferMode } from '../core/trace/traceEvent';

export interface OwnClientRequest {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Send PASS after USER (not for a server that logs anonymous users in at USER). */
  sendPass: boolean;
  mode: TransferMode;
  op: 'retr' | 'stor';
  /** The remote path; for stor, `{i}` is replaced by the repetition number. */
  path: string;
  /** Upload size (stor). */
  size: number;
  repeat: number;
  sessionTimeoutMs: number;
}

export interface OwnClientRun {
  ok: boolean;
  failure?: string;
  /** Final reply codes the client received, in order (shows a 504 for an unsupported MODE). */
  replyCodes: number[];
  bytes: number;
  /** From sending RETR/STOR to the completion reply (the client's trace clock). */
  transferMs?: number;
  /** The whole session: connect, login, transfer, QUIT, every socket closed. */
  sessionMs: number;
  traceEvents: number;
}

export interface OwnClientResult {
  runs: OwnClientRun[];
  maxRssKiB: number;
}

function stepsFor(req: OwnClientRequest, i: number): ClientStep[] {
  const steps: ClientStep[] = [{ kind: 'command', line: `USER ${req.user}`, expect: [331, 230] }];
  if (req.sendPass) steps.push({ kind: 'command', line: `PASS ${req.password}`, expect: [230] });
  steps.push({ kind: 'command', line: 'TYPE I', expect: [200] });
  if (req.mode !== 'S') steps.push({ kind: 'command', line: `MODE ${req.mode}`, expect: [200] });
  steps.push({ kind: 'dataSetup', passive: true });
  const path = req.path.replaceAll('{i}', String(i));
  if (req.op === 'retr') steps.push({ kind: 'transfer', line: `RETR ${path}`, direction: 'download' });
  else steps.push({ kind: 'transfer', line: `STOR ${path}`, direction: 'upload', upload: { size: req.size, text: false, seed: 12345 + i } });
  steps.push({ kind: 'command', line: 'QUIT', expect: [221] });
  return steps;
}

async function once(req: OwnClientRequest, i: number): Promise<OwnClientRun> {
  const recorder = new TraceRecorder(() => performance.now());
  const started = performance.now();
  const output = await runClientSession({
    server: { host: req.host, port: req.port },
    steps: stepsFor(req, i),
    recorder,
    sessionTimeoutMs: req.sessionTimeoutMs,
  });
  const sessionMs = performance.now() - started;
  const events = recorder.events;
  const replyCodes = events.flatMap((e) => (e.type === 'ftp.reply' && e.dir === 'received' && e.code >= 200 ? [e.code] : []));
  const sent = events.find((e) => e.type === 'ftp.command' && e.dir === 'sent' && (e.verb === 'RETR' || e.verb === 'STOR'));
  const done = sent && events.find((e) => e.seq > sent.seq && e.type === 'ftp.reply' && e.dir === 'received' && e.code >= 200);
  const transfer = output.transfers[0];
  return {
    ok: output.ok,
    ...(output.failure ? { failure: output.failure } : {}),
    replyCodes,
    bytes: transfer?.bytes ?? 0,
    ...(sent && done ? { transferMs: done.t - sent.t } : {}),
    sessionMs,
    traceEvents: events.length,
  };
}

const req = JSON.parse(process.argv[2] ?? '{}') as OwnClientRequest;
const runs: OwnClientRun[] = [];
for (let i = 1; i <= req.repeat; i++) {
  // A pause between sessions: ftp-lab serve saves its trace ~200 ms after a session, outside the next measurement.
  if (i > 1) await new Promise((r) => setTimeout(r, 400));
  const run = await once(req, i);
  runs.push(run);
  if (!run.ok) break;
}
const result: OwnClientResult = { runs, maxRssKiB: process.resourceUsage().maxRSS };
process.stdout.write(JSON.stringify(result) + '\n');
