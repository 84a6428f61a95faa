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
      symbols: ctx.config.symbols,
      sors: ctx.config.sors,
    },
    params,
  );
