// The renderer's one way to its host: Electron's preload (window.ftpLab) when present, else the browser host's WebSocket.

import type { LabApi } from '../core/api/labApi';
import { createSocketApi } from './socketApi';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge): exactly the LabApi of core/api. */
    readonly ftpLab?: LabApi;
  }
}

const TOKEN_KEY = 'ftp-lab.token';

export interface Bridge {
  readonly api: LabApi;
  readonly host: 'electron' | 'browser';
}

export function connectBridge(win: Window, onClosed: (reason: string) => void): Bridge {
  if (win.ftpLab) return { api: win.ftpLab, host: 'electron' };
  return { api: createSocketApi(socketUrl(win), onClosed), host: 'browser' };
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
