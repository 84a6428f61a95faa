/**
 * The exchange: symbols, filters, price-time priority books, matching, self-trade prevention,
 * stops, icebergs, order lists, smart order routing, accounts, balances and commissions.
 *
 * Pure and deterministic: no I/O, no clock, no randomness. Every command carries `now`; ids come
 * from counters. The same command sequence gives the same events and state. Every command is
 * validated completely before it changes anything, so a rejected command (ApiError) leaves no trace.
 *
 * Representation (decimal.ts): prices are integer ticks and quantities integer steps on the hot
 * path (JS numbers, exact); notionals and commissions are units of 1e-8 as numbers while exact
 * below 2^53, else BigInt; balances are exact two-part numbers (Balance). Orders are rows of the
 * symbol's order table (order-table.ts); events are written as words (event-words.ts).
 *
 * Exchange is the engine's interface; the work is done by EngineCore (engine-core.ts: state, command
 * bookkeeping, accepting, matching, closing, self-trade prevention) and the modules over it:
 * validate-order.ts (a new order's checks), triggers.ts (stops, trailing stops, pending orders
 * going live), place-lists.ts (OCO, OTO, OPO, OTOCO, OPOCO), place-sor.ts (smart order routing),
 * amend.ts (amend keep priority).
 */
import {
  ApiError,
  EngineMessage,
  Err,
  ErrorCode,
  ErrorMessage,
  type SymbolDefinition,
  SYMBOL_STATUSES,
  type SymbolStatus,
} from '@binance-sandbox/protocol';
import { parseUnitsBig, TOO_PRECISE, UNIT_N } from './decimal.js';
import { type AccountView } from './account.js';
import { historyWindow } from './chains.js';
import { Order } from './order.js';
import { listView } from './order-list.js';
import { bigAmount, rejected } from './order-rules.js';
import {
  type AccountTrade,
  type AmendResult,
  type CancelOpenOrdersItem,
  type CancelOpenOrdersResult,
  type CancelResult,
  Canceled,
  type HistoryQuery,
  type OcoResult,
  type OrderListView,
  type PlaceResult,
  Placed,
} from './results.js';
import { type PriceRangeRule } from './price-range.js';
import { type ReferencePriceCalculation } from './reference-price.js';
import { type Allocation, type SorConfig } from './sor.js';
import { exportEngine, importEngine, type EngineState } from './snapshot.js';
import { CompiledSymbol } from './symbol.js';
import {
  type AccountId,
  type Amendment,
  type AmendOrderCommand,
  type CancelOpenOrdersCommand,
  type CancelOrderCommand,
  type CancelOrderListCommand,
  type BlockTradeEvent,
  type EngineEvent,
  type OrderRef,
  type OrderView,
  type PlaceOcoCommand,
  type PlaceOpoCommand,
  type PlaceOpocoCommand,
  type PlaceOrderCommand,
  type PlaceOtoCommand,
  type PlaceOtocoCommand,
  type PreventedMatchEvent,
  type TradeEvent,
} from './types.js';
import { EngineCore, rateUnits, type EngineOptions } from './engine-core.js';
import { settleTriggers } from './triggers.js';
import { testOrder, fastLimit, prepare } from './validate-order.js';
import { placeOco, placeOto, placeOpo, placeOtoco, placeOpoco, cancelOrderList } from './place-lists.js';
import { placeSorOrder, testSorOrder, SOR_ALLOCATOR } from './place-sor.js';
import { amendOrder } from './amend.js';

const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const unknownOrder = (): ApiError => Err.of(ErrorCode.CANCEL_REJECTED, EngineMessage.UNKNOWN_ORDER);

export { type EngineOptions, SOR_ALLOCATOR };

export class Exchange {
  private readonly core: EngineCore;

  constructor(symbols: readonly SymbolDefinition[], opts: EngineOptions = {}) {
    this.core = new EngineCore(symbols, opts);
  }

  // ==== snapshots (engine/snapshot.ts) =================================================================

