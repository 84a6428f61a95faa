/**
 * The orders of one symbol as rows of typed-array columns (row = orderId; orderIds are dense per
 * symbol); `Order` (order.ts) is a view of one row made on demand.
 *
 * Why: an order kept as an object costs the collector about seven objects (every field holding a
 * number beyond 31 bits sits in a heap box of its own) and every step from one order to the next
 * (book queue, an account's open orders) is a pointer to a cold object. Here an open order is no
 * object at all: the book's queues and the accounts' open-order lists are orderId links in columns,
 * and the rarely set parts (stop, iceberg, strategy, trail, peg, self-trade prevention, amounts
 * beyond 2^53, client-given ids, the order's list) live in maps by orderId.
 */
import type { WorkingFloor } from './sor.js';
import { ClientIdIndexLog } from './client-id-index.js';
import { ClientIds } from './client-ids.js';
import {
  EXPIRY_REASONS,
  ORDER_STATUSES,
  ORDER_TYPES,
  SELF_TRADE_PREVENTION_MODES,
  TIME_IN_FORCES,
} from '@binance-sandbox/protocol';
import type { BookSide, Level } from './book.js';
import type { SymbolAccount } from './account.js';
import type { Draft } from './validate-order.js';
import type { OrderList } from './order-list.js';
import type { CompiledSymbol } from './symbol.js';
import type { AccountId } from './types.js';
import { Order } from './order.js';
import {
  BUY,
  code,
  IN_BOOK,
  MARKET,
  OPEN,
  OrderExtras,
  PRESENT,
  STATUS_CODE,
  STOP,
  STP_CODE,
  TIF_CODE,
  TYPE_CODE,
} from './order-row.js';

const STATUS_NEW = STATUS_CODE.get('NEW') as number;
/** Final states whose orders Binance archives once they are 90 days old, when nothing was executed. */
const ARCHIVABLE = new Set((['CANCELED', 'EXPIRED', 'EXPIRED_IN_MATCH'] as const).map((s) => STATUS_CODE.get(s)));

/** How old a canceled or expired order without fills must be to be archived ("over 90 days"). */
export const ARCHIVE_AFTER_MS = 90 * 86_400_000;

type Typed = Float64Array | Int32Array | Uint16Array | Uint8Array;

function grow<T extends Typed>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a.length <= n ? a : a.subarray(0, n));
  return b;
}

const F64_COLUMNS = [
  'price',
  'origQty',
  'time',
  'updateTime',
  'workingTime',
  'cumN',
  'lockN',
  'remS',
  'visS',
  'execS',
  'priceT',
  'cidSeq',
] as const;
const I32_COLUMNS = ['orderListId', 'acct', 'prev', 'next', 'aPrev', 'aNext'] as const;
const U8_COLUMNS = ['status', 'expiry', 'type', 'tif', 'stp'] as const;
type F64Column = (typeof F64_COLUMNS)[number];
type I32Column = (typeof I32_COLUMNS)[number];
type U8Column = (typeof U8_COLUMNS)[number];

/** The numeric fields of OrderExtras, in export order (trail and peg travel with the symbol's maps). */
const EXTRA_NUMBERS = [
  'stopPrice',
  'icebergQty',
  'strategyId',
  'strategyType',
  'stopT',
  'icebergS',
  'preventedS',
  'preventedMatchId',
] as const;
const EXTRA_BIGS = ['origQuoteOrderQty', 'cumB', 'lockB'] as const;

/** An order table as plain data (snapshots): rows 0 … rows−1. */
export interface OrderTableState {
  readonly rows: number;
  /** The enum value lists the codes index (a snapshot taken with other values is refused). */
  readonly enums: string;
  readonly f64: Readonly<Record<F64Column, Float64Array>>;
  readonly i32: Readonly<Record<I32Column, Int32Array>>;
  readonly u8: Readonly<Record<U8Column, Uint8Array>>;
  readonly flags: Uint16Array;
  /** Client-given ids: their orderIds, lengths, and the ids concatenated. */
  readonly cidOrders: Float64Array;
  readonly cidLengths: Uint32Array;
  readonly cidText: string;
  /** Orders with extras: orderIds, then EXTRA_NUMBERS per order (NaN: undefined), then the bigs. */
  readonly extraOrders: Float64Array;
  readonly extraNumbers: Float64Array;
  readonly extraBigs: readonly bigint[];
}

const ENUM_LAYOUT = JSON.stringify([
  ORDER_STATUSES,
  ORDER_TYPES,
  TIME_IN_FORCES,
  SELF_TRADE_PREVENTION_MODES,
  EXPIRY_REASONS,
]);

