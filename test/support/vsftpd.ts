// Debian's vsftpd as a real, independent FTP server for our client (design.md, Testing).
// A standalone instance per call: own config, own anon_root, own port, killed by stop().
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pasvRange } from './freePort.js';

export interface Vsftpd {
  host: string;
  port: number;
  /** The anonymous root (root-owned, 755). Files here are what `RETR name` serves. */
  anonRoot: string;
  /** anonRoot/upload (777): the only place anonymous STOR/MKD may write. */
  uploadDir: string;
  /** The file vsftpd_log_file points to (empty unless logging is switched on). */
  logFile: string;
  /** The listening (parent) process; each session runs in a child of its own. */
  pid: number;
  stop(): Promise<void>;
}

/** The sample files placed in anonRoot, for tests to compare against. */
export const VSFTPD_HELLO_TEXT = 'Hello from vsftpd!\r\nSecond line.\r\n';
export function blobBytes(size = 200_000): Buffer {
  // Deterministic, not trivially compressible: bytes of chained SHA-256 digests.
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update('ftp-lab blob').digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off, 0, Math.min(block.length, size - off));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

const VSFTPD_CANDIDATES = ['/usr/sbin/vsftpd', '/usr/local/sbin/vsftpd'];

function findVsftpd(): string | undefined {
  for (const candidate of VSFTPD_CANDIDATES) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* try the next one */
    }
  }
  return commandPath('vsftpd');
}

/** Where the shell finds a command, if it does. */
function commandPath(name: string): string | undefined {
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found ? found : undefined;
}

