// Runs an independent peer program (curl, python3) with a time limit; the one child-process runner of the test support.
import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface ProcessOptions {
  readonly timeoutMs?: number;
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Said when the program cannot be started at all (e.g. how to install it). */
  readonly missingHint: string;
}

/** Resolves with the exit code even when it is not 0; rejects only if the program is missing or overruns. */
export function runProcess(command: string, args: readonly string[], opts: ProcessOptions): Promise<ProcessResult> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise<ProcessResult>((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}) });
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
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${command} (${e.message}); ${opts.missingHint}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out);
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new Error(`${command} did not finish within ${timeoutMs} ms and was killed.\nstderr:\n${stderr}\nstdout:\n${stdout.toString('utf8').slice(0, 4000)}`));
        return;
      }
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
