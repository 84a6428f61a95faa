/** Trade events as a snapshot table (the market trade log; the engine keeps its own as columns). */
import { Dictionary, type NumberTable, TableReader, TableWriter } from './table.js';
import type { TradeEvent } from './types.js';

export interface TradesState {
  readonly table: NumberTable;
  /** Symbol and asset names (the table holds their codes). */
  readonly words: readonly string[];
}

const WIDTH = 17;

export function exportTrades(trades: readonly TradeEvent[]): TradesState {
  const w = new TableWriter(WIDTH, trades.length);
  const dict = new Dictionary();
  for (let r = 0; r < trades.length; r++) {
    const t = trades[r] as TradeEvent;
    w.num(r, 0, t.tradeId);
    w.num(r, 1, t.price);
    w.num(r, 2, t.qty);
    w.big(r, 3, t.quoteQty);
    w.num(r, 4, t.time);
    w.num(r, 5, t.isBuyerMaker ? 1 : 0);
    w.num(r, 6, t.buyerOrderId);
    w.num(r, 7, t.sellerOrderId);
    w.num(r, 8, t.buyerAccountId);
    w.num(r, 9, t.sellerAccountId);
    w.num(r, 10, t.buyerOrderListId);
    w.num(r, 11, t.sellerOrderListId);
    w.big(r, 12, t.buyerCommission);
    w.big(r, 13, t.sellerCommission);
    w.num(r, 14, dict.code(t.symbol));
    w.num(r, 15, dict.code(t.baseAsset));
    w.num(r, 16, dict.code(t.quoteAsset));
  }
  return { table: w.finish(), words: dict.words };
}

/** The trade events again, with the engine's field order (fill() builds them the same way). */
export function importTrades(state: TradesState): TradeEvent[] {
  const r = new TableReader(state.table);
  const dict = new Dictionary(state.words);
  const out: TradeEvent[] = new Array<TradeEvent>(state.table.rows);
  for (let i = 0; i < state.table.rows; i++) {
    out[i] = {
      type: 'trade',
      symbol: dict.word(r.num(i, 14)),
      tradeId: r.num(i, 0),
      price: r.num(i, 1),
      qty: r.num(i, 2),
      quoteQty: r.big(i, 3),
      time: r.num(i, 4),
      isBuyerMaker: r.num(i, 5) === 1,
      buyerOrderId: r.num(i, 6),
      sellerOrderId: r.num(i, 7),
      buyerAccountId: r.num(i, 8),
      sellerAccountId: r.num(i, 9),
      buyerOrderListId: r.num(i, 10),
      sellerOrderListId: r.num(i, 11),
      buyerCommission: r.big(i, 12),
      sellerCommission: r.big(i, 13),
      baseAsset: dict.word(r.num(i, 15)),
      quoteAsset: dict.word(r.num(i, 16)),
    };
  }
  return out;
}
