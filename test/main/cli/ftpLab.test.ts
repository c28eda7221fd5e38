// The ftp-lab command as a user runs it: every built-in scenario end to end, exit codes, clear errors.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../main/cli/ftpLab';
import type { CliIo } from '../../../main/cli/cliIo';
import { builtinScenarios } from '../../../core/scenarios/builtinScenarios';
import { parseTrace } from '../../../core/trace/traceFile';

function capture(): CliIo & { out: (l: string) => void; lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftp-lab-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ftp-lab run <built-in scenario>', () => {
  for (const scenario of builtinScenarios) {
    it(`${scenario.name} succeeds against the built-in server`, async () => {
      const io = capture();
      const code = await main(['run', scenario.name, '--trace', join(dir, `${scenario.name}.json`)], io);
      expect(io.errors).toEqual([]);
      expect(code).toBe(0);
      const trace = parseTrace(await readFile(join(dir, `${scenario.name}.json`), 'utf8'));
      expect(trace.meta.scenario).toBe(scenario.name);
      expect(trace.events.length).toBeGreaterThan(10);
    }, 60_000);
  }

  it('textbook-upload prints the RFC sequence: PORT -> 200, STOR -> 150, client FIN as EOF, then 226', async () => {
    const io = capture();
    expect(await main(['run', 'textbook-upload'], io)).toBe(0);
    const text = io.lines.join('\n');
    const order = [
      /C→S {2}PORT 127,0,0,1,\d+,\d+/,
      /S→C {2}200 /,
      /C→S {2}STOR report\.bin/,
      /S→C {2}150 /,
      /data connection D1 closed by client \(FIN\): end of file in STREAM mode/,
      /S→C {2}226 /,
      /C→S {2}QUIT/,
      /S→C {2}221 /,
    ];
    let from = 0;
    for (const pattern of order) {
      const at = text.slice(from).search(pattern);
      expect(at, `expected ${pattern} after position ${from}`).toBeGreaterThanOrEqual(0);
      from += at + 1;
    }
    expect(text).toContain('PASS ****');
  });

  it('download closes from the server side', async () => {
    const io = capture();
    expect(await main(['run', 'download'], io)).toBe(0);
    expect(io.lines.join('\n')).toMatch(/data connection D1 closed by server \(FIN\): end of file in STREAM mode/);
  });

  it.each([
    { scenario: 'missing-file', line: '# RETR no-such-file.txt: no data moved (550 No such file or directory.)' },
    { scenario: 'refused-data', line: /^# RETR notes\.txt: no data moved \(425 Can't open data connection: / },
  ])('$scenario: a transfer that never began says so, not "cut short"', async ({ scenario, line }) => {
    const io = capture();
    expect(await main(['run', scenario], io)).toBe(0);
    const summary = io.lines
      .join('\n')
      .split('\n')
      .find((l) => l.startsWith('# RETR'));
    if (typeof line === 'string') expect(summary).toBe(line);
    else expect(summary).toMatch(line);
    expect(io.lines.join('\n')).not.toContain('cut short');
  });

  it('refused-data: the client is seen to stop listening after 200 and before the server tries to connect (no listener left drawn)', async () => {
    const io = capture();
    expect(await main(['run', 'refused-data'], io)).toBe(0);
    const lines = io.lines.join('\n').split('\n');
    const listens = lines.findIndex((l) => /^\s+client listens on 127\.0\.0\.1:(\d+) for a data connection$/.test(l));
    const port = /:(\d+) for/.exec(lines[listens] ?? '')?.[1];
    const stops = lines.indexOf(`      client stops listening on 127.0.0.1:${port} (no connection came)`);
    const ok200 = lines.findIndex((l) => l.startsWith('S→C  200 PORT'));
    const refused = lines.findIndex((l) => l.includes('data connection refused'));
    expect(listens).toBeGreaterThanOrEqual(0);
    expect(ok200).toBeGreaterThan(listens);
    expect(stops).toBeGreaterThan(ok200);
    expect(refused).toBeGreaterThan(stops);
    // The diagram draws it too, on the client's data lane (here through the Mermaid export, which lists every mark).
    const mmd = join(dir, 'refused-data.mmd');
    expect(await main(['run', 'refused-data', '--export', mmd], capture())).toBe(0);
    // (Mermaid escapes each ':' as '#58;'.)
    expect(await readFile(mmd, 'utf8')).toMatch(/Note over CDTP: \d+\. stops listening on 127\.0\.0\.1#58;\d+#58; no connection came$/m);
  });

  it('--tcp-states: the transcript says which end the kernel keeps in TIME_WAIT (the first closer: the server, in download)', async () => {
    const io = capture();
    expect(await main(['run', 'download', '--tcp-states'], io)).toBe(0);
    const text = io.lines.join('\n');
    expect(text).toMatch(/^ {6}D1: the server's kernel holds it in TIME_WAIT \(it closed first: /m);
    expect(text).toMatch(/^ {6}D1: the client's kernel holds nothing for it any more \(CLOSED\)$/m);
    const plain = capture();
    expect(await main(['run', 'download'], plain)).toBe(0);
    expect(plain.lines.join('\n')).not.toMatch(/kernel/);
  });

  it('passive-vs-active: the header names both modes in the order the scenario uses them', async () => {
    const io = capture();
    expect(await main(['run', 'passive-vs-active'], io)).toBe(0);
    expect(io.lines.join('\n')).toMatch(/^# built-in server ftp:\/\/127\.0\.0\.1:\d+\/, active, then passive mode, TYPE/m);
  });

  it('abort: a transfer stopped part-way is "cut short", with the bytes that did move', async () => {
    const io = capture();
    expect(await main(['run', 'abort'], io)).toBe(0);
    expect(io.lines.join('\n')).toMatch(/^# RETR big\.bin: [1-9]\d* bytes received, sha256 \w+… \(cut short\)$/m);
  });
});

describe('exit codes and messages', () => {
  it('an unknown scenario is bad usage (2) with a sentence saying so', async () => {
    const io = capture();
    expect(await main(['run', 'no-such-scenario'], io)).toBe(2);
    expect(io.errors[0]).toMatch(/No built-in scenario "no-such-scenario"/);
  });

  it.each([
    ['9000-8000', 'ftp-lab: --pasv-ports: 9000-8000 starts above where it ends: write the lower port first.'],
    ['80-90', 'ftp-lab: --pasv-ports: 80-90 reaches outside 1024-65535 (ports below 1024 need root; 65535 is the highest).'],
    ['many', "ftp-lab: --pasv-ports: 'many' is not a port range: write it as MIN-MAX, for example 50000-50999."],
  ])('serve --pasv-ports %s is bad usage (2) with a sentence, before anything listens', async (range, message) => {
    const io = capture();
    expect(await main(['serve', '--pasv-ports', range], io)).toBe(2);
    expect(io.errors[0]).toBe(message);
  });

  it('serve --trace into a folder that does not exist refuses at start with one sentence (exit 1), before anything listens', async () => {
    const io = capture();
    expect(await main(['serve', '--port', '0', '--trace', '/nonexistent-dir/x.json'], io)).toBe(1);
    expect(io.errors).toEqual([
      "ftp-lab: Cannot write the trace to /nonexistent-dir/x.json: ENOENT: no such file or directory, open '/nonexistent-dir/x.json'",
    ]);
    expect(io.lines).toEqual([]);
  });

  it.each([
    ['10MB', 'ftp-lab: --quota: "10MB" is not a size: write a number of bytes, or one with K, M or G (1024-based), for example 500K or 2G. 0 means no quota.'],
    ['-1', 'ftp-lab: --quota: "-1" is not a size: write a number of bytes, or one with K, M or G (1024-based), for example 500K or 2G. 0 means no quota.'],
    ['9999999999G', 'ftp-lab: --quota: "9999999999G" is more bytes than this server can count. 0 means no quota.'],
  ])('serve --quota %s is bad usage (2) with a sentence, before anything listens', async (size, message) => {
    const io = capture();
    expect(await main(['serve', `--quota=${size}`], io)).toBe(2);
    expect(io.errors[0]).toBe(message);
  });

  it.each(['serve', 'run', 'web', 'start', 'scenarios'])('%s --help prints the usage and exits 0, starting nothing', async (command) => {
    const io = capture();
    expect(await main([command, '--help'], io)).toBe(0);
    expect(io.lines.join('\n')).toMatch(/^Usage:\n {2}ftp-lab start/);
    expect(io.errors).toEqual([]);
  });

  it('an unknown option is bad usage (2)', async () => {
    const io = capture();
    expect(await main(['run', 'download', '--frobnicate'], io)).toBe(2);
  });

  it('a scenario whose reply is not the expected one fails the session (1) and names the reply', async () => {
    const file = join(dir, 'expects-wrong.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'expects-wrong',
        title: 't',
        description: 'd',
        steps: [
          { send: 'USER anonymous', expect: [331] },
          { send: 'PASS y', expect: [230] },
          { send: 'RETR missing.txt', expect: [226] },
        ],
      }),
    );
    const io = capture();
    const code = await main(['run', file, '--passive'], io);
    expect(code).toBe(1);
    expect(io.errors.join('\n')).toMatch(/RETR missing\.txt with 550/);
  });

  it('block-reuse: three files over one data connection, 150 then 125 twice, 250 each, no close in between', async () => {
    const io = capture();
    expect(await main(['run', 'block-reuse'], io)).toBe(0);
    const text = io.lines.join('\n');
    const replies = [...text.matchAll(/S→C {2}(1\d\d|2[25]\d) /g)].map((m) => m[1]);
    expect(replies).toEqual(['220', '227', '150', '250', '125', '250', '125', '250', '221']);
    const closes = [...text.matchAll(/data connection (D\d) closed by (\w+)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(closes).toEqual(['D1 server', 'D1 client']);
    expect(text.indexOf('D1 closed by server')).toBeGreaterThan(text.indexOf('C→S  QUIT'));
  });

  it('an invalid scenario file is bad usage with the first problem named', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ name: 'Bad Name', title: 't', description: 'd', steps: [] }));
    const io = capture();
    expect(await main(['run', file], io)).toBe(2);
    expect(io.errors[0]).toMatch(/The scenario is not valid: name/);
  });

  it('export of a malformed trace is bad usage with a clear message', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"format":"ftp-lab-trace"');
    const io = capture();
    expect(await main(['export', file, '-o', join(dir, 'out.json')], io)).toBe(2);
    expect(io.errors[0]).toMatch(/not valid JSON/);
  });

  it('scenarios lists every built-in scenario, one line each', async () => {
    const io = capture();
    expect(await main(['scenarios'], io)).toBe(0);
    expect(io.lines).toHaveLength(builtinScenarios.length);
  });
});
