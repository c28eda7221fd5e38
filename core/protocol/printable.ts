// Control characters as visible escapes: what a client sends may hold a bare CR, a NUL or an escape
// sequence, and echoing it raw would forge reply lines (959 §4.2) or drive the reader's terminal.

const NAMED: Readonly<Record<number, string>> = { 0x00: '\\0', 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

/** 'NOOP\rX' becomes 'NOOP\\rX'; other C0 controls and DEL become '\\xNN'; a backslash stays as it is. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f]/.test(text)) return text;
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => NAMED[c.charCodeAt(0)] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
