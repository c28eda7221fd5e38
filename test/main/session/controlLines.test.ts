// Control lines a client can break a session with: a CR not followed by LF, NULs, other control characters,
// Telnet IAC, bytes that are not UTF-8, lines past the length cap. Every line gets exactly one final reply,
// well formed (controls shown escaped, never raw), and the session goes on (RFC 959 §4.2, 1123 §4.1.2.10).

import net from 'node:net';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseReplies, type Reply } from '../../../core/protocol/replyParser';
import { commandTable } from '../../../core/protocol/commands.table';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { transcript } from '../../../core/trace/transcript';
import { trackHandles } from '../../support/leaks';

let server: FtpServer;
let leaks: ReturnType<typeof trackHandles>;

beforeEach(async () => {
  leaks = trackHandles();
  server = await startFtpServer({ store: createMemoryStore(), accounts: [{ user: 'student', password: 's3cret' }], loginDelayMs: 5, dataTimeoutMs: 50 });
});

afterEach(async () => {
  await server.close();
  await leaks.assertNoLeaks();
});

/** Sends `bytes` at once and collects every reply until the server closes the connection. */
async function exchange(bytes: Buffer): Promise<{ replies: Reply[]; raw: string }> {
  const socket = net.connect({ host: '127.0.0.1', port: server.address.port });
  let raw = '';
  socket.setEncoding('latin1');
  socket.on('data', (text: string) => (raw += text));
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(bytes);
  await new Promise((resolve) => socket.once('close', resolve));
  return { replies: parseReplies(raw).replies, raw };
}

describe('control characters inside a command line', () => {
  it("the issue's bytes: USER, PASS, 'NOOP CR X', NOOP, QUIT get 220 331 230 500 200 221, and the connection closes", async () => {
    const { replies, raw } = await exchange(Buffer.from('USER student\r\nPASS s3cret\r\nNOOP\rX\r\nNOOP\r\nQUIT\r\n', 'latin1'));
    expect(replies.map((r) => r.code)).toEqual([220, 331, 230, 500, 200, 221]);
    // The bare CR is echoed as an escape: one reply line, not a forged second one.
    expect(replies[3]!.lines).toEqual(['Command not understood: NOOP\\rX.']);
    expect(raw.split('\r\n').filter(Boolean)).toHaveLength(6);
  });

  it('before login, and with CR NUL: the same', async () => {
    const { replies } = await exchange(Buffer.from('NOOP\r\0X\r\nUSER a\rb\r\nPASS x\r\nQUIT\r\n', 'latin1'));
    expect(replies.map((r) => r.code)).toEqual([220, 500, 331, 530, 221]);
    expect(replies[1]!.lines[0]).toBe('Command not understood: NOOP\\r\\0X.');
  });

  it('the transcript shows the bare CR escaped, not raw to a terminal', async () => {
    await exchange(Buffer.from('NOOP\rX\r\nQUIT\r\n', 'latin1'));
    const lines = transcript(server.recorder.events);
    expect(lines).toContain('C→S  NOOP\\rX');
    expect(lines.join('\n')).not.toContain('\r');
  });
});

describe('many hostile lines in one session', () => {
  // A seeded generator: the same lines every run.
  let seed = 20261203;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const verbs = [...commandTable.keys()].filter((v) => v !== 'QUIT');
  const nasty = [
    Buffer.from('\r'),
    Buffer.from('\0'),
    Buffer.from('\x1b[2J'),
    Buffer.from([0xff, 0xf4, 0xff, 0xf2]),
    Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
    Buffer.from('x'.repeat(5000)),
    Buffer.from('/../../etc/passwd'),
    Buffer.from('ümlaut.txt'),
    Buffer.from(''),
    Buffer.from(' '),
    Buffer.from('\x7f\x08'),
  ];

  it('400 lines of table verbs with nasty arguments: one final reply per line, every reply line well formed, the session still answers', async () => {
    const lines: Buffer[] = [Buffer.from('USER student\r\n'), Buffer.from('PASS s3cret\r\n')];
    for (let i = 0; i < 400; i++) {
      const verb = next() < 0.1 ? pick(['FROB', '', 'noop', 'SITE']) : pick(verbs);
      const arg = next() < 0.3 ? Buffer.alloc(0) : Buffer.concat([Buffer.from(' '), pick(nasty), next() < 0.5 ? pick(nasty) : Buffer.alloc(0)]);
      lines.push(Buffer.concat([Buffer.from(verb), arg, Buffer.from('\r\n')]));
    }
    lines.push(Buffer.from('NOOP\r\nQUIT\r\n'));
    const { replies, raw } = await exchange(Buffer.concat(lines));
    const finals = replies.filter((r) => r.code >= 200);
    // The greeting, one per line sent (USER and PASS, the 400, NOOP, QUIT).
    expect(finals.length).toBe(1 + 2 + 400 + 2);
    expect(finals.at(-2)!.code).toBe(200);
    expect(finals.at(-1)!.code).toBe(221);
    // No raw control character in any reply (every line ends in CR LF and holds none).
    // eslint-disable-next-line no-control-regex
    for (const line of raw.split('\r\n').slice(0, -1)) expect(line).not.toMatch(/[\x00-\x1f\x7f]/);
  }, 30_000);
});

