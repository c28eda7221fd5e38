// layoutTrace: which event takes which row, on which lanes, with which badge; spans, bands, markers;
// one-sided traces, ranges, determinism, and a long trace.

import { describe, expect, it } from 'vitest';
import type { DiagramModel } from '../../../../core/diagram/layout/diagramModel';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import type { TraceEvent } from '../../../../core/trace/traceEvent';
import { marksOf, rowLines } from '../modelText';
import { TraceBuilder, blockReuse, download, oneSided, textbookUpload } from '../traceBuilder';

const LOGIN_ROWS = [
  'connect client → server: C1: connect 50000 → 2121',
  'message server → client: 220 FTP Lab server ready.',
  'message client → server: USER student',
  'message server → client: 331 User name okay, need password.',
  'message client → server: PASS ****',
  'message server → client: 230 User student logged in, proceed.',
];
const QUIT_ROWS = [
  'message client → server: QUIT',
  'message server → client: 221 Goodbye.',
  'fin server → client: FIN [server closed: session ended]',
  'fin client → server: FIN [client closed: answering the peer’s close]',
];

describe('layoutTrace: rows of small hand-written traces', () => {
  const rows: { title: string; events: () => TraceEvent[]; expected: string[] }[] = [
    {
      title: 'textbook upload (active mode): PORT→200, STOR→150, the server connects, the client closes at EOF, then 226',
      events: textbookUpload,
      expected: [
        ...LOGIN_ROWS,
        'message client → server: TYPE I',
        'message server → client: 200 Type set to I.',
        'listen client-data: listening on 127.0.0.1:50001',
        'message client → server: PORT 127,0,0,1,195,81',
        'message server → client: 200 PORT command successful.',
        'message client → server: STOR notes.txt',
        'message server → client: 150 Opening BINARY mode data connection for /notes.txt.',
        'connect server-data → client-data: D1: connect 2120 → 50001',
        'transfer client-data → server-data: 4096 bytes · TYPE I MODE S · 0.5 ms',
        'fin client-data → server-data: FIN [client closed: EOF in STREAM mode]',
        'fin server-data → client-data: FIN [server closed: answering the peer’s close]',
        'message server → client: 226 Transfer complete (4096 bytes); data connection closed.',
        ...QUIT_ROWS,
      ],
    },
    {
      title: 'download (passive mode): the client connects, the server sends and closes at EOF, then 226',
      events: download,
      expected: [
        ...LOGIN_ROWS,
        'message client → server: PASV',
        'listen server-data: listening on 127.0.0.1:40000',
        'message server → client: 227 Entering Passive Mode (127,0,0,1,156,64).',
        'connect client-data → server-data: D1: connect 50002 → 40000',
        'message client → server: RETR notes.txt',
        'message server → client: 150 Opening BINARY mode data connection for /notes.txt.',
        'transfer server-data → client-data: 575 bytes · TYPE I MODE S · 0.5 ms',
        'fin server-data → client-data: FIN [server closed: EOF in STREAM mode]',
        'fin client-data → server-data: FIN [client closed: answering the peer’s close]',
        'message server → client: 226 Transfer complete (575 bytes); data connection closed.',
        ...QUIT_ROWS,
      ],
    },
    {
      title: 'BLOCK reuse: an EOF marker and a kept-open transfer per file, no FIN until QUIT',
      events: blockReuse,
      expected: [
        ...LOGIN_ROWS,
        'message client → server: MODE B',
        'message server → client: 200 Mode set to B.',
        'message client → server: PASV',
        'listen server-data: listening on 127.0.0.1:40000',
        'message server → client: 227 Entering Passive Mode (127,0,0,1,156,64).',
        'connect client-data → server-data: D1: connect 50002 → 40000',
        'message client → server: RETR notes.txt',
        'message server → client: 150 Opening BINARY mode data connection.',
        'marker server-data → client-data: EOF marker 40 00 00',
        'transfer server-data → client-data: 581 bytes · TYPE I MODE B · 0.5 ms [stays open: BLOCK mode, EOF marker sent]',
        'message server → client: 250 Transfer complete (581 bytes); the data connection stays open (MODE B).',
        'message client → server: RETR readme.txt',
        'message server → client: 125 Data connection already open; transfer starting.',
        'marker server-data → client-data: EOF marker 40 00 00',
        'transfer server-data → client-data: 302 bytes · TYPE I MODE B · 0.5 ms [stays open: BLOCK mode, EOF marker sent]',
        'message server → client: 250 Transfer complete (302 bytes); the data connection stays open (MODE B).',
        'message client → server: RETR hello.txt',
        'message server → client: 125 Data connection already open; transfer starting.',
        'marker server-data → client-data: EOF marker 40 00 00',
        'transfer server-data → client-data: 26 bytes · TYPE I MODE B · 0.5 ms [stays open: BLOCK mode, EOF marker sent]',
        'message server → client: 250 Transfer complete (26 bytes); the data connection stays open (MODE B).',
        'message client → server: QUIT',
        'message server → client: 221 Goodbye.',
        'fin server-data → client-data: FIN [server closed: session ended]',
        'fin server → client: FIN [server closed: session ended]',
        'fin client-data → server-data: FIN [client closed: answering the peer’s close]',
        'fin client → server: FIN [client closed: answering the peer’s close]',
      ],
    },
  ];
  for (const row of rows) {
    it(row.title, () => {
      const model = layoutTrace(row.events());
      expect(rowLines(model)).toEqual(row.expected);
      expect(model.steps).toBe(row.expected.length);
    });
  }
});

