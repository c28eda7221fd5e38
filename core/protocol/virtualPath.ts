// Resolves a path argument against the working directory into a virtual absolute path, or says it escapes.
// The server's file system view is rooted at '/': '..' above the root is refused (550), never clamped,
// so a student sees the refusal instead of a silently different directory.

export type ResolvedPath = { ok: true; path: string } | { ok: false; reason: 'escapesRoot' | 'invalidName' };

export function resolveVirtualPath(cwd: string, arg: string): ResolvedPath {
  if (arg.includes('\0')) return { ok: false, reason: 'invalidName' };
  // Backslashes are not separators on this server; refusing them keeps a Windows-style
  // '..\\..' from meaning something different in the disk store.
  if (arg.includes('\\')) return { ok: false, reason: 'invalidName' };
  const start = arg.startsWith('/') ? [] : cwd.split('/').filter(Boolean);
  const segments = [...start];
  for (const part of arg.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (segments.length === 0) return { ok: false, reason: 'escapesRoot' };
      segments.pop();
      continue;
    }
    segments.push(part);
  }
  return { ok: true, path: '/' + segments.join('/') };
}

export function parentPath(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** PWD/MKD replies quote the path and double any '"' inside it (RFC 959 Appendix II). */
export function quotePath(path: string): string {
  return `"${path.replaceAll('"', '""')}"`;
}
