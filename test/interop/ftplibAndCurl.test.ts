// Python's ftplib and curl, two real third-party FTP clients, against `ftp-lab serve` run as a user
// runs it (the CLI in its own process, a temporary --root). Each test asserts what a user of those
// clients would notice: the bytes that arrive, the files on disk, the replies and errors the client
// reports, and, at the end, the trace file the server wrote.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../../core/trace/traceFile';
import type { TraceEvent } from '../../core/trace/traceEvent';
import { startFtpLabServe, type FtpLabServe } from '../support/ftpLabProcess';
import { runPython } from '../support/python';
import { runCurl } from '../support/curl';
import { trackHandles } from '../support/leaks';
import { pasvRange } from '../support/freePort';

const USER = 'teacher';
const PASSWORD = 's3cret';
/** Every server here has an account, and a short login delay so a wrong password costs 50 ms, not 2 s. */
const ACCOUNT_ARGS = ['--user', USER, '--password', PASSWORD, '--login-delay', '50'];

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ftp-lab-interop-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/**
 * Runs `body` against a fresh `ftp-lab serve` and always stops it; the server must exit with 0 on
 * SIGTERM, and nothing the test started (processes, sockets) may be left behind.
 */
async function withServer(extraArgs: readonly string[], body: (server: FtpLabServe) => Promise<void>): Promise<FtpLabServe> {
  const leaks = trackHandles();
  const server = await startFtpLabServe([...ACCOUNT_ARGS, ...extraArgs]);
  try {
    await body(server);
  } finally {
    // Stopped whatever happened; if the body failed, that failure is the one reported.
    await server.stop();
  }
  expect(await server.stop(), `ftp-lab serve's exit code after SIGTERM\nstderr:\n${server.stderr()}`).toBe(0);
  expect(existsSync(server.root), 'the temporary --root is removed').toBe(false);
  await leaks.assertNoLeaks();
  return server;
}

// ---------------------------------------------------------------------------------------------
// Python ftplib

/** Shared by every ftplib script: argv is PORT USER PASSWORD [ARGS...]; the result is one JSON line. */
const PRELUDE = String.raw`
import ftplib, hashlib, io, json, socket, sys
HOST = '127.0.0.1'
PORT = int(sys.argv[1])
USER, PASSWORD = sys.argv[2], sys.argv[3]
ARGS = sys.argv[4:]

class ExtendedFTP(ftplib.FTP):
    """ftplib over IPv4 with RFC 2428's commands: EPSV when passive, EPRT |1| when active.
    (Stock ftplib sends them only on an IPv6 control connection.)"""
    def makepasv(self):
        return ftplib.parse229(self.sendcmd('EPSV'), self.sock.getpeername())
    def makeport(self):
        sock = socket.create_server((HOST, 0), backlog=1)
        self.voidcmd('EPRT |1|%s|%d|' % (HOST, sock.getsockname()[1]))
        sock.settimeout(self.timeout)
        return sock

def login(cls=ftplib.FTP, password=None):
    ftp = cls()
    ftp.connect(HOST, PORT, timeout=10)
    ftp.login(USER, PASSWORD if password is None else password)
    return ftp

def sha256(b):
    return hashlib.sha256(b).hexdigest()

def perm_error(call):
    """The reply of an ftplib.error_perm the call raised, or None if it raised nothing."""
    try:
        call()
    except ftplib.error_perm as e:
        return str(e)
    return None

def done(**result):
    print(json.dumps(result))
`;

async function ftplib<T>(server: FtpLabServe, body: string, args: string[] = [], opts: { timeoutMs?: number } = {}): Promise<T> {
  const result = await runPython(PRELUDE + body, [String(server.port), USER, PASSWORD, ...args], { timeoutMs: opts.timeoutMs ?? 15_000 });
  const context = `python3 exited ${result.code}\nstderr:\n${result.stderr}\nstdout:\n${result.stdout}\nserver transcript:\n${server.stdout()}`;
  expect(result.code, context).toBe(0);
  const last = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`ftplib script printed no JSON result.\n${context}`);
  }
}

/** The server's live transcript lines as `C→S  VERB ...` (session number prefix removed). */
async function commandsSeen(server: FtpLabServe): Promise<string[]> {
  return [...(await server.transcript()).matchAll(/^\[\d+\] C→S {2}(.*)$/gm)].map((m) => m[1]!);
}

