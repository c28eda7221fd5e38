// Tests the PORT/227 (RFC 959) and EPRT/229 (RFC 2428) address codecs, RFC examples first.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  formatEprtArgument,
  formatEpsvReply,
  formatPasvReply,
  formatPortArgument,
  isIpv6,
  parseEprtArgument,
  parseEpsvReply,
  parsePasvReply,
  parsePortArgument,
} from '../../../core/protocol/hostPort';
import type { HostPort } from '../../../core/protocol/hostPort';

const portArb = fc.integer({ min: 0, max: 65535 });
const tcpPortArb = fc.integer({ min: 1, max: 65535 });
// fc.ipV4() writes plain dotted decimal without leading zeros, the only form the codecs accept.
const hostPortArb = fc.record({ host: fc.ipV4(), port: portArb });

describe('parsePortArgument', () => {
  const rows: { title: string; arg: string; expected: HostPort | { error: 'syntax' } }[] = [
    { title: 'RFC 959 §4.1.2 form', arg: '127,0,0,1,19,136', expected: { host: '127.0.0.1', port: 5000 } },
    { title: 'port = p1*256 + p2', arg: '132,235,1,2,24,131', expected: { host: '132.235.1.2', port: 6275 } },
    { title: 'zero fields are allowed (facts §0 #8)', arg: '0,0,0,0,0,0', expected: { host: '0.0.0.0', port: 0 } },
    { title: 'all fields 255', arg: '255,255,255,255,255,255', expected: { host: '255.255.255.255', port: 65535 } },
    { title: 'spaces around fields are tolerated', arg: ' 10 , 0,0 ,1, 4 ,1 ', expected: { host: '10.0.0.1', port: 1025 } },
    { title: 'leading zeros are still decimal', arg: '010,000,000,001,004,001', expected: { host: '10.0.0.1', port: 1025 } },
    { title: 'five fields', arg: '127,0,0,1,19', expected: { error: 'syntax' } },
    { title: 'seven fields', arg: '127,0,0,1,19,136,1', expected: { error: 'syntax' } },
    { title: 'a field above 255', arg: '127,0,0,256,19,136', expected: { error: 'syntax' } },
    { title: 'a negative field', arg: '127,0,0,1,-1,136', expected: { error: 'syntax' } },
    { title: 'an empty field', arg: '127,0,,1,19,136', expected: { error: 'syntax' } },
    { title: 'a hexadecimal field', arg: '0x7f,0,0,1,19,136', expected: { error: 'syntax' } },
    { title: 'a dotted address instead of commas', arg: '127.0.0.1,19,136', expected: { error: 'syntax' } },
    { title: 'a space inside a field', arg: '12 7,0,0,1,19,136', expected: { error: 'syntax' } },
    { title: 'empty argument', arg: '', expected: { error: 'syntax' } },
  ];
  for (const row of rows) {
    it(row.title, () => {
      expect(parsePortArgument(row.arg)).toEqual(row.expected);
    });
  }
});

describe('formatPortArgument and formatPasvReply', () => {
  const rows = [
    { title: 'PORT argument for 127.0.0.1:5000', run: () => formatPortArgument({ host: '127.0.0.1', port: 5000 }), expected: '127,0,0,1,19,136' },
    { title: 'PORT argument for port 0 and 65535', run: () => formatPortArgument({ host: '1.2.3.4', port: 65535 }), expected: '1,2,3,4,255,255' },
    { title: '227 text (959 §4.2.1)', run: () => formatPasvReply({ host: '127.0.0.1', port: 50000 }), expected: 'Entering Passive Mode (127,0,0,1,195,80).' },
    {
      title: 'an IPv4-mapped IPv6 host is sent as IPv4',
      run: () => formatPasvReply({ host: '::ffff:127.0.0.1', port: 2121 }),
      expected: 'Entering Passive Mode (127,0,0,1,8,73).',
    },
  ];
  it.each(rows)('$title', ({ run, expected }) => {
    expect(run()).toBe(expected);
  });

  const refused = [
    { title: 'an IPv6 host (PORT/PASV cannot carry it)', hp: { host: '::1', port: 2121 } },
    { title: 'a host name', hp: { host: 'localhost', port: 2121 } },
    { title: 'a port above 65535', hp: { host: '127.0.0.1', port: 65536 } },
    { title: 'a fractional port', hp: { host: '127.0.0.1', port: 1.5 } },
  ];
  it.each(refused)('refuses $title', ({ hp }) => {
    expect(() => formatPortArgument(hp)).toThrow(RangeError);
    expect(() => formatPasvReply(hp)).toThrow(RangeError);
  });
});

