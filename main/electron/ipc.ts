// The IPC bridge's main-process end: one request channel, checked for its sender and validated
// against core/api before LabHost sees it; host messages pushed to the app page. Plain functions
// over the few Electron members they use, so tests drive them with plain objects.

import type { IpcMainInvokeEvent } from 'electron';
import { validateRequest, type HostMessage } from '../../core/api/labApi';
import type { FrameLike } from './appPage';

import { MESSAGE_CHANNEL, REQUEST_CHANNEL } from '../../core/api/ipcChannels';
import { HostOutbox, type ResyncSource } from '../session/hostOutbox';

/**
 * What a request returns over IPC. Errors travel as a message string, not as a thrown Error:
 * Electron would prefix a thrown error's message with "Error invoking remote method ...".
 */
export type RequestOutcome = { ok: true; value: unknown } | { ok: false; error: string };

/** The part of LabHost the bridge uses. */
export interface RequestHost {
  request(name: unknown, args: unknown): Promise<unknown>;
  subscribe(listener: (message: HostMessage) => void): () => void;
  /** Where a page's skipped events can be had again (LabHost.resyncSource); absent: the page is only told. */
  resyncSource?(sessionId: string): ResyncSource | undefined;
}

export type SenderCheck = (frame: FrameLike | null | undefined) => boolean;

/** The part of an IPC event the handler reads. */
export interface RequestEvent {
  readonly senderFrame: FrameLike | null | undefined;
}

export const UNTRUSTED_SENDER = 'Request refused: it did not come from the FTP Lab page.';

/** Answers one request: sender check, contract check (core/api validateRequest), then the host. */
export async function handleRequest(
  host: RequestHost,
  isTrustedSender: SenderCheck,
  event: RequestEvent,
  name: unknown,
  args: unknown,
): Promise<RequestOutcome> {
  if (!isTrustedSender(event.senderFrame)) return { ok: false, error: UNTRUSTED_SENDER };
  try {
    // validateRequest throws ApiArgumentError with a sentence naming the bad request or argument.
    const valid = validateRequest(name, args);
    return { ok: true, value: await host.request(valid.name, valid.args) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The part of ipcMain registerIpc uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The part of the window's WebContents that messages are pushed through. */
export interface PageLike {
  isDestroyed(): boolean;
  /** 'did-finish-load': the page has loaded (again, after a reload). */
  on(event: 'did-finish-load', listener: () => void): unknown;
  off(event: 'did-finish-load', listener: () => void): unknown;
  readonly mainFrame: FrameLike & { send(channel: string, ...args: unknown[]): void };
}

/**
 * Wires the bridge: requests from the trusted page go to the host; host messages go to the page
 * while it shows the app (never to a frame the sender check would refuse). Returns the undo.
 */
export function registerIpc(ipcMain: IpcMainLike, host: RequestHost, isTrustedSender: SenderCheck, page: PageLike): () => void {
  // Pushes go in batches, a few ahead of the page's acks (the ack request is the outbox's, not the host's).
  const outbox = new HostOutbox({
    send: (batch) => {
      if (page.isDestroyed()) return false;
      const frame = page.mainFrame;
      if (!isTrustedSender(frame)) return false;
      frame.send(MESSAGE_CHANNEL, batch);
      return true;
    },
    resyncSource: (sessionId) => host.resyncSource?.(sessionId),
  });
  // A reloaded page will not acknowledge what the page before it was sent.
  const pageLoaded = () => outbox.pageLoaded();
  page.on('did-finish-load', pageLoaded);
  const acking: RequestHost = {
    request: async (name, args) => (name === 'ack' ? outbox.ack((args as [number])[0]) : host.request(name, args)),
    subscribe: (listener) => host.subscribe(listener),
  };
  ipcMain.handle(REQUEST_CHANNEL, (event, name, args) => handleRequest(acking, isTrustedSender, event, name, args));
  const unsubscribe = host.subscribe((message) => outbox.push(message));
  return () => {
    ipcMain.removeHandler(REQUEST_CHANNEL);
    unsubscribe();
    if (!page.isDestroyed()) page.off('did-finish-load', pageLoaded);
    outbox.close();
  };
}
