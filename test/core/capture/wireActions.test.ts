// Tests reading what crossed the wire out of a trace: each command, reply, transfer, FIN and RST once, whether
// both sides recorded it (a lab run), only the server (serve) or only the client (a run against vsftpd); the
// receiver's count for a transfer cut short; refused connections; a FIN recorded before the bytes it ends.

import { describe, expect, it } from 'vitest';
import { wireActions, type WireAction } from '../../../core/capture/wireActions';
import { decodeUtf8 } from '../../../core/protocol/utf8';
import type { TraceEvent, TraceEventInput } from '../../../core/trace/traceEvent';
import { fixtures } from '../diagram/fixtures';

/** Events as a recorder numbers them: seq from 1, a millisecond apart. */
const numbered = (inputs: TraceEventInput[]): TraceEvent[] => inputs.map((e, i) => ({ ...e, seq: i + 1, t: i + 1 }) as TraceEvent);

/** An action as one line: kind, connection, sender, and the bytes or count. */
function line(a: WireAction): string {
  if (a.kind === 'open') return `open ${a.key} by ${a.initiator.side} ${a.initiator.endpoint.port}->${a.acceptor.endpoint.port}`;
  if (a.kind === 'bytes') return `${a.key} ${a.from}: ${'bytes' in a.content ? JSON.stringify(decodeUtf8(a.content.bytes)) : `${a.content.count} bytes`}`;
  return `${a.kind} ${a.key} from ${a.from}`;
}

const control = { channel: 'control', conn: 'C1' } as const;
const data = { channel: 'data', conn: 'D1' } as const;
const ends = { local: { host: '127.0.0.1', port: 40000 }, remote: { host: '127.0.0.1', port: 2121 } };
const transfer = { mode: 'S', representation: 'I', durationMs: 1 } as const;

