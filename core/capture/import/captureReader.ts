// Opens a capture file of either format, pcap or pcapng, told apart by its first bytes; a file of neither
// is refused with a sentence that says what it looks like instead.

import { CaptureError, type CapturedPacket } from './capturedPacket';
import type { ImportNotes } from './importNotes';
import { isPcap, readPcap } from './pcapReader';
import { isPcapng, readPcapng } from './pcapngReader';

export type CaptureFormat = 'pcap' | 'pcapng';

/** Is this a capture file (rather than, say, a trace's JSON)? */
export function captureFormatOf(bytes: Uint8Array): CaptureFormat | undefined {
  if (isPcapng(bytes)) return 'pcapng';
  if (isPcap(bytes)) return 'pcap';
  return undefined;
}

/** What a file that is not a capture seems to be, for the refusal. */
function lookalike(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'it is empty';
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'it is gzip-compressed: decompress it first';
  const first = String.fromCharCode(...bytes.subarray(0, 16)).trimStart();
  if (first.startsWith('{')) return 'it looks like JSON (an FTP Lab trace opens as it is)';
  const hex = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with the bytes ${hex}`;
}

/** The packets of a capture, in file order; throws CaptureError for a file that is no capture at all. */
export function readCapture(bytes: Uint8Array, notes: ImportNotes): { format: CaptureFormat; packets: Iterable<CapturedPacket> } {
  const format = captureFormatOf(bytes);
  if (!format) throw new CaptureError(`Not a pcap or pcapng capture: ${lookalike(bytes)}.`);
  return { format, packets: format === 'pcapng' ? readPcapng(bytes, notes) : readPcap(bytes, notes) };
}
