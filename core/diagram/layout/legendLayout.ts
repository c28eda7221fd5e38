// The legend under the diagram and the time axis's ruler beside it, placed here rather than by a painter, so that
// neither runs into the other (a kernel-states legend line is wider than half the diagram) in any export.

import type { Box, LegendEntry, TimeAxis } from './diagramModel';
import { FONT } from './diagramModel';
import type { KernelStateTone } from '../../trace/kernelStateMeaning';
import { RULER_TICK_WIDTH, rulerHeight } from './timeScale';
import { sansTextWidth } from './textWidth';

/** The legend's geometry, in diagram pixels from its left edge and its heading's baseline. */
export const LEGEND = {
  /** Baseline to baseline. */
  line: 20,
  /** A line sample's length, and where the words after it start. */
  swatch: 44,
  text: 54,
  /** Where the reply's sample starts on the first line, after the command's words. */
  replyColumn: 300,
  command: 'command, client → server (control)',
  reply: 'reply, server → client (control)',
  kernelTones: 'kernel TCP state:',
  /** After "kernel TCP state:", and from one tone's band to the next; a tone's name starts this far after its band. */
  toneStart: 12,
  toneStep: 26,
  toneText: 9,
} as const;

/** Room kept between the legend's widest line and the ruler: the widths are estimates (textWidth.ts), not measured. */
const RULER_CLEARANCE = 24;
/** From the ruler's heading's top to its ruler.y, and from the legend's bottom to a ruler placed under it. */
const RULER_HEADING = 18;
const RULER_BELOW_GAP = 16;
/** Above a heading's baseline (12 px type) and below a line's. */
const ASCENT = 13;
const DESCENT = 5;

export interface LegendContent {
  readonly connections: readonly LegendEntry[];
  readonly kernelTones?: readonly { readonly tone: KernelStateTone; readonly label: string }[];
  /** Already wrapped to the diagram's width. */
  readonly layerNotes: readonly string[];
}

/** How many lines the legend has after its heading: the control line, a line per data connection, the tones, the notes. */
export function legendLineCount(content: LegendContent): number {
  return 1 + content.connections.length + (content.kernelTones ? 1 : 0) + content.layerNotes.length;
}

/** Where each kernel tone's band goes on its line, from the legend's x. */
export function kernelToneXs(tones: readonly { readonly label: string }[]): number[] {
  let x = sansTextWidth(LEGEND.kernelTones, FONT.legendSize) + LEGEND.toneStart;
  return tones.map(({ label }) => {
    const at = x;
    x += sansTextWidth(label, FONT.legendSize) + LEGEND.toneStep;
    return at;
  });
}

/** The legend's box: from its heading's top to its last line's descent, as wide as its widest line. */
export function legendBox(x: number, y: number, content: LegendContent): Box {
  const words = (text: string) => sansTextWidth(text, FONT.legendSize);
  const tones = content.kernelTones ?? [];
  const toneXs = kernelToneXs(tones);
  const widths = [
    LEGEND.replyColumn + LEGEND.text + words(LEGEND.reply),
    ...content.connections.map((entry) => LEGEND.text + words(`data connection ${entry.label}`)),
    ...tones.map((tone, i) => toneXs[i]! + LEGEND.toneText + words(tone.label)),
    ...content.layerNotes.map(words),
  ];
  const top = y - ASCENT;
  return { x, y: top, width: Math.ceil(Math.max(...widths)), height: y + LEGEND.line * legendLineCount(content) + DESCENT - top };
}

/**
 * Where the ruler goes: at the right, level with the legend, or under the legend where the legend's widest line
 * would reach it. `y` is what TimeAxis.ruler.y means (its heading sits above it); the box holds heading, bars and labels.
 */
export function placeRuler(legend: Box, ticks: TimeAxis['ticks'], diagramWidth: number): TimeAxis['ruler'] {
  const width = ticks.length * RULER_TICK_WIDTH;
  const x = Math.round(diagramWidth - 20 - width);
  const beside = legend.x + legend.width + RULER_CLEARANCE <= x;
  const y = Math.round(beside ? legend.y + ASCENT + 14 : legend.y + legend.height + RULER_BELOW_GAP + RULER_HEADING);
  return { x, y, box: { x, y: y - RULER_HEADING, width, height: rulerHeight({ ticks }) + RULER_HEADING } };
}
