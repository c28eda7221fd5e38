// Open… in the app with a packet capture: the host imports it (the page never reads its bytes) and the
// session is drawn like a live one — commands, the transfer, the closes with their meanings — or the
// host's one sentence is shown when the file is no capture of FTP.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, useApp } from './appFixture';

const FIXTURES = fileURLToPath(new URL('../fixtures/captures/', import.meta.url));

const app = useApp();

describe('Open… with a capture', () => {
  it('draws a curl session against vsftpd from its pcapng, the server’s FIN marked as the end of file', async () => {
    const { page } = app;
    await page.locator('#trace-file').setInputFiles(join(FIXTURES, 'curl-vsftpd-epsv-download.pcapng'));
    await expect.poll(app.status).toMatch(/Trace loaded: \d+ events/);
    await page.keyboard.press('End');
    await expect.poll(() => app.markStarting('client → server: RETR').count()).toBe(1);
    await expect.poll(() => page.locator('g.mark.transfer').count()).toBe(1);
    await expect.poll(() => app.mark('data connection D1: server closed: EOF in STREAM mode').isVisible()).toBe(true);
    await app.screenshot('open-capture-curl-vsftpd');
  });

  it('a file that is no capture gets the host’s sentence', async () => {
    const { page } = app;
    const path = join(ARTIFACTS, 'not-a-capture.pcap');
    await writeFile(path, 'hello, this is text\n');
    await page.locator('#trace-file').setInputFiles(path);
    await expect.poll(app.status).toMatch(/Could not open not-a-capture\.pcap: .*Not a pcap or pcapng capture: it starts with the bytes 68 65 6c 6c/);
  });
});
