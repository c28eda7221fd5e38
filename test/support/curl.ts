// Run curl as an independent FTP client; stdout is kept as raw bytes.
import { spawn } from 'node:child_process';

export interface CurlResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export async function runCurl(args: string[], opts: { timeoutMs?: number } = {}): Promise<CurlResult> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise<CurlResult>((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`runCurl: cannot start curl (${e.message}); run .ci/run or apt-get install curl`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new Error(`runCurl: curl ${args.join(' ')} did not finish within ${timeoutMs} ms and was killed.\nstderr:\n${stderr}`));
        return;
      }
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out), stderr });
    });
  });
}
