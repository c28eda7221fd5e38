// The ftp-lab command: serve, run, scenarios, export, import (design.md, "CLI"). Exit codes: 0 ok, 1 session failed, 2 bad usage.

import { readFile, writeFile, rename } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { builtinScenarios, findBuiltinScenario } from '../../core/scenarios/builtinScenarios';
import { parseScenario, settingsFor, ScenarioError, type Scenario } from '../../core/scenarios/scenario';
import { createTraceFile, serializeTrace, TraceFileError } from '../../core/trace/traceFile';
import { parsePassivePorts, type PassivePortRange } from '../net/passivePorts';
import { TranscriptWriter } from '../../core/trace/transcript';
import { observedSides } from '../../core/trace/closeMeaning';
import { TraceRecorder } from '../../core/trace/traceRecorder';
import { startFtpServer } from '../session/ftpServer';
import { createMemoryStore } from '../store/memoryStore';
import { createDirectoryStore } from '../store/directoryStore';
import type { FileStore } from '../store/fileStore';
import type { Endpoint, TraceEvent, TraceMeta } from '../../core/trace/traceEvent';
import { capturePassivePorts, startPacketCapture, type RunningCapture } from '../session/packetCapture';
import { connectionsOutside, serverPorts, type SessionPorts } from '../../core/capture/captureFilter';
import { runWebCommand } from '../web/webCommand';
import { checkExportOptions, EXPORT_ARGS, EXPORT_HELP, ExportError, exportOptionsFrom, writeExport, type ExportOptions } from '../export/exportFormats';
import { untilStopSignal } from './stopSignal';
import { UsageError, type CliIo } from './cliIo';
import { startLabSession } from '../session/labSession';
import { dataModesText } from '../../core/diagram/layout/traceSurvey';
import { byteSizeText, parseByteSize } from './byteSize';
import { CaptureError } from '../../core/capture/import/capturedPacket';
import { importCaptureFile, loadTraceOrCapture } from './traceInput';

export const TOOL = 'ftp-lab 0.1.0';

/** How often `serve` prints the live transcript's new lines. */
const TRANSCRIPT_MS = 50;
/** How long `run` lets a session take; its capture tool stops by itself a while after that. */
const RUN_SESSION_TIMEOUT_MS = 120_000;
const RUN_CAPTURE_MAX_SECONDS = RUN_SESSION_TIMEOUT_MS / 1000 + 180;

const consoleIo: CliIo = { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') };

export const USAGE = `Usage:
  ftp-lab start [--browser] [--port N] [--no-open]   the app: Electron where its binary exists, else the browser UI
  ftp-lab web [--port N]                             the UI in your browser (URL with a secret token printed)
  ftp-lab serve [--host 127.0.0.1] [--port 2121] [--root DIR] [--user NAME --password SECRET] [--anonymous] [--trace FILE]
              [--pasv-ports MIN-MAX] [--idle-timeout SECONDS] [--max-sessions N] [--max-per-ip N]
              [--quota BYTES|500K|10M|2G] [--login-delay MS] [--reveal-passwords] [--capture FILE.pcapng]
  ftp-lab run <scenario|file.json> [--server ftp://user:pass@host:port] [--passive|--active] [--extended] [--type A|I]
              [--mode S|B|C] [--file NAME] [--size BYTES] [--trace FILE] [--export FILE] [--theme light|dark] [--notes]
              [--scale N] [--range N..M] [--axis step|time] [--tcp-states] [--kernel-states] [--tcp] [--capture FILE.pcapng] [--reveal-passwords] [--quiet]
  ftp-lab scenarios
  ftp-lab import <capture.pcap|capture.pcapng> -o trace.json   a packet capture of FTP sessions as a trace
  ftp-lab export <trace.json|capture> -o FILE [--format svg|png|pdf|mmd|puml|html|json|pcapng] [--range N..M] [--theme light|dark]
              [--notes] [--scale N] [--axis step|time] [--textbook] [--title TEXT] [--kernel-states] [--tcp]   (ftp-lab export --help: formats, options, steps)
              [--quiz] [--quiz-kinds LIST]
  ftp-lab help`;

export async function main(argv: readonly string[], io: CliIo = consoleIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `ftp-lab serve --help`: every command answers --help (export with its own, longer page).
    if (command !== 'export' && command !== undefined && rest.some((a) => a === '--help' || a === '-h')) {
      io.out(USAGE);
      return 0;
    }
    switch (command) {
      case 'serve':
        return await serve(rest, io);
      case 'run':
        return await run(rest, io);
      case 'scenarios':
        for (const s of builtinScenarios) io.out(`${s.name.padEnd(20)} ${s.title}`);
        return 0;
      case 'export':
        return await exportTrace(rest, io);
      case 'import':
        return await importCommand(rest, io);
      case 'web':
        return await runWebCommand(rest, io);
      case 'start': {
        // Loaded only here: it pulls in the Electron launcher and, on demand, esbuild and the browser host.
        const { startApp } = await import('./startApp');
        return await startApp(rest, io);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof ScenarioError ||
      error instanceof TraceFileError ||
      error instanceof CaptureError ||
      isParseArgsError(error)
    ) {
      io.err(`ftp-lab: ${(error as Error).message}`);
      if (error instanceof UsageError || isParseArgsError(error)) io.err(USAGE);
      return 2;
    }
    io.err(`ftp-lab: ${(error as Error).message}`);
    return 1;
  }
}

function isParseArgsError(error: unknown): boolean {
  return typeof (error as { code?: string })?.code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS');
}

function portNumber(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`"${text}" is not a port number (0-65535).`);
  return n;
}

