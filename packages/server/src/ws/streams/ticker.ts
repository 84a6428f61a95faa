/**
 * `<symbol>@miniTicker`, `!miniTicker@arr`, `<symbol>@ticker`, `<symbol>@ticker_<1h|4h|1d>`,
 * `!ticker_<1h|4h|1d>@arr` and `<symbol>@avgPrice`, every 1000 ms of REAL time.
 *
 * Numbers come from the same read models and formatting as the REST endpoints (window-stats.ts,
 * ticker-format.ts, the engine's avgPrice), over the same windows: @ticker / @miniTicker = GET
 * ticker/24hr ([now − 24 h, now], O = now − 24 h); @ticker_<w> = GET ticker?windowSize=<w> (O =
 * now − w floored to the minute, C = now); @avgPrice = GET avgPrice (i "5m", w = price, T = last
 * trade time). So a stream message and a REST answer at the same sandbox time agree.
 *
 * A message is pushed only when something but E/O/C changed since the stream's last push (a quiet
 * market pushes nothing). The `@arr` streams list only the symbols that changed (never-traded
 * symbols are left out), nothing when none did. @avgPrice stays quiet before the symbol's first trade.
 */
import { formatUnits } from '../../engine/decimal.js';
import type { SandboxContext } from '../../context.js';
import { DAY, HOUR, MINUTE } from '../../market/intervals.js';
import { render24hr, renderWindow, type BookTop, type TickerInput } from '../../market/ticker-format.js';
import { engineSymbol, every, jsonObject, str, type Field } from './common.js';
import type { ActiveStream, StreamHubView, StreamModule } from './types.js';

export const TICKER_MS = 1000;
/** Minutes of the average price window (as GET avgPrice). */
const AVG_PRICE_MINS = 5;
const WINDOWS: Readonly<Record<string, number>> = { '1h': HOUR, '4h': 4 * HOUR, '1d': DAY };

const bookTop = (ctx: SandboxContext, symbol: string): BookTop => ctx.market.bookTop(symbol);

const tickerInput = (
  ctx: SandboxContext,
  symbol: string,
  from: number,
  openTime: number,
  closeTime: number,
  now: number,
): TickerInput => ctx.market.tickerInput(symbol, from, openTime, closeTime, now);

/** One symbol's payload: fields without e/E/s (times flagged), and whether the window had trades. */
interface Payload {
  readonly fields: Field[];
  /** Change signature: every field but the times. */
  readonly sig: string;
  readonly traded: boolean;
}

const q = (v: unknown): string => str(String(v));
const n = (v: unknown): string => String(v);

function payload(fields: Field[], traded: boolean): Payload {
  let sig = '';
  for (const f of fields) if (f.length === 2) sig += `${f[0]}=${f[1]};`;
  return { fields, sig, traded };
}

/** `24hrMiniTicker` fields (c, o, h, l, v, q). */
export function miniTicker(ctx: SandboxContext, symbol: string, now: number): Payload {
  const from = now - DAY;
  const input = tickerInput(ctx, symbol, from, from, now, now);
  const r = render24hr(input, 'MINI', bookTop(ctx, symbol));
  return payload(
    [
      ['c', q(r.lastPrice)],
      ['o', q(r.openPrice)],
      ['h', q(r.highPrice)],
      ['l', q(r.lowPrice)],
      ['v', q(r.volume)],
      ['q', q(r.quoteVolume)],
    ],
    input.candle !== null,
  );
}

/** `24hrTicker` fields. */
export function ticker24(ctx: SandboxContext, symbol: string, now: number): Payload {
  const from = now - DAY;
  const input = tickerInput(ctx, symbol, from, from, now, now);
  const r = render24hr(input, 'FULL', bookTop(ctx, symbol));
  return payload(
    [
      ['p', q(r.priceChange)],
      ['P', q(r.priceChangePercent)],
      ['w', q(r.weightedAvgPrice)],
      ['x', q(r.prevClosePrice)],
      ['c', q(r.lastPrice)],
      ['Q', q(r.lastQty)],
      ['b', q(r.bidPrice)],
      ['B', q(r.bidQty)],
      ['a', q(r.askPrice)],
      ['A', q(r.askQty)],
      ['o', q(r.openPrice)],
      ['h', q(r.highPrice)],
      ['l', q(r.lowPrice)],
      ['v', q(r.volume)],
      ['q', q(r.quoteVolume)],
      ['O', r.openTime as number, true],
      ['C', r.closeTime as number, true],
      ['F', n(r.firstId)],
      ['L', n(r.lastId)],
      ['n', n(r.count)],
    ],
    input.candle !== null,
  );
}

/** `<w>Ticker` fields (rolling window w, as GET ticker?windowSize=w). */
export function tickerWindow(ctx: SandboxContext, symbol: string, windowMs: number, now: number): Payload {
  const openTime = Math.floor((now - windowMs) / MINUTE) * MINUTE;
  const input = tickerInput(ctx, symbol, openTime, openTime, now, now);
  const r = renderWindow(input, 'FULL');
  return payload(
    [
      ['p', q(r.priceChange)],
      ['P', q(r.priceChangePercent)],
      ['o', q(r.openPrice)],
      ['h', q(r.highPrice)],
      ['l', q(r.lowPrice)],
      ['c', q(r.lastPrice)],
      ['w', q(r.weightedAvgPrice)],
      ['v', q(r.volume)],
      ['q', q(r.quoteVolume)],
      ['O', r.openTime as number, true],
      ['C', r.closeTime as number, true],
      ['F', n(r.firstId)],
      ['L', n(r.lastId)],
      ['n', n(r.count)],
    ],
    input.candle !== null,
  );
}

