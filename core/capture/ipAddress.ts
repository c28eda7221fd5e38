// An IP address as the bytes a packet header carries: 4 for IPv4 (RFC 791 §3.2), 16 for IPv6 (RFC 4291 §2.2).

import { isIpv4, isIpv6, plainHost } from '../protocol/hostPort';

export interface IpAddress {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
}

const ipv4Bytes = (host: string): Uint8Array => Uint8Array.from(host.split('.').map(Number));

/** The eight 16-bit groups of an IPv6 text form, '::' expanded and a dotted IPv4 tail read as two groups. */
function ipv6Groups(host: string): number[] {
  const groupsOf = (half: string): number[] =>
    half === ''
      ? []
      : half.split(':').flatMap((group) => {
          if (!isIpv4(group)) return [parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(group);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = host.split('::');
  const first = groupsOf(head);
  if (tail === undefined) return first;
  const last = groupsOf(tail);
  return [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
}

/**
 * The address a trace endpoint names, or undefined for a host that is not an IP literal. An IPv4-mapped
 * IPv6 address ('::ffff:127.0.0.1', how a dual-stack socket reports an IPv4 peer) is its IPv4 address,
 * as on the wire of an IPv4 connection.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  const host = plainHost(text);
  if (isIpv4(host)) return { version: 4, bytes: ipv4Bytes(host) };
  if (!isIpv6(host)) return undefined;
  const bytes = new Uint8Array(16);
  ipv6Groups(host).forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return { version: 6, bytes };
}

/** An IPv4 address as IPv6 sees it, ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), so both ends of a connection share a version. */
export function asIpv6(address: IpAddress): IpAddress {
  if (address.version === 6) return address;
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(address.bytes, 12);
  return { version: 6, bytes };
}

/**
 * An address as text, as Node and Wireshark write it: dotted IPv4 (RFC 791 §3.2), IPv6 in RFC 5952's
 * canonical form (lower-case hex, no leading zeros, the longest run of two or more zero groups — the
 * first of equals — shortened to '::', and an IPv4-mapped address with its dotted tail, §5).
 */
export function formatIpAddress(address: IpAddress): string {
  const b = address.bytes;
  if (address.version === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  let bestAt = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) [bestAt, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  return bestAt < 0 ? hex(groups) : `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLength))}`;
}
