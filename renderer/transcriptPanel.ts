// The transcript panel: core/trace's TranscriptWriter lines, one per event that has one, drawn as a keyed
// join up to the current step, with the current step's lines highlighted together with the diagram.

import { select } from 'd3-selection';
import type { TranscriptEntry } from './transcriptEntries';

export interface TranscriptView {
  /** Shows the lines of events up to `lastSeq`; those after `currentFromSeq` belong to the current step. */
  render(entries: readonly TranscriptEntry[], lastSeq: number, currentFromSeq: number): void;
  onSelect(listener: (seq: number) => void): void;
  /** Scrolls the current line into view (after the panel changed size). */
  reveal(): void;
}

export function createTranscriptView(list: HTMLOListElement): TranscriptView {
  const listeners = new Set<(seq: number) => void>();
  let lastCurrent = -1;
  const currentLine = () => {
    const current = list.querySelectorAll<HTMLLIElement>('li.current');
    return current[current.length - 1] ?? list.querySelector<HTMLLIElement>('li:last-child') ?? undefined;
  };
  list.addEventListener('click', (event) => {
    const item = (event.target as Element).closest<HTMLLIElement>('li[data-seq]');
    if (item) for (const listener of listeners) listener(Number(item.dataset.seq));
  });
  return {
    render(entries, lastSeq, currentFromSeq) {
      const visible = entries.filter((e) => e.seq <= lastSeq);
      select(list)
        .selectAll<HTMLLIElement, TranscriptEntry>('li')
        .data(visible, (d) => String(d.seq))
        .join((enter) =>
          enter
            .append('li')
            .attr('data-seq', (d) => String(d.seq))
            .attr('class', (d) => `line ${d.kind}`)
            .text((d) => d.text),
        )
        .classed('current', (d) => d.seq > currentFromSeq)
        .order();
      const target = currentLine();
      const key = target ? Number(target.dataset.seq) : -1;
      if (target && key !== lastCurrent) scrollWithin(list, target);
      lastCurrent = key;
    },
    reveal() {
      const target = currentLine();
      if (target) scrollWithin(list, target);
    },
    onSelect(listener) {
      listeners.add(listener);
    },
  };
}

/** Scrolls only the list (scrollIntoView would also move the panels around it). */
function scrollWithin(list: HTMLElement, item: HTMLElement): void {
  const outer = list.getBoundingClientRect();
  const inner = item.getBoundingClientRect();
  if (inner.bottom > outer.bottom) list.scrollTop += inner.bottom - outer.bottom + 6;
  else if (inner.top < outer.top) list.scrollTop -= outer.top - inner.top + 6;
}
