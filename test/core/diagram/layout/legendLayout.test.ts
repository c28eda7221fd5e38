// The legend and the time axis's ruler are placed by the layout (legendLayout.ts), so every export draws them where
// nothing overlaps: no legend box meets the ruler or a label beside a lane, and both lie inside the picture.

import { describe, expect, it } from 'vitest';
import type { Box, DiagramModel } from '../../../../core/diagram/layout/diagramModel';
import { FONT } from '../../../../core/diagram/layout/diagramModel';
import { exportModel, type ExportModelOptions } from '../../../../core/diagram/layout/exportModel';
import { legendBox } from '../../../../core/diagram/layout/legendLayout';
import { monoTextWidth } from '../../../../core/diagram/layout/textWidth';
import { fixtures } from '../fixtures';

const meets = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (box: Box, model: DiagramModel) => box.x >= 0 && box.y >= 0 && box.x + box.width <= model.width && box.y + box.height <= model.height;

/** The kernel-state labels beside the lanes (bold monospace, so a tenth wider than the estimate), as boxes. */
function laneLabels(model: DiagramModel): { box: Box; text: string }[] {
  return model.marks.flatMap((mark) => {
    if (mark.kind !== 'kernel-state') return [];
    const width = monoTextWidth(mark.label, FONT.kernelStateSize) * 1.1;
    const x = mark.labelAnchor === 'start' ? mark.labelX : mark.labelAnchor === 'end' ? mark.labelX - width : mark.labelX - width / 2;
    return [{ box: { x, y: mark.labelY - 13, width, height: 17 }, text: mark.label }];
  });
}

const exports: { title: string; trace: keyof typeof fixtures; options: ExportModelOptions }[] = [
  { title: 'textbook upload', trace: 'textbookUpload', options: {} },
  { title: 'textbook upload, time axis, --kernel-states --tcp', trace: 'textbookUploadKernel', options: { axis: 'time', kernelStates: true, tcp: true } },
  { title: 'download, time axis, --kernel-states --tcp', trace: 'downloadKernel', options: { axis: 'time', kernelStates: true, tcp: true } },
  { title: 'download, time axis', trace: 'download', options: { axis: 'time' } },
  { title: 'block reuse, time axis, with notes', trace: 'blockReuse', options: { axis: 'time', notes: true } },
  // No kernel states in this trace: the legend says so in a note as wide as the diagram.
  { title: 'a watched server, time axis, --kernel-states', trace: 'serveCurl', options: { axis: 'time', kernelStates: true } },
  {
    title: 'steps 20.. of the textbook upload, time axis, --kernel-states',
    trace: 'textbookUploadKernel',
    options: { axis: 'time', kernelStates: true, range: { from: 20 } },
  },
];

describe('the legend and the ruler in the exported model', () => {
  it.each(exports)('$title: the legend meets neither the ruler nor a lane label, and both are inside the picture', ({ trace, options }) => {
    const model = exportModel(fixtures[trace], options);
    const legend = model.legend.box;
    expect(inside(legend, model), JSON.stringify({ legend, width: model.width, height: model.height })).toBe(true);
    for (const label of laneLabels(model)) expect(meets(legend, label.box), `the legend meets "${label.text}"`).toBe(false);
    // Everything the diagram draws above the legend ends above it: the lifelines.
    expect(legend.y).toBeGreaterThan(model.lifelines.y2);
    const ruler = model.timeAxis?.ruler.box;
    if (options.axis !== 'time') return expect(ruler).toBeUndefined();
    expect(ruler).toBeDefined();
    expect(meets(legend, ruler!), JSON.stringify({ legend, ruler })).toBe(false);
    expect(inside(ruler!, model), JSON.stringify({ ruler, width: model.width, height: model.height })).toBe(true);
    for (const label of laneLabels(model)) expect(meets(ruler!, label.box), `the ruler meets "${label.text}"`).toBe(false);
  });

  it('the kernel-states legend line is too wide for the ruler beside it: the ruler goes under the legend', () => {
    const model = exportModel(fixtures.textbookUploadKernel, { axis: 'time', kernelStates: true, tcp: true });
    const { box } = model.legend;
    expect(box.x + box.width).toBeGreaterThan(model.timeAxis!.ruler.x);
    expect(model.timeAxis!.ruler.box.y).toBeGreaterThanOrEqual(box.y + box.height);
  });

  it('a narrow legend keeps the ruler beside it, level with the legend (the layout exports had before)', () => {
    const model = exportModel(fixtures.download, { axis: 'time' });
    const { box } = model.legend;
    expect(model.timeAxis!.ruler.box.x).toBeGreaterThan(box.x + box.width);
    expect(model.timeAxis!.ruler.y).toBeCloseTo(model.legend.y + 14, 1);
  });

  it("the legend's box grows with its lines: heading, control line, one per data connection, the tones, the notes", () => {
    const one = legendBox(60, 500, { connections: [{ conn: 'D1', colour: 0, label: 'D1' }], layerNotes: [] });
    const more = legendBox(60, 500, {
      connections: [
        { conn: 'D1', colour: 0, label: 'D1' },
        { conn: 'D2', colour: 1, label: 'D2: passive mode, client 127.0.0.1:50000 → server 127.0.0.1:40000, and a long way on' },
      ],
      kernelTones: [{ tone: 'open', label: 'ESTABLISHED' }],
      layerNotes: ['No kernel TCP states in this trace.'],
    });
    expect(one.y).toBe(more.y);
    expect(more.height - one.height).toBe(3 * 20);
    expect(more.width).toBeGreaterThan(one.width);
  });
});