describe('layoutTrace: messages recorded at both ends are drawn once', () => {
  it('each command and reply mark stands for the sender’s record and the receiver’s record', () => {
    const events = textbookUpload();
    const model = layoutTrace(events);
    const stor = marksOf(model, 'message').find((m) => m.label === 'STOR notes.txt');
    const sent = events.find((e) => e.type === 'ftp.command' && e.line === 'STOR notes.txt' && e.dir === 'sent');
    const received = events.find((e) => e.type === 'ftp.command' && e.line === 'STOR notes.txt' && e.dir === 'received');
    expect(stor?.seqs).toEqual([sent?.seq, received?.seq]);
    expect(stor?.id).toBe(`e${sent?.seq}`);
    expect(stor?.rfc).toBe('959 §4.1.3');
    expect(stor?.detail).toMatchObject({ line: 'STOR notes.txt', side: 'client', dir: 'sent', 'peer side': 'server (received)' });
  });

  it("a client's FIN: the peer record is the server's (a FIN received names its sender in side, not who recorded it)", () => {
    const model = layoutTrace(textbookUpload());
    const fin = marksOf(model, 'fin').find((m) => m.conn === 'D1' && m.sender === 'client');
    expect(fin?.detail).toMatchObject({ side: 'client', dir: 'sent', 'peer side': 'server (received)' });
  });

  it('the connect and the accept of one connection are one arrow at the first record, covering both', () => {
    const model = layoutTrace(textbookUpload());
    const connects = marksOf(model, 'connect').filter((m) => m.conn === 'D1');
    expect(connects).toHaveLength(1);
    expect(connects[0]).toMatchObject({ initiator: 'server', how: 'active', fromLane: 'server-data', toLane: 'client-data', rfc: '959 §3.2' });
    expect(connects[0]?.seqs).toHaveLength(2);
  });

  it('a receiver’s record whose sender never recorded it (an upload cut short) is still drawn', () => {
    const b = new TraceBuilder().login().command('PASV').reply(227, 'Entering Passive Mode (127,0,0,1,156,64).');
    b.connect('data', 'D1', 'client', 50002, 40000).command('STOR big.bin').reply(150, 'Opening data connection.');
    b.add({
      type: 'data.transfer',
      side: 'server',
      dir: 'received',
      channel: 'data',
      conn: 'D1',
      bytes: 65536,
      mode: 'S',
      representation: 'I',
      complete: false,
      durationMs: 3,
    });
    b.fin('data', 'D1', 'server', 'abort');
    const model = layoutTrace(b.events);
    const [transfer] = marksOf(model, 'transfer');
    expect(transfer).toMatchObject({ from: 'client', direction: 'client-to-server', complete: false, bytes: 65536 });
    expect(marksOf(model, 'close-badge').map((m) => m.text)).toContain('cut short after 65536 bytes');
    expect(marksOf(model, 'close-badge').map((m) => m.text)).toContain('server closed: ABOR');
  });
});