describe('parsePasvReply', () => {
  const rows: { title: string; text: string; expected: HostPort | null }[] = [
    { title: 'with parentheses (959 §4.2.1)', text: 'Entering Passive Mode (127,0,0,1,195,80).', expected: { host: '127.0.0.1', port: 50000 } },
    {
      title: 'without parentheses, 959 §5.2 Fig. 3 style (1123 §4.1.2.6: scan for the first digit)',
      text: 'Entering Passive Mode. 132,235,1,2,24,131',
      expected: { host: '132.235.1.2', port: 6275 },
    },
    { title: 'the text still carrying its 227 code', text: '227 Entering Passive Mode (10,0,0,7,4,1)', expected: { host: '10.0.0.7', port: 1025 } },
    { title: 'numbers glued to other text', text: 'Entering Passive Mode =192,168,0,10,200,10', expected: { host: '192.168.0.10', port: 51210 } },
    { title: 'spaces after the commas', text: 'Passive (127, 0, 0, 1, 19, 136)', expected: { host: '127.0.0.1', port: 5000 } },
    { title: 'no numbers at all', text: 'Entering Passive Mode', expected: null },
    { title: 'only five numbers', text: 'Entering Passive Mode (127,0,0,1,19)', expected: null },
    { title: 'a number above 255', text: 'Entering Passive Mode (127,0,0,1,300,1)', expected: null },
    { title: 'a four-digit number is not cut into a valid one', text: 'Entering Passive Mode (1127,0,0,1,19,136)', expected: null },
    { title: 'empty text', text: '', expected: null },
  ];
  for (const row of rows) {
    it(row.title, () => {
      expect(parsePasvReply(row.text)).toEqual(row.expected);
    });
  }
});

