// The transfer-mode rules that decide who closes the data connection and what the close means.
// RFC 959 §3.2 (close conditions), §3.3 (reuse), §3.4 (modes), §5.2 (226 vs 250).

import type { TransferMode } from '../trace/traceEvent';

export interface TransferModeRule {
  readonly name: string;
  /** Is the end of file signalled by closing the data connection (only STREAM, 959 §3.4.1)? */
  readonly eofByClose: boolean;
  /** Can a data connection carry several transfers (959 §3.3 last paragraph)? */
  readonly reusable: boolean;
  readonly rfc: string;
}

export const transferModes: Readonly<Record<TransferMode, TransferModeRule>> = {
  S: { name: 'STREAM', eofByClose: true, reusable: false, rfc: '959 §3.4.1' },
  B: { name: 'BLOCK', eofByClose: false, reusable: true, rfc: '959 §3.4.2' },
  C: { name: 'COMPRESSED', eofByClose: false, reusable: true, rfc: '959 §3.4.3' },
};

/**
 * Who closes the data connection after a transfer that went well. In STREAM mode the sender does,
 * because the close is the end of file: the server for downloads, the client for uploads (the one
 * exception 959 §3.2 allows). In BLOCK/COMPRESSED mode the EOF travels in the data and only the
 * server may close, at its option; FTP Lab's server keeps it open and says 250 (959 §5.2).
 */
export function closerAfterTransfer(mode: TransferMode, direction: 'download' | 'upload'): 'server' | 'client' | 'nobody' {
  if (!transferModes[mode].eofByClose) return 'nobody';
  return direction === 'download' ? 'server' : 'client';
}
