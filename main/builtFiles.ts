// Where the built app lives: dist/ at the package root, written by `npm run build` (scripts/build.ts) and kept
// fresh in a checkout by bin/ftp-lab.js. main/ reads these files; it never builds them.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each built file or folder, relative to the package root (electron-builder.yml names electronMain too). */
export const BUILT_FILES = {
  cli: 'dist/cli/ftp-lab.mjs',
  /** main/cli/serverHeap.ts on its own: bin/ftp-lab.js applies it before the CLI loads. */
  serverHeap: 'dist/cli/serverHeap.mjs',
  electronMain: 'dist/electron/main.cjs',
  electronPreload: 'dist/electron/preload.cjs',
  renderer: 'dist/renderer',
  /** Written last by a build that succeeded: its time is the build's (bin/ftp-lab.js compares sources with it). */
  stamp: 'dist/build-stamp',
} as const;

export type BuiltFile = keyof typeof BUILT_FILES;

let root: string | undefined;

/**
 * The folder holding FTP Lab's package.json. Found by walking up from this module, because it runs both
 * from its source (main/builtFiles.ts, in tests) and from inside the CLI bundle (dist/cli/ftp-lab.mjs).
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'ftp-lab') return (root = dir);
    if (dirname(dir) === dir) throw new Error(`FTP Lab's package.json was not found above ${fileURLToPath(import.meta.url)}.`);
  }
}

/** The absolute path of a built file. */
export function builtPath(file: BuiltFile): string {
  return join(packageRoot(), BUILT_FILES[file]);
}
