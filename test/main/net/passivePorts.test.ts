// The passive-port range: parsing, handing ports out in turn, skipping ports in use, and 425 when none is free.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePassivePorts, PassivePortCursor } from '../../../main/net/passivePorts';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { parsePasvReply } from '../../../core/protocol/hostPort';
import { openRawControl, type RawControl } from '../../helpers/rawControl';
import { pasvRange } from '../../support/freePort';
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
    ['50999-50000', /lowest first/],
    ['80-90', /1024-65535/],
    ['60000-70000', /1024-65535/],
    ['50000', /MIN-MAX/],
    ['a-b', /MIN-MAX/],
    ['', /MIN-MAX/],
  ])('refuses %j with a sentence', (text, message) => {
    expect(() => parsePassivePorts(text)).toThrow(message);
  });
});

describe('PassivePortCursor', () => {
  it('hands out every port of the range in turn and wraps around', () => {
    const cursor = new PassivePortCursor({ min: 50000, max: 50002 });
    const six = Array.from({ length: 6 }, () => cursor.next());
    expect([...six.slice(0, 3)].sort()).toEqual([50000, 50001, 50002]);
    expect(six.slice(3)).toEqual(six.slice(0, 3));
    for (let i = 1; i < six.length; i += 1) expect(six[i]).toBe(six[i - 1] === 50002 ? 50000 : six[i - 1]! + 1);
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

  it('listens on the ports of the range, one after the other, and the transfer works there', async () => {
    const range = pasvRange(5);
    const control = await start(range);
    const ports: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const r = await control.command('PASV');
      expect(r.code).toBe(227);
      ports.push(parsePasvReply(r.text)!.port);
    }
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(range.min);
      expect(port).toBeLessThanOrEqual(range.max);
    }
    // Each PASV takes the next port (wrapping), so five in a row are all different.
    expect(new Set(ports.slice(0, 5)).size).toBe(5);
    expect(ports[5]).toBe(ports[0]);

    // The last listener is live: a download arrives through it.
    const data = net.connect({ host: '127.0.0.1', port: ports[5]! });
    const chunks: Buffer[] = [];
    data.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise((resolve) => data.once('end', resolve));
    expect((await control.command('RETR readme.txt')).code).toBe(150);
    await ended;
    data.end();
    expect((await control.reply()).code).toBe(226);
    expect(Buffer.concat(chunks).toString('latin1')).toContain('FTP Lab');
  });

  it('skips a port that another program holds', async () => {
    const range = pasvRange(2);
    await block(range.min);
    const control = await start(range);
    for (let i = 0; i < 3; i += 1) {
      const r = await control.command('PASV');
      expect(r.code).toBe(227);
      expect(parsePasvReply(r.text)!.port).toBe(range.max);
    }
  });

  it('answers 425 naming the range when every port is taken, and the session goes on', async () => {
    const range = pasvRange(1);
    await block(range.min);
    const control = await start(range);
    const r = await control.command('PASV');
    expect(r.code).toBe(425);
    expect(r.text).toContain(`no free port in the passive range ${range.min}-${range.max}`);
    expect((await control.command('NOOP')).code).toBe(200);
  });
});
