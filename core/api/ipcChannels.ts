// The Electron IPC channel names, for both ends: main/electron/ipc.ts and the preload (which may import
// only electron and core/api). One place, so the two can never disagree.

/** The renderer's requests: invoke(name, args) → RequestOutcome. */
export const REQUEST_CHANNEL = 'ftp-lab:request';
/** HostMessages, main → page. */
export const MESSAGE_CHANNEL = 'ftp-lab:message';
/** Application-menu commands, main → page (see main/electron/menu.ts). */
export const MENU_CHANNEL = 'ftp-lab:menu';
