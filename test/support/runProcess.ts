// Runs a program to its end with a time limit, collecting its output: the one child-process runner for the
// test support's independent peers (curl, python3) and for the bench's clients and children.
import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number;
  stdout: Buffer;
  stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  wallMs: number;
  /** Killed at timeoutMs; only ever true with overrun: 'report' (otherwise an overrun rejects). */
  timedOut: boolean;
}

export interface ProcessOptions {
  readonly timeoutMs?: number;
  readonly input?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Said when the program cannot be started at all (e.g. how to install it). */
  readonly missingHint?: string;
  /**
   * What running past timeoutMs does, after the program is killed: 'reject' (a test: a peer that hangs is a
   * failure, shown with its output) or 'report' (the bench: resolves with timedOut, for its results table).
   */
  readonly overrun?: 'reject' | 'report';
  /** Aborting it kills the program (SIGKILL): how the bench stops every child when it is interrupted. */
  readonly signal?: AbortSignal;
}

/** Resolves with the exit code even when it is not 0; rejects if the program is missing, or overruns (unless reported). */
export function runProcess(command: string, args: readonly string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise<ProcessResult>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, [...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.signal ? { signal: opts.signal, killSignal: 'SIGKILL' as const } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // The program may exit before it reads its input.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    child.on('error', (e) => {
      // Aborted: the program is being killed, and 'close' tells how it ended.
      if (e.name === 'AbortError') return;
      clearTimeout(timer);
      reject(new Error(`cannot start ${command} (${e.message})${opts.missingHint ? `; ${opts.missingHint}` : ''}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out);
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut && opts.overrun !== 'report') {
        reject(
          new Error(`${command} did not finish within ${timeoutMs} ms and was killed.\nstderr:\n${stderr}\nstdout:\n${stdout.toString('utf8').slice(0, 4000)}`),
        );
        return;
      }
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, wallMs: performance.now() - started, timedOut });
    });
  });
}
