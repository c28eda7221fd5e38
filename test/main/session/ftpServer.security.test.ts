// The server under bad input and attack: it answers with the right code, never crashes, and keeps serving.

import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { trackHandles } from '../../support/leaks';
import { openRawControl, type RawControl } from '../../helpers/rawControl';
import { parsePasvReply } from '../../../core/protocol/hostPort';

let server: FtpServer;
let ctl: RawControl;

async function loggedIn(): Promise<RawControl> {
  const c = await openRawControl(server.address.port);
  expect((await c.reply()).code).toBe(220);
  expect((await c.command('USER alice')).code).toBe(331);
  expect((await c.command('PASS secret')).code).toBe(230);
  return c;
}

let leaks: ReturnType<typeof trackHandles>;

beforeEach(async () => {
  leaks = trackHandles();
  server = await startFtpServer({ store: createMemoryStore(), accounts: [{ user: 'alice', password: 'secret' }], loginDelayMs: 30, dataTimeoutMs: 2000 });
});

afterEach(async () => {
  await ctl?.close();
  await server.close();
  await leaks.assertNoLeaks();
});

describe('replies to bad input, and the session goes on (NOOP -> 200 afterwards)', () => {
  const rows: { title: string; line: string; code: number; before?: 'login' }[] = [
    { title: 'an unknown command gets 500', line: 'FROB x', code: 500 },
    { title: 'a known but unimplemented command gets 502', line: 'SITE CHMOD 777 x', code: 502 },
    { title: 'LIST before login gets 530', line: 'LIST', code: 530, before: 'login' },
    { title: 'RETR before login gets 530', line: 'RETR notes.txt', code: 530, before: 'login' },
    { title: 'PASS without USER gets 503', line: 'PASS x', code: 503, before: 'login' },
    { title: 'TYPE X gets 501', line: 'TYPE X', code: 501 },
    { title: 'TYPE E gets 504', line: 'TYPE E', code: 504 },
    { title: 'MODE Z gets 501', line: 'MODE Z', code: 501 },
    { title: 'STRU P gets 504', line: 'STRU P', code: 504 },
    { title: 'CWD without a path gets 501', line: 'CWD', code: 501 },
    { title: 'NOOP with an argument gets 501', line: 'NOOP now', code: 501 },
    { title: 'PORT with five numbers gets 501', line: 'PORT 127,0,0,1,4', code: 501 },
    { title: 'PORT with a byte over 255 gets 501', line: 'PORT 127,0,0,1,300,1', code: 501 },
    { title: 'PORT to another host gets 501 (no FTP bounce, RFC 2577 §3)', line: 'PORT 127,0,0,2,39,16', code: 501 },
    { title: 'PORT to a privileged port gets 504 (RFC 2577 §3)', line: 'PORT 127,0,0,1,0,25', code: 504 },
    { title: 'EPRT to another host gets 501', line: 'EPRT |1|127.0.0.2|40000|', code: 501 },
    { title: 'EPRT with IPv6 gets 522', line: 'EPRT |2|::1|40000|', code: 522 },
    { title: 'EPRT with garbage gets 501', line: 'EPRT nonsense', code: 501 },
    { title: 'REST with letters gets 501', line: 'REST abc', code: 501 },
    { title: 'RNTO without RNFR gets 503', line: 'RNTO x', code: 503 },
    { title: 'CWD above the root gets 550', line: 'CWD ../..', code: 550 },
    { title: 'RETR above the root gets 550', line: 'RETR ../../etc/passwd', code: 550 },
    { title: 'RETR of a missing file gets 550', line: 'RETR nope.txt', code: 550 },
    { title: 'RETR without PORT/PASV gets 425', line: 'RETR notes.txt', code: 425 },
    { title: 'DELE of a directory gets 550', line: 'DELE pub', code: 550 },
    { title: 'RMD of a non-empty directory gets 550', line: 'RMD pub', code: 550 },
    { title: 'MKD of an existing directory gets 550', line: 'MKD pub', code: 550 },
    { title: 'a name with a backslash gets 553', line: 'MKD a\\b', code: 553 },
  ];
  for (const row of rows) {
    it(row.title, async () => {
      if (row.before === 'login') {
        ctl = await openRawControl(server.address.port);
        expect((await ctl.reply()).code).toBe(220);
      } else {
        ctl = await loggedIn();
      }
      expect((await ctl.command(row.line)).code).toBe(row.code);
      expect((await ctl.command('NOOP')).code).toBe(200);
    });
  }
});

