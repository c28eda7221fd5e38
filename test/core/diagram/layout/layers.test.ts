// The diagram's optional layers (issue 12): each end's kernel TCP state on its lane, and the TCP segments under
// each connect and FIN. One layout places them for the screen and every export; the step count never changes.

import { describe, expect, it } from 'vitest';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { exportModel } from '../../../../core/diagram/layout/exportModel';
import { paintSvg } from '../../../../core/diagram/painters/svgPainter';
import { mermaidText, paintMermaid } from '../../../../core/diagram/painters/mermaidPainter';
import { paintPlantUml } from '../../../../core/diagram/painters/plantumlPainter';
import type { KernelStateMark } from '../../../../core/diagram/layout/diagramModel';
import { fixtures } from '../fixtures';
import { Narrator } from '../../../../core/scenarios/narration';
import { marksOf } from '../modelText';

/** The states drawn for one end of a connection, in order. */
const statesOn = (marks: readonly KernelStateMark[], conn: string, side: string) => marks.filter((m) => m.conn === conn && m.side === side).map((m) => m.state);

describe('kernel TCP states on the lanes', () => {
  it.each([
    { name: 'textbook upload', trace: fixtures.textbookUploadKernel, first: 'client', second: 'server' },
    { name: 'download', trace: fixtures.downloadKernel, first: 'server', second: 'client' },
  ] as const)('$name: the $first closed D1 first and its lane ends in TIME_WAIT; the $second’s ends CLOSED', ({ trace, first, second }) => {
    const model = layoutTrace(trace.events, { kernelStates: true });
    const marks = marksOf(model, 'kernel-state');
    const firstFin = marksOf(model, 'fin').find((m) => m.conn === 'D1');
    expect(firstFin?.sender).toBe(first);
    expect(statesOn(marks, 'D1', first).at(-1)).toBe('TIME_WAIT');
    expect(statesOn(marks, 'D1', second).at(-1)).toBe('CLOSED');
    expect(statesOn(marks, 'D1', second)).not.toContain('TIME_WAIT');
    const timeWait = marks.find((m) => m.conn === 'D1' && m.state === 'TIME_WAIT')!;
    // On the first closer's own data lane, still in TIME_WAIT when the session ends (it lasts 2 MSL).
    expect(timeWait).toMatchObject({ lane: `${first}-data`, side: first, tone: 'time-wait', openAtEnd: true, y2: model.lifelines.y2 });
    expect(timeWait.ariaLabel).toContain('TIME_WAIT');
    // Each band starts at or after the FIN that caused it, never before.
    expect(timeWait.stepFrom).toBeGreaterThanOrEqual(firstFin!.step);
    // Bands of one end follow one another down its lane.
    const ends = marks.filter((m) => m.conn === 'D1' && m.side === first);
    for (let i = 1; i < ends.length; i++) expect(ends[i]!.y1).toBeGreaterThanOrEqual(ends[i - 1]!.y2 - 0.01);
  });

  it('the narration of TIME_WAIT says why that end: it sent the first FIN (RFC 9293 §3.6)', () => {
    const narrator = new Narrator();
    const told = fixtures.textbookUploadKernel.events.flatMap((e) => {
      const n = narrator.narrate(e);
      return e.type === 'tcp.state' && e.conn === 'D1' && e.state === 'TIME_WAIT' && n ? [n] : [];
    });
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain('The client sent the first FIN on D1, so it is the client');
    expect(told[0]!.rfc).toBe('9293 §3.3.2, §3.6');
  });

  it('the diagram and the narration cite the same sections for every state: RFC 9293 §3.3.2 (and §3.6 for TIME_WAIT)', () => {
    const narrator = new Narrator();
    const narrated = new Map<string, string>();
    for (const e of fixtures.textbookUploadKernel.events) {
      const n = narrator.narrate(e);
      if (e.type === 'tcp.state' && n) narrated.set(e.state, n.rfc ?? '');
    }
    const marks = marksOf(layoutTrace(fixtures.textbookUploadKernel.events, { kernelStates: true }), 'kernel-state');
    expect(marks.length).toBeGreaterThan(3);
    for (const mark of marks) {
      expect(mark.rfc, mark.state).toBe(mark.state === 'TIME_WAIT' ? '9293 §3.3.2, §3.6' : '9293 §3.3.2');
      if (narrated.has(mark.state)) expect(narrated.get(mark.state), mark.state).toBe(mark.rfc);
    }
  });

  it('exported with notes, the step where TIME_WAIT begins tells why', () => {
    const model = exportModel(fixtures.downloadKernel, { kernelStates: true, notes: true });
    const notes = marksOf(model, 'note').map((n) => n.detail.text ?? '');
    expect(notes.filter((t) => t.includes('The server sent the first FIN on D1, so it is the server'))).toHaveLength(1);
  });

  it('adds marks, not rows: the steps are the same with the layer on or off', () => {
    const trace = fixtures.textbookUploadKernel.events;
    const off = layoutTrace(trace);
    const on = layoutTrace(trace, { kernelStates: true });
    expect(on.steps).toBe(off.steps);
    expect(on.rows.map((r) => r.y)).toEqual(off.rows.map((r) => r.y));
    expect(marksOf(off, 'kernel-state')).toEqual([]);
  });

  it('a trace without kernel states says so in a sentence, and draws none', () => {
    const model = layoutTrace(fixtures.textbookUpload.events, { kernelStates: true });
    expect(marksOf(model, 'kernel-state')).toEqual([]);
    expect(model.layerNotes?.join(' ')).toMatch(/^No kernel TCP states in this trace: .*--tcp-states/);
    const svg = paintSvg(model);
    expect(svg).toContain('class="layer-note"');
    expect(paintMermaid(model)).toContain('No kernel TCP states in this trace');
    // Not asked for: no sentence.
    expect(layoutTrace(fixtures.textbookUpload.events).layerNotes).toBeUndefined();
  });

  it("a trace whose host could not read the kernel's table says why, in the host's own words", () => {
    const events = [
      ...fixtures.download.events,
      {
        type: 'note' as const,
        seq: 10_000,
        t: 99,
        side: 'server' as const,
        text: 'No kernel TCP states: this system has no /proc/net/tcp or /proc/net/tcp6 (only Linux has), so the kernel’s TCP states cannot be read.',
      },
    ];
    expect(layoutTrace(events, { kernelStates: true }).layerNotes?.join(' ')).toContain('only Linux has');
  });

  it('an export of a range keeps the states read right after its last step', () => {
    const trace = fixtures.downloadKernel;
    const full = exportModel(trace, { kernelStates: true });
    const lastFin = marksOf(full, 'fin')
      .filter((m) => m.conn === 'D1')
      .at(-1)!;
    const ranged = exportModel(trace, { kernelStates: true, range: { from: 1, to: lastFin.step + 1 } });
    expect(statesOn(marksOf(ranged, 'kernel-state'), 'D1', 'server').at(-1)).toBe('TIME_WAIT');
  });

  it('every painter draws them: SVG bands and labels, Mermaid and PlantUML notes', () => {
    const model = exportModel(fixtures.downloadKernel, { kernelStates: true });
    const svg = paintSvg(model);
    expect(svg.match(/class="kernel-band"/g)?.length).toBe(marksOf(model, 'kernel-state').length);
    expect(svg).toMatch(/class="kernel-label"[^>]*>TIME_WAIT</);
    // The legend gives each colour its states, in the picture's height.
    expect(model.legend.kernelTones?.map((k) => k.label)).toContain('TIME_WAIT');
    expect(svg).toContain('>kernel TCP state:</text>');
    expect(layoutTrace(fixtures.downloadKernel.events).legend.kernelTones).toBeUndefined();
    expect(paintMermaid(model)).toContain(mermaidText("server's kernel: TIME_WAIT"));
    expect(paintPlantUml(model)).toMatch(/note over SDTP .*kernel<U\+003A> TIME<U\+005F>WAIT|note over SDTP .*kernel<U\+003A> TIME_WAIT/);
  });
});

