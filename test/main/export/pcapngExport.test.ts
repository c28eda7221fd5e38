// The pcapng export read back by Wireshark's tshark, for real sessions: the built-in scenarios run on loopback
// and exported by `ftp-lab run --export x.pcapng` (active and passive, STOR and RETR, MODE B and C, ABOR), a
// server-only trace of a session whose client resets its data connection, and a client-only trace over IPv6
// (EPSV) where this machine has ::1. For each: the FTP commands and
// replies tshark decodes are the trace's, in its order; tshark's TCP analysis finds nothing wrong (checksums
// checked too) beyond the RSTs the trace has; every connection opens from the side that opened it, its first
// FIN comes from the side the trace says, each RST from its sender; data connections carry the recorded byte
// counts; and with the Decode As options the file's own comment gives, every payload is FTP or FTP-DATA.

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEpsvReply } from '../../../core/protocol/hostPort';
import type { Side, TraceEvent, TraceFile } from '../../../core/trace/traceEvent';
import { createTraceFile, parseTrace } from '../../../core/trace/traceFile';
import { TraceRecorder } from '../../../core/trace/traceRecorder';
import { main } from '../../../main/cli/ftpLab';
import type { CliIo } from '../../../main/cli/cliIo';
import { writeExport } from '../../../main/export/exportFormats';
import { startFtpServer } from '../../../main/session/ftpServer';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { openRawControl } from '../../helpers/rawControl';
import { runProcess } from '../../support/runProcess';
import { connectionsBetween, payloadBytes, readConnections, type WireConnection } from '../../support/tshark';

const MISSING = 'apt-get install tshark (capinfos comes with it)';
const missing = ['tshark', 'capinfos'].find((tool) => spawnSync(tool, ['-v'], { stdio: 'ignore', timeout: 10_000 }).error);

/** Whether this machine has an IPv6 loopback (a container may not). */
function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '::1', port: 0 }, () => probe.close(() => resolve(true)));
  });
}
const ipv6 = await ipv6Loopback();
const IPV6_TITLE = 'download over IPv6, the client side only (EPSV; the server not traced)';

const quietIo = (): CliIo & { errors: string[] } => {
  const errors: string[] = [];
  return { errors, out: () => undefined, err: (l) => errors.push(l) };
};

async function tshark(args: string[]): Promise<string> {
  const result = await runProcess('tshark', ['-n', ...args], { timeoutMs: 60_000, missingHint: MISSING });
  if (result.code !== 0) throw new Error(`tshark ${args.join(' ')} exited with ${result.code}:\n${result.stderr}`);
  return result.stdout.toString('utf8');
}

/** The file's Section Header comment, as capinfos reads it. */
async function captureComment(file: string): Promise<string> {
  const result = await runProcess('capinfos', ['-k', file], { missingHint: MISSING });
  return /Capture comment:\s+([\s\S]*)$/.exec(result.stdout.toString('utf8'))?.[1] ?? '';
}

/** The tshark options the comment tells a reader to use (Decode As), e.g. ['-d', 'tcp.port==2121,ftp']. */
const decodeAsOptions = (comment: string): string[] => [...comment.matchAll(/-d (tcp\.port==\d+,ftp(?:-data)?)/g)].flatMap((m) => ['-d', m[1]!]);

/** Each side's "host:port" on each connection of the trace, and who opened it (refused attempts included). */
function traceConnections(trace: TraceFile) {
  const connections = new Map<string, { channel: string; opener: Side; ends: Record<Side, string> }>();
  const key = (e: { session?: number | undefined; conn?: string | undefined; seq: number }) => `${e.session ?? ''}:${e.conn ?? `refused@${e.seq}`}`;
  const at = (e: { host: string; port: number }) => `${e.host}:${e.port}`;
  for (const e of trace.events) {
    if ((e.type === 'tcp.connect' || e.type === 'tcp.accept') && !connections.has(key(e))) {
      const other: Side = e.side === 'client' ? 'server' : 'client';
      connections.set(key(e), {
        channel: e.channel,
        opener: e.type === 'tcp.connect' ? e.side : other,
        ends: { [e.side]: at(e.local), [other]: at(e.remote) } as Record<Side, string>,
      });
    }
    if (e.type === 'tcp.refused' && e.local && e.remote) {
      const other: Side = e.side === 'client' ? 'server' : 'client';
      connections.set(key({ ...e, conn: undefined }), {
        channel: e.channel,
        opener: other,
        ends: { [e.side]: at(e.local), [other]: at(e.remote) } as Record<Side, string>,
      });
    }
  }
  return { connections, key };
}

