// Finds the IP packet inside a captured frame, by the frame's link type: Ethernet (VLAN tags skipped),
// Linux cooked capture v1 and v2, BSD loopback (NULL and LOOP) and raw IP. Returns where it starts, or why
// the frame carries no IP packet.

import { LinkType } from '../pcapng.table';
import {
  BSD_AF_INET,
  BSD_AF_INET6,
  BSD_LOOPBACK_HEADER_BYTES,
  ETHERNET_HEADER_BYTES,
  EtherType,
  LINUX_SLL,
  LINUX_SLL2,
  VLAN_ETHER_TYPES,
  VLAN_TAG_BYTES,
} from '../linkLayer.table';

export type IpLocation = { readonly ipAt: number } | { readonly skip: 'not-ip' | 'link-type' | 'short' };

const isIpEtherType = (type: number) => type === EtherType.ipv4 || type === EtherType.ipv6;
const u16 = (frame: Uint8Array, at: number) => (frame[at]! << 8) | frame[at + 1]!;

function ethernet(frame: Uint8Array): IpLocation {
  let at = ETHERNET_HEADER_BYTES - 2;
  if (frame.length < at + 2) return { skip: 'short' };
  let type = u16(frame, at);
  // Stacked VLAN tags: each is a TPID already read, then 2 bytes of tag control, then the next type.
  while (VLAN_ETHER_TYPES.has(type)) {
    at += VLAN_TAG_BYTES;
    if (frame.length < at + 2) return { skip: 'short' };
    type = u16(frame, at);
  }
  return isIpEtherType(type) ? { ipAt: at + 2 } : { skip: 'not-ip' };
}

function cooked(frame: Uint8Array, layout: { headerBytes: number; protocolAt: number }): IpLocation {
  if (frame.length < layout.headerBytes) return { skip: 'short' };
  return isIpEtherType(u16(frame, layout.protocolAt)) ? { ipAt: layout.headerBytes } : { skip: 'not-ip' };
}

/** NULL writes the family in the capturing host's byte order, LOOP in network order: accept it either way. */
function bsdLoopback(frame: Uint8Array): IpLocation {
  if (frame.length < BSD_LOOPBACK_HEADER_BYTES) return { skip: 'short' };
  const big = ((frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!) >>> 0;
  const little = ((frame[3]! << 24) | (frame[2]! << 16) | (frame[1]! << 8) | frame[0]!) >>> 0;
  const family = Math.min(big, little);
  return family === BSD_AF_INET || BSD_AF_INET6.has(family) ? { ipAt: BSD_LOOPBACK_HEADER_BYTES } : { skip: 'not-ip' };
}

export function locateIp(linkType: number, frame: Uint8Array): IpLocation {
  switch (linkType) {
    case LinkType.ethernet:
      return ethernet(frame);
    case LinkType.linuxSll:
      return cooked(frame, LINUX_SLL);
    case LinkType.linuxSll2:
      return cooked(frame, LINUX_SLL2);
    case LinkType.null:
    case LinkType.loop:
      return bsdLoopback(frame);
    case LinkType.raw:
    case LinkType.rawOpenBsd:
    case LinkType.rawBsdOs:
    case LinkType.ipv4:
    case LinkType.ipv6:
      return { ipAt: 0 };
    default:
      return { skip: 'link-type' };
  }
}
