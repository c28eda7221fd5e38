// bin/ftp-lab.js, the command itself: it runs the built CLI from dist/, builds it first in a checkout that has
// no build or whose sources changed since, and says in one sentence when there is nothing it can run.
// Each case runs in a copy of the checkout (node_modules linked), so the real dist/ is never touched.

import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_FILES } from '../../main/builtFiles';

const CHECKOUT = fileURLToPath(new URL('../..', import.meta.url));
const COPIED = ['bin', 'core', 'main', 'renderer', 'scripts', 'package.json', 'tsconfig.base.json'];
const BUILDING = /^Building FTP Lab first \((.+)\) …$/m;

let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'ftp-lab-checkout-'));
  for (const name of COPIED) await cp(join(CHECKOUT, name), join(copy, name), { recursive: true });
  await symlink(join(CHECKOUT, 'node_modules'), join(copy, 'node_modules'));
});

afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

function ftpLab(...args: string[]) {
  const result = spawnSync(process.execPath, [join(copy, 'bin', 'ftp-lab.js'), ...args], { cwd: copy, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('ftp-lab (bin/ftp-lab.js)', () => {
  it('names the built files main/builtFiles.ts names (plain JavaScript cannot import that table: the two are compared)', async () => {
    const bin = await readFile(join(CHECKOUT, 'bin', 'ftp-lab.js'), 'utf8');
    const constant = (name: string) => new RegExp(`^const ${name} = '([^']+)';$`, 'm').exec(bin)?.[1];
    expect({ stamp: constant('STAMP'), cli: constant('CLI'), serverHeap: constant('SERVER_HEAP') }).toEqual({
      stamp: BUILT_FILES.stamp,
      cli: BUILT_FILES.cli,
      serverHeap: BUILT_FILES.serverHeap,
    });
  });

  it('builds dist/ first in a checkout that has none, then runs the built CLI', () => {
    const run = ftpLab('scenarios');
    expect(run.stderr).toMatch(BUILDING);
    expect(BUILDING.exec(run.stderr)?.[1]).toBe('dist/ has no build yet');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^textbook-upload\s+/m);
    for (const file of [...Object.values(BUILT_FILES), `${BUILT_FILES.renderer}/index.html`]) {
      expect(existsSync(join(copy, file)), file).toBe(true);
    }
  }, 90_000);

  it('does not build again while the sources are unchanged', () => {
    const run = ftpLab('scenarios');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }, 60_000);

  it('rebuilds when a source is newer than the build, and runs the new code', async () => {
    const file = join(copy, 'core', 'scenarios', 'builtinScenarios.ts');
    const source = await readFile(file, 'utf8');
    expect(source).toContain('The textbook upload, done as RFC 959 says');
    // A changed file is newer than the stamp (mtime resolution is far finer than this test's pace).
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(file, source.replace('The textbook upload, done as RFC 959 says', 'The textbook upload, edited'));
    const run = ftpLab('scenarios');
    expect(BUILDING.exec(run.stderr)?.[1]).toBe('a source changed since the last build');
    expect(run.stdout).toMatch(/^textbook-upload\s+The textbook upload, edited$/m);
  }, 90_000);

  it('says which command to run when the sources do not build', async () => {
    const file = join(copy, 'main', 'cli', 'broken.ts');
    await writeFile(file, 'export const x = (;\n');
    // Only files the CLI imports break its bundle: make the CLI import it.
    const cli = join(copy, 'main', 'cli', 'ftpLab.ts');
    const source = await readFile(cli, 'utf8');
    await writeFile(cli, `import './broken';\n${source}`);
    try {
      const run = ftpLab('scenarios');
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/The build failed \(exit status 1\); `npm run build` shows why\.$/m);
      expect(run.stdout).toBe('');
    } finally {
      await writeFile(cli, source);
      await rm(file);
    }
  }, 90_000);

  it('in an installed package (no build script beside it), runs dist/ as it is, or says it is not built', async () => {
    await rm(join(copy, 'scripts'), { recursive: true });
    expect(ftpLab('scenarios').stdout).toMatch(/^download\s+/m);
    await rm(join(copy, 'dist'), { recursive: true });
    const run = ftpLab('scenarios');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`FTP Lab is not built: dist/cli/ftp-lab.mjs is missing from ${copy}/. Build it from a checkout with \`npm run build\`.\n`);
  }, 60_000);
});
