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
  it('each walk visits every port of the range exactly once', () => {
    for (const range of [
      { min: 50000, max: 50000 },
      { min: 50000, max: 50001 },
      { min: 50000, max: 50002 },
      { min: 50000, max: 50099 },
      { min: 40000, max: 40359 },
    ]) {
      const picker = new PassivePortPicker(range);
      for (let round = 0; round < 20; round += 1) {
        const walk = picker.walk();
        const ports = Array.from({ length: picker.size }, () => walk.next());
        expect([...ports].sort((a, b) => a - b)).toEqual(Array.from({ length: picker.size }, (_, i) => range.min + i));
      }
    }
  });

  it('starts at a random port, so the next one cannot be guessed (RFC 2577 §8)', () => {
    const picker = new PassivePortPicker({ min: 50000, max: 50099 });
    const firsts = Array.from({ length: 200 }, () => picker.walk().next());
    // 200 draws from 100 ports: far more than a handful of distinct values, and both ends reachable.
    expect(new Set(firsts).size).toBeGreaterThan(50);
    expect(Array.from({ length: 5000 }, () => picker.walk().next())).toEqual(expect.arrayContaining([50000, 50099]));
  });

  it('does not favour the port just above a block of taken ones', () => {
    // Ports 0-49 of 100 taken: walking up by one would land on port 50 about half the time.
    const picker = new PassivePortPicker({ min: 50000, max: 50099 });
    let landedOn50 = 0;
    const draws = 2000;
    for (let i = 0; i < draws; i += 1) {
      const walk = picker.walk();
      let port = walk.next();
      while (port < 50050) port = walk.next();
      if (port === 50050) landedOn50 += 1;
    }
    // Fair would be 1 in 50 (40 of 2000); the old step of one gave ~1010.
    expect(landedOn50).toBeLessThan(200);
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
    ctl = await login();
    return ctl;
  };

  const login = async () => {
    const control = await openRawControl(server!.address.port);
    expect((await control.reply()).code).toBe(220);
    expect((await control.command('USER anonymous')).code).toBe(331);
    expect((await control.command('PASS x')).code).toBe(230);
    return control;
  };

  /** A session keeps its passive listener: each new session draws a port anew. The reply to PASV there. */
  const pasvInNewSession = async () => {
    const control = await login();
    const r = await control.command('PASV');
    await control.close();
    return r;
  };

  /** Another listener on a port, as another program would hold it. */
  const block = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const blocker = net.createServer();
      blocker.once('error', reject);
      blocker.listen({ host: '127.0.0.1', port }, () => {
        blockers.push(blocker);
        resolve();
      });
    });

  /** A range of `size` ports of which the first `held` are held by another listener (a new window if one is not free). */
  const rangeWithHeld = async (size: number, held: number) => {
    for (let attempt = 0; ; attempt += 1) {
      const range = quietPortRange(size);
      try {
        for (let port = range.min; port < range.min + held; port += 1) await block(port);
        return range;
      } catch (error) {
        await Promise.all(blockers.splice(0).map((b) => new Promise((resolve) => b.close(resolve))));
        if (attempt >= 5) throw error;
      }
    }
  };

  afterEach(async () => {
    await ctl?.close();
    await server?.close();
    await Promise.all(blockers.splice(0).map((b) => new Promise((resolve) => b.close(resolve))));
    await leaks.assertNoLeaks();
    ctl = undefined;
    server = undefined;
  });

  it('listens on ports of the range, one listener per session, and the transfer works there', async () => {
    const range = quietPortRange(5);
    const control = await start(range);
    const ports: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const r = await pasvInNewSession();
      expect(r.code).toBe(227);
      ports.push(parsePasvReply(r.text)!.port);
    }
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(range.min);
      expect(port).toBeLessThanOrEqual(range.max);
    }
    // Random, not always the same port: 20 sessions over 5 ports hit one port every time with chance 5^-19.
    expect(new Set(ports).size).toBeGreaterThan(1);
    // Within a session every PASV names the session's one listener.
    const first = parsePasvReply((await control.command('PASV')).text)!.port;
    expect(parsePasvReply((await control.command('PASV')).text)!.port).toBe(first);
    ports.push(first);

    // The listener is live: a download arrives through it.
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
    const range = await rangeWithHeld(2, 1);
    const control = await start(range);
    const notes = () => server!.recorder.events.filter((e) => e.type === 'note').map((e) => (e as { text: string }).text);
    expect((await control.command('NOOP')).code).toBe(200);
    // Half of the random starts land on the taken port: new sessions until one did (64 misses in a row: 2^-64).
    for (let i = 0; i < 64 && notes().length === 0; i += 1) {
      const r = await pasvInNewSession();
      expect(r.code).toBe(227);
      expect(parsePasvReply(r.text)!.port).toBe(range.max);
    }
    expect(notes().length).toBeGreaterThan(0);
    expect(notes()[0]).toBe(`Passive port ${range.min} is not available; listening on ${range.max}.`);
  });

  it('names every taken port it tried in one note, and lands on the free one', async () => {
    const range = await rangeWithHeld(4, 3);
    await start(range);
    for (let i = 0; i < 12; i += 1) {
      const r = await pasvInNewSession();
      expect(parsePasvReply(r.text)!.port).toBe(range.max);
    }
    const notes = server!.recorder.events.filter((e) => e.type === 'note').map((e) => (e as { text: string }).text);
    // A walk starts on the free port one time in four; 12 PASVs without a note: (1/4)^12.
    expect(notes.length).toBeGreaterThan(0);
    for (const text of notes) {
      const m = /^Passive ports? ([\d, ]+) (?:is|are) not available; listening on (\d+)\.$/.exec(text);
      expect(m, text).not.toBeNull();
      const named = m![1]!.split(', ').map(Number);
      expect(new Set(named).size).toBe(named.length);
      for (const port of named) expect(port >= range.min && port < range.max, `${port} is one of the held ports`).toBe(true);
      expect(Number(m![2])).toBe(range.max);
    }
  });

  it('answers 425 naming the range when every port is taken, and the session goes on', async () => {
    const range = await rangeWithHeld(3, 3);
    const control = await start(range);
    const r = await control.command('PASV');
    expect(r.code).toBe(425);
    expect(r.text).toContain(`no port of the passive range ${range.min}-${range.max} is available`);
    expect((await control.command('NOOP')).code).toBe(200);
  });
});
