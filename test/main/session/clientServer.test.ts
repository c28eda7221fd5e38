// Our client against our server over real loopback sockets: TYPE A/I x active/passive, checksums,
// and the trace showing who closed each data connection.

import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { runClientSession } from '../../../main/session/clientSession';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { trackHandles } from '../../support/leaks';
import type { FileStore } from '../../../main/store/fileStore';
import { TraceRecorder } from '../../../core/trace/traceRecorder';
import { generateBytes } from '../../../main/session/generatedContent';
import type { ClientStep } from '../../../core/machines/clientSession.context';
import type { TraceEvent } from '../../../core/trace/traceEvent';

let server: FtpServer;
let store: FileStore;
let recorder: TraceRecorder;

let leaks: ReturnType<typeof trackHandles>;

beforeEach(async () => {
  leaks = trackHandles();
  recorder = new TraceRecorder(() => performance.now());
  store = createMemoryStore();
  server = await startFtpServer({ store, recorder, anonymous: true, loginDelayMs: 10 });
});

afterEach(async () => {
  await server.close();
  await leaks.assertNoLeaks();
});

const login: ClientStep[] = [
  { kind: 'command', line: 'USER anonymous', expect: [331] },
  { kind: 'command', line: 'PASS guest', expect: [230] },
];

