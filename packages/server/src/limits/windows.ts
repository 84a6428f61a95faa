import { intervalMs, type RateLimit } from '@binance-sandbox/protocol';
import type { LimitTable } from './types.js';

/**
 * Fixed, aligned windows: a window of `ms` milliseconds starts at floor(now / ms) × ms. Epoch 0 is a
 * UTC midnight, so 1 DAY windows are UTC days, 1 MINUTE windows start at each whole minute and
 * 10 SECOND windows at :00, :10, :20 …
 */
export function alignedWindowStart(ms: number, now: number): number {
  return Math.floor(now / ms) * ms;
}

/** Start (inclusive, epoch ms) of the window of `limit` that contains `now`. */
export function windowStart(limit: Pick<RateLimit, 'interval' | 'intervalNum'>, now: number): number {
  return alignedWindowStart(intervalMs(limit), now);
}

/** End (exclusive, epoch ms) of the window of `limit` that contains `now`: the moment it resets. */
export function windowEnd(limit: Pick<RateLimit, 'interval' | 'intervalNum'>, now: number): number {
  const ms = intervalMs(limit);
  return alignedWindowStart(ms, now) + ms;
}

/** Milliseconds from `now` until the window of `limit` containing `now` resets (always > 0). */
export function msUntilReset(limit: Pick<RateLimit, 'interval' | 'intervalNum'>, now: number): number {
  return windowEnd(limit, now) - now;
}

/**
 * Split an exchangeInfo `rateLimits` table by limiter type, keeping the table order inside each type.
 * Rows of other types are ignored. Throws on rows that cannot form a window or a limit.
 */
export function splitLimitTable(table: readonly RateLimit[]): LimitTable {
  const requestWeight: RateLimit[] = [];
  const rawRequests: RateLimit[] = [];
  const orders: RateLimit[] = [];
  for (const row of table) {
    if (!Number.isSafeInteger(row.intervalNum) || row.intervalNum <= 0) {
      throw new RangeError(`rate limit ${row.rateLimitType}: intervalNum must be a positive integer`);
    }
    if (!(row.limit >= 0) || !Number.isFinite(row.limit)) {
      throw new RangeError(`rate limit ${row.rateLimitType}: limit must be a finite number ≥ 0`);
    }
    if (!(intervalMs(row) > 0))
      throw new RangeError(`rate limit ${row.rateLimitType}: unknown interval ${String(row.interval)}`);
    switch (row.rateLimitType) {
      case 'REQUEST_WEIGHT':
        requestWeight.push(row);
        break;
      case 'RAW_REQUESTS':
        rawRequests.push(row);
        break;
      case 'ORDERS':
        orders.push(row);
        break;
    }
  }
  return { requestWeight, rawRequests, orders };
}

/** The inverse of splitLimitTable: exchangeInfo order REQUEST_WEIGHT, ORDERS, RAW_REQUESTS. */
export function joinLimitTable(table: LimitTable): RateLimit[] {
  return [...table.requestWeight, ...table.orders, ...table.rawRequests];
}
