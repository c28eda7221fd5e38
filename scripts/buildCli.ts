// Bundles the command line (main/cli/ftpLab.ts and everything it loads) with esbuild into dist/cli/ftp-lab.mjs,
// which bin/ftp-lab.js runs: no TypeScript loader at run time. Packages stay imports from node_modules.
// main/cli/serverHeap.ts is bundled on its own too: bin applies it before the CLI is loaded.

import { build } from 'esbuild';
import { basename, dirname } from 'node:path';
import { BUILT_FILES, packageRoot } from '../main/builtFiles';

/** Each bundle's name (dist/cli/<name>.mjs, as main/builtFiles.ts says) and its entry point. */
const ENTRY_POINTS = [
  { out: basename(BUILT_FILES.cli, '.mjs'), in: 'main/cli/ftpLab.ts' },
  { out: basename(BUILT_FILES.serverHeap, '.mjs'), in: 'main/cli/serverHeap.ts' },
];

export async function buildCli(options: { outDir?: string } = {}): Promise<string> {
  const outdir = options.outDir ?? `${packageRoot()}/${dirname(BUILT_FILES.cli)}`;
  await build({
    absWorkingDir: packageRoot(),
    entryPoints: ENTRY_POINTS,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Native (resvg) and data-file (pdfkit's fonts) packages must load from node_modules as they are.
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  return outdir;
}
