// Records the real packets of a session's connections while it runs (`ftp-lab run|serve --capture FILE`): dumpcap
// (Wireshark's capture engine; pcapng) or else tcpdump (pcap), on the loopback interface, with a capture filter on
// the session's ports (core/capture/captureFilter.ts). The one place FTP Lab starts a capture tool; it always stops
// it, cleanly (the tool ends its file on SIGTERM), and where there is no tool or no permission it says so instead.

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';
import { captureFilter, type SessionPorts } from '../../core/capture/captureFilter';

export type CaptureTool = 'dumpcap' | 'tcpdump';

/** How each tool is asked to capture on `lo` into a file, and the line on stderr that says it has begun. */
const TOOLS: Record<CaptureTool, { args: (file: string, filter: string, maxSeconds: number) => string[]; ready: RegExp; packets: RegExp }> = {
  // -q: no packet count while running; the statistics still come at the end. -a duration: it stops by itself after
  // that long, should it outlive FTP Lab anyway (a SIGKILL, which nothing can catch).
  dumpcap: {
    args: (file, filter, maxSeconds) => ['-q', '-i', 'lo', '-f', filter, '-a', `duration:${maxSeconds}`, '-w', file],
    ready: /^Capturing on /m,
    packets: /Packets captured: (\d+)/,
  },
  // -U: each packet written as it comes, so nothing is left in a buffer if the tool is stopped hard.
  tcpdump: { args: (file, filter) => ['-i', 'lo', '-U', '-w', file, filter], ready: /listening on /m, packets: /(\d+) packets? captured/ },
};

/** How long a tool may take to begin, and to end its file once asked to stop. */
const START_MS = 5_000;
const STOP_MS = 5_000;
/**
 * dumpcap says "Capturing on" a little before packets reach it, and on SIGTERM it ends without reading the packets
 * the kernel still holds for it (in blocks handed over every few hundred ms). Measured here (dumpcap 4.0, a
 * connection of 6 packets on lo, 3 tries each): sent at once after the line, 0 of 3 captured; 300 ms after, 3 of 3;
 * stopped 200-400 ms after the last packet, mostly 0; 600 ms and more, 3 of 3. So: a wait on each side, with room.
 */
const READY_SETTLE_MS = 400;
const STOP_SETTLE_MS = 900;

/**
 * A passive-port range for a server whose packets are captured, so the filter can name its data ports: 64 ports
 * at random below Linux's ephemeral range (32768-60999), where no other program's outgoing connection takes a port.
 */
export function capturePassivePorts(): { min: number; max: number } {
  const min = 20_000 + 64 * Math.floor(Math.random() * 190);
  return { min, max: min + 63 };
}

export interface RunningCapture {
  readonly tool: CaptureTool;
  readonly file: string;
  readonly filter: string;
  /** Stops the tool and waits for it to close its file; the count of packets it reports, when it does. */
  stop(): Promise<{ packets: number | undefined }>;
}

/** The first of the tools found on `searchPath` (PATH by default), with its full path. */
export function findCaptureTool(searchPath = process.env.PATH ?? ''): { tool: CaptureTool; path: string } | undefined {
  for (const tool of Object.keys(TOOLS) as CaptureTool[]) {
    for (const dir of searchPath.split(delimiter)) {
      if (!dir) continue;
      const path = join(dir, tool);
      try {
        accessSync(path, constants.X_OK);
        return { tool, path };
      } catch {
        // Not here.
      }
    }
  }
  return undefined;
}

/**
 * Starts capturing the session's ports into `file`, resolving once the tool says it is capturing (packets sent
 * before that would be missed). Or a sentence: no tool, no permission, or the tool's own complaint.
 */
export async function startPacketCapture(
  file: string,
  ports: SessionPorts,
  options: { searchPath?: string; maxSeconds: number },
): Promise<RunningCapture | { unavailable: string }> {
  const found = findCaptureTool(options.searchPath);
  if (!found) return { unavailable: 'no capture: neither dumpcap (Wireshark) nor tcpdump is installed on this machine' };
  const filter = captureFilter(ports);
  const spec = TOOLS[found.tool];
  const child = spawn(found.path, spec.args(file, filter, options.maxSeconds), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    // Only the start and the statistics matter: a bounded tail of what the tool says.
    stderr = (stderr + chunk).slice(-8_192);
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  // If this process ends first (an uncaught error, a second Ctrl-C), the tool must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // A signal ends a process without 'exit': while nothing else handles SIGINT/SIGTERM (serve does, once it is up, and
  // stops the capture itself), the capture stops the tool, letting it end its file, then ends the process as the
  // signal would have (128 + its number).
  const stopOnSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return;
    void stopChild(child, exited).finally(() => process.exit(128 + osConstants.signals[signal]));
  };
  process.on('SIGINT', stopOnSignal);
  process.on('SIGTERM', stopOnSignal);
  const release = () => {
    process.off('exit', killOnExit);
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  };
  const failed = (why: string) => {
    release();
    return { unavailable: `no capture: ${found.tool} ${why}` };
  };

  const began = await new Promise<'ready' | 'exited' | 'timeout' | 'error'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), START_MS);
    const check = () => {
      if (spec.ready.test(stderr)) {
        clearTimeout(timer);
        resolve('ready');
      }
    };
    child.stderr?.on('data', check);
    child.once('error', () => {
      clearTimeout(timer);
      resolve('error');
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve('exited');
    });
  });
  if (began !== 'ready') {
    await stopChild(child, exited);
    const said = firstLine(stderr);
    if (began === 'timeout') return failed(`did not start capturing within ${START_MS / 1000} s${said ? ` (${said})` : ''}`);
    // "You don't have permission to capture on that device", a filter it refused, …: in its own words.
    return failed(`could not capture on the loopback interface: ${said || 'it ended without saying why'}`);
  }

  await new Promise((resolve) => setTimeout(resolve, READY_SETTLE_MS));
  // dumpcap says "Capturing on" before it opens the device and the file: one it may not open ends it right after.
  if (child.exitCode !== null || child.signalCode !== null) {
    await exited;
    return failed(`could not capture on the loopback interface: ${firstLine(stderr) || 'it ended without saying why'}`);
  }
  let stopping: Promise<{ packets: number | undefined }> | undefined;
  return {
    tool: found.tool,
    file,
    filter,
    stop() {
      stopping ??= (async () => {
        await new Promise((resolve) => setTimeout(resolve, STOP_SETTLE_MS));
        await stopChild(child, exited);
        release();
        const count = spec.packets.exec(stderr)?.[1];
        return { packets: count !== undefined ? Number(count) : undefined };
      })();
      return stopping;
    },
  };
}

/** SIGTERM (the tools close their file and print their statistics), then SIGKILL if it does not end in time. */
async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
  await exited;
  clearTimeout(timer);
}

/** The tool's first line of complaint ('dumpcap: You do not have permission to capture on device "lo".'). */
function firstLine(text: string): string {
  const line =
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l && !/^Capturing on|^File:|^listening on/.test(l)) ?? '';
  // Without its name and its full stop: the sentence goes on after it.
  return line.replace(/^(dumpcap|tcpdump): /, '').replace(/\.$/, '');
}
