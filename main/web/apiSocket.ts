// One page's WebSocket to the browser host: {id, name, args} requests answered with {id, ok, value|error},
// HostMessages pushed in acknowledged batches (main/session/hostOutbox.ts). Each request is validated against core/api before the LabHost sees it.

import type { WebSocket, RawData } from 'ws';
import { validateRequest, type HostBatch } from '../../core/api/labApi';
import { HostOutbox } from '../session/hostOutbox';
import type { LabHost } from '../session/labHost';

/** A reply to one request. Pushed HostMessages have `type` and no `id`. */
export type ApiResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** Serves requests on `ws` until it closes; sessions it started are stopped when the page goes away. */
export function handleSocket(ws: WebSocket, lab: LabHost): void {
  const started = new Set<string>();
  /** Whether the message went (the socket may be closing). */
  const send = (message: ApiResponse | HostBatch): boolean => {
    if (ws.readyState !== ws.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  };
  // Pushes go in batches, a few ahead of the page's acks: a page that falls behind slows them (never an unbounded backlog).
  const outbox = new HostOutbox({ send, resyncSource: (sessionId) => lab.resyncSource(sessionId) });
  const unsubscribe = lab.subscribe((message) => {
    if (message.type === 'session.end') started.delete(message.sessionId);
    outbox.push(message);
  });

  ws.on('message', (data: RawData, isBinary: boolean) => {
    void answer(data, isBinary).then((response) => {
      if (response) send(response);
    });
  });

  ws.once('close', () => {
    unsubscribe();
    outbox.close();
    // A reloaded or closed page cannot step its sessions any more: do not leave them waiting at the gate.
    for (const id of started) void lab.request('stopSession', [id]).catch(() => undefined);
    started.clear();
  });

  async function answer(data: RawData, isBinary: boolean): Promise<ApiResponse | undefined> {
    const envelope = isBinary ? undefined : parseEnvelope(data.toString());
    if (!envelope) {
      ws.close(1003, 'Requests are JSON text: {id, name, args}.');
      return undefined;
    }
    try {
      const { name, args } = validateRequest(envelope.name, envelope.args);
      if (name === 'ack') {
        outbox.ack(args[0] as number);
        return { id: envelope.id, ok: true, value: null };
      }
      const value = await lab.request(name, args);
      // Sessions and watched servers this page started end with the page (no server left listening).
      if (name === 'startSession' || name === 'watchServer') started.add((value as { sessionId: string }).sessionId);
      return { id: envelope.id, ok: true, value: value ?? null };
    } catch (error) {
      return { id: envelope.id, ok: false, error: (error as Error).message };
    }
  }
}

function parseEnvelope(text: string): { id: number; name: unknown; args: unknown } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { id, name, args } = json as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return undefined;
  return { id, name, args };
}
