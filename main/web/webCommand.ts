// `ftp-lab web [--port N]`: starts the browser host, prints its URL, and runs until Ctrl-C (SIGINT) or SIGTERM.

import { parseArgs } from 'node:util';
import { startWebHost } from './webHost';
import { untilStopSignal } from '../cli/stopSignal';

export interface WebCommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** `web`'s options (the CLI's USAGE lists every one: test/main/cli/usage.test.ts). */
export const WEB_OPTIONS = { port: { type: 'string' } } as const;

export async function runWebCommand(args: readonly string[], io: WebCommandIo, stopSignal?: Promise<void>): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: WEB_OPTIONS, strict: true });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`ftp-lab: "${values.port}" is not a port number (0-65535).`);
    return 2;
  }
  const host = await startWebHost({ port });
  // Listening for Ctrl-C before the URL is printed: whoever reads it may stop the host at once.
  const stopped = stopSignal ?? untilStopSignal();
  io.out(`FTP Lab in your browser: ${host.url}`);
  io.out('The address carries a secret token for this run: share it with no one. Ctrl-C stops the host.');
  await stopped;
  await host.close();
  return 0;
}