async function readAll(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await store.openRead(path, 0)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The first FIN on each data connection, as recorded by its sender: who closed first and why. */
function dataClosers(events: readonly TraceEvent[]) {
  const seen = new Set<string>();
  const out: { conn: string; side: string; reason: string | undefined }[] = [];
  for (const e of events) {
    if (e.type === 'tcp.fin' && e.channel === 'data' && e.dir === 'sent' && !seen.has(e.conn)) {
      seen.add(e.conn);
      out.push({ conn: e.conn, side: e.side, reason: e.reason });
    }
  }
  return out;
}

describe('upload then download, every TYPE and connection direction', () => {
  for (const type of ['A', 'I'] as const) {
    for (const passive of [false, true]) {
      it(`TYPE ${type}, ${passive ? 'passive' : 'active'}: bytes arrive intact and the sender closes each data connection`, async () => {
        const upload = { size: 300_000, text: type === 'A', seed: 7 };
        const output = await runClientSession({
          server: server.address,
          recorder,
          steps: [
            ...login,
            { kind: 'command', line: `TYPE ${type}`, expect: [200] },
            { kind: 'dataSetup', passive },
            { kind: 'transfer', line: 'STOR up.dat', direction: 'upload', upload },
            { kind: 'dataSetup', passive },
            { kind: 'transfer', line: 'RETR up.dat', direction: 'download' },
            { kind: 'command', line: 'QUIT', expect: [221] },
          ],
        });
        expect(output.failure).toBeUndefined();
        expect(output.ok).toBe(true);
        const original = generateBytes(upload);
        // The server stores the native form: TYPE A's CRLFs on the wire became LFs again.
        expect(sha(await readAll('/up.dat'))).toBe(sha(original));
        const [up, down] = output.transfers;
        expect(down!.sha256).toBe(sha(original));
        const lfCount = original.filter((b) => b === 0x0a).length;
        const wire = type === 'A' ? original.length + lfCount : original.length;
        expect(up!.bytes).toBe(wire);
        expect(down!.bytes).toBe(wire);
        // STREAM mode: the client closed the upload's connection, the server the download's, both as EOF.
        expect(dataClosers(recorder.events).map((c) => [c.side, c.reason])).toEqual([
          ['client', 'eof'],
          ['server', 'eof'],
        ]);
        const replies = recorder.events.filter((e) => e.type === 'ftp.reply' && e.dir === 'received').map((e) => (e as { code: number }).code);
        expect(replies).toEqual([220, 331, 230, 200, passive ? 227 : 200, 150, 226, passive ? 227 : 200, 150, 226, 221]);
        // Active mode: the server opened the data connections; passive: the client did.
        const connects = recorder.events.filter((e) => e.type === 'tcp.connect' && e.channel === 'data').map((e) => e.side);
        expect(connects).toEqual(passive ? ['client', 'client'] : ['server', 'server']);
      });
    }
  }
});

it('the server replies 226 once its FIN has ended the file (RFC 959 §5.2), after the data it sent', async () => {
  const output = await runClientSession({
    server: server.address,
    recorder,
    steps: [
      ...login,
      { kind: 'dataSetup', passive: true },
      { kind: 'transfer', line: 'RETR notes.txt', direction: 'download' },
      { kind: 'command', line: 'QUIT', expect: [221] },
    ],
  });
  expect(output.ok).toBe(true);
  const events = recorder.events;
  const sent = events.findIndex((e) => e.type === 'data.transfer' && e.side === 'server');
  const serverFin = events.findIndex((e) => e.type === 'tcp.fin' && e.side === 'server' && e.dir === 'sent' && e.channel === 'data');
  const reply226 = events.findIndex((e) => e.type === 'ftp.reply' && e.dir === 'sent' && e.code === 226);
  expect(sent).toBeGreaterThan(0);
  expect(serverFin).toBeGreaterThan(sent);
  expect(reply226).toBeGreaterThan(serverFin);
});

describe('BLOCK and COMPRESSED: the EOF marker travels in the data and the connection stays open', () => {
  for (const mode of ['B', 'C'] as const) {
    for (const type of ['A', 'I'] as const) {
      it(`MODE ${mode}, TYPE ${type}: upload then download over one data connection, 250 each, no close between`, async () => {
        // Long runs of the filler byte and of other bytes exercise COMPRESSED mode's filler and replicated units.
        const upload = { size: 200_000, text: type === 'A', seed: 11 };
        const output = await runClientSession({
          server: server.address,
          recorder,
          steps: [
            ...login,
            { kind: 'command', line: `TYPE ${type}`, expect: [200] },
            { kind: 'command', line: `MODE ${mode}`, expect: [200] },
            { kind: 'dataSetup', passive: true },
            { kind: 'transfer', line: 'STOR kept.dat', direction: 'upload', upload, expect: [250] },
            { kind: 'transfer', line: 'RETR kept.dat', direction: 'download', expect: [250] },
            { kind: 'transfer', line: 'RETR table.txt', direction: 'download', expect: [250] },
            { kind: 'command', line: 'QUIT', expect: [221] },
          ],
        });
        expect(output.failure).toBeUndefined();
        const original = generateBytes(upload);
        expect(sha(await readAll('/kept.dat'))).toBe(sha(original));
        expect(output.transfers[1]!.sha256).toBe(sha(original));
        expect(output.transfers[2]!.sha256).toBe(sha(await readAll('/table.txt')));
        const replies = recorder.events.filter((e) => e.type === 'ftp.reply' && e.dir === 'received').map((e) => (e as { code: number }).code);
        expect(replies).toEqual([220, 331, 230, 200, 200, 227, 150, 250, 125, 250, 125, 250, 221]);
        // One data connection, and it is closed only after QUIT (959 §3.2, condition 4).
        const dataConns = new Set(
          recorder.events.filter((e) => 'channel' in e && e.channel === 'data' && 'conn' in e).map((e) => (e as { conn: string }).conn),
        );
        expect([...dataConns]).toEqual(['D1']);
        const quitAt = recorder.events.findIndex((e) => e.type === 'ftp.command' && e.verb === 'QUIT');
        const firstDataFin = recorder.events.findIndex((e) => e.type === 'tcp.fin' && e.channel === 'data');
        expect(firstDataFin).toBeGreaterThan(quitAt);
        const eofMarkers = recorder.events.filter((e) => e.type === 'data.marker' && e.marker === 'eof' && e.dir === 'sent');
        expect(eofMarkers.map((e) => (e as { hex: string }).hex)).toEqual(Array(3).fill(mode === 'B' ? '40 00 00' : '00 40'));
      });
    }
  }
});

describe('record structure (STRU R): each line travels as a record ending in EOR', () => {
  for (const mode of ['S', 'B', 'C'] as const) {
    it(`MODE ${mode}: a text file goes up and comes back as the same lines`, async () => {
      const upload = { size: 50_000, text: true, seed: 5 };
      const output = await runClientSession({
        server: server.address,
        recorder,
        steps: [
          ...login,
          { kind: 'command', line: 'TYPE A', expect: [200] },
          { kind: 'command', line: 'STRU R', expect: [200] },
          { kind: 'command', line: `MODE ${mode}`, expect: [200] },
          { kind: 'dataSetup', passive: true },
          { kind: 'transfer', line: 'STOR records.txt', direction: 'upload', upload },
          ...(mode === 'S' ? [{ kind: 'dataSetup' as const, passive: true }] : []),
          { kind: 'transfer', line: 'RETR records.txt', direction: 'download' },
          { kind: 'command', line: 'QUIT', expect: [221] },
        ],
      });
      expect(output.failure).toBeUndefined();
      const original = generateBytes(upload);
      // Records cannot say whether the last line had a line end: it comes back with one.
      const expected = original[original.length - 1] === 0x0a ? original : Buffer.concat([original, Buffer.from('\n')]);
      expect(sha(await readAll('/records.txt'))).toBe(sha(expected));
      expect(output.transfers[1]!.sha256).toBe(sha(expected));
      const eof = recorder.events.filter((e) => e.type === 'data.marker' && e.marker === 'eof' && e.dir === 'sent').map((e) => (e as { hex: string }).hex);
      // STREAM: FF 03 is EOR and EOF together, after the last record (959 §3.4.1); then the sender still closes.
      expect(eof).toEqual(Array(2).fill(mode === 'S' ? 'FF 03' : mode === 'B' ? '40 00 00' : '00 40'));
      if (mode === 'S') expect(dataClosers(recorder.events).map((c) => c.side)).toEqual(['client', 'server']);
    });
  }
});

it('BLOCK-mode restart: 110 MARK for each marker, ABOR, REST to the last mark, and the resumed upload completes the file exactly', async () => {
  const { findBuiltinScenario } = await import('../../../core/scenarios/builtinScenarios');
  const { resolveScenario, settingsFor } = await import('../../../core/scenarios/scenario');
  const scenario = findBuiltinScenario('restart-resume')!;
  const settings = settingsFor(scenario, { user: 'anonymous' });
  const steps = resolveScenario(scenario, settings);
  const output = await runClientSession({ server: server.address, recorder, steps });
  expect(output.failure).toBeUndefined();
  const upload = steps.find((s) => s.kind === 'transfer' && s.upload)! as Extract<ClientStep, { kind: 'transfer' }>;
  expect(sha(await readAll('/resumed.bin'))).toBe(sha(generateBytes(upload.upload!)));
  const marks = recorder.events
    .filter((e) => e.type === 'ftp.reply' && e.dir === 'sent' && e.code === 110)
    .map((e) => (e as { lines: readonly string[] }).lines[0]);
  expect(marks.length).toBeGreaterThan(2);
  for (const mark of marks) expect(mark).toMatch(/^MARK (\d+) = \1$/);
  const rest = recorder.events.find((e) => e.type === 'ftp.command' && e.dir === 'sent' && e.verb === 'REST') as { line: string };
  const lastMarkBeforeRest = marks.filter((m, i) => i < marks.length).find((m) => rest.line.endsWith(` ${m!.split(' = ')[1]}`));
  expect(lastMarkBeforeRest).toBeDefined();
  expect(output.transfers.map((t) => t.complete)).toEqual([false, true]);
});

it('BLOCK mode: ABOR between transfers closes the kept-open connection (226); the next transfer needs a new PASV', async () => {
  const output = await runClientSession({
    server: server.address,
    recorder,
    steps: [
      ...login,
      { kind: 'command', line: 'MODE B', expect: [200] },
      { kind: 'dataSetup', passive: true },
      { kind: 'transfer', line: 'RETR notes.txt', direction: 'download', expect: [250] },
      { kind: 'command', line: 'ABOR', expect: [226] },
      { kind: 'dataSetup', passive: true },
      { kind: 'transfer', line: 'RETR notes.txt', direction: 'download', expect: [250] },
      { kind: 'command', line: 'QUIT', expect: [221] },
    ],
  });
  expect(output.failure).toBeUndefined();
  const closers = dataClosers(recorder.events);
  expect(closers[0]).toEqual({ conn: 'D1', side: 'server', reason: 'abort' });
  const preliminaries = recorder.events
    .filter((e) => e.type === 'ftp.reply' && e.dir === 'received' && (e.code === 150 || e.code === 125))
    .map((e) => (e as { code: number }).code);
  expect(preliminaries).toEqual([150, 150]);
});
