// The browser host: serves the built renderer on 127.0.0.1 and carries the same LabApi over a WebSocket,
// behind a random token (URL) and an Origin check, so other local users' pages can neither read nor drive it.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { builtPath } from '../builtFiles';
import { LabHost } from '../session/labHost';
import { loadStaticFiles, type StaticFile } from './staticFiles';
import { handleSocket } from './apiSocket';
import { isLocalAddress, tokenMatches } from './access';
import { exportPreviewHeaders, securityHeaders } from './securityHeaders';
import { EXPORT_PREVIEW_PAGE } from '../../core/api/exportPreviewFrame';

export interface WebHostOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Loopback only: the browser host is never reachable from another machine. */
  readonly host?: '127.0.0.1';
  /** The built renderer (index.html, app.js, styles.css); default dist/renderer (npm run build). */
  readonly rendererDir?: string;
  /** A fixed token (tests); default 24 random bytes. */
  readonly token?: string;
  /** Where a watched server's complete trace file goes (default: the system's temporary folder). */
  readonly watchTraceDir?: string;
}

export interface WebHost {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

/** The WebSocket path of the API; the page connects to ws://127.0.0.1:PORT/api?token=... */
export const API_PATH = '/api';
/** Large enough for parseTrace's 64 MiB limit, with room for the JSON envelope. */
const MAX_MESSAGE_BYTES = 80 * 1024 * 1024;

export async function startWebHost(options: WebHostOptions = {}): Promise<WebHost> {
  const hostName = options.host ?? '127.0.0.1';
  if (hostName !== '127.0.0.1') throw new Error('The browser host listens on 127.0.0.1 only.');
  const files = await loadStaticFiles(options.rendererDir ?? builtPath('renderer'));
  const token = options.token ?? randomBytes(24).toString('base64url');
  const lab = new LabHost({ tool: 'ftp-lab web', ...(options.watchTraceDir ? { watchTraceDir: options.watchTraceDir } : {}) });
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  let port = 0;
  const server = createServer((request, response) => serveFile(request, response, files, { token, port: () => port }));
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = upgradeRefusal(request, token, port);
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.once('close', () => sockets.delete(ws));
      handleSocket(ws, lab);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: hostName, port: options.port ?? 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The browser host has no TCP address.');
  port = address.port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostName}:${port}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    close: () =>
      (closing ??= (async () => {
        await lab.close();
        for (const ws of sockets) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

function serveFile(
  request: IncomingMessage,
  response: ServerResponse,
  files: ReadonlyMap<string, StaticFile>,
  access: { token: string; port: () => number },
): void {
  const port = access.port();
  const send = (status: number, body: string, headers: Record<string, string> = {}) => {
    response.writeHead(status, { ...securityHeaders(port), 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'Method not allowed.\n', { Allow: 'GET, HEAD' });
  if (!isLocalAddress(request.headers.host, port)) return send(403, 'Forbidden: wrong Host.\n');
  let url: URL;
  try {
    url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
  } catch {
    return send(400, 'Bad request.\n');
  }
  const cookieName = tokenCookie(port);
  const given = url.searchParams.get('token') ?? cookieValue(request.headers.cookie, cookieName);
  if (!tokenMatches(given, access.token)) return send(403, 'Forbidden: this page needs the token printed by ftp-lab web.\n');
  // Only the exact names of the built files exist: '..', '%2e%2e', '//' and directories find nothing.
  const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
  const file = files.get(name);
  if (!file) return send(404, 'Not found.\n');
  if (name === EXPORT_PREVIEW_PAGE) {
    response.writeHead(200, { ...exportPreviewHeaders(), 'Content-Type': file.contentType, 'Content-Length': String(file.body.length) });
    response.end(request.method === 'HEAD' ? undefined : file.body);
    return;
  }
  response.writeHead(200, {
    ...securityHeaders(port),
    'Content-Type': file.contentType,
    'Content-Length': String(file.body.length),
    // The token in a cookie lets the page load its script and style sheet (and survive a reload without
    // the token in the address bar, which the page removes so a projector does not show it).
    'Set-Cookie': `${cookieName}=${access.token}; Path=/; HttpOnly; SameSite=Strict`,
  });
  response.end(request.method === 'HEAD' ? undefined : file.body);
}

/** Why an upgrade to the API socket is refused (a status line), or undefined when it may proceed. */
function upgradeRefusal(request: IncomingMessage, token: string, port: number): string | undefined {
  let url: URL;
  try {
    url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
  } catch {
    return '400 Bad Request';
  }
  if (url.pathname !== API_PATH) return '404 Not Found';
  if (!isLocalAddress(request.headers.host, port)) return '403 Forbidden';
  if (!tokenMatches(url.searchParams.get('token'), token)) return '403 Forbidden';
  // Browsers always send Origin on WebSocket handshakes: only the host's own page may connect.
  const origin = request.headers.origin;
  if (origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) return '403 Forbidden';
  return undefined;
}

function tokenCookie(port: number): string {
  // Cookies ignore ports: one name per port keeps two hosts on this machine apart.
  return `ftplab_token_${port}`;
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}
