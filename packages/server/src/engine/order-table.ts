/**
 * The orders of one symbol as rows of typed-array columns (row = orderId; orderIds are dense per
 * symbol), and `Order`, a view of one row made on demand.
 *
 * Why: an order kept as an object costs the collector about seven objects (every field holding a
 * number beyond 31 bits sits in a heap box of its own) and every step from one order to the next
 * (book queue, an account's open orders) is a pointer to a cold object. Here an open order is no
 * object at all: the book's queues and the accounts' open-order lists are orderId links in columns,
 * and the rarely set parts (stop, iceberg, strategy, trail, peg, self-trade prevention, amounts
 * beyond 2^53, client-given ids, the order's list) live in maps by orderId.
 *
 * A view holds nothing but (table, orderId): two views of one order are the same order — compare
 * `orderId`s, never the views.
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
  type ExpiryReason,
  type OrderStatus,
  type OrderType,
  type SelfTradePreventionMode,
  type Side,
  type TimeInForce,
} from '@binance-sandbox/protocol';
import type { BookSide, Level } from './book.js';
import type { Account, Balance, SymbolAccount } from './account.js';
import type { Draft } from './validate-order.js';
import type { OrderList } from './order-list.js';
import type { Trail } from './symbol-state.js';
import { clientOrderId } from './ids.js';
import type { CompiledSymbol } from './symbol.js';
import { specOf, type AccountId, type OrderSpec, type OrderView, type Peg } from './types.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_N = BigInt(MAX_SAFE);

// flags
export const OPEN = 1;
export const WORKING = 2;
export const BUY = 4;
export const STOP = 8;
export const MARKET = 16;
/** Linked into a price level of the book. */
export const IN_BOOK = 32;
/** Reachable by orderId as an order object: open, or a leg of a list (SymbolState.order). */
export const PRESENT = 64;
/** Has an OrderExtras entry. */
export const EXTRAS = 128;
/** Closed and kept as history (retained history: GET order, allOrders). */
export const HISTORY = 256;

/** A doubly linked list of orderIds through two link columns of the table (0: none). */
export interface IdList {
  head: number;
  tail: number;
}

/** Links `id` at the tail of `list`. */
export function appendId(list: IdList, prev: Int32Array, next: Int32Array, id: number): void {
  prev[id] = list.tail;
  next[id] = 0;
  if (list.tail !== 0) next[list.tail] = id;
  else list.head = id;
  list.tail = id;
}

/** Unlinks `id` from `list`. */
export function removeId(list: IdList, prev: Int32Array, next: Int32Array, id: number): void {
  const p = prev[id] as number;
  const n = next[id] as number;
  if (p !== 0) next[p] = n;
  else list.head = n;
  if (n !== 0) prev[n] = p;
  else list.tail = p;
  prev[id] = next[id] = 0;
}

function codes<T extends string>(values: readonly T[]): Map<T, number> {
  return new Map(values.map((v, i) => [v, i]));
}
const STATUS_CODE = codes(ORDER_STATUSES);
const TYPE_CODE = codes(ORDER_TYPES);
const TIF_CODE = codes(TIME_IN_FORCES);
const STP_CODE = codes(SELF_TRADE_PREVENTION_MODES);
const EXPIRY_CODE = codes(EXPIRY_REASONS);
const STATUS_NEW = STATUS_CODE.get('NEW') as number;
/** Final states whose orders Binance archives once they are 90 days old, when nothing was executed. */
const ARCHIVABLE = new Set((['CANCELED', 'EXPIRED', 'EXPIRED_IN_MATCH'] as const).map((s) => STATUS_CODE.get(s)));

/** How old a canceled or expired order without fills must be to be archived ("over 90 days"). */
export const ARCHIVE_AFTER_MS = 90 * 86_400_000;

function code<T extends string>(map: Map<T, number>, v: T): number {
  const c = map.get(v);
  if (c === undefined) throw new Error(`order table: unknown value ${v}`);
  return c;
}

