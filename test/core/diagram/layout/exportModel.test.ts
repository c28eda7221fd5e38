// exportModel: a range of steps keeps the full diagram's step numbers; --notes adds the narration as
// an unnumbered note under each step, one box however many lines it wraps onto.

import { describe, expect, it } from 'vitest';
import { exportModel, parseStepRange, StepRangeError, type ExportModelOptions } from '../../../../core/diagram/layout/exportModel';
import { wrapText } from '../../../../core/diagram/layout/textWidth';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { FONT } from '../../../../core/diagram/layout/diagramModel';
import { fixtures } from '../fixtures';
import { marksOf } from '../modelText';

describe('parseStepRange', () => {
  it.each([
    ['N..M', '5..12', { from: 5, to: 12 }],
    ['N.. runs to the end', '5..', { from: 5 }],
    ['..M starts at 1', '..7', { from: 1, to: 7 }],
    ['one step', '9', { from: 9, to: 9 }],
    ['spaces', ' 2 .. 3 ', { from: 2, to: 3 }],
  ])('%s', (_title, text, range) => {
    expect(parseStepRange(text)).toEqual(range);
  });

  it.each([['0..3'], ['5..2'], ['..'], ['a..b'], ['1-3'], ['']])('refuses %j', (text) => {
    expect(() => parseStepRange(text)).toThrow(StepRangeError);
  });
});

describe('exportModel', () => {
  const trace = fixtures.textbookUpload;
  const full = layoutTrace(trace.events, { title: trace.meta.title ?? '' });

  it('without options: the plain layout, titled as the trace', () => {
    expect(exportModel(trace)).toEqual(full);
  });

  it('a range shows exactly those rows of the full diagram, numbered as there', () => {
    const part = exportModel(trace, { range: { from: 14, to: 22 } });
    expect(part.rows.map((r) => r.seq)).toEqual(full.rows.slice(13, 22).map((r) => r.seq));
    expect(part.rows.map((r) => r.label)).toEqual(['14', '15', '16', '17', '18', '19', '20', '21', '22']);
    // The data connection opens and closes inside the range: one span, the client's FIN at EOF.
    expect(marksOf(part, 'connection')).toHaveLength(1);
    expect(marksOf(part, 'close-badge').map((b) => b.text)).toContain('client closed: EOF in STREAM mode');
  });

  // Every range, with the layers on and off, on either axis: exactly steps N..M, never the step after M.
  it.each([
    ['step axis', {}],
    ['step axis, kernel states and TCP', { kernelStates: true, tcp: true }],
    ['time axis', { axis: 'time' as const }],
    ['time axis, kernel states and TCP', { axis: 'time' as const, kernelStates: true, tcp: true }],
    ['step axis with notes', { notes: true }],
    ['time axis with notes', { axis: 'time' as const, notes: true }],
  ])('a range N..M holds M-N+1 steps (%s)', (_title, options: ExportModelOptions) => {
    const kernelTrace = fixtures.textbookUploadKernel;
    const whole = exportModel(kernelTrace, { ...options, notes: false });
    for (const [from, to] of [
      [1, 1],
      [2, 2],
      [5, 9],
      [20, 21],
      [whole.steps, whole.steps],
    ] as const) {
      const part = exportModel(kernelTrace, { ...options, range: { from, to } });
      const numbered = part.rows.filter((r) => r.label !== '');
      expect(
        numbered.map((r) => r.seq),
        `${from}..${to}`,
      ).toEqual(whole.rows.slice(from - 1, to).map((r) => r.seq));
    }
  });

  it('N.. runs to the last step; a range past the end is refused with the number of steps', () => {
    expect(exportModel(trace, { range: { from: 20 } }).rows.map((r) => r.label)).toEqual(['20', '21', '22', '23', '24', '25', '26']);
    expect(() => exportModel(trace, { range: { from: 20, to: 40 } })).toThrow(/has 26 steps/);
  });

  it('notes: each step is followed by its narration, in unnumbered note rows; the steps keep their numbers', () => {
    const model = exportModel(trace, { notes: true });
    const numbered = model.rows.filter((r) => r.label !== '');
    expect(numbered.map((r) => r.seq)).toEqual(full.rows.map((r) => r.seq));
    const notes = marksOf(model, 'note').map((n) => n.detail.text ?? '');
    expect(notes[0]).toBe('The client opens the control connection. (RFC 959 §2.3)');
    // The textbook scenario says where the textbook differs: PORT is answered 200, not 150.
    expect(notes.join(' ')).toContain('The textbook (step 7) says: "The server answers PORT with 150');
    for (const note of marksOf(model, 'note')) expect(model.rows[note.step]?.label).toBe('');
  });

  it('notes on the time axis: the steps keep their times, the note rows (all their lines) leave the margin blank', () => {
    const model = exportModel(trace, { notes: true, axis: 'time' });
    const timed = model.rows.filter((r) => r.label !== '');
    expect(timed.map((r) => r.seq)).toEqual(full.rows.map((r) => r.seq));
    for (const row of timed) expect(row.label).toMatch(/ (ms|s)$/);
    const notes = marksOf(model, 'note');
    expect(notes.some((n) => n.rows > 1)).toBe(true);
    for (const note of notes) for (let i = 0; i < note.rows; i++) expect(model.rows[note.step + i]?.label, `note at ${note.step}, line ${i}`).toBe('');
  });

  it('a narration too long for one line is one note: its lines, every word, in one box over the rows they need', () => {
    const model = exportModel(trace, { notes: true });
    const notes = marksOf(model, 'note');
    // One note per narrated step, not one per line.
    expect(notes).toHaveLength(new Set(notes.map((n) => n.detail.text)).size);
    expect(notes.length).toBeLessThanOrEqual(full.steps);
    const textbook = notes.find((n) => n.detail.text?.includes('The textbook (step 7) says'));
    expect(textbook?.lines.length).toBeGreaterThan(2);
    const wrapped = notes.filter((n) => n.lines.length > 1);
    expect(wrapped.length).toBeGreaterThan(3);
    for (const note of wrapped) {
      expect(note.lines.join(' ')).toBe(note.detail.text);
      expect(note.rows).toBe(Math.ceil((note.lines.length * FONT.noteLine + 10) / model.rowHeight));
      // The rows under the box are the note's alone: unnumbered, and no other mark is drawn on them.
      for (let row = note.step; row < note.step + note.rows; row++) {
        expect(model.rows[row]?.label).toBe('');
        expect(model.marks.filter((m) => m.step === row && m !== note)).toEqual([]);
      }
    }
    for (const note of notes.filter((n) => n.lines.length === 1)) expect(note.rows).toBe(1);
  });

  it('notes and a range together: the narration of the steps in the range only', () => {
    const model = exportModel(trace, { notes: true, range: { from: 20, to: 20 } });
    expect(model.rows.map((r) => r.label)).toEqual(['20', '']);
    expect(marksOf(model, 'note')[0]?.detail.text).toMatch(/^The client closes the data connection \(TCP FIN\): end of file in STREAM mode/);
  });

  it('wrapText breaks at spaces to fit a width', () => {
    expect(wrapText('one two three four', 60, 12)).toEqual(['one two', 'three four']);
    expect(wrapText('unbreakable', 10, 12)).toEqual(['unbreakable']);
  });
});
