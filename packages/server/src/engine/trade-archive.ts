/**
 * Trades of one symbol as columns, one row per trade recorded (rows 1, 2, … in trade order; the
 * engine records only trades someone can look up: a trade between two transient accounts — the
 * simulator's — leaves no row, so rows and tradeIds part ways): what myTrades and Exchange.trades
 * need, without keeping every TradeEvent object alive. `event` rebuilds one.
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

/** Overflow keys: row · 3 + column. */
const QUOTE = 0;
const BUYER_COMMISSION = 1;
const SELLER_COMMISSION = 2;

export interface TradeArchiveState {
  /** Rows exported (row 0 unused). */
  readonly rows: number;
  /** The tradeId of each row; absent in states written before transient accounts: row i = tradeId i. */
  readonly tradeIds?: Chunks<Float64Array>;
  readonly numbers: Readonly<Record<NumberColumn, Chunks<Float64Array>>>;
  readonly ints: Readonly<Record<IntColumn, Chunks<Int32Array>>>;
  readonly isBuyerMaker: Chunks<Uint8Array>;
  readonly bigs: readonly (readonly [number, bigint])[];
}

export class TradeArchive {
  private readonly n: Readonly<Record<NumberColumn, Column<Float64Array>>>;
  private readonly i: Readonly<Record<IntColumn, Column<Int32Array>>>;
  private readonly buyerMaker: Column<Uint8Array>;
  private readonly ids: Column<Float64Array>;
  private readonly bigs: Map<number, bigint>;
  /** Trades recorded: rows 1 … count. */
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
    this.ids = f64(state?.tradeIds);
    if (state !== undefined && state.tradeIds === undefined) {
      this.ids.ensure(this.count);
      for (let row = 1; row <= this.count; row++) this.ids.set(row, row);
    }
  }

  /** A trade of the engine's fill (amounts as numbers when below 2^53), as the next row: returns it. */
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
  ): number {
    const n = this.n;
    const i = this.i;
    const row = ++this.count;
    if (row >= this.writable) {
      for (const k of NUMBER_COLUMNS) n[k].ensure(row);
      for (const k of INT_COLUMNS) i[k].ensure(row);
      this.ids.ensure(row);
      this.buyerMaker.ensure(row);
      this.writable = this.buyerMaker.writableEnd();
    }
    this.ids.set(row, id);
    n.price.set(row, price);
    n.qty.set(row, qty);
    putBig(n.quoteQty, row, quoteQty, this.bigs, row * 3 + QUOTE);
    n.time.set(row, time);
    n.buyerAccountId.set(row, buyer.accountId);
    n.sellerAccountId.set(row, seller.accountId);
    if (buyerCommission !== 0n && buyerCommission !== 0)
      putBig(n.buyerCommission, row, buyerCommission, this.bigs, row * 3 + BUYER_COMMISSION);
    if (sellerCommission !== 0n && sellerCommission !== 0)
      putBig(n.sellerCommission, row, sellerCommission, this.bigs, row * 3 + SELLER_COMMISSION);
    i.buyerOrderId.set(row, buyer.orderId);
    i.sellerOrderId.set(row, seller.orderId);
    i.buyerOrderListId.set(row, buyer.orderListId);
    i.sellerOrderListId.set(row, seller.orderListId);
    this.buyerMaker.set(row, isBuyerMaker ? 1 : 0);
    return row;
  }

  tradeIdOf(row: number): number {
    return this.ids.get(row);
  }

  timeOf(row: number): number {
    return this.n.time.get(row);
  }

  orderIdOf(row: number, isBuyer: boolean): number {
    return isBuyer ? this.i.buyerOrderId.get(row) : this.i.sellerOrderId.get(row);
  }

  /** The trade event of `row` again, fields in fill()'s order. */
  event(row: number): TradeEvent {
    const n = this.n;
    const i = this.i;
    return {
      type: 'trade',
      symbol: this.symbol,
      tradeId: this.ids.get(row),
      price: n.price.get(row),
      qty: n.qty.get(row),
      quoteQty: getBig(n.quoteQty, row, this.bigs, row * 3 + QUOTE),
      time: n.time.get(row),
      isBuyerMaker: this.buyerMaker.get(row) === 1,
      buyerOrderId: i.buyerOrderId.get(row),
      sellerOrderId: i.sellerOrderId.get(row),
      buyerAccountId: n.buyerAccountId.get(row),
      sellerAccountId: n.sellerAccountId.get(row),
      buyerOrderListId: i.buyerOrderListId.get(row),
      sellerOrderListId: i.sellerOrderListId.get(row),
      buyerCommission: getBig(n.buyerCommission, row, this.bigs, row * 3 + BUYER_COMMISSION),
      sellerCommission: getBig(n.sellerCommission, row, this.bigs, row * 3 + SELLER_COMMISSION),
      baseAsset: this.baseAsset,
      quoteAsset: this.quoteAsset,
    };
  }

  /** Every trade recorded, oldest first. */
  events(): TradeEvent[] {
    const out: TradeEvent[] = [];
    for (let row = 1; row <= this.count; row++) out.push(this.event(row));
    return out;
  }

  /** Rows 0 … count as one array per column. */
  exportState(): TradeArchiveState {
    const rows = this.count + 1;
    return {
      rows,
      tradeIds: this.ids.chunksUpTo(rows),
      numbers: columns(NUMBER_COLUMNS, (k) => this.n[k].chunksUpTo(rows)),
      ints: columns(INT_COLUMNS, (k) => this.i[k].chunksUpTo(rows)),
      isBuyerMaker: this.buyerMaker.chunksUpTo(rows),
      bigs: [...this.bigs],
    };
  }
}