/**
 * Generated client order ids are made when asked for (Order.clientOrderId); an order's events and
 * answer ask for the same one several times in a row, taker and maker alternating in a sweep: the
 * last two are remembered.
 */
const cidMemo = { seedA: 0, seqA: -1, idA: '', seedB: 0, seqB: -1, idB: '', nextA: true };
export function generatedId(seed: number, seq: number): string {
  const m = cidMemo;
  if (seq === m.seqA && seed === m.seedA) return m.idA;
  if (seq === m.seqB && seed === m.seedB) return m.idB;
  const id = clientOrderId(seed, seq);
  if (m.nextA) {
    m.seedA = seed;
    m.seqA = seq;
    m.idA = id;
  } else {
    m.seedB = seed;
    m.seqB = seq;
    m.idB = id;
  }
  m.nextA = !m.nextA;
  return id;
}

/**
 * The rarely set parts of an order (stop, iceberg, strategy, quote-quantity spec; self-trade
 * prevention; amounts beyond 2^53), kept by orderId only when one of them is set.
 */
export class OrderExtras {
  trail: Trail | null = null;
  peg: Peg | null = null;
  origQuoteOrderQty = 0n;
  stopPrice = 0;
  icebergQty = 0;
  strategyId: number | undefined = undefined;
  strategyType: number | undefined = undefined;
  stopT = 0;
  icebergS = 0;
  preventedS = 0;
  preventedMatchId = -1;
  cumB = 0n;
  lockB = 0n;
}

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

/**
 * One order (a view of its row): its immutable spec (OrderSpec: `spec` returns the view itself) and
 * its live state.
 */
export class Order implements OrderView, OrderSpec {
  constructor(
    readonly t: OrderTable,
    readonly orderId: number,
  ) {}

  private flag(f: number): boolean {
    return ((this.t.flags[this.orderId] as number) & f) !== 0;
  }
  private setFlag(f: number, on: boolean): void {
    const t = this.t;
    const id = this.orderId;
    t.flags[id] = on ? (t.flags[id] as number) | f : (t.flags[id] as number) & ~f;
  }
  /** The order's extras, created when first needed. */
  extras(): OrderExtras {
    let x = this.x;
    if (x === null) {
      x = new OrderExtras();
      this.t.extras.set(this.orderId, x);
      this.setFlag(EXTRAS, true);
    }
    return x;
  }
  private get x(): OrderExtras | null {
    return this.flag(EXTRAS) ? (this.t.extras.get(this.orderId) as OrderExtras) : null;
  }

