// How far into the trace a step reaches: the last seq whose events belong to the diagram's step N (from 1).

import type { DiagramModel } from './diagramModel';

/**
 * The step's own event and what was recorded with it: the notes an export adds just after it (fractional seqs
 * below the next whole one) and, with kernel states drawn, the states read right after it, up to the next
 * step's event (the kernel is asked after each step). One answer for a range export and for stepping on screen.
 */
export function stepReach(full: Pick<DiagramModel, 'rows'>, step: number, kernelStates: boolean): number {
  if (step <= 0) return 0;
  const last = full.rows[step - 1];
  if (!last) return Number.POSITIVE_INFINITY;
  const next = full.rows[step]?.seq;
  if (kernelStates) return next !== undefined ? next - 0.001 : Number.POSITIVE_INFINITY;
  return last.seq + 0.999;
}
