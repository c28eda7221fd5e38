// What both session machines' data regions share: how a data connection that is up closes, half by half
// (RFC 959 §5.2: each side's FIN, in either order), or all at once (a reset, a close with nothing left).

/** From a connection that is up (fresh, or kept open after a BLOCK/COMPRESSED transfer). */
export const closingTransitions = {
  'data.finSent': 'halfClosed.finSent',
  'data.peerFin': 'halfClosed.finReceived',
  'data.lost': 'closed',
  'data.closed': 'closed',
} as const;

/** From either half-closed state: the connection is gone however the rest of it ends. */
export const goneTransitions = {
  'data.lost': 'closed',
  'data.closed': 'closed',
} as const;
