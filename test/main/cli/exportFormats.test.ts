// Exports as files, checked by the programs people open them with: every built-in scenario, run for real on
// loopback and exported by `ftp-lab run --export`, parses in Mermaid's own parser and in Debian's plantuml;
// the PNG (resvg) matches golden images; the PDF has real text (poppler); hostile names come out literally
// everywhere and inject nothing; bad requests are bad usage (exit 2).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { JSDOM } from 'jsdom';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinScenarios } from '../../../core/scenarios/builtinScenarios';
import type { TraceEvent, TraceFile } from '../../../core/trace/traceEvent';
import { parseTrace } from '../../../core/trace/traceFile';
import type { PlayerData } from '../../../core/diagram/painters/htmlPlayer';
import { renderExport, writeExport } from '../../../main/export/exportFormats';
import { main } from '../../../main/cli/ftpLab';
import type { CliIo } from '../../../main/cli/cliIo';
import { fixtures } from '../../core/diagram/fixtures';
import { HOSTILE_FILE, HOSTILE_NOTE, HOSTILE_REPLY } from '../../core/diagram/hostileTrace';
import { parseMermaid } from '../../core/diagram/mermaidParser';

const run = promisify(execFile);
const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'exports');

function captureIo(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

/** Text as drawn in an SVG that another program made (PlantUML): the <text> elements, XML entities decoded. */
function svgTexts(svg: string): string[] {
  const doc = new JSDOM(svg, { contentType: 'image/svg+xml' }).window.document;
  return [...doc.querySelectorAll('text')].map((t) => t.textContent ?? '');
}

let dir: string;
let hostile: TraceFile;
const scenarioNames = builtinScenarios.map((s) => s.name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftp-lab-exports-'));
  await mkdir(ARTIFACTS, { recursive: true });
  // Every built-in scenario, for real, each exported three ways by one `run`; a few at a time.
  const queue = [...scenarioNames];
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        const io = captureIo();
        const code = await main(['run', name, '--quiet', ...['mmd', 'puml', 'json'].flatMap((ext) => ['--export', join(dir, `${name}.${ext}`)])], io);
        if (code !== 0) failures.push(`${name}: exit ${code} ${io.errors.join(' ')}`);
      }
    }),
  );
  expect(failures).toEqual([]);
  // A real upload of a file with a hostile name, plus what no file name can carry (a note with newlines and
  // </script>, a multi-line reply whose lines look like statements), appended as the session host would.
  const io = captureIo();
  expect(await main(['run', 'textbook-upload', '--quiet', '--file', HOSTILE_FILE, '--trace', join(dir, 'hostile-run.json')], io)).toBe(0);
  const real = parseTrace(await readFile(join(dir, 'hostile-run.json'), 'utf8'));
  const last = real.events[real.events.length - 1]!;
  const extra: TraceEvent[] = [
    { type: 'note', seq: last.seq + 1, t: last.t + 1, side: 'server', text: HOSTILE_NOTE },
    { type: 'ftp.reply', seq: last.seq + 2, t: last.t + 2, side: 'server', dir: 'sent', channel: 'control', conn: 'C1', code: 550, lines: HOSTILE_REPLY },
  ];
  hostile = { ...real, meta: { ...real.meta, title: `Upload of ${HOSTILE_FILE}` }, events: [...real.events, ...extra] };
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Mermaid export', () => {
  it("every built-in scenario parses with Mermaid's own parser: four participants, arrows, close notes", async () => {
    for (const name of scenarioNames) {
      const parsed = await parseMermaid(await readFile(join(dir, `${name}.mmd`), 'utf8'));
      expect(parsed.type, name).toBe('sequence');
      expect(
        parsed.actors.map((a) => a.id),
        name,
      ).toEqual(['CPI', 'CDTP', 'SDTP', 'SPI']);
      expect(parsed.messages.filter((m) => m.type === 0 || m.type === 1).length, name).toBeGreaterThanOrEqual(8);
      expect(
        parsed.messages.some((m) => m.type === 2 && /closed: /.test(m.lines.join(' '))),
        name,
      ).toBe(true);
    }
  });

  it('the hostile trace: parses, and the file name, note and reply lines come out literally', async () => {
    const parsed = await parseMermaid(String(await renderExport(hostile, 'mmd')));
    const texts = parsed.messages.flatMap((m) => m.lines);
    expect(texts.some((t) => t.endsWith(`STOR ${HOSTILE_FILE}`))).toBe(true);
    expect(texts.some((t) => t.endsWith(`150 Opening BINARY mode data connection for /${HOSTILE_FILE}.`))).toBe(true);
    expect(texts.some((t) => t.endsWith(HOSTILE_NOTE.replace('\n', '\u240a')))).toBe(true);
    expect(texts).toContain('%%{init: {"theme":"dark"}}%%');
    expect(parsed.title).toBe(`Upload of ${HOSTILE_FILE}`);
    expect(parsed.actors).toHaveLength(4);
  });
});

