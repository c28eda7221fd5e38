// The link-layer facts a capture reader needs to find the IP packet in a frame: EtherTypes, header sizes of
// the link types FTP captures come with (Ethernet, Linux cooked v1/v2, BSD loopback), and the address
// families BSD loopback headers name IPv4 and IPv6 with.

/** EtherTypes (IEEE 802 numbers; IANA's ieee-802-numbers registry): the protocol a frame carries. */
export const EtherType = { ipv4: 0x0800, ipv6: 0x86dd } as const;

/** VLAN tags, each 4 bytes before the real EtherType: 802.1Q, 802.1ad (QinQ) and the older QinQ value. */
export const VLAN_ETHER_TYPES: ReadonlySet<number> = new Set([0x8100, 0x88a8, 0x9100]);
export const VLAN_TAG_BYTES = 4;

/** Ethernet II: destination and source MAC, then the EtherType (IEEE 802.3 §3.1.1). */
export const ETHERNET_HEADER_BYTES = 14;

/** Linux cooked capture v1 (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html): the protocol type in its last 2 bytes. */
export const LINUX_SLL = { headerBytes: 16, protocolAt: 14 } as const;

/** Linux cooked capture v2 (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html): the protocol type in its first 2 bytes. */
export const LINUX_SLL2 = { headerBytes: 20, protocolAt: 0 } as const;

/** BSD loopback (NULL, LOOP): a 4-byte address family before the packet. */
export const BSD_LOOPBACK_HEADER_BYTES = 4;

/** AF_INET is 2 everywhere; AF_INET6 differs by system (Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30). */
export const BSD_AF_INET = 2;
export const BSD_AF_INET6: ReadonlySet<number> = new Set([10, 24, 28, 30]);