  /**
   * The complete state as plain data (v8-serialisable); see engine/snapshot.ts. The order table's and
   * the trade history's typed arrays are views of the engine's own memory (no copy): serialise the
   * state before the engine's next command.
   */
  exportState(): EngineState {
    return exportEngine(this.core.internals());
  }

  /**
   * Loads an exported state into this engine, which must be fresh and built with the same options.
   * The engine takes over the state's typed arrays (a freshly deserialised state: nothing is copied).
   */
  importState(state: EngineState): void {
    const counters = importEngine(state, this.core.internals());
    this.core.seq = counters.seq;
    this.core.cidSeq = counters.cidSeq;
    this.core.executionId = counters.executionId;
  }

  // ==== accounts ===================================================================================

  /** Sets an account's commission rates (decimal strings, e.g. "0.001"). */
  setCommission(accountId: AccountId, rates: { maker?: string; taker?: string }): void {
    const a = this.core.account(accountId);
    a.setRates(
      rates.maker !== undefined ? rateUnits(rates.maker) : a.makerRate,
      rates.taker !== undefined ? rateUnits(rates.taker) : a.takerRate,
    );
  }

  /**
   * Makes accounts transient: system accounts nobody can sign for (the simulator's). Their orders
   * closed from now on leave no history and their orderIds are reused by their later orders, so
   * their trading all day keeps no memory beyond its trades. Before the accounts trade.
   * `ownClientIds`: their generated client order ids come from their orderIds (EngineCore.markTransient).
   */
  markTransient(accountIds: readonly AccountId[], ownClientIds = false): void {
    this.core.markTransient(accountIds, ownClientIds);
  }

  /** Credits `amount` (decimal string) of `asset`. */
  deposit(cmd: { now: number; accountId: AccountId; asset: string; amount: string }): EngineEvent[] {
    return this.adjust(cmd.now, cmd.accountId, cmd.asset, bigAmount(cmd.amount, 'amount', 8));
  }

  /** Debits `amount` of free `asset`; -2010 insufficient balance when not free. */
  withdraw(cmd: { now: number; accountId: AccountId; asset: string; amount: string }): EngineEvent[] {
    const v = bigAmount(cmd.amount, 'amount', 8);
    const b = this.core.accounts.get(cmd.accountId)?.balances.get(cmd.asset);
    if (!b || b.free < v) throw rejected(EngineMessage.INSUFFICIENT_BALANCE);
    return this.adjust(cmd.now, cmd.accountId, cmd.asset, -v);
  }

  private adjust(now: number, accountId: AccountId, asset: string, delta: bigint): EngineEvent[] {
    this.core.begin(now);
    const b = this.core.account(accountId).balance(asset);
    b.free += delta;
    this.core.touch(b);
    this.core.words.object({ type: 'balanceUpdate', accountId, asset, delta, time: now });
    return this.core.end(undefined).events;
  }

  accountView(accountId: AccountId): AccountView {
    const a = this.core.accounts.get(accountId);
    if (!a)
      return { accountId, makerRate: this.core.makerRate, takerRate: this.core.takerRate, updateTime: 0, balances: [] };
    return {
      accountId,
      makerRate: a.makerRate,
      takerRate: a.takerRate,
      updateTime: a.updateTime,
      balances: [...a.balances.values()].map((b) => ({ asset: b.asset, free: b.free, locked: b.locked })),
    };
  }

  /** Σ free+locked per asset over all accounts (conservation checks). */
  totals(): Map<string, bigint> {
    const t = new Map<string, bigint>();
    for (const a of this.core.accounts.values())
      for (const b of a.balances.values()) t.set(b.asset, (t.get(b.asset) ?? 0n) + b.free + b.locked);
    return t;
  }

  /** Commissions collected per asset. */
  feesCollected(): Map<string, bigint> {
    return new Map(this.core.settledFees());
  }

  // ==== symbols & market data ===========================================================================

  symbol(name: string): CompiledSymbol {
    return this.core.sym(name).c;
  }

  symbolNames(): string[] {
    return [...this.core.symbols.keys()];
  }

