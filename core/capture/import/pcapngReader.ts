// Reads a pcapng file (draft-ietf-opsawg-pcapng): sections in either byte order, several interfaces with
// their link types and timestamp resolutions, and the packet blocks EPB, SPB and the obsolete PB; other
// blocks are skipped. Lazy and zero-copy: packets are views into the file's bytes, yielded one by one.

import { BlockType, BYTE_ORDER_MAGIC, CommonOption, DEFAULT_TIMESTAMP_EXPONENT, InterfaceOption, PCAPNG_ALIGNMENT } from '../pcapng.table';
import { CaptureError, type CapturedPacket } from './capturedPacket';
import { plural } from '../plural';
import type { ImportNotes } from './importNotes';

interface Interface {
  readonly linkType: number;
  readonly snapLength: number;
  /** Timestamp units per millisecond (divided by, so that 10^-6 and 10^-9 s give exact milliseconds). */
  readonly unitsPerMs: number;
  /** if_tsoffset, in milliseconds. */
  readonly offsetMs: number;
}

/** The smallest block: type, total length, total length again (§3.1). */
const MIN_BLOCK_BYTES = 12;

/** Is this the start of a pcapng file? The Section Header Block's type reads the same in both byte orders (§4.1). */
export function isPcapng(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === BlockType.sectionHeader;
}

/** if_tsresol (§4.2): bit 7 clear, a negative power of ten; set, a negative power of two. */
function unitsPerMs(resolution: number): number {
  const exponent = resolution & 0x7f;
  return resolution & 0x80 ? 2 ** exponent / 1000 : 10 ** (exponent - 3);
}

export function* readPcapng(bytes: Uint8Array, notes: ImportNotes): Generator<CapturedPacket> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little = true;
  let interfaces: Interface[] = [];
  let frame = 0;
  let lastTimeMs = 0;
  const damaged = (at: number, what: string) =>
    notes.say(`The file is damaged at byte ${at} (${what}): the ${plural(frame, 'packet')} before it ${frame === 1 ? 'is' : 'are'} imported.`);

  /** The options of a block body from `at` to `end` (§3.5), as code → value views. */
  const optionsOf = (at: number, end: number): Map<number, Uint8Array> => {
    const options = new Map<number, Uint8Array>();
    while (at + 4 <= end) {
      const code = view.getUint16(at, little);
      const length = view.getUint16(at + 2, little);
      if (code === CommonOption.endOfOptions || at + 4 + length > end) break;
      if (!options.has(code)) options.set(code, bytes.subarray(at + 4, at + 4 + length));
      at += 4 + Math.ceil(length / PCAPNG_ALIGNMENT) * PCAPNG_ALIGNMENT;
    }
    return options;
  };

  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < MIN_BLOCK_BYTES) {
      if (at === 0) throw new CaptureError('The file is too short to be a pcapng capture.');
      notes.say(`The file ends inside a block header (at byte ${at}): the packets before it are imported.`);
      return;
    }
    const type = view.getUint32(at, little);
    if (type === BlockType.sectionHeader) {
      // A new section: its byte-order magic says how everything in it is written (§4.1).
      if (bytes.length - at < 28) {
        if (at === 0) throw new CaptureError('The file ends inside its pcapng section header.');
        damaged(at, 'a section header cut short');
        return;
      }
      const magic = view.getUint32(at + 8, true);
      if (magic === BYTE_ORDER_MAGIC) little = true;
      else if (view.getUint32(at + 8, false) === BYTE_ORDER_MAGIC) little = false;
      else {
        if (at === 0) throw new CaptureError('The pcapng section header has no valid byte-order magic: the file is damaged or not pcapng.');
        damaged(at, 'a section header without a byte-order magic');
        return;
      }
      interfaces = [];
    } else if (at === 0) {
      throw new CaptureError('The file does not start with a pcapng section header.');
    }
    const total = view.getUint32(at + 4, little);
    if (total < MIN_BLOCK_BYTES || total % PCAPNG_ALIGNMENT !== 0 || total > bytes.length - at) {
      const what =
        total > bytes.length - at
          ? `a block claims ${total} bytes, but only ${bytes.length - at} are left`
          : `a block claims ${total} bytes, not a valid block length`;
      if (at === 0) throw new CaptureError(`The pcapng file is damaged at its start: ${what}.`);
      damaged(at, what);
      return;
    }
    if (view.getUint32(at + total - 4, little) !== total) {
      damaged(at, 'a block whose two lengths differ');
      return;
    }
    const body = at + 8;
    const end = at + total - 4;
    switch (type) {
      case BlockType.interfaceDescription: {
        if (end - body < 8) {
          damaged(at, 'an interface description cut short');
          return;
        }
        const options = optionsOf(body + 8, end);
        const resolution = options.get(InterfaceOption.timestampResolution)?.[0] ?? DEFAULT_TIMESTAMP_EXPONENT;
        const offset = options.get(InterfaceOption.timestampOffset);
        const offsetSeconds = offset && offset.length >= 8 ? Number(new DataView(offset.buffer, offset.byteOffset, 8).getBigInt64(0, little)) : 0;
        interfaces.push({
          linkType: view.getUint16(body, little),
          snapLength: view.getUint32(body + 4, little),
          unitsPerMs: unitsPerMs(resolution),
          offsetMs: offsetSeconds * 1000,
        });
        break;
      }
      case BlockType.enhancedPacket:
      case BlockType.obsoletePacket: {
        const enhanced = type === BlockType.enhancedPacket;
        if (end - body < 20) {
          damaged(at, 'a packet block cut short');
          return;
        }
        const id = enhanced ? view.getUint32(body, little) : view.getUint16(body, little);
        const captured = view.getUint32(body + 12, little);
        const original = view.getUint32(body + 16, little);
        if (captured > end - body - 20) {
          damaged(at, `a packet claims ${captured} bytes in a block of ${total}`);
          return;
        }
        const iface = interfaces[id];
        if (!iface) {
          notes.count('no-interface', (n) => `${plural(n, 'packet')} named an interface the file never described, and ${n === 1 ? 'was' : 'were'} skipped.`);
          break;
        }
        const units = view.getUint32(body + 4, little) * 2 ** 32 + view.getUint32(body + 8, little);
        lastTimeMs = units / iface.unitsPerMs + iface.offsetMs;
        frame += 1;
        yield {
          frame,
          timeMs: lastTimeMs,
          linkType: iface.linkType,
          data: bytes.subarray(body + 20, body + 20 + captured),
          originalLength: Math.max(original, captured),
        };
        break;
      }
      case BlockType.simplePacket: {
        // §4.4: interface 0, no timestamp; the captured length is what fits the block and the snap length.
        const iface = interfaces[0];
        if (!iface || end - body < 4) {
          notes.count(
            'spb-no-interface',
            (n) => `${plural(n, 'simple packet block')} came before any interface description and ${n === 1 ? 'was' : 'were'} skipped.`,
          );
          break;
        }
        const original = view.getUint32(body, little);
        const captured = Math.min(original, end - body - 4, iface.snapLength || Number.MAX_SAFE_INTEGER);
        frame += 1;
        notes.count(
          'spb-time',
          (n) => `${plural(n, 'packet')} came in simple packet blocks, which carry no time: each is given the time of the packet before it.`,
        );
        yield { frame, timeMs: lastTimeMs, linkType: iface.linkType, data: bytes.subarray(body + 4, body + 4 + captured), originalLength: original };
        break;
      }
      default:
        // Name resolution, statistics, decryption secrets, custom blocks: nothing an FTP session needs.
        break;
    }
    at += total;
  }
}
