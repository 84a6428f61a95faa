import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, type RateLimit } from '@binance-sandbox/protocol';
import { MemoryLimitStore } from '../../src/limits/memory-store.js';
import { createLimitHeaderWriter } from '../../src/http/limit-headers.js';
import { limitPerText, retryAfterSeconds } from '../../src/limits/headers.js';
import { DEFAULT_BAN_POLICY } from '../../src/limits/types.js';
import { splitLimitTable, windowEnd, windowStart } from '../../src/limits/windows.js';
import { BASIC_TABLE, describeLimitStoreContract } from './store-contract.js';

describeLimitStoreContract('MemoryLimitStore', async (table, policy) => new MemoryLimitStore(table, policy));

const DAY = 86_400_000;

/** global.gc if the process has it, else turned on at run time (--expose-gc via v8 flags). */
function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}
const T0 = Date.UTC(2026, 0, 1);

describe('MemoryLimitStore specifics', () => {
  it('admit() is synchronous', () => {
    const store = new MemoryLimitStore(BASIC_TABLE);
    const r = store.admit({ ip: '1.2.3.4', weight: 1, now: T0 });
    expect(r).not.toBeInstanceOf(Promise);
    expect(r).toEqual({ outcome: 'ok', usedWeight: [1] });
  });

  it('memory stays bounded: 1,000,000 distinct IPs are dropped once their windows expired', async () => {
    const gc = exposeGc();
    const heap = () => {
      gc?.();
      return process.memoryUsage().heapUsed;
    };
    const store = new MemoryLimitStore(splitLimitTable(DEFAULT_RATE_LIMITS));
    const heapBefore = heap();
    const N = 1_000_000;
    const t = T0 + 30_000;
    for (let i = 0; i < N; i++) store.admit({ ip: `i${i}`, weight: 1, now: t + (i >> 10) });
    expect(store.size).toBe(N);
    const heapFull = heap();
    // Past every window (5M raw, 1M weight); no ban, so nothing matters any more.
    const later = t + 10 * 60_000;
    for (let i = 0; i < 600_000; i++)
      store.admit({ ip: `x${i & 1023}`, weight: 1, account: `acct${i & 63}`, orders: 1, now: later });
    const heapAfter = heap();
    const stats = store.stats;
    console.log(
      `bounded memory: heapUsed before ${(heapBefore / 1e6).toFixed(1)} MB, with 1M IPs ${(heapFull / 1e6).toFixed(1)} MB, ` +
        `after the sweep ${(heapAfter / 1e6).toFixed(1)} MB (gc ${gc ? 'forced' : 'not exposed'}); ` +
        `size ${store.size}, ip capacity ${stats.ipCapacity}`,
    );
    expect(store.size).toBe(1024 + 64);
    expect(stats.ipCapacity).toBeLessThanOrEqual(4096);
    if (gc) expect(heapAfter - heapBefore).toBeLessThan((heapFull - heapBefore) / 4);
    await store.close();
  }, 20_000);

  it('banned IPs are kept until the ban count decayed, then dropped', () => {
    const store = new MemoryLimitStore(BASIC_TABLE, { ...DEFAULT_BAN_POLICY, rejectionsBeforeBan: 0 });
    expect(store.admit({ ip: 'bad', weight: 11, now: T0 }).outcome).toBe('banned');
    const until = T0 + 120_000;
    // Long after every window, but within the decay period: the ban count must survive the sweep.
    for (let i = 0; i < 5000; i++) store.admit({ ip: `f${i % 100}`, weight: 0, now: until + DAY - 1 });
    expect(store.usage('bad', until + DAY - 1).banHistory).toHaveLength(1);
    expect(store.admit({ ip: 'bad', weight: 11, now: until + DAY - 1 })).toMatchObject({
      outcome: 'banned',
      retryAfterMs: 240_000,
    });
    const until2 = until + DAY - 1 + 240_000;
    for (let i = 0; i < 5000; i++) store.admit({ ip: `g${i % 100}`, weight: 0, now: until2 + DAY });
    expect(store.stats.strikes).toBe(0);
    expect(store.usage('bad', until2 + DAY).banHistory).toEqual([]);
    expect(store.size).toBe(100);
  });

  it('rejects tables with unusable intervals', () => {
    const bad = {
      ...BASIC_TABLE,
      requestWeight: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'WEEK', intervalNum: 1, limit: 1 } as unknown as RateLimit,
      ],
    };
    expect(() => new MemoryLimitStore(bad)).toThrow(RangeError);
  });

  it('refuses a non-finite now', () => {
    const store = new MemoryLimitStore(BASIC_TABLE);
    expect(() => store.admit({ ip: 'a', weight: 1, now: Number.NaN })).toThrow(RangeError);
    expect(store.admit({ ip: 'a', weight: 1, now: T0 })).toEqual({ outcome: 'ok', usedWeight: [1] });
    expect(store.admit({ ip: 'a', weight: 1, now: T0 + 60_000 })).toEqual({ outcome: 'ok', usedWeight: [1] });
  });

  it('works with an empty table', () => {
    const store = new MemoryLimitStore({ requestWeight: [], rawRequests: [], orders: [] });
    expect(store.admit({ ip: 'a', weight: 5, account: 'x', orders: 1, now: T0 })).toEqual({
      outcome: 'ok',
      usedWeight: [],
      orderCounts: [],
    });
    expect(store.usage('a', T0)).toMatchObject({ rawRequests: [], requestWeight: [] });
  });
});