  /** Top of book, best first: prices and visible quantities in units. */
  book(symbol: string, limit = 100): { lastUpdateId: number; bids: [number, number][]; asks: [number, number][] } {
    const s = this.core.sym(symbol);
    const { pUnit, qUnit } = s.c;
    const conv = (l: [number, number][]) => l.map(([p, q]): [number, number] => [p * pUnit, q * qUnit]);
    return { lastUpdateId: s.updateId, bids: conv(s.bids.top(limit)), asks: conv(s.asks.top(limit)) };
  }

  /** Last trade price in units, or −1 before the first trade. */
  lastPrice(symbol: string): number {
    const s = this.core.sym(symbol);
    return s.lastT < 0 ? -1 : s.lastT * s.c.pUnit;
  }

  /**
   * Reference price in units (−1: none). Volume-weighted average of the trades in the current
   * minute and the previous `mins − 1` minutes; the last trade price when that window has no
   * trades or `mins` is 0; −1 before the first trade (price filters that need it are then skipped).
   */
  avgPrice(symbol: string, now: number, mins = 5): number {
    return this.core.refPrice(this.core.sym(symbol), mins, now);
  }

  /** The symbol's price-range execution rule, if it has one. */
  priceRangeRule(symbol: string): PriceRangeRule | undefined {
    return this.core.sym(symbol).priceRange?.rule;
  }

  /** How the symbol's reference price is calculated; undefined: it has none. */
  referencePriceCalculation(symbol: string): ReferencePriceCalculation | undefined {
    return this.core.sym(symbol).referencePrice?.calculation;
  }

  /**
   * The symbol's reference price at `now` in units, null when it has none now; undefined when it
   * never had one (no calculation, no trade yet, no price ever set).
   */
  referencePrice(symbol: string, now: number): bigint | null | undefined {
    const ref = this.core.sym(symbol).referencePrice;
    return ref === null || !ref.everSet ? undefined : ref.value(now);
  }

  /** Sets (or clears, null) an EXTERNAL reference price: a decimal string of the quote asset. */
  setReferencePrice(cmd: { now: number; symbol: string; price: string | null }): EngineEvent[] {
    const s = this.core.sym(cmd.symbol);
    const ref = s.referencePrice;
    if (ref === null || ref.calculation.calculationType !== 'EXTERNAL')
      throw Err.of(ErrorCode.NO_REFERENCE_PRICE, ErrorMessage.NO_REFERENCE_PRICE);
    let v: bigint | null = null;
    if (cmd.price !== null) {
      const u = parseUnitsBig(cmd.price, s.c.def.quotePrecision);
      if (typeof u === 'number' || u === 0n)
        throw u === TOO_PRECISE ? Err.badPrecision('referencePrice') : Err.invalidParameter('referencePrice');
      v = u;
    }
    ref.set(v);
    return [];
  }

  /** A symbol's trading status now (exchangeInfo `status`, `symbolStatus` filters). */
  symbolStatus(symbol: string): SymbolStatus {
    return this.core.sym(symbol).status;
  }

  /**
   * Changes a symbol's trading status (admin API): anything but TRADING refuses new orders (-1013
   * "Market is closed."), cancels and amendments still work, resting orders stay, and SOR leaves its
   * book out.
   */
  setSymbolStatus(cmd: { now: number; symbol: string; status: SymbolStatus }): EngineEvent[] {
    const s = this.core.sym(cmd.symbol);
    if (!SYMBOL_STATUSES.includes(cmd.status))
      throw Err.of(ErrorCode.INVALID_MESSAGE, `unknown symbol status ${cmd.status}`);
    s.status = cmd.status;
    return [];
  }

