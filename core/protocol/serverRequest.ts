// A command line as the server takes it: parsed once, as it arrives, into the verb it means and its table row.

import { parseCommand } from './commandLineDecoder';
import { canonicalVerb, commandTable, type CommandRow } from './commands.table';

export interface ServerRequest {
  /** The verb as the client sent it, upper-cased ('XCWD'). */
  readonly sent: string;
  /** The verb it means ('CWD' for XCWD); the sent verb when the table does not know it. */
  readonly verb: string;
  /** The argument, '' when there is none. */
  readonly arg: string;
  readonly row: CommandRow | undefined;
}

export function parseRequest(line: string): ServerRequest {
  const { verb: sent, arg } = parseCommand(line);
  const row = commandTable.get(sent);
  return { sent, verb: row ? canonicalVerb(row) : sent, arg: arg ?? '', row };
}
