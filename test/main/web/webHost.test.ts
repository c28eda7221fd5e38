// The browser host on real loopback sockets: the token and the Origin guard it, only the built files are
// served (with strict headers), requests are validated, sessions run and stream events, close() leaks nothing.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ExportResult, HostBatch, HostMessage } from '../../../core/api/labApi';
import { openBatch } from '../../support/hostBatches';
import { EXPORT_PREVIEW_PAGE, EXPORT_PREVIEW_POLICY, exportPreviewPage } from '../../../core/api/exportPreviewFrame';
import { EXPORT_FORMATS } from '../../../core/diagram/painters/exportFormats.table';
import { fixtures } from '../../core/diagram/fixtures';
import { startWebHost, type WebHost } from '../../../main/web/webHost';
import { trackHandles } from '../../support/leaks';

let rendererDir: string;
let host: WebHost | undefined;
let leaks: ReturnType<typeof trackHandles>;

beforeAll(async () => {
  // A stand-in build: the host serves whatever the renderer build put in the folder, and nothing else.
  rendererDir = await mkdtemp(join(tmpdir(), 'ftp-lab-web-'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>FTP Lab</title><script type="module" src="app.js"></script>');
  await writeFile(join(rendererDir, 'app.js'), 'export {};\n');
  await writeFile(join(rendererDir, 'styles.css'), 'body{}\n');
  await writeFile(join(rendererDir, EXPORT_PREVIEW_PAGE), exportPreviewPage());
});

afterAll(async () => {
  await rm(rendererDir, { recursive: true, force: true });
});

afterEach(async () => {
  await host?.close();
  host = undefined;
  await leaks.assertNoLeaks();
});

async function start(): Promise<WebHost> {
  leaks = trackHandles();
  host = await startWebHost({ port: 0, rendererDir });
  return host;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw GET (node:http, no fetch): the path is sent exactly as written, '..' and all. */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: { Connection: 'close', ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the API socket as a browser page on the host would (Origin = the host's own). */
function connect(h: WebHost, opts: { token?: string; origin?: string } = {}): Promise<WebSocket> {
  const token = opts.token ?? h.token;
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}/api?token=${encodeURIComponent(token)}`, { origin: opts.origin ?? `http://127.0.0.1:${h.port}` });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new Error(`refused with ${res.statusCode}`));
    });
    ws.once('error', reject);
  });
}

/** A small client of the socket protocol: numbered requests, collected pushes. */
function client(ws: WebSocket) {
  let next = 1;
  const pending = new Map<number, (answer: { ok: boolean; value?: unknown; error?: string }) => void>();
  const pushes: HostMessage[] = [];
  const waiters: { test: (m: HostMessage) => boolean; resolve: (m: HostMessage) => void }[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { id?: number } & Record<string, unknown>;
    if (typeof message.id === 'number') {
      pending.get(message.id)?.(message as { ok: boolean });
      pending.delete(message.id);
      return;
    }
    // Pushes come in numbered batches; like the page, the client takes each in and acknowledges it.
    const batch = message as unknown as HostBatch;
    for (const pushed of openBatch(batch)) {
      pushes.push(pushed);
      for (const w of [...waiters]) {
        if (w.test(pushed)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(pushed);
        }
      }
    }
    ws.send(JSON.stringify({ id: next++, name: 'ack', args: [batch.batch] }));
  });
  return {
    pushes,
    call(name: string, args: unknown): Promise<{ ok: boolean; value?: unknown; error?: string }> {
      const id = next++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, name, args }));
      });
    },
    until(test: (m: HostMessage) => boolean): Promise<HostMessage> {
      const found = pushes.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
  };
}

async function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === ws.CLOSED) return;
  await new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}

