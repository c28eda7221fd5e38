// The app's session host: requests are validated against core/api, sessions run for real, events stream out.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { LabHost } from '../../../main/session/labHost';
import type { HostMessage } from '../../../core/api/labApi';
import { trackHandles } from '../../support/leaks';
import { openRawControl } from '../../helpers/rawControl';

let host: LabHost;
const leaks = trackHandles();

afterEach(async () => {
  await host.close();
  await leaks.assertNoLeaks();
});

function collect(h: LabHost) {
  const messages: HostMessage[] = [];
  h.subscribe((m) => messages.push(m));
  const ended = (id: string) =>
    new Promise<HostMessage>((resolve) => {
      const found = messages.find((m) => m.type === 'session.end' && m.sessionId === id);
      if (found) return resolve(found);
      const off = h.subscribe((m) => {
        if (m.type === 'session.end' && m.sessionId === id) {
          off();
          resolve(m);
        }
      });
    });
  /** Resolves once the gate holds `line` (exactly, or matching a pattern). */
  const waitingFor = (id: string, line: string | RegExp) => {
    const held = (m: HostMessage) =>
      m.type === 'gate.state' && m.sessionId === id && m.waiting !== undefined && (typeof line === 'string' ? m.waiting === line : line.test(m.waiting));
    return new Promise<void>((resolve) => {
      if (messages.some(held)) return resolve();
      const off = h.subscribe((m) => {
        if (held(m)) {
          off();
          resolve();
        }
      });
    });
  };
  return { messages, ended, waitingFor };
}

it('lists the built-in scenarios', async () => {
  host = new LabHost();
  const list = (await host.request('listScenarios', [])) as { name: string }[];
  expect(list.map((s) => s.name)).toContain('textbook-upload');
});

it('runs a scenario paused: nothing is sent until a step, then it runs to the end and says so', async () => {
  host = new LabHost();
  const { messages, ended, waitingFor } = collect(host);
  const { sessionId } = (await host.request('startSession', [{ scenario: 'textbook-upload', paused: true }])) as { sessionId: string };
  // The built-in server is held too: first its greeting, then the client's USER, then the server's 331.
  await waitingFor(sessionId, '220 FTP Lab server ready.');
  expect(messages.some((m) => m.type === 'trace.event' && m.event.type === 'ftp.reply')).toBe(false);
  await host.request('gate', [sessionId, 'step']);
  await waitingFor(sessionId, 'USER student');
  expect(messages.some((m) => m.type === 'trace.event' && m.event.type === 'ftp.command' && m.event.dir === 'sent')).toBe(false);
  await host.request('gate', [sessionId, 'step']);
  await waitingFor(sessionId, '331 User name okay, need password.');
  expect(messages.find((m) => m.type === 'gate.state' && m.waiting?.startsWith('331'))).toMatchObject({ side: 'server' });
  await host.request('gate', [sessionId, 'step']);
  await waitingFor(sessionId, 'PASS ****');
  await host.request('gate', [sessionId, 'resume']);
  const end = await ended(sessionId);
  expect(end).toMatchObject({ ok: true });
  // The page's controls that cross the end on the wire (Resume pressed as the last reply arrives) are no error.
  await new Promise((resolve) => setTimeout(resolve, 0));
  for (const command of ['step', 'resume', 'pause']) await expect(host.request('gate', [sessionId, command])).resolves.toBeUndefined();
  await expect(host.request('setBreakpoints', [sessionId, { verbs: ['STOR'] }])).resolves.toBeUndefined();
  await expect(host.request('stopSession', [sessionId])).resolves.toBeUndefined();
  const fins = messages.filter((m) => m.type === 'trace.event' && m.event.type === 'tcp.fin' && m.event.channel === 'data' && m.event.dir === 'sent');
  expect(fins.map((m) => (m as { event: { side: string } }).event.side)[0]).toBe('client');
});

it('stopSession ends a session that is held at the gate, closing its sockets', async () => {
  host = new LabHost();
  const { ended, waitingFor } = collect(host);
  const { sessionId } = (await host.request('startSession', [{ scenario: 'download', paused: true }])) as { sessionId: string };
  await waitingFor(sessionId, '220 FTP Lab server ready.');
  await host.request('stopSession', [sessionId]);
  expect(await ended(sessionId)).toMatchObject({ ok: false, failure: 'The session was stopped.' });
});

it('refuses bad requests with a sentence, and servers off this machine', async () => {
  host = new LabHost();
  await expect(host.request('deleteEverything', [])).rejects.toThrow(/Unknown request/);
  await expect(host.request('startSession', [{ scenario: 'download', mode: 'Z' }])).rejects.toThrow(/Bad arguments for startSession: 0.mode/);
  await expect(host.request('startSession', [{ scenario: 'download', server: { host: '192.0.2.1', port: 21 } }])).rejects.toThrow(
    /Only servers on this machine/,
  );
  await expect(host.request('gate', ['s999', 'step'])).rejects.toThrow(/No running session/);
});

