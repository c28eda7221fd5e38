// Reads an IPv4 or IPv6 packet carrying TCP (RFC 791 §3.1, RFC 8200 §3 and §4, RFC 9293 §3.1) into the
// segment ipTcpPacket.ts writes: addresses, ports, sequence numbers, flags and the payload. Fragments and
// other protocols are skipped with a reason; a payload the capture cut short keeps its length on the wire.

import type { TcpSegment } from '../ipTcpPacket';
import { IP_PROTOCOL_TCP, IPV4, IPV6, TCP_HEADER_BYTES } from '../tcpIp.table';

export interface CapturedSegment extends TcpSegment {
  /** The payload's length on the wire: more than payload.length when the capture kept less (snap length). */
  readonly payloadOnWire: number;
}

/** 'no-length': the IP header gives length 0 and the capture did not keep the whole frame, so nothing says how long it was. */
export type DecodedPacket = { readonly segment: CapturedSegment } | { readonly skip: 'not-tcp' | 'fragment' | 'short' | 'malformed' | 'no-length' };

/** IPv6 extension headers that may come before TCP, and how each gives its length (RFC 8200 §4; RFC 4302 §2.2 for AH). */
const IPV6_EXTENSION = { hopByHop: 0, routing: 43, fragment: 44, authentication: 51, destinationOptions: 60 } as const;
/** IPv4 "more fragments" flag and fragment offset (RFC 791 §3.1): either set, the packet is a fragment. */
const IPV4_FRAGMENT_BITS = 0x3fff;

const u16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** `packet` is the IP packet as captured (from its first byte); `onWire` its length before any snap length cut it. */
export function decodeIpTcp(packet: Uint8Array, onWire: number): DecodedPacket {
  if (packet.length < 1) return { skip: 'short' };
  const version = packet[0]! >> 4;
  let tcpAt: number;
  let end: number;
  let source: Uint8Array;
  let destination: Uint8Array;
  if (version === IPV4.version) {
    if (packet.length < IPV4.headerBytes) return { skip: 'short' };
    const headerBytes = (packet[0]! & 0x0f) * 4;
    if (headerBytes < IPV4.headerBytes) return { skip: 'malformed' };
    if (packet[9] !== IP_PROTOCOL_TCP) return { skip: 'not-tcp' };
    if (u16(packet, 6) & IPV4_FRAGMENT_BITS) return { skip: 'fragment' };
    tcpAt = headerBytes;
    const totalLength = u16(packet, 2);
    // Total length 0: TCP segmentation offload on the capturing host, whose capture holds the whole frame: its
    // length is the truth. A frame cut short (or claiming more on the wire) gives no length to trust.
    if (totalLength === 0 && packet.length !== onWire) return { skip: 'no-length' };
    end = totalLength || packet.length;
    source = packet.subarray(12, 16);
    destination = packet.subarray(16, 20);
  } else if (version === IPV6.version) {
    if (packet.length < IPV6.headerBytes) return { skip: 'short' };
    let next = packet[6]!;
    let at = IPV6.headerBytes;
    // Payload length 0: a jumbogram (RFC 2675) or offload; the frame's length is the truth when the capture holds all of it.
    const payloadLength = u16(packet, 4);
    if (payloadLength === 0 && packet.length !== onWire) return { skip: 'no-length' };
    end = payloadLength === 0 ? packet.length : IPV6.headerBytes + payloadLength;
    for (;;) {
      if (next === IP_PROTOCOL_TCP) break;
      if (next === IPV6_EXTENSION.fragment) return { skip: 'fragment' };
      if (
        next !== IPV6_EXTENSION.hopByHop &&
        next !== IPV6_EXTENSION.routing &&
        next !== IPV6_EXTENSION.destinationOptions &&
        next !== IPV6_EXTENSION.authentication
      )
        return { skip: 'not-tcp' };
      if (packet.length < at + 2) return { skip: 'short' };
      const length = next === IPV6_EXTENSION.authentication ? (packet[at + 1]! + 2) * 4 : (packet[at + 1]! + 1) * 8;
      next = packet[at]!;
      at += length;
    }
    tcpAt = at;
    source = packet.subarray(8, 24);
    destination = packet.subarray(24, 40);
  } else {
    return { skip: 'not-tcp' };
  }
  if (packet.length < tcpAt + TCP_HEADER_BYTES) return { skip: 'short' };
  const tcpHeaderBytes = (packet[tcpAt + 12]! >> 4) * 4;
  if (tcpHeaderBytes < TCP_HEADER_BYTES || tcpAt + tcpHeaderBytes > end) return { skip: 'malformed' };
  if (packet.length < tcpAt + tcpHeaderBytes) return { skip: 'short' };
  const payloadAt = tcpAt + tcpHeaderBytes;
  const ipVersion = version as 4 | 6;
  return {
    segment: {
      source: { version: ipVersion, bytes: source },
      destination: { version: ipVersion, bytes: destination },
      sourcePort: u16(packet, tcpAt),
      destinationPort: u16(packet, tcpAt + 2),
      seq: u32(packet, tcpAt + 4),
      ack: u32(packet, tcpAt + 8),
      flags: packet[tcpAt + 13]!,
      window: u16(packet, tcpAt + 14),
      payload: packet.subarray(payloadAt, Math.min(end, packet.length)),
      payloadOnWire: Math.max(0, end - payloadAt),
    },
  };
}
