// The page the Export dialog shows an HTML export in. An export carries its own inline style and script,
// which the app's policy forbids, and a frame made from a string (srcdoc, blob:, data:) would inherit that
// policy; so the preview is a file of the app's own with a policy of its own, framed sandboxed (its scripts
// run at an opaque origin: no cookies, no storage, no way to the app, its bridge or its host), which turns
// into the one document its parent posts to it. One source for the build (writes the page), the browser
// host (serves it with this policy as a header too) and the renderer (frames it).

import { PLAYER_SCRIPT_SHA256 } from '../diagram/painters/htmlPlayer';

/** The page's file name next to index.html. */
export const EXPORT_PREVIEW_PAGE = 'export-preview.html';

/** The iframe's sandbox: scripts (the player steps), nothing else, so its origin is opaque. */
export const EXPORT_PREVIEW_SANDBOX = 'allow-scripts';

/**
 * The page's only script: the first HTML document its parent posts becomes the page (document.open erases
 * this listener with everything else, so a second message does nothing). Any other sender is ignored.
 */
export const PREVIEW_BOOT_SCRIPT =
  "addEventListener('message', function (event) { if (event.source !== parent || typeof event.data !== 'string') return; document.open(); document.write(event.data); document.close(); });";

/** SHA-256 of PREVIEW_BOOT_SCRIPT (UTF-8, base64), written down as core has no hash function; a test recomputes it. */
export const PREVIEW_BOOT_SCRIPT_SHA256 = 'QarBIrlNF1UZe0jDypB5sSPGRSr5mAiCXbwjPdc8cgc=';

/**
 * What may run and load in the preview: the boot script and the HTML player's script (by their hashes),
 * inline style, data: images; nothing fetched, no forms, no base URL. The exports' own policies add to it.
 */
export const EXPORT_PREVIEW_POLICY = [
  "default-src 'none'",
  `script-src 'sha256-${PREVIEW_BOOT_SCRIPT_SHA256}' 'sha256-${PLAYER_SCRIPT_SHA256}'`,
  "style-src 'unsafe-inline'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The page the build writes as EXPORT_PREVIEW_PAGE. */
export function exportPreviewPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${EXPORT_PREVIEW_POLICY}">
<title>Export preview · FTP Lab</title>
<script>${PREVIEW_BOOT_SCRIPT}</script>
</head>
<body></body>
</html>
`;
}
