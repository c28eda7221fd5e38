// Crafted captures (written by test code, test/support/craftedCapture.ts) imported as traces: the clean
// session, then the captures real networks give — a retransmitted segment, reordered segments, a missing
// segment, a capture that starts mid-session, IPv6, Linux cooked v2, pcap in both byte orders — each
// imported without a crash, with what was lost said in the trace and in meta.capture.

import { describe, expect, it } from 'vitest';
import { importCapture } from '../../../../core/capture/import/captureImport';
import { CaptureError } from '../../../../core/capture/import/capturedPacket';
import { LinkType } from '../../../../core/capture/pcapng.table';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { Narrator } from '../../../../core/scenarios/narration';
import { parseTrace, serializeTrace } from '../../../../core/trace/traceFile';
import type { TraceEvent, TraceFile } from '../../../../core/trace/traceEvent';
import { Conversation, end, ftpDownloadSession, pcapngOf, pcapOf, type Packet } from '../../../support/craftedCapture';

const importOf = (bytes: Uint8Array): TraceFile => importCapture(bytes, { fileName: 'crafted.pcapng', tool: 'test' });

const of = <T extends TraceEvent['type']>(trace: TraceFile, type: T) => trace.events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);
const commands = (trace: TraceFile) => of(trace, 'ftp.command').map((e) => e.line);
const codes = (trace: TraceFile) => of(trace, 'ftp.reply').map((e) => e.code);
const transfers = (trace: TraceFile) => of(trace, 'data.transfer').map((e) => ({ side: e.side, bytes: e.bytes, complete: e.complete, command: e.command }));
const closers = (trace: TraceFile) => of(trace, 'tcp.fin').map((e) => `${e.conn} ${e.side} ${e.reason ?? '-'}`);

const CLEAN_COMMANDS = ['USER anonymous', 'PASS ****', 'TYPE I', 'PASV', 'RETR file.bin', 'QUIT'];
const CLEAN_CODES = [220, 331, 230, 200, 227, 150, 226, 221];

describe('a clean crafted session', () => {
  const session = ftpDownloadSession();
  const trace = importOf(pcapngOf(session.packets));

  it('has every command (PASS masked) and reply, in order, as one session', () => {
    expect(commands(trace)).toEqual(CLEAN_COMMANDS);
    expect(codes(trace)).toEqual(CLEAN_CODES);
    expect(trace.meta.capture).toMatchObject({ format: 'pcapng', sessions: 1, packets: session.packets.length, notReconstructed: [] });
    expect(new Set(trace.events.map((e) => e.session))).toEqual(new Set([1]));
  });

  it('ties the data connection to the 227 that announced it, and counts its bytes', () => {
    const listen = of(trace, 'tcp.listen');
    expect(listen).toHaveLength(1);
    expect(listen[0]).toMatchObject({ side: 'server', local: { host: '192.0.2.21', port: 50000 } });
    expect(of(trace, 'tcp.connect').map((e) => `${e.conn} ${e.side}`)).toEqual(['C1 client', 'D1 client']);
    expect(of(trace, 'tcp.accept').find((e) => e.conn === 'D1')).toMatchObject({ side: 'server', listener: listen[0]!.listener });
    expect(transfers(trace)).toEqual([{ side: 'server', bytes: session.fileBytes, complete: true, command: 'RETR file.bin' }]);
  });

  it('says who closed each connection and what it meant: the server’s FIN is the end of file', () => {
    expect(closers(trace)).toEqual(['D1 server eof', 'D1 client peer-closed', 'C1 server quit', 'C1 client peer-closed']);
    const transfer = trace.events.findIndex((e) => e.type === 'data.transfer');
    const fin = trace.events.findIndex((e) => e.type === 'tcp.fin');
    expect(transfer, 'the bytes come before the FIN that ends them').toBeLessThan(fin);
  });

  it('is an ordinary trace: it survives a save and load, lays out, and is narrated', () => {
    const again = parseTrace(serializeTrace(trace));
    expect(again.meta.capture?.file).toBe('crafted.pcapng');
    const model = layoutTrace(again.events);
    expect(model.rows.length).toBeGreaterThan(15);
    const narrator = new Narrator();
    const fin = of(again, 'tcp.fin')[0]!;
    const sentences = again.events.map((e) => narrator.narrate(e)?.text).filter(Boolean);
    expect(sentences.join('\n')).toContain('The server closes the data connection (TCP FIN): end of file in STREAM mode');
    expect(fin.reason).toBe('eof');
  });
});