/** `host`: the loopback address it listens on (another 127.x address keeps a capture's filter to its own traffic). */
export async function startVsftpd(options: { host?: string } = {}): Promise<Vsftpd> {
  const binary = findVsftpd();
  if (!binary) throw new Error('vsftpd is not installed: run .ci/run or apt-get install vsftpd');

  const host = options.host ?? '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'ftp-lab-vsftpd-'));
  try {
    const anonRoot = join(dir, 'anon');
    const uploadDir = join(anonRoot, 'upload');
    const emptyDir = join(dir, 'empty');
    const logFile = join(dir, 'vsftpd.log');
    const configFile = join(dir, 'vsftpd.conf');
    await mkdir(anonRoot);
    await mkdir(uploadDir);
    await mkdir(emptyDir);
    // vsftpd refuses an anon_root the anonymous user can write ("refusing to run with writable root").
    await chmod(dir, 0o755);
    await chmod(anonRoot, 0o755);
    await chmod(uploadDir, 0o777);
    await chmod(emptyDir, 0o755);
    // anon_world_readable_only=YES (the default): samples must be world-readable.
    await writeFile(join(anonRoot, 'hello.txt'), VSFTPD_HELLO_TEXT, { mode: 0o644 });
    await writeFile(join(anonRoot, 'blob.bin'), blobBytes(), { mode: 0o644 });
    await chmod(join(anonRoot, 'hello.txt'), 0o644);
    await chmod(join(anonRoot, 'blob.bin'), 0o644);

    const port = await freePort(host);
    const pasv = pasvRange();
    const config = [
      'listen=YES',
      'listen_ipv6=NO',
      'background=NO',
      `listen_address=${host}`,
      `listen_port=${port}`,
      'anonymous_enable=YES',
      'no_anon_password=YES',
      `anon_root=${anonRoot}`,
      'write_enable=YES',
      'anon_upload_enable=YES',
      'anon_mkdir_write_enable=YES',
      'anon_other_write_enable=YES',
      'anon_umask=022',
      'local_enable=NO',
      `pasv_address=${host}`,
      'pasv_enable=YES',
      `pasv_min_port=${pasv.min}`,
      `pasv_max_port=${pasv.max}`,
      'port_enable=YES',
      'connect_from_port_20=NO',
      `secure_chroot_dir=${emptyDir}`,
      'seccomp_sandbox=NO',
      'isolate=NO',
      'isolate_network=NO',
      'xferlog_enable=NO',
      'log_ftp_protocol=NO',
      `vsftpd_log_file=${logFile}`,
      '',
    ].join('\n');
    // vsftpd also refuses a config file that is not owned by root / is writable by others.
    await writeFile(configFile, config, { mode: 0o600 });

    // Own process group, so stop() also ends the per-session children vsftpd forks. Started through setpriv's
    // parent-death signal where there is one (util-linux): a test worker killed by a signal runs no 'exit' handler,
    // and vsftpd would otherwise outlive it, listening.
    const setpriv = commandPath('setpriv');
    const [command, args] = setpriv ? [setpriv, ['--pdeathsig', 'SIGKILL', binary, configFile]] : [binary, [configFile]];
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let hasExited = false;
    let exitInfo = '';
    child.once('exit', (code, signal) => {
      hasExited = true;
      exitInfo = signal ? `signal ${signal}` : `code ${code}`;
    });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    // If the test process dies without calling stop(), do not leave vsftpd listening.
    const killOnExit = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    process.once('exit', killOnExit);

    const stopProcess = async (): Promise<void> => {
      process.removeListener('exit', killOnExit);
      if (!hasExited && child.pid) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
        const timer = setTimeout(() => {
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, 2000);
        await exited;
        clearTimeout(timer);
      }
      // 'exit' can come before the pipes are drained and closed; wait for them, so no handle leaks.
      await Promise.all([child.stdout, child.stderr].map((s) => (s.closed ? Promise.resolve() : new Promise<void>((r) => s.once('close', () => r())))));
    };

    try {
      await waitForGreeting(host, port, 10_000, () => (hasExited ? exitInfo : undefined), spawnError);
    } catch (e) {
      await stopProcess();
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(
        `vsftpd did not come up on ${host}:${port}: ${why}\nvsftpd stderr:\n${stderr.trim() || '(empty)'}` +
          (stdout.trim() ? `\nvsftpd stdout:\n${stdout.trim()}` : '') +
          `\nconfig (${configFile}):\n${config}`,
      );
    }

    let stopped = false;
    return {
      host,
      port,
      anonRoot,
      uploadDir,
      logFile,
      pid: child.pid!,
      async stop(): Promise<void> {
        if (stopped) return;
        stopped = true;
        await stopProcess();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Connect repeatedly until the server greets with 220; fail fast if the process exits. */
async function waitForGreeting(host: string, port: number, timeoutMs: number, exitedWith: () => string | undefined, spawnError: Promise<Error>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no connection attempt yet';
  let failedToSpawn: Error | undefined;
  void spawnError.then((e) => (failedToSpawn = e));
  while (Date.now() < deadline) {
    if (failedToSpawn) throw new Error(`could not start vsftpd: ${failedToSpawn.message}`);
    const exit = exitedWith();
    if (exit) throw new Error(`vsftpd exited (${exit}) before greeting`);
    const result = await tryGreeting(host, port, Math.max(100, deadline - Date.now()));
    if (result === 'ok') return;
    lastProblem = result;
    await new Promise<void>((r) => setTimeout(r, 50));
  }
  throw new Error(`no 220 greeting within ${timeoutMs} ms (last: ${lastProblem})`);
}

function tryGreeting(host: string, port: number, timeoutMs: number): Promise<'ok' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let text = '';
    let settled = false;
    const finish = (result: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(`no greeting within ${timeoutMs} ms`), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (s: string) => {
      text += s;
      if (/^220[ -]/m.test(text)) finish('ok');
      else if (/\r?\n/.test(text)) finish(`unexpected greeting ${JSON.stringify(text.trim())}`);
    });
    socket.on('error', (e) => finish(e.message));
    socket.on('close', () => finish(text ? `closed after ${JSON.stringify(text.trim())}` : 'closed without greeting'));
  });
}
