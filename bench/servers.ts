// The servers under test: `ftp-lab serve` as its own process (the CLI, tracing to a file), and vsftpd.
import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, pasvRange } from '../test/support/freePort';
import { startProcess, stopProcess } from './proc';

export const CHECKOUT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(CHECKOUT, 'bin', 'ftp-lab.js');

export interface FtpLabServe {
  readonly port: number;
  readonly pid: number;
  readonly traceFile: string;
  readonly logFile: string;
  /** SIGTERM (the server then writes its final trace) and wait; returns the exit code. */
  stop(): Promise<number>;
}

export interface ServeOptions {
  root: string;
  user: string;
  password: string;
  traceFile: string;
  /** The transcript the server prints (stdout) goes to this file, its stderr next to it. */
  logFile: string;
  /** If set, the server runs under `node --cpu-prof` and writes its profile here on exit. */
  cpuProfDir?: string;
}

/** Starts `node bin/ftp-lab.js serve` on a free port and waits for its ready line. */
export async function startFtpLabServe(opts: ServeOptions): Promise<FtpLabServe> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await spawnServe(port, opts);
    } catch (error) {
      lastError = error as Error;
      if (!/EADDRINUSE/.test(lastError.message)) break;
    }
  }
  throw lastError ?? new Error('ftp-lab serve did not start');
}

async function spawnServe(port: number, opts: ServeOptions): Promise<FtpLabServe> {
  const out = openSync(opts.logFile, 'w');
  const err = openSync(`${opts.logFile}.stderr`, 'w');
  const nodeFlags = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [];
  // A 200-port passive range, as vsftpd gets in the same run (pasv_min_port/pasv_max_port, test/support/vsftpd.ts).
  const pasv = pasvRange(200);
  const args = [
    ...nodeFlags,
    CLI,
    'serve',
    '--port',
    String(port),
    '--root',
    opts.root,
    '--user',
    opts.user,
    '--password',
    opts.password,
    '--trace',
    opts.traceFile,
    '--pasv-ports',
    `${pasv.min}-${pasv.max}`,
  ];
  let child: ChildProcess;
  try {
    child = startProcess(process.execPath, args, ['ignore', out, err], { cwd: CHECKOUT });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const ready = new RegExp(`^FTP Lab server on ftp://127\\.0\\.0\\.1:${port}/`, 'm');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const log = readFileSync(opts.logFile, 'utf8');
    if (ready.test(log)) break;
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stopProcess(child, 2000);
      const stderr = readFileSync(`${opts.logFile}.stderr`, 'utf8');
      throw new Error(`ftp-lab serve did not become ready on port ${port}.\nstdout:\n${log}\nstderr:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let stopped: Promise<number> | undefined;
  return {
    port,
    pid: child.pid!,
    traceFile: opts.traceFile,
    logFile: opts.logFile,
    stop: () => (stopped ??= stopProcess(child, 15_000)),
  };
}

export interface ProcMemory {
  /** Peak resident set size (VmHWM), KiB. */
  hwmKiB: number;
  /** Current resident set size (VmRSS), KiB. */
  rssKiB: number;
}

/** VmHWM and VmRSS from /proc/<pid>/status (Linux). */
export async function processMemory(pid: number): Promise<ProcMemory | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { hwmKiB: field('VmHWM'), rssKiB: field('VmRSS') };
  } catch {
    return undefined;
  }
}

export interface TraceSnapshot {
  bytes: number;
  events: number;
}

/**
 * The trace file once the server has stopped rewriting it (it saves ~200 ms after each burst of
 * events): the file must stay the same for `quietMs`. Then the events are counted.
 */
export async function settledTrace(file: string, quietMs = 600, maxMs = 10_000): Promise<TraceSnapshot> {
  await traceQuiet(file, quietMs, maxMs);
  return traceSnapshot(file);
}

/** Waits until the trace file has not changed for `quietMs` (the server's save after the last session is done). */
export async function traceQuiet(file: string, quietMs = 300, maxMs = 5000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = '';
  let since = Date.now();
  while (Date.now() < deadline) {
    let key = 'missing';
    try {
      const s = statSync(file);
      key = `${s.size}/${s.mtimeMs}`;
    } catch {
      /* not written yet */
    }
    if (key !== last) {
      last = key;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function traceSnapshot(file: string): Promise<TraceSnapshot> {
  try {
    const text = await readFile(file, 'utf8');
    const parsed = JSON.parse(text) as { events?: unknown[] };
    return { bytes: Buffer.byteLength(text), events: parsed.events?.length ?? 0 };
  } catch {
    return { bytes: 0, events: 0 };
  }
}
