// `ftp-lab start`: Electron when it can start, else one sentence and the same UI in the browser.
// Stand-in Electron binaries are small shell scripts that really run (and really fail), pointed to
// with the electron package's own ELECTRON_OVERRIDE_DIST_PATH; the CLI runs in its own process.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELECTRON_INSTALL_HINT, launchElectron } from '../../../main/cli/startApp';
import { MAIN_BUNDLE } from '../../../scripts/buildElectron';

const CHECKOUT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(CHECKOUT, 'bin', 'ftp-lab.js');
/** The electron package's index.js reads path.txt, written by its postinstall once the binary is downloaded. */
const ELECTRON_INSTALLED = existsSync(join(CHECKOUT, 'node_modules', 'electron', 'path.txt'));
const FALLBACK =
  /^Electron is not available on this machine \((.+)\), so FTP Lab runs in your browser instead; open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftp-lab-start-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in for the Electron binary: `electron` in its own folder (the layout the override expects). */
async function fakeElectron(name: string, script: string): Promise<{ folder: string; binary: string }> {
  const folder = join(dir, name);
  await rm(folder, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(folder));
  const binary = join(folder, 'electron');
  await writeFile(binary, `#!/bin/sh\n${script}\n`);
  await chmod(binary, 0o755);
  return { folder, binary };
}

function sink() {
  let text = '';
  return { stream: new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) }), text: () => text };
}

describe('launchElectron', () => {
  it('an Electron that dies at once is not available, and its last complaint is the reason', async () => {
    const { binary } = await fakeElectron('no-display', 'echo "[1234:ERROR:ozone_platform_x11.cc] Missing X server or \\$DISPLAY" >&2; exit 1');
    const stderr = sink();
    const launch = await launchElectron(binary, ['main.cjs'], { earlyExitMs: 5000, stderr: stderr.stream });
    expect(launch).toEqual({ running: false, reason: 'it stopped at once: [1234:ERROR:ozone_platform_x11.cc] Missing X server or $DISPLAY' });
    expect(stderr.text()).toBe('');
  });

  it('a binary that cannot be executed is not available', async () => {
    const launch = await launchElectron(join(dir, 'nowhere', 'electron'), [], { earlyExitMs: 5000 });
    expect(launch).toEqual({ running: false, reason: 'it could not be started (ENOENT)' });
  });

  it('an Electron still running after the first moments is the app: it gets the bundle, not ELECTRON_RUN_AS_NODE, and its stderr', async () => {
    const args = join(dir, 'args.txt');
    const { binary } = await fakeElectron(
      'running',
      `echo "$@" > ${args}; echo "as-node=\${ELECTRON_RUN_AS_NODE:-unset}" >> ${args}; echo "starting" >&2; trap 'kill $!; exit 0' TERM; sleep 30 & wait`,
    );
    const stderr = sink();
    process.env.ELECTRON_RUN_AS_NODE = '1';
    let launch;
    try {
      launch = await launchElectron(binary, ['dist/electron/main.cjs'], { earlyExitMs: 500, stderr: stderr.stream });
    } finally {
      delete process.env.ELECTRON_RUN_AS_NODE;
    }
    expect(launch.running).toBe(true);
    if (!launch.running) return;
    expect(await readFile(args, 'utf8')).toBe('dist/electron/main.cjs\nas-node=unset\n');
    expect(stderr.text()).toBe('starting\n');
    launch.child.kill('SIGTERM');
    expect(await launch.exited).toBe(0);
  });

  it('an Electron that quits at once with code 0 (a second copy handing over to the first) is not a failure', async () => {
    const { binary } = await fakeElectron('second-instance', 'exit 0');
    const launch = await launchElectron(binary, [], { earlyExitMs: 5000 });
    expect(launch.running).toBe(true);
    if (launch.running) expect(await launch.exited).toBe(0);
  });
});

interface StartedCli {
  stdout(): string;
  stderr(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<number>;
}

function startCli(args: string[], env: NodeJS.ProcessEnv = {}): StartedCli {
  const child = spawn(process.execPath, [CLI, 'start', ...args], { cwd: CHECKOUT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const closed = new Promise<number>((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 143))));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    stdout: () => out,
    stderr: () => err,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let exitCode: number | undefined;
      void closed.then((code) => (exitCode = code));
      for (;;) {
        const match = pattern.exec(out);
        if (match) return match;
        if (exitCode !== undefined || Date.now() > deadline) {
          throw new Error(
            `ftp-lab start ${exitCode === undefined ? 'printed nothing matching' : `exited (${exitCode}) without printing`} ${pattern}\nstdout:\n${out}\nstderr:\n${err}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await closed;
      clearTimeout(timer);
      return code;
    },
  };
}

describe('ftp-lab start', () => {
  it('on this machine (no Electron binary): one sentence, then the UI at the URL it names, until Ctrl-C', async () => {
    const cli = startCli(['--no-open']);
    let code: number;
    try {
      const [line, reason, url] = await cli.waitFor(FALLBACK);
      if (!ELECTRON_INSTALLED) expect(reason).toBe(`its binary was never downloaded: ${ELECTRON_INSTALL_HINT}`);
      // One sentence: nothing else on stdout.
      expect(cli.stdout().trim()).toBe(line);
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>FTP Lab</title>');
    } finally {
      code = await cli.stop();
    }
    // SIGTERM (as Ctrl-C) closes the browser host and exits cleanly.
    expect(code).toBe(0);
  }, 90_000);

  it('when Electron is there but cannot start (no display), says why and serves the browser UI instead', async () => {
    const { folder } = await fakeElectron('cli-no-display', 'echo "Missing X server or \\$DISPLAY" >&2; exit 1');
    const cli = startCli(['--no-open'], { ELECTRON_OVERRIDE_DIST_PATH: folder });
    let code: number;
    try {
      const [, reason] = await cli.waitFor(FALLBACK);
      expect(reason).toBe('it stopped at once: Missing X server or $DISPLAY');
    } finally {
      code = await cli.stop();
    }
    expect(code).toBe(0);
  }, 90_000);

  it('when Electron starts, it runs the built main bundle (dist/, built from the current sources by bin/ftp-lab.js), and Ctrl-C reaches it', async () => {
    const args = join(dir, 'cli-args.txt');
    const { folder } = await fakeElectron('cli-running', `echo "$@" > ${args}; trap 'echo stopped > ${args}.stop; kill $!; exit 0' TERM; sleep 30 & wait`);
    const cli = startCli(['--no-open'], { ELECTRON_OVERRIDE_DIST_PATH: folder });
    let code: number;
    try {
      await expect.poll(() => existsSync(args), { timeout: 60_000, interval: 100 }).toBe(true);
      // Past the early-exit window, the launcher has settled on Electron.
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      code = await cli.stop();
    }
    expect((await readFile(args, 'utf8')).trim()).toBe(join(CHECKOUT, MAIN_BUNDLE));
    expect(existsSync(join(CHECKOUT, MAIN_BUNDLE))).toBe(true);
    expect(await readFile(`${args}.stop`, 'utf8')).toBe('stopped\n');
    expect(code).toBe(0);
    expect(cli.stdout()).not.toMatch(/Electron is not available/);
  }, 90_000);
});