export class OrderTable {
  private cap = 0;
  // -- numbers (units, steps, ticks, ms), exact below 2^53
  price = new Float64Array(0);
  origQty = new Float64Array(0);
  time = new Float64Array(0);
  updateTime = new Float64Array(0);
  workingTime = new Float64Array(0);
  /** cumQuote = cumB + cumN (cumB in extras, 0n unless the amount grows beyond 2^53). */
  cumN = new Float64Array(0);
  /** Reservation still held: lockB + lockN (lockB in extras). */
  lockN = new Float64Array(0);
  /** Remaining quantity in steps (iceberg hidden part included). */
  remS = new Float64Array(0);
  /** Visible quantity in steps (the iceberg's tip, or the whole remainder). */
  visS = new Float64Array(0);
  execS = new Float64Array(0);
  /** The limit price in ticks (a pegged order's: set when it is pegged; 0 before). */
  priceT = new Float64Array(0);
  /** Sequence of the generated client order id (0: a client-given id, in `cids`). */
  cidSeq = new Float64Array(0);
  // -- links and small integers
  orderListId = new Int32Array(0);
  /** Index of the order's SymbolAccount in `accounts`. */
  acct = new Int32Array(0);
  /** Book queue of the order's price level (0: none). */
  prev = new Int32Array(0);
  next = new Int32Array(0);
  /** The account's open orders on the symbol, in acceptance order (0: none). */
  aPrev = new Int32Array(0);
  aNext = new Int32Array(0);
  flags = new Uint16Array(0);
  status = new Uint8Array(0);
  /** EXPIRY_REASONS index + 1 (0: none). */
  expiry = new Uint8Array(0);
  type = new Uint8Array(0);
  tif = new Uint8Array(0);
  stp = new Uint8Array(0);
  // -- the rare parts
  readonly cids = new ClientIds();
  /** The packed form of its SymbolAccounts' client id indexes (`accounts`' byClientId), for snapshots. */
  readonly indexLog = new ClientIdIndexLog();
  readonly extras = new Map<number, OrderExtras>();
  readonly lists = new Map<number, OrderList>();
  /** Working floor of the symbol's SOR orders (its SorLedger's; null: the symbol has no SOR). */
  floors: ReadonlyMap<number, WorkingFloor> | null = null;
  /** SymbolAccounts by their index (SymbolState.account). */
  readonly accounts: SymbolAccount[] = [];
  /** Set by SymbolState (a pegged or booked order's level). */
  bids!: BookSide;
  asks!: BookSide;

  constructor(readonly sym: CompiledSymbol) {
    this.ensure(1023);
  }

  /**
   * Rows 0 … rows−1 as plain data: views of the columns (no copy, so they change with the table —
   * serialise them before the engine's next command, as the rest of Exchange.exportState).
   */
  exportState(rows: number): OrderTableState {
    this.ensure(rows);
    const pick = <K extends string, T extends Typed>(keys: readonly K[], get: (k: K) => T) =>
      Object.fromEntries(keys.map((k) => [k, get(k).subarray(0, rows)])) as Record<K, T>;
    const packed = this.cids.pack();
    const extraOrders: number[] = [];
    const extraNumbers: number[] = [];
    const extraBigs: bigint[] = [];
    for (const [id, x] of this.extras) {
      extraOrders.push(id);
      for (const k of EXTRA_NUMBERS) extraNumbers.push(x[k] ?? NaN);
      for (const k of EXTRA_BIGS) extraBigs.push(x[k]);
    }
    return {
      rows,
      enums: ENUM_LAYOUT,
      f64: pick(F64_COLUMNS, (k) => this[k]),
      i32: pick(I32_COLUMNS, (k) => this[k]),
      u8: pick(U8_COLUMNS, (k) => this[k]),
      flags: this.flags.subarray(0, rows),
      cidOrders: packed.orders,
      cidLengths: packed.lengths,
      cidText: packed.text,
      extraOrders: Float64Array.from(extraOrders),
      extraNumbers: Float64Array.from(extraNumbers),
      extraBigs,
    };
  }

  /** Loads an exported table into this (fresh) one. Trails and pegs: `restoreRare`. */
  importState(d: OrderTableState): void {
    if (d.enums !== ENUM_LAYOUT) throw new Error('order table: the snapshot was taken with other enum values');
    this.ensure(d.rows);
    for (const k of F64_COLUMNS) this[k].set(d.f64[k]);
    for (const k of I32_COLUMNS) this[k].set(d.i32[k]);
    for (const k of U8_COLUMNS) this[k].set(d.u8[k]);
    this.flags.set(d.flags);
    this.cids.load({ text: d.cidText, lengths: d.cidLengths, orders: d.cidOrders });
    const w = EXTRA_NUMBERS.length;
    const b = EXTRA_BIGS.length;
    for (let i = 0; i < d.extraOrders.length; i++) {
      const x = new OrderExtras();
      for (let k = 0; k < w; k++) {
        const v = d.extraNumbers[i * w + k] as number;
        const f = EXTRA_NUMBERS[k] as (typeof EXTRA_NUMBERS)[number];
        if (f === 'strategyId' || f === 'strategyType') x[f] = Number.isNaN(v) ? undefined : v;
        else x[f] = v;
      }
      for (let k = 0; k < b; k++) x[EXTRA_BIGS[k] as (typeof EXTRA_BIGS)[number]] = d.extraBigs[i * b + k] as bigint;
      this.extras.set(d.extraOrders[i] as number, x);
    }
  }

