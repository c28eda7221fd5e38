// `ftp-lab import` and `ftp-lab export <capture>` as a user runs them, on real files: a crafted capture
// becomes a trace and a diagram; hostile files (wrong magic, truncated, absurd lengths, 10^6 tiny packets)
// are refused with one sentence and exit code 2, or imported with a sentence saying what was left out —
// never a crash, and the memory an import takes is bounded by the file, not by what it claims.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../main/cli/ftpLab';
import type { CliIo } from '../../../main/cli/cliIo';
import { parseTrace } from '../../../core/trace/traceFile';
import { ftpDownloadSession, pcapngOf, pcapOf } from '../../support/craftedCapture';

function io(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftp-lab-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const session = ftpDownloadSession();

async function runImport(name: string, bytes: Uint8Array): Promise<{ code: number; out: ReturnType<typeof io>; trace?: ReturnType<typeof parseTrace> }> {
  const file = join(dir, name);
  const output = join(dir, `${name}.json`);
  await writeFile(file, bytes);
  const out = io();
  const code = await main(['import', file, '-o', output], out);
  if (code !== 0) return { code, out };
  return { code, out, trace: parseTrace(await readFile(output, 'utf8')) };
}

describe('ftp-lab import', () => {
  it('writes the capture’s session as a trace and says what it wrote', async () => {
    const { code, out, trace } = await runImport('session.pcapng', pcapngOf(session.packets));
    expect(out.errors).toEqual([]);
    expect(code).toBe(0);
    expect(out.lines[0]).toMatch(/^Wrote .*session\.pcapng\.json: 1 FTP session, \d+ events, from 46 packets of session\.pcapng \(pcapng\)\.$/);
    expect(trace!.meta.capture).toMatchObject({ file: 'session.pcapng', sessions: 1 });
  });

  it('needs a capture and -o', async () => {
    const out = io();
    expect(await main(['import', join(dir, 'x.pcap')], out)).toBe(2);
    expect(out.errors[0]).toBe('ftp-lab: import needs a capture file (pcap or pcapng) and -o trace.json.');
  });
});

describe('ftp-lab export <capture>', () => {
  it('draws a capture like a trace', async () => {
    const file = join(dir, 'export.pcap');
    await writeFile(file, pcapOf(session.packets));
    const out = io();
    expect(await main(['export', file, '-o', join(dir, 'export.svg')], out)).toBe(0);
    const svg = await readFile(join(dir, 'export.svg'), 'utf8');
    expect(svg).toContain('RETR file.bin');
    expect(svg).toContain('PASS ****');
  });
});

describe('a session of FTP Lab exported as pcapng, imported again', () => {
  // STREAM mode: the export rebuilds data as filler bytes of the recorded lengths (a trace keeps counts, not
  // payloads), so BLOCK headers or COMPRESSED escapes could not come back from it.
  it('has the same commands, replies, transfers and closers as the trace it was rebuilt from', async () => {
    const tracePath = join(dir, 'stream.json');
    const pcapng = join(dir, 'stream.pcapng');
    expect(await main(['run', 'textbook-upload', '--quiet', '--trace', tracePath, '--export', pcapng], io())).toBe(0);
    const original = parseTrace(await readFile(tracePath, 'utf8'));
    const out = io();
    expect(await main(['import', pcapng, '-o', join(dir, 'stream.imported.json')], out)).toBe(0);
    const imported = parseTrace(await readFile(join(dir, 'stream.imported.json'), 'utf8'));
    // The original has each message from both ends; the wire has it once, from its sender.
    const sent = (t: typeof original, type: string) => t.events.filter((e) => e.type === type && 'dir' in e && e.dir === 'sent');
    const show = (e: (typeof original.events)[number]) => ({ ...e, seq: 0, t: 0, session: 0 });
    for (const type of ['ftp.command', 'ftp.reply']) expect(sent(imported, type).map(show)).toEqual(sent(original, type).map(show));
    const counts = (t: typeof original) =>
      sent(t, 'data.transfer').map((e) => e.type === 'data.transfer' && [e.side, e.bytes, e.fileBytes, e.mode, e.complete]);
    expect(counts(imported)).toEqual(counts(original));
    const closers = (t: typeof original) =>
      sent(t, 'tcp.fin').map((e) => e.type === 'tcp.fin' && `${e.conn} ${e.side} ${e.channel === 'data' ? e.reason : ''}`);
    expect(closers(imported)).toEqual(closers(original));
  }, 60_000);
});

describe('hostile captures', () => {
  const clean = pcapngOf(session.packets);

  it.each([
    ['wrong magic', Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0), /Not a pcap or pcapng capture: it starts with the bytes de ad be ef\.$/],
    ['an empty file', new Uint8Array(0), /Not a pcap or pcapng capture: it is empty\.$/],
    ['a pcap header cut short', pcapOf(session.packets).subarray(0, 10), /The file ends inside its pcap header/],
    [
      'a first block claiming 4 GiB',
      (() => {
        const b = clean.slice(0, 64);
        new DataView(b.buffer).setUint32(4, 0xfffffff0, true);
        return b;
      })(),
      /damaged at its start: a block claims 4294967280 bytes/,
    ],
  ])('%s: refused with one sentence, exit code 2', async (_title, bytes, sentence) => {
    const { code, out } = await runImport(`refused-${_title.replace(/\W+/g, '-')}`, bytes);
    expect(code).toBe(2);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatch(sentence);
  });

  it('a file cut off inside a packet: the packets before it imported, the cut said', async () => {
    const { code, out, trace } = await runImport('truncated.pcapng', clean.subarray(0, clean.length - 30));
    expect(code).toBe(0);
    expect(out.lines.join('\n')).toMatch(
      /# The file is damaged at byte \d+ \(a block claims \d+ bytes, but only \d+ are left\): the 45 packets before it are imported\./,
    );
    expect(trace!.meta.capture!.packets).toBe(session.packets.length - 1);
  });

  it('a pcap record claiming 2 GiB: imported up to it, the damage said', async () => {
    const pcap = pcapOf(session.packets);
    const bytes = new Uint8Array(pcap.length + 16);
    bytes.set(pcap);
    new DataView(bytes.buffer).setUint32(pcap.length + 8, 0x7fffffff, true);
    const { code, out } = await runImport('absurd.pcap', bytes);
    expect(code).toBe(0);
    expect(out.lines.join('\n')).toContain('Packet 47 claims 2147483647 bytes');
  });

  it('10^6 tiny packets after a session: one sentence for all of them, memory bounded', async () => {
    const pcap = pcapOf(session.packets);
    const tiny = 1_000_000;
    const bytes = new Uint8Array(pcap.length + tiny * 17);
    bytes.set(pcap);
    const view = new DataView(bytes.buffer);
    for (let i = 0, at = pcap.length; i < tiny; i++, at += 17) {
      view.setUint32(at, 1_700_000_100, true);
      view.setUint32(at + 8, 1, true);
      view.setUint32(at + 12, 1, true);
    }
    const before = process.memoryUsage().heapUsed;
    const { code, out, trace } = await runImport('tiny.pcap', bytes);
    const grown = process.memoryUsage().heapUsed - before;
    expect(code).toBe(0);
    expect(out.lines.join('\n')).toContain('# 1000000 packets carried no IPv4 or IPv6 and were skipped.');
    expect(trace!.meta.capture!.packets).toBe(session.packets.length + tiny);
    // Nothing kept per skipped packet: far less than the file's 17 MB, let alone a per-packet object.
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