describe('limits', () => {
  it('a line over 4096 bytes gets one 500 and the session continues', async () => {
    ctl = await loggedIn();
    ctl.send('NOOP ' + 'x'.repeat(5000));
    const r = await ctl.reply();
    expect(r.code).toBe(500);
    expect((await ctl.command('NOOP')).code).toBe(200);
  });

  it('megabytes without a line end get 500 and a disconnect; the server keeps serving others', async () => {
    ctl = await loggedIn();
    const chunk = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 40; i++) ctl.sendBytes(chunk);
    expect((await ctl.reply()).code).toBe(500);
    await ctl.closed();
    const other = await loggedIn();
    expect((await other.command('NOOP')).code).toBe(200);
    await other.close();
  });

  it('repeated bad passwords: 530 twice, then 421 and the connection closes (RFC 2577 §5)', async () => {
    ctl = await openRawControl(server.address.port);
    expect((await ctl.reply()).code).toBe(220);
    for (let i = 0; i < 2; i++) {
      expect((await ctl.command('USER alice')).code).toBe(331);
      expect((await ctl.command('PASS wrong')).code).toBe(530);
    }
    expect((await ctl.command('USER alice')).code).toBe(331);
    expect((await ctl.command('PASS wrong')).code).toBe(421);
    await ctl.closed();
  });

  it('USER always gets 331, even for a user that does not exist (RFC 2577 §7)', async () => {
    ctl = await openRawControl(server.address.port);
    await ctl.reply();
    expect((await ctl.command('USER nobody-here')).code).toBe(331);
    expect((await ctl.command('PASS x')).code).toBe(530);
    expect((await ctl.command('NOOP')).code).toBe(200);
  });

  it('a passive data connection from a foreign address is refused; the real client still gets its file', async () => {
    ctl = await loggedIn();
    const pasv = await ctl.command('PASV');
    expect(pasv.code).toBe(227);
    const port = parsePasvReply(pasv.text)!.port;
    // 127.0.0.2 stands for another host: the server must drop it at once (design.md, RFC 2577 §4).
    const intruder = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    const intruderOutcome = await new Promise<string>((resolve) => {
      let got = '';
      intruder.on('data', (d) => (got += d.toString()));
      intruder.on('error', () => resolve('reset' + got));
      intruder.on('close', () => resolve('closed' + got));
    });
    expect(intruderOutcome).toMatch(/^(reset|closed)$/);
    const data = net.connect({ host: '127.0.0.1', port });
    const bytes: Buffer[] = [];
    data.on('data', (b) => bytes.push(b));
    const ended = new Promise((resolve) => data.on('end', resolve));
    await new Promise((resolve) => data.once('connect', resolve));
    expect((await ctl.command('RETR notes.txt')).code).toBe(150);
    await ended;
    data.end();
    expect((await ctl.reply()).code).toBe(226);
    expect(Buffer.concat(bytes).length).toBeGreaterThan(0);
    const refused = server.recorder.events.filter((e) => e.type === 'tcp.refused');
    expect(refused.length).toBe(1);
    expect((await ctl.command('NOOP')).code).toBe(200);
  });

  it("the session keeps its passive listener, but admits one connection per PASV: a second one, even from the client's own address, is refused", async () => {
    ctl = await loggedIn();
    const port = parsePasvReply((await ctl.command('PASV')).text)!.port;
    const data = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    data.on('data', () => undefined);
    const ended = new Promise((resolve) => data.once('end', resolve));
    await new Promise((resolve) => data.once('connect', resolve));
    expect((await ctl.command('RETR notes.txt')).code).toBe(150);
    await ended;
    expect((await ctl.reply()).code).toBe(226);
    data.end();
    // The listener is still there (the next PASV will name it again), but nobody asked for this connection.
    const stray = net.connect({ host: '127.0.0.1', port });
    const outcome = await new Promise<string>((resolve) => {
      stray.on('data', () => resolve('data'));
      stray.on('error', () => resolve('refused'));
      stray.on('close', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
    expect(server.recorder.events.find((e) => e.type === 'tcp.refused')).toMatchObject({ reason: expect.stringMatching(/no PASV or EPSV asked for/) });
    // The next PASV arms it again, on the same port.
    expect(parsePasvReply((await ctl.command('PASV')).text)!.port).toBe(port);
  });
});