it('watchServer streams what an external client does with the built-in server, until stopSession', async () => {
  host = new LabHost();
  const { messages, ended } = collect(host);
  const { sessionId, port, trace } = (await host.request('watchServer', [{ port: 0 }])) as {
    sessionId: string;
    port: number;
    trace: { meta: { title: string } };
  };
  expect(port).toBeGreaterThan(0);
  expect(trace.meta.title).toBe(`Watching the server on 127.0.0.1:${port}`);
  const client = await openRawControl(port);
  expect((await client.reply()).code).toBe(220);
  expect((await client.command('USER student')).code).toBe(331);
  expect((await client.command('PASS ftp-lab')).code).toBe(230);
  expect((await client.command('QUIT')).code).toBe(221);
  await client.closed();
  await client.close();
  const received = () =>
    messages.flatMap((m) =>
      m.type === 'trace.event' && m.sessionId === sessionId && m.event.type === 'ftp.command' && m.event.dir === 'received' ? [m.event.line] : [],
    );
  await expect.poll(received).toEqual(['USER student', 'PASS ****', 'QUIT']);
  await host.request('stopSession', [sessionId]);
  expect(await ended(sessionId)).toMatchObject({ ok: true });
  await expect(openRawControl(port)).rejects.toThrow(/ECONNREFUSED/);
});

it('watchServer says so when the port is taken, and refuses a bad port', async () => {
  host = new LabHost();
  const first = (await host.request('watchServer', [{ port: 0 }])) as { port: number };
  await expect(host.request('watchServer', [{ port: first.port }])).rejects.toThrow(`Port ${first.port} on 127.0.0.1 is already in use`);
  await expect(host.request('watchServer', [{ port: 70000 }])).rejects.toThrow(/Bad arguments for watchServer: 0\.port/);
  await expect(host.request('watchServer', [{ port: 0, host: '0.0.0.0' }])).rejects.toThrow(/Bad arguments for watchServer/);
});

it('watchServer refuses with a sentence when its trace cannot be written (no crash), and keeps the trace private otherwise', async () => {
  host = new LabHost({ watchTraceDir: '/nonexistent-dir' });
  await expect(host.request('watchServer', [{ port: 0 }])).rejects.toThrow(
    /^Cannot write the watched server's trace to \/nonexistent-dir: ENOENT: no such file or directory/,
  );
  // Nothing was left listening.
  await host.close();
  await leaks.assertNoLeaks();
  const dir = await mkdtemp(join(tmpdir(), 'ftp-lab-watch-test-'));
  try {
    host = new LabHost({ watchTraceDir: dir });
    const { sessionId, traceFile } = (await host.request('watchServer', [{ port: 0 }])) as { sessionId: string; traceFile: string };
    // In a folder of its own, made for it (not at a guessable name in the shared folder), readable by its owner only.
    expect(dirname(dirname(traceFile))).toBe(dir);
    expect((await stat(dirname(traceFile))).mode & 0o777).toBe(0o700);
    expect((await stat(traceFile)).mode & 0o777).toBe(0o600);
    await host.request('stopSession', [sessionId]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('watch mode holds the server: a reply-code breakpoint stops it before 226 while curl waits, and a step lets it go', async () => {
  host = new LabHost();
  const { messages, ended, waitingFor } = collect(host);
  const { sessionId, port } = (await host.request('watchServer', [{ port: 0 }])) as { sessionId: string; port: number };
  await host.request('setBreakpoints', [sessionId, { codes: [226] }]);
  const curl = runCurl(['-sS', '--max-time', '20', `ftp://127.0.0.1:${port}/notes.txt`]);
  await waitingFor(sessionId, /^226 Transfer complete \(/);
  expect(messages.find((m) => m.type === 'gate.state' && m.waiting?.startsWith('226'))).toMatchObject({
    paused: true,
    reason: 'breakpoint on reply 226',
    side: 'server',
  });
  // The server has sent the file and its FIN; curl holds the data but still waits for the completion reply.
  await new Promise((r) => setTimeout(r, 300));
  expect(curl.finished()).toBe(false);
  const replies = () => messages.flatMap((m) => (m.type === 'trace.event' && m.event.type === 'ftp.reply' ? [m.event.code] : []));
  expect(replies()).not.toContain(226);
  await host.request('gate', [sessionId, 'resume']);
  const result = await curl.done;
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('FTP notes');
  expect(replies()).toContain(226);
  await host.request('stopSession', [sessionId]);
  expect(await ended(sessionId)).toMatchObject({ ok: true });
});

it('watch mode: pause holds the server before its next reply; steps release one reply at a time; nothing a client sent is lost', async () => {
  host = new LabHost();
  const { messages, waitingFor } = collect(host);
  const { sessionId, port } = (await host.request('watchServer', [{ port: 0 }])) as { sessionId: string; port: number };
  await host.request('gate', [sessionId, 'pause']);
  const client = await openRawControl(port);
  await waitingFor(sessionId, '220 FTP Lab server ready.');
  // The client does not wait for the greeting: its lines queue up while the server is held.
  client.send('USER student');
  client.send('NOOP');
  await host.request('gate', [sessionId, 'step']);
  expect((await client.reply()).code).toBe(220);
  await waitingFor(sessionId, '331 User name okay, need password.');
  await host.request('gate', [sessionId, 'step']);
  expect((await client.reply()).code).toBe(331);
  await waitingFor(sessionId, '200 NOOP ok.');
  await host.request('gate', [sessionId, 'resume']);
  expect((await client.reply()).code).toBe(200);
  expect((await client.command('QUIT')).code).toBe(221);
  await client.close();
  const received = messages.flatMap((m) => (m.type === 'trace.event' && m.event.type === 'ftp.command' ? [m.event.verb] : []));
  expect(received).toEqual(['USER', 'NOOP', 'QUIT']);
  await host.request('stopSession', [sessionId]);
});

/** curl as a child process, with a way to tell whether it has exited yet. */
function runCurl(args: string[]) {
  const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let exited = false;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.once('close', (code) => {
      exited = true;
      resolve({ code, stdout });
    }),
  );
  return { done, finished: () => exited };
}
