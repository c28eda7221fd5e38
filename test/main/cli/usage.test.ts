// `ftp-lab --help` lists every command and every option that exists, and nothing that does not (issue 14):
// each command's parseArgs options are compared with its lines of the usage text, both ways.

import { describe, expect, it } from 'vitest';
import { EXPORT_HELP } from '../../../main/export/exportFormats';
import { EXPORT_OPTIONS, IMPORT_OPTIONS, main, RUN_OPTIONS, SERVE_OPTIONS, USAGE } from '../../../main/cli/ftpLab';
import { START_OPTIONS } from '../../../main/cli/startApp';
import { WEB_OPTIONS } from '../../../main/web/webCommand';

type Options = Record<string, { type: string; short?: string }>;
const commands: Record<string, Options> = {
  start: START_OPTIONS,
  web: WEB_OPTIONS,
  serve: SERVE_OPTIONS,
  run: RUN_OPTIONS,
  export: EXPORT_OPTIONS,
  import: IMPORT_OPTIONS,
};

/** A command's lines of the usage text: its own line and the indented lines that continue it. */
function sectionOf(command: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ftp-lab ${command}`));
  if (start < 0) return '';
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('  ftp-lab '));
  return [lines[start], ...(end < 0 ? rest : rest.slice(0, end))].join('\n');
}

describe('ftp-lab --help', () => {
  it('names every command', () => {
    for (const command of [...Object.keys(commands), 'scenarios', 'help']) expect(sectionOf(command), command).not.toBe('');
  });

  it.each(Object.keys(commands))('%s: every option it takes is in its usage, and every option its usage shows is taken', (command) => {
    const options = commands[command]!;
    // export's own --help has the long form of its options.
    const text = command === 'export' ? `${sectionOf(command)}\n${EXPORT_HELP}` : sectionOf(command);
    for (const [name, spec] of Object.entries(options)) {
      if (name === 'help') continue;
      expect(text.includes(`--${name}`) || (spec.short !== undefined && text.includes(`-${spec.short} `)), `--${name} is not in the usage of ${command}`).toBe(
        true,
      );
    }
    for (const shown of sectionOf(command).matchAll(/--([a-z-]+)/g))
      expect(Object.keys(options), `the usage of ${command} shows --${shown[1]}`).toContain(shown[1]);
  });

  it('an unknown command gets the usage and exit code 2', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(lines.join('\n')).toContain(USAGE);
  });
});
