// Run a Python 3 script (`python3 -c SCRIPT ARGS...`) as an independent FTP peer (ftplib).
import { spawn } from 'node:child_process';

export interface PythonResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runPython(
  script: string,
  args: string[],
  opts: { timeoutMs?: number; input?: string } = {},
): Promise<PythonResult> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise<PythonResult>((resolve, reject) => {
    const child = spawn('python3', ['-c', script, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
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
    child.stdin.on('error', () => {
      /* the script may exit before reading its input */
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`runPython: cannot start python3 (${e.message}); run .ci/run or apt-get install python3`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new Error(`runPython: python3 did not finish within ${timeoutMs} ms and was killed.\nstderr:\n${stderr}\nstdout:\n${stdout}`));
        return;
      }
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
