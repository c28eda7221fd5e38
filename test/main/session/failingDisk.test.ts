// A disk that fails during STOR (issue 13): the kernel answers the server's writes with EIO, and the server says 451
// (RFC 959 §4.2.1, local error in processing) with how many bytes the file keeps, closes the data connection, and
// answers on (a RETR from the failed disk gets 451 as well); on the disk, after it is mounted again, exactly the
// start of what was sent.
//
// The fault is real: an ext4 filesystem in a file, mounted through a loop device, shut down mid-upload with
// EXT4_IOC_SHUTDOWN (the ioctl xfstests and `xfs_io -c shutdown` use to stand for a dying disk). Flag 0 (DEFAULT)
// first freezes the filesystem, which writes out everything written so far, then shuts it down: from then on every
// write(2) to it fails with EIO, while fstat still answers (so the server can still say what the file keeps).
// Tried first and not available in this container's kernel: device-mapper's `error` and `flakey` targets (no
// device-mapper driver: /dev/mapper/control is missing, dmsetup cannot reach the kernel).
// Needs root, mkfs.ext4 (Debian's e2fsprogs), mount with loop devices, and python3 for the ioctl; where any of them
// is missing, the test says which and is skipped.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEpsvReply } from '../../../core/protocol/hostPort';
import { TraceRecorder } from '../../../core/trace/traceRecorder';
import { startFtpServer } from '../../../main/session/ftpServer';
import { createDirectoryStore } from '../../../main/store/directoryStore';
import { openPassiveUpload } from '../../helpers/rawControl';
import { openFilesUnder } from '../../support/leaks';

const scratch = mkdtempSync(join(tmpdir(), 'ftp-lab-failing-disk-'));
const image = join(scratch, 'disk.img');
const mountPoint = join(scratch, 'mnt');

/** EXT4_IOC_SHUTDOWN, _IOR('X', 125, __u32), with EXT4_GOING_FLAGS_DEFAULT (0): freeze (write everything out), then shut down. */
const SHUT_DOWN = String.raw`
import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.ioctl(fd, 0x8004587D, struct.pack('I', 0))
`;

const run = (command: string, args: readonly string[]) => execFileSync(command, args, { stdio: 'pipe' });
const mount = () => run('mount', ['-t', 'ext4', '-o', 'loop', image, mountPoint]);
const unmount = () => run('umount', [mountPoint]);
const shutDown = () => run('python3', ['-c', SHUT_DOWN, mountPoint]);
const isMounted = () => readFileSync('/proc/self/mounts', 'utf8').includes(` ${mountPoint} `);

/** The file's size, 0 while the server has not created it yet. */
const sizeOf = (file: string) =>
  stat(file).then(
    (s) => s.size,
    () => 0,
  );

/** Why the fault cannot be made here, or undefined: a 64 MiB ext4 image is made, mounted, shut down and mounted again once. */
const missing = (() => {
  try {
    run('mkdir', [mountPoint]);
    run('truncate', ['-s', '64M', image]);
    run('mkfs.ext4', ['-q', '-F', image]);
    mount();
    try {
      shutDown();
    } finally {
      unmount();
    }
    return undefined;
  } catch (error) {
    // Skipped tests run no hooks: the scratch folder goes now.
    rmSync(scratch, { recursive: true, force: true });
    const { path, stderr } = error as { path?: string; stderr?: Buffer };
    return path ? `${path} is not installed` : String(stderr ?? (error as Error).message).trim() || 'it failed';
  }
})();

afterAll(() => {
  // A test that failed half-way may have left the disk mounted: detached lazily, so nothing is left behind.
  if (isMounted()) run('umount', ['-l', mountPoint]);
  rmSync(scratch, { recursive: true, force: true });
});

describe.runIf(!missing)('a disk that fails during STOR (ext4 on a loop device, shut down after the first MiB)', () => {
  it('451 with the bytes the file keeps, the data connection closed by the server, the file the exact start of what was sent; RETR from it 451 too', async () => {
    mount();
    const recorder = new TraceRecorder(() => performance.now());
    const server = await startFtpServer({ store: await createDirectoryStore(mountPoint), anonymous: true, loginDelayMs: 0, recorder });
    const sent = randomBytes(2 * 1024 * 1024);
    const first = 1024 * 1024;
    const sockets: net.Socket[] = [];
    try {
      const { ctl, data, dataClosed: closed } = await openPassiveUpload(server.address.port);
      sockets.push(ctl.socket, data);
      expect((await ctl.command('STOR up.bin')).code).toBe(150);
      data.write(sent.subarray(0, first));
      // The first MiB is in the file before the disk fails (stat answers from the kernel's own view of the file).
      for (let waited = 0; (await sizeOf(join(mountPoint, 'up.bin'))) < first; waited += 10) {
        expect(waited, 'the server did not write the first MiB within 10 s').toBeLessThan(10_000);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      shutDown();
      data.end(sent.subarray(first));
      const final = await ctl.reply(10_000);
      expect(final.code, final.text).toBe(451);
      expect(final.text).toBe(`Local error: /up.bin: input/output error; the file keeps its first ${first} bytes`);
      await closed;
      expect((await ctl.command('NOOP')).code).toBe(200);
      // Reading from the failed disk is refused in the same words: 451, after 150 (959 §4.1.1's RETR replies).
      const retrPort = parseEpsvReply((await ctl.command('EPSV')).text)!;
      const retrData = net.connect({ host: '127.0.0.1', port: retrPort });
      sockets.push(retrData);
      retrData.on('error', () => undefined);
      await new Promise((resolve) => retrData.once('connect', resolve));
      const retrClosed = new Promise((resolve) => retrData.once('close', resolve));
      expect((await ctl.command('RETR up.bin')).code).toBe(150);
      expect(await ctl.reply(10_000)).toMatchObject({ code: 451, text: 'Local error: /up.bin: input/output error' });
      await retrClosed;
      await ctl.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.close();
      // The server lets go of the file (its write stream closes just after the reply); only then can the disk be unmounted.
      const open = await openFilesUnder(mountPoint);
      unmount();
      expect(open).toEqual([]);
    }
    // The trace has the server's side of it: the replies (STOR's with the count kept), and the server cutting both data connections.
    expect(recorder.events.filter((e) => e.type === 'ftp.reply' && e.code === 451)).toHaveLength(2);
    const closedForError = recorder.events.flatMap((e) =>
      (e.type === 'tcp.rst' || e.type === 'tcp.fin') && e.channel === 'data' && e.side === 'server' && e.reason === 'error' ? [e] : [],
    );
    expect(closedForError.map((e) => e.conn)).toEqual(['D1', 'D2']);
    // The upload's connection is reset, as for a full disk: what the client still sends is refused, not read.
    expect(closedForError[0]!.type).toBe('tcp.rst');
    // Mounted again, the disk holds what the reply said: the first MiB of what was sent, byte for byte.
    mount();
    try {
      const onDisk = await readFile(join(mountPoint, 'up.bin'));
      expect(onDisk.length).toBe(first);
      expect(onDisk.equals(sent.subarray(0, first))).toBe(true);
    } finally {
      unmount();
    }
  }, 60_000);
});

if (missing) {
  describe('a disk that fails during STOR', () => {
    it.skip(`is not tested here: no ext4 filesystem could be mounted on a loop device and shut down (${missing}); it needs root, mkfs.ext4 and python3`, () =>
      undefined);
  });
}
