// Address codecs for data-connection setup: PORT/227 (RFC 959) and EPRT/229 (RFC 2428), both directions.

export interface HostPort {
  host: string;
  port: number;
}

export type EprtArgument = { ok: true; family: 1 | 2; host: string; port: number } | { ok: false; code: 501 | 522 };

// One PORT/227 field: a decimal number 0..255. 959 §5.3.2 says "1 through 255", but an address or
// port byte can be 0 (facts §0 #8), so 0 is accepted.
const BYTE = /^\d{1,3}$/;

/**
 * PORT h1,h2,h3,h4,p1,p2 (959 §4.1.2): h1 is the high byte of the IPv4 address, port = p1*256 + p2.
 * Exactly six decimal fields; spaces around a field are tolerated.
 */
export function parsePortArgument(arg: string): HostPort | { error: 'syntax' } {
  const fields = arg.split(',').map((f) => f.trim());
  if (fields.length !== 6) return { error: 'syntax' };
  const bytes: number[] = [];
  for (const field of fields) {
    if (!BYTE.test(field)) return { error: 'syntax' };
    const value = Number(field);
    if (value > 255) return { error: 'syntax' };
    bytes.push(value);
  }
  return fromSixBytes(bytes);
}

/** The PORT argument for an IPv4 host and port, e.g. '127,0,0,1,19,136' for 127.0.0.1:5000. */
export function formatPortArgument(hp: HostPort): string {
  return sixBytes(hp).join(',');
}

/** The 227 text (959 §4.2.1), e.g. 'Entering Passive Mode (127,0,0,1,19,136).' */
export function formatPasvReply(hp: HostPort): string {
  return `Entering Passive Mode (${sixBytes(hp).join(',')}).`;
}

/**
 * Reads host and port from a 227 text. RFC 959 shows the numbers with parentheses in §4.2.1 and
 * without them in §5.2 Fig. 3, so RFC 1123 §4.1.2.6 tells clients to scan for the first digit
 * instead of relying on the parentheses. This finds the first run of six comma-separated numbers,
 * so a text that still carries its '227 ' code prefix works too.
 */
export function parsePasvReply(text: string): HostPort | null {
  const match = /(?<!\d)(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})(?!\d)/.exec(text);
  if (!match) return null;
  const bytes = match.slice(1, 7).map(Number);
  if (bytes.some((b) => b > 255)) return null;
  return fromSixBytes(bytes);
}

/**
 * EPRT<SP><d><net-prt><d><net-addr><d><tcp-port><d> (RFC 2428 §2). The delimiter is any ASCII
 * 33..126 character. net-prt 1 is IPv4 in dotted decimal, 2 is IPv6 in its text form.
 * An unknown family gets 522, so the client can retry with a supported one (2428 §2);
 * anything malformed gets 501.
 */
export function parseEprtArgument(arg: string): EprtArgument {
  const text = arg.trim();
  const delimiter = text.charCodeAt(0);
  if (!(delimiter >= 33 && delimiter <= 126)) return { ok: false, code: 501 };
  const parts = text.split(text.charAt(0));
  // '', net-prt, net-addr, tcp-port, '' : anything else means a delimiter is missing or extra.
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') return { ok: false, code: 501 };
  const [, family = '', host = '', portText = ''] = parts;
  if (!/^\d+$/.test(family)) return { ok: false, code: 501 };
  if (family !== '1' && family !== '2') return { ok: false, code: 522 };
  const valid = family === '1' ? isIpv4(host) : isIpv6(host);
  if (!valid) return { ok: false, code: 501 };
  const port = parseTcpPort(portText);
  if (port === null) return { ok: false, code: 501 };
  return { ok: true, family: family === '1' ? 1 : 2, host, port };
}

/**
 * The EPRT argument, '|1|132.235.1.2|6275|' (2428 §2, with the recommended '|' delimiter).
 * The family defaults to 2 for a host containing ':' and 1 otherwise.
 */
export function formatEprtArgument(target: { family?: 1 | 2; host: string; port: number }): string {
  const family = target.family ?? (target.host.includes(':') ? 2 : 1);
  const valid = family === 1 ? isIpv4(target.host) : isIpv6(target.host);
  if (!valid) throw new RangeError(`Not an IPv${family === 1 ? 4 : 6} address for EPRT: ${target.host}`);
  checkPort(target.port, 1);
  return `|${family}|${target.host}|${target.port}|`;
}

/** The 229 text (2428 §3): the address fields are empty because the client reuses the control connection's. */
export function formatEpsvReply(port: number): string {
  checkPort(port, 1);
  return `Entering Extended Passive Mode (|||${port}|)`;
}

/**
 * The port from a 229 text: '(<d><d><d><port><d>)' with the same delimiter four times, any
 * ASCII 33..126 (2428 §3). Null when the text has no such part or the port is not 1..65535.
 */
export function parseEpsvReply(text: string): number | null {
  const match = /\(([\x21-\x7e])\1\1(\d{1,5})\1\)/.exec(text);
  if (!match) return null;
  return parseTcpPort(match[2] ?? '');
}

/** Dotted-decimal IPv4, four fields 0..255. Leading zeros are refused: some parsers read '010' as octal 8. */
export function isIpv4(host: string): boolean {
  const fields = host.split('.');
  return fields.length === 4 && fields.every((f) => /^(0|[1-9]\d{0,2})$/.test(f) && Number(f) <= 255);
}

/**
 * A plausible IPv6 text form (RFC 4291 §2.2): up to eight groups of 1-4 hex digits, at most one
 * '::' standing for one or more zero groups, and optionally a dotted IPv4 tail counting as two
 * groups. Zone suffixes ('%eth0') are refused: they mean nothing to the other host.
 */
export function isIpv6(host: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(host)) return false;
  const halves = host.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const groups = halves.flatMap(groupsOf);
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    if (/^[0-9A-Fa-f]{1,4}$/.test(group)) {
      count += 1;
    } else if (i === groups.length - 1 && host.endsWith(group) && isIpv4(group)) {
      // An IPv4 tail is allowed only as the very last part of the address ('::ffff:1.2.3.4').
      count += 2;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

function parseTcpPort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

function fromSixBytes(bytes: number[]): HostPort {
  const [h1, h2, h3, h4, p1 = 0, p2 = 0] = bytes;
  return { host: `${h1}.${h2}.${h3}.${h4}`, port: p1 * 256 + p2 };
}

/** An IPv4-mapped IPv6 address ('::ffff:a.b.c.d', how a dual-stack socket reports an IPv4 peer) as its IPv4 form; any other host as it is. */
export function plainHost(host: string): string {
  return host.replace(/^::ffff:/i, '');
}

/**
 * h1..h4,p1,p2 for an IPv4 host. An IPv4-mapped IPv6 address ('::ffff:127.0.0.1', what a
 * dual-stack socket reports) is accepted as its IPv4 address. PORT and 227 cannot carry IPv6
 * at all (that is why RFC 2428 exists), so any other host is a RangeError.
 */
function sixBytes(hp: HostPort): number[] {
  const host = plainHost(hp.host);
  if (!isIpv4(host)) throw new RangeError(`PORT/PASV need an IPv4 address: ${hp.host}`);
  checkPort(hp.port, 0);
  return [...host.split('.').map(Number), hp.port >> 8, hp.port & 0xff];
}

function checkPort(port: number, min: 0 | 1): void {
  if (!Number.isInteger(port) || port < min || port > 65535) throw new RangeError(`Not a TCP port: ${port}`);
}
