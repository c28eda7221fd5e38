// The time axis: rows in order and spaced by the time between them (in proportion, or on a log scale when
// the gaps span orders of magnitude), arrows slanted by their latency, the axis saying which scale it is.

import { describe, expect, it } from 'vitest';
import type { TimeScale } from '../../../../core/diagram/layout/diagramModel';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { stepReach } from '../../../../core/diagram/layout/stepReach';
import { chooseTimeScale, durationText, placeTimeRows, TIME_AXIS, timeHeight } from '../../../../core/diagram/layout/timeScale';
import type { TraceEvent } from '../../../../core/trace/traceEvent';
import { fixtures } from '../fixtures';
import { marksOf } from '../modelText';
import { TraceBuilder, blockReuse, oneSided, textbookUpload } from '../traceBuilder';

const fixture = (name: keyof typeof fixtures) => fixtures[name].events;
const gapsOf = (ys: readonly number[]) => ys.slice(1).map((y, i) => y - (ys[i] ?? 0));
const LOG: TimeScale = { kind: 'log', unitMs: TIME_AXIS.unitMs, pxPerDecade: TIME_AXIS.pxPerDecade };

/** A command sent at `at`, received `latency` ms later, and its reply `replyAfter` ms after the command was sent (received at once). */
function exchange(latency: number, replyAfter: number): TraceEvent[] {
  const b = new TraceBuilder();
  b.add({ type: 'ftp.command', side: 'client', dir: 'sent', channel: 'control', conn: 'C1', verb: 'NOOP', line: 'NOOP' }, 10);
  b.add({ type: 'ftp.command', side: 'server', dir: 'received', channel: 'control', conn: 'C1', verb: 'NOOP', line: 'NOOP' }, latency);
  b.add({ type: 'ftp.reply', side: 'server', dir: 'sent', channel: 'control', conn: 'C1', code: 200, lines: ['NOOP ok.'] }, replyAfter - latency);
  return b.add({ type: 'ftp.reply', side: 'client', dir: 'received', channel: 'control', conn: 'C1', code: 200, lines: ['NOOP ok.'] }, 0).events;
}

describe('time axis: the scale', () => {
  it.each([
    { title: 'gaps of 0.2 ms and 45 ms: log', ts: [0, 0.2, 45.2, 45.4], kind: 'log' },
    { title: 'gaps of 1, 2 and 4 ms: linear', ts: [0, 1, 3, 7], kind: 'linear' },
    { title: 'all at one moment: linear, no height for time', ts: [5, 5, 5], kind: 'linear' },
    { title: 'microsecond jitter does not count as a gap', ts: [0, 0.0001, 1, 3], kind: 'linear' },
  ])('$title', ({ ts, kind }) => {
    expect(chooseTimeScale(ts, 34).kind).toBe(kind);
  });

  it('linear: the gaps are in proportion to the time between rows (where above the minimum gap)', () => {
    const { ys } = placeTimeRows([0, 10, 30, 70], [false, false, false, false], 0, 34, { kind: 'linear', pxPerMs: 3 });
    expect(gapsOf(ys)).toEqual([30, 60, 120]);
  });

  it('linear: rows closer in time than the minimum gap are still the minimum gap apart', () => {
    const { ys } = placeTimeRows([0, 0.001, 0.002], [false, false, false], 0, 34, { kind: 'linear', pxPerMs: 3 });
    expect(gapsOf(ys)).toEqual([TIME_AXIS.minGap, TIME_AXIS.minGap]);
  });

  it('log: each decade of a gap adds the same height, so 0.2 ms and 45 ms differ visibly and 10 s still fits', () => {
    const { ys } = placeTimeRows([0, 0.1, 1.1, 11.1, 111.1], [false, false, false, false, false], 0, 34, LOG);
    const gaps = gapsOf(ys);
    // log10(1 + t/0.1): 0.1 ms → log10 2, 1 ms → log10 11, 10 ms → log10 101, 100 ms → log10 1001.
    expect(gaps[0]).toBeCloseTo(TIME_AXIS.minGap + TIME_AXIS.pxPerDecade * Math.log10(2), 6);
    for (let i = 1; i < 3; i++) expect(Math.abs((gaps[i + 1] ?? 0) - (gaps[i] ?? 0) - TIME_AXIS.pxPerDecade)).toBeLessThan(1);
    expect(timeHeight(LOG, 45) - timeHeight(LOG, 0.2)).toBeGreaterThan(2 * TIME_AXIS.pxPerDecade);
    expect(timeHeight(LOG, 10_000)).toBeLessThan(6 * TIME_AXIS.pxPerDecade);
  });

  it('a note’s further lines keep a full row each', () => {
    const { ys } = placeTimeRows([0, 0, 0], [false, true, true], 0, 34, LOG);
    expect(gapsOf(ys)).toEqual([34, 34]);
  });

  it('a moment between rows lies between them: the row before, plus its time’s height', () => {
    const rows = placeTimeRows([0, 10, 30], [false, false, false], 0, 34, { kind: 'linear', pxPerMs: 3 });
    expect(rows.yAt(4)).toBe((rows.ys[0] ?? 0) + 12);
    expect(rows.yAt(10)).toBe(rows.ys[1]);
    expect(rows.yAt(-1)).toBe(rows.ys[0]);
  });

  it.each([
    [0.05, '50 µs'],
    [0.2, '0.2 ms'],
    [1.25, '1.3 ms'],
    [45.2, '45 ms'],
    [1234, '1.2 s'],
  ])('%s ms is written "%s"', (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });
});

