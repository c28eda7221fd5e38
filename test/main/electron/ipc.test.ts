// The IPC bridge's main-process end, driven as Electron would drive it but with plain objects: only
// the app page is answered, every request is checked against core/api, errors come back as sentences,
// and a real LabHost behind it runs a real session whose messages reach the page.

import { afterEach, describe, expect, it } from 'vitest';
import type { HostBatch, HostMessage } from '../../../core/api/labApi';
import { openBatch } from '../../support/hostBatches';
import { isTrustedFrame, type FrameLike } from '../../../main/electron/appPage';
import { handleRequest, registerIpc, UNTRUSTED_SENDER, type IpcMainLike, type RequestOutcome } from '../../../main/electron/ipc';
import { MESSAGE_CHANNEL, REQUEST_CHANNEL } from '../../../core/api/ipcChannels';
import { LabHost } from '../../../main/session/labHost';
import { trackHandles } from '../../support/leaks';

const PAGE_URL = 'file:///opt/ftp-lab/dist/renderer/index.html';
const trusted = (frame: FrameLike | null | undefined) => isTrustedFrame(frame, PAGE_URL);
const appFrame = { url: PAGE_URL, parent: null };

let host: LabHost;
const leaks = trackHandles();
afterEach(async () => {
  await host.close();
  await leaks.assertNoLeaks();
});

function failure(outcome: RequestOutcome): string {
  expect(outcome.ok).toBe(false);
  return (outcome as { error: string }).error;
}

describe('handleRequest', () => {
  it('answers the app page: listScenarios from a real LabHost', async () => {
    host = new LabHost();
    const outcome = await handleRequest(host, trusted, { senderFrame: appFrame }, 'listScenarios', []);
    expect(outcome.ok).toBe(true);
    const names = (outcome as { value: { name: string; title: string }[] }).value.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['textbook-upload', 'download', 'listing']));
  });

  const refused = [
    { title: 'a page the window was navigated to', frame: { url: 'https://example.com/', parent: null } },
    { title: 'an iframe inside the app page', frame: { url: PAGE_URL, parent: appFrame } },
    { title: 'another local file', frame: { url: 'file:///tmp/evil.html', parent: null } },
    { title: 'a frame that is gone (senderFrame null)', frame: null },
  ];
  for (const row of refused) {
    it(`refuses ${row.title}, without asking the host`, async () => {
      let asked = false;
      host = new LabHost();
      const spy = { request: async () => ((asked = true), []), subscribe: host.subscribe.bind(host) };
      expect(failure(await handleRequest(spy, trusted, { senderFrame: row.frame }, 'listScenarios', []))).toBe(UNTRUSTED_SENDER);
      expect(asked).toBe(false);
    });
  }

  const invalid = [
    { title: 'an unknown request name', name: 'readFile', args: ['/etc/passwd'], error: /^Unknown request "readFile"\.$/ },
    { title: 'a name that is not a string', name: 42, args: [], error: /^Unknown request 42\.$/ },
    { title: 'an inherited property name', name: 'toString', args: [], error: /^Unknown request "toString"\.$/ },
    { title: 'arguments that are not a list', name: 'listScenarios', args: 'x', error: /^Bad arguments for listScenarios/ },
    { title: 'too many arguments', name: 'listScenarios', args: [1], error: /^Bad arguments for listScenarios/ },
    {
      title: 'a scenario name with a path in it',
      name: 'startSession',
      args: [{ scenario: '../../etc/passwd' }],
      error: /^Bad arguments for startSession: 0\.scenario/,
    },
    {
      title: 'an option the contract does not know',
      name: 'startSession',
      args: [{ scenario: 'download', shell: 'rm -rf /' }],
      error: /^Bad arguments for startSession: 0/,
    },
    { title: 'a malformed session id', name: 'gate', args: ['s1; drop', 'step'], error: /^Bad arguments for gate: 0/ },
    { title: 'an unknown gate command', name: 'gate', args: ['s1', 'explode'], error: /^Bad arguments for gate: 1/ },
    {
      title: 'an export format that is not there',
      name: 'exportTrace',
      args: [{ trace: '{}', format: 'exe' }],
      error: /^Bad arguments for exportTrace: 0\.format: "exe" is not an export format: choose one of svg, png/,
    },
    {
      title: 'an export scale far too large',
      name: 'exportTrace',
      args: [{ trace: '{}', format: 'png', scale: 1e12 }],
      error: /^Bad arguments for exportTrace: 0\.scale: a scale of 1000000000000 is too large/,
    },
  ];
  for (const row of invalid) {
    it(`answers ${row.title} with a sentence, not an exception`, async () => {
      host = new LabHost();
      expect(failure(await handleRequest(host, trusted, { senderFrame: appFrame }, row.name, row.args))).toMatch(row.error);
    });
  }

  it("passes the host's own refusal back as a sentence (gate on a session that is not running)", async () => {
    host = new LabHost();
    expect(failure(await handleRequest(host, trusted, { senderFrame: appFrame }, 'gate', ['s9', 'step']))).toBe('No running session s9.');
  });
});

