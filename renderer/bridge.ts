// The renderer's one way to its host: Electron's preload (window.ftpLab) when present, else the browser host's WebSocket.
// Either way the host's pushes come in numbered batches (core/api HostBatch); each is opened here and acknowledged once
// the page has drawn the frame after it, so the host sends only as fast as this page keeps up.

import type { HostMessage, LabApi } from '../core/api/labApi';
import { createSocketApi } from './socketApi';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge): exactly the LabApi of core/api. */
    readonly ftpLab?: LabApi;
  }
}

const TOKEN_KEY = 'ftp-lab.token';
/** A page in the background draws no frames: it acknowledges after this long anyway, slowly. */
const ACK_AT_THE_LATEST_MS = 500;

export interface Bridge {
  readonly api: LabApi;
  readonly host: 'electron' | 'browser';
}

export function connectBridge(win: Window, onClosed: (reason: string) => void): Bridge {
  if (win.ftpLab) return { api: unbatched(win, win.ftpLab), host: 'electron' };
  return { api: unbatched(win, createSocketApi(socketUrl(win), onClosed)), host: 'browser' };
}

/** The API with the host's batches opened: listeners see each message; the batch is acknowledged after the next frame. */
function unbatched(win: Window, api: LabApi): LabApi {
  const listeners = new Set<(message: HostMessage) => void>();
  const deliver = (message: HostMessage) => {
    for (const listener of listeners) listener(message);
  };
  api.subscribe((message) => {
    if (message.type !== 'host.batch') return deliver(message);
    for (const inner of message.messages) deliver(inner);
    let acked = false;
    const ack = () => {
      if (acked) return;
      acked = true;
      win.clearTimeout(fallback);
      api.request('ack', message.batch).catch(() => undefined);
    };
    // The frame after this one has been drawn with the batch's messages (render runs in the next frame).
    win.requestAnimationFrame(() => win.requestAnimationFrame(ack));
    const fallback = win.setTimeout(ack, ACK_AT_THE_LATEST_MS);
  });
  return {
    request: (name, ...args) => api.request(name, ...args),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * The API socket's address, with the token from the page's address. The token is then removed from the
 * address bar (a projected screen should not show it) and kept for this tab only, so a reload still works.
 */
function socketUrl(win: Window): string {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  const token = fromUrl ?? win.sessionStorage.getItem(TOKEN_KEY) ?? '';
  if (fromUrl) {
    win.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    win.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return `ws://${url.host}/api?token=${encodeURIComponent(token)}`;
}