  // -- spec
  get orderListId(): number {
    return this.t.orderListId[this.orderId] as number;
  }
  get clientOrderId(): string {
    const seq = this.t.cidSeq[this.orderId] as number;
    return seq === 0 ? (this.t.cids.get(this.orderId) as string) : generatedId(this.sa.seed, seq);
  }
  /** A client-given id (generated ones: `generatedId`). */
  set clientOrderId(id: string) {
    this.t.cids.set(this.orderId, id);
    this.t.cidSeq[this.orderId] = 0;
  }
  /** Sequence of the generated client order id (0: the client gave one; see ids.ts). */
  get cidSeq(): number {
    return this.t.cidSeq[this.orderId] as number;
  }
  /** Takes the generated id of sequence `seq`. */
  generatedId(seq: number): void {
    this.t.cids.delete(this.orderId);
    this.t.cidSeq[this.orderId] = seq;
  }
  get side(): Side {
    return this.flag(BUY) ? 'BUY' : 'SELL';
  }
  get type(): OrderType {
    return ORDER_TYPES[this.t.type[this.orderId] as number] as OrderType;
  }
  get timeInForce(): TimeInForce {
    return TIME_IN_FORCES[this.t.tif[this.orderId] as number] as TimeInForce;
  }
  get tif(): TimeInForce {
    return this.timeInForce;
  }
  get selfTradePreventionMode(): SelfTradePreventionMode {
    return SELF_TRADE_PREVENTION_MODES[this.t.stp[this.orderId] as number] as SelfTradePreventionMode;
  }
  get price(): number {
    return this.t.price[this.orderId] as number;
  }
  /** Reduced only by an amendment (keep priority). */
  get origQty(): number {
    return this.t.origQty[this.orderId] as number;
  }
  set origQty(v: number) {
    this.t.origQty[this.orderId] = v;
  }
  get time(): number {
    return this.t.time[this.orderId] as number;
  }
  get isBuy(): boolean {
    return this.flag(BUY);
  }
  get isStop(): boolean {
    return this.flag(STOP);
  }
  /** Executes as a market order (MARKET, or a triggered STOP_LOSS / TAKE_PROFIT). */
  get isMarket(): boolean {
    return this.flag(MARKET);
  }
  get sym(): CompiledSymbol {
    return this.t.sym;
  }
  get symbol(): string {
    return this.t.sym.name;
  }
  get sa(): SymbolAccount {
    return this.t.accounts[this.t.acct[this.orderId] as number] as SymbolAccount;
  }
  get accountId(): AccountId {
    return this.sa.accountId;
  }
  get acct(): Account {
    return this.sa.acct;
  }
  get baseBal(): Balance {
    return this.sa.baseBal;
  }
  get quoteBal(): Balance {
    return this.sa.quoteBal;
  }
  get origQuoteOrderQty(): bigint {
    return this.x?.origQuoteOrderQty ?? 0n;
  }
  get stopPrice(): number {
    return this.x?.stopPrice ?? 0;
  }
  get icebergQty(): number {
    return this.x?.icebergQty ?? 0;
  }
  get strategyId(): number | undefined {
    return this.x?.strategyId;
  }
  get strategyType(): number | undefined {
    return this.x?.strategyType;
  }
  get stopT(): number {
    return this.x?.stopT ?? 0;
  }
  get icebergS(): number {
    return this.x?.icebergS ?? 0;
  }
  get trail(): Trail | null {
    return this.x?.trail ?? null;
  }
  set trail(t: Trail | null) {
    if (t !== null || this.flag(EXTRAS)) this.extras().trail = t;
  }
  get trailingDelta(): number | undefined {
    return this.x?.trail?.delta;
  }
  get trailingTime(): number | undefined {
    return this.x?.trail?.time;
  }
  get peg(): Peg | null {
    return this.x?.peg ?? null;
  }
  set peg(p: Peg | null) {
    if (p !== null || this.flag(EXTRAS)) this.extras().peg = p;
  }
  get spec(): OrderSpec {
    return this;
  }