describe('layoutTrace: data connections, bands and markers', () => {
  it('BLOCK reuse: one connection span across all three transfers, no FIN between them, EOF markers 40 00 00', () => {
    const model = layoutTrace(blockReuse());
    const spans = marksOf(model, 'connection');
    expect(spans).toHaveLength(1);
    const [span] = spans;
    const transfers = marksOf(model, 'transfer');
    expect(transfers).toHaveLength(3);
    expect(span).toMatchObject({ id: 'conn-D1', conn: 'D1', colour: 0, openAtStart: false, openAtEnd: false });
    const connect = marksOf(model, 'connect').find((m) => m.conn === 'D1');
    expect(span?.stepFrom).toBe(connect?.step);
    const dataFins = marksOf(model, 'fin').filter((m) => m.channel === 'data');
    expect(span?.stepTo).toBe(Math.max(...dataFins.map((f) => f.step)));
    const lastTransfer = Math.max(...transfers.map((t) => t.step));
    expect(dataFins.every((f) => f.step > lastTransfer)).toBe(true);
    for (const t of transfers) expect(t.stepFrom).toBeGreaterThanOrEqual(span?.stepFrom ?? Infinity);
    expect(
      marksOf(model, 'close-badge')
        .filter((b) => b.tone === 'open')
        .map((b) => b.text),
    ).toEqual(Array(3).fill('stays open: BLOCK mode, EOF marker sent'));
    expect(marksOf(model, 'marker').map((m) => [m.marker, m.hex, m.rfc])).toEqual(Array(3).fill(['eof', '40 00 00', '959 §3.4.2']));
    expect(model.legend.connections).toEqual([{ conn: 'D1', colour: 0, label: 'D1: passive mode, client 127.0.0.1:50002 → server 127.0.0.1:40000' }]);
  });

  it('bands of transfers on one connection follow each other: each starts after its request, not before the previous ends', () => {
    const model = layoutTrace(blockReuse());
    const transfers = marksOf(model, 'transfer');
    for (let i = 1; i < transfers.length; i++) {
      const previous = transfers[i - 1];
      const current = transfers[i];
      expect(current?.stepFrom).toBeGreaterThanOrEqual(previous?.stepTo ?? Infinity);
      expect(current?.band.y1).toBeGreaterThan(previous?.band.y1 ?? Infinity);
    }
  });

  it('each data connection gets its own colour; control marks are colour "control"', () => {
    const b = new TraceBuilder().login();
    for (const [i, conn] of ['D1', 'D2', 'D3'].entries()) {
      b.command('PASV')
        .reply(227, 'Entering Passive Mode.')
        .connect('data', conn, 'client', 50010 + i, 40010 + i);
      b.command('LIST').reply(150, 'Here comes the listing.').transfer(conn, 'server', 100).streamEnd(conn, 'server').reply(226, 'Done.');
    }
    const model = layoutTrace(b.quit().events);
    expect(marksOf(model, 'connection').map((m) => [m.conn, m.colour])).toEqual([
      ['D1', 0],
      ['D2', 1],
      ['D3', 2],
    ]);
    expect(model.legend.connections.map((c) => c.colour)).toEqual([0, 1, 2]);
    expect(new Set(marksOf(model, 'message').map((m) => m.colour))).toEqual(new Set(['control']));
    for (const t of marksOf(model, 'transfer')) expect(t.colour).toBe(Number(t.conn?.slice(1)) - 1);
  });

  it('lane subtitles name the endpoints seen on each lane', () => {
    const model = layoutTrace(textbookUpload());
    expect(model.lanes.map((l) => [l.id, l.subtitle])).toEqual([
      ['client', '127.0.0.1:50000'],
      ['client-data', '127.0.0.1:50001'],
      ['server-data', '127.0.0.1:2120'],
      ['server', '127.0.0.1:2121'],
    ]);
    expect(model.lanes.map((l) => l.x)).toEqual([...model.lanes.map((l) => l.x)].sort((a, b) => a - b));
  });
});

describe('layoutTrace: lane subtitles of a long-running server', () => {
  it('name fewer ports when three would run into the next lane, and never overlap a neighbour', () => {
    // Six sessions, each with its own control port and a passive data connection on a 5-digit port.
    const b = new TraceBuilder();
    for (let i = 0; i < 6; i += 1) {
      b.connect('control', `C${i + 1}`, 'client', 42988 + i, 2292);
      b.listen('server', 26000 + i, `L${i + 1}`);
      b.connect('data', `D${i + 1}`, 'client', 50908 + i, 26000 + i);
    }
    const model = layoutTrace(b.events);
    const subtitle = Object.fromEntries(model.lanes.map((l) => [l.id, l.subtitle]));
    // 0.604 em × 12 px per character: '127.0.0.1 ports 42988, 42989 +4' (31 characters) is 225 px,
    // wider than the 224 px left between two lanes 240 px apart.
    expect(subtitle.client).toBe('127.0.0.1 ports 42988 +5');
    expect(subtitle['client-data']).toBe('127.0.0.1 ports 50908 +5');
    expect(subtitle['server-data']).toBe('127.0.0.1 ports 26000 +5');
    expect(subtitle.server).toBe('127.0.0.1:2292');
    const width = (text: string) => [...text].length * 0.604 * 12;
    for (let i = 1; i < model.lanes.length; i += 1) {
      const [left, right] = [model.lanes[i - 1]!, model.lanes[i]!];
      expect((width(left.subtitle) + width(right.subtitle)) / 2, `${left.id} | ${right.id}`).toBeLessThan(right.x - left.x);
    }
  });
});