function passivePortsOption(text: string): PassivePortRange {
  try {
    return parsePassivePorts(text);
  } catch (error) {
    throw new UsageError(`--pasv-ports: ${(error as Error).message}`);
  }
}

async function storeFor(root: string | undefined, quotaBytes: number | undefined): Promise<FileStore> {
  const quota = quotaBytes ? { quotaBytes } : {};
  if (!root) return createMemoryStore(quota);
  try {
    return await createDirectoryStore(root, quota);
  } catch (error) {
    throw new UsageError(`--root ${root}: ${(error as Error).message}`);
  }
}

/** Writes the trace atomically (temp file + rename), so a reader never sees half a file. */
async function writeTrace(path: string, recorder: TraceRecorder, meta: TraceMeta): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, serializeTrace(createTraceFile(meta, recorder.events)));
  await rename(temp, path);
}

/** What a capture recorded, and which of the session's connections its filter could not let through. */
function reportCapture(io: CliIo, capture: RunningCapture, result: { packets: number | undefined }, ports: SessionPorts, events: readonly TraceEvent[]): void {
  const packets = result.packets !== undefined ? `${result.packets} packets` : 'packets';
  io.out(`# Captured ${packets} with ${capture.tool} into ${capture.file} (filter: ${capture.filter}).`);
  const outside = connectionsOutside(ports, events);
  if (outside.length > 0) io.err(`ftp-lab: not in the capture, their ports being outside its filter: ${outside.join(', ')}.`);
}

/** `serve`'s options (USAGE lists every one: test/main/cli/usage.test.ts). */
export const SERVE_OPTIONS = {
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string' },
  root: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  anonymous: { type: 'boolean', default: false },
  trace: { type: 'string' },
  'login-delay': { type: 'string' },
  'pasv-ports': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'max-sessions': { type: 'string' },
  'max-per-ip': { type: 'string' },
  quota: { type: 'string' },
  'reveal-passwords': { type: 'boolean', default: false },
  capture: { type: 'string' },
} as const;

