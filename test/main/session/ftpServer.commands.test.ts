// The server's commands over a raw control connection and raw data sockets: every reply code as RFC 959/3659 say.

import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { createMemoryStore } from '../../../main/store/memoryStore';
import type { FileStore } from '../../../main/store/fileStore';
import { openRawControl, type RawControl } from '../../helpers/rawControl';
import { parseEpsvReply, parsePasvReply } from '../../../core/protocol/hostPort';
import { trackHandles } from '../../support/leaks';

let server: FtpServer;
let store: FileStore;
let ctl: RawControl;
let leaks: ReturnType<typeof trackHandles>;

beforeEach(async () => {
  leaks = trackHandles();
  store = createMemoryStore();
  server = await startFtpServer({ store, anonymous: true, loginDelayMs: 10 });
  ctl = await openRawControl(server.address.port);
  expect((await ctl.reply()).code).toBe(220);
  expect((await ctl.command('USER anonymous')).code).toBe(331);
  expect((await ctl.command('PASS x')).code).toBe(230);
});

afterEach(async () => {
  await ctl.close();
  await server.close();
  await leaks.assertNoLeaks();
});

/** Opens a passive data connection (PASV or EPSV) and collects what arrives until the server's FIN. */
async function passive(verb: 'PASV' | 'EPSV' = 'PASV') {
  const r = await ctl.command(verb);
  const port = verb === 'PASV' ? parsePasvReply(r.text)!.port : parseEpsvReply(r.text)!;
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  await new Promise((resolve) => socket.once('connect', resolve));
  const chunks: Buffer[] = [];
  socket.on('data', (c) => chunks.push(c));
  const ended = new Promise<Buffer>((resolve) =>
    socket.once('end', () => {
      socket.end();
      resolve(Buffer.concat(chunks));
    }),
  );
  return { socket, ended, code: r.code };
}

