// electron-builder.yml is a configuration electron-builder 25 accepts (its own JSON schema, checked
// with ajv as electron-builder itself does), and it packages what the build scripts produce.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MAIN_BUNDLE } from '../../../scripts/buildElectron';

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);
const text = readFileSync(new URL('../../../electron-builder.yml', import.meta.url), 'utf8');

interface BuilderConfig {
  appId: string;
  productName: string;
  asar: boolean;
  directories: { output: string };
  extraMetadata: { main: string };
  files: string[];
  linux: { target: string[]; category: string; maintainer: string };
  mac: { target: string };
  win: { target: string };
  [key: string]: unknown;
}

const load = () => parse(text) as BuilderConfig;

function errors(config: unknown): string[] {
  return validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message} ${JSON.stringify(e.params)}`);
}

describe('electron-builder.yml', () => {
  it("matches electron-builder's schema", () => {
    expect(errors(load())).toEqual([]);
  });

  const broken = [
    { title: 'a misspelt key at the top', change: (c: BuilderConfig) => void (c.productname = 'FTP Lab'), path: '' },
    { title: 'a misspelt key in linux', change: (c: BuilderConfig) => void ((c.linux as Record<string, unknown>).categroy = 'Education'), path: '.linux' },
    {
      title: 'a key in the wrong place (dmg options under win)',
      change: (c: BuilderConfig) => void ((c.win as Record<string, unknown>).window = { width: 500 }),
      path: '.win',
    },
    { title: 'a wrong type (asar as a string)', change: (c: BuilderConfig) => void ((c as Record<string, unknown>).asar = 'yes'), path: '.asar' },
  ];
  for (const row of broken) {
    it(`the schema check catches ${row.title}`, () => {
      const config = load();
      row.change(config);
      const found = errors(config);
      expect(found.length).toBeGreaterThan(0);
      expect(found.some((e) => e.startsWith(`${row.path} `))).toBe(true);
    });
  }

  it('names the app and its output folder', () => {
    const config = load();
    expect(config.productName).toBe('FTP Lab');
    expect(config.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/);
    expect(config.directories.output).toBe('release');
    expect(config.asar).toBe(true);
  });

  it('starts the bundle that scripts/buildElectron.ts writes', () => {
    expect(load().extraMetadata.main).toBe(MAIN_BUNDLE);
  });

  it('ships dist/ and package.json only: no sources, tests, maps, bench, docs or node_modules', () => {
    const files = load().files;
    expect(files.filter((f) => !f.startsWith('!')).sort()).toEqual(['dist/**/*', 'package.json']);
    for (const excluded of ['!dist/**/*.map', '!**/*.test.*', '!node_modules/**/*']) expect(files).toContain(excluded);
    const sources = files.find((f) => f.startsWith('!{'))!;
    for (const folder of ['core', 'main', 'renderer', 'test', 'bench', 'docs', 'scripts']) expect(sources).toContain(folder);
  });

  it('builds AppImage and deb (Education, with a maintainer), a dmg and an NSIS installer', () => {
    const config = load();
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Education');
    expect(config.linux.maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
  });
});
