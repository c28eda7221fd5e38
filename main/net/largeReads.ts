// Data sockets that read up to 1 MiB per system call into buffers the receiver hands back, instead of
// Node's fresh 64 KiB buffer per read (which caps a Node receiver near 1.5 GB/s on loopback; 1 MiB reads
// into reused buffers reach 6 GB/s). Node offers this as `onread` for sockets it connects; an accepted
// socket's handle is moved into a new Socket that has it. A receiver takes the reads directly
// (takeReads); otherwise every read is pushed as an ordinary 'data' chunk, so nothing else changes.

import net from 'node:net';

/** Bytes per read buffer once a connection carries bulk data: the largest read a socket makes. */
export const READ_BUFFER_BYTES = 1024 * 1024;
/** The first buffer's size, as Node's own reads: a 1 KiB file should not cost a 1 MiB buffer. */
const FIRST_BUFFER_BYTES = 64 * 1024;
/** Bytes held between two transfers before reading stops until the next one begins. */
const MAX_HELD_BYTES = 16 * 1024 * 1024;

/**
 * Takes each read: `buffer` holds `length` new bytes and is the receiver's until it calls `release`.
 * Returns false to stop reading until `resume()`.
 */
export type ReadTaker = (buffer: Buffer, length: number, release: () => void) => boolean;

/** Where a socket's reads go: 'data' events by default, or a receiver that keeps the buffers. */
export class ReadRouter {
  #taker: ReadTaker | undefined;
  /** Bytes kept between two transfers on a connection that stays open (hold), oldest first. */
  #held: Buffer[] = [];
  #holding = false;
  /** Reading stopped because too much was held; the next takeReads or giveBack starts it again. */
  #stopped = false;
  #spare: Buffer[] = [];
  /** The buffer the next read goes into; undefined once a taker holds it, so it is never read into twice. */
  #current: Buffer | undefined;
  /** Size of new buffers: grows to READ_BUFFER_BYTES after the first read that fills a buffer. */
  #size = FIRST_BUFFER_BYTES;
  #socket: net.Socket | undefined;

  /** Options for net.Socket / net.connect that route the socket's reads through this router. */
  options(): { onread: { buffer: () => Buffer; callback: (length: number, buffer: Buffer) => boolean } } {
    return {
      onread: {
        // Called for the first read target and after every read: a buffer no receiver holds.
        buffer: () => (this.#current ??= this.#spare.pop() ?? Buffer.allocUnsafe(this.#size)),
        callback: (length, buffer) => this.#read(length, buffer),
      },
    };
  }

  attach(socket: net.Socket): void {
    this.#socket = socket;
  }

  /**
   * From now on the reads go to `taker` (until giveBack or hold), the held bytes first. Bytes already
   * pushed as 'data' stay in the socket's buffer: the caller reads those before this.
   */
  takeReads(taker: ReadTaker): void {
    this.#holding = false;
    this.#taker = taker;
    // The held chunks one by one, while this taker still takes them: one may end its transfer, and the
    // taker may then hold() what follows; the chunks not fed go after what it held, in order.
    const held = this.#held.splice(0);
    while (held.length > 0 && this.#taker === taker && !this.#holding) {
      const chunk = held.shift()!;
      taker(chunk, chunk.length, () => undefined);
    }
    this.#held.push(...held);
    this.#resumeIfStopped();
  }

  /** Reads become 'data' chunks again, the held bytes first. */
  giveBack(): void {
    this.#taker = undefined;
    this.#holding = false;
    const held = this.#held.splice(0);
    if (held.length > 0) this.#socket?.push(Buffer.concat(held));
    this.#resumeIfStopped();
  }

  /**
   * Between two transfers on a connection that stays open (BLOCK, COMPRESSED): keep what arrives,
   * starting with `first` (what followed the EOF marker in the last read), for the next transfer. The
   * socket keeps flowing, so the peer's FIN is still seen.
   */
  hold(first?: Uint8Array): void {
    this.#taker = undefined;
    this.#holding = true;
    if (first && first.length > 0) this.#held.push(Buffer.from(first));
  }

  #resumeIfStopped(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#socket?.resume();
  }

  /** Bytes held for the next transfer. */
  get heldLength(): number {
    return this.#held.reduce((sum, b) => sum + b.length, 0);
  }

  #read(length: number, buffer: Buffer): boolean {
    const socket = this.#socket;
    if (!socket) return true;
    if (length === buffer.length && this.#size < READ_BUFFER_BYTES) {
      // A full buffer: bulk data is coming. Reads from now on go into large buffers.
      this.#size = READ_BUFFER_BYTES;
      if (this.#current === buffer) this.#current = undefined;
    }
    if (this.#holding) {
      const copy = Buffer.allocUnsafe(length);
      buffer.copy(copy, 0, 0, length);
      this.#held.push(copy);
      // A peer that sends on and on between transfers meets TCP's flow control, not our memory.
      if (this.heldLength < MAX_HELD_BYTES) return true;
      this.#stopped = true;
      return false;
    }
    const taker = this.#taker;
    if (!taker) {
      // A copy of exactly the bytes read (the buffer is read into again at once); allocUnsafe, as the
      // copy fills it whole, where Buffer.from would zero a fresh buffer first.
      const copy = Buffer.allocUnsafe(length);
      buffer.copy(copy, 0, 0, length);
      return socket.push(copy);
    }
    // The taker holds this buffer until it releases it: the next read must go elsewhere.
    if (this.#current === buffer) this.#current = undefined;
    let released = false;
    return taker(buffer, length, () => {
      if (released) return;
      released = true;
      if (buffer.length === this.#size && this.#spare.length < 4) this.#spare.push(buffer);
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
