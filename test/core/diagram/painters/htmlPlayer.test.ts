// paintHtmlPlayer: one self-contained page; the trace and the player's data inside script elements that no
// string can end; a Content-Security-Policy that allows the player's own script and nothing else.
// (Chromium opens and steps through it in test/e2e/htmlPlayer.e2e.test.ts.)

import { describe, expect, it } from 'vitest';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { jsonForScript, paintHtmlPlayer, PLAYER_SCRIPT, PLAYER_SCRIPT_SHA256, type PlayerData } from '../../../../core/diagram/painters/htmlPlayer';
import type { TraceFile } from '../../../../core/trace/traceEvent';
import { fixtures } from '../fixtures';
import { HOSTILE_FILE, HOSTILE_NOTE, HOSTILE_TITLE, hostileEvents } from '../hostileTrace';

const hostile: TraceFile = {
  format: 'ftp-lab-trace',
  version: 1,
  meta: { createdAt: '2026-01-01T00:00:00Z', tool: 'test </script><script>alert(1)</script>', title: HOSTILE_TITLE, passwordsMasked: true },
  events: hostileEvents(),
};

const scripts = (html: string) => [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1] ?? '', body: m[2] ?? '' }));

describe('jsonForScript', () => {
  it('leaves nothing that could end a script element or start a comment, and parses back unchanged', () => {
    const value = { name: '</script><!-- <script> & \u2028\u2029 Größe_文件' };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('PLAYER_SCRIPT_SHA256', () => {
  // With Node's WebCrypto (the global `crypto`, node:crypto's webcrypto): test/core keeps to core's rules, no node:* import.
  it('is the SHA-256 of PLAYER_SCRIPT, recomputed (change the script, change the hash)', async () => {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(PLAYER_SCRIPT)));
    expect(PLAYER_SCRIPT_SHA256).toBe(btoa(String.fromCharCode(...digest)));
  });
});

describe('paintHtmlPlayer', () => {
  const html = paintHtmlPlayer(hostile);

  it('has exactly three script elements: the player data, the trace, and the player', () => {
    expect(scripts(html).map((s) => s.attrs)).toEqual([' type="application/json" id="ftp-lab-player-data"', ' type="application/json" id="ftp-lab-trace"', '']);
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
  });

  it('carries the trace whole, and the player data, as JSON that parses back', () => {
    const [data, trace] = scripts(html)
      .slice(0, 2)
      .map((s) => JSON.parse(s.body) as unknown);
    expect(trace).toEqual(JSON.parse(JSON.stringify(hostile)));
    const player = data as PlayerData;
    expect(player.steps).toHaveLength(layoutTrace(hostile.events).steps);
    expect(player.steps[10]).toMatchObject({ label: '11', summary: `client → server: STOR ${HOSTILE_FILE}` });
    expect(player.steps[10]?.narration).toMatch(/^The client sends STOR on the control connection/);
    expect(player.steps.map((s) => s.summary)).toContain(`note: ${HOSTILE_NOTE}`);
  });

  it('a Content-Security-Policy allows only the player script (by its hash), no network, no plugins', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp).toContain(`script-src 'sha256-${PLAYER_SCRIPT_SHA256}'`);
    expect(csp).toContain("default-src 'none'");
    expect(scripts(html)[2]?.body).toBe(PLAYER_SCRIPT);
  });

  it('trace text in the markup is escaped (the title, the footer, the diagram)', () => {
    expect(html).toContain('<title>&quot;&gt;&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;');
    expect(html).toContain('<h1>&quot;&gt;&lt;script&gt;');
    expect(html).toContain('test &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const outsideScripts = html.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '');
    expect(outsideScripts).not.toMatch(/<script|<img|<foreignObject|<iframe|<object/i);
    // Text may say "onerror=" (it is the file's name); no element may have an on* attribute.
    const attributes = [...outsideScripts.matchAll(/<[A-Za-z][\w:-]*((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g)].flatMap((tag) =>
      [...(tag[1] ?? '').matchAll(/\s([\w:-]+)(?:="[^"]*")?/g)].map((a) => a[1] ?? ''),
    );
    expect(attributes.length).toBeGreaterThan(100);
    expect(attributes.filter((name) => /^on/i.test(name))).toEqual([]);
  });

  it('the player script writes text with textContent only', () => {
    expect(PLAYER_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it('a range: the rows of those steps, numbered as in the full diagram', () => {
    const part = paintHtmlPlayer(fixtures.download, { range: { from: 12, to: 18 }, theme: 'dark' });
    const data = JSON.parse(scripts(part)[0]?.body ?? '{}') as PlayerData;
    expect(data.steps.map((s) => s.label)).toEqual(['12', '13', '14', '15', '16', '17', '18']);
    expect(part).toContain('<html lang="en" class="theme-dark">');
  });
});
