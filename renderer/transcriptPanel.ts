// The transcript panel: core/trace's TranscriptWriter lines, one per event that has one, drawn as a keyed
// join up to the current step, with the current step's lines highlighted together with the diagram.
// Only a window of lines around what is in view is in the DOM (a 100,000-event trace has ~50,000 lines): two
// spacer items stand for the rest, sized from the lines' measured average height, so the scroll bar stays true.

import { select } from 'd3-selection';
import type { TranscriptEntry } from './transcriptEntries';

export interface TranscriptView {
  /** Shows the lines of events up to `lastSeq`; those after `currentFromSeq` belong to the current step. */
  render(entries: readonly TranscriptEntry[], lastSeq: number, currentFromSeq: number): void;
  onSelect(listener: (seq: number) => void): void;
  /** Scrolls the current line into view (after the panel changed size). */
  reveal(): void;
}

/** Lines kept in the DOM: enough to fill a tall panel several times over, so scrolling rarely reaches an edge. */
const WINDOW_LINES = 240;
/** A line's height before any has been measured (0.8rem × 1.45 + padding). */
const FIRST_GUESS_PX = 22;

/** How many entries have seq <= lastSeq (entries are in seq order). */
function countUpTo(entries: readonly TranscriptEntry[], lastSeq: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.seq <= lastSeq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Item = TranscriptEntry | { readonly spacer: 'before' | 'after'; readonly px: number };

export function createTranscriptView(list: HTMLOListElement): TranscriptView {
  const listeners = new Set<(seq: number) => void>();
  let lastCurrent = -1;
  let lastCurrentIndex = -1;
  let lineHeight = FIRST_GUESS_PX;
  let measured = false;
  /** The window's first line (index into the visible entries). */
  let from = 0;
  let shown: { entries: readonly TranscriptEntry[]; count: number; currentFromSeq: number } = { entries: [], count: 0, currentFromSeq: 0 };

  const currentLine = () => {
    const current = list.querySelectorAll<HTMLLIElement>('li.current');
    return current[current.length - 1] ?? lastLine();
  };
  const lastLine = () => {
    const lines = list.querySelectorAll<HTMLLIElement>('li.line');
    return lines[lines.length - 1];
  };

  function draw(): void {
    const { entries, count, currentFromSeq } = shown;
    const to = Math.min(count, from + WINDOW_LINES);
    const items: Item[] = [];
    if (from > 0) items.push({ spacer: 'before', px: from * lineHeight });
    for (let i = from; i < to; i++) items.push(entries[i]!);
    if (to < count) items.push({ spacer: 'after', px: (count - to) * lineHeight });
    select(list)
      .selectAll<HTMLLIElement, Item>('li')
      .data(items, (d) => ('spacer' in d ? d.spacer : String(d.seq)))
      .join((enter) =>
        enter.append('li').each(function (d) {
          if ('spacer' in d) {
            this.className = 'spacer';
            this.setAttribute('aria-hidden', 'true');
          } else {
            this.dataset.seq = String(d.seq);
            this.className = `line ${d.kind}`;
            this.textContent = d.text;
          }
        }),
      )
      .each(function (d) {
        if ('spacer' in d) this.style.height = `${d.px}px`;
        else this.classList.toggle('current', d.seq > currentFromSeq);
      })
      .order();
    // The average height of the lines drawn sizes the spacers (lines wrap, so heights differ a little). Measured
    // once a full window is drawn, not in every draw: reading offsets forces a layout of the page.
    const lines = to - from;
    if (!measured && lines >= Math.min(WINDOW_LINES, 60)) {
      measured = true;
      const first = list.querySelector<HTMLLIElement>('li.line');
      const last = lastLine();
      if (first && last) {
        const measured = (last.offsetTop + last.offsetHeight - first.offsetTop) / lines;
        if (measured > 0) lineHeight = measured;
      }
    }
  }

  /** Moves the window so that line `index` is inside it, about a third from the top. */
  function windowAround(index: number): void {
    from = Math.max(0, Math.min(index - Math.floor(WINDOW_LINES / 3), shown.count - WINDOW_LINES));
  }

  /**
   * Scrolls to the line at the start of the next frame, before anything is written in it: the page is laid out
   * then, so measuring costs nothing. Measured at once, right after this frame's writes, it laid the page out
   * again with every batch of a watched class.
   */
  let scrollTarget: HTMLLIElement | undefined;
  const scrollSoon = (target: HTMLLIElement) => {
    if (scrollTarget === undefined)
      list.ownerDocument.defaultView!.requestAnimationFrame(() => {
        const item = scrollTarget;
        scrollTarget = undefined;
        if (item?.isConnected) scrollWithin(list, item);
      });
    scrollTarget = target;
  };

  list.addEventListener('click', (event) => {
    const item = (event.target as Element).closest<HTMLLIElement>('li[data-seq]');
    if (item) for (const listener of listeners) listener(Number(item.dataset.seq));
  });
  // Scrolled by the reader: the window follows what is in view once it nears an edge of the drawn lines.
  list.addEventListener('scroll', () => {
    if (shown.count <= WINDOW_LINES) return;
    const top = Math.floor(list.scrollTop / lineHeight);
    const bottom = Math.ceil((list.scrollTop + list.clientHeight) / lineHeight);
    const margin = WINDOW_LINES / 6;
    if ((from > 0 && top < from + margin) || (from + WINDOW_LINES < shown.count && bottom > from + WINDOW_LINES - margin)) {
      windowAround(top);
      draw();
    }
  });

  return {
    render(entries, lastSeq, currentFromSeq) {
      const count = countUpTo(entries, lastSeq);
      shown = { entries, count, currentFromSeq };
      // The current step's last line is the one to keep in view (once, when it changes: the reader may scroll away).
      const currentIndex = count - 1;
      if (currentIndex !== lastCurrentIndex && (currentIndex < from || currentIndex >= from + WINDOW_LINES)) windowAround(currentIndex);
      if (from > Math.max(0, count - WINDOW_LINES)) windowAround(currentIndex);
      lastCurrentIndex = currentIndex;
      draw();
      const target = currentLine();
      const key = target ? Number(target.dataset.seq) : -1;
      if (target && key !== lastCurrent) scrollSoon(target);
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
