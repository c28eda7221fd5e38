// Bundles the command line (main/cli/ftpLab.ts and everything it loads) with esbuild into dist/cli/ftp-lab.mjs,
// which bin/ftp-lab.js runs: no TypeScript loader at run time. Packages stay imports from node_modules.

import { build } from 'esbuild';
import { packageRoot, builtPath } from '../main/builtFiles';

export async function buildCli(options: { outfile?: string } = {}): Promise<string> {
  const outfile = options.outfile ?? builtPath('cli');
  await build({
    absWorkingDir: packageRoot(),
    entryPoints: ['main/cli/ftpLab.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Native (resvg) and data-file (pdfkit's fonts) packages must load from node_modules as they are.
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  return outfile;
}
