// The server session's context and input: everything the server remembers about one control connection.

import type { Endpoint, Representation, TransferMode } from '../trace/traceEvent';

export interface Account {
  readonly user: string;
  readonly password: string;
}

export interface ServerSessionInput {
  /** The control connection's two ends (the server's own, and the client's). */
  readonly local: Endpoint;
  readonly peer: Endpoint;
  readonly accounts: readonly Account[];
  /** Accept USER anonymous / ftp with any password. */
  readonly anonymous: boolean;
  readonly banner?: string;
  /** Wait before answering a bad password (RFC 2577 §5 suggests about 5 s). */
  readonly loginDelayMs: number;
  /** After this many bad passwords: 421 and close (RFC 2577 §5: 3-5). */
  readonly maxLoginFailures: number;
  /** How long a passive listener waits for the client to connect before 425. */
  readonly dataTimeoutMs: number;
  /** The server's clock for LIST dates (injected so tests are repeatable). */
  readonly nowMs?: () => number;
}

/** A command waiting its turn: commands are taken one at a time, in order (959 §4.1.3, 1123 §4.1.3.3). */
export type PendingInput = { kind: 'command'; verb: string; arg: string | undefined } | { kind: 'tooLong'; bytes: number };

/** How the next data connection will be made (959 §3.2): nothing yet, the server connects, or it listens. */
export type DataSetup = { kind: 'none' } | { kind: 'active'; target: Endpoint } | { kind: 'passive'; local: Endpoint };

export interface ActiveTransfer {
  readonly verb: string;
  readonly path: string;
  readonly direction: 'download' | 'upload';
  /** The 1yz text for STOU: the unique name (1123 §4.1.2.9). */
  readonly preliminaryText?: string;
  readonly restOffset: number;
  readonly listing?: string;
  bytes: number;
}

export interface ServerContext extends ServerSessionInput {
  user: string | undefined;
  loggedIn: boolean;
  loginFailures: number;
  cwd: string;
  representation: Representation;
  mode: TransferMode;
  structure: 'F' | 'R';
  dataSetup: DataSetup;
  /** A data connection exists right now. */
  dataOpen: boolean;
  /** The open data connection already carried a transfer (so the next one gets 125). */
  dataUsed: boolean;
  epsvAll: boolean;
  restOffset: number;
  renameFrom: string | undefined;
  queue: PendingInput[];
  /** The command being handled; the next is taken only when this is done. */
  current: PendingInput | undefined;
  transfer: ActiveTransfer | undefined;
}

export function initialServerContext(input: ServerSessionInput): ServerContext {
  return {
    ...input,
    user: undefined,
    loggedIn: false,
    loginFailures: 0,
    cwd: '/',
    representation: 'A', // 959 §5.1: the defaults are TYPE A N, MODE S, STRU F
    mode: 'S',
    structure: 'F',
    dataSetup: { kind: 'none' },
    dataOpen: false,
    dataUsed: false,
    epsvAll: false,
    restOffset: 0,
    renameFrom: undefined,
    queue: [],
    current: undefined,
    transfer: undefined,
  };
}