describe('wireActions', () => {
  it('a trace of both sides (textbook upload): each action once, from both records, in the order they first appear', () => {
    const { actions, omitted, bytesMoved } = wireActions(fixtures.textbookUpload.events);
    const commands = fixtures.textbookUpload.events.filter((e) => e.type === 'ftp.command' && e.dir === 'sent');
    const sent = actions.filter((a) => a.kind === 'bytes' && a.from === 'client' && a.key === 'C1').map((a) => a.summary);
    expect(sent).toEqual(commands.map((e) => (e.type === 'ftp.command' ? e.line : '')));
    expect(
      actions.filter((a) => a.kind !== 'open').every((a) => a.records.length === 2),
      'every action recorded by its sender and its receiver',
    ).toBe(true);
    expect(actions.map(line).filter((l) => !l.startsWith('C1 '))).toEqual([
      'open C1 by client 44552->37587',
      'open D1 by server 37586->37497',
      'D1 client: 4096 bytes',
      'fin D1 from client',
      'fin D1 from server',
      'fin C1 from server',
      'fin C1 from client',
    ]);
    expect(actions.find((a) => a.summary.startsWith('227') || a.summary.startsWith('200 PORT'))?.kind).toBe('bytes');
    expect([omitted, bytesMoved]).toEqual([[], 0]);
  });

  it('a server-only trace (serve, two curl sessions): connections keyed by session, commands from what the server received', () => {
    const { actions } = wireActions(fixtures.serveCurl.events);
    expect(actions.filter((a) => a.kind === 'open').map(line)).toEqual([
      'open 1:C1 by client 33954->2131',
      'open 2:C2 by client 33960->2131',
      'open 2:D1 by client 34970->38473',
    ]);
    expect(
      actions
        .filter((a) => a.key === '2:C2' && a.kind === 'bytes')
        .map(line)
        .slice(0, 4),
    ).toEqual([
      '2:C2 server: "220 FTP Lab server ready.\\r\\n"',
      '2:C2 client: "USER anonymous\\r\\n"',
      '2:C2 server: "331 User name okay, need password.\\r\\n"',
      '2:C2 client: "PASS ****\\r\\n"',
    ]);
    expect(actions.every((a) => a.records.length === 1)).toBe(true);
  });

  it('a client-only trace (against vsftpd) whose FIN was recorded before the bytes it ends: the bytes go before it, no later than it', () => {
    const { actions, bytesMoved } = wireActions(fixtures.clientVsftpd.events);
    const d1 = actions.filter((a) => a.key === 'D1');
    expect(d1.map(line)).toEqual(['open D1 by client 43877->63833', 'D1 server: 34 bytes', 'fin D1 from server', 'fin D1 from client']);
    expect(d1[1]!.t).toBe(d1[2]!.t);
    expect(bytesMoved).toBe(1);
  });

  it('a transfer cut short: the receiver counted what crossed the wire, the sender what it handed to its socket', () => {
    const { actions } = wireActions(
      numbered([
        { type: 'tcp.connect', side: 'client', ...data, ...ends },
        { type: 'data.transfer', side: 'server', dir: 'sent', ...data, bytes: 9437184, complete: false, ...transfer },
        { type: 'tcp.fin', side: 'server', dir: 'sent', ...data, reason: 'abort' },
        { type: 'data.transfer', side: 'client', dir: 'received', ...data, bytes: 8582513, complete: false, ...transfer },
        { type: 'tcp.fin', side: 'server', dir: 'received', ...data, reason: 'abort' },
      ]),
    );
    expect(actions.map(line)).toEqual(['open D1 by client 40000->2121', 'D1 server: 8582513 bytes', 'fin D1 from server']);
    expect(actions.map((a) => a.records)).toEqual([[1], [2, 4], [3, 5]]);
  });

  it('pairs the k-th record of each end: a command the server never received is still on the wire once', () => {
    const { actions } = wireActions(
      numbered([
        { type: 'tcp.connect', side: 'client', ...control, ...ends },
        { type: 'ftp.command', side: 'client', dir: 'sent', ...control, verb: 'NOOP', line: 'NOOP' },
        { type: 'ftp.command', side: 'client', dir: 'sent', ...control, verb: 'QUIT', line: 'QUIT' },
        { type: 'ftp.command', side: 'server', dir: 'received', ...control, verb: 'NOOP', line: 'NOOP' },
        { type: 'ftp.reply', side: 'server', dir: 'sent', ...control, code: 211, lines: ['Features:', ' SIZE', '123 middle', 'End'] },
      ]),
    );
    expect(actions.map(line)).toEqual([
      'open C1 by client 40000->2121',
      'C1 client: "NOOP\\r\\n"',
      'C1 client: "QUIT\\r\\n"',
      'C1 server: "211-Features:\\r\\n SIZE\\r\\n 123 middle\\r\\n211 End\\r\\n"',
    ]);
    expect(actions[1]!.records).toEqual([2, 4]);
  });

  it('a connection refused after the kernel accepted it: opened by the peer, reset by the side that refused; one without both ends is left out', () => {
    const { actions, omitted } = wireActions(
      numbered([
        {
          type: 'tcp.refused',
          side: 'server',
          channel: 'data',
          local: { host: '127.0.0.1', port: 50000 },
          remote: { host: '127.0.0.2', port: 40001 },
          reason: "a data connection from 127.0.0.2 is not from the control connection's peer",
        },
        {
          type: 'tcp.refused',
          side: 'server',
          channel: 'data',
          remote: { host: '127.0.0.1', port: 40002 },
          reason: 'connect to 127.0.0.1:40002 failed: ECONNREFUSED',
        },
      ]),
    );
    expect(actions.map(line)).toEqual(['open refused@1 by client 40001->50000', 'rst refused@1 from server']);
    expect(omitted).toEqual(['#2 connect to 127.0.0.1:40002 failed: ECONNREFUSED: the trace does not hold both ends of that attempt, so it is not shown']);
  });
});
