// The classic pcap file format's codes (draft-ietf-opsawg-pcap, sections cited per row): the magic numbers
// that give the byte order and timestamp unit, and the sizes of the file and record headers.

/** The file's first four bytes, read big-endian (§4): microsecond or nanosecond timestamps; swapped, the other byte order. */
export const PcapMagic = {
  microseconds: 0xa1b2c3d4,
  nanoseconds: 0xa1b23c4d,
  microsecondsSwapped: 0xd4c3b2a1,
  nanosecondsSwapped: 0x4d3cb2a1,
} as const;

/** The file header (§4): magic, version, two reserved words, snap length, link type and FCS bits. */
export const PCAP_FILE_HEADER_BYTES = 24;

/** Each packet record's header (§5): seconds, sub-second fraction, captured length, original length. */
export const PCAP_RECORD_HEADER_BYTES = 16;

/** The link type is the low 16 bits of the header's last word; the bits above say whether an FCS is present (§4). */
export const PCAP_LINK_TYPE_MASK = 0xffff;
