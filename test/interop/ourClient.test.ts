// Our client against servers nobody here wrote: Debian's vsftpd and npm's ftp-srv. Each test runs a
// scenario as a user would (`ftp-lab run … --server ftp://…`, in-process through main()) and checks
// what that user would notice: the exit code, the error sentence, the file that arrived (sha256), the
// file that landed in the server's directory, and who closed each data connection in the trace.
// Where the full sha256 is needed, the same scenario also runs through runClientSession directly.
//
// Not here: `wrong-password`. vsftpd and ftp-srv run anonymous-only, so any password is accepted and
// a test of a 530 could not fail for the right reason (it is covered against our own server).

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/ftpLab';
import type { CliIo } from '../../main/cli/cliIo';
import { runClientSession } from '../../main/session/clientSession';
import { generateBytes } from '../../main/session/generatedContent';
import { findBuiltinScenario } from '../../core/scenarios/builtinScenarios';
import { resolveScenario, settingsFor, type RunSettings } from '../../core/scenarios/scenario';
import type { ClientOutput } from '../../core/machines/clientSession.machine';
import type { UploadContent } from '../../core/machines/clientSession.context';
import { parseTrace } from '../../core/trace/traceFile';
import { TraceRecorder } from '../../core/trace/traceRecorder';
import type { Endpoint, TraceEvent } from '../../core/trace/traceEvent';
import { VSFTPD_HELLO_TEXT, blobBytes, startVsftpd, type Vsftpd } from '../support/vsftpd.js';
import { startFtpSrv, type FtpSrvPeer } from '../support/ftpSrv.js';
import { freePort } from '../support/freePort.js';
import { trackHandles } from '../support/leaks.js';

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
/** Anonymous login; vsftpd (no_anon_password) and ftp-srv both answer USER with 230. */
const LOGIN = 'anonymous:ftp-lab%40example.org';
/** A hang is a failure in its own right: every run must come back well inside vitest's 20 s. */
const HANG_LIMIT_MS = 15_000;

let scratch: string;
let traceCount = 0;

interface CliRun {
  code: number;
  out: string[];
  err: string[];
  /** The --trace file the run wrote (empty if it wrote none). */
  events: readonly TraceEvent[];
  /** stdout and stderr together, for assertion messages. */
  text: string;
}

/** Keeps the client's event loop busy for a moment, as on a loaded machine. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* the client is busy elsewhere */
  }
}

/**
 * `ftp-lab run …` in-process, with a --trace file. `onLine` sees each transcript line as it is
 * printed, synchronously, while the session runs (before the client acts on that reply).
 */
async function ftpLab(args: readonly string[], options: { onLine?: (line: string) => void } = {}): Promise<CliRun> {
  const tracePath = join(scratch, `trace-${++traceCount}.json`);
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (line) => {
      out.push(line);
      options.onLine?.(line);
    },
    err: (line) => err.push(line),
  };
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`ftp-lab ${args.join(' ')} did not return within ${HANG_LIMIT_MS} ms:\n${out.join('\n')}`)), HANG_LIMIT_MS);
  });
  let code: number;
  try {
    code = await Promise.race([main(['run', ...args, '--trace', tracePath], io), hang]);
  } finally {
    clearTimeout(timer);
  }
  let events: readonly TraceEvent[] = [];
  try {
    events = parseTrace(await readFile(tracePath, 'utf8')).events;
  } catch {
    /* a run that failed before the session started writes no trace */
  }
  return { code, out, err, events, text: [...out, ...err].join('\n') };
}

/** The same scenario through runClientSession (as the CLI resolves it), for the full sha256 of what arrived. */
async function direct(scenarioName: string, server: Endpoint, asked: Partial<RunSettings>, extended = false): Promise<ClientOutput> {
  const scenario = findBuiltinScenario(scenarioName)!;
  const steps = resolveScenario(scenario, settingsFor(scenario, { user: 'anonymous', password: 'ftp-lab@example.org', ...asked }));
  const recorder = new TraceRecorder(() => performance.now());
  return runClientSession({ server, steps, extended, recorder, sessionTimeoutMs: HANG_LIMIT_MS });
}

/** Runs `body`, then checks that the client left no socket, listener, timer or process behind. */
async function noLeaks(body: () => Promise<void>): Promise<void> {
  const leaks = trackHandles();
  await body();
  await leaks.assertNoLeaks();
}

