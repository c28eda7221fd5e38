// The statechart layout: ELK's layered algorithm (elkjs's bundled build, as the renderer runs it) on the
// session machines' graphs. Checked here as geometry: what a reader would see as a broken drawing.

import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { describeMachine } from '../../../../core/machines/statechartModel';
import { statechartGraph } from '../../../../core/machines/statechartGraph';
import {
  breakLines,
  layoutStatechartRegion,
  STATECHART_BOX,
  STATECHART_FONT,
  type PlacedBox,
  type StatechartLayout,
} from '../../../../core/diagram/layout/statechartLayout';
import { sansTextWidth } from '../../../../core/diagram/layout/textWidth';
import { clientSessionMachine } from '../../../../core/machines/clientSession.machine';
import { serverSessionMachine } from '../../../../core/machines/serverSession.machine';

const elk = new ELK();
const graphs = { client: statechartGraph(describeMachine(clientSessionMachine)), server: statechartGraph(describeMachine(serverSessionMachine)) };
const regions = [
  { region: 'data', direction: 'RIGHT' as const },
  { region: 'session', direction: 'DOWN' as const },
];

const inside = (inner: { x: number; y: number; width: number; height: number }, outer: PlacedBox) =>
  inner.x >= outer.x - 0.5 &&
  inner.y >= outer.y - 0.5 &&
  inner.x + inner.width <= outer.x + outer.width + 0.5 &&
  inner.y + inner.height <= outer.y + outer.height + 0.5;
const overlap = (a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) =>
  a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;

describe('layoutStatechartRegion', () => {
  for (const [machine, graph] of Object.entries(graphs)) {
    for (const { region, direction } of regions) {
      describe(`${machine}'s ${region} region (${direction})`, () => {
        let layout: StatechartLayout;
        it('is laid out, every box of the region placed once', async () => {
          layout = await layoutStatechartRegion(graph, region, elk, direction);
          const expected = graph.boxes.filter((b) => b.id === region || b.id.startsWith(`${region}.`) || b.id.startsWith(`${region}#`)).map((b) => b.id);
          expect(layout.boxes.map((b) => b.id).sort()).toEqual(expected.sort());
          expect(layout.width).toBeGreaterThan(0);
        }, 20_000);

        it('every box sits inside the box of the state containing it, and siblings do not overlap', () => {
          const byId = new Map(layout.boxes.map((b) => [b.id, b]));
          for (const box of layout.boxes) {
            const parent = graph.boxes.find((b) => b.id === box.id)!.parent;
            if (parent) expect(inside(box, byId.get(parent)!), `${box.id} inside ${parent}`).toBe(true);
            expect(
              box.x >= 0 && box.y >= 0 && box.x + box.width <= layout.width + 0.5 && box.y + box.height <= layout.height + 0.5,
              `${box.id} inside the drawing`,
            ).toBe(true);
          }
          for (const a of layout.boxes) {
            for (const b of layout.boxes) {
              const siblings = a.id < b.id && graph.boxes.find((g) => g.id === a.id)!.parent === graph.boxes.find((g) => g.id === b.id)!.parent;
              if (siblings) expect(overlap(a, b), `${a.id} and ${b.id} overlap`).toBe(false);
            }
          }
        });

        it("every state's words fit its box, at 16 px, with room to spare", () => {
          for (const box of layout.boxes) {
            if (box.kind === 'initial') continue;
            const label = graph.boxes.find((b) => b.id === box.id)!.label;
            expect(box.lines.join(' '), box.id).toBe(label);
            for (const line of box.lines)
              expect(sansTextWidth(line, STATECHART_FONT.label) + 2 * STATECHART_BOX.padX, `${box.id}: ${line}`).toBeLessThanOrEqual(box.width);
            if (box.kind !== 'region' && box.kind !== 'compound') expect(box.lines.length * STATECHART_FONT.lineHeight, box.id).toBeLessThanOrEqual(box.height);
          }
        });

        it('every arrow starts at its source and ends on the border of its target box', () => {
          const byId = new Map(layout.boxes.map((b) => [b.id, b]));
          for (const placed of layout.arrows) {
            const arrow = graph.arrows.find((a) => a.id === placed.id)!;
            const [start, end] = [placed.points[0]!, placed.points[placed.points.length - 1]!];
            const near = (p: { x: number; y: number }, box: PlacedBox) =>
              p.x >= box.x - 1 && p.x <= box.x + box.width + 1 && p.y >= box.y - 1 && p.y <= box.y + box.height + 1;
            const onBorder = (p: { x: number; y: number }, box: PlacedBox) =>
              near(p, box) &&
              (Math.abs(p.x - box.x) < 1.5 ||
                Math.abs(p.x - box.x - box.width) < 1.5 ||
                Math.abs(p.y - box.y) < 1.5 ||
                Math.abs(p.y - box.y - box.height) < 1.5);
            expect(near(start, byId.get(arrow.source)!), `${placed.id} starts at its source`).toBe(true);
            expect(onBorder(end, byId.get(arrow.targetBox)!), `${placed.id} ends on its target`).toBe(true);
          }
          expect(layout.arrows.length).toBe(graph.arrows.filter((a) => layout.boxes.some((b) => b.id === a.source)).length);
        });

        it("no arrow's words cover a state's box", () => {
          const leaves = layout.boxes.filter((b) => b.kind !== 'region' && b.kind !== 'compound');
          for (const arrow of layout.arrows) {
            if (!arrow.label) continue;
            for (const box of leaves) expect(overlap(arrow.label, box), `${arrow.id}'s words on ${box.id}`).toBe(false);
          }
        });
      });
    }
  }
});

describe('breakLines', () => {
  const rows = [
    { title: 'short words stay on one line', text: 'Open', lines: ['Open'] },
    { title: 'a long label breaks at its spaces', text: 'Closing the data connection', lines: ['Closing the', 'data', 'connection'] },
    { title: 'words that fit together stay together', text: 'Waiting for the greeting', lines: ['Waiting for the', 'greeting'] },
    { title: 'a word longer than a line stays whole', text: 'Supercalifragilisticexpialidocious', lines: ['Supercalifragilisticexpialidocious'] },
  ];
  for (const row of rows) it(row.title, () => expect(breakLines(row.text, 130)).toEqual(row.lines));
});