/** The control lines in the order the trace has them, from their sender's records (the receiver's where the sender is not traced). */
function controlLines(trace: TraceFile): string[] {
  const lines = trace.events.filter((e) => e.type === 'ftp.command' || e.type === 'ftp.reply');
  const commandDir = lines.some((e) => e.type === 'ftp.command' && e.dir === 'sent') ? 'sent' : 'received';
  const replyDir = lines.some((e) => e.type === 'ftp.reply' && e.dir === 'sent') ? 'sent' : 'received';
  return lines.flatMap((e) => {
    if (e.type === 'ftp.command') return e.dir === commandDir ? [`> ${e.line}`] : [];
    if (e.type === 'ftp.reply') return e.dir === replyDir ? [`< ${e.code} ${e.lines[0]}`] : [];
    return [];
  });
}

interface Case {
  readonly title: string;
  readonly trace: TraceFile;
  readonly file: string;
}

let dir: string;
const cases: Case[] = [];
/** Each run: a file name, what it shows, and the `ftp-lab run` arguments. */
const SCENARIOS = [
  ['textbook-upload', 'active mode (PORT), STOR: the client closes', ['textbook-upload']],
  ['textbook-upload-eprt', 'active mode with EPRT', ['textbook-upload', '--extended']],
  ['download', 'passive mode, RETR: the server closes', ['download']],
  ['passive-vs-active', 'active, then passive', ['passive-vs-active']],
  ['block-reuse', 'MODE B: three files over one data connection', ['block-reuse']],
  ['compressed-runs', 'MODE S, then MODE C', ['compressed-runs']],
  ['abort', 'ABOR in a download, after a 32 MiB upload', ['abort']],
] as const;

/** A server-only trace: the client resets its data connection mid-upload, and a stray connection to the passive port is refused with RST. */
async function resetSession(): Promise<TraceFile> {
  const recorder = new TraceRecorder(() => performance.now());
  const createdAt = new Date().toISOString();
  const server = await startFtpServer({ store: createMemoryStore(), anonymous: true, loginDelayMs: 0, recorder });
  try {
    const ctl = await openRawControl(server.address.port);
    expect((await ctl.reply()).code).toBe(220);
    for (const [line, code] of [
      ['USER anonymous', 331],
      ['PASS guest', 230],
      ['TYPE I', 200],
    ] as const)
      expect((await ctl.command(line)).code, line).toBe(code);
    const port = parseEpsvReply((await ctl.command('EPSV')).text)!;
    const data = net.connect({ host: '127.0.0.1', port });
    data.on('error', () => undefined);
    await new Promise((resolve) => data.once('connect', resolve));
    // A second connection that no EPSV asked for: the server accepts it and resets it at once (RFC 2577 §8).
    const stray = net.connect({ host: '127.0.0.1', port });
    stray.on('error', () => undefined);
    await new Promise((resolve) => stray.once('close', resolve));
    expect((await ctl.command('STOR cut.bin')).code).toBe(150);
    data.write(Buffer.alloc(100_000, 7));
    await new Promise((resolve) => setTimeout(resolve, 50));
    data.resetAndDestroy();
    expect((await ctl.reply(5_000)).code).toBe(426);
    expect((await ctl.command('QUIT')).code).toBe(221);
    await ctl.close();
  } finally {
    await server.close();
  }
  return createTraceFile(
    { createdAt, tool: 'ftp-lab test', title: 'A data connection reset by the client', server: server.address, passwordsMasked: true },
    recorder.events,
  );
}

