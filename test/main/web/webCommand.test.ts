// `ftp-lab web`: prints the address with its token, serves the app there until stopped, and refuses a bad port.

import { request } from 'node:http';
import { expect, it } from 'vitest';
import { main } from '../../../main/cli/ftpLab';
import { runWebCommand } from '../../../main/web/webCommand';
import { trackHandles } from '../../support/leaks';

function status(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false, headers: { Connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

it('prints the URL, serves the page there (and only with the token), and stops cleanly', async () => {
  const leaks = trackHandles();
  const out: string[] = [];
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const exit = runWebCommand([], { out: (line) => out.push(line), err: (line) => out.push(line) }, stopped);
  await expect.poll(() => out.length, { timeout: 15_000 }).toBeGreaterThan(0);
  const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out[0] ?? '')?.[0];
  expect(url, out.join('\n')).toBeDefined();
  expect(await status(url!)).toBe(200);
  expect(await status(url!.replace(/\?token=.*/, ''))).toBe(403);
  stop();
  expect(await exit).toBe(0);
  await leaks.assertNoLeaks();
}, 30_000);

it('refuses a port that is not a number with exit code 2', async () => {
  const err: string[] = [];
  expect(await main(['web', '--port', 'eighty'], { out: () => undefined, err: (line) => err.push(line) })).toBe(2);
  expect(err.join('\n')).toMatch(/"eighty" is not a port number/);
  expect(await main(['web', '--bogus'], { out: () => undefined, err: () => undefined })).toBe(2);
});