  /**
   * Publishes a block trade of `symbol` (admin API): market data only, no book or balance changes.
   * Price and quantity: positive decimal strings with at most 8 decimals.
   */
  reportBlockTrade(cmd: {
    now: number;
    symbol: string;
    price: string;
    qty: string;
    isBuyerMaker: boolean;
  }): EngineEvent[] {
    const s = this.core.sym(cmd.symbol);
    const amount = (v: string, name: string): number => {
      const u = bigAmount(v, name, 8);
      if (u <= 0n || u > MAX_SAFE_N)
        throw Err.of(ErrorCode.INVALID_MESSAGE, `${name} must be positive, at most ${MAX_SAFE / 1e8}`);
      return Number(u);
    };
    const price = amount(cmd.price, 'price');
    const qty = amount(cmd.qty, 'qty');
    this.core.begin(cmd.now);
    const e: BlockTradeEvent = {
      type: 'blockTrade',
      symbol: s.c.name,
      id: s.blockTrades.length + 1,
      price,
      qty,
      quoteQty: (BigInt(price) * BigInt(qty)) / UNIT_N,
      time: cmd.now,
      isBuyerMaker: cmd.isBuyerMaker,
    };
    s.blockTrades.push(e);
    this.core.words.object(e);
    return this.core.end(undefined).events;
  }

  /** historicalBlockTrades: from block trade id `fromId`, at most `limit`, oldest first. */
  blockTrades(symbol: string, fromId: number, limit: number): readonly BlockTradeEvent[] {
    const all = this.core.sym(symbol).blockTrades;
    const from = Math.max(0, fromId - 1);
    return all.slice(from, from + limit);
  }

  /**
   * The symbol's retained trades, oldest first (rebuilt from the archive: for tests and tools): those
   * with a side that is not transient (the simulator's trades with itself leave none).
   */
  trades(symbol: string): readonly TradeEvent[] {
    return this.core.sym(symbol).tradeArchive.events();
  }

  /** How many trades the symbol has had (its last tradeId), whoever traded. */
  tradeCount(symbol: string): number {
    return this.core.sym(symbol).nextTradeId - 1;
  }

  /**
   * The price PERCENT_PRICE(_BY_SIDE) and a market order's NOTIONAL / MIN_NOTIONAL compare with, in
   * units (−1: none): the price-range rule's reference price while the symbol has one (Binance since
   * 2026-05), else the average price over `mins` minutes.
   */
  filterReferencePrice(symbol: string, now: number, mins: number): number {
    return this.core.filterPrice(this.core.sym(symbol), mins, now);
  }

  // ==== placing orders =================================================================================

  placeOrder(cmd: PlaceOrderCommand): PlaceResult {
    const core = this.core;
    const s = core.sym(cmd.symbol);
    // an account that has traded the symbol is reached through its SymbolAccount (one lookup less)
    const sa = s.accounts.get(cmd.accountId);
    const acct = sa !== undefined ? sa.acct : core.accounts.get(cmd.accountId);
    const d =
      (cmd.type === 'LIMIT' ? fastLimit(core, s, cmd, acct, sa) : null) ??
      prepare(core, s, cmd, acct, sa, { newOrders: 1 });
    core.begin(cmd.now);
    const o = core.accept(s, d, -1, undefined, false, sa);
    core.exec(o, 'NEW');
    core.work(s, o);
    settleTriggers(core, s);
    return new Placed(o, core.end(s));
  }

  /** POST /api/v3/order/test (see validate-order.ts). */
  testOrder(cmd: PlaceOrderCommand, checkBalance = false): void {
    testOrder(this.core, cmd, checkBalance);
  }

  // ==== smart order routing (place-sor.ts) ============================================================

  /** POST /api/v3/sor/order. */
  placeSorOrder(cmd: PlaceOrderCommand): PlaceResult {
    return placeSorOrder(this.core, cmd);
  }

  /** POST /api/v3/sor/order/test. */
  testSorOrder(cmd: PlaceOrderCommand): void {
    testSorOrder(this.core, cmd);
  }

  /** The SOR configurations (exchangeInfo `sors`). */
  sors(): readonly SorConfig[] {
    return this.core.sorConfigs;
  }

  /** myAllocations. */
  allocations(
    accountId: AccountId,
    symbol: string,
    q: { orderId?: number; fromAllocationId?: number; startTime?: number; endTime?: number; limit: number },
  ): { readonly symbol: string; readonly allocations: readonly Allocation[] } {
    const s = this.core.sym(symbol);
    return { symbol: s.c.name, allocations: s.sor === null ? [] : s.sor.query(accountId, q) };
  }