beforeAll(async () => {
  if (missing) return;
  dir = await mkdtemp(join(tmpdir(), 'ftp-lab-pcapng-'));
  for (const [name, what, args] of SCENARIOS) {
    const io = quietIo();
    const file = join(dir, `${name}.pcapng`);
    expect(await main(['run', ...args, '--quiet', '--trace', join(dir, `${name}.json`), '--export', file], io), io.errors.join('\n')).toBe(0);
    cases.push({ title: `${name} (${what})`, trace: parseTrace(await readFile(join(dir, `${name}.json`), 'utf8')), file });
  }
  const trace = await resetSession();
  const file = join(dir, 'reset.pcapng');
  await writeExport(trace, file);
  cases.push({ title: 'a server-only trace: the client resets its data connection, a stray connection is refused', trace, file });
  if (ipv6) {
    const server = await startFtpServer({ host: '::1', store: createMemoryStore(), anonymous: true, loginDelayMs: 0 });
    try {
      const io = quietIo();
      const url = `ftp://anonymous:guest@[::1]:${server.address.port}`;
      const file = join(dir, 'ipv6.pcapng');
      expect(
        await main(['run', 'download', '--server', url, '--extended', '--quiet', '--trace', join(dir, 'ipv6.json'), '--export', file], io),
        io.errors.join('\n'),
      ).toBe(0);
      cases.push({ title: IPV6_TITLE, trace: parseTrace(await readFile(join(dir, 'ipv6.json'), 'utf8')), file });
    } finally {
      await server.close();
    }
  }
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const titles = [
  ...SCENARIOS.map(([name, what]) => `${name} (${what})`),
  'a server-only trace: the client resets its data connection, a stray connection is refused',
  ...(ipv6 ? [IPV6_TITLE] : []),
];
const caseFor = (title: string): Case => cases.find((c) => c.title === title)!;

const skipped = [missing ? ` — SKIPPED: ${missing} is not installed (${MISSING})` : '', ipv6 ? '' : ' (no IPv6 loopback here: the IPv6 case is left out)'].join(
  '',
);
describe.skipIf(missing !== undefined)(`pcapng export read by tshark${skipped}`, () => {
  it.each(titles)("%s: the FTP commands and replies tshark decodes are the trace's, in order", async (title) => {
    const { trace, file } = caseFor(title);
    const comment = await captureComment(file);
    const decode = decodeAsOptions(comment);
    // The control connection is not on port 21: without the comment's Decode As, tshark sees no FTP at all.
    expect(decode, comment).toContain(`tcp.port==${trace.meta.server!.port},ftp`);
    const out = await tshark([
      '-r',
      file,
      ...decode,
      '-Y',
      'ftp',
      '-T',
      'fields',
      '-E',
      'separator=/t',
      '-e',
      'ftp.request.command',
      '-e',
      'ftp.request.arg',
      '-e',
      'ftp.response.code',
      '-e',
      'ftp.response.arg',
    ]);
    const decoded = out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const [command = '', arg = '', code = '', text = ''] = l.split('\t');
        return command ? `> ${command}${arg ? ` ${arg}` : ''}` : `< ${code} ${text}`;
      });
    expect(decoded).toEqual(controlLines(trace));
  });

  it.each(titles)('%s: no TCP analysis flag, bad checksum, warning or error but the RSTs the trace has', async (title) => {
    const { trace, file } = caseFor(title);
    const checks = ['-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'];
    expect(await tshark(['-r', file, ...checks, '-Y', 'tcp.analysis.flags'])).toBe('');
    const expert = await tshark(['-r', file, ...checks, '-q', '-z', 'expert,warn']);
    const warnings = [...expert.matchAll(/^\s+(\d+)\s+\S+\s+\S+\s+(.+)$/gm)].map((m) => `${m[1]} ${m[2]!.trim()}`);
    const resets =
      new Set(trace.events.filter((e) => e.type === 'tcp.rst').map((e) => `${e.session}:${e.conn}:${e.side}`)).size +
      trace.events.filter((e) => e.type === 'tcp.refused' && e.local && e.remote).length;
    expect(warnings).toEqual(resets > 0 ? [`${resets} Connection reset (RST)`] : []);
  });

  it.each(titles)('%s: each connection opens from its opener; its first FIN and its RST from the side the trace says; the recorded bytes', async (title) => {
    const { trace, file } = caseFor(title);
    const wire = await readConnections(file, { payload: false });
    const { connections, key } = traceConnections(trace);
    expect(wire).toHaveLength(connections.size);
    for (const [id, conn] of connections) {
      const [found, ...more] = connectionsBetween(wire, conn.ends.client, conn.ends.server) as WireConnection[];
      expect(found, `${id} is in the capture`).toBeDefined();
      expect(more, id).toEqual([]);
      expect(found!.initiator, `${id}: SYN from the ${conn.opener}`).toBe(conn.ends[conn.opener]);
      const own = trace.events.filter((e): e is Extract<TraceEvent, { conn: string }> => 'conn' in e && key(e) === id);
      const firstFin = own.find((e) => e.type === 'tcp.fin');
      const wireFins = found!.facts.filter((f) => f.kind === 'fin');
      if (firstFin) expect(wireFins[0]?.from, `${id}: first FIN from the ${firstFin.side}`).toBe(conn.ends[firstFin.side]);
      else expect(wireFins, id).toEqual([]);
      const rstSenders = [...new Set(own.filter((e) => e.type === 'tcp.rst').map((e) => conn.ends[e.side]))];
      const refusedBy = trace.events.find((e) => e.type === 'tcp.refused' && key({ ...e, conn: undefined }) === id)?.side;
      expect(
        found!.facts.filter((f) => f.kind === 'rst').map((f) => f.from),
        `${id}: RST`,
      ).toEqual(refusedBy ? [conn.ends[refusedBy]] : rstSenders);
      if (conn.channel !== 'data') continue;
      for (const sender of ['client', 'server'] as const) {
        // What the receiver counted where it recorded the transfer, else what the sender did.
        const transfers = own.filter((e) => e.type === 'data.transfer' && (e.dir === 'sent' ? e.side : e.side === 'client' ? 'server' : 'client') === sender);
        const received = transfers.filter((e) => e.type === 'data.transfer' && e.dir === 'received');
        const counted = (received.length > 0 ? received : transfers).reduce((n, e) => n + (e.type === 'data.transfer' ? e.bytes : 0), 0);
        expect(payloadBytes(found!, conn.ends[sender]), `${id}: bytes from the ${sender}`).toBe(counted);
      }
    }
  });

  it.each(titles)("%s: with the comment's Decode As, every payload is FTP or FTP-DATA", async (title) => {
    const { file } = caseFor(title);
    const decode = decodeAsOptions(await captureComment(file));
    expect(await tshark(['-r', file, ...decode, '-Y', 'tcp.len > 0 && !ftp && !ftp-data'])).toBe('');
    expect(await tshark(['-r', file, ...decode, '-Y', 'ftp-data', '-T', 'fields', '-e', 'frame.number'])).not.toBe('');
  });

  it('the comment says what was rebuilt and what was made up; the packets say which trace records they come from', async () => {
    const { file, trace } = caseFor(titles[0]!);
    const comment = await captureComment(file);
    expect(comment).toContain('Rebuilt by ftp-lab 0.1.0 from a trace, not captured from the wire');
    expect(comment).toMatch(/the payload bytes of the data connections are filler \("FTP Lab filler: [^"]+" repeated; 4096 bytes\)/);
    expect(comment).toContain('ACKs are synthesized');
    expect(comment).toContain('window sizes are a constant 65535');
    expect(comment).toMatch(/After PORT Wireshark expects the server's data connection from port 20; here it comes from port \d+/);
    // After EPRT it finds the data connection by the client's port: no advice needed.
    expect(await captureComment(caseFor(titles.find((t) => t.includes('EPRT'))!).file)).not.toContain('After PORT');
    const stor = trace.events.find((e) => e.type === 'ftp.command' && e.verb === 'STOR' && e.dir === 'sent')!;
    const comments = await tshark(['-r', file, '-Y', 'frame.comment', '-T', 'fields', '-e', 'frame.comment']);
    expect(comments).toMatch(new RegExp(`^trace #${stor.seq} #\\d+: STOR report\\.bin$`, 'm'));
  });

  it('`ftp-lab export trace.json` writes the same file, by its extension or by --format pcapng', async () => {
    const { file } = caseFor(titles.find((t) => t.startsWith('download'))!);
    const io = quietIo();
    expect(await main(['export', join(dir, 'download.json'), '-o', join(dir, 'again.pcapng')], io), io.errors.join('\n')).toBe(0);
    expect(await main(['export', join(dir, 'download.json'), '-o', join(dir, 'again.cap'), '--format', 'pcapng'], io), io.errors.join('\n')).toBe(0);
    const original = await readFile(file);
    expect((await readFile(join(dir, 'again.pcapng'))).equals(original)).toBe(true);
    expect((await readFile(join(dir, 'again.cap'))).equals(original)).toBe(true);
  });
});