describe('the TCP layer', () => {
  it.each([
    { name: 'textbook upload (active)', trace: fixtures.textbookUpload },
    { name: 'download (passive)', trace: fixtures.download },
  ])('$name: SYN, SYN-ACK, ACK under each connect; FIN then ACK from the peer; the same steps', ({ trace }) => {
    const off = layoutTrace(trace.events);
    const on = layoutTrace(trace.events, { tcp: true });
    expect(on.steps).toBe(off.steps);
    const segments = marksOf(on, 'segment');
    for (const connect of marksOf(on, 'connect')) {
      expect(connect.label).toMatch(new RegExp(`^${connect.conn}: SYN \\d+ → \\d+$`));
      const under = segments.filter((s) => s.of === connect.id);
      expect(under.map((s) => s.flags)).toEqual(['SYN-ACK', 'ACK']);
      // The SYN-ACK goes back the way the SYN came; the ACK goes the SYN's way again, each on a line of its own below.
      expect(under[0]).toMatchObject({ fromLane: connect.toLane, toLane: connect.fromLane, step: connect.step });
      expect(under[1]).toMatchObject({ fromLane: connect.fromLane, toLane: connect.toLane, step: connect.step });
      expect(under[0]!.y).toBeGreaterThan(connect.y);
      expect(under[1]!.y).toBeGreaterThan(under[0]!.y);
      expect(on.rows[connect.step]?.extra).toBeGreaterThanOrEqual(under[1]!.y - connect.y);
    }
    for (const fin of marksOf(on, 'fin')) {
      const [ack, ...more] = segments.filter((s) => s.of === fin.id);
      expect(more).toEqual([]);
      expect(ack).toMatchObject({ flags: 'ACK', sender: fin.sender === 'client' ? 'server' : 'client', fromLane: fin.toLane, toLane: fin.fromLane });
    }
    // An RST is not answered.
    for (const rst of marksOf(on, 'rst')) expect(segments.filter((s) => s.of === rst.id)).toEqual([]);
    // Rows stay in order, each below the last one's segment lines.
    for (let i = 1; i < on.rows.length; i++)
      expect(on.rows[i]!.y).toBeGreaterThanOrEqual(on.rows[i - 1]!.y + (on.rows[i - 1]!.extra ?? 0) + on.rowHeight - 0.01);
    expect(on.lifelines.y2).toBeGreaterThan(off.lifelines.y2);
  });

  it('on the time axis too, the rows after a handshake move down by its lines', () => {
    const on = layoutTrace(fixtures.download.events, { tcp: true, axis: 'time' });
    for (let i = 1; i < on.rows.length; i++) expect(on.rows[i]!.y).toBeGreaterThan(on.rows[i - 1]!.y + (on.rows[i - 1]!.extra ?? 0));
  });

  it('every painter draws the segments as arrows', () => {
    const model = exportModel(fixtures.download, { tcp: true });
    const count = marksOf(model, 'segment').length;
    expect(count).toBeGreaterThan(0);
    expect(paintSvg(model).match(/class="mark segment"/g)?.length).toBe(count);
    expect(paintMermaid(model).match(/: \d+\. (SYN-ACK|ACK)$/gm)?.length).toBe(count);
    expect(paintPlantUml(model).match(/ : \d+\. (SYN<U\+002D>ACK|ACK)$/gm)?.length).toBe(count);
  });
});
