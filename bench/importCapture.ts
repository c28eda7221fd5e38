// The `import` phase of npm run bench (issue 12): a ~100 MB pcapng of one FTP download, written here segment
// by segment (1448-byte segments as on Ethernet, the client's ACK after every second one), then imported as
// `ftp-lab import` does, against a reference measured in the same run: reading the file's bytes. The goal:
// a 100 MB capture imports in under 10 s. Reported, never asserted.

import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeIpTcpPacket } from '../core/capture/ipTcpPacket';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from '../core/capture/pcapngWriter';
import { LinkType } from '../core/capture/pcapng.table';
import { importCapture } from '../core/capture/import/captureImport';
import { Conversation, end, type Packet } from '../test/support/craftedCapture';

/** The capture's size goal and the import's time goal (issue 12). */
export const IMPORT_CAPTURE_BYTES = 100 * 1000 * 1000;
export const IMPORT_GOAL_S = 10;
const SEGMENT = 1448;

export interface ImportBenchResult {
  readonly fileBytes: number;
  readonly packets: number;
  /** Medians over the repetitions, in seconds. */
  readonly readS: number;
  readonly importS: number;
  readonly events: number;
  readonly rssAfterMiB: number;
}

/** Writes the capture to `path`: a whole session (login, PASV, RETR, the data, FINs, QUIT). */
async function writeCapture(path: string, payloadBytes: number): Promise<number> {
  const out = createWriteStream(path);
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let packets = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const chunk = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  const ethernet = new Uint8Array(14);
  ethernet[12] = 0x08;
  const put = async (list: readonly Packet[]) => {
    for (const p of list) {
      const ip = encodeIpTcpPacket(p.segment);
      const frame = new Uint8Array(14 + ip.length);
      frame.set(ethernet);
      frame.set(ip, 14);
      const block = enhancedPacketBlock({ interfaceId: 0, timestamp: Math.round((1_700_000_000_000 + p.timeMs) * 1000), data: frame });
      pending.push(block);
      pendingBytes += block.length;
      packets += 1;
      if (pendingBytes > 4 * 1024 * 1024) await flush();
    }
  };
  pending.push(sectionHeaderBlock({ comment: 'FTP Lab bench: one download' }), interfaceDescriptionBlock({ linkType: LinkType.ethernet }));
  const clock = { t: 0 };
  const control = new Conversation([end('192.0.2.10', 40000), end('192.0.2.21', 21)], clock);
  const data = new Conversation([end('192.0.2.10', 40001), end('192.0.2.21', 50000)], clock, [7000, 9000]);
  await put(control.handshake());
  for (const [from, line] of [
    [1, '220 Bench server.\r\n'],
    [0, 'USER anonymous\r\n'],
    [1, '230 Logged in.\r\n'],
    [0, 'TYPE I\r\n'],
    [1, '200 Binary.\r\n'],
    [0, 'PASV\r\n'],
    [1, '227 Entering Passive Mode (192,0,2,21,195,80).\r\n'],
  ] as const)
    await put(control.send(from, line));
  await put(data.handshake());
  await put(control.send(0, 'RETR big.bin\r\n'));
  await put(control.send(1, '150 Here it comes.\r\n'));
  const segment = new Uint8Array(SEGMENT).map((_, i) => (i * 7) & 0xff);
  for (let sent = 0, n = 0; sent < payloadBytes; sent += SEGMENT, n++) {
    // clock steps 1 ms per packet in the builder: fine for a bench, the import only orders by it.
    await put([data.data(1, segment.subarray(0, Math.min(SEGMENT, payloadBytes - sent)))]);
    if (n % 2 === 1) await put([data.ack(0)]);
  }
  await put(data.fin(1));
  await put(data.fin(0));
  for (const [from, line] of [
    [1, '226 Done.\r\n'],
    [0, 'QUIT\r\n'],
    [1, '221 Bye.\r\n'],
  ] as const)
    await put(control.send(from, line));
  await put(control.fin(1));
  await put(control.fin(0));
  await flush();
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return packets;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function measureImport(work: string, reps: number, log: (line: string) => void): Promise<ImportBenchResult> {
  const path = join(work, 'import-bench.pcapng');
  const started = performance.now();
  const packets = await writeCapture(path, IMPORT_CAPTURE_BYTES - 6 * 1024 * 1024);
  const fileBytes = (await stat(path)).size;
  log(`  wrote ${(fileBytes / 1e6).toFixed(1)} MB, ${packets} packets in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const reads: number[] = [];
  const imports: number[] = [];
  let events = 0;
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    const bytes = await readFile(path);
    reads.push((performance.now() - t) / 1000);
    t = performance.now();
    const trace = importCapture(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { fileName: 'import-bench.pcapng', tool: 'bench' });
    imports.push((performance.now() - t) / 1000 + reads[i]!);
    events = trace.events.length;
  }
  return { fileBytes, packets, readS: median(reads), importS: median(imports), events, rssAfterMiB: process.memoryUsage().rss / 2 ** 20 };
}
