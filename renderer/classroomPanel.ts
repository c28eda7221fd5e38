// The classroom list: while the built-in server is watched, one line per FTP session (client address, user, what
// it is doing, bytes, last reply; errors and refusals marked), the drawn ones on top, then the newest first. Clicking lines picks the sessions the
// diagram draws and follows live (up to MAX_FOLLOWED); the rest stay one line each. Only the lines in view are in
// the DOM (a class makes thousands of sessions an hour), each a button whose text is set with textContent.

import { MAX_FOLLOWED, type HostMessage } from '../core/api/labApi';
import { sessionHadTrouble, type SessionSummary } from '../core/trace/sessionSummary';
import { setChangedAttributes, setChangedText } from './changedOnly';
import { element } from './dom';

export interface ClassroomView {
  /** Shows the list for this watched server's host session (undefined: not watching, the list hides). */
  show(sessionId: string | undefined, traceFile: string | undefined): void;
  /** The teacher picked other sessions to follow. */
  onFollow(listener: (sessions: readonly number[]) => void): void;
}

/** The cells whose text has no bound (a user name, a reply): cut to their column, whole in their title. */
const LONG_CELLS = new Set(['user', 'reply']);

/** Lines drawn beyond the visible ones, above and below, so a short scroll shows no gap. */
const OVERSCAN = 4;

function bytesText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function troubleText(s: SessionSummary): string {
  const parts = [];
  if (s.refusals > 0) parts.push(`${s.refusals} refused`);
  if (s.errors > 0) parts.push(`${s.errors} ${s.errors === 1 ? 'error' : 'errors'}`);
  return parts.join(', ');
}

/** The line's cells, in the order of the header. */
function cells(s: SessionSummary): readonly [string, string][] {
  return [
    ['number', `#${s.session}`],
    ['client', s.client || '…'],
    ['user', s.user ?? '—'],
    ['phase', s.phase],
    ['bytes', bytesText(s.bytes)],
    ['reply', s.lastReply ?? ''],
    ['trouble', troubleText(s)],
  ];
}

