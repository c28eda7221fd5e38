// The raw loopback reference, run as its own process: plain Node TCP with no FTP and no trace.
// Two listeners: BIG writes `bigBytes` in 1 MiB chunks and closes; SMALL writes `smallBytes` and closes
// (one short connection per file, the floor under any one-data-connection-per-file protocol).
// Usage: node --import tsx bench/rawPeer.ts BIG_BYTES SMALL_BYTES; prints "BIG port" and "SMALL port".
import net from 'node:net';
import { randomFillSync } from 'node:crypto';

const CHUNK = 1 << 20;
const bigBytes = Number(process.argv[2] ?? 256 * CHUNK);
const smallBytes = Number(process.argv[3] ?? 1024);
const block = randomFillSync(Buffer.alloc(CHUNK));
const small = block.subarray(0, smallBytes);

function sendBig(socket: net.Socket): void {
  let left = bigBytes;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(CHUNK, left);
      left -= n;
      if (!socket.write(n === CHUNK ? block : block.subarray(0, n))) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
}

function listen(onConnection: (socket: net.Socket) => void): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.resume();
      onConnection(socket);
    });
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve((server.address() as net.AddressInfo).port));
  });
}

const bigPort = await listen(sendBig);
const smallPort = await listen((socket) => socket.end(small));
process.stdout.write(`BIG ${bigPort}\nSMALL ${smallPort}\n`);
process.once('SIGTERM', () => process.exit(0));
