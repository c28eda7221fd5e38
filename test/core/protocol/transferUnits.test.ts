// Tests the helpers shared by the transfer codecs: restart-marker rules (RFC 959 §5.3.2), data merging, error messages.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  TransferFormatError,
  concatBytes,
  describeByte,
  isMarkerByte,
  markerText,
  mergeDataUnits,
  restartMarkerBytes,
} from '../../../core/protocol/transferUnits';
import type { TransferUnit } from '../../../core/protocol/transferUnits';
import { bytesOf, describeUnits, hex, markerArb } from './transferCodecKit';

describe('restart markers', () => {
  const rows = [
    { title: '! (33) is the lowest marker byte', byte: 0x21, ok: true },
    { title: '~ (126) is the highest', byte: 0x7e, ok: true },
    { title: 'space is not allowed', byte: 0x20, ok: false },
    { title: 'DEL (127) is not printable', byte: 0x7f, ok: false },
    { title: 'NUL is not printable', byte: 0x00, ok: false },
    { title: 'bytes above 127 are not NVT-ASCII', byte: 0xc3, ok: false },
  ];
  it.each(rows)('isMarkerByte: $title', ({ byte, ok }) => {
    expect(isMarkerByte(byte)).toBe(ok);
  });

  it('restartMarkerBytes gives the ASCII bytes of a good marker', () => {
    expect(hex(restartMarkerBytes('MARK01', 127, 'TEST'))).toBe('4d 41 52 4b 30 31');
  });

  const bad = [
    { title: 'empty', marker: '', message: 'TEST mode: a restart marker cannot be empty' },
    { title: 'too long', marker: 'abc', message: 'TEST mode: a restart marker has at most 2 characters, got 3' },
    {
      title: 'with a space',
      marker: 'a b',
      message: 'TEST mode: restart marker "a b" has 0x20 (space) at index 1; markers are printable ASCII 33-126 with no spaces (RFC 959 §5.3.2)',
    },
  ];
  it.each(bad)('restartMarkerBytes refuses a marker that is $title', ({ marker, message }) => {
    expect(() => restartMarkerBytes(marker, marker === 'abc' ? 2 : 10, 'TEST')).toThrow(new RangeError(message));
  });

  it('markerText(restartMarkerBytes(m)) = m for any marker', () => {
    fc.assert(
      fc.property(markerArb, (marker) => {
        expect(markerText(restartMarkerBytes(marker, 127, 'TEST'))).toBe(marker);
      }),
    );
  });

  it('markerText handles a 65,535-byte marker', () => {
    expect(markerText(new Uint8Array(65_535).fill(0x41))).toHaveLength(65_535);
  });
});

describe('describeByte', () => {
  const rows = [
    { title: 'space is named', byte: 0x20, text: '0x20 (space)' },
    { title: 'a printable byte shows its character', byte: 0x41, text: "0x41 'A'" },
    { title: 'a control byte is hex only', byte: 0x07, text: '0x07' },
    { title: 'a high byte is hex only', byte: 0xff, text: '0xFF' },
  ];
  it.each(rows)('$title', ({ byte, text }) => {
    expect(describeByte(byte)).toBe(text);
  });
});

describe('TransferFormatError', () => {
  it('names the mode and the byte offset', () => {
    const error = new TransferFormatError('BLOCK', 12, 'something is wrong');
    expect(error.message).toBe('BLOCK mode, byte offset 12: something is wrong');
    expect(error.offset).toBe(12);
    expect(error).toBeInstanceOf(Error);
  });
});

describe('mergeDataUnits', () => {
  const data = (text: string): TransferUnit => ({ kind: 'data', bytes: bytesOf(text) });
  const rows: { title: string; units: TransferUnit[]; merged: string[] }[] = [
    { title: 'adjacent data becomes one unit', units: [data('a'), data('bc'), { kind: 'eor' }, data('d')], merged: ['data 61 62 63', 'eor', 'data 64'] },
    { title: 'empty data units are dropped', units: [data(''), { kind: 'eof' }, data('')], merged: ['eof'] },
    {
      title: 'other units split data runs',
      units: [data('a'), { kind: 'suspect' }, data('b'), { kind: 'restart', marker: 'M' }, data('c')],
      merged: ['data 61', 'suspect', 'data 62', 'restart M', 'data 63'],
    },
  ];
  it.each(rows)('$title', ({ units, merged }) => {
    expect(describeUnits(mergeDataUnits(units))).toEqual(merged);
  });

  it('a data unit alone is passed through, not copied', () => {
    const unit: TransferUnit = { kind: 'data', bytes: bytesOf('abc') };
    const [out] = mergeDataUnits([unit, { kind: 'eor' }]);
    expect(out?.kind === 'data' && out.bytes === unit.bytes).toBe(true);
  });

  it('concatBytes joins pieces in order', () => {
    expect(hex(concatBytes([bytesOf('a'), new Uint8Array(0), bytesOf('bc')]))).toBe('61 62 63');
  });
});
