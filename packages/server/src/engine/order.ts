/**
 * `Order`: a view of one row of an order table (order-table.ts), made on demand. It holds nothing
 * but (table, orderId): two views of one order are the same order — compare `orderId`s, never the
 * views.
 */
import type { WorkingFloor } from './sor.js';
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
import type { Level } from './book.js';
import type { Account, Balance, SymbolAccount } from './account.js';
import type { OrderList } from './order-list.js';
import type { OrderTable } from './order-table.js';
import type { Trail } from './symbol-state.js';
import type { CompiledSymbol } from './symbol.js';
import { specOf, type AccountId, type OrderSpec, type OrderView, type Peg } from './types.js';
import {
  BUY,
  code,
  EXPIRY_CODE,
  EXTRAS,
  generatedId,
  MARKET,
  OPEN,
  OrderExtras,
  STATUS_CODE,
  STOP,
  WORKING,
} from './order-row.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_N = BigInt(MAX_SAFE);

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
