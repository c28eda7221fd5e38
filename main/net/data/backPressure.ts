// Back-pressure on a data connection: a sender waits for the socket to take its bytes; a receiver stops reading while the file lags.

import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';

/** A receive into a file that takes whole buffers: this many file writes in flight before the socket stops reading. */
const RECEIVE_WRITES_IN_FLIGHT = 3;

/** socket.write with its callback as a promise: true once the bytes are handed to the kernel, false if the write failed. */
export function written(socket: Writable, bytes: Buffer): Promise<boolean> {
  return new Promise((resolve) => socket.write(bytes, (error) => resolve(!error)));
}

/** Waits for a socket's 'drain', or rejects if it closes first; leaves no listener behind. */
export function drained(socket: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      socket.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      socket.off('drain', onDrain);
      reject(new Error('the data connection closed during the transfer'));
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}

/**
 * The file writes a receive has handed over and not yet seen land (BufferDrainingSink.writeFrom). With
 * RECEIVE_WRITES_IN_FLIGHT of them the receiver stops reading (stopReadingIfFull); the socket resumes
 * once one lands and fewer are left. Each landed write releases its buffer, then `onLanded` runs; the
 * first failed one goes to `onFailed`.
 */
export class WritesInFlight {
  #count = 0;
  /** The receiver stopped reading because of these writes: a landing write must resume the socket. */
  #stoppedReading = false;

  constructor(
    private readonly socket: Socket,
    private readonly onLanded: () => void,
    private readonly onFailed: (error: Error) => void,
  ) {}

  /** Writes handed over that have not landed yet. */
  get count(): number {
    return this.#count;
  }

  /** Follows one write: `release` gives its buffer back once it has landed. */
  add(write: Promise<void>, release: () => void): void {
    this.#count += 1;
    write.then(() => {
      release();
      this.#count -= 1;
      if (this.#stoppedReading && this.#count < RECEIVE_WRITES_IN_FLIGHT) {
        this.#stoppedReading = false;
        this.socket.resume();
      }
      this.onLanded();
    }, this.onFailed);
  }

  /** True if as many writes are in flight as allowed: the caller stops reading now, and a landing write resumes the socket. */
  stopReadingIfFull(): boolean {
    if (this.#count < RECEIVE_WRITES_IN_FLIGHT) return false;
    this.#stoppedReading = true;
    return true;
  }
}
