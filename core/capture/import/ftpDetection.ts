// Which TCP connections of a capture are FTP control connections, and which end is the server: one on
// port 21 (RFC 959 §5.3; IANA's registry), or one whose first bytes speak FTP however it is numbered —
// the server's first line a reply (three digits, then a space or '-', RFC 959 §4.2) and the client's a
// command FTP knows (RFC 959 §5.3.1, later RFCs in the command table).

import { commandTable, knownButNotImplemented } from '../../protocol/commands.table';
import type { Endpoint } from '../../trace/traceEvent';

/** The well-known control port (RFC 959 §5.3; RFC 1700). */
export const FTP_CONTROL_PORT = 21;

/** How many of each end's first payload bytes the survey keeps: a reply code or a command verb fits easily. */
export const SAMPLE_BYTES = 64;

/** What the survey saw of one connection: its two ends and the start of what each sent first. */
export interface ConnectionSample {
  readonly ends: readonly [Endpoint, Endpoint];
  readonly first: [Uint8Array | undefined, Uint8Array | undefined];
}

const REPLY_START = /^[1-5]\d\d[ -]/;
const COMMAND_START = /^([A-Za-z]{3,4})(?: |\r?\n|\r|$)/;

const ascii = (bytes: Uint8Array | undefined): string => (bytes ? String.fromCharCode(...bytes) : '');

function isCommandText(text: string): boolean {
  const verb = COMMAND_START.exec(text)?.[1]?.toUpperCase();
  return verb !== undefined && (commandTable.has(verb) || knownButNotImplemented.has(verb));
}

/** The index of the server's end if this looks like an FTP control connection, else undefined. */
export function controlServerEnd(sample: ConnectionSample): 0 | 1 | undefined {
  const texts = [ascii(sample.first[0]), ascii(sample.first[1])] as const;
  for (const i of [0, 1] as const) {
    const other = i === 0 ? 1 : 0;
    if (REPLY_START.test(texts[i]) && isCommandText(texts[other])) return i;
  }
  for (const i of [0, 1] as const) {
    const other = i === 0 ? 1 : 0;
    if (sample.ends[i].port !== FTP_CONTROL_PORT) continue;
    // On port 21 the server's first bytes may be the tail of a reply (a capture that began mid-session);
    // the client's, if any, must be a command.
    if (texts[other] === '' || isCommandText(texts[other])) return i;
  }
  return undefined;
}
