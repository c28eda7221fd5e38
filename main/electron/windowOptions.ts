// The app window's options and its Content Security Policy: every security switch in one pure function.
// Follows Electron's security checklist (docs/tutorial/security.md): isolation, sandbox, no Node in the page.

import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The page runs only its own bundled script and stylesheet (no inline code, no eval), draws images
 * from itself or data: URLs (exported PNG previews), frames only its own files (the Export dialog's
 * sandboxed HTML preview, core/api/exportPreviewFrame.ts), talks to nothing (IPC goes through the
 * preload, which CSP does not govern), and cannot be framed, re-based or used to post forms.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The same policy as the page's own <meta http-equiv="Content-Security-Policy"> should state it:
 * browsers ignore frame-ancestors in a <meta> (CSP3, section 6.4.2), so it is left out there.
 */
export const META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors '))
  .join('; ');

export interface WindowOptionsInput {
  /** Absolute path of the bundled preload (dist/electron/preload.cjs). */
  readonly preload: string;
  /** Development build (not packaged): DevTools may be opened. */
  readonly dev: boolean;
}

/** The renderer's page background, so the window does not flash white before the first paint. */
export const WINDOW_BACKGROUND = '#f7f7f4';

export function windowOptions({ preload, dev }: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'FTP Lab',
    width: 1280,
    height: 800,
    // Below this the diagram's lanes and the state panels no longer fit side by side.
    minWidth: 900,
    minHeight: 600,
    backgroundColor: WINDOW_BACKGROUND,
    // Shown on 'ready-to-show', once the page has painted.
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: dev,
      // Electron's `remote` module no longer exists (removed in Electron 14), so there is nothing to
      // switch off; `enableRemoteModule` is not even in the typings.
    },
  };
}
