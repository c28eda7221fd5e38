// What each kernel TCP state says about one end of a connection (RFC 9293 §3.3.2; §3.6 for TIME_WAIT's reason):
// the one table the transcript's, the narration's and the diagram's words about tcp.state events are made from.

import type { KernelTcpState } from './traceEvent';

export const kernelStateMeaning: Readonly<Record<KernelTcpState, string>> = {
  SYN_SENT: 'its SYN is sent; it waits for the SYN-ACK',
  SYN_RECEIVED: 'the SYN came and its SYN-ACK is sent; it waits for the ACK',
  ESTABLISHED: 'open: bytes may flow both ways',
  FIN_WAIT_1: 'it sent its FIN; not yet acknowledged',
  FIN_WAIT_2: "its FIN is acknowledged; it waits for the peer's FIN",
  CLOSE_WAIT: 'the peer closed; this end has not yet',
  // A simultaneous close: each FIN crossed the other; both ends pass TIME_WAIT.
  CLOSING: "both ends sent their FIN before receiving the other's; each will wait in TIME_WAIT",
  LAST_ACK: 'it closed second; it waits for the ACK of its FIN',
  TIME_WAIT: "it closed first: it waits 2 MSL before the same connection (both ends' addresses and ports) can be used again",
  CLOSED: 'the kernel holds nothing for it any more',
};

/** The RFC sections a state is cited by: the states are named in RFC 9293 §3.3.2; why TIME_WAIT waits is §3.6. */
export function kernelStateSection(state: KernelTcpState): string {
  return state === 'TIME_WAIT' ? '9293 §3.3.2, §3.6' : '9293 §3.3.2';
}

/** How a state is drawn on its lane: its colour family (the painters' palette maps each to a colour). */
export type KernelStateTone = 'opening' | 'open' | 'closing' | 'time-wait' | 'closed';

export const kernelStateTone: Readonly<Record<KernelTcpState, KernelStateTone>> = {
  SYN_SENT: 'opening',
  SYN_RECEIVED: 'opening',
  ESTABLISHED: 'open',
  FIN_WAIT_1: 'closing',
  FIN_WAIT_2: 'closing',
  CLOSE_WAIT: 'closing',
  CLOSING: 'closing',
  LAST_ACK: 'closing',
  TIME_WAIT: 'time-wait',
  CLOSED: 'closed',
};

/** What the legend calls each tone. */
export const kernelToneNames: Readonly<Record<KernelStateTone, string>> = {
  opening: 'opening (SYN_SENT, SYN_RECEIVED)',
  open: 'ESTABLISHED',
  closing: 'closing (FIN_WAIT, CLOSE_WAIT, CLOSING, LAST_ACK)',
  'time-wait': 'TIME_WAIT',
  closed: 'CLOSED',
};

/**
 * Why an end is in TIME_WAIT (RFC 9293 §3.6): it closed first, so its last ACK may be lost and have to be
 * sent again, and a late segment of this connection must not be taken for part of a new one on the same ports.
 * `firstCloser`: the side that sent the connection's first FIN, when known. Follows kernelStateMeaning.TIME_WAIT.
 */
export function timeWaitReason(side: string, conn: string, firstCloser: string | undefined): string {
  const why = 'its last ACK may be lost and have to be sent again, and a late segment must not be taken for part of a new connection on the same ports';
  if (firstCloser === undefined) return `Only an end that closes first (or at once with its peer) waits so: ${why}.`;
  if (firstCloser === side)
    return `The ${side} sent the first FIN on ${conn}, so it is the ${side}'s kernel that waits: ${why}. An end that closes second does not wait (CLOSE_WAIT, LAST_ACK, then CLOSED).`;
  return `The ${firstCloser} sent the first FIN, but the ${side}'s FIN crossed it (a simultaneous close): both ends wait, since ${why}.`;
}
