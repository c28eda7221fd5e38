// What a file store tells the protocol about one entry: the shape LIST, SIZE, MDTM and STAT read.

export type FileKind = 'file' | 'dir';

export interface FileInfo {
  /** Last path segment ('' for the root). */
  readonly name: string;
  /** Virtual absolute path inside the store, e.g. '/pub/hello.txt' (always '/'-separated). */
  readonly path: string;
  readonly kind: FileKind;
  /** Size in bytes as stored (the TYPE I size). */
  readonly size: number;
  /** Modification time, milliseconds since the Unix epoch (UTC). */
  readonly modifiedMs: number;
}

/**
 * Why a store refused an operation; core/machines/serverFileActions.ts maps each to a reply code. `noSpace`:
 * the disk or the user's disk quota is full (ENOSPC, EDQUOT); `tooBig`: the file may grow no further (EFBIG);
 * `overQuota`: the storage quota the server was given (serve --quota) is used up.
 */
export const STORE_ERROR_CODES = [
  'notFound',
  'exists',
  'notEmpty',
  'notDirectory',
  'isDirectory',
  'escapesRoot',
  'invalidName',
  'noSpace',
  'tooBig',
  'overQuota',
  'io',
] as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export const isStoreErrorCode = (value: unknown): value is StoreErrorCode => (STORE_ERROR_CODES as readonly unknown[]).includes(value);
