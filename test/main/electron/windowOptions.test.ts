// The window's security switches and its Content Security Policy: what keeps page code away from Node
// and from the network, checked on the options object the main process passes to BrowserWindow.

import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY, windowOptions } from '../../../main/electron/windowOptions';
import { pageCspProblem } from '../../../main/electron/appPage';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('windowOptions', () => {
  const options = windowOptions({ preload: '/app/dist/electron/preload.cjs', dev: false });

  it('isolates and sandboxes the page, with no Node, no webview and web security on', () => {
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    });
    // The remote module is gone since Electron 14; nothing may try to bring it back.
    expect(options.webPreferences).not.toHaveProperty('enableRemoteModule');
  });

  it('DevTools exist only in a development build', () => {
    expect(options.webPreferences?.devTools).toBe(false);
    expect(windowOptions({ preload: '/p.cjs', dev: true }).webPreferences?.devTools).toBe(true);
  });

  it('has a title, a size that fits the three panels, a background and waits for the first paint', () => {
    expect(options.title).toBe('FTP Lab');
    expect(options.width).toBeGreaterThanOrEqual(options.minWidth!);
    expect(options.height).toBeGreaterThanOrEqual(options.minHeight!);
    expect(options.minWidth).toBeGreaterThanOrEqual(800);
    expect(options.backgroundColor).toMatch(/^#[0-9a-f]{6}$/i);
    expect(options.show).toBe(false);
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  const policy = directives(CONTENT_SECURITY_POLICY);

  it('allows no eval and no inline script or style', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|unsafe-inline|unsafe-hashes|wasm-unsafe-eval/);
  });

  it('names no remote source: only the page itself, none, or data: images', () => {
    for (const [name, sources] of policy) {
      for (const source of sources) {
        expect(["'self'", "'none'", ...(name === 'img-src' ? ['data:'] : [])], `${name} ${source}`).toContain(source);
      }
    }
  });

  it('has the directives that close the usual holes', () => {
    expect(Object.fromEntries(policy)).toMatchObject({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
      'form-action': ["'none'"],
    });
  });

  it('the <meta> form is the same policy without frame-ancestors, which a <meta> cannot carry', () => {
    const meta = directives(META_CONTENT_SECURITY_POLICY);
    expect(meta.has('frame-ancestors')).toBe(false);
    expect(new Map([...policy].filter(([name]) => name !== 'frame-ancestors'))).toEqual(meta);
  });
});

describe('pageCspProblem: does the renderer page carry the policy in its <meta>?', () => {
  const page = (meta: string) => `<!doctype html><html><head><meta charset="utf-8">${meta}<title>FTP Lab</title></head></html>`;
  const rows = [
    {
      title: 'the exact policy passes',
      html: page(`<meta http-equiv="Content-Security-Policy" content="${META_CONTENT_SECURITY_POLICY}">`),
      problem: undefined,
    },
    {
      title: 'the same directives in another order and spacing pass',
      html: page(`<meta content="${META_CONTENT_SECURITY_POLICY.split('; ').reverse().join(';  ')}" http-equiv='content-security-policy'>`),
      problem: undefined,
    },
    { title: 'no <meta> is reported', html: page(''), problem: /no Content-Security-Policy <meta> tag/ },
    {
      title: 'a weaker policy is reported, quoting it',
      html: page(`<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'unsafe-eval'">`),
      problem: /is "default-src 'self'; script-src 'self' 'unsafe-eval'", not/,
    },
  ];
  for (const row of rows) {
    it(row.title, () => {
      const problem = pageCspProblem(row.html);
      if (row.problem === undefined) expect(problem).toBeUndefined();
      else expect(problem).toMatch(row.problem);
    });
  }
});