  /** Per asset, what the SOR allocator holds (negative: owes); see `allocatorNet`. */
  allocatorHoldings(): Map<string, bigint> {
    return new Map(this.core.allocatorNet);
  }

  // ==== order lists (place-lists.ts) ==================================================================

  placeOco(cmd: PlaceOcoCommand): OcoResult {
    return placeOco(this.core, cmd);
  }

  placeOto(cmd: PlaceOtoCommand): OcoResult {
    return placeOto(this.core, cmd);
  }

  placeOpo(cmd: PlaceOpoCommand): OcoResult {
    return placeOpo(this.core, cmd);
  }

  placeOtoco(cmd: PlaceOtocoCommand): OcoResult {
    return placeOtoco(this.core, cmd);
  }

  placeOpoco(cmd: PlaceOpocoCommand): OcoResult {
    return placeOpoco(this.core, cmd);
  }

  cancelOrderList(cmd: CancelOrderListCommand): {
    list: OrderListView;
    cancelClientOrderId: string;
    events: readonly EngineEvent[];
  } {
    return cancelOrderList(this.core, cmd);
  }

  // ==== cancels ========================================================================================

  cancelOrder(cmd: CancelOrderCommand): CancelResult {
    const s = this.core.sym(cmd.symbol);
    if (cmd.orderId === undefined && cmd.origClientOrderId === undefined)
      throw Err.eitherParam('orderId', 'origClientOrderId');
    const o = this.core.find(s, cmd.accountId, cmd);
    if (o === undefined || typeof o === 'number' || !o.open) throw unknownOrder();
    if (cmd.orderId !== undefined && cmd.origClientOrderId !== undefined && o.clientOrderId !== cmd.origClientOrderId)
      throw unknownOrder();
    if (
      (cmd.cancelRestrictions === 'ONLY_NEW' && o.status !== 'NEW') ||
      (cmd.cancelRestrictions === 'ONLY_PARTIALLY_FILLED' && o.status !== 'PARTIALLY_FILLED')
    )
      throw Err.of(ErrorCode.CANCEL_REJECTED, EngineMessage.CANCEL_RESTRICTIONS_NOT_MET);
    this.core.begin(cmd.now);
    const cancelId = cmd.newClientOrderId ?? this.core.cancelClientOrderId(o);
    let list: OrderListView | undefined;
    if (o.list) {
      this.core.cancelList(s, o.list, cancelId);
      list = listView(o.list);
    } else this.core.cancelOne(s, o, cancelId);
    return new Canceled(o, cancelId, list, this.core.end(s));
  }

  /** DELETE /api/v3/openOrders: every open order (and list) of the account on the symbol. */
  cancelOpenOrders(cmd: CancelOpenOrdersCommand): CancelOpenOrdersResult {
    const s = this.core.sym(cmd.symbol);
    const sa = s.accounts.get(cmd.accountId);
    if (!sa || sa.openCount === 0) throw Err.of(ErrorCode.CANCEL_REJECTED, EngineMessage.UNKNOWN_ORDER);
    this.core.begin(cmd.now);
    const items: CancelOpenOrdersItem[] = [];
    for (const o of sa.openList()) {
      if (!o.open) continue;
      const cancelId = this.core.cancelClientOrderId(o);
      if (o.list) {
        this.core.cancelList(s, o.list, cancelId);
        items.push({ kind: 'list', list: listView(o.list), cancelClientOrderId: cancelId });
      } else {
        this.core.cancelOne(s, o, cancelId);
        items.push({ kind: 'order', order: o, cancelClientOrderId: cancelId });
      }
    }
    const events = this.core.end(s).events;
    return { items, events };
  }

  // ==== amend (amend.ts) ===============================================================================

  /** PUT /api/v3/order/amend/keepPriority. */
  amendOrder(cmd: AmendOrderCommand): AmendResult {
    return amendOrder(this.core, cmd);
  }

