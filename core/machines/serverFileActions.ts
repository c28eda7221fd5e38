// File actions the server asks its store to do, and the replies their results turn into.
// The store (main/store) only performs; which reply code a result means is decided here.

import type { FileInfo, StoreErrorCode } from '../protocol/fileInfo';
import { formatList, formatMdtm, formatNameList } from '../protocol/listFormat';
import { quotePath } from '../protocol/virtualPath';
import type { Representation } from '../trace/traceEvent';
import { reply, type Outcome } from './serverCommands';

export type FileActionRequest =
  | { op: 'cwd'; path: string }
  | { op: 'mkd'; path: string }
  | { op: 'rmd'; path: string }
  | { op: 'dele'; path: string }
  | { op: 'rnfr'; path: string }
  | { op: 'rnto'; from: string; path: string }
  | { op: 'size'; path: string; representation: Representation }
  | { op: 'mdtm'; path: string }
  | { op: 'statList'; path: string }
  /** Before a download: the file exists and is a file (else 550 before any data connection). */
  | { op: 'prepareRetr'; path: string; offset: number }
  /** Before an upload: the directory exists; STOU gets a unique name. */
  | { op: 'prepareStor'; path: string; unique: boolean }
  /** LIST / NLST: the entries of a directory, or the one file named. */
  | { op: 'prepareList'; path: string };

export type FileActionResult =
  { ok: true; info?: FileInfo; entries?: readonly FileInfo[]; size?: number; path?: string } | { ok: false; error: StoreErrorCode; message?: string };

/**
 * What each store refusal means on the wire (959 §4.2.1: 550 unavailable, 553 name not allowed, 451 local error,
 * 452 insufficient storage, 552 exceeded storage allocation).
 */
const storeErrorReplies: Record<StoreErrorCode, () => Outcome> = {
  notFound: () => ({ replies: [reply('fileUnavailable', 'No such file or directory.')] }),
  exists: () => ({ replies: [reply('fileUnavailable', 'That name already exists.')] }),
  notEmpty: () => ({ replies: [reply('fileUnavailable', 'Directory not empty.')] }),
  notDirectory: () => ({ replies: [reply('fileUnavailable', 'Not a directory.')] }),
  isDirectory: () => ({ replies: [reply('fileUnavailable', 'That is a directory, not a file.')] }),
  escapesRoot: () => ({ replies: [reply('fileUnavailable', "Permission denied: the path leads outside the server's root.")] }),
  invalidName: () => ({ replies: [reply('nameNotAllowed')] }),
  noSpace: () => ({ replies: [reply('insufficientStorage')] }),
  tooBig: () => ({ replies: [reply('storageExceeded')] }),
  // The allocation the server was configured with: 959 §4.2.1's "(for current directory or dataset)".
  overQuota: () => ({ replies: [reply('storageExceeded')] }),
  io: () => ({ replies: [reply('localError')] }),
};

const exceededAllocation = (message: string) => `Exceeded storage allocation: ${message}`;

/** Refusals whose message says what the server knows and the code does not (which error; how much of the file was kept). */
const explained: Partial<Record<StoreErrorCode, (message: string) => string>> = {
  io: (message) => `Local error: ${message}`,
  noSpace: (message) => `Insufficient storage space: ${message}`,
  tooBig: exceededAllocation,
  overQuota: exceededAllocation,
};

export function storeErrorOutcome(error: StoreErrorCode, message?: string): Outcome {
  const outcome = storeErrorReplies[error]();
  const explain = explained[error];
  if (explain && message) return { replies: [{ code: outcome.replies[0]!.code, lines: [explain(message)] }] };
  return outcome;
}

/** The reply (and context change) for a finished control-connection file action. */
export function fileActionOutcome(request: FileActionRequest, result: FileActionResult, nowMs: number): Outcome {
  if (!result.ok) return storeErrorOutcome(result.error, result.message);
  switch (request.op) {
    case 'cwd':
      return { replies: [reply('fileActionOk', `Directory changed to ${request.path}.`)], patch: { cwd: request.path } };
    case 'mkd':
      return { replies: [reply('pathCreated', `${quotePath(request.path)} created.`)] };
    case 'rmd':
      return { replies: [reply('fileActionOk', 'Directory removed.')] };
    case 'dele':
      return { replies: [reply('fileActionOk', 'File deleted.')] };
    case 'rnfr':
      return { replies: [reply('pendingFurtherInfo', 'Ready for RNTO.')], patch: { renameFrom: request.path } };
    case 'rnto':
      return { replies: [reply('fileActionOk', 'Rename successful.')] };
    case 'size':
      return { replies: [reply('fileStatus', String(result.size ?? result.info?.size ?? 0))] };
    case 'mdtm':
      return { replies: [reply('fileStatus', formatMdtm(result.info?.modifiedMs ?? 0))] };
    case 'statList': {
      // STAT <path> answers over the control connection, no data connection (959 §4.1.3).
      const lines = formatList(result.entries ?? (result.info ? [result.info] : []), nowMs)
        .split('\r\n')
        .filter(Boolean)
        .map((l) => ` ${l}`);
      return { replies: [reply('fileStatus', [`Status of ${request.path}:`, ...lines, 'End of status'])] };
    }
    case 'prepareRetr':
    case 'prepareStor':
    case 'prepareList':
      return { replies: [] };
  }
}

/** The bytes a LIST or NLST sends. */
export function listingPayload(verb: string, result: FileActionResult, nowMs: number): string {
  if (!result.ok) return '';
  const entries = result.entries ?? (result.info ? [result.info] : []);
  return verb === 'NLST' ? formatNameList(entries) : formatList(entries, nowMs);
}