/** The bytes `textbook-upload` generates for these settings (the seed comes from the STOR line). */
function uploadContent(asked: Partial<RunSettings>): Buffer {
  const scenario = findBuiltinScenario('textbook-upload')!;
  const steps = resolveScenario(scenario, settingsFor(scenario, asked));
  const stor = steps.find((s): s is Extract<typeof s, { kind: 'transfer' }> => s.kind === 'transfer' && s.direction === 'upload');
  return generateBytes(stor!.upload as UploadContent);
}

/** The data connections in a client trace, in order, with the first FIN each one saw. */
function dataConnections(
  events: readonly TraceEvent[],
): { conn: string; opener: 'client' | 'server'; firstFin: Extract<TraceEvent, { type: 'tcp.fin' }> | undefined }[] {
  const opened = events.filter(
    (e): e is Extract<TraceEvent, { type: 'tcp.connect' | 'tcp.accept' }> => (e.type === 'tcp.connect' || e.type === 'tcp.accept') && e.channel === 'data',
  );
  return opened.map((o) => ({
    conn: o.conn,
    // The client recorded it: connect = the client opened it (passive), accept = the server did (active).
    opener: o.type === 'tcp.connect' ? 'client' : 'server',
    firstFin: events.find((e): e is Extract<TraceEvent, { type: 'tcp.fin' }> => e.type === 'tcp.fin' && e.channel === 'data' && e.conn === o.conn),
  }));
}

function replyCodes(events: readonly TraceEvent[]): number[] {
  return events.flatMap((e) => (e.type === 'ftp.reply' ? [e.code] : []));
}

