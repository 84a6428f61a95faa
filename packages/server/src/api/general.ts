import { buildExchangeInfo } from '@binance-sandbox/protocol';
import type { EndpointImpl } from '../context.js';

/** GET /api/v3/ping */
export const ping: EndpointImpl = () => ({});

/** GET /api/v3/time */
export const time: EndpointImpl = ({ now }) => ({ serverTime: now });

/** GET /api/v3/exchangeInfo — generated from the protocol table plus the configured limits and symbols. */
export const exchangeInfo: EndpointImpl = ({ now, params, ctx }) =>
  buildExchangeInfo(
    {
      serverTime: now,
      rateLimits: ctx.config.rateLimits,
      exchangeFilters: ctx.config.exchangeFilters,
      // each symbol's status as it is now (the admin API may have changed it)
      symbols: ctx.config.symbols.map((d) => {
        const status = ctx.exchange.engine.symbolStatus(d.symbol);
        return status === d.status ? d : { ...d, status };
      }),
      sors: ctx.config.sors,
    },
    params,
  );