  /** GET /api/v3/order/amendments: -2013 when the account has no such order on the symbol. */
  orderAmendments(
    accountId: AccountId,
    symbol: string,
    orderId: number,
    fromExecutionId = 0,
    limit = 500,
  ): readonly Amendment[] {
    const s = this.core.sym(symbol);
    if (this.core.byId(s, accountId, orderId) === undefined)
      throw Err.of(ErrorCode.NO_SUCH_ORDER, 'Order does not exist.');
    const all = s.amendments.get(orderId) ?? [];
    return all.filter((a) => a.executionId >= fromExecutionId).slice(0, limit);
  }

  // ==== queries ========================================================================================

  /**
   * GET /api/v3/order: -2013 when unknown, -2039 when orderId and origClientOrderId disagree, -2026
   * when archived at `now` (unset: nothing is archived).
   */
  getOrder(accountId: AccountId, symbol: string, ref: OrderRef, now?: number): OrderView {
    const s = this.core.sym(symbol);
    if (ref.orderId === undefined && ref.origClientOrderId === undefined)
      throw Err.eitherParam('orderId', 'origClientOrderId');
    const found = this.core.find(s, accountId, ref);
    if (found === undefined) throw Err.of(ErrorCode.NO_SUCH_ORDER, 'Order does not exist.');
    const o = this.core.view(s, found);
    if (
      ref.orderId !== undefined &&
      ref.origClientOrderId !== undefined &&
      o.spec.clientOrderId !== ref.origClientOrderId
    )
      throw Err.of(ErrorCode.CLIENT_ORDER_ID_INVALID, 'Client order ID is not correct for this order ID.');
    if (now !== undefined && s.table.archived(o.spec.orderId, now))
      throw Err.of(ErrorCode.ORDER_ARCHIVED, ErrorMessage.ORDER_ARCHIVED);
    return o;
  }

  /** Open orders of an account (one symbol, or all), by symbol then orderId. */
  openOrders(accountId: AccountId, symbol?: string): OrderView[] {
    const states = symbol === undefined ? [...this.core.symbols.values()] : [this.core.sym(symbol)];
    const out: OrderView[] = [];
    for (const s of states) {
      const sa = s.accounts.get(accountId);
      if (sa) out.push(...sa.openList());
    }
    return out;
  }

  /** GET /api/v3/allOrders: from `orderId` up, else the most recent; oldest first. */
  allOrders(accountId: AccountId, symbol: string, q: HistoryQuery = {}): OrderView[] {
    const s = this.core.sym(symbol);
    const sa = s.accounts.get(accountId);
    if (!sa) return [];
    return historyWindow(
      sa.lastOrder,
      s.orderChains,
      q.orderId,
      q,
      (id) => id,
      (id) => s.table.time[id] as number,
      q.now === undefined ? () => true : (id) => !s.table.archived(id, q.now as number),
    ).map((id) => new Order(s.table, id));
  }

  /** GET /api/v3/myTrades: from `fromId` up (or of one `orderId`), else the most recent; oldest first. */
  myTrades(accountId: AccountId, symbol: string, q: HistoryQuery = {}): AccountTrade[] {
    const s = this.core.sym(symbol);
    const sa = s.accounts.get(accountId);
    if (!sa) return [];
    const trades = s.tradeArchive;
    const orderId = q.orderId;
    // an entry is 2·row of the trade archive + (0 as buyer, 1 as seller)
    return historyWindow(
      sa.lastTrade,
      s.tradeChains,
      q.fromId,
      q,
      (e) => trades.tradeIdOf(e >>> 1),
      (e) => trades.timeOf(e >>> 1),
      orderId === undefined ? () => true : (e) => trades.orderIdOf(e >>> 1, (e & 1) === 0) === orderId,
    ).map((e) => ({ trade: trades.event(e >>> 1), isBuyer: (e & 1) === 0 }));
  }

  orderLists(accountId: AccountId, symbol: string): OrderListView[] {
    const sa = this.core.sym(symbol).accounts.get(accountId);
    return sa ? sa.lists.map(listView) : [];
  }

  preventedMatches(accountId: AccountId, symbol: string): readonly PreventedMatchEvent[] {
    return this.core.sym(symbol).accounts.get(accountId)?.prevented ?? [];
  }
}

export { ApiError };
