/**
 * Kline interval arithmetic: bucket boundaries for every interval, shifted by a `timeZone` offset
 * (the interval is interpreted in that time zone; startTime/endTime and every returned time stay
 * UTC ms). Fixed-length intervals are aligned to the Unix epoch in local time (3d included); 1w
 * buckets start on Monday 00:00 local; 1M buckets are calendar months in local time.
 */
import { Err, type KlineInterval } from '@binance-sandbox/protocol';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
/** 1970-01-01 was a Thursday: the first Monday 00:00 is 4 days after the epoch. */
const MONDAY_OFFSET = 4 * DAY;

/** Length in ms of each interval; 1M has no fixed length (0). */
export const INTERVAL_MS: Readonly<Record<KlineInterval, number>> = {
  '1s': SECOND,
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '4h': 4 * HOUR,
  '6h': 6 * HOUR,
  '8h': 8 * HOUR,
  '12h': 12 * HOUR,
  '1d': DAY,
  '3d': 3 * DAY,
  '1w': WEEK,
  '1M': 0,
};

const TZ_RE = /^([+-]?)(\d{1,2})(?::(\d{2}))?$/;

/**
 * `timeZone` (docs): hours and minutes ("-1:00", "05:45") or only hours ("0", "8"), strictly within
 * [-12:00, +14:00]. Returns the offset in ms (local = UTC + offset). Anything else → -1130 "Data sent
 * for parameter 'timeZone' is not valid." (choice: docs name no code). Absent → 0.
 */
export function parseTimeZone(value: unknown): number {
  if (value === undefined) return 0;
  const m = typeof value === 'string' ? TZ_RE.exec(value) : null;
  if (!m) throw Err.invalidParameter('timeZone');
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (minutes >= 60) throw Err.invalidParameter('timeZone');
  const total = hours * 60 + minutes;
  const signed = m[1] === '-' ? -total : total;
  if (signed < -12 * 60 || signed > 14 * 60) throw Err.invalidParameter('timeZone');
  return signed * MINUTE;
}

/** Start (UTC ms) of the bucket of `interval` containing t, with the time-zone offset `tz` (ms). */
export function bucketStart(interval: KlineInterval, t: number, tz = 0): number {
  const local = t + tz;
  if (interval === '1M') {
    const d = new Date(local);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - tz;
  }
  if (interval === '1w') return Math.floor((local - MONDAY_OFFSET) / WEEK) * WEEK + MONDAY_OFFSET - tz;
  const len = INTERVAL_MS[interval];
  return Math.floor(local / len) * len - tz;
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucket(interval: KlineInterval, start: number, tz = 0): number {
  if (interval === '1M') {
    const d = new Date(start + tz);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - tz;
  }
  return start + (interval === '1w' ? WEEK : INTERVAL_MS[interval]);
}

/** Start of the bucket before the one starting at `start`. */
export function prevBucket(interval: KlineInterval, start: number, tz = 0): number {
  return bucketStart(interval, start - 1, tz);
}

/** First bucket start ≥ t. */
export function bucketAtOrAfter(interval: KlineInterval, t: number, tz = 0): number {
  const s = bucketStart(interval, t, tz);
  return s === t ? s : nextBucket(interval, s, tz);
}
