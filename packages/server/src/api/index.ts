import type { EndpointImpl } from '../context.js';
import { rateLimitOrder } from './account.js';
import { exchangeInfo, ping, time } from './general.js';
import { MARKET_IMPLS } from './market/index.js';
import { TRADING_IMPLS } from './trading/index.js';
import { USER_STREAM_IMPLS } from './user-stream/index.js';

/**
 * Endpoint implementations by protocol id. An endpoint declared in the protocol table without an
 * implementation here still runs the whole pipeline (limits, parameters, security) and then answers
 * -1020 "This operation is not supported."
 */
export const ENDPOINT_IMPLS: Readonly<Record<string, EndpointImpl>> = {
  ping,
  time,
  exchangeInfo,
  'account.rateLimits.orders': rateLimitOrder,
  ...MARKET_IMPLS,
  ...TRADING_IMPLS,
  ...USER_STREAM_IMPLS,
};
