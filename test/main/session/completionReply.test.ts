// The completion reply does not wait for the client's FIN: a client may read a STREAM download to its end
// of file and wait for 226 before it closes its own side (RFC 959 §5.2; vsftpd and pyftpdlib answer at once).

import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { formatPortArgument, parseEpsvReply } from '../../../core/protocol/hostPort';
import { openRawControl, type RawControl } from '../../helpers/rawControl';
import { trackHandles } from '../../support/leaks';

let server: FtpServer;
let ctl: RawControl;
let leaks: ReturnType<typeof trackHandles>;
const sockets: net.Socket[] = [];

beforeEach(async () => {
  leaks = trackHandles();
  server = await startFtpServer({ store: createMemoryStore(), anonymous: true, loginDelayMs: 10 });
  ctl = await openRawControl(server.address.port);
  expect((await ctl.reply()).code).toBe(220);
  expect((await ctl.command('USER anonymous')).code).toBe(331);
  expect((await ctl.command('PASS x')).code).toBe(230);
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await ctl.close();
  await server.close();
  await leaks.assertNoLeaks();
});

/** A data socket that reads to the server's FIN and then keeps its own side open (allowHalfOpen). */
function readToEof(socket: net.Socket): Promise<number> {
  sockets.push(socket);
  let bytes = 0;
  socket.on('data', (c: Buffer) => (bytes += c.length));
  return new Promise((resolve) => socket.once('end', () => resolve(bytes)));
}

async function passiveData(): Promise<net.Socket> {
  const port = parseEpsvReply((await ctl.command('EPSV')).text)!;
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

/** PORT to a listener of the test's; `connected` settles when the server connects (after the transfer command). */
async function activeData(): Promise<{ connected: Promise<net.Socket> }> {
  const listener = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  expect((await ctl.command(`PORT ${formatPortArgument({ host: '127.0.0.1', port })}`)).code).toBe(200);
  const connected = new Promise<net.Socket>((resolve) =>
    listener.once('connection', (socket) => {
      listener.close();
      resolve(socket);
    }),
  );
  return { connected };
}

describe('226 comes once the server has sent its FIN, while the client still holds its side open', () => {
  for (const command of ['RETR notes.txt', 'LIST', 'NLST']) {
    for (const how of ['passive (EPSV)', 'active (PORT)'] as const) {
      it(`${command}, ${how}`, async () => {
        const connected = how === 'active (PORT)' ? (await activeData()).connected : Promise.resolve(await passiveData());
        expect((await ctl.command(command)).code).toBe(150);
        const data = await connected;
        const bytes = await readToEof(data);
        expect(bytes).toBeGreaterThan(0);
        // The client has the whole file and has not closed: the reply must come now, not after its FIN.
        const done = await ctl.reply(2000);
        expect(done.code).toBe(226);
        expect(data.writableEnded).toBe(false);
        data.end();
        expect((await ctl.command('NOOP')).code).toBe(200);
      });
    }
  }

  it('the next transfer can be set up before the client has closed the last data connection', async () => {
    const first = await passiveData();
    expect((await ctl.command('RETR notes.txt')).code).toBe(150);
    await readToEof(first);
    expect((await ctl.reply(2000)).code).toBe(226);
    // Still half open: a client pipelining its next download.
    const second = await passiveData();
    expect((await ctl.command('RETR notes.txt')).code).toBe(150);
    expect(await readToEof(second)).toBeGreaterThan(0);
    expect((await ctl.reply(2000)).code).toBe(226);
    first.end();
    second.end();
  });
});
