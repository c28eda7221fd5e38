// One direction of TCP put back in order: titled rows for each way a capture mangles a stream, and a
// property — whatever order, repetition and overlap the segments come in, the bytes handed out are the
// sender's, once each, and a segment that never comes is a gap of exactly its length, never made up.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TcpStream, type StreamPiece } from '../../../../core/capture/import/tcpStream';

const bytesOf = (n: number, from = 0) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

/** The pieces as text: bytes as their values' range, gaps as 'gap N'. */
function describePieces(pieces: readonly StreamPiece[]): string[] {
  return pieces.map((p) => (p.kind === 'gap' ? `gap ${p.length}` : `${p.bytes[0]}..${p.bytes[p.bytes.length - 1]}`));
}

const ISN = 0xfffffff0; // close to the wrap, so every row also crosses 2^32

interface Row {
  title: string;
  /** Segments as [offset, length]; 'ack N' acknowledges up to offset N; 'flush' ends the capture. */
  steps: readonly ([number, number] | `ack ${number}` | 'flush')[];
  pieces: string[];
}

const rows: Row[] = [
  {
    title: 'in order',
    steps: [
      [0, 10],
      [10, 10],
    ],
    pieces: ['0..9', '10..19'],
  },
  {
    title: 'a retransmission is taken once',
    steps: [
      [0, 10],
      [0, 10],
      [10, 5],
    ],
    pieces: ['0..9', '10..14'],
  },
  {
    title: 'an overlap hands out only the new bytes',
    steps: [
      [0, 10],
      [5, 10],
    ],
    pieces: ['0..9', '10..14'],
  },
  {
    title: 'out of order waits for the hole',
    steps: [
      [10, 10],
      [0, 10],
    ],
    pieces: ['0..9', '10..19'],
  },
  {
    title: 'a hole the peer acknowledged past is lost, and what waits behind it comes out',
    steps: [[0, 10], [20, 5], 'ack 25'],
    pieces: ['0..9', 'gap 10', '20..24'],
  },
  { title: 'a hole still open when the capture ends is lost', steps: [[0, 10], [20, 5], 'flush'], pieces: ['0..9', 'gap 10', '20..24'] },
  { title: 'an ACK of bytes never seen at all is a gap too', steps: [[0, 10], 'ack 30'], pieces: ['0..9', 'gap 20'] },
];

describe('TcpStream', () => {
  it.each(rows)('$title', ({ steps, pieces }) => {
    const stream = new TcpStream();
    stream.start(ISN);
    const out: StreamPiece[] = [];
    for (const step of steps) {
      if (step === 'flush') out.push(...stream.flush());
      else if (typeof step === 'string') out.push(...stream.acked(ISN + Number(step.slice(4))));
      else out.push(...stream.push(ISN + step[0], bytesOf(step[1], step[0])));
    }
    expect(describePieces(out)).toEqual(pieces);
  });

  it('a payload the capture cut short (snap length) keeps its length on the wire as a gap', () => {
    const stream = new TcpStream();
    stream.start(100);
    expect(describePieces([...stream.push(100, bytesOf(4), 10), ...stream.push(110, bytesOf(5, 10))])).toEqual(['0..3', 'gap 6', '10..14']);
  });

  it('bytes from before the first sequence number seen are left out and counted', () => {
    const stream = new TcpStream();
    stream.start(1000);
    expect(describePieces(stream.push(990, bytesOf(20)))).toEqual(['10..19']);
    expect(stream.bytesBeforeStart).toBe(10);
  });

  it('held bytes beyond the limit give up the hole before them', () => {
    const stream = new TcpStream(100);
    stream.start(0);
    expect(describePieces(stream.push(50, bytesOf(101, 50)))).toEqual(['gap 50', '50..150']);
  });

  it('the FIN is reached only once every byte before it is out', () => {
    const stream = new TcpStream();
    stream.start(0);
    stream.push(10, bytesOf(10, 10));
    stream.fin(20, 0);
    expect(stream.finReached).toBe(false);
    stream.push(0, bytesOf(10));
    expect(stream.finReached).toBe(true);
  });

  it('any order, repetition and overlap of segments gives the sender’s bytes once each; a missing one is a gap of its length', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.infiniteStream(fc.integer({ min: 0, max: 99 })),
        (lengths, isn, dice) => {
          const total = lengths.reduce((a, b) => a + b, 0);
          const sent = bytesOf(total, 7);
          const segments: [number, number][] = [];
          lengths.reduce((at, n) => (segments.push([at, n]), at + n), 0);
          const pick = () => dice.next().value as number;
          // One segment (not the first, which fixes where the stream starts) may be lost; others repeat or swap.
          const lost = segments.length > 1 && pick() < 30 ? 1 + (pick() % (segments.length - 1)) : -1;
          const wire = segments.filter((_, i) => i !== lost).flatMap((s) => (pick() < 20 ? [s, s] : [s]));
          for (let i = wire.length - 1; i > 1; i--) if (pick() < 30) [wire[i], wire[i - 1]] = [wire[i - 1]!, wire[i]!];
          const stream = new TcpStream();
          stream.start(isn);
          const out = wire.flatMap(([at, n]) => stream.push((isn + at) >>> 0, sent.subarray(at, at + n)));
          out.push(...stream.flush());
          // Rebuild: bytes where they were handed out, gaps as holes.
          const got: (number | undefined)[] = [];
          for (const piece of out) {
            if (piece.kind === 'gap') got.push(...new Array<undefined>(piece.length).fill(undefined));
            else got.push(...piece.bytes);
          }
          const lostRange = lost >= 0 ? segments[lost]! : undefined;
          const expected = [...sent].map((b, i) => (lostRange && i >= lostRange[0] && i < lostRange[0] + lostRange[1] ? undefined : b));
          // A lost segment at the very end is not known to exist (nothing after it, no ACK): the stream just ends before it.
          const end = lostRange && lostRange[0] + lostRange[1] === total ? lostRange[0] : total;
          expect(got).toEqual(expected.slice(0, end));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('TcpStream on hostile orders', () => {
  it('50,000 one-byte segments in reverse order: held by binary search, at most MAX_PENDING_PIECES of them (was 9.2 s)', () => {
    const n = 50_000;
    const stream = new TcpStream();
    stream.start(0);
    const t0 = performance.now();
    const out: StreamPiece[] = [];
    for (let at = n; at >= 1; at--) out.push(...stream.push(at, bytesOf(1, at)));
    out.push(...stream.flush());
    const ms = performance.now() - t0;
    // Every byte is handed out or said lost exactly once; the first byte never came.
    const total = out.reduce((sum, p) => sum + (p.kind === 'gap' ? p.length : p.bytes.length), 0);
    expect(total).toBe(n + 1);
    expect(stream.lostBytes).toBeGreaterThanOrEqual(1);
    expect(ms).toBeLessThan(2000);
  });

  it('segments in reverse order with holes between them keep their order when handed out', () => {
    const stream = new TcpStream();
    stream.start(0);
    for (const at of [40, 30, 20, 10]) stream.push(at, bytesOf(5, at));
    expect(describePieces(stream.push(0, bytesOf(5)))).toEqual(['0..4']);
    expect(describePieces(stream.flush())).toEqual(['gap 5', '10..14', 'gap 5', '20..24', 'gap 5', '30..34', 'gap 5', '40..44']);
  });
});
