import { describe, expect, it } from 'vitest';
import { createTraceFile, parseTrace, serializeTrace, TraceFileError, MAX_TRACE_TEXT_BYTES } from '../../../core/trace/traceFile';
import { TraceRecorder } from '../../../core/trace/traceRecorder';

function sampleTrace() {
  let now = 0;
  const r = new TraceRecorder(() => now);
  const a = { host: '127.0.0.1', port: 50000 };
  const b = { host: '127.0.0.1', port: 2121 };
  const conn = r.claimConnection('control', a, b);
  r.record({ type: 'tcp.connect', side: 'client', channel: 'control', conn, local: a, remote: b });
  now = 1.5;
  r.record({ type: 'ftp.reply', side: 'client', dir: 'received', channel: 'control', conn, code: 220, lines: ['ready'] });
  r.record({ type: 'state', side: 'client', machine: 'client', from: 'awaitingGreeting', to: 'ready', event: 'control.reply' });
  return createTraceFile({ createdAt: '2026-11-21T00:00:00Z', tool: 'test', passwordsMasked: true }, r.events);
}

describe('trace files', () => {
  it('round-trip through JSON unchanged', () => {
    const trace = sampleTrace();
    expect(parseTrace(serializeTrace(trace))).toEqual(trace);
  });

  const bad: { title: string; text: string; message: RegExp }[] = [
    { title: 'not JSON', text: '{nope', message: /not valid JSON/ },
    { title: 'another format', text: JSON.stringify({ format: 'x', version: 1, meta: {}, events: [] }), message: /Not an FTP Lab trace: format/ },
    { title: 'a newer version', text: JSON.stringify({ format: 'ftp-lab-trace', version: 2, meta: {}, events: [] }), message: /version/ },
    {
      title: 'an event without seq',
      text: JSON.stringify({
        format: 'ftp-lab-trace',
        version: 1,
        meta: { createdAt: 'x', tool: 't', passwordsMasked: true },
        events: [{ t: 0, type: 'note', side: 'client', text: 'x' }],
      }),
      message: /Event 1 is malformed: seq/,
    },
    {
      title: 'a reply with a code out of range',
      text: JSON.stringify({
        format: 'ftp-lab-trace',
        version: 1,
        meta: { createdAt: 'x', tool: 't', passwordsMasked: true },
        events: [{ seq: 1, t: 0, type: 'ftp.reply', side: 'server', dir: 'sent', channel: 'control', conn: 'C1', code: 999, lines: [] }],
      }),
      message: /Event 1 \(ftp.reply\) is malformed: code/,
    },
    {
      title: 'seq going backwards',
      text: JSON.stringify({
        format: 'ftp-lab-trace',
        version: 1,
        meta: { createdAt: 'x', tool: 't', passwordsMasked: true },
        events: [
          { seq: 2, t: 0, type: 'note', side: 'client', text: 'a' },
          { seq: 1, t: 0, type: 'note', side: 'client', text: 'b' },
        ],
      }),
      message: /seq 1, not greater than 2/,
    },
  ];
  for (const row of bad) {
    it(`refuse ${row.title} with a clear message`, () => {
      expect(() => parseTrace(row.text)).toThrow(TraceFileError);
      expect(() => parseTrace(row.text)).toThrow(row.message);
    });
  }

  it('refuse an oversized file before parsing it', () => {
    expect(() => parseTrace(' '.repeat(MAX_TRACE_TEXT_BYTES + 1))).toThrow(/too large/);
  });

  it('accept unknown event types from newer versions (base fields checked)', () => {
    const text = JSON.stringify({
      format: 'ftp-lab-trace',
      version: 1,
      meta: { createdAt: 'x', tool: 't', passwordsMasked: true },
      events: [{ seq: 1, t: 0, type: 'future.thing', side: 'server', extra: 1 }],
    });
    expect(parseTrace(text).events).toHaveLength(1);
  });

  it.each(['constructor', 'toString', '__proto__'])("an event type named like an Object property ('%s') is an unknown type, not a crash", (type) => {
    const text = JSON.stringify({
      format: 'ftp-lab-trace',
      version: 1,
      meta: { createdAt: 'x', tool: 't', passwordsMasked: true },
      events: [{ seq: 1, t: 0, type, side: 'server' }],
    });
    expect(parseTrace(text).events).toHaveLength(1);
  });
});

describe('connection ids', () => {
  it('both ends of one connection get the same id, and a reused four-tuple gets a new one', () => {
    const r = new TraceRecorder(() => 0);
    const c = { host: '127.0.0.1', port: 40000 };
    const s = { host: '127.0.0.1', port: 2120 };
    const a = r.claimConnection('data', c, s);
    expect(r.claimConnection('data', s, c)).toBe(a);
    r.releaseConnection('data', c, s);
    r.releaseConnection('data', s, c);
    expect(r.claimConnection('data', c, s)).not.toBe(a);
  });
});
