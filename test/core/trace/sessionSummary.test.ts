// The classroom's line per session, folded from the session's events: titled rows, each a short session.

import { describe, expect, it } from 'vitest';
import { foldSessionEvent, newSessionSummary, sessionHadTrouble, type SessionSummary } from '../../../core/trace/sessionSummary';
import type { TraceEvent, TraceEventInput } from '../../../core/trace/traceEvent';

const at = { host: '127.0.0.1', port: 2121 };
const from = { host: '127.0.0.1', port: 40512 };
const control = { side: 'server', channel: 'control', conn: 'C1', session: 3 } as const;
const accept: TraceEventInput = { ...control, type: 'tcp.accept', local: at, remote: from };
const reply = (code: number, text: string): TraceEventInput => ({ ...control, type: 'ftp.reply', dir: 'sent', code, lines: [text] });
const command = (line: string): TraceEventInput => ({ ...control, type: 'ftp.command', dir: 'received', verb: line.split(' ')[0]!, line });
const transfer = (bytes: number): TraceEventInput => ({
  side: 'server',
  channel: 'data',
  conn: 'D1',
  session: 3,
  type: 'data.transfer',
  dir: 'received',
  bytes,
  mode: 'S',
  representation: 'I',
  complete: true,
  durationMs: 1,
});
const close: TraceEventInput = { ...control, type: 'tcp.close' };

function summaryOf(inputs: readonly TraceEventInput[]): SessionSummary {
  const events = inputs.map((e, i) => ({ ...e, seq: i + 1, t: i * 10 }) as TraceEvent);
  return events.reduce(foldSessionEvent, newSessionSummary(events[0] as TraceEvent & { session: number }));
}

describe('a session summed up in one line', () => {
  it.each([
    {
      title: 'connected, greeted: the client address, nothing else yet',
      events: [accept, reply(220, 'FTP Lab server ready.')],
      expected: { session: 3, client: '127.0.0.1:40512', phase: 'connected', lastReply: '220 FTP Lab server ready.', errors: 0, refusals: 0 },
    },
    {
      title: 'USER given, password asked: logging in as that user',
      events: [accept, reply(220, 'ready'), command('USER student'), reply(331, 'User name okay, need password.')],
      expected: { user: 'student', phase: 'logging in', lastCommand: 'USER student' },
    },
    {
      title: 'a wrong password: refused (5yz), still logging in',
      events: [accept, command('USER student'), reply(331, 'need password'), command('PASS ****'), reply(530, 'Login incorrect.')],
      expected: { phase: 'logging in', refusals: 1, errors: 0, lastReply: '530 Login incorrect.', lastCommand: 'PASS ****' },
    },
    {
      title: 'an upload: transferring after STOR, logged in again after 226, its bytes counted',
      events: [accept, command('USER a'), reply(230, 'ok'), command('STOR up.txt'), reply(150, 'opening'), transfer(1024), reply(226, 'Transfer complete')],
      expected: { phase: 'logged in', bytes: 1024, lastReply: '226 Transfer complete' },
    },
    {
      title: 'mid-transfer: the 150 does not end it',
      events: [accept, command('USER a'), reply(230, 'ok'), command('RETR f'), reply(150, 'opening')],
      expected: { phase: 'transferring' },
    },
    {
      title: 'a 425 (no data connection): an error, not a refusal',
      events: [accept, command('USER a'), reply(230, 'ok'), command('LIST'), reply(425, "Can't open data connection.")],
      expected: { phase: 'logged in', errors: 1, refusals: 0 },
    },
    {
      title: 'QUIT, 221, the control connection closed: closed',
      events: [accept, command('USER a'), reply(230, 'ok'), command('QUIT'), reply(221, 'Goodbye.'), close],
      expected: { phase: 'closed', lastReply: '221 Goodbye.', events: 6, firstT: 0, lastT: 50 },
    },
  ])('$title', ({ events, expected }) => {
    expect(summaryOf(events)).toMatchObject(expected);
  });

  it('marks a session that had an error or a refusal, and only those', () => {
    expect(sessionHadTrouble(summaryOf([accept, reply(530, 'no')]))).toBe(true);
    expect(sessionHadTrouble(summaryOf([accept, reply(421, 'busy')]))).toBe(true);
    expect(sessionHadTrouble(summaryOf([accept, reply(220, 'ready'), reply(221, 'bye')]))).toBe(false);
  });

  it('an IPv6 client is written as [host]:port', () => {
    expect(summaryOf([{ ...accept, remote: { host: '::1', port: 5000 } } as TraceEventInput]).client).toBe('[::1]:5000');
  });
});
