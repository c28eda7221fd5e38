// The incremental trace file writer: the file parses (core/trace/traceFile) after every flush, holds
// exactly the flushed events in order, and a process that dies between flushes leaves the last
// flushed state behind.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HELD_EVENTS, TraceFileWriter } from '../../../main/session/traceFileWriter';
import { parseTrace } from '../../../core/trace/traceFile';
import { TraceRecorder } from '../../../core/trace/traceRecorder';
import type { TraceEvent, TraceMeta } from '../../../core/trace/traceEvent';

const META: TraceMeta = { createdAt: '2024-01-01T00:00:00.000Z', tool: 'ftp-lab test', title: 'writer test', passwordsMasked: true };
const CHECKOUT = fileURLToPath(new URL('../../..', import.meta.url));
const WRITER_MODULE = fileURLToPath(new URL('../../../main/session/traceFileWriter.ts', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftp-lab-trace-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A recorder whose events are all valid trace events, with a few awkward strings in them. */
function recorderWithClock() {
  let t = 0;
  const recorder = new TraceRecorder(() => (t += 1.5));
  const some = (n: number): TraceEvent[] => {
    const out: TraceEvent[] = [];
    for (let i = 0; i < n; i += 1) {
      out.push(
        i % 2 === 0
          ? recorder.record({
              type: 'ftp.command',
              side: 'server',
              dir: 'received',
              channel: 'control',
              conn: 'C1',
              verb: 'RETR',
              line: `RETR /ünïcödé "quoted" \\ ${i} ✓`,
              session: 1,
            })
          : recorder.record({
              type: 'ftp.reply',
              side: 'server',
              dir: 'sent',
              channel: 'control',
              conn: 'C1',
              code: 226,
              lines: ['Transfer complete.', `line ${i}\n]}`],
              session: 1,
            }),
      );
    }
    return out;
  };
  return { recorder, some };
}

async function load(path: string) {
  return parseTrace(await readFile(path, 'utf8'));
}

describe('TraceFileWriter', () => {
  it('writes an empty, valid trace as soon as it is created', async () => {
    const path = join(dir, 'empty.json');
    const writer = new TraceFileWriter(path, META);
    await writer.flush();
    const trace = await load(path);
    expect(trace.meta).toEqual(META);
    expect(trace.events).toEqual([]);
    await writer.close();
    expect((await load(path)).events).toEqual([]);
  });

  it('keeps the file valid after every flush, with exactly the flushed events in order, and after close', async () => {
    const path = join(dir, 'flushes.json');
    const writer = new TraceFileWriter(path, META);
    const { recorder, some } = recorderWithClock();
    const written: TraceEvent[] = [];
    for (const n of [1, 0, 7, 2, 40, 1]) {
      const batch = some(n);
      writer.append(batch);
      written.push(...batch);
      await writer.flush();
      const trace = await load(path);
      expect(trace.format).toBe('ftp-lab-trace');
      expect(trace.version).toBe(1);
      expect(trace.meta).toEqual(META);
      expect(trace.events).toEqual(written);
    }
    writer.append(some(3));
    await writer.close();
    expect((await load(path)).events).toEqual(recorder.events);
    expect(writer.eventCount).toBe(recorder.events.length);
  });

  it('writes only the new events: what an earlier flush wrote stays byte for byte', async () => {
    const path = join(dir, 'append-only.json');
    const writer = new TraceFileWriter(path, META);
    const { some } = recorderWithClock();
    writer.append(some(5));
    await writer.flush();
    const first = await readFile(path);
    const closing = '\n ]\n}\n';
    writer.append(some(5));
    await writer.flush();
    const second = await readFile(path);
    expect(second.length).toBeGreaterThan(first.length);
    const kept = first.length - closing.length;
    expect(second.subarray(0, kept).equals(first.subarray(0, kept))).toBe(true);
    expect(second.subarray(second.length - closing.length).toString()).toBe(closing);
    await writer.close();
  });

  it('flushes that overlap run one after another and lose nothing', async () => {
    const path = join(dir, 'overlap.json');
    const writer = new TraceFileWriter(path, META);
    const { recorder, some } = recorderWithClock();
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 20; i += 1) {
      writer.append(some(3));
      flushes.push(writer.flush());
    }
    await Promise.all(flushes);
    expect((await load(path)).events).toEqual(recorder.events);
    await writer.close();
  });

  it('replaces a file that was there before', async () => {
    const path = join(dir, 'replaced.json');
    await writeFile(path, 'x'.repeat(10_000));
    const writer = new TraceFileWriter(path, META);
    const { recorder, some } = recorderWithClock();
    writer.append(some(2));
    await writer.close();
    expect((await load(path)).events).toEqual(recorder.events);
    expect((await stat(path)).size).toBeLessThan(10_000);
  });

  it('ignores events appended after close and reports a file it cannot create', async () => {
    const path = join(dir, 'after-close.json');
    const writer = new TraceFileWriter(path, META);
    const { some } = recorderWithClock();
    writer.append(some(2));
    await writer.close();
    writer.append(some(2));
    await writer.close();
    expect((await load(path)).events).toHaveLength(2);

    const broken = new TraceFileWriter(join(dir, 'no-such-dir', 'trace.json'), META);
    broken.append(some(1));
    await expect(broken.flush()).rejects.toThrow(/ENOENT/);
    await expect(broken.close()).rejects.toThrow(/ENOENT/);
  });

  it('a file it cannot create is no unhandled rejection: the process lives on, and opened() says why', async () => {
    const script = join(dir, 'missing-dir-writer.mts');
    await writeFile(
      script,
      `import { TraceFileWriter } from ${JSON.stringify(WRITER_MODULE)};
const writer = new TraceFileWriter(${JSON.stringify(join(dir, 'no-such-dir', 'x.json'))}, ${JSON.stringify(META)});
await new Promise((resolve) => setTimeout(resolve, 200));
process.stdout.write('alive\\n');
await writer.opened().catch((error) => process.stdout.write('opened: ' + error.code + '\\n'));
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: CHECKOUT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(out).toBe('alive\nopened: ENOENT\n');
    expect(code).toBe(0);
  });

  it('exclusive: creates a new file readable by its owner only, and never opens one already there (nor a symlink)', async () => {
    const path = join(dir, 'exclusive.json');
    const writer = new TraceFileWriter(path, META, { exclusive: true });
    await writer.opened();
    await writer.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const target = join(dir, 'target.txt');
    await writeFile(target, 'not yours');
    const planted = join(dir, 'planted.json');
    await symlink(target, planted);
    const again = new TraceFileWriter(planted, META, { exclusive: true });
    await expect(again.opened()).rejects.toThrow(/EEXIST/);
    await again.close().catch(() => undefined);
    expect(await readFile(target, 'utf8')).toBe('not yours');
  });

  it('after failed flushes it holds at most MAX_HELD_EVENTS events, then gives up and takes no more', async () => {
    // /dev/full: opens, and every write fails with ENOSPC (a full disk, for real).
    const writer = new TraceFileWriter('/dev/full', META);
    await expect(writer.opened()).rejects.toThrow(/ENOSPC/);
    const { some } = recorderWithClock();
    const events = some(10);
    for (let i = 0; i < MAX_HELD_EVENTS; i += 10) writer.append(events);
    await expect(writer.flush()).rejects.toThrow(/ENOSPC/);
    await expect(writer.flush()).rejects.toThrow(/ENOSPC/);
    expect(writer.failure).toBeUndefined();
    writer.append(events);
    await expect(writer.flush()).rejects.toThrow(/ENOSPC/);
    await writer.flush().catch(() => undefined);
    expect(writer.failure?.message).toMatch(/ENOSPC/);
    expect(writer.eventCount).toBe(0);
    writer.append(events);
    expect(writer.eventCount).toBe(0);
    await writer.close();
  });

  it('a process killed between flushes leaves the last flushed state, which parses', async () => {
    const path = join(dir, 'killed.json');
    const script = join(dir, 'killed-writer.mts');
    await writeFile(
      script,
      `import { TraceFileWriter } from ${JSON.stringify(WRITER_MODULE)};
const writer = new TraceFileWriter(${JSON.stringify(path)}, ${JSON.stringify(META)});
const event = (seq: number) => ({ type: 'note', side: 'server', text: 'note ' + seq, seq, t: seq });
writer.append([event(1), event(2), event(3)]);
await writer.flush();
writer.append([event(4), event(5)]);
await writer.flush();
// Appended but never flushed: lost when the process dies, which must not break the file.
writer.append([event(6)]);
process.stdout.write('flushed\\n');
setInterval(() => undefined, 1000);
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: CHECKOUT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (s: string) => s.includes('flushed') && resolve());
      child.once('exit', () => reject(new Error(`the writer process exited early: ${err}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const trace = await load(path);
    expect(trace.meta).toEqual(META);
    expect(trace.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});
