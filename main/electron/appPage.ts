// Where the app's files are (relative to the bundled main script) and which URL is the app's own page:
// the one place that decides what the window may show and whom the IPC bridge answers.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY } from './windowOptions';

export interface AppPaths {
  /** The sandboxed preload bundle. */
  readonly preload: string;
  /** The renderer's page (built by the renderer's build script). */
  readonly page: string;
  /** The page as the file:// URL the window loads. */
  readonly pageUrl: string;
}

/**
 * The layout of dist/ (and of the packaged app.asar, which holds the same dist/): the main bundle
 * and the preload in dist/electron/, the renderer in dist/renderer/.
 */
export function appPaths(mainBundleDir: string): AppPaths {
  const page = join(mainBundleDir, '..', 'renderer', 'index.html');
  return { preload: join(mainBundleDir, 'preload.cjs'), page, pageUrl: pathToFileURL(page).href };
}

/** True for the app page itself, whatever its query or fragment (the renderer may keep state there). */
export function isAppPage(url: string, pageUrl: string): boolean {
  let candidate: URL;
  let page: URL;
  try {
    candidate = new URL(url);
    page = new URL(pageUrl);
  } catch {
    return false;
  }
  return candidate.protocol === 'file:' && page.protocol === 'file:' && candidate.host === page.host && candidate.pathname === page.pathname;
}

/** The part of Electron's WebFrameMain the sender check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/**
 * A frame may use the bridge only if it is the top-level frame showing the app page: not an iframe,
 * not a page the window was navigated to (navigation is denied, but the check does not rely on it).
 * Electron's security checklist, item 17: "Validate the sender of all IPC messages".
 */
export function isTrustedFrame(frame: FrameLike | null | undefined, pageUrl: string): boolean {
  return frame != null && frame.parent === null && isAppPage(frame.url, pageUrl);
}

/**
 * Adds the CSP header to the app page's response (for webRequest.onHeadersReceived). Electron's
 * docs note that headers may not reach file:// documents, so the renderer's page should carry the
 * same policy in a <meta> tag as well; see pageCspProblem.
 */
export function withContentSecurityPolicy(url: string, headers: Record<string, string[]> | undefined, pageUrl: string): Record<string, string[]> | undefined {
  if (!isAppPage(url, pageUrl)) return headers;
  const kept = Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy'));
  return { ...kept, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] };
}

/**
 * Checks the renderer's page for its CSP <meta> tag. Returns undefined when the page declares
 * META_CONTENT_SECURITY_POLICY (directives in any order), else a sentence saying what is wrong
 * (the main process logs it).
 */
export function pageCspProblem(html: string): string | undefined {
  const metas = [...html.matchAll(/<meta\b[^>]*>/gi)].map((m) => m[0]);
  const csp = metas.find((tag) => /http-equiv\s*=\s*["']?content-security-policy["']?/i.test(tag));
  if (!csp) return `the renderer page has no Content-Security-Policy <meta> tag (expected "${META_CONTENT_SECURITY_POLICY}")`;
  const content = /\bcontent\s*=\s*"([^"]*)"|\bcontent\s*=\s*'([^']*)'/i.exec(csp);
  const policy = (content?.[1] ?? content?.[2] ?? '').trim();
  if (normalisePolicy(policy) !== normalisePolicy(META_CONTENT_SECURITY_POLICY)) {
    return `the renderer page's Content-Security-Policy is "${policy}", not "${META_CONTENT_SECURITY_POLICY}"`;
  }
  return undefined;
}

function normalisePolicy(policy: string): string {
  return policy
    .split(';')
    .map((d) => d.trim().replace(/\s+/g, ' '))
    .filter(Boolean)
    .sort()
    .join('; ');
}
