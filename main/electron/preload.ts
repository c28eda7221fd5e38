// The window bridge: exposes exactly `window.ftpLab` (core/api's LabApi) to the sandboxed page, and
// nothing generic: no ipcRenderer, no channel names chosen by the page. Imports only electron and core/api.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { HostMessage, LabApi, RequestName, RequestResults } from '../../core/api/labApi';

// The same names as main/electron/ipc.ts; this file may import nothing but electron and core/api,
// so test/main/electron/preload.test.ts checks that both ends agree.
const REQUEST_CHANNEL = 'ftp-lab:request';
const MESSAGE_CHANNEL = 'ftp-lab:message';
const MENU_CHANNEL = 'ftp-lab:menu';

type RequestOutcome = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * An application-menu command (File > Open Trace…, Session > Step, …), delivered to subscribers like
 * a host message. Not yet a variant of core/api's HostMessage, where it belongs (one contract for
 * both ends); until it is added there, a listener that switches on message.type passes it by.
 */
interface MenuMessage {
  type: 'menu.command';
  command: string;
}

const api = {
  async request<N extends RequestName>(name: N, ...args: unknown[]): Promise<RequestResults[N]> {
    const outcome = (await ipcRenderer.invoke(REQUEST_CHANNEL, name, args)) as RequestOutcome;
    if (!outcome.ok) throw new Error(outcome.error);
    return outcome.value as RequestResults[N];
  },

  subscribe(listener: (message: HostMessage) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a function.');
    // The listener gets the message only: never the IPC event, which carries the sender object.
    const onMessage = (_event: IpcRendererEvent, message: HostMessage) => listener(message);
    const onMenu = (_event: IpcRendererEvent, command: unknown) => {
      // The one widening in this file: see MenuMessage.
      if (typeof command === 'string') (listener as (message: HostMessage | MenuMessage) => void)({ type: 'menu.command', command });
    };
    ipcRenderer.on(MESSAGE_CHANNEL, onMessage);
    ipcRenderer.on(MENU_CHANNEL, onMenu);
    return () => {
      ipcRenderer.removeListener(MESSAGE_CHANNEL, onMessage);
      ipcRenderer.removeListener(MENU_CHANNEL, onMenu);
    };
  },
} satisfies LabApi;

contextBridge.exposeInMainWorld('ftpLab', api);
