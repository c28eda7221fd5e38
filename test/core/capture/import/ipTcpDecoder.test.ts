// An IP packet whose length field says 0 (segmentation offload on the capturing host, RFC 2675 jumbograms): the
// frame's length is trusted only when the capture holds the whole frame; a frame cut short is refused and counted,
// not read as a segment as long as the capture header claims (up to 16 MB of invented gap).

import { describe, expect, it } from 'vitest';
import { importCapture } from '../../../../core/capture/import/captureImport';
import { decodeIpTcp } from '../../../../core/capture/import/ipTcpDecoder';
import { encodeIpTcpPacket } from '../../../../core/capture/ipTcpPacket';
import { LinkType } from '../../../../core/capture/pcapng.table';
import { pcapngFile } from '../../../../core/capture/pcapngWriter';
import { Conversation, end } from '../../../support/craftedCapture';

/** A packet's bytes with its IP length field set to 0 (IPv4 total length, or IPv6 payload length). */
function withZeroLength(packet: Uint8Array): Uint8Array {
  const copy = packet.slice();
  const at = copy[0]! >> 4 === 4 ? 2 : 4;
  copy[at] = 0;
  copy[at + 1] = 0;
  return copy;
}

const clock = { t: 0 };
const v4 = new Conversation([end('192.0.2.10', 40000), end('192.0.2.21', 21)], clock);
const v6 = new Conversation([end('2001:db8::10', 40000), end('2001:db8::21', 21)], clock);
const rows = [
  { title: 'IPv4', packet: encodeIpTcpPacket(v4.data(1, '220 Ready.\r\n').segment) },
  { title: 'IPv6', packet: encodeIpTcpPacket(v6.data(1, '220 Ready.\r\n').segment) },
];

describe('an IP length of 0', () => {
  it.each(rows)('$title, captured whole: the frame is the packet (offload)', ({ packet }) => {
    const decoded = decodeIpTcp(withZeroLength(packet), packet.length);
    expect(decoded).toMatchObject({ segment: { payloadOnWire: 12 } });
  });

  it.each(rows)('$title, cut short by the capture: refused, since nothing says how long it was (was a 16 MB segment)', ({ packet }) => {
    expect(decodeIpTcp(withZeroLength(packet), 16_000_000)).toEqual({ skip: 'no-length' });
  });

  it('in an import, each such packet is counted in one sentence, and no gap is made of it', () => {
    const c = new Conversation([end('192.0.2.10', 40000), end('192.0.2.21', 21)], { t: 0 });
    const packets = [...c.handshake(), ...c.send(1, '220 Ready.\r\n'), c.data(1, '230 Hi.\r\n'), ...c.send(1, '221 Bye.\r\n')];
    const bad = packets[5]!;
    const file = pcapngFile(
      { comment: 'crafted by a test' },
      [{ linkType: LinkType.raw }],
      packets.map((p) => {
        const data = encodeIpTcpPacket(p.segment);
        return p === bad
          ? { interfaceId: 0, timestamp: p.timeMs * 1000, data: withZeroLength(data), originalLength: 16_000_000 }
          : { interfaceId: 0, timestamp: p.timeMs * 1000, data };
      }),
    );
    const trace = importCapture(file, { fileName: 'crafted.pcapng', tool: 'test' });
    const sentences = trace.meta.capture!.notReconstructed.join('\n');
    expect(sentences).toContain('1 packet gave an IP length of 0 (as segmentation offload does) but was not captured whole');
    expect(sentences).not.toMatch(/\d{5,} bytes/);
  });
});