function transfersIn(events: readonly TraceEvent[]): Extract<TraceEvent, { type: 'data.transfer' }>[] {
  return events.filter((e): e is Extract<TraceEvent, { type: 'data.transfer' }> => e.type === 'data.transfer');
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ftp-lab-our-client-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// vsftpd

describe('our client against vsftpd', () => {
  let vsftpd: Vsftpd;
  let url: string;
  let endpoint: Endpoint;
  beforeAll(async () => {
    vsftpd = await startVsftpd();
    url = `ftp://${LOGIN}@${vsftpd.host}:${vsftpd.port}`;
    endpoint = { host: vsftpd.host, port: vsftpd.port };
  });
  afterAll(async () => {
    await vsftpd?.stop();
  });

  // What the user downloads: TYPE I is the file byte for byte; TYPE A is its text with local (LF) line ends.
  const helloAs = { I: VSFTPD_HELLO_TEXT, A: VSFTPD_HELLO_TEXT.replace(/\r\n/g, '\n') } as const;
  const helloWireBytes = Buffer.byteLength(VSFTPD_HELLO_TEXT);

  for (const type of ['A', 'I'] as const) {
    for (const passive of [false, true]) {
      for (const extended of [false, true]) {
        const how = `${passive ? 'passive' : 'active'} (${passive ? (extended ? 'EPSV' : 'PASV') : extended ? 'EPRT' : 'PORT'})`;
        it(`download hello.txt, TYPE ${type}, ${how}: exit 0, the server's FIN ends the file, and the sha256 matches`, () =>
          noLeaks(async () => {
            const expected = sha256(helloAs[type]);
            const run = await ftpLab([
              'download',
              '--server',
              url,
              '--file',
              'hello.txt',
              '--type',
              type,
              passive ? '--passive' : '--active',
              ...(extended ? ['--extended'] : []),
            ]);
            expect(run.code, run.text).toBe(0);
            expect(run.err).toEqual([]);
            expect(run.out).toContain(`# RETR hello.txt: ${helloWireBytes} bytes received, sha256 ${expected.slice(0, 16)}…`);
            const verbs = run.events.flatMap((e) => (e.type === 'ftp.command' ? [e.verb] : []));
            expect(verbs).toContain(passive ? (extended ? 'EPSV' : 'PASV') : extended ? 'EPRT' : 'PORT');
            const data = dataConnections(run.events);
            expect(data, run.text).toHaveLength(1);
            expect(data[0]!.opener).toBe(passive ? 'client' : 'server');
            // STREAM mode: the sender (the server, for RETR) closes to mark the end of file (959 §3.4.1).
            expect(data[0]!.firstFin, run.text).toMatchObject({ side: 'server', dir: 'received' });
            expect(transfersIn(run.events)).toMatchObject([{ dir: 'received', bytes: helloWireBytes, representation: type, mode: 'S', complete: true }]);

            const output = await direct('download', endpoint, { file: 'hello.txt', type, passive }, extended);
            expect(output.ok, output.failure).toBe(true);
            expect(output.transfers).toEqual([{ command: 'RETR hello.txt', direction: 'download', bytes: helloWireBytes, sha256: expected, complete: true }]);
          }));
      }
    }
  }

  for (const passive of [false, true]) {
    it(`download when the client is busy as vsftpd's 150, data and 226 arrive together (${passive ? 'passive' : 'active'}): the whole file still arrives`, () =>
      noLeaks(async () => {
        // vsftpd connects (active) or accepts (passive), says 150, sends 34 bytes, closes and says 226,
        // all within a millisecond. A client that looks only afterwards finds 150 and 226 on the
        // control connection together, and the data waiting on a connection it has not yet read (or,
        // in active mode, not yet accepted). RFC 959 §5.4: 150 then 226 means the file was sent; the
        // client must still read it to the data connection's end of file.
        const run = await ftpLab(['download', '--server', url, '--file', 'hello.txt', '--type', 'I', passive ? '--passive' : '--active'], {
          // Busy right after sending RETR: when the client looks again, everything has arrived.
          onLine: (line) => /^C→S {2}RETR /.test(line) && busy(150),
        });
        expect(run.code, run.text).toBe(0);
        expect(run.out, run.text).toContain(`# RETR hello.txt: ${helloWireBytes} bytes received, sha256 ${sha256(VSFTPD_HELLO_TEXT).slice(0, 16)}…`);
        const data = dataConnections(run.events);
        expect(data, run.text).toHaveLength(1);
        expect(data[0]!.firstFin, run.text).toMatchObject({ side: 'server', dir: 'received' });
        expect(transfersIn(run.events), run.text).toMatchObject([{ dir: 'received', bytes: helloWireBytes, complete: true }]);
      }));
  }

  for (const passive of [false, true]) {
    const name = `report-${passive ? 'passive' : 'active'}.bin`;
    it(`textbook-upload --file upload/${name} --size 100000 (${passive ? 'passive' : 'active'}): exit 0, vsftpd stores exactly the generated bytes, the client's FIN is the end of file`, () =>
      noLeaks(async () => {
        const file = `upload/${name}`;
        const run = await ftpLab(['textbook-upload', '--server', url, '--file', file, '--size', '100000', ...(passive ? ['--passive'] : [])]);
        expect(run.code, run.text).toBe(0);
        expect(run.err).toEqual([]);
        expect(run.out).toContain(`# STOR ${file}: 100000 bytes sent`);
        const onDisk = await readFile(join(vsftpd.uploadDir, name));
        const generated = uploadContent({ file, size: 100_000 });
        expect(onDisk.length).toBe(100_000);
        expect(sha256(onDisk)).toBe(sha256(generated));
        const data = dataConnections(run.events);
        expect(data, run.text).toHaveLength(1);
        // STREAM upload: the client is the sender, so its close is the end of file; 226 follows.
        expect(data[0]!.firstFin, run.text).toMatchObject({ side: 'client', dir: 'sent', reason: 'eof' });
        const fin = run.events.indexOf(data[0]!.firstFin!);
        const completion = run.events.findIndex((e) => e.type === 'ftp.reply' && e.code === 226);
        expect(completion, run.text).toBeGreaterThan(fin);
      }));
  }

  it('listing: LIST and NLST each arrive on their own data connection, closed by vsftpd; NLST names the files', () =>
    noLeaks(async () => {
      const run = await ftpLab(['listing', '--server', url]);
      expect(run.code, run.text).toBe(0);
      expect(run.err).toEqual([]);
      const data = dataConnections(run.events);
      expect(data, run.text).toHaveLength(2);
      for (const d of data) expect(d.firstFin, run.text).toMatchObject({ side: 'server', dir: 'received' });
      // vsftpd sorts NLST; under TYPE A (the default) the client reads its CRLFs as line ends.
      const output = await direct('listing', endpoint, {});
      expect(output.ok, output.failure).toBe(true);
      const names = 'blob.bin\nhello.txt\nupload\n';
      expect(output.transfers.map((t) => t.command)).toEqual(['LIST', 'NLST']);
      expect(output.transfers[1]).toMatchObject({ bytes: Buffer.byteLength(names.replace(/\n/g, '\r\n')), sha256: sha256(names), complete: true });
      expect(output.transfers[0]!.bytes).toBeGreaterThan(0);
    }));

  it('missing-file: vsftpd answers RETR with 550, which the scenario expects: exit 0, no bytes move', () =>
    noLeaks(async () => {
      const run = await ftpLab(['missing-file', '--server', url]);
      expect(run.code, run.text).toBe(0);
      expect(run.err).toEqual([]);
      expect(
        run.out.some((l) => /^S→C {2}550 /.test(l)),
        run.text,
      ).toBe(true);
      expect(transfersIn(run.events)).toEqual([]);
      expect(replyCodes(run.events).at(-1)).toBe(221);
    }));

  it('rest-resume on blob.bin: REST 40000 → 350, and only the bytes from offset 40000 arrive', () =>
    noLeaks(async () => {
      const run = await ftpLab(['rest-resume', '--server', url, '--file', 'blob.bin']);
      expect(run.code, run.text).toBe(0);
      expect(replyCodes(run.events)).toContain(350);
      const output = await direct('rest-resume', endpoint, { file: 'blob.bin' });
      expect(output.ok, output.failure).toBe(true);
      const rest = blobBytes().subarray(40_000);
      expect(output.transfers).toEqual([{ command: 'RETR blob.bin', direction: 'download', bytes: rest.length, sha256: sha256(rest), complete: true }]);
    }));

  it('refused-data: the client stops listening after PORT, vsftpd cannot connect and answers 425: exit 0', () =>
    noLeaks(async () => {
      const run = await ftpLab(['refused-data', '--server', url, '--file', 'hello.txt']);
      expect(run.code, run.text).toBe(0);
      expect(replyCodes(run.events), run.text).toContain(425);
      expect(transfersIn(run.events)).toEqual([]);
    }));

  it('--mode B: vsftpd speaks STREAM only and answers 504; the session fails (exit 1) and says so', () =>
    noLeaks(async () => {
      const run = await ftpLab(['download', '--server', url, '--file', 'hello.txt', '--mode', 'B']);
      expect(run.code, run.text).toBe(1);
      expect(run.err.join('\n')).toMatch(/MODE B.*\b504\b/);
      // It stops at MODE: no file is asked for and no data connection is opened.
      expect(run.events.some((e) => e.type === 'ftp.command' && e.verb === 'RETR')).toBe(false);
      expect(dataConnections(run.events)).toEqual([]);
    }));
});

// ---------------------------------------------------------------------------------------------
// ftp-srv

describe('our client against ftp-srv', () => {
  let root: string;
  let srv: FtpSrvPeer;
  let url: string;
  let endpoint: Endpoint;
  const blob = blobBytes(150_000);
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ftp-lab-ftpsrv-root-'));
    await writeFile(join(root, 'data.bin'), blob);
    srv = await startFtpSrv(root);
    url = `ftp://${LOGIN}@${srv.host}:${srv.port}`;
    endpoint = { host: srv.host, port: srv.port };
  });
  afterAll(async () => {
    await srv?.stop();
    await rm(root, { recursive: true, force: true });
  });

  for (const passive of [false, true]) {
    const how = passive ? 'passive' : 'active';
    it(`download data.bin (TYPE I, ${how}): exit 0, the server's FIN ends the file, the sha256 matches`, () =>
      noLeaks(async () => {
        const run = await ftpLab(['download', '--server', url, '--file', 'data.bin', '--type', 'I', `--${how}`]);
        expect(run.code, run.text).toBe(0);
        expect(run.err).toEqual([]);
        const data = dataConnections(run.events);
        expect(data, run.text).toHaveLength(1);
        expect(data[0]!.firstFin, run.text).toMatchObject({ side: 'server', dir: 'received' });
        const output = await direct('download', endpoint, { file: 'data.bin', type: 'I', passive });
        expect(output.ok, output.failure).toBe(true);
        expect(output.transfers).toEqual([{ command: 'RETR data.bin', direction: 'download', bytes: blob.length, sha256: sha256(blob), complete: true }]);
      }));

    it(`textbook-upload (${how}): exit 0, ftp-srv stores exactly the generated bytes, the client's FIN is the end of file`, () =>
      noLeaks(async () => {
        const file = `upload-${how}.bin`;
        const run = await ftpLab(['textbook-upload', '--server', url, '--file', file, '--size', '100000', `--${how}`]);
        expect(run.code, run.text).toBe(0);
        expect(run.err).toEqual([]);
        const onDisk = await readFile(join(root, file));
        expect(onDisk.length).toBe(100_000);
        expect(sha256(onDisk)).toBe(sha256(uploadContent({ file, size: 100_000 })));
        const data = dataConnections(run.events);
        expect(data, run.text).toHaveLength(1);
        expect(data[0]!.firstFin, run.text).toMatchObject({ side: 'client', dir: 'sent', reason: 'eof' });
      }));
  }

  it('ftp-srv connects as soon as it gets PORT: a command between PORT and RETR/STOR does not lose that connection', () =>
    noLeaks(async () => {
      // ftp-srv's PORT handler starts its connect and answers 200 at once (facts §1.5), so with TYPE or
      // NOOP after PORT the connection arrives while the client waits for an unrelated reply. RFC 959
      // leaves the order of TYPE/PORT before the transfer command open.
      const scenario = {
        name: 'port-then-type',
        title: 'PORT, then another command, then the transfer',
        description: 'The data connection may arrive before the transfer command.',
        defaults: { type: 'I', passive: false },
        steps: [
          { send: 'USER {user}', expect: [230, 331] },
          { data: 'setup' },
          { send: 'TYPE {type}', expect: [200] },
          { send: 'RETR data.bin' },
          { data: 'setup' },
          { send: 'NOOP', expect: [200] },
          { send: 'STOR after-noop.bin', upload: true },
          { send: 'QUIT', expect: [221] },
        ],
      };
      const path = join(scratch, 'port-then-type.json');
      await writeFile(path, JSON.stringify(scenario));
      const run = await ftpLab([path, '--server', url, '--size', '50000']);
      expect(run.code, run.text).toBe(0);
      expect(run.out, run.text).toContain(`# RETR data.bin: ${blob.length} bytes received, sha256 ${sha256(blob).slice(0, 16)}…`);
      expect(run.out, run.text).toContain('# STOR after-noop.bin: 50000 bytes sent');
      expect((await readFile(join(root, 'after-noop.bin'))).length).toBe(50_000);
      const data = dataConnections(run.events);
      expect(data.map((d) => d.opener)).toEqual(['server', 'server']);
      expect(data.map((d) => d.firstFin && { side: d.firstFin.side, dir: d.firstFin.dir })).toEqual([
        { side: 'server', dir: 'received' },
        { side: 'client', dir: 'sent' },
      ]);
    }));
});