describe('PlantUML export', () => {
  it("every built-in scenario and the hostile trace: Debian's plantuml parses and draws it with no error, hostile text literal", async () => {
    const out = join(dir, 'plantuml');
    await writeExport(hostile, join(dir, 'hostile.puml'));
    const files = [...scenarioNames.map((n) => join(dir, `${n}.puml`)), join(dir, 'hostile.puml')];
    // One JVM for all: exit status 200 if any diagram has a syntax error.
    const result = await run('plantuml', ['-tsvg', '-charset', 'UTF-8', '-o', out, ...files], { timeout: 40_000 }).catch(
      (e: { code?: number; stderr?: string }) => e,
    );
    expect((result as { code?: number }).code ?? 0, (result as { stderr?: string }).stderr).toBe(0);
    for (const name of [...scenarioNames, 'hostile']) {
      const svg = await readFile(join(out, `${name}.svg`), 'utf8');
      // A crash while drawing still exits 0: it shows up as this text in the picture.
      expect(svg, name).not.toMatch(/Syntax Error\?|An error has occured|Exception/);
      expect(svgTexts(svg).filter((t) => /\bFIN\b/.test(t)).length, name).toBeGreaterThan(0);
    }
    const texts = svgTexts(await readFile(join(out, 'hostile.svg'), 'utf8'));
    expect(texts.some((t) => t.endsWith(`STOR ${HOSTILE_FILE}`))).toBe(true);
    expect(texts).toContain(`Upload of ${HOSTILE_FILE}`);
    expect(texts).toContain('@enduml');
    expect(texts).toContain('wrap: style:x#f00; $$x$$ \u2407 [[http://x]] **b** //i//');
    // %getenv("HOME") and %date() were shown, not run.
    expect(texts.some((t) => t.includes('$HOME %date().txt'))).toBe(true);
    expect(texts.join('\n')).not.toMatch(/\d\d:\d\d:\d\d (UTC|GMT)/);
  }, 60_000);
});

describe('JSON export', () => {
  it('is the trace itself: run --export x.json reopens in parseTrace and in ftp-lab export', async () => {
    const trace = parseTrace(await readFile(join(dir, 'download.json'), 'utf8'));
    expect(trace.meta.scenario).toBe('download');
    const io = captureIo();
    expect(await main(['export', join(dir, 'download.json'), '-o', join(dir, 'again.json')], io)).toBe(0);
    expect(parseTrace(await readFile(join(dir, 'again.json'), 'utf8'))).toEqual(trace);
    expect(await main(['export', join(dir, 'again.json'), '-o', join(dir, 'again.svg')], io)).toBe(0);
    expect(await readFile(join(dir, 'again.svg'), 'utf8')).toContain('server closed: EOF in STREAM mode');
  });
});

/** Compares two PNGs pixel by pixel: the share of pixels whose colour differs by more than a faint shade. */
function pixelDifference(actual: PNG, golden: PNG): number {
  if (actual.width !== golden.width || actual.height !== golden.height) return 1;
  let differing = 0;
  for (let i = 0; i < actual.data.length; i += 4) {
    let worst = 0;
    for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs((actual.data[i + c] ?? 0) - (golden.data[i + c] ?? 0)));
    if (worst > 48) differing++;
  }
  return differing / (actual.width * actual.height);
}

