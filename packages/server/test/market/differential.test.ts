/**
 * Klines and window statistics against a naive model on seeded random trade streams: every bucket
 * recomputed from the list of trades (calendar arithmetic with Date for months, epoch arithmetic for
 * the rest, the time zone applied by hand), every window by scanning the trades. Covers every
 * interval but 1s (its tier holds one hour: read-models.test.ts), time zones that the hour and day
 * tiers can serve and ones that only the minute tier can (05:45, -03:30), limits, startTime and
 * endTime.
 */
import { describe, expect, it } from 'vitest';
import { KLINE_INTERVALS, type KlineInterval } from '@binance-sandbox/protocol';
import type { TradeEvent } from '../../src/engine/types.js';
import { CandleStore } from '../../src/market/candles.js';
import { queryKlines } from '../../src/market/klines.js';
import { TradeLog } from '../../src/market/trade-log.js';
import { windowStats } from '../../src/market/window-stats.js';
import { mulberry32 } from '../engine/helpers.js';
import { syntheticTrade } from './synthetic-trade.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ZONES = [0, 8 * HOUR, -HOUR, 14 * HOUR, -12 * HOUR, 5 * HOUR + 45 * MIN, -(3 * HOUR + 30 * MIN)];

function trades(seed: number, n: number): TradeEvent[] {
  const r = mulberry32(seed);
  let t = Date.UTC(2026, 0, 28, 21, 17, 3, 250); // a few days before a month's end
  let price = 3_000_000; // ticks of 0.01
  const out: TradeEvent[] = [];
  for (let i = 1; i <= n; i++) {
    const g = r();
    t += g < 0.4 ? Math.floor(r() * 5000) : g < 0.9 ? Math.floor(r() * 10 * MIN) : Math.floor(r() * 12 * HOUR);
    if (r() < 0.05) t = Math.ceil(t / MIN) * MIN; // some on a minute's first millisecond
    price = Math.max(1, price + Math.floor(r() * 41) - 20);
    const p = price * 1_000_000;
    const q = (1 + Math.floor(r() * 500_000)) * 1000;
    out.push(syntheticTrade({ tradeId: i, price: p, qty: q, time: t, isBuyerMaker: r() < 0.5 }));
  }
  return out;
}

const FIXED: Partial<Record<KlineInterval, number>> = {
  '1m': MIN,
  '3m': 3 * MIN,
  '5m': 5 * MIN,
  '15m': 15 * MIN,
  '30m': 30 * MIN,
  '1h': HOUR,
  '2h': 2 * HOUR,
  '4h': 4 * HOUR,
  '6h': 6 * HOUR,
  '8h': 8 * HOUR,
  '12h': 12 * HOUR,
  '1d': DAY,
  '3d': 3 * DAY,
};

/** The naive bucket of `t`: local time = UTC + tz; weeks start on Monday; months on the 1st. */
function naiveStart(interval: KlineInterval, t: number, tz: number): number {
  const local = new Date(t + tz);
  if (interval === '1M') return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - tz;
  if (interval === '1w') {
    const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
    const sinceMonday = (local.getUTCDay() + 6) % 7;
    return midnight - sinceMonday * DAY - tz;
  }
  const len = FIXED[interval] as number;
  return Math.floor((t + tz) / len) * len - tz;
}

function naiveNext(interval: KlineInterval, start: number, tz: number): number {
  if (interval === '1M') {
    const d = new Date(start + tz);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - tz;
  }
  return start + (interval === '1w' ? 7 * DAY : (FIXED[interval] as number));
}

const dec = (u: bigint | number): string => {
  const s = BigInt(u).toString().padStart(9, '0');
  return `${s.slice(0, -8)}.${s.slice(-8)}`;
};

/** Every bucket from the first trade's to now's: trades folded, empty ones flat at the previous close. */
function naiveKlines(ts: readonly TradeEvent[], interval: KlineInterval, tz: number, now: number) {
  const rows: (string | number)[][] = [];
  let i = 0;
  let prevClose = -1;
  const lastStart = naiveStart(interval, now, tz);
  for (let s = naiveStart(interval, (ts[0] as TradeEvent).time, tz); s <= lastStart; s = naiveNext(interval, s, tz)) {
    const e = naiveNext(interval, s, tz);
    const inside: TradeEvent[] = [];
    while (i < ts.length && (ts[i] as TradeEvent).time < e) inside.push(ts[i++] as TradeEvent);
    const prices = inside.map((t) => t.price);
    const open = inside.length ? (prices[0] as number) : prevClose;
    const close = inside.length ? (prices[prices.length - 1] as number) : prevClose;
    const sum = (f: (t: TradeEvent) => bigint, only = (_t: TradeEvent) => true) =>
      inside.filter(only).reduce((a, t) => a + f(t), 0n);
    const takerBuys = (t: TradeEvent) => !t.isBuyerMaker;
    rows.push([
      s,
      dec(open),
      dec(inside.length ? Math.max(...prices) : prevClose),
      dec(inside.length ? Math.min(...prices) : prevClose),
      dec(close),
      dec(sum((t) => BigInt(t.qty))),
      e - 1,
      dec(sum((t) => t.quoteQty)),
      inside.length,
      dec(sum((t) => BigInt(t.qty), takerBuys)),
      dec(sum((t) => t.quoteQty, takerBuys)),
      '0',
    ]);
    prevClose = close;
  }
  return rows;
}