function message(event: string, E: number, symbol: string, p: Payload, scale: number): string {
  const all: Field[] = [['e', str(event)], ['E', E, true], ['s', str(symbol)], ...p.fields];
  return jsonObject(all, scale);
}

type Compute = (ctx: SandboxContext, symbol: string, now: number) => Payload;

interface SymbolParams {
  readonly event: string;
  readonly compute: Compute;
}

/**
 * A per-symbol stream family: every TICKER_MS, each active stream's payload is computed and pushed
 * when its signature changed.
 */
function perSymbol(id: string, parse: (suffix: string) => SymbolParams | undefined): StreamModule {
  const module: StreamModule = {
    id,
    parse: (symbol, suffix) => (symbol === '' ? undefined : parse(suffix)),
    start(hub: StreamHubView) {
      const { ctx } = hub;
      const last = new Map<ActiveStream, string>();
      return every(TICKER_MS, () => {
        const active = hub.active(module);
        for (const s of last.keys()) if (!active.has(s)) last.delete(s);
        if (active.size === 0) return;
        const now = ctx.clock.now();
        for (const stream of active) {
          const symbol = engineSymbol(ctx, stream.symbol);
          if (symbol === undefined) continue;
          const params = stream.params as SymbolParams;
          const p = params.compute(ctx, symbol, now);
          if (last.get(stream) === p.sig) continue;
          last.set(stream, p.sig);
          stream.publish((scale) => message(params.event, now, symbol, p, scale));
        }
      });
    },
  };
  return module;
}

const MINI: SymbolParams = { event: '24hrMiniTicker', compute: miniTicker };
const FULL: SymbolParams = { event: '24hrTicker', compute: ticker24 };
const windowParams = (w: string): SymbolParams => {
  const ms = WINDOWS[w]!;
  return { event: `${w}Ticker`, compute: (ctx, symbol, now) => tickerWindow(ctx, symbol, ms, now) };
};
const WINDOW_PARAMS: Readonly<Record<string, SymbolParams>> = {
  '1h': windowParams('1h'),
  '4h': windowParams('4h'),
  '1d': windowParams('1d'),
};

export const miniTickerStream = perSymbol('miniTicker', (suffix) => (suffix === 'miniTicker' ? MINI : undefined));

export const tickerStream = perSymbol('ticker', (suffix) => {
  if (suffix === 'ticker') return FULL;
  const m = /^ticker_(1h|4h|1d)$/.exec(suffix);
  return m === null ? undefined : WINDOW_PARAMS[m[1]!];
});

/**
 * `!miniTicker@arr`, `!ticker@arr`, `!ticker_<w>@arr`: arrays of the changed symbols' payloads.
 * (`!ticker@arr` was retired by Binance in 2026-03 but older clients still subscribe to it.)
 */
export const allTickersStream: StreamModule = {
  id: 'tickerArr',
  parse(symbol, suffix): SymbolParams | undefined {
    if (symbol !== '') return undefined;
    if (suffix === 'miniTicker@arr') return MINI;
    if (suffix === 'ticker@arr') return FULL;
    const m = /^ticker_(1h|4h|1d)@arr$/.exec(suffix);
    return m === null ? undefined : WINDOW_PARAMS[m[1]!];
  },
  start(hub: StreamHubView) {
    const { ctx } = hub;
    const last = new Map<ActiveStream, Map<string, string>>();
    return every(TICKER_MS, () => {
      const active = hub.active(allTickersStream);
      for (const s of last.keys()) if (!active.has(s)) last.delete(s);
      if (active.size === 0) return;
      const now = ctx.clock.now();
      const names = ctx.exchange.engine.symbolNames();
      for (const stream of active) {
        const params = stream.params as SymbolParams;
        let seen = last.get(stream);
        if (seen === undefined) last.set(stream, (seen = new Map()));
        const changed: { symbol: string; p: Payload }[] = [];
        for (const symbol of names) {
          const p = params.compute(ctx, symbol, now);
          const before = seen.get(symbol);
          if (before === p.sig || (before === undefined && !p.traded)) continue;
          seen.set(symbol, p.sig);
          changed.push({ symbol, p });
        }
        if (changed.length === 0) continue;
        stream.publish(
          (scale) => `[${changed.map((c) => message(params.event, now, c.symbol, c.p, scale)).join(',')}]`,
        );
      }
    });
  },
};

/** `<symbol>@avgPrice`: `{e:"avgPrice", E, s, i:"5m", w, T}`. */
export const avgPriceStream: StreamModule = {
  id: 'avgPrice',
  parse: (symbol, suffix) => (symbol !== '' && suffix === 'avgPrice' ? true : undefined),
  start(hub: StreamHubView) {
    const { ctx } = hub;
    const last = new Map<ActiveStream, string>();
    return every(TICKER_MS, () => {
      const active = hub.active(avgPriceStream);
      for (const s of last.keys()) if (!active.has(s)) last.delete(s);
      if (active.size === 0) return;
      const now = ctx.clock.now();
      for (const stream of active) {
        const symbol = engineSymbol(ctx, stream.symbol);
        if (symbol === undefined) continue;
        const price = ctx.exchange.engine.avgPrice(symbol, now, AVG_PRICE_MINS);
        const lastTrade = ctx.market.market(symbol).trades.last();
        if (price < 0 || lastTrade === undefined) continue;
        const w = formatUnits(price);
        const T = lastTrade.time;
        const sig = `${w}/${T}`;
        if (last.get(stream) === sig) continue;
        last.set(stream, sig);
        stream.publish(
          (scale) =>
            `{"e":"avgPrice","E":${now * scale},"s":${str(symbol)},"i":"${AVG_PRICE_MINS}m","w":${str(w)},"T":${T * scale}}`,
        );
      }
    });
  },
};
