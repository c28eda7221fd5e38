// The window bridge: exposes exactly `window.ftpLab` (core/api's LabApi) to the sandboxed page, and
// nothing generic: no ipcRenderer, no channel names chosen by the page. Imports only electron and core/api.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isMenuCommand, type HostMessage, type LabApi, type RequestName, type RequestResults } from '../../core/api/labApi';
import { MENU_CHANNEL, MESSAGE_CHANNEL, REQUEST_CHANNEL } from '../../core/api/ipcChannels';

type RequestOutcome = { ok: true; value: unknown } | { ok: false; error: string };

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
    // Application-menu commands (File > Open trace or capture…, Session > Step, …) arrive like host messages.
    const onMenu = (_event: IpcRendererEvent, command: unknown) => {
      if (isMenuCommand(command)) listener({ type: 'menu.command', command });
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
