// Child processes for the bench: every one is tracked, bounded in time, and stopped by its pid at the end.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

const live = new Set<ChildProcess>();

export interface ProcResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  wallMs: number;
  timedOut: boolean;
}

export interface ProcOptions {
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout: 'pipe' (collected) or 'ignore' (/dev/null, for clients writing payload to stdout). */
  stdout?: 'pipe' | 'ignore';
}

/** Runs a command to completion (killed with SIGKILL after `timeoutMs`), collecting its output. */
export function runProcess(command: string, args: readonly string[], opts: ProcOptions = {}): Promise<ProcResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, [...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'],
    });
    live.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.once('error', (e) => {
      clearTimeout(timer);
      live.delete(child);
      reject(new Error(`cannot start ${command}: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        wallMs: performance.now() - started,
        timedOut,
      });
    });
  });
}

/** A long-running child (a server); the caller stops it, and stopAll() catches any it forgot. */
export function startProcess(command: string, args: readonly string[], stdio: StdioOptions, opts: { cwd?: string; detached?: boolean } = {}): ChildProcess {
  const child = spawn(command, [...args], { cwd: opts.cwd, stdio, detached: opts.detached ?? false });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code once the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<number> {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return child.exitCode ?? 128;
  }
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 143))));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(timer);
  live.delete(child);
  return code;
}

/** Kills every child still running (by its pid), e.g. when the bench is interrupted. */
export function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}
