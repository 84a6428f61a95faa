import type { TradeEvent } from '../../src/engine/types.js';

/** A BTCUSDT trade between orders 1 (buyer) and 2 (seller) of accounts 1 and 2, taker buying unless said. */
export function syntheticTrade(
  t: Pick<TradeEvent, 'tradeId' | 'price' | 'qty' | 'time'> & Partial<TradeEvent>,
): TradeEvent {
  return {
    type: 'trade',
    symbol: 'BTCUSDT',
    quoteQty: (BigInt(t.price) * BigInt(t.qty)) / 100_000_000n,
    isBuyerMaker: false,
    buyerOrderId: 1,
    sellerOrderId: 2,
    buyerAccountId: 1,
    sellerAccountId: 2,
    buyerOrderListId: -1,
    sellerOrderListId: -1,
    buyerCommission: 0n,
    sellerCommission: 0n,
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    ...t,
  };
}