async function readStored(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await store.openRead(path, 0)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function upload(command: string, bytes: Buffer): Promise<string[]> {
  const data = await passive();
  const prelim = await ctl.command(command);
  data.socket.end(bytes);
  const done = await ctl.reply();
  await data.ended;
  return [`${prelim.code} ${prelim.text}`, `${done.code}`];
}

describe('transfers', () => {
  it('RETR in the default TYPE A: 150, the bytes with CRLF line ends, the server closes, 226', async () => {
    const data = await passive();
    expect((await ctl.command('RETR /pub/hello.txt')).code).toBe(150);
    const bytes = await data.ended;
    expect((await ctl.reply()).code).toBe(226);
    expect(bytes.toString()).toBe((await readStored('/pub/hello.txt')).toString().replaceAll('\n', '\r\n'));
  });

  it('EPSV: 229 with (|||port|), and the transfer works (RFC 2428 §3)', async () => {
    const data = await passive('EPSV');
    expect(data.code).toBe(229);
    expect((await ctl.command('NLST')).code).toBe(150);
    expect((await data.ended).toString()).toContain('notes.txt\r\n');
    expect((await ctl.reply()).code).toBe(226);
  });

  it('STOR then APPE: the file holds both, in order', async () => {
    expect(await upload('STOR two.txt', Buffer.from('first\n'))).toEqual([expect.stringMatching(/^150 /), '226']);
    expect((await upload('APPE two.txt', Buffer.from('second\n')))[1]).toBe('226');
    expect((await readStored('/two.txt')).toString()).toBe('first\nsecond\n');
  });

  it('TYPE A upload: CRLF on the wire is stored as LF', async () => {
    expect((await ctl.command('TYPE A')).code).toBe(200);
    await upload('STOR lines.txt', Buffer.from('a\r\nb\r\n'));
    expect((await readStored('/lines.txt')).toString()).toBe('a\nb\n');
  });

  it('STOU: the 150 reply names the file as FILE: name (RFC 1123 §4.1.2.9)', async () => {
    const [prelim, done] = await upload('STOU', Buffer.from('unique'));
    expect(done).toBe('226');
    const name = /FILE: (\S+)/.exec(prelim!)?.[1];
    expect(name).toBeTruthy();
    expect((await readStored(`/${name}`)).toString()).toBe('unique');
  });

  it('REST + STOR resumes an upload at the offset (RFC 3659 §5)', async () => {
    await upload('STOR resume.txt', Buffer.from('0123456789'));
    expect((await ctl.command('REST 4')).code).toBe(350);
    await upload('STOR resume.txt', Buffer.from('abc'));
    expect((await readStored('/resume.txt')).toString()).toBe('0123abc');
  });

  it('REST + RETR sends only the tail', async () => {
    const whole = await readStored('/data.bin');
    expect((await ctl.command('TYPE I')).code).toBe(200);
    const data = await passive();
    expect((await ctl.command('REST 65000')).code).toBe(350);
    expect((await ctl.command('RETR data.bin')).code).toBe(150);
    expect((await data.ended).equals(whole.subarray(65000))).toBe(true);
    expect((await ctl.reply()).code).toBe(226);
  });

  it('ABOR with no transfer running gets 225', async () => {
    expect((await ctl.command('ABOR')).code).toBe(225);
  });

  it('a new PASV closes the previous passive data connection (959 §3.2, condition 3)', async () => {
    const first = await passive();
    const closed = new Promise((resolve) => first.socket.once('close', resolve));
    await passive();
    await closed;
  });
});

describe('file commands', () => {
  it('MKD, CWD, PWD, CDUP, RMD', async () => {
    expect((await ctl.command('MKD "odd" dir')).text).toBe('"/""odd"" dir" created.');
    expect((await ctl.command('CWD "odd" dir')).code).toBe(250);
    expect((await ctl.command('PWD')).text).toBe('"/""odd"" dir" is the current directory.');
    expect((await ctl.command('CDUP')).code).toBe(250);
    expect((await ctl.command('XPWD')).text).toBe('"/" is the current directory.');
    expect((await ctl.command('RMD "odd" dir')).code).toBe(250);
    expect((await ctl.command('CWD "odd" dir')).code).toBe(550);
  });

  it('RNFR then RNTO renames (350, 250); RNFR of a missing file is 550', async () => {
    expect((await ctl.command('RNFR notes.txt')).code).toBe(350);
    expect((await ctl.command('RNTO renamed.txt')).code).toBe(250);
    expect((await ctl.command('SIZE renamed.txt')).code).toBe(213);
    expect((await ctl.command('RNFR notes.txt')).code).toBe(550);
  });

  it('a command between RNFR and RNTO cancels the rename', async () => {
    expect((await ctl.command('RNFR notes.txt')).code).toBe(350);
    expect((await ctl.command('NOOP')).code).toBe(200);
    expect((await ctl.command('RNTO renamed.txt')).code).toBe(503);
  });

  it('SIZE depends on TYPE: LFs count twice under TYPE A (RFC 3659 §4)', async () => {
    const text = (await readStored('/notes.txt')).toString();
    const lfs = text.split('\n').length - 1;
    expect((await ctl.command('TYPE I')).code).toBe(200);
    expect((await ctl.command('SIZE notes.txt')).text).toBe(String(text.length));
    expect((await ctl.command('TYPE A')).code).toBe(200);
    expect((await ctl.command('SIZE notes.txt')).text).toBe(String(text.length + lfs));
  });

  it('MDTM gives YYYYMMDDHHMMSS (RFC 3659 §3)', async () => {
    expect((await ctl.command('MDTM notes.txt')).text).toMatch(/^\d{14}$/);
  });

  it('DELE removes a file; a second DELE is 550', async () => {
    expect((await ctl.command('DELE notes.txt')).code).toBe(250);
    expect((await ctl.command('DELE notes.txt')).code).toBe(550);
  });

  it('STAT <path> lists over the control connection (213), no data connection', async () => {
    const r = await ctl.command('STAT /pub');
    expect(r.code).toBe(213);
    expect(r.text).toContain('hello.txt');
  });
});

describe('session commands', () => {
  it('FEAT is a multi-line 211 listing EPSV, SIZE, REST STREAM', async () => {
    const r = await ctl.command('FEAT');
    expect(r.code).toBe(211);
    expect(r.multiline).toBe(true);
    expect(r.lines).toEqual(expect.arrayContaining([' EPSV', ' SIZE', ' REST STREAM']));
  });

  it('SYST is 215 UNIX Type: L8', async () => {
    expect((await ctl.command('SYST')).text).toBe('UNIX Type: L8');
  });

  it('EPSV ALL: afterwards PASV and PORT are refused, EPSV still works (RFC 2428 §4)', async () => {
    expect((await ctl.command('EPSV ALL')).code).toBe(200);
    expect((await ctl.command('PASV')).code).toBe(503);
    expect((await ctl.command('PORT 127,0,0,1,200,1')).code).toBe(503);
    const data = await passive('EPSV');
    expect(data.code).toBe(229);
    data.socket.destroy();
  });

  it('commands sent back-to-back in one packet are answered in order', async () => {
    ctl.sendBytes('NOOP\r\nSYST\r\nPWD\r\n');
    expect([(await ctl.reply()).code, (await ctl.reply()).code, (await ctl.reply()).code]).toEqual([200, 215, 257]);
  });

  it('commands are case-insensitive and Telnet IP/DM before ABOR are skipped', async () => {
    expect((await ctl.command('noop')).code).toBe(200);
    ctl.sendBytes(Buffer.from([0xff, 0xf4, 0xff, 0xf2]));
    expect((await ctl.command('ABOR')).code).toBe(225);
  });

  it('QUIT: 221, then the server closes the control connection', async () => {
    expect((await ctl.command('QUIT')).code).toBe(221);
    await ctl.closed();
  });
});
