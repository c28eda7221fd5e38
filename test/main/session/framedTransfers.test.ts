// BLOCK and COMPRESSED transfers with a directory store: uploads decoded in the buffers the socket read
// into and written at their offsets, downloads framed from two reused buffers. Our client against our
// server, and raw senders that put files ahead of their STOR, several in one write, or a FIN at once.

import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientStep } from '../../../core/machines/clientSession.context';
import { createBlockEncoder } from '../../../core/protocol/blockMode';
import { parsePasvReply } from '../../../core/protocol/hostPort';
import { TraceRecorder } from '../../../core/trace/traceRecorder';
import { runClientSession } from '../../../main/session/clientSession';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { generateBytes } from '../../../main/session/generatedContent';
import { createDirectoryStore } from '../../../main/store/directoryStore';
import { countingDrains, type DrainCounts } from '../../helpers/drainCounter';
import { openRawControl, type RawControl } from '../../helpers/rawControl';
import { openFilesUnder, trackHandles } from '../../support/leaks';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let root: string;
let server: FtpServer;
let recorder: TraceRecorder;
let leaks: ReturnType<typeof trackHandles>;
let drains: DrainCounts;

beforeEach(async () => {
  leaks = trackHandles();
  root = await mkdtemp(join(tmpdir(), 'ftp-lab-framed-'));
  const store = await createDirectoryStore(root);
  const counted = countingDrains(store);
  drains = counted.counts;
  recorder = new TraceRecorder(() => performance.now());
  server = await startFtpServer({ store: counted.store, recorder, anonymous: true, loginDelayMs: 10 });
});

afterEach(async () => {
  await server.close();
  // Every file the store opened is closed again, however the transfer ended.
  expect(await openFilesUnder(root)).toEqual([]);
  await rm(root, { recursive: true, force: true });
  await leaks.assertNoLeaks();
});

/** A file as BLOCK-mode blocks ending in the EOF marker. */
function blockEncoded(bytes: Buffer): Buffer {
  const encoder = createBlockEncoder();
  return Buffer.concat([...encoder.data(bytes), ...encoder.eof()].map((p) => Buffer.from(p)));
}

/** Length and first differing offset of a stored file against what was sent, so a failure says where. */
async function compare(name: string, sent: Buffer): Promise<{ length: number; firstDifference: number }> {
  const got = await readFile(join(root, name));
  let at = 0;
  while (at < Math.min(got.length, sent.length) && got[at] === sent[at]) at++;
  return { length: got.length, firstDifference: at === got.length && at === sent.length ? -1 : at };
}

/** A raw session in MODE B, TYPE I with one passive data connection; QUIT and closed afterwards. */
async function withBlockSession(body: (session: { ctl: RawControl; data: net.Socket }) => Promise<void>): Promise<void> {
  const ctl = await openRawControl(server.address.port);
  try {
    expect((await ctl.reply()).code).toBe(220);
    expect((await ctl.command('USER anonymous')).code).toBe(331);
    expect((await ctl.command('PASS x')).code).toBe(230);
    expect((await ctl.command('TYPE I')).code).toBe(200);
    expect((await ctl.command('MODE B')).code).toBe(200);
    const { port } = parsePasvReply((await ctl.command('PASV')).text)!;
    const data = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    await new Promise((resolve) => data.once('connect', resolve));
    const closed = new Promise((resolve) => data.once('close', resolve));
    data.on('end', () => data.end());
    await body({ ctl, data });
    expect((await ctl.command('QUIT')).code).toBe(221);
    await closed;
  } finally {
    await ctl.close();
  }
}

const login: ClientStep[] = [
  { kind: 'command', line: 'USER anonymous', expect: [331] },
  { kind: 'command', line: 'PASS guest', expect: [230] },
];

