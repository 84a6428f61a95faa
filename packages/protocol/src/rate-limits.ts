import type { RateLimit, RateLimitInterval, RateLimitType } from './types.js';

export const INTERVAL_MS: Readonly<Record<RateLimitInterval, number>> = {
  SECOND: 1_000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

export const INTERVAL_LETTER: Readonly<Record<RateLimitInterval, string>> = {
  SECOND: 'S',
  MINUTE: 'M',
  HOUR: 'H',
  DAY: 'D',
};

/** Binance's current production table (REST exchangeInfo order). */
export const DEFAULT_RATE_LIMITS: readonly RateLimit[] = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000 },
  { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 300000 },
];

export function intervalMs(limit: Pick<RateLimit, 'interval' | 'intervalNum'>): number {
  return INTERVAL_MS[limit.interval] * limit.intervalNum;
}

/** "1M", "10S", "1D": the suffix of X-MBX-USED-WEIGHT-* and X-MBX-ORDER-COUNT-* headers. */
export function intervalSuffix(limit: Pick<RateLimit, 'interval' | 'intervalNum'>): string {
  return `${limit.intervalNum}${INTERVAL_LETTER[limit.interval]}`;
}

export function usedWeightHeader(limit: Pick<RateLimit, 'interval' | 'intervalNum'>): string {
  return `X-MBX-USED-WEIGHT-${intervalSuffix(limit)}`;
}

export function orderCountHeader(limit: Pick<RateLimit, 'interval' | 'intervalNum'>): string {
  return `X-MBX-ORDER-COUNT-${intervalSuffix(limit)}`;
}

export function limitsOfType(table: readonly RateLimit[], type: RateLimitType): RateLimit[] {
  return table.filter((l) => l.rateLimitType === type);
}
