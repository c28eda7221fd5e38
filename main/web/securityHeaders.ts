// The headers every browser-host response carries: a strict Content-Security-Policy and no sniffing, framing or referrer.
// The Export dialog's preview page has its own: it may be framed by the app, and runs sandboxed.

import { EXPORT_PREVIEW_POLICY, EXPORT_PREVIEW_SANDBOX } from '../../core/api/exportPreviewFrame';

/** Scripts and styles only from the host itself; the page talks only to its own WebSocket; nothing inline; frames only its own preview page. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // The page's URL carries the token: never send it anywhere.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

/**
 * The preview page's headers: its own policy (core/api/exportPreviewFrame.ts), sandboxed even when opened
 * by itself (an opaque origin: no cookie, no storage, no way to the API), and framed only by the app.
 */
export function exportPreviewHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': `sandbox ${EXPORT_PREVIEW_SANDBOX}; ${EXPORT_PREVIEW_POLICY}; frame-ancestors 'self'`,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'SAMEORIGIN',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}