/** Binance's selection: by open time within [startTime, endTime]; the oldest `limit` from a startTime, else the newest. */
function select<T extends (string | number)[]>(
  rows: T[],
  q: { startTime?: number; endTime?: number; limit: number },
): T[] {
  const within = rows.filter(
    (r) =>
      (q.startTime === undefined || (r[0] as number) >= q.startTime) &&
      (q.endTime === undefined || (r[0] as number) <= q.endTime),
  );
  return q.startTime !== undefined ? within.slice(0, q.limit) : within.slice(Math.max(0, within.length - q.limit));
}

describe('market data vs a naive model', () => {
  for (const seed of [1, 2]) {
    const ts = trades(seed, 1500);
    const first = (ts[0] as TradeEvent).time;
    const last = (ts[ts.length - 1] as TradeEvent).time;
    const candles = new CandleStore();
    const log = new TradeLog(ts.length);
    for (const t of ts) {
      candles.add(t);
      log.add(t);
    }
    it(`klines of every interval and time zone (seed ${seed}: ${ts.length} trades over ${Math.round((last - first) / DAY)} days)`, () => {
      const r = mulberry32(seed * 7);
      let compared = 0;
      for (const interval of KLINE_INTERVALS) {
        if (interval === '1s') continue;
        for (const tz of ZONES) {
          const now = last + Math.floor(r() * 3 * HOUR);
          const all = naiveKlines(ts, interval, tz, now);
          for (let k = 0; k < 4; k++) {
            const span = now - first;
            const q = {
              limit: 1 + Math.floor(r() * (k === 0 ? 1000 : 40)),
              ...(k === 1 || k === 3 ? { startTime: first - DAY + Math.floor(r() * (span + DAY)) } : {}),
              ...(k >= 2 ? { endTime: first + Math.floor(r() * (span + DAY)) } : {}),
            };
            const want = select(all, q);
            const got = queryKlines(candles, { interval, tz, now, ...q });
            expect(got, `${interval} tz ${tz / MIN} min ${JSON.stringify(q)}`).toEqual(want);
            compared += want.length;
          }
        }
      }
      expect(compared).toBeGreaterThan(3000);
    });
    it(`window statistics of rolling windows (seed ${seed})`, () => {
      const r = mulberry32(seed * 13);
      for (let k = 0; k < 400; k++) {
        // now: anywhere, or the very time of a trade (a window ending on it includes it)
        const now =
          k % 3 === 0 ? ts[Math.floor(r() * ts.length)]!.time : first + Math.floor(r() * (last - first + HOUR));
        const from = now - Math.floor(r() * (k % 2 ? DAY : 7 * DAY));
        // the stores hold what happened up to `now`
        const upTo = ts.filter((t) => t.time <= now);
        if (upTo.length === 0) continue;
        const c = new CandleStore();
        const l = new TradeLog(ts.length);
        for (const t of upTo) {
          c.add(t);
          l.add(t);
        }
        const inside = upTo.filter((t) => t.time >= from);
        const before = upTo.filter((t) => t.time < from);
        const st = windowStats(c, l, from, now);
        expect(st.prevClose, `prevClose [${from}, ${now}]`).toBe(before.length ? before[before.length - 1]!.price : -1);
        if (inside.length === 0) {
          expect(st.candle).toBeNull();
          continue;
        }
        const prices = inside.map((t) => t.price);
        expect(
          st.candle && {
            open: st.candle.open,
            high: st.candle.high,
            low: st.candle.low,
            close: st.candle.close,
            volume: st.candle.volume,
            quote: st.candle.quote,
            count: st.candle.count,
            firstId: st.candle.firstId,
            lastId: st.candle.lastId,
          },
          `window [${from}, ${now}]`,
        ).toEqual({
          open: prices[0],
          high: Math.max(...prices),
          low: Math.min(...prices),
          close: prices[prices.length - 1],
          volume: inside.reduce((a, t) => a + BigInt(t.qty), 0n),
          quote: inside.reduce((a, t) => a + t.quoteQty, 0n),
          count: inside.length,
          firstId: inside[0]!.tradeId,
          lastId: inside[inside.length - 1]!.tradeId,
        });
      }
    });
  }
});
