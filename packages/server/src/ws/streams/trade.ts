/** `<symbol>@trade` and `<symbol>@aggTrade`, real time, from the market read models' trade feed. */
import { formatUnits } from '../../engine/decimal.js';
import { EVENT_KIND } from '../../engine/types.js';
import type { AggTrade } from '../../market/agg-trades.js';
import type { ActiveStream, StreamHubView, StreamModule } from './types.js';

export const tradeStream: StreamModule = {
  id: 'trade',
  parse: (symbol, suffix) => (symbol !== '' && suffix === 'trade' ? true : undefined),
  start(hub: StreamHubView) {
    const { ctx } = hub;
    return ctx.market.onTrade((_m, t) => {
      const stream = hub.get(`${t.symbol.toLowerCase()}@trade`);
      if (stream === undefined) return;
      const E = ctx.clock.now();
      const head = `{"e":"trade","E":`;
      const body = `,"s":"${t.symbol}","t":${t.tradeId},"p":"${formatUnits(t.price)}","q":"${formatUnits(t.qty)}","T":`;
      const tail = `,"m":${t.isBuyerMaker},"M":true}`;
      stream.publish((k) => `${head}${E * k}${body}${t.time * k}${tail}`);
    });
  },
};

/**
 * Aggregate trades are final once the command that made them is done (consecutive fills of one
 * taker order at one price, all in one command): the aggregates touched by a batch of engine
 * events are published once each, after the batch, in id order.
 */
export const aggTradeStream: StreamModule = {
  id: 'aggTrade',
  parse: (symbol, suffix) => (symbol !== '' && suffix === 'aggTrade' ? true : undefined),
  start(hub: StreamHubView) {
    const { ctx } = hub;
    let pending: { stream: ActiveStream; symbol: string; agg: AggTrade }[] = [];
    const offTrade = ctx.market.onTrade((m, _t, agg) => {
      const stream = hub.get(`${m.symbol.toLowerCase()}@aggTrade`);
      if (stream === undefined) return;
      const last = pending[pending.length - 1];
      if (last !== undefined && last.agg === agg) return;
      pending.push({ stream, symbol: m.symbol, agg });
    });
    // Registered after MarketData's listener: runs once the read models have the whole batch.
    const offEvents = ctx.exchange.onEvents(() => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const E = ctx.clock.now();
      for (const { stream, symbol, agg } of batch) {
        const a = { ...agg };
        stream.publish(
          (k) =>
            `{"e":"aggTrade","E":${E * k},"s":"${symbol}","a":${a.a},"p":"${formatUnits(a.p)}","q":"${formatUnits(a.q)}","f":${a.f},"l":${a.l},"T":${a.T * k},"m":${a.m},"M":true}`,
        );
      }
    }, EVENT_KIND.trade);
    return () => {
      offTrade();
      offEvents();
    };
  },
};
