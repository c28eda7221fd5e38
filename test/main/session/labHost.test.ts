// The app's session host: requests are validated against core/api, sessions run for real, events stream out.

import { afterEach, expect, it } from 'vitest';
import { LabHost } from '../../../main/session/labHost';
import type { HostMessage } from '../../../core/api/labApi';
import { trackHandles } from '../../support/leaks';

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
  const waitingFor = (id: string, line: string) =>
    new Promise<void>((resolve) => {
      if (messages.some((m) => m.type === 'gate.state' && m.sessionId === id && m.waiting === line)) return resolve();
      const off = h.subscribe((m) => {
        if (m.type === 'gate.state' && m.sessionId === id && m.waiting === line) {
          off();
          resolve();
        }
      });
    });
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
  await waitingFor(sessionId, 'USER student');
  expect(messages.some((m) => m.type === 'trace.event' && m.event.type === 'ftp.command' && m.event.dir === 'sent')).toBe(false);
  await host.request('gate', [sessionId, 'step']);
  await waitingFor(sessionId, 'PASS ****');
  await host.request('gate', [sessionId, 'resume']);
  const end = await ended(sessionId);
  expect(end).toMatchObject({ ok: true });
  const fins = messages.filter((m) => m.type === 'trace.event' && m.event.type === 'tcp.fin' && m.event.channel === 'data' && m.event.dir === 'sent');
  expect(fins.map((m) => (m as { event: { side: string } }).event.side)[0]).toBe('client');
});

it('stopSession ends a session that is held at the gate, closing its sockets', async () => {
  host = new LabHost();
  const { ended, waitingFor } = collect(host);
  const { sessionId } = (await host.request('startSession', [{ scenario: 'download', paused: true }])) as { sessionId: string };
  await waitingFor(sessionId, 'USER student');
  await host.request('stopSession', [sessionId]);
  expect(await ended(sessionId)).toMatchObject({ ok: false, failure: 'The session was stopped.' });
});

it('refuses bad requests with a sentence, and servers off this machine', async () => {
  host = new LabHost();
  await expect(host.request('deleteEverything', [])).rejects.toThrow(/Unknown request/);
  await expect(host.request('startSession', [{ scenario: 'download', mode: 'Z' }])).rejects.toThrow(/Bad arguments for startSession: 0.mode/);
  await expect(host.request('startSession', [{ scenario: 'download', server: { host: '192.0.2.1', port: 21 } }])).rejects.toThrow(/Only servers on this machine/);
  await expect(host.request('gate', ['s999', 'step'])).rejects.toThrow(/No running session/);
});
