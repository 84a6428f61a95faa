/**
 * The one source of time for the sandbox. Windows, bans, recvWindow, heartbeats and listenKey expiry
 * all read `now()`; nothing in the logic calls Date.now() directly.
 */
export interface Clock {
  /** Current server time, epoch milliseconds (integer). */
  now(): number;
}

/** Wall-clock time plus an offset that the admin API can advance (never move backwards). */
export class SandboxClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly wall: () => number = Date.now) {}

  now(): number {
    return this.wall() + this.offsetMs;
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
