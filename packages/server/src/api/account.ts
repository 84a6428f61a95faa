import type { EndpointImpl } from '../context.js';

/** GET /api/v3/rateLimit/order — the account's unfilled order counts in the current windows. */
export const rateLimitOrder: EndpointImpl = async ({ accountId, now, ctx }) => {
  const counts = await ctx.limits.orderCounts(String(accountId), now);
  return ctx.limitTable.orders.map((l, i) => ({
    rateLimitType: l.rateLimitType,
    interval: l.interval,
    intervalNum: l.intervalNum,
    limit: l.limit,
    count: counts[i] ?? 0,
  }));
};
