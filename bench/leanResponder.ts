// The bench's ceiling for a Node FTP server on small files: just enough of FTP for ftplib's RETR loop
// (USER, PASS, TYPE, PASV, RETR, QUIT), on Node's sockets and fs, with no model, no trace, no checks.
// Not a server anyone should run: it exists to show what Node itself costs per file on this machine.
// It still refuses paths outside ROOT and survives a taken port or a reset connection.
//
// Usage: node --import tsx bench/leanResponder.ts ROOT PASV_MIN PASV_MAX  (prints "listening PORT")

import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

const [root = '.', pasvMin = '0', pasvMax = '0'] = process.argv.slice(2);
const min = Number(pasvMin);
const size = Number(pasvMax) - min + 1;
const realRoot = path.resolve(root);

const server = net.createServer((control) => {
  control.setNoDelay(true);
  let pending = '';
  let data: net.Socket | undefined;
  let waiting: ((socket: net.Socket) => void) | undefined;
  const reply = (line: string) => control.write(`${line}\r\n`);
  reply('220 Lean responder ready.');

  const passive = () => {
    data = undefined;
    const listener = net.createServer({ pauseOnConnect: true }, (socket) => {
      socket.on('error', () => socket.destroy());
      listener.close();
      if (waiting) waiting(socket);
      else data = socket;
    });
    // A random port of the range, then on up it while ports are taken (as ftp-lab serve does).
    let port = min + Math.floor(Math.random() * size);
    let tries = 0;
    listener.on('error', () => {
      if (listener.listening) return;
      if (++tries >= size) return reply('425 No free passive port.');
      port = port >= min + size - 1 ? min : port + 1;
      listener.listen(port, '127.0.0.1');
    });
    listener.listen(port, '127.0.0.1', () => {
      const p = (listener.address() as net.AddressInfo).port;
      reply(`227 Entering Passive Mode (127,0,0,1,${p >> 8},${p & 255})`);
    });
  };

  const retr = async (name: string) => {
    const file = path.resolve(realRoot, name);
    const bytes = file.startsWith(realRoot + path.sep) ? await readFile(file).catch(() => undefined) : undefined;
    if (!bytes) return reply('550 No such file.');
    reply('150 Opening data connection.');
    const send = (socket: net.Socket) => {
      waiting = undefined;
      socket.resume();
      socket.once('close', () => reply('226 Transfer complete.'));
      socket.end(bytes);
    };
    if (data) send(data);
    else waiting = send;
  };

  control.on('data', (chunk: Buffer) => {
    pending += chunk.toString('latin1');
    for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 2);
      const space = line.indexOf(' ');
      const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
      const arg = space < 0 ? '' : line.slice(space + 1);
      if (verb === 'USER') reply('331 Password.');
      else if (verb === 'PASS') reply('230 Logged in.');
      else if (verb === 'TYPE') reply('200 Type set.');
      else if (verb === 'PASV') passive();
      else if (verb === 'RETR') void retr(arg);
      else if (verb === 'QUIT') control.end('221 Goodbye.\r\n');
      else reply('502 Not implemented here.');
    }
  });
  control.on('error', () => control.destroy());
});

server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as net.AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
