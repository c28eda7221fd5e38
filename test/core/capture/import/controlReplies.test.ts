// The server's side of a crafted control connection read into replies: lines that start no reply skipped in one
// forward pass and said once per run, no reply invented, and text that never ends bounded and said — each fast
// on inputs that used to take seconds to minutes (the time bounds only guard against quadratic work).

import { describe, expect, it } from 'vitest';
import { importCapture } from '../../../../core/capture/import/captureImport';
import type { TraceEvent, TraceFile } from '../../../../core/trace/traceEvent';
import { Conversation, end, pcapngOf, type Packet } from '../../../support/craftedCapture';

/** A control connection to port 21: the handshake, 220, then each of `server` as one segment from the server. */
function sessionWith(server: readonly string[], opts: { client?: string; server?: string; close?: boolean; handshake?: boolean } = {}): Uint8Array {
  const control = new Conversation([end(opts.client ?? '192.0.2.10', 40000), end(opts.server ?? '192.0.2.21', 21)], { t: 0 });
  const packets: Packet[] = [...((opts.handshake ?? true) ? control.handshake() : []), ...control.send(1, '220 Ready.\r\n')];
  for (const text of server) packets.push(control.data(1, text));
  if (opts.close ?? true) packets.push(...control.fin(1), ...control.fin(0));
  return pcapngOf(packets);
}

function timedImport(bytes: Uint8Array): { trace: TraceFile; ms: number } {
  const t0 = performance.now();
  const trace = importCapture(bytes, { fileName: 'crafted.pcapng', tool: 'test' });
  return { trace, ms: performance.now() - t0 };
}

const replies = (trace: TraceFile) =>
  trace.events.filter((e): e is Extract<TraceEvent, { type: 'ftp.reply' }> => e.type === 'ftp.reply').map((e) => `${e.code} ${JSON.stringify(e.lines)}`);
const notes = (trace: TraceFile) => trace.events.filter((e): e is Extract<TraceEvent, { type: 'note' }> => e.type === 'note').map((e) => e.text);

describe('server text that is not replies', () => {
  it('20,000 bad lines in one segment: read in one pass, one counted note (was 8 s and one note per line)', () => {
    const { trace, ms } = timedImport(sessionWith(['x\r\n'.repeat(20_000) + '200 Back.\r\n']));
    expect(replies(trace)).toEqual(['220 ["Ready."]', '200 ["Back."]']);
    expect(notes(trace)).toEqual(['20000 lines from the server are not FTP replies and were skipped (the first: "x").']);
    expect(trace.meta.capture!.notReconstructed.join('\n')).toContain('Session 1: 20000 lines from the server are not FTP replies');
    expect(ms).toBeLessThan(2000);
  });

  it('a run of bad lines over many segments is still one note', () => {
    const { trace } = timedImport(sessionWith([...new Array<string>(500).fill('junk\r\n'), '221 Bye.\r\n']));
    expect(notes(trace)).toEqual(['500 lines from the server are not FTP replies and were skipped (the first: "junk").']);
    expect(replies(trace)).toEqual(['220 ["Ready."]', '221 ["Bye."]']);
  });

  it('a bad line identical to a line inside an earlier multi-line reply is skipped where it is: no reply is invented', () => {
    const { trace } = timedImport(sessionWith(['230-a\r\nfoo\r\n230 b\r\nfoo\r\n']));
    expect(replies(trace)).toEqual(['220 ["Ready."]', '230 ["a","foo","b"]']);
    expect(notes(trace)).toEqual(['1 line from the server is not an FTP reply and was skipped (the first: "foo").']);
  });
});

describe('server text that does not end', () => {
  it('60,000 one-byte segments without a line end are counted as they come (was 9.5 s)', () => {
    const { trace, ms } = timedImport(sessionWith([...new Array<string>(60_000).fill('y'), '\r\n200 Fine.\r\n']));
    // 60,000 bytes are under the 64 KiB a line may hold: they make one line, which starts no reply.
    expect(notes(trace)).toEqual([`1 line from the server is not an FTP reply and was skipped (the first: "${'y'.repeat(80)}").`]);
    expect(replies(trace)).toEqual(['220 ["Ready."]', '200 ["Fine."]']);
    expect(ms).toBeLessThan(4000);
  });

  it('a multi-line reply of 20,000 segments is not parsed again on each (was 8 s), and its end is read', () => {
    const { trace, ms } = timedImport(sessionWith(['211-Status\r\n', ...new Array<string>(20_000).fill(' line\r\n'), '211 End\r\n']));
    expect(replies(trace)[1]).toMatch(/^211 \["Status"," line",/);
    expect(trace.events.filter((e) => e.type === 'ftp.reply')).toHaveLength(2);
    expect(ms).toBeLessThan(3000);
  });

  it('more than 64 KiB without a line end is dropped, said', () => {
    const { trace } = timedImport(sessionWith([...new Array<string>(3).fill('w'.repeat(30_000)), '\r\n200 Fine.\r\n']));
    expect(notes(trace)[0]).toBe('The server sent more than 65536 bytes without a line end: not read as replies.');
  });

  it('a multi-line reply that never ends is said at the end of the capture', () => {
    const { trace } = timedImport(sessionWith(['211-Status\r\n', ' line\r\n']));
    expect(notes(trace)).toEqual(['The capture ends inside a multi-line 211 reply: its 19 characters so far were not read as a reply.']);
  });

  it('a multi-line reply over 1 MiB is dropped with a sentence in meta', () => {
    const { trace } = timedImport(sessionWith(['211-Status\r\n', ...new Array<string>(20).fill(' ' + 'z'.repeat(60_000) + '\r\n'), '200 After.\r\n']));
    expect(trace.meta.capture!.notReconstructed.join('\n')).toContain('A multi-line 211 reply did not end within 1048576 characters');
  });

  it('server text without a line end when the capture ends is said, not dropped silently', () => {
    const { trace } = timedImport(sessionWith(['200 Half a li'], { close: false }));
    expect(notes(trace)).toEqual(['The capture ends inside a line from the server: its 13 bytes without a line end were not read as a reply.']);
    expect(trace.meta.capture!.notReconstructed.join('\n')).toContain('Session 1: The capture ends inside a line from the server');
  });
});

describe('a capture that starts mid-session over IPv6', () => {
  it('writes the addresses in brackets, as everywhere else in the project', () => {
    const { trace } = timedImport(sessionWith([], { client: '2001:db8::10', server: '2001:db8::21', handshake: false }));
    expect(notes(trace)[0]).toContain('(client [2001:db8::10]:40000, server [2001:db8::21]:21)');
  });
});
