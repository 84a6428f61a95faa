/**
 * `<symbol>@kline_<interval>` and `<symbol>@kline_<interval>@+08:00` (buckets in UTC+8, times UTC).
 *
 * Numbers come from the market read models (`queryCandles`, the same folding GET klines uses), so a
 * stream kline equals the REST kline of that open time. Cadence, in REAL time: the current kline is
 * pushed when it differs from the last one pushed, at most every 2000 ms (1000 ms for 1s) — a quiet
 * market pushes nothing. When the SANDBOX clock passes the end of the tracked bucket (checked every
 * 250 ms of real time and before any newer kline is pushed), that bucket's final kline is pushed once
 * with `x: true`, and so is that of every later bucket the clock has passed since that holds trades
 * (a clock advanced several times within one check, or a fast-forward: no traded kline is skipped);
 * passed buckets without trades are not pushed (flat klines at the last close, `n` 0, `f`/`L` −1, as
 * GET klines serves them). The next push is the new current bucket. A stream is tracked from the
 * bucket it was subscribed in. Before a symbol's first trade nothing is pushed.
 */
import { KLINE_INTERVALS, type KlineInterval } from '@binance-sandbox/protocol';
import { formatUnits } from '../../engine/decimal.js';
import type { Candle } from '../../market/candles.js';
import { bucketStart, HOUR, nextBucket } from '../../market/intervals.js';
import { queryCandles, tierFor } from '../../market/klines.js';
import type { SandboxContext } from '../../context.js';
import { engineSymbol, every, jsonObject, str, type Field } from './common.js';
import type { ActiveStream, StreamHubView, StreamModule } from './types.js';

const INTERVALS = new Set<string>(KLINE_INTERVALS);

/** Real-time scheduler period (close detection), ms. */
export const KLINE_TICK_MS = 250;
/** Minimum real time between two update pushes of one stream, ms. */
export const klineCadenceMs = (interval: KlineInterval): number => (interval === '1s' ? 1000 : 2000);

interface KlineParams {
  readonly interval: KlineInterval;
  /** Time-zone offset, ms. */
  readonly tz: number;
}

interface KState {
  /** Start of the bucket being tracked (NaN: none yet). */
  bucket: number;
  /** The last pushed kline without `E` (change detection). */
  lastBody: string | undefined;
  lastPushReal: number;
}

function candleAt(ctx: SandboxContext, symbol: string, p: KlineParams, start: number, now: number) {
  const store = ctx.market.market(symbol).candles;
  return queryCandles(store, { interval: p.interval, tz: p.tz, startTime: start, endTime: start, limit: 1, now })[0];
}

/**
 * Starts of the buckets in [from, to) that hold trades, ascending: found in the candle tier the
 * interval is folded from (it keeps only buckets with trades), so a long jump of the clock costs
 * nothing for its quiet buckets.
 */
function tradedBuckets(ctx: SandboxContext, symbol: string, p: KlineParams, from: number, to: number): number[] {
  const tier = tierFor(ctx.market.market(symbol).candles, p.interval, p.tz);
  const out: number[] = [];
  for (let i = tier.indexAtOrAfter(from); i < tier.ring.length; i++) {
    const start = tier.ring.at(i).start;
    if (start >= to) break;
    const b = bucketStart(p.interval, start, p.tz);
    if (out[out.length - 1] !== b) out.push(b);
  }
  return out;
}

function klineFields(symbol: string, interval: string, c: Candle, closeTime: number, closed: boolean): Field[] {
  return [
    ['t', c.start, true],
    ['T', closeTime, true],
    ['s', str(symbol)],
    ['i', str(interval)],
    ['f', String(c.firstId)],
    ['L', String(c.lastId)],
    ['o', str(formatUnits(c.open))],
    ['c', str(formatUnits(c.close))],
    ['h', str(formatUnits(c.high))],
    ['l', str(formatUnits(c.low))],
    ['v', str(formatUnits(c.volume))],
    ['n', String(c.count)],
    ['x', String(closed)],
    ['q', str(formatUnits(c.quote))],
    ['V', str(formatUnits(c.takerBase))],
    ['Q', str(formatUnits(c.takerQuote))],
    ['B', '"0"'],
  ];
}

/** Sandbox time each stream got its first subscriber (its first tracked bucket). */
const subscribedAt = new WeakMap<ActiveStream, number>();

export const klineStream: StreamModule = {
  id: 'kline',
  onActivate(stream) {
    subscribedAt.set(stream, stream.hub.ctx.clock.now());
  },
  parse(symbol, suffix): KlineParams | undefined {
    if (symbol === '') return undefined;
    const m = /^kline_([0-9]+[smhdwM])(@\+08:00)?$/.exec(suffix);
    if (m === null || !INTERVALS.has(m[1]!)) return undefined;
    return { interval: m[1] as KlineInterval, tz: m[2] === undefined ? 0 : 8 * HOUR };
  },
  start(hub: StreamHubView) {
    const { ctx } = hub;
    const states = new Map<ActiveStream, KState>();
    const push = (
      stream: ActiveStream,
      symbol: string,
      p: KlineParams,
      c: Candle,
      closeTime: number,
      closed: boolean,
    ): string => {
      const k = klineFields(symbol, p.interval, c, closeTime, closed);
      const E = ctx.clock.now();
      const head = `{"e":"kline","E":`;
      const rest = `,"s":${str(symbol)},"k":`;
      stream.publish((scale) => `${head}${E * scale}${rest}${jsonObject(k, scale)}}`);
      return jsonObject(k, 1);
    };
    let real = 0; // real time elapsed, counted in scheduler ticks (the sandbox clock may stand still)
    return every(KLINE_TICK_MS, () => {
      real += KLINE_TICK_MS;
      const active = hub.active(klineStream);
      for (const s of states.keys()) if (!active.has(s)) states.delete(s);
      if (active.size === 0) return;
      const now = ctx.clock.now();
      for (const stream of active) {
        const symbol = engineSymbol(ctx, stream.symbol);
        if (symbol === undefined) continue; // unknown symbol: accepted, never emits
        const p = stream.params as KlineParams;
        let st = states.get(stream);
        if (st === undefined) {
          st = { bucket: NaN, lastBody: undefined, lastPushReal: -Infinity };
          states.set(stream, st);
        }
        const cur = bucketStart(p.interval, now, p.tz);
        // first seen: track from the bucket it was subscribed in (the clock may have moved since)
        if (Number.isNaN(st.bucket)) st.bucket = bucketStart(p.interval, subscribedAt.get(stream) ?? now, p.tz);
        if (st.bucket < cur) {
          // the tracked bucket's final kline, then those of the buckets the clock passed that hold trades
          for (const start of [
            st.bucket,
            ...tradedBuckets(ctx, symbol, p, nextBucket(p.interval, st.bucket, p.tz), cur),
          ]) {
            const done = candleAt(ctx, symbol, p, start, now);
            if (done === undefined) continue;
            push(stream, symbol, p, done.candle, done.closeTime, true);
            st.lastPushReal = real;
          }
          st.bucket = cur;
          st.lastBody = undefined;
        }
        if (real - st.lastPushReal < klineCadenceMs(p.interval)) continue;
        const live = candleAt(ctx, symbol, p, cur, now);
        if (live === undefined) continue;
        const body = jsonObject(klineFields(symbol, p.interval, live.candle, live.closeTime, false), 1);
        if (body === st.lastBody) continue;
        st.lastBody = push(stream, symbol, p, live.candle, live.closeTime, false);
        st.lastPushReal = real;
      }
    });
  },
};