  /**
   * Whether order `id` is archived at `now`: canceled or expired with no executed quantity over 90
   * days before (Binance then answers -2026 and no longer lists it).
   */
  archived(id: number, now: number): boolean {
    return (
      ARCHIVABLE.has(this.status[id]) &&
      this.execS[id] === 0 &&
      now - (this.updateTime[id] as number) > ARCHIVE_AFTER_MS
    );
  }

  /** The account of order `id` (any row). */
  accountIdOf(id: number): AccountId {
    return (this.accounts[this.acct[id] as number] as SymbolAccount).acct.id;
  }

  /** Makes row `id` writable. */
  ensure(id: number): void {
    if (id < this.cap) return;
    let n = this.cap === 0 ? 1024 : this.cap * 2;
    while (n <= id) n *= 2;
    this.cap = n;
    this.price = grow(this.price, n);
    this.origQty = grow(this.origQty, n);
    this.time = grow(this.time, n);
    this.updateTime = grow(this.updateTime, n);
    this.workingTime = grow(this.workingTime, n);
    this.cumN = grow(this.cumN, n);
    this.lockN = grow(this.lockN, n);
    this.remS = grow(this.remS, n);
    this.visS = grow(this.visS, n);
    this.execS = grow(this.execS, n);
    this.priceT = grow(this.priceT, n);
    this.cidSeq = grow(this.cidSeq, n);
    this.orderListId = grow(this.orderListId, n);
    this.acct = grow(this.acct, n);
    this.prev = grow(this.prev, n);
    this.next = grow(this.next, n);
    this.aPrev = grow(this.aPrev, n);
    this.aNext = grow(this.aNext, n);
    this.flags = grow(this.flags, n);
    this.status = grow(this.status, n);
    this.expiry = grow(this.expiry, n);
    this.type = grow(this.type, n);
    this.tif = grow(this.tif, n);
    this.stp = grow(this.stp, n);
  }

  /**
   * Writes a new order's row (state NEW, open, not yet working) and returns its view. `cid`: a
   * client-given id (null: generated, from `cidSeq`).
   */
  insert(d: Draft, orderId: number, orderListId: number, cid: string | null, sa: SymbolAccount, cidSeq: number): Order {
    this.ensure(orderId);
    const id = orderId;
    this.price[id] = d.price;
    this.origQty[id] = d.origQty;
    this.time[id] = d.time;
    this.updateTime[id] = d.time;
    this.workingTime[id] = -1;
    this.cumN[id] = 0;
    this.lockN[id] = 0;
    const qtyS = d.qtyS;
    const icebergS = d.icebergS;
    this.remS[id] = qtyS;
    this.visS[id] = icebergS > 0 && icebergS < qtyS ? icebergS : qtyS;
    this.execS[id] = 0;
    this.priceT[id] = d.priceT;
    this.cidSeq[id] = cidSeq;
    this.orderListId[id] = orderListId;
    this.acct[id] = sa.index;
    this.prev[id] = this.next[id] = this.aPrev[id] = this.aNext[id] = 0;
    this.status[id] = STATUS_NEW;
    this.expiry[id] = 0;
    this.type[id] = code(TYPE_CODE, d.type);
    this.tif[id] = code(TIF_CODE, d.timeInForce);
    this.stp[id] = code(STP_CODE, d.selfTradePreventionMode);
    let flags = OPEN | PRESENT;
    if (d.side === 'BUY') flags |= BUY;
    if (d.isStop) flags |= STOP;
    if (d.isMarket) flags |= MARKET;
    this.flags[id] = flags;
    if (cid !== null) this.cids.set(id, cid);
    const o = new Order(this, id);
    if (
      d.origQuoteOrderQty !== 0n ||
      d.stopPrice !== 0 ||
      d.icebergQty !== 0 ||
      d.strategyId !== undefined ||
      d.strategyType !== undefined
    ) {
      const x = o.extras();
      x.origQuoteOrderQty = d.origQuoteOrderQty;
      x.stopPrice = d.stopPrice;
      x.icebergQty = d.icebergQty;
      x.strategyId = d.strategyId;
      x.strategyType = d.strategyType;
      x.stopT = d.stopT;
      x.icebergS = icebergS;
    }
    return o;
  }

  has(id: number, flag: number): boolean {
    return id > 0 && id < this.cap && ((this.flags[id] as number) & flag) !== 0;
  }

  /** The view of order `id` when it is present (open, or a list leg); undefined otherwise. */
  order(id: number): Order | undefined {
    return this.has(id, PRESENT) ? new Order(this, id) : undefined;
  }

  /** The price level an order is queued in (null: not in the book). */
  levelOf(id: number): Level | null {
    const f = this.flags[id] as number;
    if ((f & IN_BOOK) === 0) return null;
    return ((f & BUY) !== 0 ? this.bids : this.asks).byPrice.get(this.priceT[id] as number) ?? null;
  }
}
