import { formatUnitsTrimmed } from '../engine/decimal.js';
import type { BlockTradeEvent } from '../engine/types.js';

/** A block trade as GET historicalBlockTrades lists it (amounts without trailing zeros, as rest-api.md shows). */
export function blockTradeJson(t: BlockTradeEvent) {
  return {
    id: t.id,
    price: formatUnitsTrimmed(t.price),
    qty: formatUnitsTrimmed(t.qty),
    quoteQty: formatUnitsTrimmed(t.quoteQty),
    time: t.time,
    isBuyerMaker: t.isBuyerMaker,
  };
}
