// The narration panel: for the current step, the plain sentences of core/scenarios/narration.ts with the
// RFC section, and in the textbook scenario where the textbook tells it differently.

import { Narrator, type Narration } from '../core/scenarios/narration';
import type { TraceEvent } from '../core/trace/traceEvent';
import { element } from './dom';

export interface NarrationPanel {
  /** `also`: records narrated after the step's own (the kernel-states layer's TIME_WAIT: why that end waits). */
  render(events: readonly TraceEvent[], seqs: readonly number[] | undefined, scenario: string | undefined, also?: readonly number[]): void;
}

/**
 * The narration of a step (the marks' trace records `seqs`): the one source of the panel and of presenter mode's
 * caption. The narrator remembers the last command, so it reads the trace from the start up to the step.
 */
export function narrationFor(events: readonly TraceEvent[], seqs: readonly number[], scenario: string | undefined): Narration | undefined {
  const wanted = new Set(seqs);
  const last = Math.max(...seqs);
  const narrator = new Narrator(scenario ? { scenario } : {});
  for (const event of events) {
    if (event.seq > last) break;
    const narration = narrator.narrate(event);
    if (narration && wanted.has(event.seq)) return narration;
  }
  return undefined;
}

export function createNarrationPanel(body: HTMLElement): NarrationPanel {
  const doc = body.ownerDocument;
  let shownKey = '';
  return {
    render(events, seqs, scenario, also = []) {
      const key = `${scenario ?? ''}|${seqs?.join(',') ?? ''}|${also.join(',')}|${events.length > 0 ? 1 : 0}`;
      if (key === shownKey) return;
      shownKey = key;
      if (!seqs || seqs.length === 0) {
        body.replaceChildren(
          element(doc, 'p', { className: 'hint', text: 'Step through a session: each step is explained here, with the RFC section behind it.' }),
        );
        return;
      }
      const found = narrationFor(events, seqs, scenario);
      const more = also.flatMap((seq) => narrationFor(events, [seq], scenario) ?? []);
      const nodes: Node[] = [];
      for (const n of [...(found ? [found] : []), ...more]) {
        nodes.push(element(doc, 'p', { className: 'narration-text', text: n.text }));
        if (n.rfc) nodes.push(element(doc, 'p', { className: 'hint', text: `RFC ${n.rfc}` }));
        if (n.textbook) nodes.push(element(doc, 'p', { className: 'narration-textbook', text: n.textbook }));
      }
      body.replaceChildren(...(nodes.length ? nodes : [element(doc, 'p', { className: 'hint', text: 'Nothing to add for this step.' })]));
    },
  };
}
