// `npm run build`: everything FTP Lab runs from, into dist/ — the CLI bundle, the Electron shell and the
// renderer — then the build stamp, written last, so a half-finished build never counts as fresh.

import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { builtPath, packageRoot } from '../main/builtFiles';
import { buildCli } from './buildCli';
import { buildElectron } from './buildElectron';
import { buildRenderer } from './buildRenderer';

export async function buildAll(): Promise<void> {
  // Settled, not all: a failed bundle must not end the process while another is still writing its staging folder.
  const results = await Promise.allSettled([buildCli(), buildElectron(), buildRenderer()]);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  await writeFile(builtPath('stamp'), `${new Date().toISOString()}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  await buildAll();
  process.stderr.write(`Built the CLI, the Electron shell and the renderer into ${packageRoot()}/dist in ${Math.round(performance.now() - started)} ms.\n`);
}
