// Reads a classic pcap file (draft-ietf-opsawg-pcap): either byte order, microsecond or nanosecond
// timestamps. Lazy and zero-copy: packets are views into the file's bytes, yielded one by one.

import { PCAP_FILE_HEADER_BYTES, PCAP_LINK_TYPE_MASK, PCAP_RECORD_HEADER_BYTES, PcapMagic } from '../pcap.table';
import { CaptureError, type CapturedPacket } from './capturedPacket';
import type { ImportNotes } from './importNotes';

/** A record longer than this is not a packet but a damaged file (libpcap's own limit is 256 KiB; jumbo loopback frames fit). */
export const MAX_PCAP_RECORD_BYTES = 16 * 1024 * 1024;

/** Is this the start of a pcap file? */
export function isPcap(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  return (Object.values(PcapMagic) as number[]).includes(magic);
}

export function* readPcap(bytes: Uint8Array, notes: ImportNotes): Generator<CapturedPacket> {
  if (bytes.length < PCAP_FILE_HEADER_BYTES)
    throw new CaptureError(`The file ends inside its pcap header (${bytes.length} of ${PCAP_FILE_HEADER_BYTES} bytes).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  // Written big-endian, the magic reads as itself; a little-endian writer's reads swapped.
  const little = magic === PcapMagic.microsecondsSwapped || magic === PcapMagic.nanosecondsSwapped;
  const fractionPerMs = magic === PcapMagic.nanoseconds || magic === PcapMagic.nanosecondsSwapped ? 1e6 : 1e3;
  const linkType = view.getUint32(20, little) & PCAP_LINK_TYPE_MASK;
  let at = PCAP_FILE_HEADER_BYTES;
  let frame = 0;
  while (at < bytes.length) {
    if (bytes.length - at < PCAP_RECORD_HEADER_BYTES) {
      notes.say(`The file ends inside a packet header (at byte ${at}): the packets before it are imported.`);
      return;
    }
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const captured = view.getUint32(at + 8, little);
    const original = view.getUint32(at + 12, little);
    if (captured > MAX_PCAP_RECORD_BYTES) {
      notes.say(
        `Packet ${frame + 1} claims ${captured} bytes (at byte ${at}), more than any packet holds: the file is damaged there, and the packets before it are imported.`,
      );
      return;
    }
    const start = at + PCAP_RECORD_HEADER_BYTES;
    if (start + captured > bytes.length) {
      notes.say(`The file ends inside packet ${frame + 1} (${bytes.length - start} of its ${captured} bytes): the packets before it are imported.`);
      return;
    }
    frame += 1;
    yield {
      frame,
      timeMs: seconds * 1000 + fraction / fractionPerMs,
      linkType,
      data: bytes.subarray(start, start + captured),
      originalLength: Math.max(original, captured),
    };
    at = start + captured;
  }
}