/** Replies of the form `226 Transfer complete (N bytes)`: N, if the text states a count. */
function statedBytes(reply: string): number | undefined {
  const m = /\((\d+) bytes\)/.exec(reply);
  return m ? Number(m[1]) : undefined;
}

describe('Python ftplib as a client of ftp-lab serve', () => {
  // How ftplib sets up each data connection, and the command the server must see for it.
  const modes = [
    { title: 'passive mode (PASV)', cls: 'ftplib.FTP', pasv: true, command: /^PASV$/ },
    { title: 'active mode (PORT)', cls: 'ftplib.FTP', pasv: false, command: /^PORT 127,0,0,1,\d+,\d+$/ },
    { title: 'extended passive mode (EPSV, RFC 2428)', cls: 'ExtendedFTP', pasv: true, command: /^EPSV$/ },
    { title: 'extended active mode (EPRT, RFC 2428)', cls: 'ExtendedFTP', pasv: false, command: /^EPRT \|1\|127\.0\.0\.1\|\d+\|$/ },
  ];

  for (const mode of modes) {
    it(`logs in, uploads 300 KB of random bytes with storbinary and gets the same bytes back with retrbinary, in ${mode.title}`, async () => {
      const bytes = randomBytes(300_000);
      const local = join(scratch, `upload-${mode.cls}-${mode.pasv}.bin`);
      await writeFile(local, bytes);
      await withServer([], async (server) => {
        const r = await ftplib<{ welcome: string; login: string; stor: string; retr: string; size: string; sha: string; length: number }>(
          server,
          String.raw`
ftp = ${mode.cls}()
welcome = ftp.connect(HOST, PORT, timeout=10)
login = ftp.login(USER, PASSWORD)
ftp.set_pasv(${mode.pasv ? 'True' : 'False'})
with open(ARGS[0], 'rb') as f:
    stor = ftp.storbinary('STOR random.bin', f)
size = ftp.sendcmd('SIZE random.bin')
got = []
retr = ftp.retrbinary('RETR random.bin', got.append)
ftp.quit()
data = b''.join(got)
done(welcome=welcome, login=login, stor=stor, retr=retr, size=size, sha=sha256(data), length=len(data))
`,
          [local],
        );
        expect(r.welcome).toMatch(/^220 /);
        expect(r.login).toMatch(/^230 /);
        expect(r.stor).toMatch(/^226 /);
        expect(r.retr).toMatch(/^226 /);
        expect(r.size).toBe('213 300000');
        expect(r.length).toBe(bytes.length);
        expect(r.sha).toBe(sha256(bytes));
        // The file really is in --root, byte for byte.
        expect(sha256(await readFile(join(server.root, 'random.bin')))).toBe(sha256(bytes));
        // The 226 texts state the byte counts; a user reads them, so they must be right.
        expect(statedBytes(r.stor) ?? bytes.length, `STOR's reply: ${r.stor}`).toBe(bytes.length);
        expect(statedBytes(r.retr) ?? bytes.length, `RETR's reply: ${r.retr}`).toBe(bytes.length);
        // Both data connections were set up the way this test meant (not silently another way).
        const setups = (await commandsSeen(server)).filter((c) => /^(PASV|EPSV|PORT|EPRT)\b/.test(c));
        expect(setups).toHaveLength(2);
        for (const setup of setups) expect(setup).toMatch(mode.command);
      });
    });
  }

  it('TYPE A: storlines stores a text file with LF line ends on disk, the wire carries CRLF, and SIZE counts each under its TYPE (RFC 3659 §4)', async () => {
    const text = 'first line\nsecond line\n\nlast line, after an empty one\n';
    const lines = text.split('\n').length - 1;
    const crlf = text.replace(/\n/g, '\r\n');
    const local = join(scratch, 'notes-lf.txt');
    await writeFile(local, text);
    await withServer([], async (server) => {
      const r = await ftplib<{ stor: string; sizeI: string; sizeA: string; wire: string; wireReply: string; lines: string[] }>(
        server,
        String.raw`
ftp = login()
with open(ARGS[0], 'rb') as f:
    stor = ftp.storlines('STOR notes.txt', f)
ftp.voidcmd('TYPE I')
sizeI = ftp.sendcmd('SIZE notes.txt')
ftp.voidcmd('TYPE A')
sizeA = ftp.sendcmd('SIZE notes.txt')
# The raw bytes of a TYPE A download, as they crossed the data connection.
conn = ftp.transfercmd('RETR notes.txt')
raw = b''
while True:
    chunk = conn.recv(8192)
    if not chunk:
        break
    raw += chunk
conn.close()
wireReply = ftp.voidresp()
got = []
ftp.retrlines('RETR notes.txt', got.append)
ftp.quit()
done(stor=stor, sizeI=sizeI, sizeA=sizeA, wire=raw.decode('latin-1'), wireReply=wireReply, lines=got)
`,
        [local],
      );
      expect(r.stor).toMatch(/^226 /);
      // On disk: the server's own line ends (LF), exactly the local file.
      expect(await readFile(join(server.root, 'notes.txt'), 'utf8')).toBe(text);
      // SIZE is the size as it would be transferred under the current TYPE.
      expect(r.sizeI).toBe(`213 ${Buffer.byteLength(text)}`);
      expect(r.sizeA).toBe(`213 ${Buffer.byteLength(text) + lines}`);
      // On the wire: NVT-ASCII, every line ending in CRLF (959 §3.1.1.1).
      expect(r.wireReply).toMatch(/^226 /);
      expect(r.wire).toBe(crlf);
      expect(r.lines).toEqual(text.split('\n').slice(0, -1));
    });
  });

  it('listing: nlst() and retrlines("LIST") show the files and folder in --root; MLSD gets 502 and the session goes on', async () => {
    await withServer([], async (server) => {
      await writeFile(join(server.root, 'alpha.txt'), 'alpha\n');
      await writeFile(join(server.root, 'beta.bin'), randomBytes(1234));
      await mkdir(join(server.root, 'gamma'));
      const r = await ftplib<{ names: string[]; list: string[]; mlsd: string | null; noop: string; again: string[] }>(
        server,
        String.raw`
ftp = login()
names = ftp.nlst()
listing = []
ftp.retrlines('LIST', listing.append)
mlsd = perm_error(lambda: list(ftp.mlsd()))
noop = ftp.voidcmd('NOOP')
again = ftp.nlst()
ftp.quit()
done(names=names, list=listing, mlsd=mlsd, noop=noop, again=again)
`,
      );
      expect([...r.names].sort()).toEqual(['alpha.txt', 'beta.bin', 'gamma']);
      expect(r.list).toHaveLength(3);
      const line = (name: string) => r.list.find((l) => l.endsWith(` ${name}`));
      expect(line('alpha.txt')).toMatch(/^-.*\b6 .*alpha\.txt$/);
      expect(line('beta.bin')).toMatch(/^-.*\b1234 .*beta\.bin$/);
      expect(line('gamma')).toMatch(/^d/);
      expect(r.mlsd).toMatch(/^502 /);
      expect(r.noop).toMatch(/^200 /);
      expect([...r.again].sort()).toEqual(['alpha.txt', 'beta.bin', 'gamma']);
    });
  });

  it('mkd, cwd, pwd, rename, delete and rmd change --root as ftplib says they did', async () => {
    await withServer([], async (server) => {
      const r = await ftplib<Record<string, string | string[]>>(
        server,
        String.raw`
ftp = login()
r = {}
r['mkd'] = ftp.mkd('reports')
r['mkd2'] = ftp.mkd('scratch')
r['cwd'] = ftp.cwd('reports')
r['pwd'] = ftp.pwd()
r['stor'] = ftp.storbinary('STOR draft.txt', io.BytesIO(b'draft\n'))
r['stor2'] = ftp.storbinary('STOR tmp.txt', io.BytesIO(b'tmp\n'))
r['rename'] = ftp.rename('draft.txt', 'final.txt')
r['delete'] = ftp.delete('tmp.txt')
r['inside'] = sorted(ftp.nlst())
r['cdup'] = ftp.cwd('..')
r['pwd2'] = ftp.pwd()
r['rmd'] = ftp.rmd('scratch')
r['top'] = sorted(ftp.nlst())
ftp.quit()
done(**r)
`,
      );
      expect(r.mkd).toBe('/reports');
      expect(r.mkd2).toBe('/scratch');
      expect(r.cwd).toMatch(/^250 /);
      expect(r.pwd).toBe('/reports');
      expect(r.rename).toMatch(/^250 /);
      expect(r.delete).toMatch(/^250 /);
      expect(r.inside).toEqual(['final.txt']);
      expect(r.cdup).toMatch(/^2\d\d /);
      expect(r.pwd2).toBe('/');
      expect(r.rmd).toMatch(/^250 /);
      expect(r.top).toEqual(['reports']);
      // What is on disk afterwards.
      expect(await readdir(server.root)).toEqual(['reports']);
      expect(await readdir(join(server.root, 'reports'))).toEqual(['final.txt']);
      expect(await readFile(join(server.root, 'reports', 'final.txt'), 'utf8')).toBe('draft\n');
    });
  });

  it('errors: ftplib raises error_perm 550 for a missing file or folder, and the session goes on', async () => {
    await withServer([], async (server) => {
      const r = await ftplib<Record<string, string | null>>(
        server,
        String.raw`
ftp = login()
r = {}
r['retr'] = perm_error(lambda: ftp.retrbinary('RETR missing.bin', lambda b: None))
r['size'] = perm_error(lambda: ftp.size('missing.bin'))
r['delete'] = perm_error(lambda: ftp.delete('missing.bin'))
r['rename'] = perm_error(lambda: ftp.rename('missing.bin', 'other.bin'))
r['cwd'] = perm_error(lambda: ftp.cwd('no-such-dir'))
r['rmd'] = perm_error(lambda: ftp.rmd('no-such-dir'))
r['noop'] = ftp.voidcmd('NOOP')
r['pwd'] = ftp.pwd()
ftp.quit()
done(**r)
`,
      );
      for (const key of ['retr', 'size', 'delete', 'rename', 'cwd', 'rmd']) {
        expect(r[key], `${key} of something that does not exist`).toMatch(/^550 /);
      }
      expect(r.noop).toMatch(/^200 /);
      expect(r.pwd).toBe('/');
    });
  });

  it('errors: a wrong password makes ftplib raise error_perm 530, and the right one still logs in afterwards', async () => {
    await withServer([], async (server) => {
      const r = await ftplib<{ wrong: string | null; right: string; pwd: string }>(
        server,
        String.raw`
ftp = ftplib.FTP()
ftp.connect(HOST, PORT, timeout=10)
wrong = perm_error(lambda: ftp.login(USER, 'not-' + PASSWORD))
ftp.close()
ftp = ftplib.FTP()
ftp.connect(HOST, PORT, timeout=10)
right = ftp.login(USER, PASSWORD)
pwd = ftp.pwd()
ftp.quit()
done(wrong=wrong, right=right, pwd=pwd)
`,
      );
      expect(r.wrong).toMatch(/^530 /);
      expect(r.right).toMatch(/^230 /);
      expect(r.pwd).toBe('/');
      // The password is not printed in the live transcript.
      expect(await server.transcript()).not.toContain(PASSWORD);
    });
  });

  it('REST: retrbinary(..., rest=N) gets exactly the bytes from offset N to the end', async () => {
    const bytes = randomBytes(200_000);
    const offset = 123_457;
    await withServer([], async (server) => {
      await writeFile(join(server.root, 'resume.bin'), bytes);
      const r = await ftplib<{ retr: string; sha: string; length: number }>(
        server,
        String.raw`
ftp = login()
got = []
retr = ftp.retrbinary('RETR resume.bin', got.append, rest=int(ARGS[0]))
ftp.quit()
data = b''.join(got)
done(retr=retr, sha=sha256(data), length=len(data))
`,
        [String(offset)],
      );
      expect(r.retr).toMatch(/^226 /);
      expect(r.length).toBe(bytes.length - offset);
      expect(r.sha).toBe(sha256(bytes.subarray(offset)));
      expect(await commandsSeen(server)).toContain(`REST ${offset}`);
      expect(await server.transcript()).toMatch(/S→C {2}350 /);
    });
  });

  for (const pasv of [true, false]) {
    it(`ABOR: ftp.abort() during retrbinary of a 50 MB file in ${pasv ? 'passive' : 'active'} mode gets 426/225/226, the download stops short, and NOOP works afterwards`, async () => {
      const size = 50 * 1024 * 1024;
      await withServer([], async (server) => {
        await writeFile(join(server.root, 'big.bin'), randomBytes(size));
        const r = await ftplib<{ abort: string | null; retr: string; received: number; noop: string; pwd: string }>(
          server,
          String.raw`
ftp = login()
ftp.set_pasv(ARGS[0] == 'passive')
state = {'received': 0, 'abort': None}
def block(data):
    state['received'] += len(data)
    if state['abort'] is None:
        # ftplib sends ABOR as urgent (out-of-band) data and accepts 426, 225 or 226 (else error_proto).
        state['abort'] = ftp.abort()
retr = ftp.retrbinary('RETR big.bin', block)
noop = ftp.voidcmd('NOOP')
pwd = ftp.pwd()
ftp.quit()
done(abort=state['abort'], retr=retr, received=state['received'], noop=noop, pwd=pwd)
`,
          [pasv ? 'passive' : 'active'],
        );
        expect(r.abort).toMatch(/^(426|225|226) /);
        // 959 §4.1.3: the interrupted RETR gets 426, then ABOR gets 226; ftplib read the 426 in abort(),
        // so the reply retrbinary returns is the ABOR's 226.
        expect(r.abort).toMatch(/^426 /);
        expect(r.retr).toMatch(/^226 /);
        expect(r.received).toBeGreaterThan(0);
        expect(r.received).toBeLessThan(size);
        expect(r.noop).toMatch(/^200 /);
        expect(r.pwd).toBe('/');
        // The server's side of it: ABOR, its FIN on the data connection, then 426 and 226, in that order.
        const text = await server.transcript();
        const order = [/C→S {2}ABOR$/m, /data connection D\d+ closed by server \(FIN\)/, /S→C {2}426 /, /S→C {2}226 /, /C→S {2}NOOP$/m];
        let from = 0;
        for (const pattern of order) {
          const at = text.slice(from).search(pattern);
          expect(at, `${pattern} after position ${from} in\n${text}`).toBeGreaterThanOrEqual(0);
          from += at + 1;
        }
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------
// curl

describe('curl as a client of ftp-lab serve', () => {
  const url = (server: FtpLabServe, path: string) => `ftp://${USER}:${PASSWORD}@127.0.0.1:${server.port}/${path}`;
  /** Quiet, but errors shown; no proxy from the environment; a hard limit so a hang fails the test. */
  const CURL = ['-sS', '--noproxy', '*', '--max-time', '15'];

  it('downloads a file (curl ftp://user:pass@host:port/file) with the right sha256, using EPSV by default', async () => {
    const bytes = randomBytes(400_000);
    await withServer([], async (server) => {
      await writeFile(join(server.root, 'download.bin'), bytes);
      const r = await runCurl([...CURL, url(server, 'download.bin')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.length).toBe(bytes.length);
      expect(sha256(r.stdout)).toBe(sha256(bytes));
      // curl's default passive mode (--ftp-pasv) tries EPSV first, and the server accepts it.
      const commands = await commandsSeen(server);
      expect(commands).toContain('EPSV');
      expect(commands).not.toContain('PASV');
      expect(commands).toContain('RETR download.bin');
    });
  });

  it('--ftp-pasv --disable-epsv falls back to PASV and still downloads the right bytes', async () => {
    const bytes = randomBytes(100_000);
    await withServer([], async (server) => {
      await writeFile(join(server.root, 'pasv.bin'), bytes);
      const r = await runCurl([...CURL, '--ftp-pasv', '--disable-epsv', url(server, 'pasv.bin')]);
      expect(r.code, r.stderr).toBe(0);
      expect(sha256(r.stdout)).toBe(sha256(bytes));
      const commands = await commandsSeen(server);
      expect(commands).toContain('PASV');
      expect(commands).not.toContain('EPSV');
    });
  });

  it('--pasv-ports: each EPSV reply names a port of the range, and both downloads arrive', async () => {
    const range = pasvRange(50);
    const one = randomBytes(10_000);
    const two = randomBytes(20_000);
    await withServer(['--pasv-ports', `${range.min}-${range.max}`], async (server) => {
      await writeFile(join(server.root, 'one.bin'), one);
      await writeFile(join(server.root, 'two.bin'), two);
      const r = await runCurl([...CURL, url(server, 'one.bin'), url(server, 'two.bin')]);
      expect(r.code, r.stderr).toBe(0);
      expect(sha256(r.stdout)).toBe(sha256(Buffer.concat([one, two])));
      const ports = [...(await server.transcript()).matchAll(/229 Entering Extended Passive Mode \(\|\|\|(\d+)\|\)/g)].map((m) => Number(m[1]));
      expect(ports).toHaveLength(2);
      for (const port of ports) expect(port >= range.min && port <= range.max, `${port} in ${range.min}-${range.max}`).toBe(true);
    });
  });

  it('uploads a file with curl -T, and the same bytes land in --root', async () => {
    const bytes = randomBytes(300_000);
    const local = join(scratch, 'curl-upload.bin');
    await writeFile(local, bytes);
    await withServer([], async (server) => {
      const r = await runCurl([...CURL, '-T', local, url(server, 'upload.bin')]);
      expect(r.code, r.stderr).toBe(0);
      expect(sha256(await readFile(join(server.root, 'upload.bin')))).toBe(sha256(bytes));
      expect(await commandsSeen(server)).toContain('STOR upload.bin');
      expect(await server.transcript()).toMatch(/S→C {2}226 /);
    });
  });

  it('active mode: --ftp-port 127.0.0.1 downloads and uploads with EPRT, and with --disable-eprt with PORT', async () => {
    const bytes = randomBytes(250_000);
    const local = join(scratch, 'curl-active.bin');
    await writeFile(local, bytes);
    await withServer([], async (server) => {
      await writeFile(join(server.root, 'active.bin'), bytes);
      const eprtGet = await runCurl([...CURL, '--ftp-port', '127.0.0.1', url(server, 'active.bin')]);
      expect(eprtGet.code, eprtGet.stderr).toBe(0);
      expect(sha256(eprtGet.stdout)).toBe(sha256(bytes));
      const eprtPut = await runCurl([...CURL, '--ftp-port', '127.0.0.1', '-T', local, url(server, 'active-up.bin')]);
      expect(eprtPut.code, eprtPut.stderr).toBe(0);
      expect(sha256(await readFile(join(server.root, 'active-up.bin')))).toBe(sha256(bytes));
      const portGet = await runCurl([...CURL, '--ftp-port', '127.0.0.1', '--disable-eprt', url(server, 'active.bin')]);
      expect(portGet.code, portGet.stderr).toBe(0);
      expect(sha256(portGet.stdout)).toBe(sha256(bytes));

      const setups = (await commandsSeen(server)).filter((c) => /^(PASV|EPSV|PORT|EPRT)\b/.test(c));
      expect(setups).toHaveLength(3);
      expect(setups[0]).toMatch(/^EPRT \|1\|127\.0\.0\.1\|\d+\|$/);
      expect(setups[1]).toMatch(/^EPRT \|1\|127\.0\.0\.1\|\d+\|$/);
      expect(setups[2]).toMatch(/^PORT 127,0,0,1,\d+,\d+$/);
      // In active mode the server opens the data connection (959 §3.2).
      expect(await server.transcript()).toMatch(/data connection D\d+ opened: server .* → client .*active/);
    });
  });

  it('curl -l lists the names in a folder (NLST)', async () => {
    await withServer([], async (server) => {
      await writeFile(join(server.root, 'one.txt'), '1\n');
      await writeFile(join(server.root, 'two.txt'), '2\n');
      await mkdir(join(server.root, 'sub'));
      await writeFile(join(server.root, 'sub', 'three.txt'), '3\n');
      const top = await runCurl([...CURL, '-l', url(server, '')]);
      expect(top.code, top.stderr).toBe(0);
      expect(top.stdout.toString('utf8').split(/\r?\n/).filter(Boolean).sort()).toEqual(['one.txt', 'sub', 'two.txt']);
      const sub = await runCurl([...CURL, '-l', url(server, 'sub/')]);
      expect(sub.code, sub.stderr).toBe(0);
      expect(sub.stdout.toString('utf8').split(/\r?\n/).filter(Boolean)).toEqual(['three.txt']);
      expect(await commandsSeen(server)).toContain('NLST');
    });
  });

  it('a missing file is curl error 78 (RETR 550), a wrong password error 67 (530)', async () => {
    await withServer([], async (server) => {
      const missing = await runCurl([...CURL, url(server, 'nothing-here.bin')]);
      expect(missing.code).toBe(78); // CURLE_REMOTE_FILE_NOT_FOUND
      const wrong = await runCurl([...CURL, `ftp://${USER}:wrong@127.0.0.1:${server.port}/`]);
      expect(wrong.code).toBe(67); // CURLE_LOGIN_DENIED
      // The server's stdout arrives through a pipe: wait for it rather than racing curl's exit.
      await expect.poll(() => server.stdout()).toMatch(/S→C {2}550 /);
      await expect.poll(() => server.stdout()).toMatch(/S→C {2}530 /);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The trace file written by `serve --trace`

describe('ftp-lab serve --trace after ftplib sessions', () => {
  it('writes a trace that parses and shows who closed each data connection: the client for an upload, the server (EOF) for a download', async () => {
    const tracePath = join(scratch, 'serve-trace.json');
    const bytes = randomBytes(300_000);
    const local = join(scratch, 'trace-upload.bin');
    await writeFile(local, bytes);
    const server = await withServer(['--trace', tracePath], async (srv) => {
      const r = await ftplib<{ stor: string; retr: string; sha: string }>(
        srv,
        String.raw`
ftp = login()
ftp.set_pasv(True)
with open(ARGS[0], 'rb') as f:
    stor = ftp.storbinary('STOR traced.bin', f)
got = []
retr = ftp.retrbinary('RETR traced.bin', got.append)
ftp.quit()
done(stor=stor, retr=retr, sha=sha256(b''.join(got)))
`,
        [local],
      );
      expect(r.stor).toMatch(/^226 /);
      expect(r.retr).toMatch(/^226 /);
      expect(r.sha).toBe(sha256(bytes));
    });
    expect(server.stdout()).toMatch(/Trace written to .*serve-trace\.json \(\d+ events\)/);

    const trace = parseTrace(await readFile(tracePath, 'utf8'));
    expect(trace.meta.passwordsMasked).toBe(true);
    expect(JSON.stringify(trace)).not.toContain(PASSWORD);
    const events = trace.events;
    // Only the server was traced.
    expect(new Set(events.filter((e) => e.type !== 'tcp.fin' && e.type !== 'tcp.rst').map((e) => e.side))).toEqual(new Set(['server']));

    const transferOf = (command: string) => {
      const t = events.find((e): e is Extract<TraceEvent, { type: 'data.transfer' }> => e.type === 'data.transfer' && e.command === command);
      expect(t, `a data.transfer for ${command}`).toBeDefined();
      return t!;
    };
    const finsOn = (conn: string) =>
      events.filter((e): e is Extract<TraceEvent, { type: 'tcp.fin' }> => e.type === 'tcp.fin' && e.channel === 'data' && e.conn === conn);
    const reply226After = (seq: number) => events.find((e) => e.type === 'ftp.reply' && e.code === 226 && e.seq > seq);

    // Upload (STOR, STREAM mode): the client's FIN is the end of file (959 §3.2, §3.4.1). The server
    // recorded receiving it, then closed its own side, then said 226.
    const up = transferOf('STOR /traced.bin');
    expect(up.dir).toBe('received');
    expect(up.complete).toBe(true);
    expect(up.bytes, 'bytes the trace says the upload carried').toBe(bytes.length);
    const upFins = finsOn(up.conn);
    expect(upFins[0]).toMatchObject({ type: 'tcp.fin', side: 'client', dir: 'received', reason: 'eof' });
    expect(upFins[1]).toMatchObject({ type: 'tcp.fin', side: 'server', dir: 'sent' });
    expect(reply226After(upFins[1]!.seq)).toBeDefined();

    // Download (RETR): the server's FIN comes first on that data connection and means end of file.
    const down = transferOf('RETR /traced.bin');
    expect(down.dir).toBe('sent');
    expect(down.complete).toBe(true);
    expect(down.bytes).toBe(bytes.length);
    const downFins = finsOn(down.conn);
    expect(downFins[0]).toMatchObject({ type: 'tcp.fin', side: 'server', dir: 'sent', reason: 'eof' });
    expect(downFins[1]).toMatchObject({ type: 'tcp.fin', side: 'client', dir: 'received' });
    // 959 §5.2: the server sends 226 after it has closed the data connection.
    const closedAt = downFins[0]!.seq;
    const retrCommand = events.find((e) => e.type === 'ftp.command' && e.verb === 'RETR')!;
    const retr226 = reply226After(retrCommand.seq)!;
    expect(retr226.seq).toBeGreaterThan(closedAt);
    expect(up.conn).not.toBe(down.conn);
  });
});