async function serve(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: SERVE_OPTIONS,
    strict: true,
  });
  const idleTimeout = values['idle-timeout'];
  if (idleTimeout !== undefined && !/^\d+$/.test(idleTimeout))
    throw new UsageError(`--idle-timeout: "${idleTimeout}" is not a number of seconds (0 never times out).`);
  const maxSessions = limitOption('--max-sessions', values['max-sessions']);
  const maxPerIp = limitOption('--max-per-ip', values['max-per-ip']);
  // A capture names the passive ports in its filter: without --pasv-ports, the server keeps to a range of its own.
  const passivePorts =
    values['pasv-ports'] !== undefined ? passivePortsOption(values['pasv-ports']) : values.capture !== undefined ? capturePassivePorts() : undefined;
  const quotaBytes = values.quota !== undefined ? quotaOption(values.quota) : undefined;
  if ((values.user === undefined) !== (values.password === undefined)) throw new UsageError('--user and --password go together.');
  const accounts = values.user !== undefined ? [{ user: values.user, password: values.password! }] : [];
  const store = await storeFor(values.root, quotaBytes);
  // Events go to the transcript and the trace file as they happen; none is kept in memory.
  const recorder = new TraceRecorder(() => performance.now(), { retain: false });
  const meta: TraceMeta = {
    createdAt: new Date().toISOString(),
    tool: TOOL,
    title: 'ftp-lab serve',
    passwordsMasked: !values['reveal-passwords'],
    // Whoever reads the trace later sees why an upload got 552: the quota, and how much of it was used at the start.
    ...(store.quota ? { quota: { limitBytes: store.quota.limitBytes, usedBytesAtStart: store.quota.usedBytes } } : {}),
    // And why a client was greeted with 421: the session limits the teacher set (those not set are absent).
    ...(maxSessions !== undefined || maxPerIp !== undefined
      ? { limits: { ...(maxSessions !== undefined ? { maxSessions } : {}), ...(maxPerIp !== undefined ? { maxPerIp } : {}) } }
      : {}),
  };
  const writer = new TranscriptWriter(new Set(['server' as const]));
  // The live transcript: lines are gathered and go out together every TRANSCRIPT_MS (a person reading along
  // sees no lag). Writes to stdout are synchronous (a file, a pipe, a terminal): one per reply, as this
  // printed before, cost about a tenth of a millisecond of the server's time per small file.
  let transcript: string[] = [];
  let transcriptTimer: NodeJS.Timeout | undefined;
  const printTranscript = () => {
    clearTimeout(transcriptTimer);
    transcriptTimer = undefined;
    if (transcript.length === 0) return;
    const lines = transcript;
    transcript = [];
    io.out(lines.join('\n'));
  };
  recorder.subscribe((event) => {
    const line = writer.line(event);
    if (line === undefined) return;
    transcript.push(`[${event.session ?? '-'}] ${line}`);
    transcriptTimer ??= setTimeout(printTranscript, TRANSCRIPT_MS);
  });
  const traceFile = values.trace;
  // The trace file is kept current as sessions happen: shortly after each burst of events, the new
  // events are appended to it (TraceFileWriter: the file stays valid JSON after every flush).
  const { TraceFileWriter } = await import('../session/traceFileWriter');
  const traceWriter = traceFile ? new TraceFileWriter(traceFile, meta) : undefined;
  // Refused before the server starts: a class should not find out at the end that nothing was kept.
  await traceWriter?.opened().catch((error: Error) => {
    throw new Error(`Cannot write the trace to ${traceFile}: ${error.message}`);
  });
  let pendingSave: NodeJS.Timeout | undefined;
  if (traceWriter) {
    recorder.subscribe((event) => {
      traceWriter.append([event]);
      if (pendingSave) return;
      pendingSave = setTimeout(() => {
        pendingSave = undefined;
        traceWriter.flush().catch((e: Error) => io.err(`ftp-lab: could not write ${traceFile}: ${e.message}`));
      }, 200);
    });
  }
  const server = await startFtpServer({
    host: values.host,
    port: portNumber(values.port, 2121),
    store,
    accounts,
    anonymous: values.anonymous || accounts.length === 0,
    recorder,
    numberSessions: true,
    revealPasswords: values['reveal-passwords'],
    ...(values['login-delay'] !== undefined ? { loginDelayMs: Number(values['login-delay']) } : {}),
    ...(passivePorts ? { passivePorts } : {}),
    ...(idleTimeout !== undefined ? { idleTimeoutMs: Number(idleTimeout) * 1000 } : {}),
    ...(maxSessions !== undefined ? { maxSessions } : {}),
    ...(maxPerIp !== undefined ? { maxPerIp } : {}),
  });
  // The sessions' real packets, from now until the server stops (the ports: control, L-1, the passive range).
  const captureFile = values.capture;
  const capturePorts = captureFile ? serverPorts(server.address.port, passivePorts) : undefined;
  // The connections' opens (the trace is not kept in memory here), so the report can name any the filter missed.
  const captureOpens: TraceEvent[] = [];
  if (captureFile)
    recorder.subscribe((event) => {
      if ((event.type === 'tcp.accept' || event.type === 'tcp.connect') && captureOpens.length < 10_000) captureOpens.push(event);
    });
  let capture: RunningCapture | undefined;
  if (captureFile && capturePorts) {
    // The tool's own backstop should this process die without stopping it: a server may run a school day.
    const started = await startPacketCapture(captureFile, capturePorts, { maxSeconds: 24 * 3600 });
    if ('unavailable' in started) io.err(`ftp-lab: ${started.unavailable}; serving without it.`);
    else capture = started;
  }
  const who = accounts.length ? `user ${accounts[0]!.user}${values.anonymous ? ' and anonymous' : ''}` : 'anonymous login';
  // Listening for Ctrl-C before the ready line: whoever reads that line may stop the server at once.
  const stopped = untilStopSignal();
  io.out(
    `FTP Lab server on ftp://${server.address.host}:${server.address.port}/ serving ${store.description}${quotaText(store)} (${who}${limitsText(maxSessions, maxPerIp)}). Ctrl-C stops it.`,
  );
  await stopped;
  // Stopping takes at most SHUTDOWN_GRACE_MS (clients are told with 421 and may close); a second signal will not wait.
  const hurry = (signal: NodeJS.Signals) => {
    printTranscript();
    io.err('ftp-lab: stopped at once (second signal); the trace file holds what was flushed before.');
    // As a process a signal ended: 128 + its number (130 for Ctrl-C, 143 for SIGTERM).
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', hurry);
  process.once('SIGTERM', hurry);
  clearTimeout(pendingSave);
  await server.shutdown();
  if (capture && capturePorts) reportCapture(io, capture, await capture.stop(), capturePorts, captureOpens);
  process.off('SIGINT', hurry);
  process.off('SIGTERM', hurry);
  printTranscript();
  if (traceWriter) {
    await traceWriter.close();
    printTranscript();
    io.out(`Trace written to ${traceFile} (${traceWriter.eventCount} events).`);
  }
  return 0;
}

