// The bench's ceiling for a Node FTP server on small files: just enough of FTP for ftplib's RETR loop
// (USER, PASS, TYPE, PASV or EPSV, RETR, QUIT), on Node's sockets and fs, with no model, no trace.
// Not a server anyone should run: it exists to show what Node itself costs per file on this machine.
// It still refuses paths outside ROOT, accepts data connections only from the control connection's
// peer address, and survives a taken port or a reset connection.
//
// Two ways to answer, one per process ("lean node" and "lean node tuned" in the bench):
//   default   per RETR: fs/promises readFile; per PASV/EPSV: a new listener on a port of the range, closed
//             after its one connection; 226 once the data connection is closed ('close', i.e. after
//             the client's FIN too).
//   --tuned   (a) files up to 1 MiB are read synchronously (openSync, fstatSync, readSync, closeSync);
//             (b) 226 as soon as the server's own FIN has been sent (socket.end(bytes, callback), on
//                 'finish'), without waiting for the client's FIN;
//             (c) one passive listener per control connection, opened at its first PASV/EPSV: every
//                 PASV/EPSV answers with the same port (no listen() per transfer).
// Both (d) create exactly one net.Socket per data connection: the one net.Server hands over (no handle
// moved into a second Socket, as ftp-lab's largeReads.ts does for big reads).
//   --floor   --tuned, plus "the machine and the full trace on" at their least (floorModel.ts): each reply
//             code is decided by a small XState machine, and every wire event and state change is recorded
//             by ftp-lab's TraceRecorder into a trace file and the serve transcript's writer.
//
// Usage: node --import tsx bench/leanResponder.ts ROOT PASV_MIN PASV_MAX [--tuned | --floor]  (prints "listening PORT")

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { floorTrace, type FloorSession } from './floorModel';

const args = process.argv.slice(2);
const floorFile = args.includes('--floor') ? path.join(tmpdir(), `lean-floor-${process.pid}.json`) : undefined;
const tuned = args.includes('--tuned') || floorFile !== undefined;
const [root = '.', pasvMin = '0', pasvMax = '0'] = args.filter((a) => !a.startsWith('--'));
const trace = floorFile ? floorTrace(floorFile) : undefined;
const min = Number(pasvMin);
const size = Number(pasvMax) - min + 1;
const realRoot = path.resolve(root);
/** A RETR whose data connection has not come within this time gets 425 (e.g. it was reset before it was accepted). */
const DATA_WAIT_MS = 10_000;
/** --tuned: files up to this size are read with synchronous calls; bigger ones with readFile. */
const SYNC_MAX = 1 << 20;

/** The file `name` names inside ROOT, or undefined if it would be outside. */
function inRoot(name: string): string | undefined {
  const file = path.resolve(realRoot, name);
  return file.startsWith(realRoot + path.sep) ? file : undefined;
}

/** --tuned (a): the file's bytes by synchronous calls; 'big' above SYNC_MAX; undefined if unreadable or not a file. */
function readSmallSync(file: string): Buffer | 'big' | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    if (stat.size > SYNC_MAX) return 'big';
    const bytes = Buffer.allocUnsafe(stat.size);
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return got === bytes.length ? bytes : bytes.subarray(0, got);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Listens on a random port of the range, then on up it while ports are taken (as ftp-lab serve does);
 * `ready` gets the port, or undefined when every port of the range is taken.
 */
function listenInRange(listener: net.Server, ready: (port: number | undefined) => void): void {
  let port = min + Math.floor(Math.random() * size);
  let tries = 0;
  listener.on('error', () => {
    if (listener.listening) return;
    if (++tries >= size) return ready(undefined);
    port = port >= min + size - 1 ? min : port + 1;
    listener.listen(port, '127.0.0.1');
  });
  listener.listen(port, '127.0.0.1', () => ready((listener.address() as net.AddressInfo).port));
}

