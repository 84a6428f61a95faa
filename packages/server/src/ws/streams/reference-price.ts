/**
 * `<symbol>@referencePrice`: `{"e":"referencePrice","s":…,"r":…,"t":…}` every REFERENCE_PRICE_MS of
 * SANDBOX time (Binance: "Update Speed: 1000ms"; the reference price of the price-range execution
 * rule, faqs/price_range_execution_rules.md).
 *
 * `r` is the engine's reference price at `t` rendered as GET referencePrice renders it (quote asset
 * precision), JSON null when there is none now (no trade within the ARITHMETIC_MEAN window, an
 * EXTERNAL price cleared); `t` is the sandbox time of the message (µs with timeUnit=MICROSECOND).
 * A symbol that never had a reference price (no calculation configured, no trade / price set yet)
 * pushes nothing, like GET referencePrice answers -2043 for it; neither does an unknown symbol.
 *
 * Timing: the sandbox clock is checked every REFERENCE_PRICE_TICK_MS of real time. A stream pushes at
 * the first check where its symbol has a reference price, then each time the sandbox clock reaches
 * the next multiple of REFERENCE_PRICE_MS after that first message (one message per period, whatever
 * the market did — unlike avgPrice, nothing is deduplicated). A clock jump over several periods
 * pushes one message, not a burst; a clock that stands still (manual test clocks) pushes nothing.
 */
import { formatReferencePrice } from '../../market/reference-price-format.js';
import { engineSymbol, every, str } from './common.js';
import type { ActiveStream, StreamHubView, StreamModule } from './types.js';

/** Sandbox time between two messages of one stream, ms. */
export const REFERENCE_PRICE_MS = 1000;
/** Real-time period of the scheduler that watches the sandbox clock, ms. */
export const REFERENCE_PRICE_TICK_MS = 100;

/** The first slot of the grid `due + k·REFERENCE_PRICE_MS` (k ≥ 1) after `now`. */
const nextDue = (due: number, now: number): number =>
  due + (Math.floor((now - due) / REFERENCE_PRICE_MS) + 1) * REFERENCE_PRICE_MS;

export const referencePriceStream: StreamModule = {
  id: 'referencePrice',
  parse: (symbol, suffix) => (symbol !== '' && suffix === 'referencePrice' ? true : undefined),
  start(hub: StreamHubView) {
    const { ctx } = hub;
    /** Sandbox time at which each stream's next message is due (absent: at its first reference price). */
    const dueAt = new Map<ActiveStream, number>();
    return every(REFERENCE_PRICE_TICK_MS, () => {
      const active = hub.active(referencePriceStream);
      for (const s of dueAt.keys()) if (!active.has(s)) dueAt.delete(s);
      if (active.size === 0) return;
      const now = ctx.clock.now();
      const engine = ctx.exchange.engine;
      for (const stream of active) {
        const due = dueAt.get(stream);
        if (due !== undefined && now < due) continue;
        const symbol = engineSymbol(ctx, stream.symbol);
        if (symbol === undefined) continue; // unknown symbol: accepted, never emits
        const v = engine.referencePrice(symbol, now);
        if (v === undefined) {
          dueAt.delete(stream); // no reference price (any more, e.g. after a reset): start over
          continue;
        }
        dueAt.set(stream, due === undefined ? now + REFERENCE_PRICE_MS : nextDue(due, now));
        const r = v === null ? 'null' : str(formatReferencePrice(engine, symbol, v));
        const head = `{"e":"referencePrice","s":${str(symbol)},"r":${r},"t":`;
        stream.publish((scale) => `${head}${now * scale}}`);
      }
    });
  },
};
