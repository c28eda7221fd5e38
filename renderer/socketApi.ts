// The LabApi over the browser host's WebSocket: {id, name, args} out, {id, ok, value|error} and HostMessages in.

import type { HostMessage, LabApi, RequestArgs, RequestName, RequestResults } from '../core/api/labApi';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

type Incoming = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string } | HostMessage;

/** Connects to ws://<this host>/api?token=…; `onClosed` hears when the host goes away (it was stopped). */
export function createSocketApi(url: string, onClosed: (reason: string) => void): LabApi {
  const socket = new WebSocket(url);
  const listeners = new Set<(message: HostMessage) => void>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closedReason: string | undefined;

  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('Cannot reach the FTP Lab host.')), { once: true });
  });
  opened.catch(() => undefined);

  socket.addEventListener('message', (event: MessageEvent) => {
    if (typeof event.data !== 'string') return;
    let message: Incoming;
    try {
      message = JSON.parse(event.data) as Incoming;
    } catch {
      return;
    }
    if ('id' in message) {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (!waiting) return;
      if (message.ok) waiting.resolve(message.value ?? undefined);
      else waiting.reject(new Error(message.error));
      return;
    }
    for (const listener of listeners) listener(message);
  });

  socket.addEventListener('close', (event: CloseEvent) => {
    closedReason = event.reason || 'The FTP Lab host closed the connection.';
    for (const waiting of pending.values()) waiting.reject(new Error(closedReason));
    pending.clear();
    onClosed(closedReason);
  });

  return {
    async request<N extends RequestName>(name: N, ...args: RequestArgs<N>): Promise<RequestResults[N]> {
      await opened;
      if (closedReason) throw new Error(closedReason);
      const id = nextId++;
      return new Promise<RequestResults[N]>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        socket.send(JSON.stringify({ id, name, args }));
      });
    },
    subscribe(listener: (message: HostMessage) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