describe('parseEprtArgument', () => {
  const rows = [
    { title: 'RFC 2428 §2 IPv4 example', arg: '|1|132.235.1.2|6275|', expected: { ok: true, family: 1, host: '132.235.1.2', port: 6275 } },
    { title: 'RFC 2428 §2 IPv6 example', arg: '|2|1080::8:800:200C:417A|5282|', expected: { ok: true, family: 2, host: '1080::8:800:200C:417A', port: 5282 } },
    { title: 'another delimiter (any ASCII 33-126)', arg: '!1!127.0.0.1!2121!', expected: { ok: true, family: 1, host: '127.0.0.1', port: 2121 } },
    { title: 'delimiter ~ (126)', arg: '~2~::1~65535~', expected: { ok: true, family: 2, host: '::1', port: 65535 } },
    { title: 'full eight-group IPv6', arg: '|2|2001:db8:0:0:0:0:0:1|1|', expected: { ok: true, family: 2, host: '2001:db8:0:0:0:0:0:1', port: 1 } },
    { title: 'IPv4-mapped IPv6', arg: '|2|::ffff:127.0.0.1|2121|', expected: { ok: true, family: 2, host: '::ffff:127.0.0.1', port: 2121 } },
    { title: 'spaces around the argument are ignored', arg: ' |1|10.0.0.1|1025| ', expected: { ok: true, family: 1, host: '10.0.0.1', port: 1025 } },
    { title: 'unknown family gets 522 (2428 §2)', arg: '|3|132.235.1.2|6275|', expected: { ok: false, code: 522 } },
    { title: 'unknown family with a strange address still gets 522', arg: '|9|whatever|6275|', expected: { ok: false, code: 522 } },
    { title: 'non-numeric family', arg: '|x|132.235.1.2|6275|', expected: { ok: false, code: 501 } },
    { title: 'empty family', arg: '||132.235.1.2|6275|', expected: { ok: false, code: 501 } },
    { title: 'family 1 with an IPv6 address', arg: '|1|::1|6275|', expected: { ok: false, code: 501 } },
    { title: 'family 2 with an IPv4 address', arg: '|2|127.0.0.1|6275|', expected: { ok: false, code: 501 } },
    { title: 'IPv4 field above 255', arg: '|1|127.0.0.256|6275|', expected: { ok: false, code: 501 } },
    { title: 'IPv4 with three fields', arg: '|1|127.0.1|6275|', expected: { ok: false, code: 501 } },
    { title: 'IPv4 with a leading zero (octal in some parsers)', arg: '|1|127.0.0.010|6275|', expected: { ok: false, code: 501 } },
    { title: 'a host name', arg: '|1|localhost|6275|', expected: { ok: false, code: 501 } },
    { title: 'IPv6 with two ::', arg: '|2|1::2::3|6275|', expected: { ok: false, code: 501 } },
    { title: 'IPv6 with nine groups', arg: '|2|1:2:3:4:5:6:7:8:9|6275|', expected: { ok: false, code: 501 } },
    { title: 'IPv6 group of five hex digits', arg: '|2|12345::1|6275|', expected: { ok: false, code: 501 } },
    { title: 'IPv6 with a zone suffix', arg: '|2|fe80::1%eth0|6275|', expected: { ok: false, code: 501 } },
    { title: 'port 0', arg: '|1|127.0.0.1|0|', expected: { ok: false, code: 501 } },
    { title: 'port 65536', arg: '|1|127.0.0.1|65536|', expected: { ok: false, code: 501 } },
    { title: 'non-numeric port', arg: '|1|127.0.0.1|http|', expected: { ok: false, code: 501 } },
    { title: 'missing final delimiter', arg: '|1|127.0.0.1|6275', expected: { ok: false, code: 501 } },
    { title: 'extra field', arg: '|1|127.0.0.1|6275|1|', expected: { ok: false, code: 501 } },
    { title: 'mixed delimiters', arg: '|1!127.0.0.1|6275|', expected: { ok: false, code: 501 } },
    { title: 'a delimiter that is also in the address (.)', arg: '.1.127.0.0.1.6275.', expected: { ok: false, code: 501 } },
    { title: 'a control character as delimiter', arg: '\t1\t127.0.0.1\t6275\t', expected: { ok: false, code: 501 } },
    { title: 'a non-ASCII delimiter', arg: '¦1¦127.0.0.1¦6275¦', expected: { ok: false, code: 501 } },
    { title: 'empty argument', arg: '', expected: { ok: false, code: 501 } },
    { title: 'PORT syntax sent to EPRT', arg: '127,0,0,1,19,136', expected: { ok: false, code: 501 } },
  ];
  it.each(rows)('$title', ({ arg, expected }) => {
    expect(parseEprtArgument(arg)).toEqual(expected);
  });
});

describe('formatEprtArgument, formatEpsvReply, parseEpsvReply', () => {
  const rows = [
    { title: 'EPRT for IPv4 (2428 §2)', run: () => formatEprtArgument({ family: 1, host: '132.235.1.2', port: 6275 }), expected: '|1|132.235.1.2|6275|' },
    {
      title: 'EPRT family guessed from an IPv6 host',
      run: () => formatEprtArgument({ host: '1080::8:800:200C:417A', port: 5282 }),
      expected: '|2|1080::8:800:200C:417A|5282|',
    },
    { title: 'EPRT family guessed from an IPv4 host', run: () => formatEprtArgument({ host: '127.0.0.1', port: 2121 }), expected: '|1|127.0.0.1|2121|' },
    { title: '229 text (2428 §3)', run: () => formatEpsvReply(6446), expected: 'Entering Extended Passive Mode (|||6446|)' },
  ];
  it.each(rows)('$title', ({ run, expected }) => {
    expect(run()).toBe(expected);
  });

  const refused = [
    { title: 'EPRT with family 1 and an IPv6 host', run: () => formatEprtArgument({ family: 1, host: '::1', port: 2121 }) },
    { title: 'EPRT with port 0', run: () => formatEprtArgument({ family: 1, host: '127.0.0.1', port: 0 }) },
    { title: 'EPSV with port 70000', run: () => formatEpsvReply(70000) },
  ];
  it.each(refused)('refuses $title', ({ run }) => {
    expect(run).toThrow(RangeError);
  });

  const parsed: { title: string; text: string; expected: number | null }[] = [
    { title: 'RFC 2428 §3 example', text: 'Entering Extended Passive Mode (|||6446|)', expected: 6446 },
    { title: 'with the 229 code in front', text: '229 Entering Extended Passive Mode (|||6446|)', expected: 6446 },
    { title: 'another delimiter', text: 'Entering Extended Passive Mode (!!!2121!)', expected: 2121 },
    { title: 'digits elsewhere in the text are ignored', text: 'Port 99 for you (|||40000|)', expected: 40000 },
    { title: 'mixed delimiters', text: 'Entering Extended Passive Mode (||!6446|)', expected: null },
    { title: 'address fields not empty', text: 'Entering Extended Passive Mode (|1|127.0.0.1|6446|)', expected: null },
    { title: 'no parentheses', text: 'Entering Extended Passive Mode |||6446|', expected: null },
    { title: 'port 0', text: 'Entering Extended Passive Mode (|||0|)', expected: null },
    { title: 'port above 65535', text: 'Entering Extended Passive Mode (|||65536|)', expected: null },
    { title: 'no port', text: 'Entering Extended Passive Mode (||||)', expected: null },
    { title: 'a PASV-style text', text: 'Entering Passive Mode (127,0,0,1,19,136)', expected: null },
  ];
  for (const row of parsed) {
    it(`parseEpsvReply: ${row.title}`, () => {
      expect(parseEpsvReply(row.text)).toBe(row.expected);
    });
  }
});

