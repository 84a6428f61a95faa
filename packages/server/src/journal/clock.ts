import type { AdvanceableClock } from '../context.js';
import type { ClockAdvanceRecord } from './records.js';

/**
 * A clock whose admin advances are journaled (durably, before advance returns), so the virtual
 * time offset survives a restart: recovery re-applies every advance to the fresh inner clock.
 */
export class JournaledClock implements AdvanceableClock {
  private sink: ((record: ClockAdvanceRecord) => void) | null = null;
  /** Sum of every advance (journaled or restored): the offset a snapshot keeps. */
  private advancedMs = 0;

  constructor(readonly inner: AdvanceableClock) {}

  attach(sink: (record: ClockAdvanceRecord) => void): void {
    this.sink = sink;
  }

  now(): number {
    return this.inner.now();
  }

  advance(ms: number): number {
    const t = this.inner.advance(ms);
    this.advancedMs += ms;
    this.sink?.({ kind: 'clock.advance', ms });
    return t;
  }

  /** Recovery: re-applies a journaled advance. */
  restore(record: ClockAdvanceRecord): void {
    this.inner.advance(record.ms);
    this.advancedMs += record.ms;
  }

  /** Recovery: the time of the last command recovered, which the clock must not go back behind. */
  notBefore(t: number): void {
    this.inner.notBefore?.(t);
  }

  /** Everything advanced so far (snapshots). */
  get advanced(): number {
    return this.advancedMs;
  }
}