describe('captures as networks give them', () => {
  const session = ftpDownloadSession();
  const second = session.dataPackets[1]!;
  const withPackets = (edit: (packets: Packet[]) => Packet[]) => importOf(pcapngOf(edit([...session.packets])));

  it('a retransmitted segment is counted once', () => {
    const trace = withPackets((p) => p.flatMap((x) => (x === second ? [x, { ...x, timeMs: x.timeMs + 0.5 }] : [x])));
    expect(transfers(trace)[0]).toMatchObject({ bytes: session.fileBytes, complete: true });
    expect(trace.meta.capture!.notReconstructed).toEqual([]);
  });

  it('reordered segments are put back in order', () => {
    const trace = withPackets((p) => {
      const i = p.indexOf(second);
      [p[i], p[i + 1]] = [p[i + 1]!, p[i]!];
      return p;
    });
    expect(transfers(trace)[0]).toMatchObject({ bytes: session.fileBytes, complete: true });
    expect(trace.meta.capture!.notReconstructed).toEqual([]);
  });

  it('a missing segment is a gap of so many bytes, said, and the transfer is not complete', () => {
    const lost = second.segment.payload.length;
    const trace = withPackets((p) => p.filter((x) => x !== second));
    expect(transfers(trace)[0]).toMatchObject({ bytes: session.fileBytes, complete: false });
    const notes = of(trace, 'note').map((e) => e.text);
    expect(notes.some((n) => n.includes(`${lost} bytes the server sent on D1 are missing`))).toBe(true);
    expect(trace.meta.capture!.notReconstructed.join('\n')).toContain(`D1: ${lost} bytes in all are missing from the capture`);
    // Still in order: the commands and replies after the gap are all there.
    expect(codes(trace)).toEqual(CLEAN_CODES);
  });

  it('a capture that starts mid-session says so and reads what follows', () => {
    const start = session.packets.findIndex((x) => new TextDecoder().decode(x.segment.payload).startsWith('TYPE I'));
    const trace = withPackets((p) => p.slice(start));
    expect(commands(trace)).toEqual(['TYPE I', 'PASV', 'RETR file.bin', 'QUIT']);
    expect(trace.meta.capture!.notReconstructed.join('\n')).toContain('The capture starts in the middle of session 1');
    expect(of(trace, 'tcp.connect').map((e) => e.conn)).toEqual(['D1']);
    expect(transfers(trace)[0]).toMatchObject({ bytes: session.fileBytes, complete: true });
  });

  it('a capture that starts in the middle of a multi-line reply skips the lines that start no reply, and says so', () => {
    const start = session.packets.findIndex((x) => new TextDecoder().decode(x.segment.payload).startsWith('TYPE I'));
    const packets = session.packets.slice(start);
    const reply = packets.find((x) => new TextDecoder().decode(x.segment.payload).startsWith('200'))!;
    // As long as '200 Binary.\r\n', so every sequence number after it stays right: the tail of a reply, then a whole one.
    const mangled = { ...reply, segment: { ...reply.segment, payload: new TextEncoder().encode('a\r\n200 Bin.\r\n') } };
    const trace = importOf(pcapngOf(packets.map((x) => (x === reply ? mangled : x))));
    expect(codes(trace)[0]).toBe(200);
    expect(of(trace, 'note').some((n) => n.text.includes('1 line from the server is not an FTP reply and was skipped'))).toBe(true);
  });

  it('IPv6, with EPSV: the same session, the addresses as Node writes them', () => {
    const v6 = ftpDownloadSession({ client: '2001:db8::10', server: '2001:db8::21' });
    const trace = importOf(pcapngOf(v6.packets));
    expect(commands(trace)).toEqual(['USER anonymous', 'PASS ****', 'TYPE I', 'EPSV', 'RETR file.bin', 'QUIT']);
    expect(of(trace, 'tcp.listen')[0]).toMatchObject({ local: { host: '2001:db8::21', port: 50000 } });
    expect(transfers(trace)[0]).toMatchObject({ bytes: v6.fileBytes, complete: true });
  });

  it.each([
    ['Linux cooked v2', LinkType.linuxSll2],
    ['Linux cooked v1', LinkType.linuxSll],
    ['BSD loopback', LinkType.null],
    ['raw IP', LinkType.raw],
  ])('%s frames read like Ethernet ones', (_title, linkType) => {
    const trace = importOf(pcapngOf(session.packets, linkType));
    expect(commands(trace)).toEqual(CLEAN_COMMANDS);
    expect(transfers(trace)[0]).toMatchObject({ bytes: session.fileBytes, complete: true });
  });

  it('Linux cooked v2 over IPv6 with a missing segment: imported, the loss said', () => {
    const v6 = ftpDownloadSession({ client: '::1', server: '::1' });
    const dropped = v6.dataPackets[1]!;
    const trace = importOf(
      pcapngOf(
        v6.packets.filter((x) => x !== dropped),
        LinkType.linuxSll2,
      ),
    );
    expect(transfers(trace)[0]).toMatchObject({ complete: false });
    expect(trace.meta.capture!.notReconstructed.join('\n')).toContain(`${dropped.segment.payload.length} bytes in all are missing`);
  });

  it.each([
    ['little-endian, microseconds', { littleEndian: true, nanoseconds: false }],
    ['big-endian, nanoseconds', { littleEndian: false, nanoseconds: true }],
    ['big-endian, microseconds, Linux cooked v1', { littleEndian: false, nanoseconds: false, linkType: LinkType.linuxSll }],
  ])('classic pcap, %s: the same session, the same times', (_title, opts) => {
    const fromPcapng = importOf(pcapngOf(session.packets));
    const trace = importOf(pcapOf(session.packets, opts));
    expect(trace.meta.capture?.format).toBe('pcap');
    expect(trace.events.map((e) => [e.type, e.t])).toEqual(fromPcapng.events.map((e) => [e.type, e.t]));
  });
});

