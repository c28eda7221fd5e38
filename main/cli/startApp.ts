// `ftp-lab start`: opens the app in Electron where its binary is available; otherwise says so in one
// sentence and serves the same UI from the browser host (design.md, "Electron in this build environment").

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { BUILT_FILES, builtPath, packageRoot } from '../builtFiles';
import { UsageError, type CliIo } from './cliIo';
import { untilStopSignal } from './stopSignal';

/** Electron's launcher fails within a second when it cannot start (design.md); a running app is past this. */
export const EARLY_EXIT_MS = 1500;

export type ElectronBinary = { path: string } | { reason: string };

/** `npm install` runs no install scripts (.npmrc), so Electron's binary comes from this, where GitHub can be reached. */
export const ELECTRON_INSTALL_HINT = '`npm run electron:install` fetches it where its download host can be reached';

/**
 * The Electron binary the `electron` package points to. The package's index.js throws "Electron
 * failed to install correctly" when its install script never downloaded the binary (.npmrc turns
 * install scripts off, so that `npm install` works offline; `npm run electron:install` runs it).
 */
export function findElectronBinary(): ElectronBinary {
  let path: unknown;
  try {
    path = createRequire(import.meta.url)('electron');
  } catch (error) {
    const message = (error as Error).message;
    return {
      reason: /failed to install correctly/i.test(message)
        ? `its binary was never downloaded: ${ELECTRON_INSTALL_HINT}`
        : `the electron package cannot be loaded: ${message}`,
    };
  }
  if (typeof path !== 'string') return { reason: 'the electron package did not give a binary path' };
  if (!existsSync(path)) return { reason: `its binary is missing (${path})` };
  return { path };
}

export type ElectronLaunch = { running: true; child: ChildProcess; exited: Promise<number> } | { running: false; reason: string };

/**
 * Starts Electron on the main bundle. It counts as running once it has lived EARLY_EXIT_MS, or if it
 * ended by itself with code 0 before (a second instance hands over to the first and quits). A spawn
 * error or an early non-zero exit means it is not usable here; its last stderr line is the reason.
 */
export function launchElectron(
  binary: string,
  args: readonly string[],
  options: { earlyExitMs?: number; stderr?: NodeJS.WritableStream } = {},
): Promise<ElectronLaunch> {
  const stderr = options.stderr ?? process.stderr;
  const env = { ...process.env };
  // Set, it would make the binary a plain Node and run main.cjs without any window.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [...args], { cwd: packageRoot(), env, stdio: ['ignore', 'inherit', 'pipe'] });
  // 'exit', not 'close': Electron's helper processes may hold its stderr open after it is gone.
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1))));
  let early = '';
  let passThrough = false;
  const stderrEnded = new Promise<void>((resolve) => child.stderr!.once('end', resolve));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    if (passThrough) stderr.write(text);
    else early += text;
  });
  return new Promise<ElectronLaunch>((resolve) => {
    let settled = false;
    const settle = (launch: ElectronLaunch) => {
      settled = true;
      clearTimeout(timer);
      child.off('error', onError);
      resolve(launch);
    };
    const onError = (error: NodeJS.ErrnoException) => settle({ running: false, reason: `it could not be started (${error.code ?? error.message})` });
    child.once('error', onError);
    const timer = setTimeout(() => {
      passThrough = true;
      if (early) stderr.write(early);
      settle({ running: true, child, exited });
    }, options.earlyExitMs ?? EARLY_EXIT_MS);
    void exited.then(async (code) => {
      if (settled) return;
      if (code === 0) {
        if (early) stderr.write(early);
        settle({ running: true, child, exited });
        return;
      }
      // The complaint may still be in the pipe when the exit is seen.
      await Promise.race([stderrEnded, new Promise((resolve) => setTimeout(resolve, 250).unref())]);
      const lastLine = early.trim().split('\n').pop()?.trim();
      settle({ running: false, reason: lastLine ? `it stopped at once: ${lastLine}` : `it stopped at once with exit code ${code}` });
    });
  });
}

/** `start`'s options (the CLI's USAGE lists every one: test/main/cli/usage.test.ts). */
export const START_OPTIONS = {
  browser: { type: 'boolean', default: false },
  port: { type: 'string' },
  'no-open': { type: 'boolean', default: false },
} as const;

export async function startApp(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: START_OPTIONS,
    strict: true,
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
    throw new UsageError(`--port ${values.port} is not a port number (0-65535).`);

  let reason: string | undefined;
  if (!values.browser) {
    const binary = findElectronBinary();
    if ('reason' in binary) {
      reason = binary.reason;
    } else {
      const launch = existsSync(builtPath('electronMain'))
        ? await launchElectron(binary.path, [builtPath('electronMain')])
        : { running: false as const, reason: `its app bundle is not built (${BUILT_FILES.electronMain} is missing; \`npm run build\` builds it)` };
      if (launch.running) return await forwardSignalsUntilExit(launch.child, launch.exited);
      reason = launch.reason;
    }
  }
  return await browserFallback(reason, { ...(port !== undefined ? { port } : {}), open: !values['no-open'] }, io);
}

async function browserFallback(reason: string | undefined, options: { port?: number; open: boolean }, io: CliIo): Promise<number> {
  // The browser host (main/web) serves the same renderer and LabApi over a WebSocket; loaded only now.
  const { startWebHost } = await import('../web/webHost');
  const web = await startWebHost(options.port !== undefined ? { port: options.port } : {});
  try {
    const opened = options.open && (await openInBrowser(web.url));
    const where = opened ? `opens in your browser${reason ? ' instead' : ''}: ${web.url}` : `runs in your browser${reason ? ' instead' : ''}; open ${web.url}`;
    // Listening for Ctrl-C before saying where the UI is: whoever reads that line may stop us at once.
    const stopped = untilStopSignal();
    io.out(reason ? `Electron is not available on this machine (${reason}), so FTP Lab ${where}` : `FTP Lab ${where}`);
    await stopped;
  } finally {
    await web.close();
  }
  return 0;
}

/** Asks the desktop to open the URL; false when there is no desktop or no opener to ask. */
function openInBrowser(url: string): Promise<boolean> {
  // Without a display, xdg-open may start a text browser in this very terminal.
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return Promise.resolve(false);
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

/** Ctrl-C in the terminal reaches Electron too; returns Electron's exit code. */
async function forwardSignalsUntilExit(child: ChildProcess, exited: Promise<number>): Promise<number> {
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await exited;
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? 15 : signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 0;
}
