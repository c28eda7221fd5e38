// The one check every store applies to a virtual path before touching anything: the choke point for path containment.

import { StoreError } from './fileStore';

/**
 * Splits a normalised virtual absolute path into its segments ('/' -> [], '/pub/a.txt' -> ['pub', 'a.txt'])
 * or throws StoreError. The caller (core/protocol/virtualPath) already resolved '..' and '.', so anything
 * that still contains them did not come through it: refuse rather than reinterpret.
 */
export function checkVirtualPath(path: string): string[] {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new StoreError('escapesRoot', `not an absolute path: ${JSON.stringify(path)}`);
  // NUL ends a C string (the OS would see a different name); a backslash is a separator on Windows.
  if (path.includes('\0')) throw new StoreError('invalidName', 'a path must not contain a NUL byte');
  if (path.includes('\\')) throw new StoreError('invalidName', 'a path must not contain a backslash');
  if (path === '/') return [];
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '..') throw new StoreError('escapesRoot', `'..' is not allowed in ${JSON.stringify(path)}`);
    if (segment === '.') throw new StoreError('invalidName', `'.' is not allowed in ${JSON.stringify(path)}`);
    // Empty segments ('//', a trailing '/') are not normalised; refusing them keeps one spelling per file.
    if (segment === '') throw new StoreError('invalidName', `empty path segment in ${JSON.stringify(path)}`);
  }
  return segments;
}

/** The virtual path of a child, without doubling the root's '/'. */
export function joinVirtual(dirPath: string, name: string): string {
  return dirPath === '/' ? `/${name}` : `${dirPath}/${name}`;
}

/** Checks a file name on its own (uniqueName's base): one segment, nothing the path check would refuse. */
export function checkName(name: string): string {
  if (name === '' || name.includes('/')) throw new StoreError('invalidName', `not a file name: ${JSON.stringify(name)}`);
  checkVirtualPath(`/${name}`);
  return name;
}

/** Restart offsets are byte counts: a whole number, not negative. */
export function checkOffset(offset: number): number {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new StoreError('io', `invalid offset: ${String(offset)}`);
  return offset;
}

/** Listings are sorted by name in plain string order, so both stores (and every locale) agree. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
