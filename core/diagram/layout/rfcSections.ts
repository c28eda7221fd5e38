// The RFC section that governs each diagram mark: by verb (the command table), by reply code (the
// reply table), and by socket or data event (below). One lookup for the diagram, its detail panel and exports.

import { commandTable } from '../../protocol/commands.table';
import { Reply } from '../../protocol/replyCodes';
import type { CloseReason, TransferMode } from '../../trace/traceEvent';

const replySections: ReadonlyMap<number, string> = new Map(Object.values(Reply).map((row) => [row.code, row.rfc]));

export function commandSection(verb: string): string | undefined {
  return commandTable.get(verb.toUpperCase())?.rfc;
}

export function replySection(code: number): string {
  return replySections.get(code) ?? '959 §4.2';
}

const closeSections: Record<CloseReason, string> = {
  eof: '959 §3.4.1',
  abort: '959 §4.1.3',
  quit: '959 §3.2',
  reset: '959 §3.2',
  replaced: '959 §3.2',
  error: '959 §3.2',
  foreign: '2577 §4',
  'peer-closed': '959 §5.2',
  shutdown: '959 §4.2',
  limit: '959 §5.4',
};

export function closeSection(reason: CloseReason | undefined): string {
  return reason ? closeSections[reason] : '959 §3.2';
}

const modeSections: Record<TransferMode, string> = { S: '959 §3.4.1', B: '959 §3.4.2', C: '959 §3.4.3' };

export function transferSection(mode: TransferMode): string {
  return modeSections[mode];
}

export function markerSection(marker: 'eof' | 'restart' | 'eor', mode: TransferMode): string {
  if (marker === 'restart') return '959 §3.5';
  return modeSections[mode];
}

export const socketSections = {
  /** The user-PI opens the control connection to port L (959 §5.2). */
  controlConnect: '959 §5.2',
  /** Establishing data connections: the passive side listens, the active side connects (959 §3.2). */
  dataConnect: '959 §3.2',
  listen: '959 §3.2',
  /** A data connection from a foreign address is refused (RFC 2577 §4); a failed connect gives 425 (959 §3.2). */
  foreign: '2577 §4',
  refused: '959 §3.2',
  /** BLOCK/COMPRESSED: the connection stays open after the EOF marker (959 §3.3). */
  keptOpen: '959 §3.3',
} as const;
