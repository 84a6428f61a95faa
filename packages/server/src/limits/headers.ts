import type { RateLimit } from '@binance-sandbox/protocol';

/** Legacy header (CL 2019): the 1-minute REQUEST_WEIGHT value without an interval suffix. */
export const LEGACY_USED_WEIGHT_HEADER = 'X-MBX-USED-WEIGHT';

/** Retry-After value: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(ms: number): number {
  const s = Math.ceil(ms / 1000);
  return s >= 1 ? s : 1;
}

/** "1 MINUTE", "10 SECOND", "5 MINUTE": the `per %s` part of the -1003 / -1015 messages. */
export function limitPerText(rateLimit: Pick<RateLimit, 'interval' | 'intervalNum'>): string {
  return `${rateLimit.intervalNum} ${rateLimit.interval}`;
}
