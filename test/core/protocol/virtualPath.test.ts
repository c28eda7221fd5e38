import { describe, expect, it } from 'vitest';
import { quotePath, resolveVirtualPath } from '../../../core/protocol/virtualPath';

describe('resolveVirtualPath', () => {
  const rows = [
    { title: 'a relative name joins the working directory', cwd: '/pub', arg: 'a.txt', want: { ok: true, path: '/pub/a.txt' } },
    { title: 'an absolute path is rooted at the server root', cwd: '/pub', arg: '/etc/passwd', want: { ok: true, path: '/etc/passwd' } },
    { title: '.. inside the tree goes up', cwd: '/pub/x', arg: '../y', want: { ok: true, path: '/pub/y' } },
    { title: '.. above the root is refused, not clamped', cwd: '/', arg: '..', want: { ok: false, reason: 'escapesRoot' } },
    { title: 'a deep escape is refused', cwd: '/pub', arg: '../../../etc/passwd', want: { ok: false, reason: 'escapesRoot' } },
    { title: 'dots and double slashes are normalised', cwd: '/', arg: './pub//./a', want: { ok: true, path: '/pub/a' } },
    { title: 'a NUL byte is an invalid name', cwd: '/', arg: 'a\0b', want: { ok: false, reason: 'invalidName' } },
    { title: 'a backslash is an invalid name', cwd: '/', arg: '..\\..\\x', want: { ok: false, reason: 'invalidName' } },
    { title: 'spaces are part of names', cwd: '/', arg: ' my file.txt', want: { ok: true, path: '/ my file.txt' } },
  ];
  for (const row of rows) it(row.title, () => expect(resolveVirtualPath(row.cwd, row.arg)).toEqual(row.want));
});

it('quotePath doubles embedded quotes (RFC 959 Appendix II)', () => {
  expect(quotePath('/a "b"')).toBe('"/a ""b"""');
});
