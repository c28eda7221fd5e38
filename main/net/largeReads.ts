// Data sockets that read up to 1 MiB per system call into buffers the receiver hands back, instead of
// Node's fresh 64 KiB buffer per read (which caps a Node receiver near 1.5 GB/s on loopback; 1 MiB reads
// into reused buffers reach 6 GB/s). Node offers this as `onread` for sockets it connects; an accepted
// socket's handle is moved into a new Socket that has it. A receiver takes the reads directly
// (takeReads); otherwise every read is pushed as an ordinary 'data' chunk, so nothing else changes.

import net from 'node:net';

/** Bytes per read buffer: the largest read a socket makes. */
export const READ_BUFFER_BYTES = 1024 * 1024;

/**
 * Takes each read: `buffer` holds `length` new bytes and is the receiver's until it calls `release`.
 * Returns false to stop reading until `resume()`.
 */
export type ReadTaker = (buffer: Buffer, length: number, release: () => void) => boolean;

/** Where a socket's reads go: 'data' events by default, or a receiver that keeps the buffers. */
export class ReadRouter {
  #taker: ReadTaker | undefined;
  #spare: Buffer[] = [];
  #current: Buffer;
  #socket: net.Socket | undefined;

  constructor() {
    this.#current = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  }

  /** Options for net.Socket / net.connect that route the socket's reads through this router. */
  options(): { onread: { buffer: () => Buffer; callback: (length: number, buffer: Buffer) => boolean } } {
    return {
      onread: {
        // Called for the first read target and after every read: a buffer no receiver holds.
        buffer: () => (this.#current = this.#spare.pop() ?? (this.#taker ? Buffer.allocUnsafe(READ_BUFFER_BYTES) : this.#current)),
        callback: (length, buffer) => this.#read(length, buffer),
      },
    };
  }

  attach(socket: net.Socket): void {
    this.#socket = socket;
  }

  /** From now on the reads go to `taker` (until giveBack); the bytes already pushed as 'data' stay there. */
  takeReads(taker: ReadTaker): void {
    this.#taker = taker;
  }

  /** Reads become 'data' chunks again. */
  giveBack(): void {
    this.#taker = undefined;
  }

  #read(length: number, buffer: Buffer): boolean {
    const socket = this.#socket;
    if (!socket) return true;
    const taker = this.#taker;
    if (!taker) {
      // A copy of exactly the bytes read: the buffer is read into again at once.
      return socket.push(Buffer.from(buffer.subarray(0, length)));
    }
    let released = false;
    return taker(buffer, length, () => {
      if (released) return;
      released = true;
      if (buffer.length === READ_BUFFER_BYTES && this.#spare.length < 4) this.#spare.push(buffer);
    });
  }
}

interface HandleWithUserBuffer {
  useUserBuffer(buffer: Uint8Array): void;
  readStart(): number;
}

/**
 * The accepted socket's connection as a socket with large reads, or the socket itself where this Node
 * does not allow it (the handle is Node's own, not public API: checked before it is used). The socket
 * must come from a server with pauseOnConnect, so no byte has been read yet.
 */
export function adoptWithLargeReads(socket: net.Socket, router: ReadRouter, options: { allowHalfOpen: boolean }): net.Socket {
  const holder = socket as unknown as { _handle: (HandleWithUserBuffer & object) | null };
  const handle = holder._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function' || typeof handle.readStart !== 'function') return socket;
  // Detach the handle first: destroying the old Socket then closes nothing, and tells its server
  // the connection is gone from its count (as if it had been handed to a child process).
  holder._handle = null;
  socket.destroy();
  const adopted = new net.Socket({ handle, allowHalfOpen: options.allowHalfOpen, ...router.options() } as net.SocketConstructorOpts);
  router.attach(adopted);
  return adopted;
}
