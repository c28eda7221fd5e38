// The window bridge as the page sees it. Electron cannot run here, so 'electron' is replaced by a
// stand-in that records what the preload exposes and what it sends (a fault we cannot cause for real).
// The stand-in's IPC is wired to the real main-process end (ipc.ts) and a real LabHost, so a request
// made through window.ftpLab goes the whole way and back.

import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HostBatch, HostMessage, LabApi } from '../../../core/api/labApi';
import { openBatch } from '../../support/hostBatches';
import { registerIpc } from '../../../main/electron/ipc';
import { MENU_CHANNEL, MESSAGE_CHANNEL, REQUEST_CHANNEL } from '../../../core/api/ipcChannels';
import { LabHost } from '../../../main/session/labHost';
import { buildElectron, ELECTRON_MAIN_EXTERNALS } from '../../../scripts/buildElectron';

const bridge = vi.hoisted(() => {
  type Listener = (event: unknown, ...args: unknown[]) => void;
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<Listener>>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const state: { invoke?: (channel: string, ...args: unknown[]) => Promise<unknown> } = {};
  const ipcRenderer = {
    invoke(channel: string, ...args: unknown[]) {
      invoked.push({ channel, args });
      return state.invoke!(channel, ...args);
    },
    on(channel: string, listener: Listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return ipcRenderer;
    },
    removeListener(channel: string, listener: Listener) {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
  };
  /** What main would do with webContents.send: call every listener with an event and the payload. */
  const emit = (channel: string, payload: unknown) => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: ipcRenderer, senderId: 0 }, payload);
  };
  const contextBridge = { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) };
  return { exposed, listeners, invoked, state, emit, module: { contextBridge, ipcRenderer } };
});

vi.mock('electron', () => bridge.module);

const PAGE_URL = 'file:///opt/ftp-lab/dist/renderer/index.html';
let host: LabHost;
let api: LabApi;

beforeAll(async () => {
  host = new LabHost();
  // The main end, as main.ts wires it, answering the stand-in's invoke() as ipcMain.handle would.
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
  registerIpc(
    { handle: (channel, listener) => void handlers.set(channel, listener as never), removeHandler: (channel) => void handlers.delete(channel) },
    host,
    (frame) => frame?.url === PAGE_URL && frame.parent === null,
    {
      isDestroyed: () => false,
      on: () => undefined,
      off: () => undefined,
      mainFrame: { url: PAGE_URL, parent: null, send: (channel, message) => bridge.emit(channel, message) },
    },
  );
  bridge.state.invoke = (channel, ...args) => {
    const handler = handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return handler({ senderFrame: { url: PAGE_URL, parent: null } }, ...args);
  };
  await import('../../../main/electron/preload');
  api = bridge.exposed.get('ftpLab') as LabApi;
});

afterAll(async () => {
  await host.close();
});

describe('what the page gets', () => {
  it('exactly window.ftpLab, with exactly request and subscribe, both functions', () => {
    expect([...bridge.exposed.keys()]).toEqual(['ftpLab']);
    expect(Object.keys(api).sort()).toEqual(['request', 'subscribe']);
    expect(typeof api.request).toBe('function');
    expect(typeof api.subscribe).toBe('function');
  });

  it('nothing generic: no ipcRenderer, no send/invoke/on, no channel parameter anywhere', () => {
    const values = Object.values(api as unknown as Record<string, unknown>);
    expect(values).not.toContain(bridge.module.ipcRenderer);
    for (const name of ['send', 'invoke', 'on', 'ipcRenderer', 'sendSync', 'postMessage']) expect(api).not.toHaveProperty(name);
  });
});

describe('request', () => {
  it('goes over the one request channel the main end handles, as (name, argument list)', async () => {
    const scenarios = await api.request('listScenarios');
    expect(scenarios.map((s) => s.name)).toContain('textbook-upload');
    expect(bridge.invoked.at(-1)).toEqual({ channel: REQUEST_CHANNEL, args: ['listScenarios', []] });
  });

  it('turns a refusal into a rejected promise carrying the sentence', async () => {
    await expect((api.request as (name: string, ...args: unknown[]) => Promise<unknown>)('readFile', '/etc/passwd')).rejects.toThrow(
      /^Unknown request "readFile"\.$/,
    );
    await expect(api.request('gate', 's9', 'step')).rejects.toThrow(/^No running session s9\.$/);
  });
});