// ---------------------------------------------------------------------------------------------
// Never hang

describe('our client never hangs', () => {
  it('nothing listens at the --server address: exit 1 with a sentence naming the address', async () => {
    const leaks = trackHandles();
    const port = await freePort();
    const run = await ftpLab(['download', '--server', `ftp://${LOGIN}@127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(new RegExp(`Could not connect to 127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
    await leaks.assertNoLeaks();
  });

  it("vsftpd's session process dies right after the login: exit 1, and the sentence says the server closed the connection", async () => {
    const leaks = trackHandles();
    const vsftpd = await startVsftpd();
    try {
      let clientPort: number | undefined;
      let killed: number[] = [];
      const run = await ftpLab(['download', '--server', `ftp://${LOGIN}@${vsftpd.host}:${vsftpd.port}`, '--file', 'hello.txt'], {
        onLine: (line) => {
          const connect = /control connection C1: client 127\.0\.0\.1:(\d+) connects/.exec(line);
          if (connect) clientPort = Number(connect[1]);
          if (killed.length > 0 || clientPort === undefined || !/^S→C {2}230 /.test(line)) return;
          // The 230 has arrived, the client has not acted on it yet: end the vsftpd processes that hold
          // this session's control connection, and give the kernel a moment to close their sockets.
          killed = killVsftpdSession(vsftpd.port, clientPort);
          busy(150);
        },
      });
      expect(killed.length, run.text).toBeGreaterThan(0);
      expect(run.code, run.text).toBe(1);
      expect(run.err.join('\n')).toMatch(/closed the control connection/);
    } finally {
      await vsftpd.stop();
    }
    await leaks.assertNoLeaks();
  });
});

/**
 * Sends SIGKILL to the vsftpd processes holding the server end of 127.0.0.1:serverPort ↔
 * 127.0.0.1:clientPort (found through Linux's /proc: the socket's inode, then whose fd it is), and
 * returns their pids. Only processes running vsftpd are touched.
 */
function killVsftpdSession(serverPort: number, clientPort: number): number[] {
  const endpoint = (port: number) => `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const row = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1] === endpoint(serverPort) && f[2] === endpoint(clientPort));
  const socket = row ? `socket:[${row[9]}]` : undefined;
  if (!socket) return [];
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('vsftpd')) continue;
      if (readdirSync(`/proc/${pid}/fd`).some((fd) => readlinkSafe(`/proc/${pid}/fd/${fd}`) === socket)) pids.push(Number(pid));
    } catch {
      /* the process ended meanwhile */
    }
  }
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  return pids;
}

function readlinkSafe(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
