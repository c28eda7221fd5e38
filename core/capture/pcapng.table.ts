// The pcapng codes FTP Lab writes and reads: block types, option codes, the byte-order magic and link types.
// Source: the PCAP Next Generation format, draft-ietf-opsawg-pcapng (sections cited per row), and the
// link-type registry at tcpdump.org/linktypes.html.

/** Block types (§4.1 SHB, §4.2 IDB, §4.3 EPB, §4.4 SPB; the obsolete Packet Block, Appendix A). */
export const BlockType = {
  sectionHeader: 0x0a0d0d0a,
  interfaceDescription: 0x00000001,
  obsoletePacket: 0x00000002,
  simplePacket: 0x00000003,
  enhancedPacket: 0x00000006,
} as const;

/** Written in the writer's byte order; a reader that sees 0x4D3C2B1A knows to swap (§4.1). */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** The format version this writer produces (§4.1: major 1, minor 0). */
export const PCAPNG_VERSION = { major: 1, minor: 0 } as const;

/** Section length when it is not given: the reader walks the blocks instead (§4.1). */
export const SECTION_LENGTH_UNSPECIFIED = -1;

/** Options every block may carry (§3.5). */
export const CommonOption = { endOfOptions: 0, comment: 1 } as const;

/** Options of the Section Header Block (§4.1). */
export const SectionHeaderOption = { hardware: 2, os: 3, userApplication: 4 } as const;

/** Options of the Interface Description Block (§4.2); if_tsoffset is whole seconds added to every timestamp. */
export const InterfaceOption = { name: 2, description: 3, timestampResolution: 9, timestampOffset: 14 } as const;

/**
 * Link types (tcpdump.org/linktypes.html), shared by pcap and pcapng. RAW is an IPv4 or IPv6 packet with no
 * link header, told apart by its version nibble (12 and 14 are the value some systems wrote for it before 101
 * was fixed); ipv4/ipv6 are raw packets of one version. NULL and LOOP carry a 4-byte address family first, in
 * the writer's byte order and in network byte order respectively. Linux cooked capture: v1 (SLL, 16-byte header)
 * and v2 (SLL2, 20 bytes), what `tcpdump -i any` writes.
 */
export const LinkType = {
  null: 0,
  ethernet: 1,
  rawOpenBsd: 12,
  rawBsdOs: 14,
  raw: 101,
  loop: 108,
  linuxSll: 113,
  ipv4: 228,
  ipv6: 229,
  linuxSll2: 276,
} as const;

/** Every block and every option value is padded to a multiple of this many bytes (§3.1, §3.5). */
export const PCAPNG_ALIGNMENT = 4;

/** The default timestamp resolution of an interface: microseconds, 10^-6 s (§4.2, if_tsresol). */
export const DEFAULT_TIMESTAMP_EXPONENT = 6;
