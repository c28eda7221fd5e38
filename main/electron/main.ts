// The Electron main process: one hardened window showing the renderer, the IPC bridge to a LabHost,
// the application menu, and a clean shutdown. Wiring only: the logic lives in the modules it imports.

import { readFile } from 'node:fs/promises';
import { app, BrowserWindow, dialog, ipcMain, Menu, session } from 'electron';
import { LabHost } from '../session/labHost';
import { appPaths, isAppPage, isTrustedFrame, pageCspProblem, withContentSecurityPolicy } from './appPage';
import { registerIpc } from './ipc';
import { MENU_CHANNEL } from '../../core/api/ipcChannels';
import { closeHostOnQuit, denyAllPermissions, guardContents } from './lifecycle';
import { buildMenuTemplate } from './menu';
import { windowOptions } from './windowOptions';

// This file is bundled to dist/electron/main.cjs (scripts/buildElectron.ts): __dirname is dist/electron.
const paths = appPaths(__dirname);
const dev = !app.isPackaged;
const isAppUrl = (url: string) => isAppPage(url, paths.pageUrl);

// Every renderer sandboxed, whatever its options say; one running copy of the app.
app.enableSandbox();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const host = new LabHost({ tool: 'ftp-lab (electron)' });
  closeHostOnQuit(app, host, (error) => console.error('FTP Lab: closing the session host failed:', error));
  // Guards go on every web contents the app ever creates, not only the window's (checklist item 13-15).
  app.on('web-contents-created', (_event, contents) => guardContents(contents, isAppUrl));
  app.on('window-all-closed', () => app.quit());
  // Ctrl-C in the terminal that ran `ftp-lab start`: quit through will-quit, so the sessions close.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  app
    .whenReady()
    .then(() => start(host))
    .catch((error: Error) => {
      dialog.showErrorBox('FTP Lab could not start', `${error.message}\n\nIs the renderer built (${paths.page})?`);
      app.quit();
    });
}

async function start(host: LabHost): Promise<void> {
  denyAllPermissions(session.defaultSession);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const responseHeaders = withContentSecurityPolicy(details.url, details.responseHeaders, paths.pageUrl);
    callback(responseHeaders ? { responseHeaders } : {});
  });
  // Headers may not reach file:// documents (Electron docs, "CSP meta tag"), so the page's own <meta> must hold.
  const problem = pageCspProblem(await readFile(paths.page, 'utf8').catch(() => ''));
  if (problem) console.warn(`FTP Lab: ${problem} (${paths.page}).`);

  const window = new BrowserWindow(windowOptions({ preload: paths.preload, dev }));
  const disposeIpc = registerIpc(ipcMain, host, (frame) => isTrustedFrame(frame, paths.pageUrl), window.webContents);
  window.on('closed', disposeIpc);
  window.once('ready-to-show', () => window.show());
  app.on('second-instance', () => {
    if (window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  // Menu commands go only to the app page, like host messages.
  const send = (command: string) => {
    if (!window.isDestroyed() && isTrustedFrame(window.webContents.mainFrame, paths.pageUrl)) window.webContents.mainFrame.send(MENU_CHANNEL, command);
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(send, { dev, platform: process.platform })));

  await window.loadFile(paths.page);
}
