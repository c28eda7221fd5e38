// PngWriter: rows in, a PNG out that an independent decoder (pngjs) reads back pixel for pixel.

import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { PngWriter } from '../../../main/export/pngWriter';

/** A width × height RGBA picture with every byte a function of its position. */
function picture(width: number, height: number, alpha: (x: number, y: number) => number = () => 255): Uint8Array {
  const px = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const a = alpha(x, y);
      // Premultiplied, as resvg renders: no channel above alpha.
      px[i] = Math.min(a, (x * 7 + y) & 0xff);
      px[i + 1] = Math.min(a, (y * 13) & 0xff);
      px[i + 2] = Math.min(a, (x ^ y) & 0xff);
      px[i + 3] = a;
    }
  }
  return px;
}

describe('PngWriter', () => {
  it('writes bands of rows as one image that decodes to the same pixels', async () => {
    const width = 37;
    const height = 53;
    const px = picture(width, height);
    const writer = new PngWriter(width, height);
    // Bands of uneven sizes, as the band renderer's last band is.
    for (const [from, rows] of [
      [0, 20],
      [20, 20],
      [40, 13],
    ] as const)
      await writer.addRows(px.subarray(from * width * 4, (from + rows) * width * 4), rows);
    const decoded = PNG.sync.read(await writer.finish());
    expect([decoded.width, decoded.height]).toEqual([width, height]);
    expect(Buffer.compare(decoded.data, Buffer.from(px))).toBe(0);
  });

  it('stores translucent pixels with straight alpha (premultiplied in, PNG out)', async () => {
    const px = new Uint8Array([64, 32, 0, 128, 0, 0, 0, 0, 255, 255, 255, 255]);
    const writer = new PngWriter(3, 1);
    await writer.addRows(px, 1);
    const decoded = PNG.sync.read(await writer.finish());
    expect([...decoded.data]).toEqual([128, 64, 0, 128, 0, 0, 0, 0, 255, 255, 255, 255]);
  });

  it('refuses sizes PNG cannot carry, and too many or too few rows', async () => {
    expect(() => new PngWriter(0, 5)).toThrow(RangeError);
    expect(() => new PngWriter(2 ** 31, 1)).toThrow(RangeError);
    const writer = new PngWriter(2, 2);
    await expect(writer.addRows(picture(2, 3), 3)).rejects.toThrow(/more rows/);
    await writer.addRows(picture(2, 1), 1);
    await expect(writer.finish()).rejects.toThrow(/1 of 2 rows/);
  });
});
