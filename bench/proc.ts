// Child processes for the bench: every one is tracked, bounded in time, and stopped by its pid at the end.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { runProcess } from '../test/support/runProcess';

const live = new Set<ChildProcess>();

/** Aborted by killAll(): runProcess kills the programs it started with this signal. */
let running = new AbortController();

/**
 * A program run to its end on the bench's terms (the test support's runProcess): two minutes unless told,
 * an overrun reported in the result (timedOut) rather than thrown, stopped by killAll(), stdout as text.
 */
export async function runBenchProcess(command: string, args: readonly string[], opts: { timeoutMs?: number; cwd?: string } = {}) {
  const result = await runProcess(command, args, { timeoutMs: 120_000, ...opts, overrun: 'report', signal: running.signal });
  return { ...result, stdout: result.stdout.toString('utf8') };
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
  running.abort();
  running = new AbortController();
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}
