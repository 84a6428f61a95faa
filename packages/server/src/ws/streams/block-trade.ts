/**
 * `<symbol>@blockTrade`, real time: `{"e":"blockTrade","E":…,"s":…,"t":…,"p":…,"q":…,"T":…,"m":…}`
 * for each block trade reported on the symbol (admin API), amounts without trailing zeros as
 * Binance renders them.
 */
import { formatUnitsTrimmed } from '../../engine/decimal.js';
import { type BlockTradeEvent, EVENT_KIND } from '../../engine/types.js';
import type { StreamHubView, StreamModule } from './types.js';

export const blockTradeStream: StreamModule = {
  id: 'blockTrade',
  parse: (symbol, suffix) => (symbol !== '' && suffix === 'blockTrade' ? true : undefined),
  start(hub: StreamHubView) {
    const { ctx } = hub;
    return ctx.exchange.onEvents((events) => {
      for (const e of events) {
        if (e.type !== 'blockTrade') continue;
        const stream = hub.get(`${e.symbol.toLowerCase()}@blockTrade`);
        if (stream === undefined) continue;
        const t: BlockTradeEvent = e;
        const E = ctx.clock.now();
        stream.publish(
          (k) =>
            `{"e":"blockTrade","E":${E * k},"s":"${t.symbol}","t":${t.id},"p":"${formatUnitsTrimmed(t.price)}","q":"${formatUnitsTrimmed(t.qty)}","T":${t.time * k},"m":${t.isBuyerMaker}}`,
        );
      }
    }, EVENT_KIND.blockTrade);
  },
};
