/** GET depth, trades, historicalTrades, historicalBlockTrades, aggTrades. */
import type { EndpointImpl } from '../../context.js';
import { formatUnits } from '../../engine/decimal.js';
import { blockTradeJson } from '../../market/block-trade-format.js';
import type { TradeEvent } from '../../engine/types.js';
import { limitParam, numParam, oneSymbol } from './common.js';

const levels = (side: readonly (readonly [number, number])[]) => side.map(([p, q]) => [formatUnits(p), formatUnits(q)]);

/** GET /api/v3/depth: limit default 100, max 5000; lastUpdateId from the engine's update id sequence. */
export const depth: EndpointImpl = (call) => {
  const symbol = oneSymbol(call, call.params['symbol'] as string);
  const book = call.ctx.exchange.engine.book(symbol, limitParam(call.params, 100, 5000));
  return { lastUpdateId: book.lastUpdateId, bids: levels(book.bids), asks: levels(book.asks) };
};

function tradeRow(t: TradeEvent) {
  return {
    id: t.tradeId,
    price: formatUnits(t.price),
    qty: formatUnits(t.qty),
    quoteQty: formatUnits(t.quoteQty),
    time: t.time,
    isBuyerMaker: t.isBuyerMaker,
    isBestMatch: true,
  };
}

/** GET /api/v3/trades: the most recent trades (limit default 500, max 1000). */
export const recentTrades: EndpointImpl = (call) => {
  const symbol = oneSymbol(call, call.params['symbol'] as string);
  return call.ctx.market
    .market(symbol)
    .trades.recent(limitParam(call.params, 500, 1000))
    .map(tradeRow);
};

/** GET /api/v3/historicalTrades: from `fromId` (inclusive) or the most recent; as far back as the log holds. */
export const historicalTrades: EndpointImpl = (call) => {
  const symbol = oneSymbol(call, call.params['symbol'] as string);
  const log = call.ctx.market.market(symbol).trades;
  const limit = limitParam(call.params, 500, 1000);
  const fromId = numParam(call.params, 'fromId');
  return (fromId === undefined ? log.recent(limit) : log.fromId(fromId, limit)).map(tradeRow);
};

/** GET /api/v3/historicalBlockTrades: from block trade id `fromId` (required), oldest first. */
export const historicalBlockTrades: EndpointImpl = (call) => {
  const symbol = oneSymbol(call, call.params['symbol'] as string);
  const fromId = numParam(call.params, 'fromId') as number;
  return call.ctx.exchange.engine.blockTrades(symbol, fromId, limitParam(call.params, 500, 1000)).map(blockTradeJson);
};

/** GET /api/v3/aggTrades. */
export const aggTrades: EndpointImpl = (call) => {
  const symbol = oneSymbol(call, call.params['symbol'] as string);
  const { params } = call;
  const rows = call.ctx.market.market(symbol).aggTrades.query({
    fromId: numParam(params, 'fromId'),
    startTime: numParam(params, 'startTime'),
    endTime: numParam(params, 'endTime'),
    limit: limitParam(params, 500, 1000),
  });
  return rows.map((a) => ({
    a: a.a,
    p: formatUnits(a.p),
    q: formatUnits(a.q),
    f: a.f,
    l: a.l,
    T: a.T,
    m: a.m,
    M: true,
  }));
};
