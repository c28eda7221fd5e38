// Tests reading a trace endpoint's host into header bytes: IPv4, IPv6 in its text forms (RFC 4291 §2.2),
// IPv4-mapped addresses as IPv4, and anything that is not an IP literal refused.

import { describe, expect, it } from 'vitest';
import { asIpv6, parseIpAddress } from '../../../core/capture/ipAddress';

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

describe('parseIpAddress', () => {
  const rows: { title: string; host: string; version?: 4 | 6; hex?: string }[] = [
    { title: 'IPv4 loopback', host: '127.0.0.1', version: 4, hex: '7f000001' },
    { title: 'IPv4 edges', host: '255.0.10.1', version: 4, hex: 'ff000a01' },
    { title: 'an IPv4-mapped address, as a dual-stack socket reports an IPv4 peer, is IPv4', host: '::ffff:127.0.0.1', version: 4, hex: '7f000001' },
    { title: 'IPv6 loopback', host: '::1', version: 6, hex: '00000000000000000000000000000001' },
    { title: 'the unspecified address', host: '::', version: 6, hex: '00000000000000000000000000000000' },
    { title: 'RFC 4291 §2.2 example, compressed', host: '2001:DB8::8:800:200C:417A', version: 6, hex: '20010db80000000000080800200c417a' },
    { title: 'all eight groups', host: 'fe80:0:0:0:202:b3ff:fe1e:8329', version: 6, hex: 'fe800000000000000202b3fffe1e8329' },
    { title: 'a dotted IPv4 tail (RFC 4291 §2.2, form 3)', host: '64:ff9b::192.0.2.33', version: 6, hex: '0064ff9b0000000000000000c0000221' },
    { title: 'a name is not an address', host: 'localhost' },
    { title: 'empty', host: '' },
    { title: 'a zone suffix means nothing on the wire', host: 'fe80::1%eth0' },
    { title: 'an IPv4 field over 255', host: '127.0.0.256' },
  ];
  it.each(rows)('$title: $host', ({ host, version, hex: expected }) => {
    const address = parseIpAddress(host);
    if (version === undefined) return expect(address).toBeUndefined();
    expect(address?.version).toBe(version);
    expect(hex(address!.bytes)).toBe(expected);
  });
});

describe('asIpv6', () => {
  it('maps an IPv4 address to ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), and leaves IPv6 alone', () => {
    expect(hex(asIpv6(parseIpAddress('192.0.2.1')!).bytes)).toBe('00000000000000000000ffffc0000201');
    const v6 = parseIpAddress('::1')!;
    expect(asIpv6(v6)).toBe(v6);
  });
});