async function expectGoldenPng(name: string, png: Uint8Array): Promise<void> {
  await writeFile(join(ARTIFACTS, name), png);
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.UPDATE_GOLDEN !== '1')
      throw new Error(`No golden image ${name}: run UPDATE_GOLDEN=1 npx vitest run test/main/cli/exportFormats.test.ts, then look at it.`);
    await mkdir(GOLDEN, { recursive: true });
    await writeFile(path, png);
    return;
  }
  const difference = pixelDifference(PNG.sync.read(Buffer.from(png)), PNG.sync.read(await readFile(path)));
  expect(difference, `${name}: share of differing pixels (the new image is in test-artifacts/exports/)`).toBeLessThan(0.005);
}

describe('SVG and PNG', () => {
  it('the SVG export, rendered by resvg, matches the golden image: textbook upload, light', async () => {
    await expectGoldenPng('textbook-upload.png', (await renderExport(fixtures.textbookUpload, 'png')) as Uint8Array);
  });

  it('dark theme, narration notes, steps 12..22 of the download', async () => {
    const png = (await renderExport(fixtures.download, 'png', { theme: 'dark', notes: true, range: { from: 12, to: 22 } })) as Uint8Array;
    await expectGoldenPng('download-dark-notes-12-22.png', png);
  });

  it('--scale 2 doubles the pixels', async () => {
    const one = PNG.sync.read(Buffer.from((await renderExport(fixtures.download, 'png')) as Uint8Array));
    const two = PNG.sync.read(Buffer.from((await renderExport(fixtures.download, 'png', { scale: 2 })) as Uint8Array));
    expect([two.width, two.height]).toEqual([one.width * 2, one.height * 2]);
  });

  it('the hostile trace as SVG: no script, no event-handler attribute, no foreignObject; names literal as text', async () => {
    const svg = String(await renderExport(hostile, 'svg'));
    expect(svg).not.toMatch(/<script|<foreignObject|<img|<iframe/i);
    const doc = new JSDOM(svg, { contentType: 'image/svg+xml' }).window.document;
    expect(doc.querySelector('parsererror')).toBeNull();
    const names = [...doc.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.name));
    expect(names.filter((n) => /^on/i.test(n))).toEqual([]);
    expect(doc.querySelector('desc')?.textContent).toContain(`client → server: STOR ${HOSTILE_FILE}`);
    expect(doc.querySelector('desc')?.textContent).toContain(`note: ${HOSTILE_NOTE}`);
    expect([...doc.querySelectorAll('text')].map((t) => t.textContent)).toContain(`Upload of ${HOSTILE_FILE}`);
    // And it renders: resvg draws it (the CJK through the fallback font).
    const png = PNG.sync.read(Buffer.from((await renderExport(hostile, 'png')) as Uint8Array));
    expect(png.width).toBeGreaterThan(1000);
    await writeFile(join(ARTIFACTS, 'hostile.png'), PNG.sync.write(png));
  });
});

describe('PDF export', () => {
  it('one vector page with real, searchable text, fonts embedded; hostile names literal', async () => {
    const path = join(ARTIFACTS, 'hostile.pdf');
    await writeExport(hostile, path, { notes: true });
    const info = (await run('pdfinfo', [path])).stdout;
    expect(info).toMatch(/Pages:\s+1\n/);
    expect(info).toMatch(/Title:\s+Upload of Größe_文件/);
    const fonts = (await run('pdffonts', [path])).stdout;
    expect(fonts).toMatch(/DejaVuSans\b.*\byes\b/);
    expect(fonts).toMatch(/DejaVuSansMono.*\byes\b/);
    const text = (await run('pdftotext', ['-layout', path, '-'])).stdout;
    expect(text).toContain(`STOR ${HOSTILE_FILE}`);
    expect(text).toContain('client closed: EOF in STREAM mode');
    expect(text).toContain('The client sends STOR on the control connection.');
    // The narration is in the PDF as text, not pixels: no images at all.
    expect((await run('pdfimages', ['-list', path])).stdout.trim().split('\n')).toHaveLength(2);
  }, 30_000);

  it('the textbook comparison as PDF', async () => {
    const path = join(ARTIFACTS, 'textbook.pdf');
    await writeExport(fixtures.textbookUpload, path, { textbook: true });
    const text = (await run('pdftotext', [path, '-'])).stdout;
    expect(text).toContain('The textbook upload, step by step, beside RFC 959');
    expect(text).toContain('PORT is answered 200 Command okay');
  });
});

