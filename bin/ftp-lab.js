#!/usr/bin/env node
// Entry point of the ftp-lab command: runs the built CLI (dist/cli/ftp-lab.mjs, see main/builtFiles.ts). In a
// checkout it first rebuilds dist/ when a source is newer than the last build, so an edit never runs stale.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** What a build reads; a file in here newer than dist/build-stamp means dist/ is stale. */
const SOURCES = ['core', 'main', 'renderer', 'scripts', 'package.json'];
const STAMP = 'dist/build-stamp';
const CLI = 'dist/cli/ftp-lab.mjs';
const SERVER_HEAP = 'dist/cli/serverHeap.mjs';
const BUILD_SCRIPT = 'scripts/build.ts';

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function newestSource() {
  let newest = 0;
  for (const name of SOURCES) {
    const path = `${root}${name}`;
    if (!existsSync(path)) continue;
    if (!statSync(path).isDirectory()) newest = Math.max(newest, mtime(path) ?? 0);
    else
      for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) newest = Math.max(newest, mtime(`${entry.parentPath}/${entry.name}`) ?? 0);
      }
  }
  return newest;
}

// An installed package ships dist/ without the build script: it runs what it has.
if (existsSync(`${root}${BUILD_SCRIPT}`)) {
  const built = mtime(`${root}${STAMP}`);
  if (built === undefined || newestSource() > built) {
    process.stderr.write(`Building FTP Lab first (${built === undefined ? 'dist/ has no build yet' : 'a source changed since the last build'}) …\n`);
    const build = spawnSync(process.execPath, ['--import', 'tsx', BUILD_SCRIPT], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (build.status !== 0) {
      process.stderr.write(`The build failed (${build.error?.message ?? `exit status ${build.status}`}); \`npm run build\` shows why.\n`);
      process.exit(1);
    }
  }
}

if (!existsSync(`${root}${CLI}`)) {
  process.stderr.write(`FTP Lab is not built: ${CLI} is missing from ${root}. Build it from a checkout with \`npm run build\`.\n`);
  process.exit(1);
}
// A server keeps its heap near its live size (main/cli/serverHeap.ts); set before the CLI loads, or it grows first.
if (process.argv[2] === 'serve') (await import(`../${SERVER_HEAP}`)).keepServerHeapSmall();
// Stack traces of a bug point at the TypeScript sources, not at the bundle's lines.
process.setSourceMapsEnabled(true);
const { main } = await import(`../${CLI}`);
process.exitCode = await main(process.argv.slice(2));
