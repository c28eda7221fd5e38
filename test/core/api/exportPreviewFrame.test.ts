// The Export dialog's HTML preview page: its one script is the boot script (allowed by its hash, recomputed
// here), its policy lets only that and the HTML player's script run, and it loads nothing from anywhere.
// (Chromium frames it, sandboxed, in test/e2e/exportDialog.e2e.test.ts.)

import { describe, expect, it } from 'vitest';
import {
  EXPORT_PREVIEW_POLICY,
  EXPORT_PREVIEW_SANDBOX,
  exportPreviewPage,
  PREVIEW_BOOT_SCRIPT,
  PREVIEW_BOOT_SCRIPT_SHA256,
} from '../../../core/api/exportPreviewFrame';
import { PLAYER_SCRIPT_SHA256 } from '../../../core/diagram/painters/htmlPlayer';

const sha256 = async (text: string) => btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))));

describe('the export preview page', () => {
  it('PREVIEW_BOOT_SCRIPT_SHA256 is the SHA-256 of the boot script, recomputed (change the script, change the hash)', async () => {
    expect(PREVIEW_BOOT_SCRIPT_SHA256).toBe(await sha256(PREVIEW_BOOT_SCRIPT));
  });

  it('its policy runs the boot script and the player by their hashes and nothing else, and fetches nothing', () => {
    const directives = new Map(EXPORT_PREVIEW_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual([`'sha256-${PREVIEW_BOOT_SCRIPT_SHA256}'`, `'sha256-${PLAYER_SCRIPT_SHA256}'`]);
    expect(directives.get('img-src')).toEqual(['data:']);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(EXPORT_PREVIEW_POLICY).not.toMatch(/unsafe-eval|'self'|https?:|\*/);
    expect(directives.get('script-src')?.join(' ')).not.toContain('unsafe-inline');
  });

  it('the page states that policy and holds exactly one script, the boot script', () => {
    const page = exportPreviewPage();
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="${EXPORT_PREVIEW_POLICY}">`);
    const scripts = [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => [m[1], m[2]])).toEqual([['', PREVIEW_BOOT_SCRIPT]]);
  });

  it('the boot script takes a document from its parent only, once, and writes nothing else', () => {
    expect(PREVIEW_BOOT_SCRIPT).toContain('event.source !== parent');
    expect(PREVIEW_BOOT_SCRIPT).toContain("typeof event.data !== 'string'");
    expect(PREVIEW_BOOT_SCRIPT).not.toMatch(/innerHTML|eval|Function|fetch|XMLHttpRequest|WebSocket|location/);
    // The frame runs scripts at an opaque origin: never allow-same-origin (it could then reach the app).
    expect(EXPORT_PREVIEW_SANDBOX).toBe('allow-scripts');
  });
});
