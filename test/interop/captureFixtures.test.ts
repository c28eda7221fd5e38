// The committed capture fixtures (test/fixtures/captures, made by makeCaptures.ts there) imported as traces
// and held against tshark's own reading of the same file: the FTP commands and replies in order, the data
// connections, the bytes each end sent on each, and who sent the first FIN or RST of each. Real captures of
// curl and ftplib with vsftpd and pyftpdlib, active and passive, upload, download, listing, ABOR, and FTP
// Lab's own BLOCK and COMPRESSED sessions.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCapture } from '../../core/capture/import/captureImport';
import type { Endpoint, TraceEvent, TraceFile } from '../../core/trace/traceEvent';
import { runProcess } from '../support/runProcess';
import { captureToolsAvailable, endpointKey, payloadBytes, readConnections, type WireConnection } from '../support/tshark';

const DIR = fileURLToPath(new URL('../fixtures/captures/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(DIR, 'captures.json'), 'utf8')) as Record<string, { controlPort: number }>;
const tools = captureToolsAvailable();
/** Joins several values of one field in a frame (two replies in one segment); no FTP line holds it. */
const AGGREGATOR = '\x1e';

/** tshark's FTP: each request as 'VERB arg' (PASS masked as the trace masks it) and each reply code, in frame order. */
async function tsharkFtp(file: string, controlPort: number): Promise<{ commands: string[]; codes: number[] }> {
  const args = ['-n', '-r', file, '-d', `tcp.port==${controlPort},ftp`, '-Y', 'ftp', '-T', 'fields', '-E', 'occurrence=a', '-E', `aggregator=${AGGREGATOR}`];
  const result = await runProcess('tshark', [...args, '-e', 'ftp.request.command', '-e', 'ftp.request.arg', '-e', 'ftp.response.code'], { timeoutMs: 30_000 });
  expect(result.code, result.stderr.toString()).toBe(0);
  const commands: string[] = [];
  const codes: number[] = [];
  for (const line of result.stdout.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    const [verbs = '', argsText = '', codeText = ''] = line.split('\t');
    const argList = argsText.split(AGGREGATOR);
    verbs
      .split(AGGREGATOR)
      .filter(Boolean)
      .forEach((verb, i) => commands.push(verb.toUpperCase() === 'PASS' ? 'PASS ****' : argList[i] ? `${verb} ${argList[i]}` : verb));
    codes.push(...codeText.split(AGGREGATOR).filter(Boolean).map(Number));
  }
  return { commands, codes };
}

const eventsOf = <T extends TraceEvent['type']>(trace: TraceFile, type: T) =>
  trace.events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);

/** Each data connection of the trace: its ends by side, from its connect (or accept) record. */
function traceDataConnections(trace: TraceFile): Map<string, { client: Endpoint; server: Endpoint }> {
  const out = new Map<string, { client: Endpoint; server: Endpoint }>();
  for (const e of trace.events) {
    if ((e.type !== 'tcp.connect' && e.type !== 'tcp.accept') || e.channel !== 'data' || out.has(e.conn)) continue;
    out.set(e.conn, e.side === 'client' ? { client: e.local, server: e.remote } : { client: e.remote, server: e.local });
  }
  return out;
}

const fixtures = Object.entries(manifest);

describe.skipIf(!tools.ok)(`capture fixtures read as tshark reads them${tools.ok ? '' : ` — SKIPPED: ${tools.reason}`}`, () => {
  it('there is a fixture for each kind of session the issue names', () => {
    const names = fixtures.map(([file]) => file).join(' ');
    for (const kind of [
      'curl-vsftpd',
      'ftplib-pyftpdlib',
      'active',
      'passive',
      'epsv',
      'upload',
      'download',
      'listing',
      'abor',
      'ftplab-block',
      'ftplab-compressed',
    ])
      expect(names).toContain(kind);
  });

  describe.each(fixtures)('%s', (file, { controlPort }) => {
    const path = join(DIR, file);
    const bytes = readFileSync(path);
    const trace = importCapture(new Uint8Array(bytes), { fileName: file, tool: 'test' });

    it('has the commands and replies tshark decodes, in the same order', async () => {
      const ftp = await tsharkFtp(path, controlPort);
      expect(ftp.commands.length).toBeGreaterThan(2);
      expect(eventsOf(trace, 'ftp.command').map((e) => e.line)).toEqual(ftp.commands);
      expect(eventsOf(trace, 'ftp.reply').map((e) => e.code)).toEqual(ftp.codes);
      expect(trace.meta.capture).toMatchObject({ sessions: 1, notReconstructed: [] });
    });

    it('has tshark’s data connections, the bytes each end sent on them, and who closed each first', async () => {
      const wire = (await readConnections(path)).filter((c) => !c.initiator.endsWith(`:${controlPort}`) && !c.acceptor.endsWith(`:${controlPort}`));
      const conns = traceDataConnections(trace);
      expect(conns.size).toBe(wire.length);
      for (const [conn, ends] of conns) {
        const key = (side: 'client' | 'server') => endpointKey(ends[side]);
        const match: WireConnection | undefined = wire.find((w) => [w.initiator, w.acceptor].sort().join() === [key('client'), key('server')].sort().join());
        expect(match, `${conn} (${key('client')} - ${key('server')}) is a connection tshark sees`).toBeDefined();
        for (const side of ['client', 'server'] as const) {
          const counted = eventsOf(trace, 'data.transfer')
            .filter((e) => e.conn === conn && e.side === side)
            .reduce((n, e) => n + e.bytes, 0);
          expect(counted, `${conn}: bytes the ${side} sent`).toBe(payloadBytes(match!, key(side)));
        }
        const firstClose = match!.facts.find((f) => f.kind === 'fin' || f.kind === 'rst');
        const traced = trace.events.find((e) => (e.type === 'tcp.fin' || e.type === 'tcp.rst') && e.conn === conn) as Extract<
          TraceEvent,
          { type: 'tcp.fin' | 'tcp.rst' }
        >;
        expect(`${traced.type.slice(4)} from ${key(traced.side)}`, `${conn}: the first FIN or RST`).toBe(`${firstClose!.kind} from ${firstClose!.from}`);
      }
    });
  });
});
