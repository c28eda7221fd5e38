// npm's ftp-srv as a second independent FTP server for our client: anonymous, serving a directory.
import { FtpSrv } from 'ftp-srv';
import { freePort, pasvRange } from './freePort.js';

export interface FtpSrvPeer {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** A bunyan-shaped logger that drops everything (ftp-srv logs through bunyan by default). */
function quietLogger(): Record<string, unknown> {
  const noop = (): void => {};
  const logger: Record<string, unknown> = {
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    fatal: noop,
    level: () => 60,
    child: () => logger,
  };
  return logger;
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

export async function startFtpSrv(root: string): Promise<FtpSrvPeer> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const pasv = pasvRange();

  // ftp-srv's constructor adds SIGTERM/SIGINT/SIGQUIT listeners that call process.exit(); remember
  // which ones are new so stop() can take them off again (otherwise they pile up, one per server).
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const server = new FtpSrv({
    url: `ftp://${host}:${port}`,
    pasv_url: host,
    pasv_min: pasv.min,
    pasv_max: pasv.max,
    anonymous: true,
    greeting: 'ftp-srv test peer',
    log: quietLogger(),
  });
  const added = SIGNALS.flatMap((s) =>
    process
      .listeners(s)
      .filter((l) => !before.get(s)?.has(l))
      .map((l) => [s, l] as const),
  );
  const removeSignalListeners = (): void => {
    for (const [signal, listener] of added) process.removeListener(signal, listener);
  };

  server.on('login', (_data, resolve) => {
    resolve({ root });
  });
  server.on('client-error', () => {
    /* a client that drops its connection is not a test failure by itself */
  });

  // ftp-srv's disconnectClient() arms a 1 s setTimeout it never clears; close connections directly
  // instead, so stop() leaves no timer behind (leaks.ts checks for that).
  const internals = server as unknown as {
    connections: Record<string, { close(code?: number): unknown }>;
    disconnectClient(id: string): Promise<unknown>;
  };
  internals.disconnectClient = async (id: string): Promise<unknown> => {
    const client = internals.connections[id];
    if (!client) return undefined;
    delete internals.connections[id];
    try {
      await client.close(0);
    } catch {
      /* already closed */
    }
    return 'Disconnected';
  };

  try {
    await server.listen();
  } catch (e) {
    removeSignalListeners();
    throw e;
  }

  let stopped = false;
  return {
    host,
    port,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      try {
        await server.close();
      } finally {
        removeSignalListeners();
      }
    },
  };
}
