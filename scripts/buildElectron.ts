// Bundles the Electron shell with esbuild: main/electron/main.ts → dist/electron/main.cjs (with
// LabHost, core and their libraries inside) and the preload → dist/electron/preload.cjs. Both are
// CommonJS: a sandboxed preload cannot be an ES module. Run: npm run build (scripts/build.ts).

import { build, type BuildOptions, type Metafile } from 'esbuild';
import { basename, dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILT_FILES, packageRoot } from '../main/builtFiles';

const ROOT = packageRoot();

/** Where the bundles go, relative to the checkout; electron-builder.yml's extraMetadata.main names MAIN_BUNDLE. */
export const MAIN_BUNDLE = BUILT_FILES.electronMain;
export const PRELOAD_BUNDLE = BUILT_FILES.electronPreload;
const ELECTRON_OUT_DIR = dirname(MAIN_BUNDLE);

export interface ElectronBuild {
  readonly main: string;
  readonly preload: string;
  /** What the preload imports directly: only 'electron' and core/api files may appear here. */
  readonly preloadImports: readonly string[];
}

/** Electron 39 runs Node 22 in the main process and Chromium 142 in the (preload's) renderer. */
const ELECTRON_NODE = 'node22';
const ELECTRON_CHROME = 'chrome142';

export async function buildElectron(options: { outDir?: string } = {}): Promise<ElectronBuild> {
  const outDir = resolve(ROOT, options.outDir ?? ELECTRON_OUT_DIR);
  const common: BuildOptions = {
    absWorkingDir: ROOT,
    bundle: true,
    format: 'cjs',
    external: ['electron'],
    sourcemap: true,
    logLevel: 'warning',
    metafile: true,
  };
  const main = resolve(outDir, basename(MAIN_BUNDLE));
  const preload = resolve(outDir, basename(PRELOAD_BUNDLE));
  await build({ ...common, entryPoints: ['main/electron/main.ts'], outfile: main, platform: 'node', target: ELECTRON_NODE });
  const preloadResult = await build({ ...common, entryPoints: ['main/electron/preload.ts'], outfile: preload, platform: 'node', target: ELECTRON_CHROME });
  const preloadImports = directImports(preloadResult.metafile!, 'main/electron/preload.ts');
  const stray = preloadImports.filter((path) => path !== 'electron' && !path.startsWith('core/api/'));
  if (stray.length) throw new Error(`The preload may import only electron and core/api (design.md), but it imports ${stray.join(', ')}.`);
  return { main, preload, preloadImports };
}

function directImports(metafile: Metafile, input: string): string[] {
  return (metafile.inputs[input]?.imports ?? []).map((i) => (i.external ? i.path : relative(ROOT, resolve(ROOT, i.path)).split('\\').join('/')));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await buildElectron();
  console.log(`Built ${relative(ROOT, result.main)} and ${relative(ROOT, result.preload)}.`);
}
