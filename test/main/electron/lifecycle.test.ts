// The shell's guard rails, on plain objects standing in for Electron's: no navigation away from the
// app page, no pop-ups, no webviews, no permissions, and no quitting before the sessions are closed.

import { EventEmitter } from 'node:events';
import type { Session } from 'electron';
import { describe, expect, it } from 'vitest';
import { closeHostOnQuit, denyAllPermissions, guardContents, type GuardedContents } from '../../../main/electron/lifecycle';
import { isAppPage } from '../../../main/electron/appPage';

const PAGE_URL = 'file:///opt/ftp-lab/dist/renderer/index.html';

function preventable(fields: Record<string, unknown> = {}) {
  return {
    ...fields,
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: ((details: { url: string }) => { action: string }) | undefined;
  const contents = {
    on: (event: string, listener: (...args: unknown[]) => void) => emitter.on(event, listener),
    setWindowOpenHandler: (handler: (details: { url: string }) => { action: string }) => void (openHandler = handler),
  } as unknown as GuardedContents;
  return { contents, emitter, open: (url: string) => openHandler!({ url }) };
}

describe('guardContents', () => {
  const guarded = () => {
    const fake = fakeContents();
    guardContents(fake.contents, (url) => isAppPage(url, PAGE_URL));
    return fake;
  };

  for (const [url, allowed] of [
    [`${PAGE_URL}#reload`, true],
    ['https://datatracker.ietf.org/doc/html/rfc959', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
  ] as const) {
    it(`${allowed ? 'lets the page reload itself' : 'stops navigation'} to ${url}`, () => {
      const { emitter } = guarded();
      const event = preventable({ url });
      emitter.emit('will-navigate', event);
      expect(event.prevented).toBe(!allowed);
    });
  }

  it('denies every new window, whatever it asks for', () => {
    const { open } = guarded();
    expect(open('https://example.com/')).toEqual({ action: 'deny' });
    expect(open(PAGE_URL)).toEqual({ action: 'deny' });
  });

  it('refuses to attach a <webview>', () => {
    const { emitter } = guarded();
    const event = preventable();
    emitter.emit('will-attach-webview', event);
    expect(event.prevented).toBe(true);
  });
});

describe('denyAllPermissions', () => {
  it('answers every permission request and check with no', () => {
    let requestHandler: Parameters<Session['setPermissionRequestHandler']>[0] = null;
    let checkHandler: Parameters<Session['setPermissionCheckHandler']>[0] = null;
    denyAllPermissions({
      setPermissionRequestHandler: (handler) => void (requestHandler = handler),
      setPermissionCheckHandler: (handler) => void (checkHandler = handler),
    });
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal'] as const) {
      const answers: boolean[] = [];
      requestHandler!(null as never, permission, (granted) => answers.push(granted), {} as never);
      expect(answers, permission).toEqual([false]);
    }
    expect(checkHandler!(null, 'clipboard-read', 'file://', {} as never)).toBe(false);
  });
});

describe('closeHostOnQuit', () => {
  function fakeApp() {
    const emitter = new EventEmitter();
    const app = {
      quits: 0,
      on: (event: string, listener: (event: { preventDefault(): void }) => void) => emitter.on(event, listener),
      quit() {
        this.quits += 1;
        const event = preventable();
        emitter.emit('will-quit', event);
        return event;
      },
    };
    return app;
  }

  it('holds the quit until the host has closed its sessions, then quits once', async () => {
    const app = fakeApp();
    let release!: () => void;
    const host = {
      closes: 0,
      close() {
        this.closes += 1;
        return new Promise<void>((r) => (release = r));
      },
    };
    closeHostOnQuit(app, host);
    expect(app.quit().prevented).toBe(true);
    expect(app.quit().prevented).toBe(true); // a second Ctrl-Q while closing changes nothing
    expect(host.closes).toBe(1);
    release();
    await expect.poll(() => app.quits).toBe(3);
    // The final quit (from closeHostOnQuit itself) went through.
    expect(app.quit().prevented).toBe(false);
    expect(host.closes).toBe(1);
  });

  it('still quits when closing the host fails, and reports the failure', async () => {
    const app = fakeApp();
    const errors: unknown[] = [];
    closeHostOnQuit(app, { close: () => Promise.reject(new Error('socket stuck')) }, (e) => errors.push(e));
    app.quit();
    await expect.poll(() => app.quits).toBe(2);
    expect((errors[0] as Error).message).toBe('socket stuck');
  });
});
