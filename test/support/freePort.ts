// A TCP port that is free right now on `host`: listen on port 0, read the port the kernel chose, close.
import { createServer } from 'node:net';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`freePort: unexpected address ${String(address)}`));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/**
 * A window of `size` ports for passive data connections, above Linux's ephemeral range
 * (32768-60999), so it cannot collide with ports the kernel hands out for port 0.
 * Random, so parallel test files rarely share a window (the servers retry on EADDRINUSE anyway).
 */
export function pasvRange(size = 200): { min: number; max: number } {
  const low = 61000;
  const high = 65000;
  const min = low + Math.floor(Math.random() * (high - low - size));
  return { min, max: min + size - 1 };
}

/**
 * A window of `size` ports below Linux's ephemeral range (32768-60999) and away from pasvRange's
 * 61000-65000, where vsftpd and ftp-srv listen during other test files: for tests that need every
 * port of their window to be free.
 */
export function quietPortRange(size: number): { min: number; max: number } {
  const low = 20000;
  const high = 32000;
  const min = low + Math.floor(Math.random() * (high - low - size));
  return { min, max: min + size - 1 };
}
