// The layer rules of design.md are enforced: a file that imports across a forbidden boundary fails lint.

import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  const rows = [
    {
      title: 'core/ may not import node:fs',
      file: 'core/protocol/x.ts',
      code: "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n",
      blocked: true,
    },
    { title: 'core/ may not import bare fs', file: 'core/protocol/x.ts', code: "import fs from 'fs';\nexport const x = fs;\n", blocked: true },
    {
      title: 'core/ may not import main/',
      file: 'core/protocol/x.ts',
      code: "import { startFtpServer } from '../../main/session/ftpServer';\nexport const x = startFtpServer;\n",
      blocked: true,
    },
    { title: 'core/ may not import electron', file: 'core/api/x.ts', code: "import { app } from 'electron';\nexport const x = app;\n", blocked: true },
    { title: 'core/ may import xstate', file: 'core/machines/x.ts', code: "import { setup } from 'xstate';\nexport const x = setup;\n", blocked: false },
    {
      title: 'core/diagram/layout may not import a painter',
      file: 'core/diagram/layout/x.ts',
      code: "import { themes } from '../painters/palette';\nexport const x = themes;\n",
      blocked: true,
    },
    {
      title: "core/diagram/layout keeps core's rules: no node:fs",
      file: 'core/diagram/layout/x.ts',
      code: "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n",
      blocked: true,
    },
    {
      title: 'core/diagram/layout may import the rest of core',
      file: 'core/diagram/layout/x.ts',
      code: "import { otherSide } from '../../trace/sides';\nexport const x = otherSide;\n",
      blocked: false,
    },
    {
      title: 'core/diagram/painters may import the layout',
      file: 'core/diagram/painters/x.ts',
      code: "import { layoutTrace } from '../layout/layout';\nexport const x = layoutTrace;\n",
      blocked: false,
    },
    {
      title: 'main/session may not import node:net (only main/net may)',
      file: 'main/session/x.ts',
      code: "import net from 'node:net';\nexport const x = net;\n",
      blocked: true,
    },
    { title: 'main/net may import node:net', file: 'main/net/x.ts', code: "import net from 'node:net';\nexport const x = net;\n", blocked: false },
    {
      title: 'main/session may import main/net',
      file: 'main/session/x.ts',
      code: "import { listenControl } from '../net/controlSockets';\nexport const x = listenControl;\n",
      blocked: false,
    },
    {
      title: 'main/ may not import scripts/ (it reads dist/ only)',
      file: 'main/web/x.ts',
      code: "import { buildRenderer } from '../../scripts/buildRenderer';\nexport const x = buildRenderer;\n",
      blocked: true,
    },
    {
      title: 'main/net may not import test/',
      file: 'main/net/x.ts',
      code: "import { freePort } from '../../test/support/freePort';\nexport const x = freePort;\n",
      blocked: true,
    },
    { title: 'main/ may not import esbuild', file: 'main/cli/x.ts', code: "import { build } from 'esbuild';\nexport const x = build;\n", blocked: true },
    { title: 'renderer/ may not import node:*', file: 'renderer/x.ts', code: "import { join } from 'node:path';\nexport const x = join;\n", blocked: true },
    {
      title: 'renderer/ may not import main/',
      file: 'renderer/x.ts',
      code: "import { main } from '../main/cli/ftpLab';\nexport const x = main;\n",
      blocked: true,
    },
  ];
  for (const row of rows) {
    it(row.title, async () => {
      const messages = await restrictedImports(row.file, row.code);
      expect(messages.length > 0).toBe(row.blocked);
    });
  }
});
