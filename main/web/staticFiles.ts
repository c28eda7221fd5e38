// The built renderer, read into memory once: the host serves exactly these names and nothing else from disk.

import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Every regular file directly in `dir` with a known type, keyed by its name. Folders are not served. */
export async function loadStaticFiles(dir: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const contentType = CONTENT_TYPES[extname(entry.name)];
    if (!entry.isFile() || !contentType) continue;
    files.set(entry.name, { body: await readFile(join(dir, entry.name)), contentType });
  }
  if (!files.has('index.html')) throw new Error(`${dir} holds no built renderer (index.html is missing); run npm run build.`);
  return files;
}
