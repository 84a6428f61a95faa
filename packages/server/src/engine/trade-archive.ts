/**
 * Trades of one symbol as columns (row = tradeId; tradeIds are dense per symbol): what myTrades and
 * Exchange.trades need, without keeping every TradeEvent object alive. `event` rebuilds one.
 */
import { type Chunks, type Column, columns, f64, getBig, i32, putBig, u8 } from './columns.js';
import type { TradeEvent } from './types.js';

/** What a trade records of each of its orders. */
export interface TradeSide {
  readonly orderId: number;
  readonly accountId: number;
  readonly orderListId: number;
}

const NUMBER_COLUMNS = [
  'price',
  'qty',
  'quoteQty',
  'time',
  'buyerAccountId',
  'sellerAccountId',
  'buyerCommission',
  'sellerCommission',
] as const;
/** Per-symbol ids: row indexes of typed arrays, so far below 2^31. */
const INT_COLUMNS = ['buyerOrderId', 'sellerOrderId', 'buyerOrderListId', 'sellerOrderListId'] as const;
type NumberColumn = (typeof NUMBER_COLUMNS)[number];
type IntColumn = (typeof INT_COLUMNS)[number];

/** Overflow keys: tradeId · 3 + column. */
const QUOTE = 0;
const BUYER_COMMISSION = 1;
const SELLER_COMMISSION = 2;

export interface TradeArchiveState {
  /** Rows exported (row i = tradeId i). */
  readonly rows: number;
  readonly numbers: Readonly<Record<NumberColumn, Chunks<Float64Array>>>;
  readonly ints: Readonly<Record<IntColumn, Chunks<Int32Array>>>;
  readonly isBuyerMaker: Chunks<Uint8Array>;
  readonly bigs: readonly (readonly [number, bigint])[];
}

export class TradeArchive {
  private readonly n: Readonly<Record<NumberColumn, Column<Float64Array>>>;
  private readonly i: Readonly<Record<IntColumn, Column<Int32Array>>>;
  private readonly buyerMaker: Column<Uint8Array>;
  private readonly bigs: Map<number, bigint>;
  /** Trades recorded: tradeIds 1 … count. */
  count = 0;
  /** Rows below this are writable in every column. */
  private writable = 0;

  constructor(
    readonly symbol: string,
    readonly baseAsset: string,
    readonly quoteAsset: string,
    state?: TradeArchiveState,
  ) {
    this.n = columns(NUMBER_COLUMNS, (k) => f64(state?.numbers[k]));
    this.i = columns(INT_COLUMNS, (k) => i32(state?.ints[k]));
    this.buyerMaker = u8(state?.isBuyerMaker);
    this.bigs = new Map(state?.bigs);
    this.count = state === undefined ? 0 : Math.max(0, state.rows - 1);
  }

  /** A trade of the engine's fill (amounts as numbers when below 2^53). */
  record(
    id: number,
    price: number,
    qty: number,
    quoteQty: number | bigint,
    time: number,
    isBuyerMaker: boolean,
    buyer: TradeSide,
    seller: TradeSide,
    buyerCommission: number | bigint,
    sellerCommission: number | bigint,
  ): void {
    const n = this.n;
    const i = this.i;
    if (id >= this.writable) {
      for (const k of NUMBER_COLUMNS) n[k].ensure(id);
      for (const k of INT_COLUMNS) i[k].ensure(id);
      this.buyerMaker.ensure(id);
      this.writable = this.buyerMaker.writableEnd();
    }
    n.price.set(id, price);
    n.qty.set(id, qty);
    putBig(n.quoteQty, id, quoteQty, this.bigs, id * 3 + QUOTE);
    n.time.set(id, time);
    n.buyerAccountId.set(id, buyer.accountId);
    n.sellerAccountId.set(id, seller.accountId);
    if (buyerCommission !== 0n && buyerCommission !== 0)
      putBig(n.buyerCommission, id, buyerCommission, this.bigs, id * 3 + BUYER_COMMISSION);
    if (sellerCommission !== 0n && sellerCommission !== 0)
      putBig(n.sellerCommission, id, sellerCommission, this.bigs, id * 3 + SELLER_COMMISSION);
    i.buyerOrderId.set(id, buyer.orderId);
    i.sellerOrderId.set(id, seller.orderId);
    i.buyerOrderListId.set(id, buyer.orderListId);
    i.sellerOrderListId.set(id, seller.orderListId);
    this.buyerMaker.set(id, isBuyerMaker ? 1 : 0);
    if (id > this.count) this.count = id;
  }

  timeOf(id: number): number {
    return this.n.time.get(id);
  }

  orderIdOf(id: number, isBuyer: boolean): number {
    return isBuyer ? this.i.buyerOrderId.get(id) : this.i.sellerOrderId.get(id);
  }

  /** The trade event again, fields in fill()'s order. */
  event(id: number): TradeEvent {
    const n = this.n;
    const i = this.i;
    return {
      type: 'trade',
      symbol: this.symbol,
      tradeId: id,
      price: n.price.get(id),
      qty: n.qty.get(id),
      quoteQty: getBig(n.quoteQty, id, this.bigs, id * 3 + QUOTE),
      time: n.time.get(id),
      isBuyerMaker: this.buyerMaker.get(id) === 1,
      buyerOrderId: i.buyerOrderId.get(id),
      sellerOrderId: i.sellerOrderId.get(id),
      buyerAccountId: n.buyerAccountId.get(id),
      sellerAccountId: n.sellerAccountId.get(id),
      buyerOrderListId: i.buyerOrderListId.get(id),
      sellerOrderListId: i.sellerOrderListId.get(id),
      buyerCommission: getBig(n.buyerCommission, id, this.bigs, id * 3 + BUYER_COMMISSION),
      sellerCommission: getBig(n.sellerCommission, id, this.bigs, id * 3 + SELLER_COMMISSION),
      baseAsset: this.baseAsset,
      quoteAsset: this.quoteAsset,
    };
  }

  /** Every trade, oldest first. */
  events(): TradeEvent[] {
    const out: TradeEvent[] = [];
    for (let id = 1; id <= this.count; id++) out.push(this.event(id));
    return out;
  }

  /** Rows 0 … count as one array per column. */
  exportState(): TradeArchiveState {
    const rows = this.count + 1;
    return {
      rows,
      numbers: columns(NUMBER_COLUMNS, (k) => this.n[k].chunksUpTo(rows)),
      ints: columns(INT_COLUMNS, (k) => this.i[k].chunksUpTo(rows)),
      isBuyerMaker: this.buyerMaker.chunksUpTo(rows),
      bigs: [...this.bigs],
    };
  }
}
