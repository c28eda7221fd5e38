// Tests the stores' single path check: which virtual paths reach a store, and what the others are refused with.

import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../main/store/fileStore';
import { checkName, checkOffset, checkVirtualPath, compareNames, joinVirtual } from '../../../main/store/virtualPath';

function codeOfSync(run: () => unknown): string {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return error instanceof StoreError ? error.code : `not a StoreError: ${String(error)}`;
  }
}

describe('checkVirtualPath', () => {
  it.each([
    { title: 'the root has no segments', path: '/', segments: [] },
    { title: 'a file at the root', path: '/readme.txt', segments: ['readme.txt'] },
    { title: 'a nested file', path: '/pub/hello.txt', segments: ['pub', 'hello.txt'] },
    { title: 'names with spaces, dots and quotes are fine', path: '/my "odd" file..txt', segments: ['my "odd" file..txt'] },
    { title: 'a name starting with dots is not a dot segment', path: '/...', segments: ['...'] },
    { title: 'a hidden file', path: '/.profile', segments: ['.profile'] },
    { title: 'non-ASCII names', path: '/données/été.txt', segments: ['données', 'été.txt'] },
  ])('accepts $title', ({ path, segments }) => {
    expect(checkVirtualPath(path)).toEqual(segments);
  });

  it.each([
    { title: 'an empty path', path: '', code: 'escapesRoot' },
    { title: 'a relative path', path: 'pub/hello.txt', code: 'escapesRoot' },
    { title: 'a bare ..', path: '..', code: 'escapesRoot' },
    { title: "a leading '..'", path: '/../etc/passwd', code: 'escapesRoot' },
    { title: "a '..' in the middle", path: '/pub/../../etc/passwd', code: 'escapesRoot' },
    { title: "a trailing '..'", path: '/pub/..', code: 'escapesRoot' },
    { title: "a '.' segment", path: '/pub/./hello.txt', code: 'invalidName' },
    { title: "a trailing '.'", path: '/pub/.', code: 'invalidName' },
    { title: 'a NUL byte', path: '/hello.txt\0.png', code: 'invalidName' },
    { title: 'a backslash', path: '/pub\\hello.txt', code: 'invalidName' },
    { title: "a Windows-style '..\\..'", path: '/..\\..\\windows', code: 'invalidName' },
    { title: 'a doubled slash', path: '//etc', code: 'invalidName' },
    { title: 'a trailing slash', path: '/pub/', code: 'invalidName' },
  ])('refuses $title as $code', ({ path, code }) => {
    expect(codeOfSync(() => checkVirtualPath(path))).toBe(code);
  });
});

describe('checkName', () => {
  it.each([
    { title: 'a plain name', name: 'upload', code: 'accepted' },
    { title: 'an empty name', name: '', code: 'invalidName' },
    { title: 'a name with a slash', name: 'a/b', code: 'invalidName' },
    { title: "'..'", name: '..', code: 'escapesRoot' },
    { title: "'.'", name: '.', code: 'invalidName' },
    { title: 'a backslash', name: 'a\\b', code: 'invalidName' },
  ])('$title: $code', ({ name, code }) => {
    expect(codeOfSync(() => checkName(name))).toBe(code);
  });
});

describe('checkOffset', () => {
  it.each([
    { title: 'zero', offset: 0, code: 'accepted' },
    { title: 'a large whole number', offset: 2 ** 40, code: 'accepted' },
    { title: 'a negative number', offset: -1, code: 'io' },
    { title: 'a fraction', offset: 0.5, code: 'io' },
    { title: 'NaN', offset: Number.NaN, code: 'io' },
    { title: 'Infinity', offset: Number.POSITIVE_INFINITY, code: 'io' },
  ])('$title: $code', ({ offset, code }) => {
    expect(codeOfSync(() => checkOffset(offset))).toBe(code);
  });
});

describe('joinVirtual and compareNames', () => {
  it.each([
    { title: 'under the root', dir: '/', name: 'a', path: '/a' },
    { title: 'under a directory', dir: '/pub', name: 'a', path: '/pub/a' },
  ])('joins $title', ({ dir, name, path }) => {
    expect(joinVirtual(dir, name)).toBe(path);
  });

  it('sorts in plain string order, the same in every locale', () => {
    expect(['b', 'a', 'B', '_', '10', '9'].sort(compareNames)).toEqual(['10', '9', 'B', '_', 'a', 'b']);
  });
});
