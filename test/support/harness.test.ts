// The test harness itself: each helper does what interop tests rely on, against the real peers.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCurl } from './curl.js';
import { freePort } from './freePort.js';
import { startFtpSrv } from './ftpSrv.js';
import { trackHandles } from './leaks.js';
import { runPython } from './python.js';
import { VSFTPD_HELLO_TEXT, blobBytes, startVsftpd } from './vsftpd.js';

// Downloads argv[3] in passive binary mode and writes it to stdout; prints the server's replies to stderr.
const FTPLIB_GET = `
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect(sys.argv[1], int(sys.argv[2]), timeout=10)
ftp.login()
ftp.set_pasv(True)
chunks = []
reply = ftp.retrbinary('RETR ' + sys.argv[3], chunks.append)
sys.stderr.write(reply + '\\n')
ftp.quit()
sys.stdout.buffer.write(b''.join(chunks))
`;

// Uploads stdin (hex) to argv[3] in passive binary mode; prints the final reply.
const FTPLIB_PUT = `
import ftplib, io, sys
data = bytes.fromhex(sys.stdin.read())
ftp = ftplib.FTP()
ftp.connect(sys.argv[1], int(sys.argv[2]), timeout=10)
ftp.login()
ftp.set_pasv(True)
print(ftp.storbinary('STOR ' + sys.argv[3], io.BytesIO(data)))
ftp.quit()
`;

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe('freePort', () => {
  it('returns a port that can be listened on right away', async () => {
    const leaks = trackHandles();
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await leaks.assertNoLeaks();
  });
});

describe('trackHandles', () => {
  it('names a server that was left listening', async () => {
    const leaks = trackHandles({ graceMs: 100 });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await expect(leaks.assertNoLeaks()).rejects.toThrow(/TCPServerWrap/);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await leaks.assertNoLeaks();
  });
});

describe('vsftpd peer', () => {
  it('serves hello.txt to ftplib in passive mode', async () => {
    const leaks = trackHandles();
    const vsftpd = await startVsftpd();
    try {
      const r = await runPython(FTPLIB_GET, [vsftpd.host, String(vsftpd.port), 'hello.txt']);
      expect(r.stderr).toMatch(/^226 /m);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(VSFTPD_HELLO_TEXT);
    } finally {
      await vsftpd.stop();
    }
    await leaks.assertNoLeaks();
  });

  it('accepts an upload to upload/ from ftplib, and the bytes land on disk', async () => {
    const leaks = trackHandles();
    const vsftpd = await startVsftpd();
    try {
      const data = blobBytes(70_001).subarray(1);
      const r = await runPython(FTPLIB_PUT, [vsftpd.host, String(vsftpd.port), 'upload/from-ftplib.bin'], {
        input: data.toString('hex'),
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^226 /);
      expect(r.code).toBe(0);
      const onDisk = await readFile(join(vsftpd.uploadDir, 'from-ftplib.bin'));
      expect(onDisk.length).toBe(data.length);
      expect(sha256(onDisk)).toBe(sha256(data));
    } finally {
      await vsftpd.stop();
    }
    await leaks.assertNoLeaks();
  });

  it('does not outlive a test process killed by a signal (no exit handler runs then)', async () => {
    // A child that starts vsftpd, prints its pid and waits: SIGKILL it as a stuck test worker would be killed.
    const script = `import { startVsftpd } from ${JSON.stringify(join(import.meta.dirname, 'vsftpd.ts'))};
const v = await startVsftpd(); console.log(v.pid); setInterval(() => {}, 1000);`;
    // node itself with tsx's loader: the tsx command would be a second process between the signal and vsftpd's parent.
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (s: string) => resolve(Number(s.trim())));
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before vsftpd was up`)));
    });
    const alive = (p: number) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const survived = alive(pid);
    // Not left behind by a failure either.
    if (survived) process.kill(-pid, 'SIGKILL');
    expect(survived).toBe(false);
  });

  it('refuses an upload outside upload/ (anon_root is not writable)', async () => {
    const vsftpd = await startVsftpd();
    try {
      const r = await runPython(FTPLIB_PUT, [vsftpd.host, String(vsftpd.port), 'not-here.bin'], { input: '00' });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/553/);
    } finally {
      await vsftpd.stop();
    }
  });

  it('serves blob.bin to curl with the right sha256, and stop() removes its files', async () => {
    const leaks = trackHandles();
    const vsftpd = await startVsftpd();
    try {
      const r = await runCurl(['-s', '-S', `ftp://${vsftpd.host}:${vsftpd.port}/blob.bin`]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBe(200_000);
      expect(sha256(r.stdout)).toBe(sha256(blobBytes()));
    } finally {
      await vsftpd.stop();
    }
    await expect(readFile(join(vsftpd.anonRoot, 'hello.txt'))).rejects.toThrow(/ENOENT/);
    // Nothing listens on the port any more.
    const again = await runCurl(['-s', `ftp://${vsftpd.host}:${vsftpd.port}/hello.txt`]);
    expect(again.code).toBe(7); // curl: failed to connect
    await leaks.assertNoLeaks();
  });
});

describe('ftp-srv peer', () => {
  it('serves a file from its root to ftplib in passive mode', async () => {
    const leaks = trackHandles();
    const root = await mkdtemp(join(tmpdir(), 'ftp-lab-ftpsrv-'));
    const text = 'served by ftp-srv\n'.repeat(1000);
    await writeFile(join(root, 'notes.txt'), text);
    const srv = await startFtpSrv(root);
    try {
      const r = await runPython(FTPLIB_GET, [srv.host, String(srv.port), 'notes.txt']);
      expect(r.stderr).toMatch(/^226 /m);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(text);
    } finally {
      await srv.stop();
      await rm(root, { recursive: true, force: true });
    }
    await leaks.assertNoLeaks();
  });
});

describe('runPython', () => {
  it('kills a script that runs too long and says so', async () => {
    // 3 s: Python must start and write its line first, which on a loaded 2-core machine took over 0.5 s.
    await expect(runPython('import time, sys; sys.stderr.write("sleeping\\n"); sys.stderr.flush(); time.sleep(30)', [], { timeoutMs: 3000 })).rejects.toThrow(
      /within 3000 ms[\s\S]*sleeping/,
    );
  });
});
