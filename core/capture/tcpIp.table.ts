// The IP and TCP facts a rebuilt packet needs: header sizes, flag bits, option kinds, protocol numbers,
// and the values Linux uses on the loopback interface, which is where FTP Lab's sessions run.

/** TCP header flag bits, in the low byte of the flags field (RFC 9293 §3.1). */
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** TCP option kinds (RFC 9293 §3.2): a SYN names its maximum segment size with kind 2, length 4. */
export const TcpOption = { maximumSegmentSize: { kind: 2, length: 4 } } as const;

/** A TCP header without options (RFC 9293 §3.1). */
export const TCP_HEADER_BYTES = 20;

/** The largest window a TCP header can state without the window-scale option (RFC 7323 §2). */
export const UNSCALED_MAX_WINDOW = 65535;

/** The IP protocol number of TCP (IANA protocol numbers; RFC 791 §3.1, RFC 8200 §3 "Next Header"). */
export const IP_PROTOCOL_TCP = 6;

/** IPv4 header fields as written here (RFC 791 §3.1); ID 0 is allowed for packets that may not be fragmented (RFC 6864 §4.1). */
export const IPV4 = { version: 4, headerBytes: 20, dontFragment: 0x4000, timeToLive: 64, identification: 0 } as const;

/** IPv6 header fields as written here (RFC 8200 §3). */
export const IPV6 = { version: 6, headerBytes: 40, hopLimit: 64 } as const;

/** Linux's loopback MTU: a segment on lo carries up to MTU - IP header - TCP header bytes (the MSS its SYN announces). */
export const LOOPBACK_MTU = 65536;

/** An IPv4 packet's total length field has 16 bits (RFC 791 §3.1): a packet is at most this long, whatever the MTU. */
export const IPV4_MAX_PACKET_BYTES = 65535;

/**
 * The maximum segment size on loopback for an IP version, what Linux announces in the SYN there (RFC 9293
 * §3.7.1): 65495 for IPv4 (the 16-bit total length caps the packet below the MTU), 65476 for IPv6.
 */
export function loopbackMss(version: 4 | 6): number {
  const packet = version === 4 ? Math.min(LOOPBACK_MTU, IPV4_MAX_PACKET_BYTES) - IPV4.headerBytes : LOOPBACK_MTU - IPV6.headerBytes;
  return packet - TCP_HEADER_BYTES;
}
