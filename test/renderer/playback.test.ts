// The page's playback (renderer/playback.ts) over the app's real host (main/session's LabHost, in process):
// real sessions on loopback, the LabApi as the page sees it (requests, pushed messages), real timers. Checked
// by what the page would show: the status line, the step counter, the rows.

import { afterEach, describe, expect, it } from 'vitest';
import type { HostMessage, LabApi } from '../../core/api/labApi';
import { LabHost } from '../../main/session/labHost';
import { Playback } from '../../renderer/playback';
import type { PlaybackSnapshot } from '../../renderer/playbackView';
import { openRawControl } from '../helpers/rawControl';
import { freePort } from '../support/freePort';
import { trackHandles } from '../support/leaks';

let host: LabHost;
const leaks = trackHandles();

afterEach(async () => {
  await host.close();
  await leaks.assertNoLeaks();
});

/** A page's playback on a fresh host, and every snapshot it was shown. */
function page() {
  host = new LabHost();
  const api: LabApi = {
    request: (name, ...args) => host.request(name, args) as never,
    subscribe: (listener) => host.subscribe(listener),
  };
  const seen: PlaybackSnapshot[] = [];
  const pushed: HostMessage[] = [];
  host.subscribe((message) => pushed.push(message));
  const playback = new Playback(api, { setTimeout: (f, ms) => setTimeout(f, ms) as unknown as number, clearTimeout: (h) => clearTimeout(h) }, (s) =>
    seen.push(s),
  );
  const status = () => playback.snapshot.status.text;
  return { playback, seen, pushed, status };
}

describe('a run, step by step', () => {
  it('Step starts it held before the greeting; each step lets one action go; Stop ends it', async () => {
    const { playback, status } = page();
    playback.run({ scenario: 'textbook-upload' }, false);
    expect(status()).toBe('Starting the session…');
    await expect.poll(status).toBe('Paused at step 0 of 1 — the server waits before replying 220 FTP Lab server ready.');
    // The server's accept is recorded already: the first click shows it; the next lets the greeting go.
    playback.stepForward();
    expect(playback.snapshot.shown).toBe(1);
    playback.stepForward();
    await expect.poll(status).toMatch(/^Paused — the client waits before USER student\. Press → to let it go on\.$/);
    expect(playback.snapshot.trace!.rowEvent(1)).toMatchObject({ type: 'ftp.reply', code: 220, side: 'server' });
    expect(playback.snapshot.trace!.events.some((e) => e.type === 'ftp.command')).toBe(false);
    // One click, one row: the USER the client sends.
    playback.stepForward();
    await expect.poll(() => playback.snapshot.shown).toBe(3);
    expect(playback.snapshot.trace!.rowEvent(2)).toMatchObject({ type: 'ftp.command', line: 'USER student' });
    playback.stop();
    expect(playback.snapshot).toMatchObject({ live: false, status: { text: 'Stopping the session…' } });
    // Stopped by the user, not failed (the host calls it a failure: 'The session was stopped.').
    await expect.poll(status).toMatch(/^Session stopped( — replaying, step 3 of \d+|: \d+ trace events, 3 steps)\.$/);
  });

  it('at wire speed it runs to the end and says so', async () => {
    const { playback, status } = page();
    playback.setSpeed(0);
    playback.run({ scenario: 'download' });
    await expect.poll(status, { timeout: 10_000 }).toMatch(/^Session complete: \d+ trace events, \d+ steps\.$/);
    expect(playback.snapshot).toMatchObject({ live: false, playing: false });
    expect(playback.snapshot.shown).toBe(playback.snapshot.total);
  });
});

describe('watching the built-in server', () => {
  it('follows a client as it happens; replaying says playing; Stop closes the server and never says watching again', async () => {
    const { playback, seen, status } = page();
    playback.setSpeed(0);
    playback.watch(0);
    await expect.poll(status).toMatch(/^Watching the server on 127\.0\.0\.1:\d+ — connect an FTP client to it \(0 steps so far\)\.$/);
    const port = playback.snapshot.watching!;
    const client = await openRawControl(port);
    try {
      expect((await client.reply()).code).toBe(220);
      expect((await client.command('USER student')).code).toBe(331);
      expect((await client.command('PASS ftp-lab')).code).toBe(230);
      expect((await client.command('QUIT')).code).toBe(221);
      await client.closed();
    } finally {
      await client.close();
    }
    await expect.poll(() => playback.snapshot.trace!.events.filter((e) => e.type === 'ftp.command').length).toBe(3);
    expect(playback.snapshot.shown).toBe(playback.snapshot.total);

    playback.setSpeed(20);
    for (let i = 0; i < 3; i++) playback.stepBack();
    expect(status()).toMatch(new RegExp(`^Paused at step \\d+ of \\d+ — still watching the server on 127\\.0\\.0\\.1:${port}\\.$`));
    const fromPlay = seen.length;
    playback.play();
    // At the end it goes on at that pace with whatever the server sees next: playing all along, and saying so.
    await expect.poll(() => playback.snapshot.shown).toBe(playback.snapshot.total);
    const playing = new RegExp(`^Playing step \\d+ of \\d+ — still watching the server on 127\\.0\\.0\\.1:${port}\\.$`);
    expect(seen.slice(fromPlay).filter((s) => !playing.test(s.status.text) || !s.playing)).toEqual([]);

    const fromStop = seen.length;
    playback.stop();
    await expect.poll(status).toMatch(/^Session complete/);
    expect(
      seen
        .slice(fromStop)
        .map((s) => s.status.text)
        .filter((text) => /atching/.test(text)),
    ).toEqual([]);
    await expect(openRawControl(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('watching again on the same port: the first server is closed before the second listens', async () => {
    const { playback, status } = page();
    const port = await freePort();
    playback.watch(port);
    await expect.poll(status).toBe(`Watching the server on 127.0.0.1:${port} — connect an FTP client to it (0 steps so far).`);
    playback.watch(port);
    expect(status()).toBe(`Starting the server on 127.0.0.1:${port}…`);
    await expect.poll(status).toBe(`Watching the server on 127.0.0.1:${port} — connect an FTP client to it (0 steps so far).`);
    playback.stop();
    await expect.poll(status).toMatch(/^Session complete/);
  });

  it('Stop before the host has answered: back to Ready, and the server it was starting does not stay behind', async () => {
    const { playback, pushed, status } = page();
    const port = await freePort();
    playback.watch(port);
    playback.stop();
    expect(status()).toBe('Ready.');
    // The host answers after all; that session is nobody's, so it is stopped and its server closed.
    await expect.poll(() => pushed.filter((m) => m.type === 'session.end')).toEqual([{ type: 'session.end', sessionId: 's1', ok: true }]);
    await expect(openRawControl(port)).rejects.toThrow(/ECONNREFUSED/);
    expect(playback.snapshot).toMatchObject({ live: false, trace: undefined, status: { text: 'Ready.' } });
  });
});