describe('several sessions in one capture', () => {
  it('gives each its own session number and connection ids, as a serve trace does', () => {
    const first = ftpDownloadSession({ client: '192.0.2.10' });
    const second = ftpDownloadSession({ client: '192.0.2.11' });
    const later = second.packets.map((p) => ({ ...p, timeMs: p.timeMs + 1000 }));
    const trace = importOf(pcapngOf([...first.packets, ...later]));
    expect(trace.meta.capture?.sessions).toBe(2);
    const bySession = (n: number) => trace.events.filter((e) => e.session === n);
    expect(
      new Set(
        bySession(1)
          .map((e) => ('conn' in e ? e.conn : undefined))
          .filter(Boolean),
      ),
    ).toEqual(new Set(['C1', 'D1']));
    expect(
      new Set(
        bySession(2)
          .map((e) => ('conn' in e ? e.conn : undefined))
          .filter(Boolean),
      ),
    ).toEqual(new Set(['C2', 'D2']));
    expect(transfers(trace).map((t) => t.bytes)).toEqual([first.fileBytes, second.fileBytes]);
    expect(trace.events.every((e) => e.session === 1 || e.session === 2)).toBe(true);
  });
});

describe('other traffic in the capture', () => {
  it('is left out, and the trace says how many connections that was', () => {
    const session = ftpDownloadSession();
    const clock = { t: 0 };
    const web = new Conversation([end('192.0.2.10', 41000), end('192.0.2.80', 80)], clock);
    const other = [...web.handshake(), ...web.send(0, 'GET / HTTP/1.1\r\n\r\n'), ...web.send(1, 'HTTP/1.1 200 OK\r\n\r\n')];
    const trace = importOf(pcapngOf([...other, ...session.packets]));
    expect(commands(trace)).toEqual(CLEAN_COMMANDS);
    expect(trace.meta.capture!.notReconstructed).toEqual([
      '1 other TCP connection in the capture is not part of any FTP session found here (or its PORT, EPRT, 227 or 229 came before the capture started).',
    ]);
  });
});

describe('files that are not captures of FTP', () => {
  it.each([
    ['an empty file', new Uint8Array(0), 'it is empty'],
    ['a trace', new TextEncoder().encode('{"format":"ftp-lab-trace"}'), 'looks like JSON'],
    ['wrong magic', Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 'starts with the bytes 01 02 03 04'],
    ['gzip', Uint8Array.of(0x1f, 0x8b, 8, 0), 'gzip'],
  ])('%s is refused with one sentence', (_title, bytes, words) => {
    expect(() => importOf(bytes)).toThrow(CaptureError);
    expect(() => importOf(bytes)).toThrow(words);
  });

  it('a capture without FTP is refused, saying what it holds', () => {
    const session = ftpDownloadSession();
    const notFtp = session.packets.map((p) => ({
      ...p,
      segment: {
        ...p.segment,
        payload: new Uint8Array(p.segment.payload.length).fill(0x55),
        sourcePort: p.segment.sourcePort === 21 ? 8080 : p.segment.sourcePort,
        destinationPort: p.segment.destinationPort === 21 ? 8080 : p.segment.destinationPort,
      },
    }));
    expect(() => importOf(pcapngOf(notFtp))).toThrow(/no FTP session in this capture: its \d+ packets hold 2 TCP connections/);
  });
});