export function createClassroomView(doc: Document, root: HTMLElement, subscribe: (listener: (m: HostMessage) => void) => void): ClassroomView {
  const summary = root.querySelector<HTMLElement>('.classroom-summary')!;
  const troubleOnly = root.querySelector<HTMLInputElement>('.classroom-trouble-only')!;
  const viewport = root.querySelector<HTMLElement>('.classroom-rows')!;
  const canvas = element(doc, 'div', { className: 'classroom-canvas' });
  viewport.replaceChildren(canvas);
  const listeners = new Set<(sessions: readonly number[]) => void>();
  const sessions = new Map<number, SessionSummary>();
  const followed = new Set<number>();
  let hostSession: string | undefined;
  let traceFile: string | undefined;
  let total = 0;
  let order: SessionSummary[] = [];
  let ordered = true;
  let frame: number | undefined;
  let rowHeight = 0;
  /** The lines in the DOM, by session, and the summary each shows. */
  let drawn = new Map<number, HTMLButtonElement>();
  const shownAs = new WeakMap<HTMLButtonElement, SessionSummary>();
  const win = doc.defaultView!;

  const redraw = () => {
    frame ??= win.requestAnimationFrame(draw);
  };

  subscribe((message) => {
    if (message.type === 'classroom.sessions' && message.sessionId === hostSession) {
      total = message.total;
      // The host's list of what it sends to draw: the first sessions by themselves, then the teacher's picks.
      followed.clear();
      for (const n of message.followed) followed.add(n);
      for (const s of message.sessions) {
        if (!sessions.has(s.session)) ordered = false;
        sessions.set(s.session, s);
      }
      redraw();
    }
  });

  /** The sessions the list shows: those drawn first (always in view), then the others newest first (only with errors or refusals when so chosen). */
  function rows(): readonly SessionSummary[] {
    if (!ordered) {
      order = [...sessions.keys()].sort((a, b) => b - a).map((n) => sessions.get(n)!);
      ordered = true;
    }
    // Lines are replaced as sessions change: read the current one.
    const drawn = [...followed].sort((a, b) => a - b).flatMap((n) => sessions.get(n) ?? []);
    const others = order.flatMap((s) => (followed.has(s.session) ? [] : [sessions.get(s.session)!]));
    return [...drawn, ...(troubleOnly.checked ? others.filter(sessionHadTrouble) : others)];
  }

  function draw(): void {
    frame = undefined;
    if (hostSession === undefined) return;
    const all = rows();
    let live = 0;
    let withTrouble = 0;
    for (const s of sessions.values()) {
      if (s.phase !== 'closed') live++;
      if (sessionHadTrouble(s)) withTrouble++;
    }
    const said =
      `${total} ${total === 1 ? 'session' : 'sessions'} (${live} open, ${withTrouble} with errors or refusals)` +
      ` · drawing ${followed.size ? [...followed].map((n) => `#${n}`).join(', ') : 'none: click sessions to draw them'}` +
      (traceFile ? ` · every session's events: ${traceFile}` : '');
    if (summary.textContent !== said) summary.textContent = said;
    if (rowHeight === 0) {
      // One line measured once: the list's height is lines × this, whatever the text size.
      const probe = line(all[0] ?? { session: 0, client: '', phase: 'connected', bytes: 0, errors: 0, refusals: 0, events: 0, firstT: 0, lastT: 0 });
      canvas.append(probe);
      rowHeight = probe.getBoundingClientRect().height || 28;
      probe.remove();
    }
    const height = `${all.length * rowHeight}px`;
    if (canvas.style.height !== height) canvas.style.height = height;
    const first = Math.max(0, Math.floor(view.top / rowHeight) - OVERSCAN);
    const last = Math.min(all.length, Math.ceil((view.top + view.height) / rowHeight) + OVERSCAN);
    // Keyed by session: a line whose summary and place are unchanged is left alone (the list redraws with every batch).
    const kept = new Map<number, HTMLButtonElement>();
    for (let i = first; i < last; i++) {
      const s = all[i]!;
      const isFollowed = followed.has(s.session);
      let node = drawn.get(s.session);
      if (!node) node = line(s, isFollowed);
      else if (shownAs.get(node) !== s || node.classList.contains('followed') !== isFollowed) fill(node, s, isFollowed);
      const y = `translateY(${i * rowHeight}px)`;
      if (node.style.transform !== y) node.style.transform = y;
      kept.set(s.session, node);
    }
    for (const [n, node] of drawn) if (kept.get(n) !== node) node.remove();
    // In the DOM in the order shown (keyboard and screen readers go by it), moving only what is out of place.
    let at: ChildNode | null = canvas.firstChild;
    for (const node of kept.values()) {
      if (at === node) at = node.nextSibling;
      else canvas.insertBefore(node, at);
    }
    drawn = kept;
  }

  function line(s: SessionSummary, isFollowed = followed.has(s.session)): HTMLButtonElement {
    const button = element(
      doc,
      'button',
      { attrs: { type: 'button' } },
      cells(s).map(([name]) => element(doc, 'span', { className: `cell ${name}` })),
    );
    fill(button, s, isFollowed);
    return button;
  }

  /**
   * Writes a session's summary into its line, only what changed: the lines in view change with every batch (bytes,
   * phase, last reply), and a new line for each was a new button and seven spans to style and lay out.
   */
  function fill(button: HTMLButtonElement, s: SessionSummary, isFollowed: boolean): void {
    shownAs.set(button, s);
    setChangedAttributes(button, {
      class: `classroom-row phase-${s.phase.replace(/\s+/g, '-')}${sessionHadTrouble(s) ? ' trouble' : ''}${isFollowed ? ' followed' : ''}`,
      'aria-pressed': String(isFollowed),
      'data-session': String(s.session),
    });
    cells(s).forEach(([name, text], i) => {
      const cell = button.children[i]!;
      setChangedText(cell, text);
      // A name or reply longer than its column is cut with an ellipsis: its whole text is the cell's title.
      if (LONG_CELLS.has(name)) setChangedAttributes(cell, { title: text });
    });
  }

  // Where the list is scrolled and how tall it is, kept from the scroll and resize events: read in draw(), they
  // would force a layout of the whole page in every frame.
  const view = { top: 0, height: 0 };
  viewport.addEventListener('scroll', () => {
    view.top = viewport.scrollTop;
    redraw();
  });
  troubleOnly.addEventListener('change', () => {
    viewport.scrollTop = 0;
    view.top = 0;
    redraw();
  });
  viewport.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-session]');
    if (!button) return;
    const n = Number(button.dataset.session);
    if (followed.has(n)) followed.delete(n);
    else {
      // A few at once: the oldest pick makes way for the newest.
      if (followed.size >= MAX_FOLLOWED) followed.delete(followed.values().next().value!);
      followed.add(n);
    }
    for (const listener of listeners) listener([...followed]);
    redraw();
  });
  new ResizeObserver((entries) => {
    view.height = entries[0]?.contentRect.height ?? viewport.clientHeight;
    // The list changes size when presenter mode changes its words' size: a line is measured again.
    rowHeight = 0;
    redraw();
  }).observe(viewport);

  return {
    show(sessionId, file) {
      if (sessionId === hostSession && file === traceFile) return;
      if (sessionId !== hostSession) {
        sessions.clear();
        followed.clear();
        for (const node of drawn.values()) node.remove();
        drawn = new Map();
        order = [];
        total = 0;
        viewport.scrollTop = 0;
        view.top = 0;
      }
      hostSession = sessionId;
      traceFile = file;
      root.hidden = sessionId === undefined;
      redraw();
    },
    onFollow(listener) {
      listeners.add(listener);
    },
  };
}