  // -- state
  get status(): OrderStatus {
    return ORDER_STATUSES[this.t.status[this.orderId] as number] as OrderStatus;
  }
  set status(v: OrderStatus) {
    this.t.status[this.orderId] = code(STATUS_CODE, v);
  }
  get open(): boolean {
    return this.flag(OPEN);
  }
  set open(v: boolean) {
    this.setFlag(OPEN, v);
  }
  get isWorking(): boolean {
    return this.flag(WORKING);
  }
  set isWorking(v: boolean) {
    this.setFlag(WORKING, v);
  }
  get workingTime(): number {
    return this.t.workingTime[this.orderId] as number;
  }
  set workingTime(v: number) {
    this.t.workingTime[this.orderId] = v;
  }
  get updateTime(): number {
    return this.t.updateTime[this.orderId] as number;
  }
  set updateTime(v: number) {
    this.t.updateTime[this.orderId] = v;
  }
  get expiryReason(): ExpiryReason | undefined {
    const c = this.t.expiry[this.orderId] as number;
    return c === 0 ? undefined : EXPIRY_REASONS[c - 1];
  }
  set expiryReason(v: ExpiryReason | undefined) {
    this.t.expiry[this.orderId] = v === undefined ? 0 : code(EXPIRY_CODE, v) + 1;
  }
  get list(): OrderList | null {
    // only list legs have an orderListId (skips the map for every other order)
    return (this.t.orderListId[this.orderId] as number) < 0 ? null : (this.t.lists.get(this.orderId) ?? null);
  }
  set list(l: OrderList | null) {
    if (l === null) this.t.lists.delete(this.orderId);
    else this.t.lists.set(this.orderId, l);
  }
  get priceT(): number {
    return this.t.priceT[this.orderId] as number;
  }
  set priceT(v: number) {
    this.t.priceT[this.orderId] = v;
  }
  get remS(): number {
    return this.t.remS[this.orderId] as number;
  }
  set remS(v: number) {
    this.t.remS[this.orderId] = v;
  }
  get visS(): number {
    return this.t.visS[this.orderId] as number;
  }
  set visS(v: number) {
    this.t.visS[this.orderId] = v;
  }
  get execS(): number {
    return this.t.execS[this.orderId] as number;
  }
  set execS(v: number) {
    this.t.execS[this.orderId] = v;
  }
  get cumN(): number {
    return this.t.cumN[this.orderId] as number;
  }
  set cumN(v: number) {
    this.t.cumN[this.orderId] = v;
  }
  get lockN(): number {
    return this.t.lockN[this.orderId] as number;
  }
  set lockN(v: number) {
    this.t.lockN[this.orderId] = v;
  }
  /** The price level the order is queued in (null: not in the book). */
  get level(): Level | null {
    return this.t.levelOf(this.orderId);
  }
  get preventedS(): number {
    return this.x?.preventedS ?? 0;
  }
  set preventedS(v: number) {
    if (v !== 0 || this.flag(EXTRAS)) this.extras().preventedS = v;
  }
  get preventedMatchId(): number {
    return this.x?.preventedMatchId ?? -1;
  }
  set preventedMatchId(v: number) {
    if (v !== -1 || this.flag(EXTRAS)) this.extras().preventedMatchId = v;
  }
  get cumB(): bigint {
    return this.x?.cumB ?? 0n;
  }
  set cumB(v: bigint) {
    if (v !== 0n || this.flag(EXTRAS)) this.extras().cumB = v;
  }
  get lockB(): bigint {
    return this.x?.lockB ?? 0n;
  }
  set lockB(v: bigint) {
    if (v !== 0n || this.flag(EXTRAS)) this.extras().lockB = v;
  }
  get workingFloor(): WorkingFloor | undefined {
    return this.t.floors?.get(this.orderId);
  }
  get cumQuote(): bigint {
    const cumB = this.cumB;
    const cumN = this.cumN;
    if (cumB === 0n) return cumN === 0 ? 0n : BigInt(cumN);
    return cumB + BigInt(cumN);
  }
  addQuote(q: number): void {
    const v = this.cumN + q;
    if (v <= MAX_SAFE) this.cumN = v;
    else {
      this.cumB += BigInt(this.cumN) + BigInt(q);
      this.cumN = 0;
    }
  }
  get locked(): bigint {
    const lockB = this.lockB;
    const lockN = this.lockN;
    if (lockB === 0n) return lockN === 0 ? 0n : BigInt(lockN);
    return lockB + BigInt(lockN);
  }
  set locked(v: bigint) {
    if (v <= MAX_SAFE_N && v >= -MAX_SAFE_N) {
      this.lockN = Number(v);
      this.lockB = 0n;
    } else {
      this.lockN = 0;
      this.lockB = v;
    }
  }
  get quantityPending(): boolean {
    return this.status === 'PENDING_NEW' && this.list?.pays === true;
  }
  get executedQty(): number {
    return this.execS * this.t.sym.qUnit;
  }
  get preventedQty(): number {
    return this.preventedS * this.t.sym.qUnit;
  }
  /** JSON of the spec only (events embed the order as their `order`). */
  toJSON(): OrderSpec {
    return specOf(this);
  }
}
