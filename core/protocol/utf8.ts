// UTF-8 encode/decode for core/ (RFC 3629), which has neither Buffer nor TextEncoder/TextDecoder.
// FTP pathnames and command arguments travel as UTF-8 (RFC 2640 §2.2), so core needs both directions.

const REPLACEMENT = 0xfffd;

/**
 * Encodes a string as UTF-8 bytes. A lone surrogate cannot be encoded (RFC 3629 §3 forbids
 * encoding U+D800..U+DFFF), so it becomes U+FFFD, the same choice TextEncoder makes.
 */
export function encodeUtf8(s: string): Uint8Array {
  // At most 3 bytes per UTF-16 code unit (a surrogate pair is 2 units for 4 bytes).
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = REPLACEMENT;
      }
    }
    if (cp < 0x80) {
      out[n++] = cp;
    } else if (cp < 0x800) {
      out[n++] = 0xc0 | (cp >> 6);
      out[n++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      out[n++] = 0xe0 | (cp >> 12);
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    } else {
      out[n++] = 0xf0 | (cp >> 18);
      out[n++] = 0x80 | ((cp >> 12) & 0x3f);
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    }
  }
  return out.slice(0, n);
}

/**
 * Decodes UTF-8 bytes. Invalid input (stray continuation bytes, overlong forms, surrogates,
 * values above U+10FFFF, truncated sequences) becomes U+FFFD, one per maximal invalid subpart,
 * as the WHATWG Encoding Standard's decoder does, so the result matches TextDecoder exactly.
 */
export function decodeUtf8(b: Uint8Array): string {
  const parts: string[] = [];
  const units: number[] = [];
  const pushCodePoint = (cp: number): void => {
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    } else {
      units.push(cp);
    }
    // Flush in slices: String.fromCharCode(...huge array) would overflow the call stack.
    if (units.length >= 8192) {
      parts.push(String.fromCharCode(...units));
      units.length = 0;
    }
  };

  let needed = 0;
  let seen = 0;
  let cp = 0;
  // The allowed range of the next continuation byte. Narrowing it after the lead byte is what
  // rejects overlong forms (E0, F0), surrogates (ED) and values above U+10FFFF (F4): RFC 3629 §4.
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = 0; i < b.length; i++) {
    const byte = b[i]!;
    if (needed === 0) {
      if (byte <= 0x7f) {
        pushCodePoint(byte);
      } else if (byte >= 0xc2 && byte <= 0xdf) {
        needed = 1;
        cp = byte & 0x1f;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
        needed = 2;
        cp = byte & 0x0f;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
        needed = 3;
        cp = byte & 0x07;
      } else {
        pushCodePoint(REPLACEMENT);
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      // The sequence so far is one invalid subpart; this byte may start the next character.
      needed = 0;
      seen = 0;
      cp = 0;
      lower = 0x80;
      upper = 0xbf;
      pushCodePoint(REPLACEMENT);
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (byte & 0x3f);
    seen++;
    if (seen === needed) {
      pushCodePoint(cp);
      needed = 0;
      seen = 0;
      cp = 0;
    }
  }
  if (needed !== 0) pushCodePoint(REPLACEMENT);
  parts.push(String.fromCharCode(...units));
  return parts.join('');
}