describe('ftp-lab export and run --export: choices and mistakes', () => {
  it('writes the format the extension or --format names; html and textbook svg too', async () => {
    const io = captureIo();
    const trace = join(dir, 'textbook-upload.json');
    expect(await main(['export', trace, '-o', join(dir, 'player.html')], io)).toBe(0);
    expect(await readFile(join(dir, 'player.html'), 'utf8')).toMatch(/^<!doctype html>[\s\S]*id="ftp-lab-trace"/);
    expect(await main(['export', trace, '-o', join(dir, 'diagram.txt'), '--format', 'mermaid'], io)).toBe(0);
    expect(await readFile(join(dir, 'diagram.txt'), 'utf8')).toMatch(/^sequenceDiagram\n/);
    expect(await main(['export', trace, '-o', join(dir, 'book.svg'), '--textbook', '--theme', 'dark'], io)).toBe(0);
    expect(await readFile(join(dir, 'book.svg'), 'utf8')).toContain('In this session');
    expect(await main(['export', trace, '-o', join(dir, 'part.puml'), '--range', '14..22', '--notes'], io)).toBe(0);
    expect(await readFile(join(dir, 'part.puml'), 'utf8')).toMatch(/^CPI -> SPI : 14\. PORT /m);
    expect(io.lines.at(-1)).toMatch(/^Wrote .*part\.puml \(puml, \d+ bytes, from \d+ events\)\.$/);
  });

  it('--quiz and --quiz-kinds: the player asks before the steps of those kinds', async () => {
    const io = captureIo();
    const trace = join(dir, 'textbook-upload.json');
    const kindsOf = async (file: string) => {
      const html = await readFile(join(dir, file), 'utf8');
      const data = JSON.parse(/id="ftp-lab-player-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '{}') as PlayerData;
      return [...new Set(data.steps.flatMap((s) => (s.question ? [s.question.kind] : [])))].sort();
    };
    expect(await main(['export', trace, '-o', join(dir, 'quiz.html'), '--quiz'], io)).toBe(0);
    expect(await kindsOf('quiz.html')).toEqual(['data.close', 'data.connect', 'data.keptOpen', 'reply.1yz', 'reply.2yz', 'reply.3yz']);
    expect(await main(['export', trace, '-o', join(dir, 'closes.html'), '--quiz-kinds', 'closes,1yz'], io)).toBe(0);
    expect(await kindsOf('closes.html')).toEqual(['data.close', 'reply.1yz']);
    expect(await main(['export', trace, '-o', join(dir, 'plain.html')], io)).toBe(0);
    expect(await kindsOf('plain.html')).toEqual([]);
  });

  it('--axis time: rows by real time, the scale said in the margin, arrows slanted from the sender’s record to the receiver’s (svg, png, pdf, html)', async () => {
    const io = captureIo();
    // The download as recorded, with the client pausing 300 ms before it logs in: gaps from a few µs to 300 ms,
    // orders of magnitude apart whatever this machine's load made the recorded ones (the scale is chosen by them).
    const recorded = parseTrace(await readFile(join(dir, 'download.json'), 'utf8'));
    const userAt = recorded.events.findIndex((e) => e.type === 'ftp.command' && e.verb === 'USER');
    const paused: TraceFile = { ...recorded, events: recorded.events.map((e, i) => (i >= userAt ? { ...e, t: e.t + 300 } : e)) };
    const trace = join(dir, 'paused.json');
    await writeFile(trace, JSON.stringify(paused));
    expect(await main(['export', trace, '-o', join(dir, 'time.svg'), '--axis', 'time'], io)).toBe(0);
    const doc = new JSDOM(await readFile(join(dir, 'time.svg'), 'utf8'), { contentType: 'image/svg+xml' }).window.document;
    const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent ?? '');
    expect(texts).toEqual(expect.arrayContaining(['time ↓', 'log scale', 'of gaps', '0.1 ms', '1 ms']));
    expect(texts.filter((t) => /^\+[\d.]+ (ms|µs|s)$/.test(t)).length).toBeGreaterThan(3);
    expect([...doc.querySelectorAll('.row-label')].every((t) => / m?s$/.test(t.textContent ?? ''))).toBe(true);
    // Both ends traced: a command's arrow lands lower than it leaves.
    const slanted = [...doc.querySelectorAll('g.message line.arrow')].filter((l) => Number(l.getAttribute('y2')) > Number(l.getAttribute('y1')) + 1);
    expect(slanted.length).toBeGreaterThan(5);

    const png = join(ARTIFACTS, 'download-time-axis.png');
    expect(await main(['export', trace, '-o', png, '--axis', 'time'], io)).toBe(0);
    // Decoded, and as tall as the SVG says: the gaps make it taller than the step axis's picture.
    const height = Number(doc.documentElement.getAttribute('height'));
    expect(Math.abs(PNG.sync.read(await readFile(png)).height - height)).toBeLessThanOrEqual(1);
    expect(await main(['export', trace, '-o', join(dir, 'step.svg')], io)).toBe(0);
    expect(height).toBeGreaterThan(Number(/height="([\d.]+)"/.exec(await readFile(join(dir, 'step.svg'), 'utf8'))?.[1]));
    expect(await main(['export', trace, '-o', join(dir, 'time.pdf'), '--axis', 'time'], io)).toBe(0);
    expect((await run('pdftotext', [join(dir, 'time.pdf'), '-'])).stdout).toContain('log scale');
    expect(await main(['export', trace, '-o', join(dir, 'time.html'), '--axis', 'time'], io)).toBe(0);
    expect(await readFile(join(dir, 'time.html'), 'utf8')).toContain('log scale');
  });

  it.each([
    ['an unknown format', ['-o', 'x.gif'], /Cannot tell the export format of ".*x\.gif" from its extension ".gif"/],
    ['an unknown --format', ['-o', 'x.svg', '--format', 'bmp'], /Unknown export format "bmp": choose one of svg, png, pdf, mmd, puml, html, json, pcapng\./],
    ['a range past the end', ['-o', 'x.svg', '--range', '90..99'], /--range: The diagram has \d+ steps; steps 90\.\.99 are not all there\./],
    ['a range backwards', ['-o', 'x.svg', '--range', '9..3'], /"9\.\.3" is not a step range/],
    ['a scale out of bounds', ['-o', 'x.png', '--scale', '0'], /--scale 0: give a number from 0\.1 to 8/],
    ['the textbook as Mermaid', ['-o', 'x.mmd', '--textbook'], /The textbook comparison exports as svg, png, pdf or html, not mmd\./],
    ['a theme that is not there', ['-o', 'x.svg', '--theme', 'blue'], /--theme is light or dark/],
    ['an axis that is not there', ['-o', 'x.svg', '--axis', 'sideways'], /--axis is step or time, not "sideways"/],
    ['the time axis as Mermaid', ['-o', 'x.mmd', '--axis', 'time'], /The time axis is drawn in svg, png, pdf and html, not mmd/],
    ['the quiz in an SVG', ['-o', 'x.svg', '--quiz'], /The quiz is asked by the HTML player of the session \(html\), not by svg\./],
    ['the quiz with the textbook table', ['-o', 'x.html', '--textbook', '--quiz'], /not by the textbook table/],
    ['a quiz kind that is not there', ['-o', 'x.html', '--quiz-kinds', 'closes,fins'], /--quiz-kinds: "fins" is not a kind of question/],
  ])('%s is bad usage (exit 2) with a clear message', async (_title, args, message) => {
    const io = captureIo();
    const output = args.map((a) => (a.startsWith('x.') ? join(dir, a) : a));
    expect(await main(['export', join(dir, 'download.json'), ...output], io)).toBe(2);
    expect(io.errors[0]).toMatch(message);
    expect(existsSync(output[1]!)).toBe(false);
  });

  it('run --export with an unknown format stops before the session starts', async () => {
    const io = captureIo();
    const started = Date.now();
    expect(await main(['run', 'wrong-password', '--export', join(dir, 'x.docx')], io)).toBe(2);
    expect(io.errors[0]).toMatch(/^ftp-lab: --export: Cannot tell the export format/);
    expect(io.lines).toEqual([]);
    expect(Date.now() - started).toBeLessThan(500); // wrong-password waits 1 s for its 530: it never ran
  });

  it('export --help says what a step is', async () => {
    const io = captureIo();
    expect(await main(['export', '--help'], io)).toBe(0);
    expect(io.lines.join('\n')).toMatch(/A step is a numbered row of the full\s+diagram/);
  });
});