describe('subscribe', () => {
  it("delivers the host's messages of a real session, never the IPC event", async () => {
    const received: unknown[][] = [];
    // The host's messages come in numbered batches, each acknowledged as the page does (renderer/bridge.ts).
    const off = api.subscribe((...args: unknown[]) => {
      received.push(args);
      const batch = args[0] as HostMessage;
      if (batch.type === 'host.batch') void api.request('ack', batch.batch);
    });
    const messages = () => received.flatMap(([m]) => ((m as HostMessage).type === 'host.batch' ? openBatch(m as HostBatch) : [m as HostMessage]));
    const { sessionId } = await api.request('startSession', { scenario: 'listing', passive: true });
    await expect.poll(() => messages().some((m) => m.type === 'session.end'), { timeout: 15_000 }).toBe(true);
    off();
    // One argument per call: the message. The event (with its sender) would hand the page ipcRenderer.
    expect(received.every((args) => args.length === 1)).toBe(true);
    expect(messages().at(-1)).toEqual({ type: 'session.end', sessionId, ok: true });
    expect(messages().some((m) => m.type === 'trace.event')).toBe(true);
  });

  it('delivers menu commands as menu.command messages', () => {
    const received: unknown[] = [];
    const off = api.subscribe((m) => received.push(m));
    bridge.emit(MENU_CHANNEL, 'session.step');
    bridge.emit(MENU_CHANNEL, { not: 'a command' });
    off();
    expect(received).toEqual([{ type: 'menu.command', command: 'session.step' }]);
  });

  it('stops delivering after unsubscribe, and leaves no listener behind', () => {
    const before = (channel: string) => bridge.listeners.get(channel)?.size ?? 0;
    const counts = [before(MESSAGE_CHANNEL), before(MENU_CHANNEL)];
    const received: unknown[] = [];
    const off = api.subscribe((m) => received.push(m));
    off();
    bridge.emit(MESSAGE_CHANNEL, { type: 'session.end', sessionId: 's1', ok: true });
    bridge.emit(MENU_CHANNEL, 'session.run');
    expect(received).toEqual([]);
    expect([before(MESSAGE_CHANNEL), before(MENU_CHANNEL)]).toEqual(counts);
  });

  it('refuses a listener that is not a function', () => {
    expect(() => api.subscribe('alert(1)' as never)).toThrow(TypeError);
  });
});

describe('what the preload may import (design.md: only electron and core/api)', () => {
  it('in its source', () => {
    const source = readFileSync(new URL('../../../main/electron/preload.ts', import.meta.url), 'utf8');
    const specifiers = [...source.matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    for (const specifier of specifiers) expect(specifier, specifier).toMatch(/^(electron|\.\.\/\.\.\/core\/api\/[\w.]+)$/);
    expect(source).not.toMatch(/\brequire\(|\bimport\(/);
  });

  describe('in its bundle', () => {
    let outDir: string;
    beforeAll(async () => {
      outDir = await mkdtemp(join(tmpdir(), 'ftp-lab-electron-build-'));
    });
    afterAll(async () => {
      await rm(outDir, { recursive: true, force: true });
    });

    it('the built preload imports only electron and core/api, and requires electron alone; the main bundle leaves only electron and the export renderers outside', async () => {
      const result = await buildElectron({ outDir });
      // design.md: the preload imports only electron and core/api (bundled in, so only electron is required at run time).
      expect(result.preloadImports).toContain('electron');
      expect(result.preloadImports.filter((i) => i !== 'electron' && !i.startsWith('core/api/'))).toEqual([]);
      const preload = await readFile(result.preload, 'utf8');
      expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
      const main = await readFile(result.main, 'utf8');
      const external = new Set([...main.matchAll(/(?:require|import)\("([^"]+)"\)/g)].map((m) => m[1]));
      const packages = [...external].filter((name) => !name?.startsWith('node:'));
      expect(packages).toContain('electron');
      expect(packages.filter((name) => !(ELECTRON_MAIN_EXTERNALS as readonly (string | undefined)[]).includes(name))).toEqual([]);
    });
  });
});
