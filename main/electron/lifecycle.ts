// The shell's guard rails and shutdown as plain functions over the Electron members they use:
// no navigation away from the app page, no new windows or webviews, no permissions, and the
// session host closed (its sockets ended) before the process quits.

import type { Session, WindowOpenHandlerResponse } from 'electron';

/** The part of a WebContents the guards attach to. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: { url: string; preventDefault(): void }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenHandlerResponse): void;
}

/**
 * Electron's security checklist, items 13-15: limit navigation, limit new windows, no <webview>.
 * A link in a narration text (an RFC reference, say) therefore does nothing in the window.
 */
export function guardContents(contents: GuardedContents, isAppUrl: (url: string) => boolean): void {
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The part of session.defaultSession the permission guard uses. */
export type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

/** FTP Lab needs no camera, notifications, geolocation, clipboard reads, ...: every request is refused. */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** The part of Electron's app the quit hook uses. */
export interface QuittingApp {
  on(event: 'will-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

/**
 * Holds the first quit until host.close() has ended every session (so no socket outlives the app),
 * then quits for real. A failing close does not keep the app alive.
 */
export function closeHostOnQuit(app: QuittingApp, host: { close(): Promise<void> }, onError: (error: unknown) => void = () => {}): void {
  let state: 'running' | 'closing' | 'closed' = 'running';
  app.on('will-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    host
      .close()
      .catch(onError)
      .finally(() => {
        state = 'closed';
        app.quit();
      });
  });
}
