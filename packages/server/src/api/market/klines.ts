/** GET klines and uiKlines (identical here, as on the testnet). */
import type { KlineInterval } from '@binance-sandbox/protocol';
import type { EndpointImpl } from '../../context.js';
import { parseTimeZone } from '../../market/intervals.js';
import { queryKlines } from '../../market/klines.js';
import { limitParam, numParam, oneSymbol } from './common.js';

export const klines: EndpointImpl = (call) => {
  const { params } = call;
  const symbol = oneSymbol(call, params['symbol'] as string);
  const tz = parseTimeZone(params['timeZone']);
  return queryKlines(call.ctx.market.market(symbol).candles, {
    interval: params['interval'] as KlineInterval,
    tz,
    startTime: numParam(params, 'startTime'),
    endTime: numParam(params, 'endTime'),
    limit: limitParam(params, 500, 1000),
    now: call.now,
  });
};