/** --quota: a size (bytes, or with K, M, G); 0 for none. */
function quotaOption(text: string): number {
  try {
    return parseByteSize(text);
  } catch (error) {
    throw new UsageError(`--quota: ${(error as Error).message} 0 means no quota.`);
  }
}

/** The banner's words for the session limits (0 or absent: no limit). */
function limitsText(maxSessions: number | undefined, maxPerIp: number | undefined): string {
  const parts = [maxSessions ? `at most ${maxSessions} session${maxSessions === 1 ? '' : 's'}` : '', maxPerIp ? `${maxPerIp} per address` : ''].filter(Boolean);
  return parts.length ? `; ${parts.join(', ')}` : '';
}

/** The banner's words for a store's quota: how much it allows, how much is used, and whether uploads can still land. */
function quotaText(store: FileStore): string {
  if (!store.quota) return '';
  const { limitBytes, usedBytes } = store.quota;
  const full = usedBytes >= limitBytes ? ': already full, so an upload gets 552 unless it replaces a file or files are deleted' : '';
  return ` with a quota of ${byteSizeText(limitBytes)}, ${usedBytes} bytes used${full}`;
}

/** A session limit: a whole number, 0 for none. */
function limitOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name}: "${value}" is not a number of sessions (0: no limit).`);
  // 0 is no limit, the same as not setting one.
  return Number(value) || undefined;
}

interface ServerUrl {
  host: string;
  port: number;
  user?: string;
  password?: string;
}

function parseServerUrl(text: string): ServerUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--server needs a URL like ftp://user:pass@127.0.0.1:2121, not "${text}".`);
  }
  if (url.protocol !== 'ftp:') throw new UsageError(`--server must be an ftp:// URL, not "${url.protocol}".`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: portNumber(url.port || '21', 21),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

async function loadScenario(nameOrFile: string): Promise<Scenario> {
  const builtin = findBuiltinScenario(nameOrFile);
  if (builtin) return builtin;
  if (!nameOrFile.endsWith('.json')) throw new UsageError(`No built-in scenario "${nameOrFile}" (see: ftp-lab scenarios), and it is not a .json file.`);
  let text: string;
  try {
    text = await readFile(nameOrFile, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read scenario file ${nameOrFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  return parseScenario(text);
}

/** `run`'s options (USAGE lists every one: test/main/cli/usage.test.ts). */
export const RUN_OPTIONS = {
  server: { type: 'string' },
  passive: { type: 'boolean' },
  active: { type: 'boolean' },
  extended: { type: 'boolean', default: false },
  type: { type: 'string' },
  mode: { type: 'string' },
  file: { type: 'string' },
  size: { type: 'string' },
  trace: { type: 'string' },
  export: { type: 'string', multiple: true },
  ...EXPORT_ARGS,
  /** Each end's TCP state as the kernel reports it (Linux), in the trace and the transcript. */
  'tcp-states': { type: 'boolean', default: false },
  /** The session's real packets, captured with dumpcap or tcpdump on loopback (packetCapture.ts). */
  capture: { type: 'string' },
  'reveal-passwords': { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
} as const;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: RUN_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('run needs exactly one scenario name or file.');
  if (values.passive && values.active) throw new UsageError('Choose --passive or --active, not both.');
  if (values.type !== undefined && !/^[AI]$/i.test(values.type)) throw new UsageError('--type is A or I.');
  if (values.mode !== undefined && !/^[SBC]$/i.test(values.mode)) throw new UsageError('--mode is S, B or C.');
  if (values.size !== undefined && !/^\d+$/.test(values.size)) throw new UsageError('--size is a number of bytes.');
  let exportOptions: ExportOptions = {};
  try {
    exportOptions = exportOptionsFrom(values);
    for (const path of values.export ?? []) checkExportOptions(path, exportOptions);
  } catch (error) {
    if (error instanceof ExportError) throw new UsageError(`--export: ${error.message}`);
    throw error;
  }
  const scenario = await loadScenario(positionals[0]!);
  const target = values.server ? parseServerUrl(values.server) : undefined;
  const settings = settingsFor(scenario, {
    ...(target?.user ? { user: target.user } : {}),
    ...(target?.password ? { password: target.password } : {}),
    ...(values.passive ? { passive: true } : values.active ? { passive: false } : {}),
    ...(values.type ? { type: values.type.toUpperCase() as 'A' | 'I' } : {}),
    ...(values.mode ? { mode: values.mode.toUpperCase() as 'S' | 'B' | 'C' } : {}),
    ...(values.file ? { file: values.file } : {}),
    ...(values.size ? { size: Number(values.size) } : {}),
  });
  const recorder = new TraceRecorder(() => performance.now());
  if (!values.quiet) {
    // Printed live as it happens; the sides are known in advance (both here, or only the client).
    const writer = new TranscriptWriter(new Set(target ? (['client'] as const) : (['client', 'server'] as const)));
    recorder.subscribe((event) => {
      const line = writer.line(event);
      if (line !== undefined) io.out(line);
    });
  }
  // The session's real packets: the capture starts once the server's port is known, before the client connects.
  const captureFile = values.capture;
  const passivePorts = captureFile && !target ? capturePassivePorts() : undefined;
  let capture: RunningCapture | undefined;
  const startCapture = async (address: Endpoint) => {
    if (!captureFile) return;
    // The tool's own backstop should this process die without stopping it: longer than any session may last.
    const started = await startPacketCapture(captureFile, serverPorts(address.port, passivePorts), { maxSeconds: RUN_CAPTURE_MAX_SECONDS });
    if ('unavailable' in started) io.err(`ftp-lab: ${started.unavailable}; the session runs without it.`);
    else capture = started;
  };
  let lab: Awaited<ReturnType<typeof startLabSession>>;
  try {
    lab = await startLabSession({
      scenario,
      settings,
      tool: TOOL,
      recorder,
      ...(passivePorts ? { passivePorts } : {}),
      beforeClient: startCapture,
      ...(target ? { server: { host: target.host, port: target.port } } : {}),
      extended: values.extended,
      revealPasswords: values['reveal-passwords'],
      sessionTimeoutMs: RUN_SESSION_TIMEOUT_MS,
      // Drawing the kernel's states in an export needs them recorded.
      kernelTcpStates: values['tcp-states'] || (values['kernel-states'] ?? false),
    });
  } catch (error) {
    await capture?.stop();
    throw error;
  }
  const { address, steps } = lab;
  // The trace names the capture made beside it, so a reader of either finds the other (and what the filter held).
  const meta: TraceMeta = capture ? { ...lab.meta, recordedCapture: { file: capture.file, tool: capture.tool, filter: capture.filter } } : lab.meta;
  const modes = dataModesText(steps.flatMap((s) => (s.kind === 'dataSetup' ? [s.passive ? ('passive' as const) : ('active' as const)] : [])));
  if (!values.quiet)
    io.out(
      `# ${scenario.title}\n# ${target ? 'server' : 'built-in server'} ftp://${address.host}:${address.port}/, ${modes ? `${modes} mode` : 'no data connection'}, TYPE ${settings.type}, MODE ${settings.mode}`,
    );
  const output = await lab.done.finally(async () => {
    if (capture) reportCapture(io, capture, await capture.stop(), serverPorts(address.port, passivePorts), recorder.events);
  });
  if (values.trace) await writeTrace(values.trace, recorder, meta);
  for (const path of values.export ?? []) {
    try {
      const written = await writeExport(createTraceFile(meta, recorder.events), path, exportOptions);
      if (!values.quiet) io.out(`# Wrote ${written.path} (${written.format}, ${written.bytes} bytes).`);
    } catch (error) {
      // A range past the end of this session's steps is only known now: still bad usage.
      if (error instanceof ExportError) throw new UsageError(`--export ${path}: ${error.message}`);
      throw error;
    }
  }
  for (const t of output.transfers) {
    // A transfer the server refused before anything moved was not cut short: it never began.
    if (t.refused) io.out(`# ${t.command}: no data moved (${t.refused.code} ${t.refused.text})`);
    else
      io.out(
        `# ${t.command}: ${t.bytes} bytes ${t.direction === 'upload' ? 'sent' : 'received'}${t.sha256 ? `, sha256 ${t.sha256.slice(0, 16)}…` : ''}${t.complete ? '' : ' (cut short)'}`,
      );
  }
  if (!output.ok) {
    io.err(`ftp-lab: the session failed: ${output.failure}`);
    return 1;
  }
  if (!values.quiet)
    io.out(
      `# Session complete: ${observedSides(recorder.events).size === 2 ? 'client and server traced' : 'client traced'}, ${recorder.events.length} trace events.`,
    );
  return 0;
}

/** `export`'s options (its --help lists every one: test/main/cli/usage.test.ts). */
export const EXPORT_OPTIONS = {
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  ...EXPORT_ARGS,
  textbook: { type: 'boolean' },
  title: { type: 'string' },
  quiz: { type: 'boolean' },
  'quiz-kinds': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function exportTrace(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: EXPORT_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(EXPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1 || !values.output)
    throw new UsageError('export needs a trace file (or a pcap/pcapng capture) and -o FILE (ftp-lab export --help lists the formats).');
  try {
    const options = exportOptionsFrom(values);
    checkExportOptions(values.output, options);
    const trace = await loadTraceOrCapture(positionals[0]!, TOOL);
    const written = await writeExport(trace, values.output, options);
    io.out(`Wrote ${written.path} (${written.format}, ${written.bytes} bytes, from ${trace.events.length} events).`);
    return 0;
  } catch (error) {
    if (error instanceof ExportError) throw new UsageError(error.message);
    throw error;
  }
}

/** `import`'s options (USAGE lists every one: test/main/cli/usage.test.ts). */
export const IMPORT_OPTIONS = {
  output: { type: 'string', short: 'o' },
} as const;

/** `ftp-lab import capture -o trace.json`: the capture's FTP sessions as a trace, and what could not be reconstructed. */
async function importCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], options: IMPORT_OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length !== 1 || !values.output) throw new UsageError('import needs a capture file (pcap or pcapng) and -o trace.json.');
  const trace = await importCaptureFile(positionals[0]!, TOOL);
  const temp = `${values.output}.tmp-${process.pid}`;
  await writeFile(temp, serializeTrace(trace));
  await rename(temp, values.output);
  const capture = trace.meta.capture!;
  io.out(
    `Wrote ${values.output}: ${capture.sessions} FTP session${capture.sessions === 1 ? '' : 's'}, ${trace.events.length} events, from ${capture.packets} packets of ${capture.file} (${capture.format}).`,
  );
  for (const sentence of capture.notReconstructed) io.out(`# ${sentence}`);
  return 0;
}
