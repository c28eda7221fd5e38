// What each kernel TCP state says about one end of a connection (RFC 793 §3.2, Figure 6; §3.5 for closing): the
// one table the transcript's and the narration's sentences about tcp.state events are made from.

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
  TIME_WAIT: 'it closed first: it waits 2 MSL before the same address/port pair can be used again',
  CLOSED: 'the kernel holds nothing for it any more',
};
