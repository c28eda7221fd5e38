// Who may use the browser host: requests naming this host (no DNS rebinding) and carrying its token.

import { timingSafeEqual } from 'node:crypto';

/** The Host header must be this host itself; a rebound DNS name (evil.example → 127.0.0.1) is refused. */
export function isLocalAddress(hostHeader: string | undefined, port: number): boolean {
  return hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}`;
}

/** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(token, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