describe('layoutTrace: refusals, resets and notes', () => {
  const rows: { title: string; events: (b: TraceBuilder) => void; expected: string; badge?: string }[] = [
    {
      title: 'active mode, the server cannot connect: a refused arrow from server-data to client-data',
      events: (b) =>
        b.add({
          type: 'tcp.refused',
          side: 'server',
          channel: 'data',
          remote: { host: '127.0.0.1', port: 50001 },
          reason: 'connect to 127.0.0.1:50001 failed: ECONNREFUSED',
        }),
      expected: 'refused server-data → client-data: connect refused (ECONNREFUSED)',
    },
    {
      title: 'passive mode, a connection from a foreign address: refused by the server, drawn from the client side',
      events: (b) =>
        b.add({
          type: 'tcp.refused',
          side: 'server',
          channel: 'data',
          local: { host: '127.0.0.1', port: 40000 },
          remote: { host: '10.0.0.9', port: 5555 },
          reason: 'a data connection from 10.0.0.9 is not from the control connection’s peer',
        }),
      expected: 'refused client-data → server-data: foreign connection refused',
    },
    {
      title: 'a reset data connection: RST from its sender with a "reset" badge',
      events: (b) =>
        b.connect('data', 'D1', 'client', 50002, 40000).add({ type: 'tcp.rst', side: 'server', dir: 'sent', channel: 'data', conn: 'D1', reason: 'replaced' }),
      expected: 'rst server-data → client-data: RST [server reset: replaced by a new PORT/PASV]',
    },
    {
      title: 'a note from the session host spans the diagram',
      events: (b) => b.note('the client went quiet for 30 s'),
      expected: 'note : the client went quiet for 30 s',
    },
  ];
  for (const row of rows) {
    it(row.title, () => {
      const b = new TraceBuilder().login();
      row.events(b);
      const lines = rowLines(layoutTrace(b.events));
      expect(lines.at(-1)).toBe(row.expected);
    });
  }
});

describe('layoutTrace: one-sided traces', () => {
  const rows = [
    { title: 'server only (serve mode)', side: 'server' as const },
    { title: 'client only (our client against another server)', side: 'client' as const },
  ];
  for (const row of rows) {
    it(`${row.title}: the same messages, FINs and transfers in the same order as the two-sided trace`, () => {
      const both = rowLines(layoutTrace(textbookUpload())).filter((l) => !l.startsWith('listen'));
      const one = rowLines(layoutTrace(oneSided(textbookUpload(), row.side))).filter((l) => !l.startsWith('listen'));
      expect(one).toEqual(both);
    });
  }

  it('server only: the client’s FIN, seen as received by the server, comes from the client-data lane', () => {
    const model = layoutTrace(oneSided(download(), 'server'));
    const fins = marksOf(model, 'fin').filter((m) => m.channel === 'data');
    expect(fins.map((f) => [f.fromLane, f.toLane, f.seqs.length])).toEqual([
      ['server-data', 'client-data', 1],
      ['client-data', 'server-data', 1],
    ]);
  });
});