describe('registerIpc', () => {
  function fakeIpcMain() {
    const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
    const ipcMain: IpcMainLike = {
      handle: (channel, listener) => void handlers.set(channel, listener as (event: unknown, ...args: unknown[]) => Promise<unknown>),
      removeHandler: (channel) => void handlers.delete(channel),
    };
    return { ipcMain, handlers };
  }
  function fakePage(url = PAGE_URL) {
    const sent: { channel: string; message: HostMessage }[] = [];
    const loaded = new Set<() => void>();
    const page = {
      destroyed: false,
      isDestroyed() {
        return this.destroyed;
      },
      on: (_event: 'did-finish-load', listener: () => void) => loaded.add(listener),
      off: (_event: 'did-finish-load', listener: () => void) => loaded.delete(listener),
      mainFrame: { url, parent: null, send: (channel: string, message: unknown) => void sent.push({ channel, message: message as HostMessage }) },
    };
    /** As Electron says once the page has loaded (again). */
    const load = () => loaded.forEach((listener) => listener());
    return { page, sent, load };
  }

  it('handles exactly one channel, runs a real session for the page, and pushes its messages there', async () => {
    host = new LabHost();
    const { ipcMain, handlers } = fakeIpcMain();
    const { page, sent } = fakePage();
    const dispose = registerIpc(ipcMain, host, trusted, page);
    expect([...handlers.keys()]).toEqual([REQUEST_CHANNEL]);
    const invoke = handlers.get(REQUEST_CHANNEL)!;

    const outcome = (await invoke({ senderFrame: appFrame }, 'startSession', [{ scenario: 'download', passive: true }])) as RequestOutcome;
    expect(outcome.ok).toBe(true);
    const { sessionId } = (outcome as { value: { sessionId: string } }).value;
    // The host's messages come in numbered batches; the page acknowledges each (the ack request goes to the outbox).
    let acked = 0;
    const messages = () => {
      const batches = sent.map((s) => s.message as HostBatch);
      for (const b of batches.slice(acked)) void invoke({ senderFrame: appFrame }, 'ack', [b.batch]);
      acked = batches.length;
      return batches.flatMap(openBatch);
    };
    await expect.poll(() => messages().find((m) => m.type === 'session.end'), { timeout: 15_000 }).toBeTruthy();

    expect(new Set(sent.map((s) => s.channel))).toEqual(new Set([MESSAGE_CHANNEL]));
    expect(sent.every((s) => s.message.type === 'host.batch')).toBe(true);
    expect(messages().find((m) => m.type === 'session.end')).toEqual({ type: 'session.end', sessionId, ok: true });
    // The page sees the data connection closed by the server: the trace travels whole over the bridge.
    expect(messages().some((m) => m.type === 'trace.event' && m.event.type === 'tcp.fin' && m.event.channel === 'data' && m.event.side === 'server')).toBe(
      true,
    );

    dispose();
    expect(handlers.size).toBe(0);
  });

  it('batches dropped while the window was away from the app page are not waited for: back on it, the page gets what comes next', async () => {
    host = new LabHost();
    const { page, sent } = fakePage('https://example.com/');
    registerIpc(fakeIpcMain().ipcMain, host, trusted, page);
    const watcher: HostMessage[] = [];
    host.subscribe((m) => watcher.push(m));
    const { sessionId: first } = (await host.request('startSession', [{ scenario: 'listing', passive: true }])) as { sessionId: string };
    await expect.poll(() => watcher.some((m) => m.type === 'session.end' && m.sessionId === first), { timeout: 15_000 }).toBe(true);
    // Let the outbox try (and drop) its batches for the away page.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent).toEqual([]);
    page.mainFrame.url = PAGE_URL;
    const { sessionId: second } = (await host.request('startSession', [{ scenario: 'listing', passive: true }])) as { sessionId: string };
    // (Before, the dropped batches counted as in flight: nothing was ever sent again.)
    await expect
      .poll(() => sent.flatMap((s) => openBatch(s.message as HostBatch)).some((m) => 'sessionId' in m && m.sessionId === second), { timeout: 15_000 })
      .toBe(true);
    await expect.poll(() => watcher.some((m) => m.type === 'session.end' && m.sessionId === second), { timeout: 15_000 }).toBe(true);
  });

  it('a reloaded page is not waited for: the batches the page before it never acknowledged are not in flight any more', async () => {
    host = new LabHost();
    const { page, sent, load } = fakePage();
    registerIpc(fakeIpcMain().ipcMain, host, trusted, page);
    const watcher: HostMessage[] = [];
    host.subscribe((m) => watcher.push(m));
    const { sessionId } = (await host.request('startSession', [{ scenario: 'listing', passive: true }])) as { sessionId: string };
    await expect.poll(() => watcher.some((m) => m.type === 'session.end' && m.sessionId === sessionId), { timeout: 15_000 }).toBe(true);
    // Never acknowledged: two batches went, the rest waits for acks that the page before the reload will not send.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent).toHaveLength(2);
    load();
    await expect.poll(() => sent.flatMap((s) => openBatch(s.message as HostBatch)).some((m) => m.type === 'session.end'), { timeout: 5_000 }).toBe(true);
  });

  it('sends nothing to a window that has left the app page or is destroyed, and nothing after dispose', async () => {
    host = new LabHost();
    const away = fakePage('https://example.com/');
    const gone = fakePage();
    gone.page.destroyed = true;
    const disposed = fakePage();
    registerIpc(fakeIpcMain().ipcMain, host, trusted, away.page);
    registerIpc(fakeIpcMain().ipcMain, host, trusted, gone.page);
    registerIpc(fakeIpcMain().ipcMain, host, trusted, disposed.page)();
    const watcher: HostMessage[] = [];
    host.subscribe((m) => watcher.push(m));
    await host.request('startSession', [{ scenario: 'listing', passive: true }]);
    await expect.poll(() => watcher.some((m) => m.type === 'session.end'), { timeout: 15_000 }).toBe(true);
    expect(away.sent).toEqual([]);
    expect(gone.sent).toEqual([]);
    expect(disposed.sent).toEqual([]);
  });
});
