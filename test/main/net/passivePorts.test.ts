// The passive-port range: parsing, random ports (RFC 2577 §8), skipping ports in use, and 425 when none is free.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePassivePorts, PassivePortPicker } from '../../../main/net/passivePorts';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { parsePasvReply } from '../../../core/protocol/hostPort';
import { openRawControl, type RawControl } from '../../helpers/rawControl';
import { quietPortRange } from '../../support/freePort';
import { trackHandles } from '../../support/leaks';

describe('parsePassivePorts', () => {
  it.each([
    ['50000-50999', { min: 50000, max: 50999 }],
    [' 1024-65535 ', { min: 1024, max: 65535 }],
    ['40000-40000', { min: 40000, max: 40000 }],
  ])('%s', (text, range) => {
    expect(parsePassivePorts(text)).toEqual(range);
  });

  it.each([
    ['50999-50000', '50999-50000 starts above where it ends: write the lower port first.'],
    ['80-90', '80-90 reaches outside 1024-65535 (ports below 1024 need root; 65535 is the highest).'],
    ['60000-70000', '60000-70000 reaches outside 1024-65535 (ports below 1024 need root; 65535 is the highest).'],
    ['50000', "'50000' is not a port range: write it as MIN-MAX, for example 50000-50999."],
    ['a-b', "'a-b' is not a port range: write it as MIN-MAX, for example 50000-50999."],
    ['', "'' is not a port range: write it as MIN-MAX, for example 50000-50999."],
  ])('refuses %j with a sentence', (text, message) => {
    expect(() => parsePassivePorts(text)).toThrow(message);
  });
});

describe('PassivePortPicker', () => {
  it('starts at a random port of the range, so the next one cannot be guessed (RFC 2577 §8)', () => {
    const picker = new PassivePortPicker({ min: 50000, max: 50099 });
    const firsts = Array.from({ length: 200 }, () => picker.first());
    for (const port of firsts) expect(port >= 50000 && port <= 50099).toBe(true);
    // 200 draws from 100 ports: far more than a handful of distinct values, and both ends reachable.
    expect(new Set(firsts).size).toBeGreaterThan(50);
    expect(Array.from({ length: 5000 }, () => picker.first())).toEqual(expect.arrayContaining([50000, 50099]));
  });

  it('walks on from a taken port and wraps around, so size tries cover every port once', () => {
    const picker = new PassivePortPicker({ min: 50000, max: 50002 });
    const walk = [50001];
    for (let i = 1; i < picker.size; i += 1) walk.push(picker.after(walk[i - 1]!));
    expect(walk).toEqual([50001, 50002, 50000]);
  });
});

describe('a server with a passive-port range', () => {
  let server: FtpServer | undefined;
  let ctl: RawControl | undefined;
  const blockers: net.Server[] = [];
  let leaks: ReturnType<typeof trackHandles>;

  const start = async (range: { min: number; max: number }) => {
    leaks = trackHandles();
    server = await startFtpServer({ store: createMemoryStore(), anonymous: true, loginDelayMs: 10, passivePorts: range });
    ctl = await openRawControl(server.address.port);
    expect((await ctl.reply()).code).toBe(220);
    expect((await ctl.command('USER anonymous')).code).toBe(331);
    expect((await ctl.command('PASS x')).code).toBe(230);
    return ctl;
  };

  /** Another listener on a port of the range, as another program would hold it. */
  const block = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const blocker = net.createServer();
      blocker.once('error', reject);
      blocker.listen({ host: '127.0.0.1', port }, () => resolve());
      blockers.push(blocker);
    });

  afterEach(async () => {
    await ctl?.close();
    await server?.close();
    await Promise.all(blockers.splice(0).map((b) => new Promise((resolve) => b.close(resolve))));
    await leaks.assertNoLeaks();
    ctl = undefined;
    server = undefined;
  });

  it('listens on ports of the range, and the transfer works there', async () => {
    const range = quietPortRange(5);
    const control = await start(range);
    const ports: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const r = await control.command('PASV');
      expect(r.code).toBe(227);
      ports.push(parsePasvReply(r.text)!.port);
    }
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(range.min);
      expect(port).toBeLessThanOrEqual(range.max);
    }
    // Random, not always the same port: 20 PASVs over 5 ports hit one port every time with chance 5^-19.
    expect(new Set(ports).size).toBeGreaterThan(1);

    // The last listener is live: a download arrives through it.
    const data = net.connect({ host: '127.0.0.1', port: ports.at(-1)! });
    const chunks: Buffer[] = [];
    data.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise((resolve) => data.once('end', resolve));
    expect((await control.command('RETR readme.txt')).code).toBe(150);
    await ended;
    data.end();
    expect((await control.reply()).code).toBe(226);
    expect(Buffer.concat(chunks).toString('latin1')).toContain('FTP Lab');
  });

  it('skips a port that another program holds, and says so in the trace', async () => {
    const range = quietPortRange(2);
    await block(range.min);
    const control = await start(range);
    const notes = () => server!.recorder.events.filter((e) => e.type === 'note').map((e) => (e as { text: string }).text);
    // Half of the random starts land on the taken port: PASV until one did (64 misses in a row: 2^-64).
    for (let i = 0; i < 64 && notes().length === 0; i += 1) {
      const r = await control.command('PASV');
      expect(r.code).toBe(227);
      expect(parsePasvReply(r.text)!.port).toBe(range.max);
    }
    expect(notes().length).toBeGreaterThan(0);
    expect(notes()[0]).toBe(`Passive port ${range.min} is in use; listening on ${range.max} instead.`);
  });

  it('answers 425 naming the range when every port is taken, and the session goes on', async () => {
    const range = quietPortRange(3);
    for (let port = range.min; port <= range.max; port += 1) await block(port);
    const control = await start(range);
    const r = await control.command('PASV');
    expect(r.code).toBe(425);
    expect(r.text).toContain(`every port of the passive range ${range.min}-${range.max} is in use`);
    expect((await control.command('NOOP')).code).toBe(200);
  });
});
