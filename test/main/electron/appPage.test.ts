// Which page is the app's own: the window may only show it, and only it may use the IPC bridge.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appPaths, isAppPage, isTrustedFrame, withContentSecurityPolicy } from '../../../main/electron/appPage';
import { CONTENT_SECURITY_POLICY } from '../../../main/electron/windowOptions';
import { MAIN_BUNDLE, PRELOAD_BUNDLE } from '../../../scripts/buildElectron';

const checkout = '/opt/ftp-lab';
const paths = appPaths(join(checkout, 'dist', 'electron'));

describe('appPaths', () => {
  it('finds the preload and the renderer where the build scripts put them', async () => {
    const { DEFAULT_RENDERER_OUT } = await import('../../../scripts/buildRenderer');
    const root = join(DEFAULT_RENDERER_OUT, '..', '..');
    const fromBuild = appPaths(join(root, MAIN_BUNDLE, '..'));
    expect(fromBuild.preload).toBe(join(root, PRELOAD_BUNDLE));
    expect(fromBuild.page).toBe(join(DEFAULT_RENDERER_OUT, 'index.html'));
    expect(fromBuild.pageUrl).toBe(pathToFileURL(fromBuild.page).href);
  });
});

describe('isAppPage and isTrustedFrame', () => {
  const rows = [
    { title: 'the page itself', url: paths.pageUrl, app: true },
    { title: 'the page with a fragment', url: `${paths.pageUrl}#step-4`, app: true },
    { title: 'the page with a query', url: `${paths.pageUrl}?presenter=1`, app: true },
    { title: 'another file next to it', url: pathToFileURL(join(checkout, 'dist', 'renderer', 'other.html')).href, app: false },
    { title: 'a file elsewhere on disk', url: 'file:///etc/passwd', app: false },
    { title: 'a path that climbs out and back', url: `${pathToFileURL(join(checkout, 'dist'))}/renderer/../../dist/renderer/x/../index.html`, app: true },
    { title: 'a web page', url: 'https://example.com/', app: false },
    { title: 'the same path over http', url: `http://127.0.0.1${new URL(paths.pageUrl).pathname}`, app: false },
    { title: 'a file URL on another host (UNC share)', url: `file://evil${new URL(paths.pageUrl).pathname}`, app: false },
    { title: 'not a URL', url: 'index.html', app: false },
    { title: 'about:blank', url: 'about:blank', app: false },
  ];
  for (const row of rows) {
    it(`${row.title}: ${row.app ? 'app page' : 'not the app page'}`, () => {
      expect(isAppPage(row.url, paths.pageUrl)).toBe(row.app);
      expect(isTrustedFrame({ url: row.url, parent: null }, paths.pageUrl)).toBe(row.app);
    });
  }

  it('an iframe showing the app page is not trusted, nor is a missing frame', () => {
    expect(isTrustedFrame({ url: paths.pageUrl, parent: { url: paths.pageUrl, parent: null } }, paths.pageUrl)).toBe(false);
    expect(isTrustedFrame(null, paths.pageUrl)).toBe(false);
    expect(isTrustedFrame(undefined, paths.pageUrl)).toBe(false);
  });
});

describe('withContentSecurityPolicy', () => {
  it('puts the policy on the app page, replacing any other', () => {
    const headers = withContentSecurityPolicy(paths.pageUrl, { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] }, paths.pageUrl);
    expect(headers).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY], 'X-Other': ['1'] });
  });

  it('leaves other responses as they were', () => {
    const original = { 'X-Other': ['1'] };
    expect(withContentSecurityPolicy('https://example.com/', original, paths.pageUrl)).toBe(original);
  });
});