describe('framed transfers with a directory store', () => {
  for (const mode of ['B', 'C'] as const) {
    it(`MODE ${mode}: two uploads over one kept-open connection land byte for byte, and come back`, async () => {
      const first = { size: 3 * 1024 * 1024 + 11, text: false, seed: 21 };
      const second = { size: 700_000, text: false, seed: 22 };
      const output = await runClientSession({
        server: server.address,
        recorder,
        steps: [
          ...login,
          { kind: 'command', line: 'TYPE I', expect: [200] },
          { kind: 'command', line: `MODE ${mode}`, expect: [200] },
          { kind: 'dataSetup', passive: true },
          { kind: 'transfer', line: 'STOR one.bin', direction: 'upload', upload: first, expect: [250] },
          { kind: 'transfer', line: 'STOR two.bin', direction: 'upload', upload: second, expect: [250] },
          { kind: 'transfer', line: 'RETR one.bin', direction: 'download', expect: [250] },
          { kind: 'command', line: 'QUIT', expect: [221] },
        ],
      });
      expect(output.failure).toBeUndefined();
      expect(sha(await readFile(join(root, 'one.bin')))).toBe(sha(generateBytes(first)));
      expect(sha(await readFile(join(root, 'two.bin')))).toBe(sha(generateBytes(second)));
      expect(output.transfers[2]!.sha256).toBe(sha(generateBytes(first)));
      expect(drains.calls).toBeGreaterThan(0);
    });
  }

  it('BLOCK restart: 110 MARK offsets match, ABOR, REST to the last mark, and the resumed upload completes the file exactly', async () => {
    const { findBuiltinScenario } = await import('../../../core/scenarios/builtinScenarios');
    const { resolveScenario, settingsFor } = await import('../../../core/scenarios/scenario');
    const scenario = findBuiltinScenario('restart-resume')!;
    const steps = resolveScenario(scenario, settingsFor(scenario, { user: 'anonymous' }));
    const output = await runClientSession({ server: server.address, recorder, steps });
    expect(output.failure).toBeUndefined();
    const upload = steps.find((s) => s.kind === 'transfer' && s.upload)! as Extract<ClientStep, { kind: 'transfer' }>;
    expect(sha(await readFile(join(root, 'resumed.bin')))).toBe(sha(generateBytes(upload.upload!)));
    const marks = recorder.events
      .filter((e) => e.type === 'ftp.reply' && e.dir === 'sent' && e.code === 110)
      .map((e) => (e as { lines: readonly string[] }).lines[0]);
    expect(marks.length).toBeGreaterThan(2);
    for (const mark of marks) expect(mark).toMatch(/^MARK (\d+) = \1$/);
    expect(output.transfers.map((t) => t.complete)).toEqual([false, true]);
  });

  it("BLOCK: the next file's blocks in the same write as this file's EOF marker wait for the next STOR", async () => {
    const a = randomBytes(2 * 1024 * 1024 + 5);
    const b = randomBytes(300_000);
    await withBlockSession(async ({ ctl, data }) => {
      expect((await ctl.command('STOR a.bin')).code).toBe(150);
      // Both files in one write: a's EOF marker and b's first blocks can arrive in one read.
      data.write(Buffer.concat([blockEncoded(a), blockEncoded(b)]));
      expect((await ctl.reply(10_000)).code).toBe(250);
      expect((await ctl.command('STOR b.bin')).code).toBe(125);
      expect((await ctl.reply(10_000)).code).toBe(250);
      expect(await compare('a.bin', a)).toEqual({ length: a.length, firstDifference: -1 });
      expect(await compare('b.bin', b)).toEqual({ length: b.length, firstDifference: -1 });
    });
  });

  it('BLOCK: two files sent ahead in separate writes are held, each for its own STOR', async () => {
    const [a, b, c] = [randomBytes(1_000_000), randomBytes(200_000), randomBytes(300_000)];
    await withBlockSession(async ({ ctl, data }) => {
      expect((await ctl.command('STOR a.bin')).code).toBe(150);
      data.write(blockEncoded(a));
      expect((await ctl.reply(10_000)).code).toBe(250);
      // b and c before STOR b, as separate writes: held between transfers as separate reads.
      data.write(blockEncoded(b));
      await new Promise((r) => setTimeout(r, 30));
      data.write(blockEncoded(c));
      await new Promise((r) => setTimeout(r, 30));
      expect((await ctl.command('STOR b.bin')).code).toBe(125);
      expect((await ctl.reply(10_000)).text).toMatch(/^Transfer complete: 200015 bytes \(200000 of the file\)/);
      expect((await ctl.command('STOR c.bin')).code).toBe(125);
      expect((await ctl.reply(10_000)).text).toMatch(/^Transfer complete: 300018 bytes \(300000 of the file\)/);
      expect(await compare('b.bin', b)).toEqual({ length: b.length, firstDifference: -1 });
      expect(await compare('c.bin', c)).toEqual({ length: c.length, firstDifference: -1 });
    });
  });

  it('BLOCK: a file sent ahead that is bigger than what is held between transfers waits in TCP, then arrives whole', async () => {
    const [a, b] = [randomBytes(100_000), randomBytes(24 * 1024 * 1024)];
    await withBlockSession(async ({ ctl, data }) => {
      expect((await ctl.command('STOR a.bin')).code).toBe(150);
      data.write(blockEncoded(a));
      expect((await ctl.reply(10_000)).code).toBe(250);
      // 24 MiB before STOR b: the server holds 16 MiB, then stops reading until the transfer begins.
      data.write(blockEncoded(b));
      await new Promise((r) => setTimeout(r, 200));
      expect((await ctl.command('STOR b.bin')).code).toBe(125);
      expect((await ctl.reply(20_000)).code).toBe(250);
      expect(await compare('b.bin', b)).toEqual({ length: b.length, firstDifference: -1 });
    });
  });

  it('BLOCK download from two reused buffers: ABOR part-way gets 426 and 226, and the session goes on', async () => {
    await writeFile(join(root, 'big.bin'), randomBytes(64 * 1024 * 1024));
    await withBlockSession(async ({ ctl, data }) => {
      let received = 0;
      const some = new Promise<void>((resolve) =>
        data.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > 4 * 1024 * 1024) resolve();
        }),
      );
      expect((await ctl.command('RETR big.bin')).code).toBe(150);
      await some;
      const first = await ctl.command('ABOR', 10_000);
      expect([426, 226]).toContain(first.code);
      if (first.code === 426) expect((await ctl.reply(10_000)).code).toBe(226);
      expect(received).toBeLessThan(64 * 1024 * 1024);
      expect((await ctl.command('NOOP')).code).toBe(200);
    });
  });

  it("BLOCK: the sender's FIN right after its EOF marker does not undo the upload (250, and the count is the file's own)", async () => {
    const a = randomBytes(16 * 1024 * 1024);
    await withBlockSession(async ({ ctl, data }) => {
      expect((await ctl.command('STOR a.bin')).code).toBe(150);
      const wire = blockEncoded(a);
      data.end(wire);
      const done = await ctl.reply(20_000);
      expect(done.code).toBe(250);
      expect(done.text).toContain(`Transfer complete: ${wire.length} bytes (${a.length} of the file)`);
      expect(await compare('a.bin', a)).toEqual({ length: a.length, firstDifference: -1 });
    });
  });
});
