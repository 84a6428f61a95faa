/**
 * ORDERS limiter, Binance's counting rule (FAQ "unfilled order count"): the first fill of an order,
 * partial or full, takes 1 off its account's count in the current windows — also when the order was
 * placed in an earlier window, and also for a resting maker order filled by someone else.
 */
import type { SandboxContext } from '../../context.js';
import { EVENT_KIND } from '../../engine/index.js';

/** Subscribes once to the exchange's events (after journal recovery); returns the unsubscribe function. */
export function trackFirstFills(ctx: SandboxContext): () => void {
  return ctx.exchange.onEvents((events) => {
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e === undefined || e.type !== 'firstFill') continue;
      const now = ctx.clock.now();
      const done = ctx.limits.adjustOrders(String(e.accountId), -1, now);
      if (done instanceof Promise) done.catch(() => undefined);
    }
  }, EVENT_KIND.firstFill);
}
