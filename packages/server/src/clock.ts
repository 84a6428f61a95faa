/**
 * The one source of time for the sandbox. Windows, bans, recvWindow, heartbeats and listenKey expiry
 * all read `now()`; nothing in the logic calls Date.now() directly.
 */
export interface Clock {
  /** Current server time, epoch milliseconds (integer). */
  now(): number;
}

/**
 * Wall-clock time plus an offset that the admin API can advance. It never goes back: when the wall
 * clock steps back (an NTP correction, a VM's clock set right), the step is added to the offset, so
 * trades, orders and klines keep ascending times; `notBefore` does the same for a restart on a data
 * dir whose last command is later than the wall clock.
 */
export class SandboxClock implements Clock {
  private offsetMs = 0;
  /** The latest time given out. */
  private last = -Infinity;

  constructor(private readonly wall: () => number = Date.now) {}

  now(): number {
    let t = this.wall() + this.offsetMs;
    if (t < this.last) {
      this.offsetMs += this.last - t;
      t = this.last;
    }
    this.last = t;
    return t;
  }

  /** From now on, no time earlier than `t` (the clock then runs on from `t`). */
  notBefore(t: number): void {
    const behind = t - this.now();
    if (behind > 0) {
      this.offsetMs += behind;
      this.last = t;
    }
  }

  /** Fast-forward by `ms` (≥ 0) and return the new time. */
  advance(ms: number): number {
    if (!Number.isSafeInteger(ms) || ms < 0)
      throw new RangeError('advance needs a non-negative integer of milliseconds');
    this.offsetMs += ms;
    return this.now();
  }

  get offset(): number {
    return this.offsetMs;
  }
}

/** A clock that only moves when told to: for tests and deterministic runs. */
export class ManualClock implements Clock {
  constructor(private t: number = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.t;
  }

  advance(ms: number): number {
    if (!Number.isSafeInteger(ms) || ms < 0)
      throw new RangeError('advance needs a non-negative integer of milliseconds');
    this.t += ms;
    return this.t;
  }

  set(t: number): void {
    this.t = t;
  }
}