describe('the page and its files', () => {
  it('serves the page only with the token, with a strict Content-Security-Policy', async () => {
    const h = await start();
    expect(h.url).toBe(`http://127.0.0.1:${h.port}/?token=${h.token}`);
    expect(h.token.length).toBeGreaterThanOrEqual(32);

    const page = await get(h.port, `/?token=${h.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>FTP Lab</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${h.port}`);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    // The Export dialog frames the host's own preview page, nothing else.
    expect(csp).toContain("frame-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');

    expect((await get(h.port, '/')).status).toBe(403);
    expect((await get(h.port, '/?token=wrong')).status).toBe(403);
    expect((await get(h.port, `/?token=${h.token.slice(0, -1)}`)).status).toBe(403);
    expect((await get(h.port, '/app.js')).status).toBe(403);
    const refused = await get(h.port, '/');
    expect(refused.body).not.toContain('FTP Lab</title>');
  });

  it('lets the page load its script and style sheet through the cookie it set', async () => {
    const h = await start();
    const page = await get(h.port, `/?token=${h.token}`);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const script = await get(h.port, '/app.js', { Cookie: cookie });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(h.port, '/styles.css', { Cookie: cookie })).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(h.port, '/app.js', { Cookie: 'ftplab_token_1=nope' })).status).toBe(403);
  });

  it('serves nothing outside the build: traversal, encoded traversal, folders and unknown files get 404', async () => {
    const h = await start();
    const q = `?token=${h.token}`;
    for (const path of [
      '/../package.json',
      '/..%2fpackage.json',
      '/%2e%2e/%2e%2e/etc/passwd',
      '//etc/passwd',
      '/renderer/',
      '/nothing.js',
      '/%00',
      '/app.js/',
    ]) {
      const answer = await get(h.port, `${path}${q}`);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.body).not.toMatch(/"name": "ftp-lab"|root:/);
    }
  });

  it('serves the export preview page with a policy of its own: sandboxed, framed only by the app, nothing fetched', async () => {
    const h = await start();
    expect((await get(h.port, `/${EXPORT_PREVIEW_PAGE}`)).status).toBe(403);
    const page = await get(h.port, `/${EXPORT_PREVIEW_PAGE}?token=${h.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toBe(exportPreviewPage());
    expect(page.headers['content-security-policy']).toBe(`sandbox allow-scripts; ${EXPORT_PREVIEW_POLICY}; frame-ancestors 'self'`);
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // No cookie from a page that runs at an opaque origin.
    expect(page.headers['set-cookie']).toBeUndefined();
  });

  it('refuses other methods and other Host names (DNS rebinding)', async () => {
    const h = await start();
    expect((await get(h.port, `/?token=${h.token}`, {}, 'POST')).status).toBe(405);
    expect((await get(h.port, `/?token=${h.token}`, { Host: `evil.example:${h.port}` })).status).toBe(403);
    expect((await get(h.port, `/?token=${h.token}`, {}, 'HEAD')).status).toBe(200);
  });
});

describe('the API socket', () => {
  it('refuses a socket without the right token, or from another origin', async () => {
    const h = await start();
    await expect(connect(h, { token: 'wrong' })).rejects.toThrow(/403/);
    await expect(connect(h, { token: '' })).rejects.toThrow(/403/);
    // Another local page (another port, or another site) cannot drive the host even with the token.
    await expect(connect(h, { origin: 'http://127.0.0.1:9' })).rejects.toThrow(/403/);
    await expect(connect(h, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    await expect(connect(h, { origin: 'null' })).rejects.toThrow(/403/);
    const ws = await connect(h);
    await closeSocket(ws);
  });

  it('validates every request against core/api and answers with a sentence', async () => {
    const h = await start();
    const ws = await connect(h);
    const api = client(ws);
    expect(await api.call('deleteEverything', [])).toEqual({ id: 1, ok: false, error: 'Unknown request "deleteEverything".' });
    const bad = await api.call('startSession', [{ scenario: 'download', mode: 'Z' }]);
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/^Bad arguments for startSession: 0\.mode/);
    expect((await api.call('startSession', [{ scenario: '../../etc/passwd' }])).ok).toBe(false);
    expect((await api.call('startSession', [{ scenario: 'download', server: { host: '192.0.2.1', port: 21 } }])).error).toMatch(/Only servers on this machine/);
    expect((await api.call('gate', ['s1', 'explode'])).ok).toBe(false);
    const list = await api.call('listScenarios', []);
    expect(list.ok).toBe(true);
    expect((list.value as { name: string }[]).map((s) => s.name)).toEqual(expect.arrayContaining(['textbook-upload', 'download', 'block-reuse']));
    const parsed = await api.call('parseTrace', ['{"format":"nope"}']);
    expect(parsed).toMatchObject({ ok: false, error: expect.stringMatching(/Not an FTP Lab trace/) });
    await closeSocket(ws);
  });

  it('renders an export of the trace the page sends, and refuses a bad one with a sentence', async () => {
    const h = await start();
    const ws = await connect(h);
    const api = client(ws);
    const trace = JSON.stringify(fixtures.textbookUpload);
    expect(await api.call('exportTrace', [{ trace, format: 'gif' }])).toMatchObject({
      ok: false,
      error: `Bad arguments for exportTrace: 0.format: "gif" is not an export format: choose one of ${EXPORT_FORMATS.join(', ')}`,
    });
    expect((await api.call('exportTrace', [{ trace, format: 'png', scale: 1e6 }])).error).toMatch(
      /^Bad arguments for exportTrace: 0\.scale: a scale of 1000000 is too large/,
    );
    expect((await api.call('exportTrace', [{ trace: '[]', format: 'svg' }])).error).toMatch(/^Not an FTP Lab trace/);
    const png = await api.call('exportTrace', [{ trace, format: 'png', range: { from: 1, to: 3 } }]);
    expect(png.ok).toBe(true);
    const result = png.value as ExportResult;
    expect(result).toMatchObject({ format: 'png', encoding: 'base64' });
    expect(Buffer.from(result.data, 'base64').subarray(1, 4).toString()).toBe('PNG');
    // The socket is still in service after the refusals.
    expect((await api.call('listScenarios', [])).ok).toBe(true);
    await closeSocket(ws);
  });

  it('closes a socket that sends something other than a JSON request', async () => {
    const h = await start();
    const ws = await connect(h);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('this is not json');
    expect(await closed).toBe(1003);
  });

  it('runs a session step by step: client and server wait at the gate, events are pushed, the end is announced', async () => {
    const h = await start();
    const ws = await connect(h);
    const api = client(ws);
    const started = await api.call('startSession', [{ scenario: 'textbook-upload', paused: true }]);
    expect(started.ok).toBe(true);
    const { sessionId } = started.value as { sessionId: string };
    await api.until((m) => m.type === 'gate.state' && m.sessionId === sessionId && m.waiting === '220 FTP Lab server ready.' && m.side === 'server');
    expect((await api.call('gate', [sessionId, 'step'])).ok).toBe(true);
    await api.until((m) => m.type === 'gate.state' && m.sessionId === sessionId && m.waiting === 'USER student' && m.side === 'client');
    expect(api.pushes.some((m) => m.type === 'trace.event' && m.event.type === 'ftp.command')).toBe(false);
    expect((await api.call('gate', [sessionId, 'step'])).ok).toBe(true);
    await api.until((m) => m.type === 'gate.state' && m.sessionId === sessionId && m.waiting?.startsWith('331 ') === true);
    expect((await api.call('gate', [sessionId, 'step'])).ok).toBe(true);
    await api.until((m) => m.type === 'gate.state' && m.sessionId === sessionId && m.waiting?.startsWith('PASS ') === true);
    expect(api.pushes.some((m) => m.type === 'trace.event' && m.event.type === 'ftp.command' && m.event.line === 'USER student')).toBe(true);
    expect((await api.call('gate', [sessionId, 'resume'])).ok).toBe(true);
    expect(await api.until((m) => m.type === 'session.end' && m.sessionId === sessionId)).toMatchObject({ ok: true });
    const fin = api.pushes.find((m) => m.type === 'trace.event' && m.event.type === 'tcp.fin' && m.event.channel === 'data' && m.event.dir === 'sent');
    expect(fin).toMatchObject({ event: { side: 'client', reason: 'eof' } });
    await closeSocket(ws);
  });

  it('stops the sessions of a page that goes away, instead of leaving them held at the gate', async () => {
    const h = await start();
    const page = await connect(h);
    const watcher = client(await connect(h));
    const started = await client(page).call('startSession', [{ scenario: 'download', paused: true }]);
    const { sessionId } = started.value as { sessionId: string };
    await watcher.until((m) => m.type === 'gate.state' && m.sessionId === sessionId && m.waiting !== undefined);
    page.terminate();
    expect(await watcher.until((m) => m.type === 'session.end' && m.sessionId === sessionId)).toMatchObject({ ok: false, failure: 'The session was stopped.' });
  });

  it('close() ends running sessions and sockets, and leaves nothing open', async () => {
    const h = await start();
    const ws = await connect(h);
    const api = client(ws);
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    await api.call('startSession', [{ scenario: 'download', paused: true }]);
    await api.until((m) => m.type === 'gate.state' && m.waiting !== undefined);
    await h.close();
    await closed;
    host = undefined;
    await expect(get(h.port, `/?token=${h.token}`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