describe('isIpv6', () => {
  const rows = [
    { title: 'unspecified ::', host: '::', expected: true },
    { title: 'loopback ::1', host: '::1', expected: true },
    { title: 'trailing ::', host: 'fe80::', expected: true },
    { title: 'IPv4 tail after ::', host: '::1.2.3.4', expected: true },
    { title: 'six groups and an IPv4 tail', host: '1:2:3:4:5:6:1.2.3.4', expected: true },
    { title: 'seven groups and an IPv4 tail is too many', host: '1:2:3:4:5:6:7:1.2.3.4', expected: false },
    { title: 'IPv4 part before the end', host: '1.2.3.4::1', expected: false },
    { title: 'IPv4 part right before a trailing ::', host: '1:2:1.2.3.4::', expected: false },
    { title: 'seven groups without ::', host: '1:2:3:4:5:6:7', expected: false },
    { title: 'eight groups with :: is too many', host: '1:2:3:4::5:6:7:8', expected: false },
    { title: ':::', host: ':::', expected: false },
    { title: 'leading single colon', host: ':1::', expected: false },
    { title: 'empty string', host: '', expected: false },
  ];
  it.each(rows)('$title', ({ host, expected }) => {
    expect(isIpv6(host)).toBe(expected);
  });
});

describe('hostPort round trips (properties)', () => {
  it('parsePortArgument(formatPortArgument(x)) = x', () => {
    fc.assert(
      fc.property(hostPortArb, (hp) => {
        expect(parsePortArgument(formatPortArgument(hp))).toEqual(hp);
      }),
    );
  });

  it('parsePasvReply(formatPasvReply(x)) = x, with or without the 227 code in front', () => {
    fc.assert(
      fc.property(hostPortArb, fc.boolean(), (hp, withCode) => {
        const text = (withCode ? '227 ' : '') + formatPasvReply(hp);
        expect(parsePasvReply(text)).toEqual(hp);
      }),
    );
  });

  it('parseEprtArgument(formatEprtArgument(x)) = x for IPv4 and IPv6', () => {
    const target = fc.oneof(
      fc.record({ family: fc.constant(1 as const), host: fc.ipV4(), port: tcpPortArb }),
      fc.record({ family: fc.constant(2 as const), host: fc.ipV6(), port: tcpPortArb }),
    );
    fc.assert(
      fc.property(target, (t) => {
        expect(parseEprtArgument(formatEprtArgument(t))).toEqual({ ok: true, ...t });
      }),
    );
  });

  it('EPRT parses with any delimiter that does not occur in the address', () => {
    const delimiters = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).filter((c) => !/[0-9A-Fa-f:.]/.test(c));
    fc.assert(
      fc.property(fc.constantFrom(...delimiters), fc.ipV6(), tcpPortArb, (d, host, port) => {
        expect(parseEprtArgument(`${d}2${d}${host}${d}${port}${d}`)).toEqual({ ok: true, family: 2, host, port });
      }),
    );
  });

  it('parseEpsvReply(formatEpsvReply(p)) = p', () => {
    fc.assert(
      fc.property(tcpPortArb, (port) => {
        expect(parseEpsvReply(formatEpsvReply(port))).toBe(port);
      }),
    );
  });
});
