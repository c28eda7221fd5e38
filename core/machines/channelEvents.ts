// The events the session machines exchange with their socket actors (provided from main/net).
// Machines decide; actors only do what they are told and report what the sockets did.

import type { ServerRequest } from '../protocol/serverRequest';
import type { StoreErrorCode } from '../protocol/fileInfo';
import type { Endpoint, CloseReason, Representation, TransferMode } from '../trace/traceEvent';

/** Control connection -> machine. */
export type ControlInputEvent =
  | { type: 'control.connected'; local: Endpoint; remote: Endpoint }
  /** A command line, parsed once as it arrived (server side). */
  | { type: 'control.command'; request: ServerRequest }
  | { type: 'control.tooLong'; bytes: number }
  | { type: 'control.flood'; bytes: number }
  /** Nothing has come on the control connection for the server's idle timeout (RFC 1123 §4.1.3.2). */
  | { type: 'control.idle'; seconds: number }
  | { type: 'control.reply'; code: number; lines: string[] }
  | { type: 'control.garbled'; line: string }
  | { type: 'control.closed'; reason: 'peer' | 'error' | 'local'; message?: string };

/** Machine -> control connection. */
export type ControlOutputEvent = { type: 'reply'; code: number; lines: string[] } | { type: 'command'; line: string } | { type: 'close'; reason: CloseReason };

/** Where the bytes a data connection sends come from. */
export type DataSource =
  | { kind: 'file'; path: string; offset: number }
  | { kind: 'text'; text: string }
  | { kind: 'generated'; name: string; size: number; seed: number; text: boolean; offset?: number };

/** Where the bytes a data connection receives go. */
export type DataSink = { kind: 'file'; path: string; write: 'replace' | 'append' | 'resume'; offset: number } | { kind: 'memory'; name: string };

export interface TransferSettings {
  readonly representation: Representation;
  readonly mode: TransferMode;
  /** File or record structure (959 §3.1.2); records travel as lines of a Unix text file. */
  readonly structure: 'F' | 'R';
  /** The command this transfer serves, for the trace ('RETR notes.txt'). */
  readonly command: string;
  /** BLOCK/COMPRESSED sender: put a restart marker in the data every this many bytes (959 §3.5). */
  readonly restartEvery?: number;
  /** Where in the file this transfer starts (after REST): restart markers count from the file's start. */
  readonly markerBase?: number;
}

/** Machine -> data channel. */
export type DataOutputEvent =
  | { type: 'listen' }
  | { type: 'connect'; target: Endpoint }
  | { type: 'send'; source: DataSource; settings: TransferSettings; pauseAfterBytes?: number }
  | { type: 'receive'; sink: DataSink; settings: TransferSettings; pauseAfterBytes?: number }
  | { type: 'close'; reason: CloseReason }
  | { type: 'abort'; reason: CloseReason }
  /** Resume a paused receive and discard the rest (the client, after sending ABOR). */
  | { type: 'drain' }
  | { type: 'reset'; reason: CloseReason };

/** Data channel -> machine. */
export type DataInputEvent =
  | { type: 'data.listening'; local: Endpoint }
  | { type: 'data.connected'; local: Endpoint; remote: Endpoint }
  | { type: 'data.failed'; reason: string }
  /** Every byte of the transfer is handed to the kernel: `bytes` on the wire, `fileBytes` of the file where they differ. */
  | { type: 'data.sent'; bytes: number; fileBytes?: number }
  | { type: 'data.received'; bytes: number; fileBytes?: number; sha256?: string }
  | { type: 'data.paused'; bytes: number }
  /** A restart marker arrived in the data (BLOCK/COMPRESSED); `position` is where the receiver stands (1123 §4.1.3.4). */
  | { type: 'data.restartMarker'; marker: string; position: number }
  /** This side's FIN went out (after every byte queued before it). */
  | { type: 'data.finSent'; bytes: number }
  /** The peer's FIN arrived: it will send nothing more (in STREAM mode, while receiving, the end of file). */
  | { type: 'data.peerFin' }
  /** The connection is fully closed (both FINs, or a reset). */
  | { type: 'data.closed'; bytes: number }
  /** The transfer failed; `error` where the store refused the file's bytes (a full disk: 452), not the connection. */
  | { type: 'data.lost'; bytes: number; reason: string; error?: StoreErrorCode };
