// A disk that fills during STOR (issue 13, item 3): 452 (RFC 959 §4.2.1, insufficient storage), the data connection
// closed by the server, and on disk a prefix of what was sent, never a hole; the reply and the trace say how much
// was kept. On a real 2 MiB tmpfs: mounting one needs root, and where it cannot be mounted the test says so.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEpsvReply } from '../../../core/protocol/hostPort';
import { TraceRecorder } from '../../../core/trace/traceRecorder';
import { startFtpServer } from '../../../main/session/ftpServer';
import { createDirectoryStore } from '../../../main/store/directoryStore';
import { openRawControl } from '../../helpers/rawControl';

const mountPoint = mkdtempSync(join(tmpdir(), 'ftp-lab-full-disk-'));
const mountError = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim() || 'mount failed';
  }
})();

afterAll(() => {
  if (!mountError) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

const UPLOAD = 5 * 1024 * 1024;

describe.runIf(!mountError)('a full disk during STOR (a 2 MiB tmpfs, 5 MiB sent)', () => {
  it.each([
    { title: 'TYPE A (converted text, written through the stream)', setup: ['TYPE A'] },
    { title: 'TYPE A, MODE B (framed text: once an unheard error that ended the process)', setup: ['TYPE A', 'MODE B'] },
    { title: 'STRU R (records)', setup: ['TYPE I', 'STRU R'] },
  ])(
    '$title: 452 as well, and the server answers on',
    async ({ setup }) => {
      const server = await startFtpServer({ store: await createDirectoryStore(mountPoint), anonymous: true, loginDelayMs: 0 });
      try {
        const ctl = await openRawControl(server.address.port);
        expect((await ctl.reply()).code).toBe(220);
        expect((await ctl.command('USER anonymous')).code).toBe(331);
        expect((await ctl.command('PASS x')).code).toBe(230);
        for (const line of setup) expect((await ctl.command(line)).code, line).toBe(200);
        const port = parseEpsvReply((await ctl.command('EPSV')).text)!;
        const data = net.connect({ host: '127.0.0.1', port });
        data.on('error', () => undefined);
        await new Promise((resolve) => data.once('connect', resolve));
        expect((await ctl.command('STOR up.txt')).code).toBe(150);
        const body = Buffer.from('line of text\r\n'.repeat(400_000));
        if (setup.includes('MODE B')) {
          // BLOCK framing (959 §3.4.2): a 3-byte header per block, the last one flagged EOF (64).
          const blocks: Buffer[] = [];
          for (let at = 0; at < body.length; at += 60_000) {
            const piece = body.subarray(at, at + 60_000);
            blocks.push(Buffer.from([at + 60_000 >= body.length ? 64 : 0, piece.length >> 8, piece.length & 255]), piece);
          }
          data.write(Buffer.concat(blocks));
        } else data.end(body);
        const final = await ctl.reply(10_000);
        expect(final.code, final.text).toBe(452);
        data.destroy();
        expect((await ctl.command('NOOP')).code).toBe(200);
        await rm(join(mountPoint, 'up.txt'));
        await ctl.close();
      } finally {
        await server.close();
      }
    },
    30_000,
  );

  it('20 uploads in a row: 452, the data connection closed by the server, the file a prefix of what was sent', async () => {
    const recorder = new TraceRecorder(() => performance.now());
    const server = await startFtpServer({ store: await createDirectoryStore(mountPoint), anonymous: true, loginDelayMs: 0, recorder, numberSessions: true });
    try {
      const ctl = await openRawControl(server.address.port);
      expect((await ctl.reply()).code).toBe(220);
      expect((await ctl.command('USER anonymous')).code).toBe(331);
      expect((await ctl.command('PASS x')).code).toBe(230);
      expect((await ctl.command('TYPE I')).code).toBe(200);
      for (let round = 0; round < 20; round++) {
        const sent = randomBytes(UPLOAD);
        const port = parseEpsvReply((await ctl.command('EPSV')).text)!;
        const data = net.connect({ host: '127.0.0.1', port });
        data.on('error', () => undefined);
        await new Promise((resolve) => data.once('connect', resolve));
        const closed = new Promise((resolve) => data.once('close', resolve));
        expect((await ctl.command('STOR up.bin')).code).toBe(150);
        data.end(sent);
        const final = await ctl.reply(10_000);
        expect(final.code, final.text).toBe(452);
        await closed;
        const kept = Number(/keeps its first (\d+) bytes/.exec(final.text)?.[1]);
        const onDisk = await readFile(join(mountPoint, 'up.bin'));
        expect(onDisk.length).toBe(kept);
        expect(kept).toBeGreaterThan(0);
        expect(kept).toBeLessThan(UPLOAD);
        // Never a hole: byte for byte what was sent, from the start.
        expect(onDisk.equals(sent.subarray(0, kept)), `round ${round}: the file is not a prefix of what was sent`).toBe(true);
        await rm(join(mountPoint, 'up.bin'));
      }
      await ctl.close();
    } finally {
      await server.close();
    }
    // The trace has the server's side of it: the reply with the count kept, and the server closing the data connection.
    const events = recorder.events;
    expect(events.filter((e) => e.type === 'ftp.reply' && e.code === 452)).toHaveLength(20);
    expect(events.filter((e) => e.type === 'tcp.rst' && e.channel === 'data' && e.side === 'server' && e.reason === 'error')).toHaveLength(20);
  }, 60_000);

  it('under a quota larger than the disk: 452, and the bytes the failed writes took from the quota are given back', async () => {
    const store = await createDirectoryStore(mountPoint, { quotaBytes: 100 * 1024 * 1024 });
    const server = await startFtpServer({ store, anonymous: true, loginDelayMs: 0 });
    try {
      const ctl = await openRawControl(server.address.port);
      expect((await ctl.reply()).code).toBe(220);
      expect((await ctl.command('USER anonymous')).code).toBe(331);
      expect((await ctl.command('PASS x')).code).toBe(230);
      expect((await ctl.command('TYPE I')).code).toBe(200);
      const port = parseEpsvReply((await ctl.command('EPSV')).text)!;
      const data = net.connect({ host: '127.0.0.1', port });
      data.on('error', () => undefined);
      await new Promise((resolve) => data.once('connect', resolve));
      expect((await ctl.command('STOR up.bin')).code).toBe(150);
      data.end(randomBytes(UPLOAD));
      const final = await ctl.reply(10_000);
      expect(final.code, final.text).toBe(452);
      data.destroy();
      // The quota counts what the disk holds, not what the writes asked for before the disk said no.
      const kept = Number(/keeps its first (\d+) bytes/.exec(final.text)?.[1]);
      expect(store.quota?.usedBytes).toBe(kept);
      expect((await ctl.command('DELE up.bin')).code).toBe(250);
      expect(store.quota?.usedBytes).toBe(0);
      await ctl.close();
    } finally {
      await server.close();
    }
  }, 30_000);
});

if (mountError) {
  describe('a full disk during STOR', () => {
    it.skip(`is not tested here: a 2 MiB tmpfs could not be mounted (${mountError}); it needs root`, () => undefined);
  });
}
