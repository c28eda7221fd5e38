// What the server machine asks of the wire — replies, closes, data orders — carried out in the order it
// asked. With a step gate, each reply and each close of the server's own data connection waits there first,
// and everything after it waits behind it: holding the server never reorders or loses anything.

import type { HeldAction, StepGate } from './stepGate';

interface Item {
  readonly run: () => void;
  readonly hold: HeldAction | undefined;
}

export class ServerOutbox {
  #queue: Item[] = [];
  #draining = false;
  #closed = false;

  constructor(private readonly gate: StepGate | undefined) {}

  /** Runs `run` now, or, with a gate, once everything before it has run and `hold` (if any) is released. */
  push(run: () => void, hold?: HeldAction): void {
    if (this.#closed) return;
    if (!this.gate) return run();
    this.#queue.push({ run, hold });
    if (!this.#draining) void this.#drain(this.gate);
  }

  /** The session is over: nothing queued runs any more. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
  }

  async #drain(gate: StepGate): Promise<void> {
    this.#draining = true;
    for (let item = this.#queue.shift(); item && !this.#closed; item = this.#queue.shift()) {
      if (item.hold) await gate.wait(item.hold);
      if (this.#closed) break;
      item.run();
    }
    this.#draining = false;
  }
}
