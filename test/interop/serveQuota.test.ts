// `ftp-lab serve --quota` (issue 13) with real clients: an upload that would pass the quota is stopped at it with 552
// (RFC 959 §4.2.1, exceeded storage allocation) and how many bytes the file keeps, the data connection closed by the
// server as for a full disk, the file on disk exactly the start of what was sent; an overwrite and DELE free space.
// Python's ftplib drives one session through all of it; two curl processes cross the quota at the same time.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseTrace } from '../../core/trace/traceFile';
import { runCurl } from '../support/curl';
import { startFtpLabServe, type FtpLabServe } from '../support/ftpLabProcess';
import { trackHandles } from '../support/leaks';
import { runPython } from '../support/python';

const MiB = 1024 * 1024;
const KiB = 1024;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ftp-lab-quota-interop-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs `body` against a fresh `ftp-lab serve --quota ...`, which must then exit 0 on SIGTERM and leave nothing behind. */
async function withServer(args: readonly string[], body: (server: FtpLabServe) => Promise<void>): Promise<void> {
  const leaks = trackHandles();
  const server = await startFtpLabServe(['--anonymous', '--login-delay', '0', ...args]);
  try {
    await body(server);
  } finally {
    await server.stop();
  }
  expect(await server.stop(), `exit code after SIGTERM\nstderr:\n${server.stderr()}`).toBe(0);
  expect(existsSync(server.root)).toBe(false);
  await leaks.assertNoLeaks();
}

/** Writes `length` random bytes to a local file for a client to upload; returns the path and the bytes. */
async function localFile(name: string, length: number): Promise<{ path: string; bytes: Buffer }> {
  const bytes = randomBytes(length);
  const path = join(scratch, name);
  await writeFile(path, bytes);
  return { path, bytes };
}

/**
 * One ftplib session: each argument NAME=PATH uploads PATH as NAME; DELE:NAME deletes. A STOR is sent as ftplib's
 * storbinary sends it, but a data connection the server cuts (its RST after 552) does not end the script: the reply
 * is read, as a careful client does. Prints the replies in order, then NOOP's.
 */
const SESSION = String.raw`
import ftplib, json, sys
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(sys.argv[1]), timeout=10)
ftp.login('anonymous', 'x')
ftp.voidcmd('TYPE I')

def stor(name, path):
    with open(path, 'rb') as f:
        data = f.read()
    conn = ftp.transfercmd('STOR ' + name)
    try:
        conn.sendall(data)
    except OSError:
        pass
    conn.close()
    try:
        return ftp.voidresp()
    except ftplib.all_errors as e:
        return str(e)

replies = []
for step in sys.argv[2:]:
    if step.startswith('DELE:'):
        replies.append(ftp.sendcmd('DELE ' + step[5:]))
    else:
        name, path = step.split('=', 1)
        replies.append(stor(name, path))
replies.append(ftp.sendcmd('NOOP'))
ftp.quit()
print(json.dumps(replies))
`;

it('ftplib under --quota 1M: 552 at the quota with the bytes kept; an overwrite and DELE free space; the banner and the trace say so', async () => {
  const a = await localFile('a.bin', 600 * KiB);
  const b = await localFile('b.bin', 600 * KiB);
  const smallerA = await localFile('a2.bin', 300 * KiB);
  const c = await localFile('c.bin', 2 * MiB);
  const tracePath = join(scratch, 'quota-trace.json');
  await withServer(['--quota', '1M', '--trace', tracePath], async (server) => {
    expect(server.stdout()).toContain('with a quota of 1 MiB (1048576 bytes), 0 bytes used');
    const run = await runPython(
      SESSION,
      [String(server.port), `a.bin=${a.path}`, `b.bin=${b.path}`, `a.bin=${smallerA.path}`, 'DELE:b.bin', `c.bin=${c.path}`],
      { timeoutMs: 30_000 },
    );
    expect(run.code, `${run.stderr}\n${server.stdout()}`).toBe(0);
    const replies = JSON.parse(run.stdout.trim().split('\n').pop()!) as string[];
    // a.bin fits (600 KiB of 1 MiB); b.bin only up to the quota; the smaller a.bin frees 300 KiB; DELE frees the
    // cut b.bin; c.bin then fills what is left: 1 MiB - 300 KiB.
    const keptB = MiB - 600 * KiB;
    const keptC = MiB - 300 * KiB;
    expect(replies).toEqual([
      expect.stringMatching(/^226 /),
      `552 Exceeded storage allocation: /b.bin: the server's quota of 1048576 bytes is used up; the file keeps its first ${keptB} bytes`,
      expect.stringMatching(/^226 /),
      expect.stringMatching(/^250 /),
      `552 Exceeded storage allocation: /c.bin: the server's quota of 1048576 bytes is used up; the file keeps its first ${keptC} bytes`,
      expect.stringMatching(/^200 /),
    ]);
    // On disk: exactly the start of what was sent, byte for byte.
    expect((await readFile(join(server.root, 'a.bin'))).equals(smallerA.bytes)).toBe(true);
    expect((await readFile(join(server.root, 'c.bin'))).equals(c.bytes.subarray(0, keptC))).toBe(true);
    expect((await readdir(server.root)).sort()).toEqual(['a.bin', 'c.bin']);
  });
  const trace = parseTrace(await readFile(tracePath, 'utf8'));
  expect(trace.meta.quota).toEqual({ limitBytes: MiB, usedBytesAtStart: 0 });
  const refusals = trace.events.filter((e) => e.type === 'ftp.reply' && e.code === 552);
  expect(refusals).toHaveLength(2);
  // The server cut each refused upload's data connection, as for a full disk (959 §3.2, condition 5).
  expect(trace.events.filter((e) => e.type === 'tcp.rst' && e.channel === 'data' && e.side === 'server' && e.reason === 'error')).toHaveLength(2);
}, 60_000);

it('two curl uploads crossing --quota 1M at once: together they keep exactly 1 MiB, each file the start of its own upload', async () => {
  const x = await localFile('x.bin', MiB);
  const y = await localFile('y.bin', MiB);
  await withServer(['--quota', '1M'], async (server) => {
    const upload = (local: string, name: string) =>
      runCurl(['-sS', '-v', '--ftp-pasv', '-T', local, `ftp://127.0.0.1:${server.port}/${name}`], { timeoutMs: 30_000 });
    const results = await Promise.all([upload(x.path, 'x.bin'), upload(y.path, 'y.bin')]);
    const onX = await readFile(join(server.root, 'x.bin'));
    const onY = await readFile(join(server.root, 'y.bin'));
    expect(onX.length + onY.length).toBe(MiB);
    expect(onX.equals(x.bytes.subarray(0, onX.length))).toBe(true);
    expect(onY.equals(y.bytes.subarray(0, onY.length))).toBe(true);
    for (const [result, kept] of [
      [results[0]!, onX.length],
      [results[1]!, onY.length],
    ] as const) {
      // curl's exit code 70 is its "remote disk full" for a 552; its reply names the bytes the file kept.
      if (kept === MiB) expect(result.code, result.stderr).toBe(0);
      else {
        expect(result.code, result.stderr).toBe(70);
        expect(result.stderr).toContain(`< 552 Exceeded storage allocation: `);
        expect(result.stderr).toContain(`the file keeps its first ${kept} bytes`);
      }
    }
  });
}, 60_000);