describe('windows', () => {
  it('aligns windows on the interval; DAY is the UTC day', () => {
    const minute = { interval: 'MINUTE', intervalNum: 1 } as const;
    const tenSec = { interval: 'SECOND', intervalNum: 10 } as const;
    const day = { interval: 'DAY', intervalNum: 1 } as const;
    const t = Date.UTC(2026, 4, 17, 13, 45, 27, 456);
    expect(windowStart(minute, t)).toBe(Date.UTC(2026, 4, 17, 13, 45));
    expect(windowEnd(minute, t)).toBe(Date.UTC(2026, 4, 17, 13, 46));
    expect(windowStart(tenSec, t)).toBe(Date.UTC(2026, 4, 17, 13, 45, 20));
    expect(windowEnd(tenSec, t)).toBe(Date.UTC(2026, 4, 17, 13, 45, 30));
    expect(windowStart(day, t)).toBe(Date.UTC(2026, 4, 17));
    expect(windowEnd(day, t)).toBe(Date.UTC(2026, 4, 18));
    expect(windowStart(minute, Date.UTC(2026, 4, 17, 13, 46))).toBe(Date.UTC(2026, 4, 17, 13, 46));
  });

  it('splits a rateLimits table by type, keeping the order', () => {
    expect(splitLimitTable(DEFAULT_RATE_LIMITS)).toEqual({
      requestWeight: [DEFAULT_RATE_LIMITS[0]],
      orders: [DEFAULT_RATE_LIMITS[1], DEFAULT_RATE_LIMITS[2]],
      rawRequests: [DEFAULT_RATE_LIMITS[3]],
    });
    expect(() => splitLimitTable([{ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 0, limit: 1 }])).toThrow(
      RangeError,
    );
  });
});

describe('headers', () => {
  const table = splitLimitTable([
    ...DEFAULT_RATE_LIMITS,
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'SECOND', intervalNum: 10, limit: 100 },
  ]);

  const written = (list: string[]) => {
    const out: Record<string, string> = {};
    for (let i = 0; i < list.length; i += 2) out[list[i] as string] = list[i + 1] as string;
    return out;
  };

  it('X-MBX-USED-WEIGHT-* per REQUEST_WEIGHT interval plus the legacy 1-minute header', () => {
    expect(written(createLimitHeaderWriter(table).weight([], [1234, 56]))).toEqual({
      'X-MBX-USED-WEIGHT-1M': '1234',
      'X-MBX-USED-WEIGHT-10S': '56',
      'X-MBX-USED-WEIGHT': '1234',
    });
    const noMinute = splitLimitTable([
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 5, limit: 10 },
    ]);
    expect(written(createLimitHeaderWriter(noMinute).weight([], [3]))).toEqual({ 'X-MBX-USED-WEIGHT-5M': '3' });
  });

  it('X-MBX-ORDER-COUNT-* per ORDERS interval', () => {
    expect(written(createLimitHeaderWriter(table).orders([], [3, 17]))).toEqual({
      'X-MBX-ORDER-COUNT-10S': '3',
      'X-MBX-ORDER-COUNT-1D': '17',
    });
  });

  it('Retry-After: whole seconds, rounded up, at least 1', () => {
    expect(retryAfterSeconds(47_655)).toBe(48);
    expect(retryAfterSeconds(60_000)).toBe(60);
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(120_000)).toBe(120);
  });

  it('limit text for the -1003 / -1015 messages', () => {
    expect(limitPerText(table.requestWeight[0]!)).toBe('1 MINUTE');
    expect(limitPerText(table.orders[0]!)).toBe('10 SECOND');
    expect(limitPerText(table.rawRequests[0]!)).toBe('5 MINUTE');
    expect(limitPerText(table.orders[1]!)).toBe('1 DAY');
  });
});
