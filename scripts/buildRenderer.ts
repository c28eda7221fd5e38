// Builds the renderer for both hosts: renderer/main.ts bundled by esbuild into <out>/app.js, plus index.html and styles.css,
// and the Export dialog's HTML preview page (core/api/exportPreviewFrame.ts).
// The output appears all at once (built into a sibling folder, then renamed), so a host reading it never sees half a build.

import { build } from 'esbuild';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtPath, packageRoot } from '../main/builtFiles';
import { EXPORT_PREVIEW_PAGE, exportPreviewPage } from '../core/api/exportPreviewFrame';

export const RENDERER_SOURCE = join(packageRoot(), 'renderer');
export const DEFAULT_RENDERER_OUT = builtPath('renderer');
const STATIC_FILES = ['index.html', 'styles.css'];

export async function buildRenderer(options: { outDir?: string; minify?: boolean } = {}): Promise<string> {
  const outDir = resolve(options.outDir ?? DEFAULT_RENDERER_OUT);
  const staging = `${outDir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await mkdir(staging, { recursive: true });
  try {
    await build({
      entryPoints: [join(RENDERER_SOURCE, 'main.ts')],
      outfile: join(staging, 'app.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['chrome120'],
      minify: options.minify ?? false,
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'silent',
    });
    for (const name of STATIC_FILES) await copyFile(join(RENDERER_SOURCE, name), join(staging, name));
    await writeFile(join(staging, EXPORT_PREVIEW_PAGE), exportPreviewPage());
    const old = `${outDir}.old-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await rename(outDir, old).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(staging, outDir);
    await rm(old, { recursive: true, force: true });
    return outDir;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildRenderer({ minify: process.argv.includes('--minify') });
  process.stdout.write(`Renderer built into ${out}\n`);
}