const server = net.createServer((control) => {
  control.setNoDelay(true);
  const peer = control.remoteAddress;
  const floor: FloorSession | undefined = trace?.session();
  let pending = '';
  /** A data connection accepted for the latest PASV/EPSV, before its RETR. */
  let data: net.Socket | undefined;
  /** A RETR waiting for its data connection. */
  let waiting: ((socket: net.Socket) => void) | undefined;
  let waitTimer: NodeJS.Timeout | undefined;
  /** --tuned: the session's one passive listener and its port. */
  let sessionListener: net.Server | undefined;
  let sessionPort: number | undefined;
  /** --tuned: whether a PASV/EPSV was answered and its connection has not come yet. */
  let expecting = false;
  /** Default mode: the listener of the latest PASV/EPSV, until its connection comes. */
  let oneShot: net.Server | undefined;
  const reply = (line: string) => {
    if (!control.writable) return;
    floor?.replied(Number(line.slice(0, 3)), line);
    control.write(`${line}\r\n`);
  };
  reply('220 Lean responder ready.');

  const passiveReply = (extended: boolean, p: number | undefined) => {
    if (p === undefined) reply('425 No free passive port.');
    else if (extended) reply(`229 Entering Extended Passive Mode (|||${p}|)`);
    else reply(`227 Entering Passive Mode (127,0,0,1,${p >> 8},${p & 255})`);
  };

  /** A connection on a passive listener: from the control connection's peer only (else closed at once). */
  const accepted = (socket: net.Socket): boolean => {
    socket.on('error', () => socket.destroy());
    // Reset or closed before its RETR: forgotten, so that RETR answers 425 instead of waiting for it.
    socket.once('close', () => {
      if (data === socket) data = undefined;
    });
    if (socket.remoteAddress !== peer || control.destroyed) {
      socket.destroy();
      return false;
    }
    if (floor) {
      floor.accepted({ host: socket.localAddress!, port: socket.localPort! }, { host: socket.remoteAddress!, port: socket.remotePort! });
      socket.once('end', () => floor.peerFin());
      socket.once('close', () => floor.closed());
    }
    if (waiting) waiting(socket);
    else data = socket;
    return true;
  };

  const passive = (extended: boolean) => {
    data?.destroy();
    data = undefined;
    if (tuned) return passiveTuned(extended);
    oneShot?.close();
    const listener = net.createServer({ pauseOnConnect: true }, (socket) => {
      if (accepted(socket)) listener.close();
    });
    oneShot = listener;
    listenInRange(listener, (p) => passiveReply(extended, p));
  };

  // (c) One listener per session, opened at the first PASV/EPSV; later ones answer with its port at once.
  const passiveTuned = (extended: boolean) => {
    if (sessionPort !== undefined) {
      expecting = true;
      return passiveReply(extended, sessionPort);
    }
    if (sessionListener) return reply('425 Passive listener still opening.');
    const listener = net.createServer({ pauseOnConnect: true }, (socket) => {
      // A connection nobody asked for (no PASV/EPSV answered since the last one) is closed.
      if (!expecting) return void socket.destroy();
      if (accepted(socket)) expecting = false;
    });
    sessionListener = listener;
    listenInRange(listener, (p) => {
      if (p === undefined) sessionListener = undefined;
      else if (control.destroyed) return void listener.close();
      sessionPort = p;
      expecting = p !== undefined;
      if (p !== undefined) floor?.listening({ host: '127.0.0.1', port: p });
      passiveReply(extended, p);
    });
  };

  const send = (bytes: Buffer) => (socket: net.Socket) => {
    waiting = undefined;
    clearTimeout(waitTimer);
    data = undefined;
    if (socket.destroyed) return reply('425 Data connection closed.');
    socket.resume();
    if (!tuned) {
      socket.once('close', () => reply('226 Transfer complete.'));
      socket.end(bytes);
      return;
    }
    // (b) 226 once our FIN is sent ('finish'); 'close' only if the connection ended before that.
    let answered = false;
    const answer = (line: string) => {
      if (answered) return;
      answered = true;
      reply(line);
    };
    socket.once('close', (hadError) => answer(hadError ? '426 Connection closed; transfer aborted.' : '226 Transfer complete.'));
    const started = performance.now();
    socket.end(bytes, () => {
      if (socket.errored) return answer('426 Connection closed; transfer aborted.');
      // --floor: the machine decides the completion reply once our FIN is sent.
      const code = floor ? floor.sent(bytes.length, performance.now() - started) : 226;
      answer(`${code} Transfer complete.`);
    });
  };

  const retr = async (name: string) => {
    const file = inRoot(name);
    let bytes: Buffer | 'big' | undefined = file && tuned ? readSmallSync(file) : 'big';
    if (bytes === 'big') bytes = file ? await readFile(file).catch(() => undefined) : undefined;
    if (!bytes) return reply('550 No such file.');
    if (!data && !waiting && !expecting && !oneShot?.listening) return reply('425 Use PASV or EPSV first.');
    reply('150 Opening data connection.');
    if (data) return send(bytes)(data);
    waiting = send(bytes);
    waitTimer = setTimeout(() => {
      waiting = undefined;
      expecting = false;
      oneShot?.close();
      reply("425 Can't open data connection.");
    }, DATA_WAIT_MS);
  };

  control.on('data', (chunk: Buffer) => {
    pending += chunk.toString('latin1');
    for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 2);
      const space = line.indexOf(' ');
      const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
      const arg = space < 0 ? '' : line.slice(space + 1);
      // --floor: the machine decides each reply's code (the lines below write the same codes).
      floor?.command(verb, verb === 'PASS' ? 'PASS ****' : line);
      if (verb === 'USER') reply('331 Password.');
      else if (verb === 'PASS') reply('230 Logged in.');
      else if (verb === 'TYPE') reply('200 Type set.');
      else if (verb === 'PASV') passive(false);
      else if (verb === 'EPSV') passive(true);
      else if (verb === 'RETR') void retr(arg);
      else if (verb === 'QUIT') control.end('221 Goodbye.\r\n');
      else reply('502 Not implemented here.');
    }
    if (pending.length > 4096) control.destroy();
  });
  control.on('error', () => control.destroy());
  // The session's listeners and any unused data connection go with it.
  control.on('close', () => {
    clearTimeout(waitTimer);
    sessionListener?.close();
    oneShot?.close();
    data?.destroy();
  });
});

server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as net.AddressInfo).port}`));
process.on('SIGTERM', () => {
  if (!trace || !floorFile) process.exit(0);
  void trace.close().finally(() => {
    rmSync(floorFile, { force: true });
    process.exit(0);
  });
});