describe('time axis: the laid-out diagram', () => {
  for (const name of ['download', 'textbookUpload', 'serveCurl', 'clientVsftpd', 'blockReuse'] as const) {
    it(`${name}: rows go down in trace order, at least the minimum gap apart`, () => {
      const model = layoutTrace(fixture(name), { axis: 'time' });
      expect(model.rows.length).toBeGreaterThan(5);
      for (const gap of gapsOf(model.rows.map((r) => r.y))) expect(gap).toBeGreaterThanOrEqual(TIME_AXIS.minGap - 0.01);
      const axis = model.timeAxis!;
      expect(axis.caption.join(' ')).toMatch(axis.scale.kind === 'log' ? /log scale/ : /to scale/);
      const heights = axis.ticks.map((t) => t.height);
      expect(heights).toEqual([...heights].sort((a, b) => a - b));
    });
  }

  it('a loopback session’s gaps span orders of magnitude: a log scale, ticks at 0.1 ms, 1 ms, 10 ms', () => {
    const axis = layoutTrace(fixture('download'), { axis: 'time' }).timeAxis!;
    expect(axis.scale.kind).toBe('log');
    expect(axis.ticks.map((t) => t.label).slice(0, 2)).toEqual(['0.1 ms', '1 ms']);
    const b = new TraceBuilder().login();
    b.command('NOOP').add({ type: 'ftp.reply', side: 'server', dir: 'sent', channel: 'control', conn: 'C1', code: 200, lines: ['NOOP ok.'] }, 450);
    expect(layoutTrace(b.events, { axis: 'time' }).timeAxis?.ticks.map((t) => t.label)).toEqual(['0.1 ms', '1 ms', '10 ms', '100 ms']);
  });

  it('the step axis has no time axis and every arrow is flat', () => {
    const model = layoutTrace(textbookUpload());
    expect(model.timeAxis).toBeUndefined();
    for (const m of model.marks) if ('yEnd' in m) expect(m.yEnd, m.id).toBe(m.y);
  });

  it('an arrow slants by its latency: it lands where its receiver recorded it', () => {
    const events = exchange(5, 20);
    const model = layoutTrace(events, { axis: 'time', timeScale: LOG });
    const [command, reply] = marksOf(model, 'message');
    expect(command!.yEnd - command!.y).toBeCloseTo(timeHeight(LOG, 5), 1);
    // Received as it was sent: flat.
    expect(reply?.yEnd).toBe(reply?.y);
    // The label stays above the arrow's higher end.
    expect(command!.labelY).toBeLessThan(command!.y);
    // The reply's row is below where the command landed.
    expect(reply!.y).toBeGreaterThan(command!.yEnd);
  });

  it('a slow receiver slants more than a quick one, by the scale', () => {
    const quick = marksOf(layoutTrace(exchange(0.2, 50), { axis: 'time', timeScale: LOG }), 'message')[0]!;
    const slow = marksOf(layoutTrace(exchange(20, 50), { axis: 'time', timeScale: LOG }), 'message')[0]!;
    expect(slow.yEnd - slow.y).toBeCloseTo(timeHeight(LOG, 20), 1);
    expect(quick.yEnd - quick.y).toBeCloseTo(timeHeight(LOG, 0.2), 1);
  });

  it('a one-sided trace has no receive times: its arrows are flat', () => {
    const model = layoutTrace(oneSided(fixture('download'), 'server'), { axis: 'time' });
    for (const m of model.marks) if ('yEnd' in m) expect(m.yEnd, m.id).toBe(m.y);
  });

  it('in a two-sided trace, commands, replies, FINs, transfers and markers slant down, never up', () => {
    for (const events of [fixture('download'), blockReuse()]) {
      const model = layoutTrace(events, { axis: 'time' });
      const slanted = model.marks.filter((m) => 'yEnd' in m && m.yEnd > m.y);
      expect(slanted.length).toBeGreaterThan(3);
      for (const m of model.marks) if ('yEnd' in m) expect(m.yEnd).toBeGreaterThanOrEqual(m.y);
    }
  });

  it('step by step on the whole session’s scale, each prefix puts its rows where the whole diagram has them', () => {
    const events = fixture('download');
    const full = layoutTrace(events, { axis: 'time' });
    const scale = full.timeAxis!.scale;
    for (const k of [3, 10, 20]) {
      const to = full.rows[k - 1]!.seq;
      const prefix = layoutTrace(events, { axis: 'time', timeScale: scale, range: { from: 1, to } });
      expect(prefix.rows.map((r) => r.y)).toEqual(full.rows.slice(0, prefix.rows.length).map((r) => r.y));
    }
  });

  it('stepping keeps each arrow’s slant: an arrow still in flight at a step lands where the whole diagram lands it, its receiver’s record not yet shown', () => {
    for (const events of [fixture('download'), blockReuse()]) {
      const full = layoutTrace(events, { axis: 'time' });
      const whole = new Map(full.marks.map((m) => [m.id, m]));
      let inFlight = 0;
      for (let k = 1; k < full.steps; k++) {
        const to = stepReach(full, k, false);
        const prefix = layoutTrace(events, { axis: 'time', timeScale: full.timeAxis!.scale, wholeRows: full.rows, range: { from: 1, to } });
        for (const m of prefix.marks) {
          if (!('yEnd' in m)) continue;
          const there = whole.get(m.id) as typeof m;
          expect(m.y, `${m.id} at step ${k}`).toBe(there.y);
          expect(m.yEnd, `${m.id} at step ${k}`).toBeCloseTo(there.yEnd, 1);
          for (const seq of m.seqs) expect(seq).toBeLessThanOrEqual(to);
          if (there.seqs.some((seq) => seq > to)) inFlight++;
        }
      }
      // The case this is about happens in these traces: a receiver's record comes after a later row's event.
      expect(inFlight).toBeGreaterThan(0);
    }
  });

  it('a tall gap says its length in the margin', () => {
    const b = new TraceBuilder().login();
    b.command('NOOP').add({ type: 'ftp.reply', side: 'server', dir: 'sent', channel: 'control', conn: 'C1', code: 200, lines: ['NOOP ok.'] }, 2000);
    const model = layoutTrace(b.events, { axis: 'time' });
    expect(model.timeAxis?.gaps.map((g) => g.label)).toContain('+2 s');
    expect(model.rows.at(-1)?.label).toMatch(/ms$/);
  });
});
