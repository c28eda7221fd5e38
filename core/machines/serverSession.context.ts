// The server session's context and input: what the server remembers about one control connection.
// Whether a data connection exists, is half closed or was kept open is not here: the machine's data
// region says so in its states (serverSession.machine.ts).

import type { ServerRequest } from '../protocol/serverRequest';
import type { Endpoint, Representation, TransferMode } from '../trace/traceEvent';

export type { ServerRequest };

export interface Account {
  readonly user: string;
  readonly password: string;
}

/** What a server is configured with; the same for every session, so one object shared by reference. */
export interface ServerConfig {
  readonly accounts: readonly Account[];
  /** Accept USER anonymous / ftp with any password. */
  readonly anonymous: boolean;
  readonly banner?: string;
  /** Wait before answering a bad password (RFC 2577 §5 suggests about 5 s). */
  readonly loginDelayMs: number;
  /** After this many bad passwords: 421 and close (RFC 2577 §5: 3-5). */
  readonly maxLoginFailures: number;
  /** How long the server waits for a transfer's data connection before 425. */
  readonly dataTimeoutMs: number;
  /** The server's clock for LIST dates (injected so tests are repeatable). */
  readonly nowMs?: () => number;
}

export interface ServerSessionInput {
  /** The control connection's two ends (the server's own, and the client's). */
  readonly local: Endpoint;
  readonly peer: Endpoint;
  readonly config: ServerConfig;
  /** Why the server will not serve this connection (a session limit): the greeting is then 421 with this text, and the server closes. */
  readonly refuse?: string;
}

/** A command waiting its turn: commands are taken one at a time, in order (959 §4.1.3, 1123 §4.1.3.3). */
export type PendingInput = { kind: 'command'; request: ServerRequest } | { kind: 'tooLong'; bytes: number };

export interface ActiveTransfer {
  readonly verb: string;
  readonly path: string;
  readonly direction: 'download' | 'upload';
  /** The 1yz text for STOU: the unique name (1123 §4.1.2.9). */
  readonly preliminaryText?: string;
  readonly restOffset: number;
  readonly listing?: string;
  /** Wire bytes, and file bytes where they differ (framing, TYPE A), once the data channel has reported them. */
  readonly bytes: number;
  readonly fileBytes?: number;
}

export interface ServerContext {
  readonly config: ServerConfig;
  readonly local: Endpoint;
  readonly peer: Endpoint;
  /** Set when the server will not serve this connection (ServerSessionInput.refuse). */
  readonly refuse: string | undefined;
  user: string | undefined;
  loginFailures: number;
  cwd: string;
  representation: Representation;
  mode: TransferMode;
  structure: 'F' | 'R';
  /**
   * The address the last port specification named (959 §3.2): the client's for PORT/EPRT, where the server
   * will connect; the server's own for PASV/EPSV, where it listens. Whether it still counts is the data
   * region's to say (targetSet, connecting, listening), so nothing resets it.
   */
  dataAddress: Endpoint | undefined;
  epsvAll: boolean;
  restOffset: number;
  renameFrom: string | undefined;
  queue: readonly PendingInput[];
  /** The command being handled while the session waits (for the store, a data connection, a transfer). */
  current: ServerRequest | undefined;
  transfer: ActiveTransfer | undefined;
}

export function initialServerContext(input: ServerSessionInput): ServerContext {
  return {
    config: input.config,
    local: input.local,
    peer: input.peer,
    refuse: input.refuse,
    user: undefined,
    loginFailures: 0,
    cwd: '/',
    representation: 'A', // 959 §5.1: the defaults are TYPE A N, MODE S, STRU F
    mode: 'S',
    structure: 'F',
    dataAddress: undefined,
    epsvAll: false,
    restOffset: 0,
    renameFrom: undefined,
    queue: [],
    current: undefined,
    transfer: undefined,
  };
}