describe('layoutTrace: options', () => {
  it('is deterministic and plain data: the same trace gives an identical model, and it survives JSON', () => {
    const events = blockReuse();
    const a = layoutTrace(events, { showStates: true });
    const b = layoutTrace(
      events.map((e) => ({ ...e })),
      { showStates: true },
    );
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.parse(JSON.stringify(a)) as DiagramModel).toEqual(a);
  });

  it('range: only events with seq in [from, to] get rows; a connection open before the range starts at the top', () => {
    const events = blockReuse();
    const full = layoutTrace(events);
    const second = events.find((e) => e.type === 'ftp.command' && e.line === 'RETR readme.txt');
    const third = events.find((e) => e.type === 'ftp.command' && e.line === 'RETR hello.txt');
    const range = { from: second?.seq ?? 0, to: (third?.seq ?? 0) - 1 };
    const model = layoutTrace(events, { range });
    expect(model.rows.every((r) => r.seq >= range.from && r.seq <= range.to)).toBe(true);
    expect(rowLines(model)).toEqual([
      'message client → server: RETR readme.txt',
      'message server → client: 125 Data connection already open; transfer starting.',
      'marker server-data → client-data: EOF marker 40 00 00',
      'transfer server-data → client-data: 302 bytes · TYPE I MODE B · 0.5 ms [stays open: BLOCK mode, EOF marker sent]',
      'message server → client: 250 Transfer complete (302 bytes); the data connection stays open (MODE B).',
    ]);
    const [span] = marksOf(model, 'connection');
    expect(span).toMatchObject({ conn: 'D1', openAtStart: true, openAtEnd: true, stepFrom: 0, stepTo: 4 });
    // Ids and colours match the full diagram, so a view can switch between them.
    const ids = new Set(full.marks.map((m) => m.id));
    expect(model.marks.every((m) => ids.has(m.id))).toBe(true);
  });

  it('showStates gives state changes rows of their own; without it they take none', () => {
    const b = new TraceBuilder().login().state('client', 'command.gated', 'command.awaitingReply', 'xstate.done');
    const without = layoutTrace(b.events);
    const withStates = layoutTrace(b.events, { showStates: true });
    expect(withStates.steps).toBe(without.steps + 1);
    expect(marksOf(withStates, 'state')[0]).toMatchObject({ lane: 'client', label: 'command.gated → command.awaitingReply' });
  });

  it('time axis: rows keep trace order, never closer than a minimum gap, and a slow step takes more room', () => {
    const b = new TraceBuilder().login();
    b.command('NOOP').add({ type: 'ftp.reply', side: 'server', dir: 'sent', channel: 'control', conn: 'C1', code: 200, lines: ['NOOP ok.'] }, 2000);
    const model = layoutTrace(b.events, { axis: 'time' });
    const ys = model.rows.map((r) => r.y);
    const gaps = ys.slice(1).map((y, i) => y - (ys[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(25.9);
    expect(gaps[gaps.length - 1]).toBe(Math.max(...gaps));
    expect(model.rows.at(-1)?.label).toMatch(/ms$/);
  });

  it('an empty range gives an empty diagram, not an error', () => {
    const model = layoutTrace(textbookUpload(), { range: { from: 10_000, to: 20_000 } });
    expect(model).toMatchObject({ steps: 0, marks: [], rows: [] });
  });
});

describe('layoutTrace: accessible names and ids', () => {
  for (const [title, events] of [
    ['textbook upload', textbookUpload()],
    ['BLOCK reuse', blockReuse()],
    ['server only', oneSided(download(), 'server')],
  ] as const) {
    it(`${title}: every mark has a unique id and an accessible name`, () => {
      const model = layoutTrace(events, { showStates: true });
      const ids = model.marks.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const m of model.marks) expect(m.ariaLabel.length, m.id).toBeGreaterThan(8);
    });
  }

  it('names say who sent what', () => {
    const model = layoutTrace(textbookUpload());
    const labels = model.marks.map((m) => m.ariaLabel);
    expect(labels).toContain('client → server: STOR notes.txt');
    expect(labels).toContain('data connection D1: FIN from client, end of file in STREAM mode (RFC 959 §3.4.1)');
    expect(labels).toContain('data connection D1: client closed: EOF in STREAM mode');
  });
});

describe('layoutTrace: a long trace', () => {
  it('lays out 10,000+ events: every message once, every connection its span', () => {
    const b = new TraceBuilder().login();
    let transfers = 0;
    for (let i = 0; b.events.length < 10_000; i++) {
      const conn = `D${i + 1}`;
      b.command('PASV')
        .reply(227, 'Entering Passive Mode.')
        .connect('data', conn, 'client', 30000 + (i % 20000), 40000);
      b.command(`RETR file${i}.txt`).reply(150, 'Opening.').transfer(conn, 'server', i).streamEnd(conn, 'server').reply(226, 'Done.');
      b.command('NOOP').reply(200, 'OK.');
      transfers += 1;
    }
    const events = b.quit().events;
    const model = layoutTrace(events);
    const commands = events.filter((e) => e.type === 'ftp.command' && e.dir === 'sent').length;
    const replies = events.filter((e) => e.type === 'ftp.reply' && e.dir === 'sent').length;
    expect(events.length).toBeGreaterThanOrEqual(10_000);
    expect(marksOf(model, 'message')).toHaveLength(commands + replies);
    expect(marksOf(model, 'connection')).toHaveLength(transfers);
    expect(marksOf(model, 'transfer')).toHaveLength(transfers);
    expect(model.rows.at(-1)?.y).toBeLessThan(model.height);
  });
});
