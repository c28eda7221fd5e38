// What the server machine asks of the wire — replies, closes, data orders — carried out in the order it
// asked. With a step gate, each reply and each close of the server's own data connection waits there first,
// and everything after it waits behind it: holding the server never reorders the wire. While something is
// held, the machine's own timers stand still too (heldClock): a teacher pausing at a 150 for a minute
// must not find the transfer timed out when it goes on.

import type { HeldAction, StepGate } from './stepGate';

interface Item {
  readonly run: () => void;
  readonly hold: HeldAction | undefined;
}

export class ServerOutbox {
  #queue: Item[] = [];
  #draining = false;
  #holding = false;
  #closed = false;
  #whenReleased: (() => void)[] = [];

  /** `carryOut` runs each action (the server passes one that contains a fault to the session it belongs to). */
  constructor(
    private readonly gate: StepGate | undefined,
    private readonly carryOut: (run: () => void) => void = (run) => run(),
  ) {}

  /** An action of this session waits at the gate right now. */
  get holding(): boolean {
    return this.#holding;
  }

  /** Runs `then` once nothing of this session is held any more (at once if nothing is). */
  afterHold(then: () => void): void {
    if (!this.#holding) then();
    else this.#whenReleased.push(then);
  }

  /** Runs `run` now, or, with a gate, once everything before it has run and `hold` (if any) is released. */
  push(run: () => void, hold?: HeldAction): void {
    if (this.#closed) return;
    if (!this.gate) return this.carryOut(run);
    this.#queue.push({ run, hold });
    if (!this.#draining) void this.#drain(this.gate);
  }

  /** The session is over: nothing queued runs any more, and what it had at the gate leaves it. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    this.#whenReleased = [];
    this.gate?.withdraw(this);
  }

  async #drain(gate: StepGate): Promise<void> {
    this.#draining = true;
    for (let item = this.#queue.shift(); item && !this.#closed; item = this.#queue.shift()) {
      if (item.hold) {
        this.#holding = true;
        await gate.wait(item.hold, this);
        this.#holding = false;
        for (const then of this.#whenReleased.splice(0)) then();
      }
      if (this.#closed) break;
      this.carryOut(item.run);
    }
    this.#draining = false;
  }
}

/**
 * An XState clock for a session held by a step gate: a timer that comes due while one of the session's
 * actions is held starts again, with its whole delay, once the hold ends. Without a gate, plain timers.
 */
export function heldClock(outbox: ServerOutbox): { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(id: unknown): void } {
  const timers = new Map<object, NodeJS.Timeout | undefined>();
  return {
    setTimeout(fn, ms) {
      const id = {};
      const arm = () =>
        timers.set(
          id,
          setTimeout(() => {
            if (!timers.has(id)) return;
            if (!outbox.holding) {
              timers.delete(id);
              return fn();
            }
            timers.set(id, undefined);
            outbox.afterHold(() => timers.has(id) && arm());
          }, ms),
        );
      arm();
      return id;
    },
    clearTimeout(id) {
      clearTimeout(timers.get(id as object));
      timers.delete(id as object);
    },
  };
}
