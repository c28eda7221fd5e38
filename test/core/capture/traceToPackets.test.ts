// Tests the rebuild of a session's packets from its trace: in time order, the right IP version, filler
// that runs on across transfers, a transfer's segments within its recorded duration, and what cannot be
// put on the wire (bytes after a FIN or RST, a host that is not an address) left out and said.
// Whether Wireshark agrees is test/main/export/pcapngExport.test.ts.

import { describe, expect, it } from 'vitest';
import { FILLER_TEXT, traceToPackets } from '../../../core/capture/traceToPackets';
import { TcpFlag } from '../../../core/capture/tcpIp.table';
import { decodeUtf8 } from '../../../core/protocol/utf8';
import type { TraceEvent, TraceEventInput } from '../../../core/trace/traceEvent';
import { fixtures } from '../diagram/fixtures';

/** What a reader of the raw IP packet sees: version, ports, flags, payload. */
function segmentOf(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[0]! >> 4;
  const tcp = version === 4 ? (bytes[0]! & 0x0f) * 4 : 40;
  return {
    version,
    from: view.getUint16(tcp),
    to: view.getUint16(tcp + 2),
    flags: bytes[tcp + 13]!,
    payload: bytes.subarray(tcp + (bytes[tcp + 12]! >> 4) * 4),
  };
}

const numbered = (inputs: TraceEventInput[], step = 1): TraceEvent[] => inputs.map((e, i) => ({ ...e, seq: i + 1, t: (i + 1) * step }) as TraceEvent);
const data = { channel: 'data', conn: 'D1' } as const;
const transfer = { mode: 'B', representation: 'I', complete: true } as const;

describe('traceToPackets', () => {
  it('a real download (both sides traced): in time order, one SYN per connection, the data as recorded', () => {
    const capture = traceToPackets(fixtures.download.events);
    const times = capture.packets.map((p) => p.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const segments = capture.packets.map((p) => segmentOf(p.bytes));
    expect(segments.filter((s) => s.flags === TcpFlag.SYN)).toHaveLength(2);
    const received = fixtures.download.events.find((e) => e.type === 'data.transfer' && e.dir === 'received');
    const dataPort = capture.connections.find((c) => c.channel === 'data')!.acceptor.port;
    expect(segments.filter((s) => s.from === dataPort).reduce((n, s) => n + s.payload.length, 0)).toBe(
      received?.type === 'data.transfer' ? received.bytes : -1,
    );
    expect(capture.leftOut).toEqual([]);
    expect(capture.packets[0]!.comment).toMatch(/^trace #\d+ #\d+: control connection C1, opened by the client$/);
  });

  it('filler runs on across the transfers of a kept-open connection, so the stream reads as one text', () => {
    const events = numbered([
      { type: 'tcp.accept', side: 'server', ...data, local: { host: '::1', port: 50000 }, remote: { host: '::1', port: 40000 } },
      { type: 'data.transfer', side: 'server', dir: 'sent', ...data, bytes: 100, durationMs: 0, ...transfer },
      { type: 'data.transfer', side: 'server', dir: 'sent', ...data, bytes: 30, durationMs: 0, ...transfer },
    ]);
    const capture = traceToPackets(events);
    const sent = capture.packets.map((p) => segmentOf(p.bytes)).filter((s) => s.from === 50000 && s.payload.length > 0);
    expect(sent.map((s) => s.version)).toEqual([6, 6]);
    expect(decodeUtf8(new Uint8Array([...sent[0]!.payload, ...sent[1]!.payload]))).toBe(FILLER_TEXT.repeat(3).slice(0, 130));
    expect(capture.fillerBytes).toBe(130);
    expect(capture.mss).toEqual({ 6: 65476 });
  });

  it("a transfer's segments spread over its recorded duration, never before the connection opened", () => {
    const events = numbered(
      [
        { type: 'tcp.connect', side: 'client', ...data, local: { host: '127.0.0.1', port: 40000 }, remote: { host: '::ffff:127.0.0.1', port: 50000 } },
        { type: 'data.transfer', side: 'client', dir: 'sent', ...data, bytes: 3 * 65495, durationMs: 18, ...transfer },
      ],
      10,
    );
    const capture = traceToPackets(events);
    const sends = capture.packets.filter((p) => segmentOf(p.bytes).payload.length > 0);
    // Opened at 10 ms; the transfer's record at 20 ms says it took 18 ms: segments from 2 ms on, 6 ms apart, none before the SYN.
    expect(sends.map((p) => p.t)).toEqual([10, 10, 14]);
    expect(segmentOf(sends[0]!.bytes).version).toBe(4);
  });

  it('leaves out what TCP could not have sent, and a connection between hosts that are not addresses, saying so', () => {
    const events = numbered([
      { type: 'tcp.connect', side: 'client', ...data, local: { host: '127.0.0.1', port: 40000 }, remote: { host: '127.0.0.1', port: 50000 } },
      { type: 'tcp.rst', side: 'server', dir: 'sent', ...data, reason: 'shutdown' },
      { type: 'data.transfer', side: 'client', dir: 'sent', ...data, bytes: 10, durationMs: 0, ...transfer },
      {
        type: 'tcp.connect',
        side: 'client',
        channel: 'data',
        conn: 'D2',
        local: { host: 'client.example', port: 40001 },
        remote: { host: '127.0.0.1', port: 50000 },
      },
      { type: 'data.transfer', side: 'client', dir: 'sent', channel: 'data', conn: 'D2', bytes: 10, durationMs: 0, ...transfer },
    ]);
    const capture = traceToPackets(events);
    expect(capture.packets.map((p) => segmentOf(p.bytes).flags)).toEqual([TcpFlag.SYN, TcpFlag.SYN | TcpFlag.ACK, TcpFlag.ACK, TcpFlag.RST | TcpFlag.ACK]);
    expect(capture.leftOut).toEqual([
      'trace #3: MODE B, TYPE I: not sent, the connection was already reset',
      'connection D2 and 1 record of what it carried: the host client.example is not an IP address',
    ]);
  });
});
