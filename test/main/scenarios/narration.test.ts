// Narration of a real session: plain sentences with RFC sections, and the textbook's errors pointed out where they occur.

import { afterEach, beforeEach, expect, it } from 'vitest';
import { Narrator, type Narration } from '../../../core/scenarios/narration';
import { findBuiltinScenario } from '../../../core/scenarios/builtinScenarios';
import { resolveScenario, settingsFor } from '../../../core/scenarios/scenario';
import { textbookErrors } from '../../../core/scenarios/textbookComparison';
import { TraceRecorder } from '../../../core/trace/traceRecorder';
import type { TraceEvent } from '../../../core/trace/traceEvent';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { runClientSession } from '../../../main/session/clientSession';
import { createMemoryStore } from '../../../main/store/memoryStore';

let server: FtpServer;
let recorder: TraceRecorder;

beforeEach(async () => {
  recorder = new TraceRecorder(() => performance.now());
  server = await startFtpServer({ store: createMemoryStore(), recorder, anonymous: true });
});
afterEach(async () => server.close());

async function narrated(name: string): Promise<{ event: TraceEvent; narration: Narration }[]> {
  const scenario = findBuiltinScenario(name)!;
  const output = await runClientSession({ server: server.address, recorder, steps: resolveScenario(scenario, settingsFor(scenario, { user: 'anonymous' })) });
  expect(output.ok).toBe(true);
  const narrator = new Narrator({ scenario: name });
  return recorder.events.flatMap((event) => {
    const narration = narrator.narrate(event);
    return narration ? [{ event, narration }] : [];
  });
}

it('the textbook scenario points out both textbook errors, at the replies that show the RFC truth', async () => {
  const lines = await narrated('textbook-upload');
  const notes = lines.filter((l) => l.narration.textbook);
  expect(textbookErrors.map((s) => s.step)).toEqual([7, 13]);
  const codes = notes.map((l) => (l.event as { code?: number }).code);
  expect(codes).toContain(200);
  expect(codes).toContain(150);
  const portNote = notes.find((l) => (l.event as { code?: number }).code === 200)!;
  expect(portNote.narration.textbook).toMatch(/step 7.*150.*PORT is answered 200/s);
  const storNote = notes.find((l) => (l.event as { code?: number }).code === 150)!;
  expect(storNote.narration.textbook).toMatch(/step 13.*250/s);
});

it('the client closing the upload connection is narrated as the STREAM end of file, with its RFC section', async () => {
  const lines = await narrated('textbook-upload');
  const fin = lines.find((l) => l.event.type === 'tcp.fin' && l.event.channel === 'data' && l.event.side === 'client')!;
  expect(fin.narration.text).toMatch(/client closes the data connection \(TCP FIN\): end of file in STREAM mode/);
  expect(fin.narration.rfc).toBe('959 §3.2, §3.4.1');
});

it('other scenarios carry no textbook notes', async () => {
  const lines = await narrated('download');
  expect(lines.some((l) => l.narration.textbook)).toBe(false);
  expect(lines.every((l) => l.narration.text.length > 0)).toBe(true);
});

it('in a server trace of several sessions, a reply answers its own session’s last command: a new session’s 220 answers nothing', async () => {
  const numbered = new TraceRecorder(() => performance.now());
  const serve = await startFtpServer({ store: createMemoryStore(), recorder: numbered, anonymous: true, numberSessions: true, loginDelayMs: 0 });
  try {
    for (let i = 0; i < 2; i++) {
      const scenario = findBuiltinScenario('download')!;
      const output = await runClientSession({
        server: serve.address,
        recorder: new TraceRecorder(() => performance.now()),
        steps: resolveScenario(scenario, settingsFor(scenario, { user: 'anonymous' })),
      });
      expect(output.ok).toBe(true);
    }
  } finally {
    await serve.close();
  }
  const narrator = new Narrator();
  const greetings = numbered.events.flatMap((event) => {
    const narration = narrator.narrate(event);
    return event.type === 'ftp.reply' && event.code === 220 && narration ? [`${event.session}: ${narration.text}`] : [];
  });
  expect(greetings).toHaveLength(2);
  // Session 1 ended with QUIT: session 2's greeting is no answer to it.
  for (const line of greetings) expect(line).toMatch(/^\d+: 220: /);
});
