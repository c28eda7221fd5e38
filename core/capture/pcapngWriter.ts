// Writes pcapng blocks (draft-ietf-opsawg-pcapng): a Section Header, Interface Descriptions and Enhanced
// Packets, little-endian, each padded to 32 bits, with their options. Pure: bytes in, bytes out.

import {
  BlockType,
  BYTE_ORDER_MAGIC,
  CommonOption,
  DEFAULT_TIMESTAMP_EXPONENT,
  InterfaceOption,
  PCAPNG_ALIGNMENT,
  PCAPNG_VERSION,
  SECTION_LENGTH_UNSPECIFIED,
  SectionHeaderOption,
} from './pcapng.table';
import { encodeUtf8 } from '../protocol/utf8';

/** One option as it goes into a block: its code and its value's bytes (§3.5). */
export interface PcapngOption {
  readonly code: number;
  readonly value: Uint8Array;
}

export interface SectionHeader {
  /** opt_comment: what a reader should know about the whole file. */
  readonly comment?: string;
  readonly hardware?: string;
  readonly os?: string;
  readonly application?: string;
}

export interface InterfaceDescription {
  readonly linkType: number;
  /** The most bytes of a packet the capture kept; 0 means no limit (§4.2). */
  readonly snapLength?: number;
  readonly name?: string;
  readonly description?: string;
  /** Timestamps count units of 10^-exponent seconds (if_tsresol); default 6, microseconds. */
  readonly timestampExponent?: number;
}

export interface EnhancedPacket {
  /** The index of its Interface Description Block in the section, from 0. */
  readonly interfaceId: number;
  /** Time since 1970-01-01 UTC in the interface's units (microseconds by default): a non-negative integer. */
  readonly timestamp: number;
  readonly data: Uint8Array;
  /** The packet's length on the wire, when the capture kept less of it (default: all of it). */
  readonly originalLength?: number;
  readonly comment?: string;
}

const LITTLE_ENDIAN = true;

const padded = (length: number): number => Math.ceil(length / PCAPNG_ALIGNMENT) * PCAPNG_ALIGNMENT;

/** A UTF-8 option value, as every string option is (§3.5); undefined for a value not given. */
function textOption(code: number, text: string | undefined): PcapngOption[] {
  return text === undefined ? [] : [{ code, value: encodeUtf8(text) }];
}

/**
 * The options field: each option's code, length and value padded to 32 bits, then opt_endofopt; nothing at
 * all for no options (§3.5: the field may be left out).
 */
export function encodeOptions(options: readonly PcapngOption[]): Uint8Array {
  if (options.length === 0) return new Uint8Array(0);
  for (const option of options) {
    if (option.value.length > 0xffff) throw new RangeError(`A pcapng option holds at most 65535 bytes, not ${option.value.length} (code ${option.code}).`);
  }
  const out = new Uint8Array(options.reduce((n, o) => n + 4 + padded(o.value.length), 0) + 4);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const option of options) {
    view.setUint16(at, option.code, LITTLE_ENDIAN);
    view.setUint16(at + 2, option.value.length, LITTLE_ENDIAN);
    out.set(option.value, at + 4);
    at += 4 + padded(option.value.length);
  }
  view.setUint16(at, CommonOption.endOfOptions, LITTLE_ENDIAN);
  view.setUint16(at + 2, 0, LITTLE_ENDIAN);
  return out;
}

/**
 * A block: type, total length, the body (fixed fields, then data and options, each already a multiple of
 * 4 bytes long or padded here), and the total length again, so a reader can walk backwards too (§3.1).
 */
function block(type: number, parts: readonly Uint8Array[]): Uint8Array {
  const bodyLength = parts.reduce((n, p) => n + padded(p.length), 0);
  const total = 12 + bodyLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, LITTLE_ENDIAN);
  view.setUint32(4, total, LITTLE_ENDIAN);
  let at = 8;
  for (const part of parts) {
    out.set(part, at);
    at += padded(part.length);
  }
  view.setUint32(total - 4, total, LITTLE_ENDIAN);
  return out;
}

