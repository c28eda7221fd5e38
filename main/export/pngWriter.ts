// Encodes a PNG (RGBA, 8 bits) from bands of rows as they come: one zlib stream that compresses on
// libuv's thread pool while the next band is drawn, so no whole-picture buffer is ever held.
// Format: PNG specification (ISO/IEC 15948) §5 chunks, §9 filter type 0 (None), §10 zlib compression.

import { constants, createDeflate, type Deflate } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** PNG §11.2.2: width and height are at most 2^31 - 1. */
export const PNG_MAX_DIMENSION = 2 ** 31 - 1;

export class PngWriter {
  private readonly parts: Buffer[] = [];
  private readonly deflate: Deflate;
  private readonly done: Promise<void>;
  private rowsWritten = 0;
  /** Filtered-row buffers zlib has finished with, reused: fresh 16 MB buffers cost page faults and GC. */
  private readonly spare: Buffer[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
    /** zlib level: 1 is fast and, for diagrams (large flat areas), within a few percent of 6 in size. */
    level = 1,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > PNG_MAX_DIMENSION || height > PNG_MAX_DIMENSION) {
      throw new RangeError(`PNG size ${width}×${height} is out of range`);
    }
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header[8] = 8; // bit depth
    header[9] = 6; // colour type: RGBA
    header[10] = 0; // compression: deflate
    header[11] = 0; // filter method 0
    header[12] = 0; // no interlace
    this.parts.push(SIGNATURE, chunk('IHDR', header));
    this.deflate = createDeflate({ level, memLevel: 9, chunkSize: 1 << 20, strategy: constants.Z_DEFAULT_STRATEGY });
    this.deflate.on('data', (data: Buffer) => this.parts.push(chunk('IDAT', data)));
    this.done = new Promise((resolve, reject) => {
      this.deflate.on('end', resolve);
      this.deflate.on('error', reject);
    });
  }

  /**
   * Adds `rows` rows of premultiplied RGBA (as resvg renders them); translucent pixels are converted to
   * PNG's straight alpha. Resolves when zlib is ready for more, so a fast producer cannot pile up memory.
   */
  async addRows(pixels: Uint8Array, rows: number): Promise<void> {
    if (this.rowsWritten + rows > this.height) throw new RangeError('more rows than the PNG has');
    const stride = this.width * 4;
    const size = rows * (stride + 1);
    const pooled = this.spare.pop();
    const buffer = pooled && pooled.length >= size ? pooled : Buffer.allocUnsafe(size);
    const filtered = buffer.subarray(0, size);
    const source = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
    for (let row = 0; row < rows; row++) {
      const at = row * (stride + 1);
      filtered[at] = 0; // filter type None
      source.copy(filtered, at + 1, row * stride, row * stride + stride);
    }
    demultiply(filtered, this.width, rows);
    this.rowsWritten += rows;
    const written = this.deflate.write(filtered, () => this.spare.push(buffer));
    if (!written) await new Promise<void>((resolve) => this.deflate.once('drain', resolve));
  }

  async finish(): Promise<Buffer> {
    if (this.rowsWritten !== this.height) throw new RangeError(`PNG has ${this.rowsWritten} of ${this.height} rows`);
    this.deflate.end();
    await this.done;
    this.parts.push(chunk('IEND', Buffer.alloc(0)));
    return Buffer.concat(this.parts);
  }

  /** Stops compressing (after an error elsewhere). */
  abort(): void {
    this.deflate.destroy();
  }
}

/** CRC-32 as PNG §5.5 and its Annex D define it (node:zlib's crc32 needs Node 20.15; engines says 20). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Premultiplied to straight alpha, in place, for the pixels that are not opaque (rare in a diagram). */
function demultiply(filtered: Buffer, width: number, rows: number): void {
  const stride = width * 4 + 1;
  for (let row = 0; row < rows; row++) {
    const start = row * stride + 1;
    for (let i = start + 3; i < start + stride - 1; i += 4) {
      const a = filtered[i]!;
      if (a === 255 || a === 0) continue;
      filtered[i - 3] = Math.min(255, Math.round((filtered[i - 3]! * 255) / a));
      filtered[i - 2] = Math.min(255, Math.round((filtered[i - 2]! * 255) / a));
      filtered[i - 1] = Math.min(255, Math.round((filtered[i - 1]! * 255) / a));
    }
  }
}
