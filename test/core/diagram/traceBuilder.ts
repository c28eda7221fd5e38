// Hand-written traces for layout tests: each call records what both ends of a loopback session record
// (the sender's and the receiver's record of one message), with seq and t assigned in order.

import type { CloseReason, Endpoint, Side, TraceEvent, TraceEventInput, TransferMode } from '../../../core/trace/traceEvent';
import { otherSide } from '../../../core/trace/sides';

const local = (port: number): Endpoint => ({ host: '127.0.0.1', port });

export class TraceBuilder {
  readonly events: TraceEvent[] = [];
  #t = 0;

  add(input: TraceEventInput, dt = 1): this {
    this.#t += dt;
    this.events.push({ ...input, seq: this.events.length + 1, t: this.#t } as TraceEvent);
    return this;
  }

  /** A TCP connection: the initiator's tcp.connect, then the acceptor's tcp.accept. */
  connect(channel: 'control' | 'data', conn: string, initiator: Side, fromPort: number, toPort: number): this {
    this.add({ type: 'tcp.connect', side: initiator, channel, conn, local: local(fromPort), remote: local(toPort) });
    return this.add({ type: 'tcp.accept', side: otherSide(initiator), channel, conn, local: local(toPort), remote: local(fromPort) });
  }

  listen(side: Side, port: number, listener = 'L1'): this {
    return this.add({ type: 'tcp.listen', side, channel: 'data', listener, local: local(port) });
  }

  command(line: string, conn = 'C1'): this {
    const verb = line.split(' ')[0] ?? line;
    this.add({ type: 'ftp.command', side: 'client', dir: 'sent', channel: 'control', conn, verb, line });
    return this.add({ type: 'ftp.command', side: 'server', dir: 'received', channel: 'control', conn, verb, line });
  }

  reply(code: number, text: string, conn = 'C1'): this {
    this.add({ type: 'ftp.reply', side: 'server', dir: 'sent', channel: 'control', conn, code, lines: [text] });
    return this.add({ type: 'ftp.reply', side: 'client', dir: 'received', channel: 'control', conn, code, lines: [text] });
  }

  transfer(conn: string, from: Side, bytes: number, mode: TransferMode = 'S', keptOpen = false, complete = true): this {
    const common = { channel: 'data' as const, conn, bytes, mode, representation: 'I' as const, complete, durationMs: 0.5, ...(keptOpen ? { keptOpen } : {}) };
    this.add({ type: 'data.transfer', side: from, dir: 'sent', ...common });
    return this.add({ type: 'data.transfer', side: otherSide(from), dir: 'received', ...common });
  }

  eofMarker(conn: string, from: Side, offset: number, hex = '40 00 00', mode: TransferMode = 'B'): this {
    const common = { channel: 'data' as const, conn, marker: 'eof' as const, hex, offset, mode };
    this.add({ type: 'data.marker', side: from, dir: 'sent', ...common });
    return this.add({ type: 'data.marker', side: otherSide(from), dir: 'received', ...common });
  }

  /** A FIN sent by `from`: its own record, then the peer's record of receiving it. */
  fin(channel: 'control' | 'data', conn: string, from: Side, reason?: CloseReason): this {
    const why = reason ? { reason } : {};
    this.add({ type: 'tcp.fin', side: from, dir: 'sent', channel, conn, ...why });
    return this.add({ type: 'tcp.fin', side: from, dir: 'received', channel, conn, ...why });
  }

  close(channel: 'control' | 'data', conn: string, side: Side): this {
    return this.add({ type: 'tcp.close', side, channel, conn });
  }

  state(machine: 'client' | 'server', from: string, to: string, event: string): this {
    return this.add({ type: 'state', side: machine, machine, from, to, event });
  }

  note(text: string): this {
    return this.add({ type: 'note', side: 'server', text });
  }

  /** Both ends close a data connection after a STREAM-mode transfer: the sender's FIN (EOF), then the answer. */
  streamEnd(conn: string, sender: Side): this {
    this.fin('data', conn, sender, 'eof').fin('data', conn, otherSide(sender), 'peer-closed');
    return this.close('data', conn, sender).close('data', conn, otherSide(sender));
  }

  login(): this {
    this.connect('control', 'C1', 'client', 50000, 2121).reply(220, 'FTP Lab server ready.');
    return this.command('USER student').reply(331, 'User name okay, need password.').command('PASS ****').reply(230, 'User student logged in, proceed.');
  }

  quit(): this {
    this.command('QUIT').reply(221, 'Goodbye.');
    this.fin('control', 'C1', 'server', 'quit').fin('control', 'C1', 'client', 'peer-closed');
    return this.close('control', 'C1', 'client').close('control', 'C1', 'server');
  }
}

/** Which side's recorder wrote an event: for tcp.fin/rst `side` is the sender, so a received FIN was written by the peer. */
export function recordedBy(e: TraceEvent): Side {
  if ((e.type === 'tcp.fin' || e.type === 'tcp.rst') && e.dir === 'received') return otherSide(e.side);
  return e.side;
}

/** The trace one side alone would have recorded (serve mode; our client against another server), renumbered. */
export function oneSided(events: readonly TraceEvent[], side: Side): TraceEvent[] {
  return events.filter((e) => recordedBy(e) === side).map((e, i) => ({ ...e, seq: i + 1 }));
}

/** The textbook upload (RFC 959 §8-style): active mode, STOR, the client closes the data connection at EOF. */
export function textbookUpload(): TraceEvent[] {
  const b = new TraceBuilder().login().command('TYPE I').reply(200, 'Type set to I.');
  b.listen('client', 50001).command('PORT 127,0,0,1,195,81').reply(200, 'PORT command successful.');
  b.command('STOR notes.txt').reply(150, 'Opening BINARY mode data connection for /notes.txt.');
  b.connect('data', 'D1', 'server', 2120, 50001).transfer('D1', 'client', 4096).streamEnd('D1', 'client');
  b.reply(226, 'Transfer complete (4096 bytes); data connection closed.');
  return b.quit().events;
}

/** A passive-mode download: the server sends the file and closes the data connection at EOF. */
export function download(): TraceEvent[] {
  const b = new TraceBuilder().login().command('PASV');
  b.listen('server', 40000).reply(227, 'Entering Passive Mode (127,0,0,1,156,64).');
  b.connect('data', 'D1', 'client', 50002, 40000);
  b.command('RETR notes.txt').reply(150, 'Opening BINARY mode data connection for /notes.txt.');
  b.transfer('D1', 'server', 575).streamEnd('D1', 'server').reply(226, 'Transfer complete (575 bytes); data connection closed.');
  return b.quit().events;
}

/** Three files over one BLOCK-mode data connection: an EOF marker ends each file, the connection stays open. */
export function blockReuse(): TraceEvent[] {
  const b = new TraceBuilder().login().command('MODE B').reply(200, 'Mode set to B.').command('PASV');
  b.listen('server', 40000).reply(227, 'Entering Passive Mode (127,0,0,1,156,64).');
  b.connect('data', 'D1', 'client', 50002, 40000);
  const files = [
    ['notes.txt', 575],
    ['readme.txt', 296],
    ['hello.txt', 20],
  ] as const;
  files.forEach(([name, size], i) => {
    b.command(`RETR ${name}`).reply(i === 0 ? 150 : 125, i === 0 ? 'Opening BINARY mode data connection.' : 'Data connection already open; transfer starting.');
    b.eofMarker('D1', 'server', size).transfer('D1', 'server', size + 6, 'B', true);
    b.reply(250, `Transfer complete (${size + 6} bytes); the data connection stays open (MODE B).`);
  });
  b.command('QUIT').reply(221, 'Goodbye.');
  b.fin('data', 'D1', 'server', 'quit').fin('control', 'C1', 'server', 'quit');
  b.fin('data', 'D1', 'client', 'peer-closed').fin('control', 'C1', 'client', 'peer-closed');
  b.close('data', 'D1', 'client').close('data', 'D1', 'server').close('control', 'C1', 'client').close('control', 'C1', 'server');
  return b.events;
}
