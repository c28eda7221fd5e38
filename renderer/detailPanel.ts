// The detail panel: for the hovered, clicked or current mark, its accessible sentence, the raw facts
// (line, bytes, timestamps) and the RFC section that governs it. Text only, never markup.

import type { Mark } from '../core/diagram/layout/diagramModel';
import { element } from './dom';

export interface DetailPanel {
  show(mark: Mark | undefined, why: 'hover' | 'selected' | 'current'): void;
}

const KIND_NAMES: Record<Mark['kind'], string> = {
  message: 'Control message',
  connect: 'TCP connection',
  listen: 'Listening socket',
  fin: 'FIN (close)',
  rst: 'RST (reset)',
  refused: 'Connection refused',
  'close-badge': 'What the close means',
  transfer: 'Data transfer',
  marker: 'Marker in the data',
  connection: 'Data connection',
  note: 'Note',
  state: 'State change',
  segment: 'TCP segment',
  'kernel-state': 'Kernel TCP state',
};

export function createDetailPanel(body: HTMLElement): DetailPanel {
  const doc = body.ownerDocument;
  let shownId: string | undefined;
  let shownWhy: string | undefined;
  return {
    show(mark, why) {
      if (mark?.id === shownId && why === shownWhy) return;
      shownId = mark?.id;
      shownWhy = why;
      if (!mark) {
        body.replaceChildren(
          element(doc, 'p', { className: 'hint', text: 'Hover or click an arrow or a badge to see the raw line, the bytes and the RFC section behind it.' }),
        );
        return;
      }
      const facts = Object.entries(mark.detail).map(([key, value]) =>
        element(doc, 'div', { className: 'fact' }, [element(doc, 'dt', { text: key }), element(doc, 'dd', { text: value })]),
      );
      body.replaceChildren(
        element(doc, 'div', { className: 'detail-kicker' }, [
          element(doc, 'span', { className: `kind-chip kind-${mark.kind}`, text: KIND_NAMES[mark.kind] }),
          element(doc, 'span', { className: 'why', text: why === 'current' ? 'current step' : why === 'selected' ? 'selected' : '' }),
        ]),
        element(doc, 'p', { className: 'detail-title', text: mark.ariaLabel }),
        element(doc, 'dl', { className: 'facts' }, facts),
        ...(mark.rfc
          ? [
              element(doc, 'p', { className: 'rfc' }, [
                element(doc, 'span', { className: 'rfc-label', text: 'RFC ' }),
                element(doc, 'span', { className: 'rfc-section', text: mark.rfc }),
              ]),
            ]
          : []),
      );
    },
  };
}
