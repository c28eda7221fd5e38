// Escaping for text and attribute values in SVG/XML output: every string from a trace goes through here.

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes & < > " ' for use in element text or a quoted attribute value, and replaces characters XML 1.0
 * cannot carry at all (C0 controls other than tab/newline/return, lone surrogates, U+FFFE/U+FFFF) with
 * U+FFFD, so a file name with a stray control byte cannot make the document unreadable.
 */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- matching control characters is the point here
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
      .replace(/[&<>"']/g, (c) => entities[c] ?? c)
  );
}
