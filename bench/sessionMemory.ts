// What a server keeps of sessions that have ended: its resident memory (VmRSS) after 0, 1k, 5k and 10k short
// sessions (connect, USER, PASS, QUIT, close), one after another (issue 13: flat, as vsftpd's and pyftpdlib's).
//
//   node --import tsx bench/sessionMemory.ts PORT PID USER PASSWORD [SESSIONS [IDLE_SECONDS]]   prints one JSON line

import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { processMemory } from './servers';

export const SESSION_MARKS = [0, 1000, 5000, 10_000] as const;

export interface SessionMemory {
  /** VmRSS in MiB after each mark's number of sessions. */
  rssMiB: Record<number, number>;
  /** VmRSS once the server has been idle a while after the last session (V8 gives back heap it no longer needs only then). */
  idleRssMiB?: number;
  /** How long it was idle for that figure. */
  idleSeconds?: number;
  sessions: number;
  seconds: number;
}

/** The resident set of a process, in MiB (processMemory: /proc on Linux). */
async function rssMiB(pid: number): Promise<number> {
  const memory = await processMemory(pid);
  if (!memory || !Number.isFinite(memory.rssKiB)) throw new Error(`no VmRSS for process ${pid}`);
  return memory.rssKiB / 1024;
}

/** One short session: greeting, login, QUIT, and the server's close. Rejects on any other reply. */
function shortSession(port: number, user: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const script: [string | undefined, number][] = [
      [undefined, 220],
      [`USER ${user}`, 331],
      [`PASS ${password}`, 230],
      ['QUIT', 221],
    ];
    let step = 0;
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      pending += text;
      // Final reply lines only ("ddd " at the start of a line); multi-line replies end with one.
      for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (!/^\d{3} /.test(line)) continue;
        const expected = script[step]![1];
        if (Number(line.slice(0, 3)) !== expected && !(expected === 331 && line.startsWith('230')))
          return socket.destroy(new Error(`expected ${expected}, got "${line}"`));
        step += 1;
        // A server that takes an anonymous login without a password (vsftpd) answers USER with 230.
        if (expected === 331 && line.startsWith('230')) step += 1;
        if (step < script.length) socket.write(`${script[step]![0]}\r\n`);
      }
    });
    socket.once('error', reject);
    socket.once('close', () => (step === script.length ? resolve() : reject(new Error(`closed after ${step} replies`))));
  });
}

/**
 * Runs the sessions and weighs the server at each mark. With `idleMs`, it then waits (up to that long) for the
 * server's memory to come back to where it started, and reports where it got to.
 */
export async function measureSessionMemory(
  port: number,
  pid: number,
  user: string,
  password: string,
  total: number = SESSION_MARKS.at(-1)!,
  idleMs = 0,
): Promise<SessionMemory> {
  const rss: Record<number, number> = {};
  const t0 = performance.now();
  let done = 0;
  for (const mark of SESSION_MARKS.filter((m) => m <= total)) {
    for (; done < mark; done++) await shortSession(port, user, password);
    // A moment for the server to finish with the last session (its close, its trace) before it is weighed.
    await new Promise((resolve) => setTimeout(resolve, 300));
    rss[mark] = Math.round((await rssMiB(pid)) * 10) / 10;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (idleMs <= 0) return { rssMiB: rss, sessions: done, seconds };
  const idleStart = performance.now();
  let idle = await rssMiB(pid);
  while (idle > (rss[0] ?? 0) && performance.now() - idleStart < idleMs) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    idle = await rssMiB(pid);
  }
  return { rssMiB: rss, idleRssMiB: Math.round(idle * 10) / 10, idleSeconds: Math.round((performance.now() - idleStart) / 1000), sessions: done, seconds };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [port, pid, user, password, sessions, idleSeconds] = process.argv.slice(2);
  const result = await measureSessionMemory(
    Number(port),
    Number(pid),
    user ?? 'anonymous',
    password ?? 'x',
    sessions ? Number(sessions) : undefined,
    Number(idleSeconds ?? 0) * 1000,
  );
  process.stdout.write(JSON.stringify(result) + '\n');
}
