// `ftp-lab run … --capture FILE` and `serve --capture FILE` (issue 12): the session's real packets, recorded by
// dumpcap on loopback with a filter on the session's ports, read back by tshark (an independent reader): the FTP
// commands in the order the trace has them. The capture tool is always stopped: no process is left holding the file.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../main/cli/ftpLab';
import type { TraceFile } from '../../../core/trace/traceEvent';

const hasDumpcap = existsSync('/usr/bin/dumpcap') && existsSync('/usr/bin/tshark');

/** The FTP commands tshark finds in a capture, decoding `port` as FTP (FTP Lab's server is not on port 21). */
function tsharkCommands(file: string, port: number): string[] {
  const out = execFileSync('tshark', ['-r', file, '-d', `tcp.port==${port},ftp`, '-Y', 'ftp.request', '-T', 'fields', '-e', 'ftp.request.command'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.split('\n').filter(Boolean);
}

/** The TCP conversations in a capture, as 'portA portB' pairs. */
function tsharkConversations(file: string): string[] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.dstport'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return [
    ...new Set(
      out
        .split('\n')
        .filter(Boolean)
        .map((l) =>
          l
            .split('\t')
            .map(Number)
            .sort((a, b) => a - b)
            .join(' '),
        ),
    ),
  ];
}

/** Processes whose command line names the file (and `program`, when given): a capture tool left running would be one. */
function processesHolding(file: string, program = ''): number[] {
  return readdirSync('/proc').flatMap((pid) => {
    if (!/^\d+$/.test(pid)) return [];
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes(file) && cmdline.includes(program) ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftp-lab-capture-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const collect = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
};

describe.skipIf(!hasDumpcap)('ftp-lab run --capture', () => {
  it.each([
    { scenario: 'textbook-upload', how: 'active' },
    { scenario: 'download', how: 'passive' },
  ])('$scenario ($how): tshark reads the commands of the trace, in order, and every connection of it', async ({ scenario }) => {
    const capture = join(dir, 's.pcapng');
    const tracePath = join(dir, 's.json');
    const { io, out } = collect();
    expect(await main(['run', scenario, '--capture', capture, '--trace', tracePath, '--quiet'], io)).toBe(0);
    expect(out.join('\n')).toMatch(
      /^# Captured \d+ packets with dumpcap into .*s\.pcapng \(filter: tcp and \(port \d+ or port \d+ or portrange \d+-\d+\)\)\.$/m,
    );
    expect(processesHolding(capture)).toEqual([]);
    const trace = JSON.parse(readFileSync(tracePath, 'utf8')) as TraceFile;
    expect(trace.meta.recordedCapture).toMatchObject({ file: capture, tool: 'dumpcap', filter: expect.stringMatching(/^tcp and \(port \d+/) });
    const sent = trace.events.flatMap((e) => (e.type === 'ftp.command' && e.dir === 'sent' ? [e.verb] : []));
    expect(tsharkCommands(capture, trace.meta.server!.port)).toEqual(sent);
    // Every connection the trace opened (control and data, from the client's side) is in the capture.
    const opened = trace.events.flatMap((e) => (e.type === 'tcp.connect' || (e.type === 'tcp.accept' && e.side === 'client') ? [e] : []));
    const conversations = tsharkConversations(capture);
    for (const e of opened) expect(conversations).toContain([e.local.port, e.remote.port].sort((a, b) => a - b).join(' '));
  });
});

describe.skipIf(!hasDumpcap)('ftp-lab run --capture ended by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s stops dumpcap before run exits (%i): no capture tool outlives it',
    async (signal, code) => {
      const capture = join(dir, 'signalled.pcapng');
      // A server that accepts and never greets: the run waits for its 220 while the capture runs.
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as AddressInfo).port;
      const child = spawn(process.execPath, ['bin/ftp-lab.js', 'run', 'download', '--server', `ftp://127.0.0.1:${port}`, '--capture', capture], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      try {
        const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
        await expect.poll(() => processesHolding(capture, 'dumpcap').length, { timeout: 20_000 }).toBe(1);
        child.kill(signal);
        expect(await exited).toBe(code);
        expect(processesHolding(capture, 'dumpcap')).toEqual([]);
      } finally {
        // On the old code dumpcap was left running: end it here rather than leave it to the machine.
        for (const pid of processesHolding(capture, 'dumpcap')) process.kill(pid, 'SIGKILL');
        if (child.exitCode === null) child.kill('SIGKILL');
        silent.close();
      }
    },
    30_000,
  );
});

describe('ftp-lab run --capture without a capture tool', () => {
  it('says so in a sentence and runs the session anyway (exit code 0, no file)', async () => {
    const capture = join(dir, 's.pcapng');
    const { io, err } = collect();
    const path = process.env.PATH;
    // A real absence: nothing on PATH (the session itself needs no program from it).
    process.env.PATH = dir;
    try {
      expect(await main(['run', 'download', '--capture', capture, '--quiet'], io)).toBe(0);
    } finally {
      process.env.PATH = path;
    }
    expect(err.join('\n')).toBe('ftp-lab: no capture: neither dumpcap (Wireshark) nor tcpdump is installed on this machine; the session runs without it.');
    expect(existsSync(capture)).toBe(false);
  });
});

describe.skipIf(!hasDumpcap)('ftp-lab run --capture where dumpcap cannot write', () => {
  it('says why in dumpcap’s words, leaves no process, and runs the session anyway (exit code 0)', async () => {
    // dumpcap says "Capturing on" and then ends, as it does without the permission to capture (seen as nobody).
    const capture = join(dir, 'no-such-folder', 's.pcapng');
    const { io, err, out } = collect();
    expect(await main(['run', 'download', '--capture', capture, '--quiet'], io)).toBe(0);
    expect(err.join('\n')).toBe(
      `ftp-lab: no capture: dumpcap could not capture on the loopback interface: The file to which the capture would be saved ("${capture}") could not be opened: No such file or directory; the session runs without it.`,
    );
    expect(out.join('\n')).not.toContain('Captured');
    expect(processesHolding(capture)).toEqual([]);
  });
});

describe.skipIf(!hasDumpcap)('ftp-lab serve --capture', () => {
  it('records the sessions until the server stops, then stops dumpcap: tshark reads the commands in order', async () => {
    const capture = join(dir, 'serve.pcapng');
    const child = spawn(process.execPath, ['bin/ftp-lab.js', 'serve', '--port', '0', '--capture', capture], { stdio: ['ignore', 'pipe', 'pipe'] });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    try {
      let stdout = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => (stdout += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${stdout}`)), 30_000);
        child.stdout.on('data', () => {
          const found = /FTP Lab server on ftp:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout);
          if (found) {
            clearTimeout(timer);
            resolve(Number(found[1]));
          }
        });
      });
      // A client of its own, on a raw socket: each command after the previous reply.
      const commands = ['USER anonymous', 'PASS guest', 'SYST', 'PWD', 'QUIT'];
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let buffer = '';
        let next = 0;
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          buffer += chunk;
          // A final reply line: three digits and a space.
          while (/^\d{3} .*\r\n/m.test(buffer)) {
            buffer = buffer.replace(/^[\s\S]*?^\d{3} .*\r\n/m, '');
            if (next < commands.length) socket.write(`${commands[next++]}\r\n`);
          }
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/# Captured \d+ packets with dumpcap into .*serve\.pcapng/);
      expect(processesHolding(capture)).toEqual([]);
      expect(tsharkCommands(capture, port)).toEqual(['USER', 'PASS', 'SYST', 'PWD', 'QUIT']);
    } finally {
      process.off('exit', killOnExit);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
