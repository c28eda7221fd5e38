// `ftp-lab serve` as a user runs it: the real CLI in its own process, on a free port, serving a
// fresh temporary --root. stop() sends SIGTERM (as Ctrl-C would), waits for the exit code and
// removes the root. Used by the interop tests, where third-party clients (ftplib, curl) talk to it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './freePort.js';

export interface FtpLabServe {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The --root directory: what the server's "/" is. Removed by stop(). */
  readonly root: string;
  /** Everything the process printed on stdout so far (the ready line, then the live transcript). */
  stdout(): string;
  /**
   * stdout once the live transcript has caught up: serve prints new lines every 50 ms, so this waits
   * until nothing new has come for a few of those.
   */
  transcript(): Promise<string>;
  stderr(): string;
  /** SIGTERM, then the exit code once the process is gone (128 + n if a signal ended it). */
  stop(): Promise<number>;
}

const CLI = fileURLToPath(new URL('../../bin/ftp-lab.js', import.meta.url));
const CHECKOUT = fileURLToPath(new URL('../..', import.meta.url));
const READY = /^FTP Lab server on ftp:\/\/127\.0\.0\.1:(\d+)\//m;

/**
 * Starts `ftp-lab serve --port N --root DIR ...args`. A port taken between freePort() and listen()
 * makes the CLI exit; that is retried with another port a few times.
 */
export async function startFtpLabServe(args: readonly string[] = [], opts: { readyTimeoutMs?: number; fileSizeLimitKiB?: number } = {}): Promise<FtpLabServe> {
  const root = await mkdtemp(join(tmpdir(), 'ftp-lab-serve-root-'));
  let lastError: Error | undefined;
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const port = await freePort();
      try {
        return await spawnServe(port, root, args, opts.readyTimeoutMs ?? 15_000, opts.fileSizeLimitKiB);
      } catch (error) {
        lastError = error as Error;
        if (!/EADDRINUSE/.test(lastError.message)) break;
      }
    }
  } catch (error) {
    lastError = error as Error;
  }
  await rm(root, { recursive: true, force: true });
  throw lastError ?? new Error('startFtpLabServe: the server did not start');
}

async function spawnServe(port: number, root: string, args: readonly string[], readyTimeoutMs: number, fileSizeLimitKiB?: number): Promise<FtpLabServe> {
  const argv = [process.execPath, CLI, 'serve', '--port', String(port), '--root', root, ...args];
  // With a file-size limit (RLIMIT_FSIZE, bash's ulimit -f in KiB), a write past it fails with EFBIG (Node ignores SIGXFSZ).
  const [command, ...rest] = fileSizeLimitKiB === undefined ? argv : ['bash', '-c', `ulimit -f ${fileSizeLimitKiB} && exec "$0" "$@"`, ...argv];
  const child = spawn(command!, rest, {
    cwd: CHECKOUT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  // 'close' comes after 'exit' and after both pipes are drained and closed: nothing is left open.
  const closed = new Promise<number>((resolve) => {
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
  });
  let exited = false;
  void closed.then(() => (exited = true));
  // If the test process dies without calling stop(), do not leave the server listening.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stopProcess = async (): Promise<number> => {
    process.removeListener('exit', killOnExit);
    if (!exited) child.kill('SIGTERM');
    // A server that does not stop on SIGTERM is a bug the caller sees as exit code 137.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await closed;
    clearTimeout(timer);
    return code;
  };

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => settle(new Error(`ftp-lab serve did not print its ready line within ${readyTimeoutMs} ms.\nstdout:\n${out}\nstderr:\n${err}`)),
      readyTimeoutMs,
    );
    const onData = () => {
      const match = READY.exec(out);
      if (!match) return;
      settle(Number(match[1]) === port ? undefined : new Error(`ftp-lab serve listens on ${match[1]}, not on --port ${port}`));
    };
    const onError = (e: Error) => settle(new Error(`cannot start ftp-lab serve: ${e.message}`));
    void closed.then((code) => settle(new Error(`ftp-lab serve exited (${code}) before it was ready.\nstdout:\n${out}\nstderr:\n${err}`)));
    child.stdout.on('data', onData);
    child.once('error', onError);
  }).catch(async (error: Error) => {
    await stopProcess();
    throw error;
  });

  let stopped: Promise<number> | undefined;
  return {
    host: '127.0.0.1',
    port,
    root,
    stdout: () => out,
    async transcript() {
      // Quiet for 200 ms (four of serve's 50 ms print intervals): what was recorded is printed.
      for (let seen = out.length, quietMs = 0; quietMs < 200;) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        quietMs = out.length === seen ? quietMs + 50 : 0;
        seen = out.length;
      }
      return out;
    },
    stderr: () => err,
    stop() {
      stopped ??= stopProcess().then(async (code) => {
        await rm(root, { recursive: true, force: true });
        return code;
      });
      return stopped;
    },
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? 15 : signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 0;
}