describe('fuzzed control lines (fast-check, seeded)', () => {
  const verbs = [...commandTable.keys()].filter((v) => v !== 'QUIT');
  /** Any bytes but LF (which would end the line early): CRs, NULs, IAC, ESC, invalid UTF-8, long runs included. */
  const junk = fc.oneof(
    fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes.filter((b) => b !== 0x0a))),
    fc.constantFrom('\r', '\0', '\r\0', '\x1b[2J', '\xff\xf4\xff\xf2', '../../etc/passwd', 'x'.repeat(3000)).map((t) => Buffer.from(t, 'latin1')),
  );
  const line = fc
    .tuple(
      fc.oneof(
        fc.constantFrom(...verbs),
        fc.constantFrom(...verbs).map((v) => v.toLowerCase()),
        fc.string({ maxLength: 6 }).filter((v) => !/[\n]/.test(v) && !/^quit/i.test(v.trim())),
      ),
      fc.option(junk, { nil: undefined }),
    )
    .map(([verb, arg]) => Buffer.concat([Buffer.from(verb, 'latin1'), arg ? Buffer.concat([Buffer.from(' '), arg]) : Buffer.alloc(0), Buffer.from('\r\n')]));

  it('any lines after login: exactly one final reply each, no raw control byte in any reply, NOOP still answered', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 25 }), async (lines) => {
        const { replies, raw } = await exchange(Buffer.concat([Buffer.from('USER student\r\nPASS s3cret\r\n'), ...lines, Buffer.from('NOOP\r\nQUIT\r\n')]));
        const finals = replies.filter((r) => r.code >= 200);
        expect(finals.length).toBe(1 + 2 + lines.length + 2);
        expect(finals.at(-2)!.code).toBe(200);
        expect(finals.at(-1)!.code).toBe(221);
        // eslint-disable-next-line no-control-regex
        for (const replyLine of raw.split('\r\n').slice(0, -1)) expect(replyLine).not.toMatch(/[\x00-\x1f\x7f]/);
      }),
      { seed: 20261203, numRuns: 40 },
    );
  }, 60_000);
});

describe('the idle timeout', () => {
  it('closes a session that sends nothing (421), not one that keeps talking', async () => {
    const quick = await startFtpServer({ store: createMemoryStore(), anonymous: true, loginDelayMs: 5, idleTimeoutMs: 400 });
    try {
      const talker = net.connect({ host: '127.0.0.1', port: quick.address.port });
      const silent = net.connect({ host: '127.0.0.1', port: quick.address.port });
      let silentText = '';
      let talkerText = '';
      silent.setEncoding('latin1').on('data', (t: string) => (silentText += t));
      talker.setEncoding('latin1').on('data', (t: string) => (talkerText += t));
      const silentClosed = new Promise((resolve) => silent.once('close', resolve));
      // The talker sends a NOOP every 150 ms for 900 ms: never 400 ms without a line.
      for (let i = 0; i < 6; i++) {
        talker.write('NOOP\r\n');
        await new Promise((r) => setTimeout(r, 150));
      }
      await silentClosed;
      expect(parseReplies(silentText).replies.map((r) => r.code)).toEqual([220, 421]);
      expect(parseReplies(talkerText).replies.map((r) => r.code)).toEqual([220, 200, 200, 200, 200, 200, 200]);
      talker.destroy();
    } finally {
      await quick.close();
    }
  });
});
