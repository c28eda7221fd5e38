// Directory listings as they travel: LIST lines for people (Unix ls -l style), NLST names (RFC 1123 §4.1.2.7).

import type { FileInfo } from './fileInfo';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

/** One `ls -l` style line. LIST's format is free (959 §4.1.3); this one is what clients parse best. */
export function formatListLine(info: FileInfo, nowMs: number): string {
  const perms = info.kind === 'dir' ? 'drwxr-xr-x' : '-rw-r--r--';
  const date = new Date(info.modifiedMs);
  const month = MONTHS[date.getUTCMonth()] ?? 'Jan';
  const day = String(date.getUTCDate()).padStart(2, ' ');
  // ls shows the year instead of the time for files older than about six months.
  const recent = Math.abs(nowMs - info.modifiedMs) < SIX_MONTHS_MS;
  const when = recent ? `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}` : ` ${date.getUTCFullYear()}`;
  return `${perms} 1 ftp ftp ${String(info.size).padStart(10, ' ')} ${month} ${day} ${when} ${info.name}`;
}

/** The LIST payload: CRLF-terminated lines (an implied TYPE A, 1123 §4.1.2.7). */
export function formatList(entries: readonly FileInfo[], nowMs: number): string {
  return entries.map((entry) => formatListLine(entry, nowMs) + '\r\n').join('');
}

/** The NLST payload: one name per line, each usable as a RETR argument (1123 §4.1.2.7). */
export function formatNameList(entries: readonly FileInfo[]): string {
  return entries.map((entry) => entry.name + '\r\n').join('');
}

/** MDTM's time-val: YYYYMMDDHHMMSS in UTC (RFC 3659 §2.3). */
export function formatMdtm(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}
