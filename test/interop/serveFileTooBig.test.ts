// A file that grows past what the system lets the server write (EFBIG: the process's file-size limit, set here
// with `ulimit -f`) during STOR: 552 (RFC 959 §4.2.1, exceeded storage allocation) with how much the file keeps,
// the data connection closed by the server, and on disk exactly the start of what was sent.

import type net from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openPassiveUpload } from '../helpers/rawControl';
import { startFtpLabServe, type FtpLabServe } from '../support/ftpLabProcess';

let serve: FtpLabServe | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await serve?.stop();
  serve = undefined;
});

it('STOR of 3 MiB under a 1 MiB file-size limit: 552, the file the first 1 MiB of what was sent', async () => {
  serve = await startFtpLabServe(['--anonymous', '--login-delay', '0'], { fileSizeLimitKiB: 1024 });
  const { ctl, data, dataClosed: closed } = await openPassiveUpload(serve.port);
  sockets.push(ctl.socket, data);
  expect((await ctl.command('STOR big.bin')).code).toBe(150);
  const sent = randomBytes(3 * 1024 * 1024);
  data.end(sent);
  const final = await ctl.reply(10_000);
  expect(final.code, final.text).toBe(552);
  expect(final.text).toMatch(/keeps its first 1048576 bytes/);
  await closed;
  const onDisk = await readFile(join(serve.root, 'big.bin'));
  expect(onDisk.length).toBe(1024 * 1024);
  expect(onDisk.equals(sent.subarray(0, onDisk.length))).toBe(true);
  expect((await ctl.command('NOOP')).code).toBe(200);
}, 30_000);