/** Fixed fields of a block body, written by `write` into a buffer of `length` bytes. */
function fields(length: number, write: (view: DataView) => void): Uint8Array {
  const out = new Uint8Array(length);
  write(new DataView(out.buffer));
  return out;
}

/** The Section Header Block that starts the file (§4.1): byte-order magic, version 1.0, section length unknown. */
export function sectionHeaderBlock(header: SectionHeader = {}): Uint8Array {
  const fixed = fields(16, (view) => {
    view.setUint32(0, BYTE_ORDER_MAGIC, LITTLE_ENDIAN);
    view.setUint16(4, PCAPNG_VERSION.major, LITTLE_ENDIAN);
    view.setUint16(6, PCAPNG_VERSION.minor, LITTLE_ENDIAN);
    view.setBigInt64(8, BigInt(SECTION_LENGTH_UNSPECIFIED), LITTLE_ENDIAN);
  });
  const options = encodeOptions([
    ...textOption(CommonOption.comment, header.comment),
    ...textOption(SectionHeaderOption.hardware, header.hardware),
    ...textOption(SectionHeaderOption.os, header.os),
    ...textOption(SectionHeaderOption.userApplication, header.application),
  ]);
  return block(BlockType.sectionHeader, [fixed, options]);
}

/** An Interface Description Block (§4.2): the link type and snap length, and the timestamp resolution when not microseconds. */
export function interfaceDescriptionBlock(description: InterfaceDescription): Uint8Array {
  const fixed = fields(8, (view) => {
    view.setUint16(0, description.linkType, LITTLE_ENDIAN);
    view.setUint16(2, 0, LITTLE_ENDIAN);
    view.setUint32(4, description.snapLength ?? 0, LITTLE_ENDIAN);
  });
  const exponent = description.timestampExponent ?? DEFAULT_TIMESTAMP_EXPONENT;
  const options = encodeOptions([
    ...textOption(InterfaceOption.name, description.name),
    ...textOption(InterfaceOption.description, description.description),
    // Bit 7 clear: a power of ten (§4.2, if_tsresol).
    ...(exponent === DEFAULT_TIMESTAMP_EXPONENT ? [] : [{ code: InterfaceOption.timestampResolution, value: Uint8Array.of(exponent) }]),
  ]);
  return block(BlockType.interfaceDescription, [fixed, options]);
}

/** An Enhanced Packet Block (§4.3): interface, 64-bit timestamp as two 32-bit halves, lengths, data padded to 32 bits, options. */
export function enhancedPacketBlock(packet: EnhancedPacket): Uint8Array {
  if (!Number.isSafeInteger(packet.timestamp) || packet.timestamp < 0)
    throw new RangeError(`A pcapng timestamp is a non-negative integer, not ${packet.timestamp}.`);
  const originalLength = packet.originalLength ?? packet.data.length;
  if (originalLength < packet.data.length)
    throw new RangeError(`A packet cannot be longer (${packet.data.length} bytes) than it was on the wire (${originalLength}).`);
  const fixed = fields(20, (view) => {
    view.setUint32(0, packet.interfaceId, LITTLE_ENDIAN);
    view.setUint32(4, Math.floor(packet.timestamp / 2 ** 32), LITTLE_ENDIAN);
    view.setUint32(8, packet.timestamp % 2 ** 32, LITTLE_ENDIAN);
    view.setUint32(12, packet.data.length, LITTLE_ENDIAN);
    view.setUint32(16, originalLength, LITTLE_ENDIAN);
  });
  return block(BlockType.enhancedPacket, [fixed, packet.data, encodeOptions(textOption(CommonOption.comment, packet.comment))]);
}

/** A whole file of one section: its header, the interfaces, then the packets in order. */
export function pcapngFile(header: SectionHeader, interfaces: readonly InterfaceDescription[], packets: Iterable<EnhancedPacket>): Uint8Array {
  const blocks = [sectionHeaderBlock(header), ...interfaces.map(interfaceDescriptionBlock)];
  for (const packet of packets) {
    if (packet.interfaceId >= interfaces.length)
      throw new RangeError(`Packet on interface ${packet.interfaceId}, but the section describes ${interfaces.length}.`);
    blocks.push(enhancedPacketBlock(packet));
  }
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
