/**
 * The exchange core: symbols, filters, price-time priority books, matching, self-trade prevention,
 * stops, icebergs, OCO lists, accounts, balances and commissions.
 *
 * Pure and deterministic: no I/O, no clock, no randomness. Every command carries `now`; ids come
 * from counters. The same command sequence gives the same events and state. Every command is
 * validated completely before it changes anything, so a rejected command (ApiError) leaves no trace.
 *
 * Representation (decimal.ts): prices are integer ticks and quantities integer steps on the hot
 * path (JS numbers, exact); notionals and commissions are units of 1e-8 as numbers while exact
 * below 2^53, else BigInt; balances are exact two-part numbers (Balance). Orders are rows of the
 * symbol's order table (order-table.ts); events are written as words (event-words.ts).
 */
import {
  ApiError,
  EngineMessage,
  Err,
  ErrorCode,
  ErrorMessage,
  type ExchangeFilter,
  type AssetFilter,
  type ExpiryReason,
  type OrderStatus,
  type OrderType,
  type SelfTradePreventionMode,
  type Side,
  type SymbolDefinition,
  SYMBOL_STATUSES,
  type SymbolStatus,
  type TimeInForce,
  type ExecutionType,
} from '@binance-sandbox/protocol';
import { BookSide, type Level } from './book.js';
import {
  ceilTimes,
  floorTimes,
  notionalNum,
  notionalUnits,
  parseUnits,
  parseUnitsBig,
  safeInt,
  TOO_PRECISE,
  UNIT_N,
  commNum,
} from './decimal.js';
import {
  AccountStore,
  addFreeAt,
  addLockedAt,
  B_ACCOUNT,
  B_ACCOUNT_ID,
  B_MAKER_N,
  B_MARK,
  B_TAKER_N,
  B_TIME,
  BW,
  freeBelow,
  settleAt,
} from './account-store.js';
import { Account, type AccountView, addFree, addLocked, type Balance, settle, type SymbolAccount } from './account.js';
import { historyWindow } from './chains.js';
import { BASE_ASSET, type EventBatch, EventWriter, NO_ASSET, QUOTE_ASSET } from './event-words.js';
import { GeneratedIds } from './generated-ids.js';
import { clientOrderId, clientOrderIdSeq } from './ids.js';
import { BUY, HISTORY, Order, PRESENT } from './order-table.js';
import { type ListHead, type ListKind, listLegCommand, listView, OrderList, takeListLock } from './order-list.js';
import {
  bigAmount,
  amendRejected,
  checkPaidList,
  checkWorkingOrder,
  fail,
  ICEBERG_TYPES,
  icebergPartsFail,
  lotOk,
  num,
  type PegSpec,
  pegSpec,
  pegTicks,
  PRICED_TYPES,
  priceOk,
  rejected,
  STOP_TYPES,
  TIF_TYPES,
  triggers,
  unsupportedTypeMessage,
  walk,
} from './order-rules.js';
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
import { CompiledPriceRange, type PriceRangeRule, type SymbolExecutionRules } from './price-range.js';
import { ReferencePrice, type ReferencePriceCalculation } from './reference-price.js';
import { aheadOfOwn, type Allocation, bestWithin, SorLedger, type SorConfig, walkGroup } from './sor.js';
import { exportEngine, importEngine, type EngineInternals, type EngineState } from './snapshot.js';
import { CompiledSymbol, type CompiledFilter } from './symbol.js';
import { type FoundOrder, isOpen, refId, SymbolState, type Trail } from './symbol-state.js';
import {
  type AccountId,
  type Amendment,
  type AmendOrderCommand,
  type CancelOpenOrdersCommand,
  type CancelOrderCommand,
  type CancelOrderListCommand,
  type BlockTradeEvent,
  type EngineEvent,
  type ExecutionEvent,
  type Fill,
  type ListStatusEvent,
  type LegParam,
  type LegParamNames,
  type OcoLeg,
  type OrderRef,
  type OrderView,
  type Peg,
  type PlaceOcoCommand,
  type PlaceOpoCommand,
  type PlaceOpocoCommand,
  type PlaceOrderCommand,
  type PlaceOtoCommand,
  type PlaceOtocoCommand,
  type PreventedMatchEvent,
  type TradeEvent,
} from './types.js';

const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Adds `d` to an order's number part of its reservation (moves to BigInt when it would leave 2^53). */
function addOrderLock(o: Order, d: number): void {
  const v = o.lockN + d;
  if (v <= MAX_SAFE && v >= -MAX_SAFE) o.lockN = v;
  else o.locked = o.locked + BigInt(d);
}
/** Whether a priced order (a buyer's when `isBuy`) at `priceT` would match `opp`'s best level at once. */
function wouldTake(opp: BookSide, isBuy: boolean, priceT: number): boolean {
  const best = opp.best();
  return best !== undefined && (isBuy ? best.price <= priceT : best.price >= priceT);
}

/** The lowest and highest price (ticks) a taker phase may trade at (−1 / Infinity: open). */
interface TickRange {
  lo: number;
  hi: number;
}

/**
 * Whether FOK order `o` (which the book can fill within its own price) fills within `range` too:
 * the first maker it meets is in range and the levels up to the range's end hold its quantity.
 */
function fokWithinRange(s: SymbolState, o: Order, opp: BookSide, range: TickRange): boolean {
  if (range.lo < 0 && range.hi === Infinity) return true;
  const best = opp.best();
  if (best === undefined) return true;
  if (best.price < range.lo || best.price > range.hi) return false;
  const limitT = o.isBuy ? Math.min(o.priceT, range.hi) : Math.max(o.priceT, range.lo);
  return walk(s.c, opp, limitT, o.remS, -1n).steps >= o.remS;
}

const unknownOrder = (): ApiError => Err.of(ErrorCode.CANCEL_REJECTED, EngineMessage.UNKNOWN_ORDER);

export interface EngineOptions {
  /** Commission rates of new accounts, decimal strings (Binance standard: 0.001 / 0.001). */
  readonly makerCommission?: string;
  readonly takerCommission?: string;
  /** Seed of generated client order ids. */
  readonly seed?: number;
  /**
   * Name reported when PERCENT_PRICE_BY_SIDE fails (Binance does not document it; default
   * "PERCENT_PRICE_BY_SIDE", the filter's own name).
   */
  readonly percentPriceBySideFailureName?: string;
  /**
   * Keep closed orders and trades in memory for getOrder / allOrders / myTrades (default true), as
   * typed-array columns (order-table.ts, trade-archive.ts, chains.ts). false: closed orders are
   * forgotten (history then comes from the event log / journal read model).
   */
  readonly retainHistory?: boolean;
  /** EXCHANGE_MAX_NUM_* filters: per account, across all symbols (none by default). */
  readonly exchangeFilters?: readonly ExchangeFilter[];
  /** MAX_ASSET filters, for every account (none by default). */
  readonly assetFilters?: readonly AssetFilter[];
  /** Price-range execution rules and reference price calculations by symbol (none by default). */
  readonly executionRules?: Readonly<Record<string, SymbolExecutionRules>>;
  /** Smart order routing configurations (none by default): symbols of one base asset, interchangeable quotes. */
  readonly sors?: readonly SorConfig[];
}

// ---- orders -------------------------------------------------------------------------------------

interface PrepareOptions {
  /** Orders the command adds (MAX_NUM_ORDERS). */
  readonly newOrders: number;
  /** The funds are checked for the whole list, not per order (OCO legs, pending orders). */
  readonly sharedLock?: boolean;
  /** The request's names of a list leg's parameters (error messages). */
  readonly names?: LegParamNames | undefined;
  /** An OPO pending order: no quantity yet (its quantity checks run when it goes live). */
  readonly quantityLater?: boolean;
  /** An OTO pending order: it enters the book later (a peg is set then). */
  readonly entersLater?: boolean;
  /** An order of a new list (MAX_NUM_ORDER_LISTS, EXCHANGE_MAX_NUM_ORDER_LISTS). */
  readonly inList?: boolean;
  /** What a MARKET BUY of `qtyS` steps would cost (default: walking the symbol's own book). */
  readonly marketCost?: (qtyS: number) => bigint;
}

/** The exchange filters as limits (Infinity: none). */
interface ExchangeLimits {
  readonly orders: number;
  readonly algo: number;
  readonly iceberg: number;
  readonly lists: number;
}

function exchangeLimits(filters: readonly ExchangeFilter[]): ExchangeLimits {
  let orders = Infinity;
  let algo = Infinity;
  let iceberg = Infinity;
  let lists = Infinity;
  for (const f of filters) {
    switch (f.filterType) {
      case 'EXCHANGE_MAX_NUM_ORDERS':
        orders = Math.min(orders, f.maxNumOrders);
        break;
      case 'EXCHANGE_MAX_NUM_ALGO_ORDERS':
        algo = Math.min(algo, f.maxNumAlgoOrders);
        break;
      case 'EXCHANGE_MAX_NUM_ICEBERG_ORDERS':
        iceberg = Math.min(iceberg, f.maxNumIcebergOrders);
        break;
      case 'EXCHANGE_MAX_NUM_ORDER_LISTS':
        lists = Math.min(lists, f.maxNumOrderLists);
        break;
    }
  }
  return { orders, algo, iceberg, lists };
}

/** A validated order, nothing changed yet (the spec fields without ids, plus engine units). */
export interface Draft {
  readonly symbol: string;
  readonly accountId: AccountId;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly price: number;
  readonly origQty: number;
  readonly origQuoteOrderQty: bigint;
  readonly stopPrice: number;
  readonly icebergQty: number;
  readonly selfTradePreventionMode: SelfTradePreventionMode;
  readonly strategyId: number | undefined;
  readonly strategyType: number | undefined;
  readonly time: number;
  readonly clientOrderId: string | undefined;
  readonly isStop: boolean;
  readonly isMarket: boolean;
  readonly priceT: number;
  readonly stopT: number;
  readonly qtyS: number;
  readonly icebergS: number;
  /** Amount of the spend asset to reserve. */
  readonly lock: bigint;
  /** The same as a number when it is one (fast path), else −1. */
  readonly lockN: number;
  /** Trailing stop delta in BIPS (0: none). */
  readonly trailingDelta: number;
  /** Peg instructions (null: not pegged); the pegged price is priceT once known (pegged true). */
  readonly peg: PegSpec | null;
  readonly pegged: boolean;
}

/** The Draft of fastLimit, reused: accept() consumes it within the same command. */
class LimitDraft implements Draft {
  symbol = '';
  accountId: AccountId = 0;
  side: Side = 'BUY';
  readonly type = 'LIMIT';
  timeInForce: TimeInForce = 'GTC';
  price = 0;
  origQty = 0;
  readonly origQuoteOrderQty = 0n;
  readonly stopPrice = 0;
  readonly icebergQty = 0;
  selfTradePreventionMode: SelfTradePreventionMode = 'NONE';
  strategyId: number | undefined = undefined;
  strategyType: number | undefined = undefined;
  time = 0;
  clientOrderId: string | undefined = undefined;
  readonly isStop = false;
  readonly isMarket = false;
  priceT = 0;
  readonly stopT = 0;
  qtyS = 0;
  readonly icebergS = 0;
  readonly lock = 0n;
  lockN = 0;
  readonly trailingDelta = 0;
  readonly peg = null;
  readonly pegged = false;
}

function rateUnits(s: string): bigint {
  const v = parseUnitsBig(s, 8);
  if (typeof v === 'number') throw new Error(`bad commission rate ${s}`);
  return v;
}

/** Appends a command step's events, `patch` merged into order `orderId`'s `executionType` report (SOR fields). */
function appendPatched(
  out: EngineEvent[],
  events: readonly EngineEvent[],
  orderId: number,
  executionType: ExecutionType,
  patch: Partial<Pick<ExecutionEvent, 'allocId' | 'counterSymbol'>>,
): void {
  for (const e of events)
    out.push(
      e.type === 'execution' && e.order.orderId === orderId && e.executionType === executionType
        ? { ...e, ...patch }
        : e,
    );
}

/** The internal account that trades on SOR books for SOR orders (no API key reaches it). */
export const SOR_ALLOCATOR: AccountId = -1;

export class Exchange {
  private readonly symbols = new Map<string, SymbolState>();
  private readonly accounts = new Map<AccountId, Account>();
  private readonly fees = new Map<string, bigint>();
  private readonly makerRate: bigint;
  private readonly takerRate: bigint;
  private readonly seed: number;
  private readonly bySideName: string;
  private readonly retain: boolean;
  private readonly limits: ExchangeLimits;
  /** MAX_ASSET: the most of an asset one order may move, units (its quantity in a base, its notional in a quote). */
  private readonly assetCaps = new Map<string, bigint>();
  private seq = 0;
  private cidSeq = 0;
  /** Orders by the sequence of their generated client order id. */
  private readonly genIds = new GeneratedIds();
  private executionId = 0;
  /** OTO lists whose working order filled in the current command: their pending orders go live. */
  private activations: OrderList[] = [];
  // per-command state
  private now = 0;
  /** The current command's events, as words (event-words.ts). */
  private readonly words = new EventWriter();
  /** Scratch of flushDepth: changed levels as [price, qty] pairs. */
  private readonly depthBids: number[] = [];
  private readonly depthAsks: number[] = [];
  /** Balances and account counters (rows: account-store.ts). */
  private readonly store = new AccountStore();
  /** Row offsets (in store.b) of the balances the current command changed, in order. */
  private readonly touchedBalances: number[] = [];
  /** How many of touchedBalances the current command filled (the array stays allocated). */
  private touchedBalanceCount = 0;
  private traded = false;
  private readonly limitDraft = new LimitDraft();
  /** Scratch of work(): the taker phase's price-range limits in ticks. */
  private readonly range: TickRange = { lo: -1, hi: Infinity };
  /** SOR groups by symbol: the symbol first, then the others of its configuration. */
  private readonly sorGroups = new Map<string, readonly SymbolState[]>();
  private readonly sorConfigs: SorConfig[] = [];
  /**
   * What the SOR allocator holds per asset (negative: owes). It trades on the group's books and
   * allocates to SOR orders in their own quote asset, so it gains one quote asset and loses another.
   */
  private readonly allocatorNet = new Map<string, bigint>();

  constructor(symbols: readonly SymbolDefinition[], opts: EngineOptions = {}) {
    this.seed = opts.seed ?? 0x5eed;
    for (const d of symbols)
      this.symbols.set(d.symbol, new SymbolState(new CompiledSymbol(d), this.symbols.size, this.seed));
    this.makerRate = rateUnits(opts.makerCommission ?? '0.001');
    this.takerRate = rateUnits(opts.takerCommission ?? '0.001');
    this.bySideName = opts.percentPriceBySideFailureName ?? 'PERCENT_PRICE_BY_SIDE';
    this.retain = opts.retainHistory ?? true;
    this.limits = exchangeLimits(opts.exchangeFilters ?? []);
    for (const f of opts.assetFilters ?? []) {
      const cap = parseUnitsBig(f.limit, 8);
      if (typeof cap === 'number') throw new Error(`MAX_ASSET ${f.asset}: bad limit ${f.limit}`);
      this.assetCaps.set(f.asset, cap);
    }
    for (const s of this.symbols.values())
      s.assetCapped = this.assetCaps.has(s.c.base) || this.assetCaps.has(s.c.quote);
    for (const [name, rules] of Object.entries(opts.executionRules ?? {})) {
      const s = this.symbols.get(name);
      if (s === undefined) throw new Error(`execution rules for ${name}, which is not a symbol`);
      if (rules.referencePrice !== undefined)
        s.referencePrice = new ReferencePrice(rules.referencePrice, s.c.def.quotePrecision);
      if (rules.priceRange !== undefined) s.priceRange = new CompiledPriceRange(rules.priceRange, s.c.pUnit);
    }
    for (const sor of opts.sors ?? []) this.addSorGroup(sor);
  }

  private addSorGroup(sor: SorConfig): void {
    const states = sor.symbols.map((name) => {
      const s = this.symbols.get(name);
      if (s === undefined) throw new Error(`SOR configuration of ${sor.baseAsset}: ${name} is not a symbol`);
      if (s.c.base !== sor.baseAsset)
        throw new Error(`SOR configuration of ${sor.baseAsset}: ${name} has another base asset`);
      if (s.sor !== null) throw new Error(`${name} is in two SOR configurations`);
      return s;
    });
    const first = states[0];
    if (first === undefined || states.length < 2)
      throw new Error(`SOR configuration of ${sor.baseAsset}: fewer than 2 symbols`);
    for (const s of states) {
      const c = s.c;
      if (c.pUnit !== first.c.pUnit || c.qUnit !== first.c.qUnit || c.fn !== first.c.fn || c.fd !== first.c.fd)
        throw new Error(
          `SOR configuration of ${sor.baseAsset}: ${c.name} has another tick or step size than ${first.c.name}`,
        );
      s.sor = new SorLedger();
      s.table.floors = s.sor.floors;
    }
    // each symbol's view of its group: itself first (its own book wins among equal prices)
    for (const s of states) this.sorGroups.set(s.c.name, [s, ...states.filter((x) => x !== s)]);
    this.sorConfigs.push({ baseAsset: sor.baseAsset, symbols: [...sor.symbols] });
  }

  // ==== snapshots (engine/snapshot.ts) =================================================================

  /**
   * The complete state as plain data (v8-serialisable); see engine/snapshot.ts. The order table's and
   * the trade history's typed arrays are views of the engine's own memory (no copy): serialise the
   * state before the engine's next command.
   */
  exportState(): EngineState {
    return exportEngine(this.internals());
  }

  /**
   * Loads an exported state into this engine, which must be fresh and built with the same options.
   * The engine takes over the state's typed arrays (a freshly deserialised state: nothing is copied).
   */
  importState(state: EngineState): void {
    const counters = importEngine(state, this.internals());
    this.seq = counters.seq;
    this.cidSeq = counters.cidSeq;
    this.executionId = counters.executionId;
  }

  private internals(): EngineInternals {
    return {
      symbols: this.symbols,
      accounts: this.accounts,
      store: this.store,
      fees: this.settledFees(),
      allocatorNet: this.allocatorNet,
      genIds: this.genIds,
      retain: this.retain,
      seed: this.seed,
      counters: { seq: this.seq, cidSeq: this.cidSeq, executionId: this.executionId },
    };
  }

  // ==== accounts ===================================================================================

  private account(id: AccountId): Account {
    let a = this.accounts.get(id);
    if (a === undefined) {
      a = new Account(id, this.makerRate, this.takerRate, this.store);
      this.accounts.set(id, a);
    }
    return a;
  }

  /** Sets an account's commission rates (decimal strings, e.g. "0.001"). */
  setCommission(accountId: AccountId, rates: { maker?: string; taker?: string }): void {
    const a = this.account(accountId);
    a.setRates(
      rates.maker !== undefined ? rateUnits(rates.maker) : a.makerRate,
      rates.taker !== undefined ? rateUnits(rates.taker) : a.takerRate,
    );
  }

  /** Credits `amount` (decimal string) of `asset`. */
  deposit(cmd: { now: number; accountId: AccountId; asset: string; amount: string }): EngineEvent[] {
    return this.adjust(cmd.now, cmd.accountId, cmd.asset, bigAmount(cmd.amount, 'amount', 8));
  }

  /** Debits `amount` of free `asset`; -2010 insufficient balance when not free. */
  withdraw(cmd: { now: number; accountId: AccountId; asset: string; amount: string }): EngineEvent[] {
    const v = bigAmount(cmd.amount, 'amount', 8);
    const b = this.accounts.get(cmd.accountId)?.balances.get(cmd.asset);
    if (!b || b.free < v) throw rejected(EngineMessage.INSUFFICIENT_BALANCE);
    return this.adjust(cmd.now, cmd.accountId, cmd.asset, -v);
  }

  private adjust(now: number, accountId: AccountId, asset: string, delta: bigint): EngineEvent[] {
    this.begin(now);
    const b = this.account(accountId).balance(asset);
    b.free += delta;
    this.touch(b);
    this.words.object({ type: 'balanceUpdate', accountId, asset, delta, time: now });
    return this.end(undefined).events;
  }

  accountView(accountId: AccountId): AccountView {
    const a = this.accounts.get(accountId);
    if (!a) return { accountId, makerRate: this.makerRate, takerRate: this.takerRate, updateTime: 0, balances: [] };
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
    for (const a of this.accounts.values())
      for (const b of a.balances.values()) t.set(b.asset, (t.get(b.asset) ?? 0n) + b.free + b.locked);
    return t;
  }

  /** Commissions collected per asset. */
  feesCollected(): Map<string, bigint> {
    return new Map(this.settledFees());
  }

  private settledFees(): Map<string, bigint> {
    for (const s of this.symbols.values()) if (s.feeB !== 0 || s.feeQ !== 0) this.flushFees(s);
    return this.fees;
  }

  // ==== symbols & market data ===========================================================================

  symbol(name: string): CompiledSymbol {
    return this.sym(name).c;
  }

  symbolNames(): string[] {
    return [...this.symbols.keys()];
  }

  private sym(name: string): SymbolState {
    const s = this.symbols.get(name);
    if (!s) throw Err.badSymbol();
    return s;
  }

  /** Top of book, best first: prices and visible quantities in units. */
  book(symbol: string, limit = 100): { lastUpdateId: number; bids: [number, number][]; asks: [number, number][] } {
    const s = this.sym(symbol);
    const { pUnit, qUnit } = s.c;
    const conv = (l: [number, number][]) => l.map(([p, q]): [number, number] => [p * pUnit, q * qUnit]);
    return { lastUpdateId: s.updateId, bids: conv(s.bids.top(limit)), asks: conv(s.asks.top(limit)) };
  }

  /** Last trade price in units, or −1 before the first trade. */
  lastPrice(symbol: string): number {
    const s = this.sym(symbol);
    return s.lastT < 0 ? -1 : s.lastT * s.c.pUnit;
  }

  /**
   * Reference price in units (−1: none). Volume-weighted average of the trades in the current
   * minute and the previous `mins − 1` minutes; the last trade price when that window has no
   * trades or `mins` is 0; −1 before the first trade (price filters that need it are then skipped).
   */
  avgPrice(symbol: string, now: number, mins = 5): number {
    return this.refPrice(this.sym(symbol), mins, now);
  }

  /** The symbol's price-range execution rule, if it has one. */
  priceRangeRule(symbol: string): PriceRangeRule | undefined {
    return this.sym(symbol).priceRange?.rule;
  }

  /** How the symbol's reference price is calculated; undefined: it has none. */
  referencePriceCalculation(symbol: string): ReferencePriceCalculation | undefined {
    return this.sym(symbol).referencePrice?.calculation;
  }

  /**
   * The symbol's reference price at `now` in units, null when it has none now; undefined when it
   * never had one (no calculation, no trade yet, no price ever set).
   */
  referencePrice(symbol: string, now: number): bigint | null | undefined {
    const ref = this.sym(symbol).referencePrice;
    return ref === null || !ref.everSet ? undefined : ref.value(now);
  }

  /** Sets (or clears, null) an EXTERNAL reference price: a decimal string of the quote asset. */
  setReferencePrice(cmd: { now: number; symbol: string; price: string | null }): EngineEvent[] {
    const s = this.sym(cmd.symbol);
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

  /** The symbol's retained trades, oldest first (rebuilt from the archive: for tests and tools). */
  /** A symbol's trading status now (exchangeInfo `status`, `symbolStatus` filters). */
  symbolStatus(symbol: string): SymbolStatus {
    return this.sym(symbol).status;
  }

  /**
   * Changes a symbol's trading status (admin API): anything but TRADING refuses new orders (-1013
   * "Market is closed."), cancels and amendments still work, resting orders stay, and SOR leaves its
   * book out.
   */
  setSymbolStatus(cmd: { now: number; symbol: string; status: SymbolStatus }): EngineEvent[] {
    const s = this.sym(cmd.symbol);
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
    const s = this.sym(cmd.symbol);
    const amount = (v: string, name: string): number => {
      const u = bigAmount(v, name, 8);
      if (u <= 0n || u > MAX_SAFE_N)
        throw Err.of(ErrorCode.INVALID_MESSAGE, `${name} must be positive, at most ${MAX_SAFE / 1e8}`);
      return Number(u);
    };
    const price = amount(cmd.price, 'price');
    const qty = amount(cmd.qty, 'qty');
    this.begin(cmd.now);
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
    this.words.object(e);
    return this.end(undefined).events;
  }

  /** historicalBlockTrades: from block trade id `fromId`, at most `limit`, oldest first. */
  blockTrades(symbol: string, fromId: number, limit: number): readonly BlockTradeEvent[] {
    const all = this.sym(symbol).blockTrades;
    const from = Math.max(0, fromId - 1);
    return all.slice(from, from + limit);
  }

  trades(symbol: string): readonly TradeEvent[] {
    return this.sym(symbol).tradeArchive.events();
  }

  /**
   * The price PERCENT_PRICE(_BY_SIDE) and a market order's NOTIONAL / MIN_NOTIONAL compare with, in
   * units (−1: none): the price-range rule's reference price while the symbol has one (Binance since
   * 2026-05), else the average price over `mins` minutes.
   */
  filterReferencePrice(symbol: string, now: number, mins: number): number {
    return this.filterPrice(this.sym(symbol), mins, now);
  }

  private filterPrice(s: SymbolState, mins: number, now: number): number {
    const ref = s.referencePrice;
    if (ref !== null && ref.everSet) {
      const v = ref.value(now);
      if (v !== null) return Number(v);
    }
    return this.refPrice(s, mins, now);
  }

  private refPrice(s: SymbolState, mins: number, now: number): number {
    if (s.lastT < 0) return -1;
    const last = s.lastT * s.c.pUnit;
    if (mins <= 0) return last;
    const avg = s.window.average(mins, now);
    return avg < 0 ? last : avg;
  }

  // ==== command bookkeeping ===========================================================================

  private begin(now: number): void {
    this.seq++;
    // (setting length is a builtin call even when it changes nothing)
    if (this.activations.length !== 0) this.activations.length = 0;
    this.now = now;
    this.words.begin();
    this.touchedBalanceCount = 0;
    this.traded = false;
  }

  private touch(b: Balance): void {
    this.touchRow(b.slot * BW);
  }

  /** Marks the balance at row offset `row` as changed by the current command. */
  private touchRow(row: number): void {
    const b = this.store.b;
    if (b[row + B_MARK] !== this.seq) {
      b[row + B_MARK] = this.seq;
      this.touchedBalances[this.touchedBalanceCount++] = row;
    }
  }

  private touchLevel(s: SymbolState, l: Level): void {
    if (l.mark !== this.seq) {
      l.mark = this.seq;
      s.touched[s.touchedCount++] = l;
    }
  }

  private end(s: SymbolState | undefined): EventBatch {
    if (s) {
      if (s.touchedCount > 0) this.flushDepth(s);
      if ((s.feeB !== 0 && !s.feeBSeen) || (s.feeQ !== 0 && !s.feeQSeen)) this.flushFees(s);
    }
    const tb = this.touchedBalances;
    const nt = this.touchedBalanceCount;
    if (nt > 0) {
      const b = this.store.b;
      const now = this.now;
      for (let i = 0; i < nt; i++) {
        const row = tb[i] as number;
        settleAt(b, row);
        b[row + B_TIME] = now;
      }
      // an outboundAccountPosition per account, its changed balances in the order they changed
      for (let i = 0; i < nt; i++) {
        const first = tb[i] as number;
        const acct = b[first + B_ACCOUNT] as number;
        let seen = false;
        for (let j = 0; j < i && !seen; j++) seen = b[(tb[j] as number) + B_ACCOUNT] === acct;
        if (seen) continue;
        let n = 0;
        for (let j = i; j < nt; j++) if (b[(tb[j] as number) + B_ACCOUNT] === acct) n++;
        this.words.account(b[first + B_ACCOUNT_ID] as number, n);
        for (let j = i; j < nt; j++) {
          const row = tb[j] as number;
          if (b[row + B_ACCOUNT] === acct) this.words.balance(b, row);
        }
      }
    }
    return this.words.finish(s?.table, this.now, this.seed);
  }

  private flushFees(s: SymbolState): void {
    const c = s.c;
    if (s.feeB !== 0) {
      this.addFee(c.base, BigInt(s.feeB));
      s.feeBSeen = true;
    }
    if (s.feeQ !== 0) {
      this.addFee(c.quote, BigInt(s.feeQ));
      s.feeQSeen = true;
    }
    s.feeB = s.feeQ = 0;
  }

  private addFee(asset: string, amount: bigint): void {
    this.fees.set(asset, (this.fees.get(asset) ?? 0n) + amount);
  }

  private flushDepth(s: SymbolState): void {
    const bids = this.depthBids;
    const asks = this.depthAsks;
    let nb = 0;
    let na = 0;
    const { pUnit, qUnit } = s.c;
    const t = s.touched;
    const nt = s.touchedCount;
    for (let i = 0; i < nt; i++) {
      const l = t[i] as Level;
      const p = l.price * pUnit;
      const out = l.isBid ? bids : asks;
      const n = l.isBid ? nb : na;
      let dup = false;
      for (let j = 0; j < n; j += 2) if (out[j] === p) dup = true;
      if (dup) continue;
      const cur = (l.isBid ? s.bids : s.asks).byPrice.get(l.price);
      out[n] = p;
      out[n + 1] = cur === undefined ? 0 : cur.qty * qUnit;
      if (l.isBid) nb += 2;
      else na += 2;
    }
    s.touchedCount = 0;
    const n = (nb + na) / 2;
    if (n === 0) return;
    const first = s.updateId + 1;
    s.updateId += n;
    this.words.depth(first, s.updateId, bids, nb, asks, na);
  }

  /**
   * An executionReport of `o` (its state now). `clientOrderId`: the report's `c` when not the order's
   * own (a cancel's id); amounts as numbers, or bigint beyond 2^53.
   */
  private exec(
    o: Order,
    executionType: ExecutionType,
    lastQty = 0,
    lastPrice = 0,
    lastQuoteQty: number | bigint = 0,
    commission: number | bigint = 0,
    commissionAsset = NO_ASSET,
    tradeId = -1,
    isMaker = false,
    clientOrderId: string | undefined = undefined,
    origClientOrderId = '',
    lastPreventedQty = 0,
    counterOrderId = -1,
  ): void {
    this.words.execution(
      o,
      executionType,
      ++this.executionId,
      lastQty,
      lastPrice,
      lastQuoteQty,
      commission,
      commissionAsset,
      tradeId,
      isMaker,
      clientOrderId,
      origClientOrderId,
      lastPreventedQty,
      counterOrderId,
    );
  }

  // ==== placing orders =================================================================================

  placeOrder(cmd: PlaceOrderCommand): PlaceResult {
    const s = this.sym(cmd.symbol);
    // an account that has traded the symbol is reached through its SymbolAccount (one lookup less)
    const sa = s.accounts.get(cmd.accountId);
    const acct = sa !== undefined ? sa.acct : this.accounts.get(cmd.accountId);
    const d =
      (cmd.type === 'LIMIT' ? this.fastLimit(s, cmd, acct, sa) : null) ??
      this.prepare(s, cmd, acct, sa, { newOrders: 1 });
    this.begin(cmd.now);
    const o = this.accept(s, d, -1, undefined, false, sa);
    this.exec(o, 'NEW');
    this.work(s, o);
    this.settleTriggers(s);
    return new Placed(o, this.end(s));
  }

  // ==== smart order routing (faqs/sor_faq.md) =========================================================

  /**
   * POST /api/v3/sor/order: a LIMIT or MARKET order whose taker phase takes the best prices across
   * its symbol's SOR group (its own book first among equal prices). At each step the allocator, an
   * internal account, takes the best level of one book as an IOC order of its own (a real trade
   * there: makers, market data, triggers and execution rules of that book as usual); the order is
   * filled by an allocation at that price, paid and received in its own symbol's assets. A LIMIT GTC
   * remainder then rests on its own book (working floor EXCHANGE); IOC, FOK and MARKET ones expire.
   */
  placeSorOrder(cmd: PlaceOrderCommand): PlaceResult {
    const s = this.sym(cmd.symbol);
    const group = this.sorGroups.get(s.c.name);
    if (group === undefined || s.sor === null) throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.NO_SOR);
    this.checkSorOrder(cmd);
    const isBuy = cmd.side === 'BUY';
    const sa = s.accounts.get(cmd.accountId);
    const acct = sa !== undefined ? sa.acct : this.accounts.get(cmd.accountId);
    const d = this.prepare(s, cmd, acct, sa, {
      newOrders: 1,
      marketCost: (qtyS) => walkGroup(group, isBuy, -1, qtyS).cost,
    });
    const floors = s.sor.floors;
    const events: EngineEvent[] = [];
    const fills: Fill[] = [];
    this.begin(cmd.now);
    const t = this.accept(s, d, -1, undefined, false, sa);
    floors.set(t.orderId, 'SOR');
    this.exec(t, 'NEW');
    events.push(...this.end(s).events);
    const limitT = t.isMarket ? -1 : t.priceT;
    // books whose execution rule refused the allocator's order at their best price
    const refused = new Set<SymbolState>();
    const fillable = t.tif !== 'FOK' || walkGroup(group, isBuy, limitT, t.remS).steps >= t.remS;
    while (fillable && t.open && t.remS > 0) {
      let x: SymbolState | undefined;
      let best: Level | undefined;
      for (const g of group) {
        const l = refused.has(g) ? undefined : bestWithin(g, isBuy, limitT);
        if (l !== undefined && (best === undefined || (isBuy ? l.price < best.price : l.price > best.price))) {
          x = g;
          best = l;
        }
      }
      if (x === undefined || best === undefined) break;
      let q = t.remS;
      if (t.selfTradePreventionMode !== 'NONE') {
        // the account's own orders there: self-trade prevention when one is first in the queue
        const ahead = aheadOfOwn(x, best, t.accountId);
        if (ahead === 0) {
          this.preventAcross(s, t, x, best, events);
          continue;
        }
        if (ahead > 0 && ahead < q) q = ahead;
      }
      if (t.isMarket && isBuy) {
        // a MARKET BUY spends at most what it reserved
        const c = s.c;
        if (notionalUnits(best.price, q, c.fn, c.fd) > t.locked) {
          q = safeInt((t.locked * BigInt(c.fd)) / (BigInt(best.price) * BigInt(c.fn)));
          q -= q % c.marketStepS;
          if (q <= 0) break;
        }
      }
      const got = this.allocatorTakes(x, isBuy, best.price, q, cmd.now, events);
      if (got.steps === 0) refused.add(x);
      else this.allocate(s, t, best.price, got.steps, got.quote, events, fills);
    }
    this.begin(cmd.now);
    let rests = false;
    if (t.open && t.remS > 0) {
      // a GTC order would rest across its own book, which its symbol's execution rule kept it from taking
      if (refused.has(s) && !t.isMarket && t.tif === 'GTC')
        this.expire(s, t, 'EXPIRED', 'EXECUTION_RULE_PRICE_RANGE_EXCEEDED');
      else rests = this.endTakerPhase(s, t);
    }
    events.push(...this.end(s).events);
    if (rests) floors.set(t.orderId, 'EXCHANGE');
    return { order: t, fills, events };
  }

  /** What POST /sor/order refuses before anything else: order types other than LIMIT and MARKET. */
  private checkSorOrder(cmd: PlaceOrderCommand): void {
    if (
      (cmd.type !== 'LIMIT' && cmd.type !== 'MARKET') ||
      cmd.quoteOrderQty !== undefined ||
      cmd.stopPrice !== undefined ||
      cmd.trailingDelta !== undefined ||
      cmd.pegPriceType !== undefined
    )
      throw Err.of(ErrorCode.UNKNOWN_ORDER_COMPOSITION, ErrorMessage.UNKNOWN_ORDER_COMPOSITION);
  }

  /** POST /api/v3/sor/order/test: every check of placeSorOrder except the balance; nothing changes. */
  testSorOrder(cmd: PlaceOrderCommand): void {
    const s = this.sym(cmd.symbol);
    if (!this.sorGroups.has(s.c.name)) throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.NO_SOR);
    this.checkSorOrder(cmd);
    this.testOrder(cmd);
  }

  /** The SOR configurations (exchangeInfo `sors`). */
  sors(): readonly SorConfig[] {
    return this.sorConfigs;
  }

  /** myAllocations. */
  allocations(
    accountId: AccountId,
    symbol: string,
    q: { orderId?: number; fromAllocationId?: number; startTime?: number; endTime?: number; limit: number },
  ): { readonly symbol: string; readonly allocations: readonly Allocation[] } {
    const s = this.sym(symbol);
    return { symbol: s.c.name, allocations: s.sor === null ? [] : s.sor.query(accountId, q) };
  }

  /** Per asset, what the SOR allocator holds (negative: owes); see `allocatorNet`. */
  allocatorHoldings(): Map<string, bigint> {
    return new Map(this.allocatorNet);
  }

  /**
   * The allocator's IOC order of `q` steps at `priceT` on `x` (it buys when the SOR order buys): funds
   * it is given for it, and what it got back, go to `allocatorNet`. Returns what it traded.
   */
  private allocatorTakes(
    x: SymbolState,
    buys: boolean,
    priceT: number,
    q: number,
    now: number,
    events: EngineEvent[],
  ): { steps: number; quote: bigint } {
    const c = x.c;
    const a = this.allocatorAccount();
    const asset = buys ? c.quote : c.base;
    const lock = buys ? notionalUnits(priceT, q, c.fn, c.fd) : BigInt(q * c.qUnit);
    this.begin(now);
    const b = a.balance(asset);
    b.free += lock;
    this.touch(b);
    this.addAllocatorNet(asset, -lock);
    const o = this.accept(
      x,
      {
        symbol: c.name,
        accountId: SOR_ALLOCATOR,
        side: buys ? 'BUY' : 'SELL',
        type: 'LIMIT',
        timeInForce: 'IOC',
        price: priceT * c.pUnit,
        origQty: q * c.qUnit,
        origQuoteOrderQty: 0n,
        stopPrice: 0,
        icebergQty: 0,
        selfTradePreventionMode: 'NONE',
        strategyId: undefined,
        strategyType: undefined,
        time: now,
        clientOrderId: undefined,
        isStop: false,
        isMarket: false,
        priceT,
        stopT: 0,
        qtyS: q,
        icebergS: 0,
        lock,
        lockN: -1,
        trailingDelta: 0,
        peg: null,
        pegged: false,
      },
      -1,
    );
    this.exec(o, 'NEW');
    this.work(x, o);
    this.settleTriggers(x);
    const got = { steps: o.execS, quote: o.cumQuote };
    for (const held of a.balances.values()) {
      settle(held);
      const v = held.free;
      if (v === 0n) continue;
      held.free = 0n;
      this.touch(held);
      this.addAllocatorNet(held.asset, v);
    }
    for (const e of this.end(x).events) if (!('accountId' in e) || e.accountId !== SOR_ALLOCATOR) events.push(e);
    return got;
  }

  /** Fills SOR order `t` by an allocation of `steps` at `priceT` costing `quote` (allocator on the other side). */
  private allocate(
    s: SymbolState,
    t: Order,
    priceT: number,
    steps: number,
    quote: bigint,
    events: EngineEvent[],
    fills: Fill[],
  ): void {
    const c = s.c;
    const qU = steps * c.qUnit;
    const qB = BigInt(qU);
    const rate = t.acct.takerRate;
    this.begin(this.now);
    const base = t.baseBal;
    const quoteBal = t.quoteBal;
    let commission: bigint;
    if (t.isBuy) {
      commission = (qB * rate) / UNIT_N;
      quoteBal.locked -= quote;
      t.locked = t.locked - quote;
      base.free += qB - commission;
      this.addAllocatorNet(c.base, -qB);
      this.addAllocatorNet(c.quote, quote);
    } else {
      commission = (quote * rate) / UNIT_N;
      base.locked -= qB;
      t.locked = t.locked - qB;
      quoteBal.free += quote - commission;
      this.addAllocatorNet(c.base, qB);
      this.addAllocatorNet(c.quote, -quote);
    }
    const feeAsset = t.isBuy ? c.base : c.quote;
    if (commission > 0n) this.addFee(feeAsset, commission);
    this.touch(base);
    this.touch(quoteBal);
    if (t.execS === 0) this.words.firstFill(t.accountId, t.orderId);
    t.remS -= steps;
    if (t.visS > t.remS) t.visS = t.remS;
    t.execS += steps;
    t.updateTime = this.now;
    if (quote <= MAX_SAFE_N) t.addQuote(Number(quote));
    else t.cumB += quote;
    t.status = t.remS === 0 ? 'FILLED' : 'PARTIALLY_FILLED';
    if (t.remS === 0) this.close(s, t);
    const price = priceT * c.pUnit;
    this.exec(t, 'TRADE', qU, price, quote, commission, t.isBuy ? BASE_ASSET : QUOTE_ASSET, -1, false);
    const ledger = s.sor as SorLedger;
    const allocId = ledger.allocations.length;
    ledger.allocations.push({
      allocationId: allocId,
      accountId: t.accountId,
      orderId: t.orderId,
      orderListId: t.orderListId,
      price,
      qty: qU,
      quoteQty: quote,
      commission,
      commissionAsset: feeAsset,
      time: this.now,
      isBuyer: t.isBuy,
    });
    fills.push({ price, qty: qU, commission, commissionAsset: feeAsset, tradeId: -1, allocId });
    appendPatched(events, this.end(s).events, t.orderId, 'TRADE', { allocId });
  }

  /**
   * Self-trade prevention of SOR order `t` (symbol `s`) with the account's own order first at `lvl`
   * of book `x`: the maker's part in x, the taker's in s; each report names the other's symbol (`Cs`).
   */
  private preventAcross(s: SymbolState, t: Order, x: SymbolState, lvl: Level, events: EngineEvent[]): void {
    const m = new Order(x.table, lvl.head);
    this.begin(this.now);
    const { pm, takerS, makerS } = this.preventedMatch(s, t, m, lvl.price * x.c.pUnit);
    this.preventOne(x, m, makerS, pm.preventedMatchId, t, true);
    appendPatched(events, this.end(x).events, m.orderId, 'TRADE_PREVENTION', { counterSymbol: s.c.name });
    this.begin(this.now);
    this.words.object(pm);
    this.preventOne(s, t, takerS, pm.preventedMatchId, m, false);
    appendPatched(events, this.end(s).events, t.orderId, 'TRADE_PREVENTION', { counterSymbol: x.c.name });
  }

  private allocatorAccount(): Account {
    let a = this.accounts.get(SOR_ALLOCATOR);
    if (a === undefined) {
      a = this.account(SOR_ALLOCATOR);
      a.setRates(0n, 0n);
    }
    return a;
  }

  private addAllocatorNet(asset: string, d: bigint): void {
    this.allocatorNet.set(asset, (this.allocatorNet.get(asset) ?? 0n) + d);
  }

  /**
   * The common case of `prepare` — a plain LIMIT order that passes everything — checked against
   * the symbol's flattened filters with integer arithmetic only (no BigInt below 2^53). Returns
   * null whenever anything is unusual or fails: `prepare` then decides, with its exact error.
   */
  private fastLimit(
    s: SymbolState,
    cmd: PlaceOrderCommand,
    acct: Account | undefined,
    sa: SymbolAccount | undefined,
  ): Draft | null {
    const c = s.c;
    if (!c.fast || !c.limitAllowed || s.status !== 'TRADING' || s.assetCapped) return null;
    const tif = cmd.timeInForce;
    if (
      tif === undefined ||
      cmd.price === undefined ||
      cmd.quantity === undefined ||
      cmd.stopPrice !== undefined ||
      cmd.quoteOrderQty !== undefined ||
      cmd.icebergQty !== undefined ||
      cmd.trailingDelta !== undefined ||
      cmd.pegPriceType !== undefined ||
      cmd.pegOffsetType !== undefined ||
      cmd.pegOffsetValue !== undefined ||
      cmd.selfTradePreventionMode !== undefined ||
      (cmd.strategyType !== undefined && cmd.strategyType < 1000000)
    )
      return null;
    const cid = cmd.newClientOrderId;
    if (cid !== undefined && (cid.length === 0 || sa === undefined || isOpen(this.byCid(s, cmd.accountId, sa, cid))))
      return null;
    const priceU = parseUnits(cmd.price, c.priceDecimals);
    const qtyU = parseUnits(cmd.quantity, c.qtyDecimals);
    if (priceU <= 0 || qtyU <= 0) return null;
    const priceT = priceU / c.pUnit;
    const qtyS = qtyU / c.qUnit;
    if (!Number.isInteger(priceT) || !Number.isInteger(qtyS)) return null;
    if ((c.fMinT > 0 && priceT < c.fMinT) || (c.fMaxT > 0 && priceT > c.fMaxT)) return null;
    if ((c.fMinS > 0 && qtyS < c.fMinS) || (c.fMaxS > 0 && qtyS > c.fMaxS) || (c.fStepS > 1 && qtyS % c.fStepS !== 0))
      return null;
    const n = notionalNum(priceT, qtyS, c.fn, c.fd);
    if (n < 0 || n < c.fMinN || n > c.fMaxN) return null;
    if ((sa ? sa.openCount : 0) + 1 > c.fMaxOrders) return null;
    const maxOrders = this.limits.orders;
    if (maxOrders !== Infinity && (acct ? acct.openOrders : 0) + 1 > maxOrders) return null;
    const isBuy = cmd.side === 'BUY';
    const pct = c.fPercent;
    for (let i = 0; i < pct.length; i++) if (!this.percentOk(s, i, cmd.now, priceU, isBuy)) return null;
    const need = isBuy ? n : qtyU;
    if (need > 0) {
      if (sa !== undefined) {
        if (freeBelow(this.store.b, isBuy ? sa.quoteRow : sa.baseRow, need)) return null;
      } else {
        const bal = acct?.balances.get(isBuy ? c.quote : c.base);
        if (bal === undefined || bal.freeBelow(need)) return null;
      }
    }
    const d = this.limitDraft;
    d.symbol = c.name;
    d.accountId = cmd.accountId;
    d.side = cmd.side;
    d.timeInForce = tif;
    d.price = priceU;
    d.origQty = qtyU;
    d.selfTradePreventionMode = c.def.defaultSelfTradePreventionMode;
    d.strategyId = cmd.strategyId;
    d.strategyType = cmd.strategyType;
    d.time = cmd.now;
    d.clientOrderId = cid;
    d.priceT = priceT;
    d.qtyS = qtyS;
    d.lockN = need;
    return d;
  }

  /**
   * PERCENT_PRICE(_BY_SIDE) filter `i` for a priced order: price·1e8 within [ref·down, ref·up], i.e.
   * ceil(ref·down/1e8) ≤ price ≤ floor(ref·up/1e8) in units. The integer bounds are recomputed (BigInt)
   * only when the reference price changes.
   */
  private percentOk(s: SymbolState, i: number, now: number, priceU: number, isBuy: boolean): boolean {
    const f = s.c.fPercent[i] as Extract<CompiledFilter, { kind: 'PERCENT_PRICE' | 'PERCENT_PRICE_BY_SIDE' }>;
    const ref = this.filterPrice(s, f.mins, now);
    if (ref < 0) return true;
    const k = i * 5;
    const b = s.pctBounds;
    if (b[k] !== ref) {
      b[k] = ref;
      b[k + 1] = ceilTimes(ref, f.fr.bidDown);
      b[k + 2] = floorTimes(ref, f.fr.bidUp);
      b[k + 3] = ceilTimes(ref, f.fr.askDown);
      b[k + 4] = floorTimes(ref, f.fr.askUp);
    }
    return isBuy
      ? priceU >= (b[k + 1] as number) && priceU <= (b[k + 2] as number)
      : priceU >= (b[k + 3] as number) && priceU <= (b[k + 4] as number);
  }

  /** Validates a new order (parameters, filters, engine rules, balance) without changing anything. */
  private prepare(
    s: SymbolState,
    cmd: PlaceOrderCommand,
    acct: Account | undefined,
    sa: SymbolAccount | undefined,
    opts: PrepareOptions,
  ): Draft {
    const {
      newOrders,
      sharedLock = false,
      names = {},
      quantityLater = false,
      entersLater = false,
      inList = false,
    } = opts;
    const n = (p: LegParam): string => names[p] ?? p;
    const c = s.c;
    const def = c.def;
    const type = cmd.type;
    if (s.status !== 'TRADING') throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.MARKET_CLOSED);
    if (!def.orderTypes.includes(type)) throw Err.of(ErrorCode.INVALID_MESSAGE, unsupportedTypeMessage(type));
    const priced = PRICED_TYPES.has(type);
    const isStop = STOP_TYPES.has(type);
    const isMarket = type === 'MARKET' || type === 'STOP_LOSS' || type === 'TAKE_PROFIT';
    const isBuy = cmd.side === 'BUY';

    // -- parameters by type
    let tif: TimeInForce = 'GTC';
    if (TIF_TYPES.has(type)) {
      if (cmd.timeInForce === undefined) throw Err.mandatoryParam(n('timeInForce'));
      tif = cmd.timeInForce;
    } else if (cmd.timeInForce !== undefined) throw Err.paramNotRequired(n('timeInForce'));
    const peg = pegSpec(c, cmd, tif, n);
    if (priced) {
      if (cmd.price === undefined && peg === null) throw Err.mandatoryParam(n('price'));
    } else if (cmd.price !== undefined) throw Err.paramNotRequired(n('price'));
    const trailingDelta = cmd.trailingDelta ?? 0;
    if (cmd.trailingDelta !== undefined) {
      if (!isStop) throw Err.paramNotRequired(n('trailingDelta'));
      if (!def.allowTrailingStop) throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.TRAILING_NOT_SUPPORTED);
    }
    if (isStop) {
      if (cmd.stopPrice === undefined && cmd.trailingDelta === undefined) throw Err.mandatoryParam(n('stopPrice'));
    } else if (cmd.stopPrice !== undefined) throw Err.paramNotRequired(n('stopPrice'));
    const quoteMode = cmd.quoteOrderQty !== undefined;
    if (quantityLater) {
      if (cmd.quantity !== undefined) throw Err.paramNotRequired(n('quantity'));
      if (quoteMode) throw Err.paramNotRequired('quoteOrderQty');
    } else if (type === 'MARKET') {
      if (cmd.quantity === undefined && !quoteMode) throw Err.eitherParam('quantity', 'quoteOrderQty');
      if (cmd.quantity !== undefined && quoteMode) throw Err.paramNotRequired('quoteOrderQty');
      if (quoteMode && !def.quoteOrderQtyMarketAllowed)
        throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.QUOTE_ORDER_QTY_NOT_SUPPORTED);
    } else {
      if (cmd.quantity === undefined) throw Err.mandatoryParam(n('quantity'));
      if (quoteMode) throw Err.paramNotRequired('quoteOrderQty');
    }
    if (cmd.icebergQty !== undefined) {
      if (!ICEBERG_TYPES.has(type)) throw Err.paramNotRequired(n('icebergQty'));
      if (!def.icebergAllowed) throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.ICEBERG_NOT_SUPPORTED);
      if (tif !== 'GTC') throw Err.of(ErrorCode.UNKNOWN_ORDER_COMPOSITION, 'Unsupported order combination.');
    }
    if (cmd.strategyType !== undefined && cmd.strategyType < 1000000)
      throw Err.of(ErrorCode.BAD_STRATEGY_TYPE, '`strategyType` was less than 1000000.');
    const stp: SelfTradePreventionMode = cmd.selfTradePreventionMode ?? def.defaultSelfTradePreventionMode;
    // NONE too must be one of the symbol's modes (stp_faq: the allowed modes are the ones a user can pass)
    if (stp !== def.defaultSelfTradePreventionMode && !def.allowedSelfTradePreventionModes.includes(stp))
      throw Err.invalidParameter('selfTradePreventionMode');
    const cid = cmd.newClientOrderId;
    if (cid !== undefined) {
      if (cid.length === 0) throw Err.of(ErrorCode.EMPTY_NEW_CL_ORD_ID, 'New client order ID was empty.');
    }

    // -- decimals (-1111 when more significant decimals than the asset precision)
    const priceU = cmd.price === undefined ? 0 : num(cmd.price, n('price'), c.priceDecimals);
    const stopU = cmd.stopPrice === undefined ? 0 : num(cmd.stopPrice, n('stopPrice'), c.priceDecimals);
    const qtyU = cmd.quantity === undefined ? 0 : num(cmd.quantity, n('quantity'), c.qtyDecimals);
    const iceU = cmd.icebergQty === undefined ? 0 : num(cmd.icebergQty, n('icebergQty'), c.qtyDecimals);
    let quoteBudget = 0n;
    if (quoteMode) {
      quoteBudget = bigAmount(cmd.quoteOrderQty as string, 'quoteOrderQty', c.quoteDecimals);
    }
    const { pUnit, qUnit } = c;
    const priceT = priceU / pUnit; // may be fractional: PRICE_FILTER fails below
    const stopT = stopU / pUnit;
    let qtyS = qtyU / qUnit; // may be fractional: LOT_SIZE fails below
    const iceS = iceU / qUnit;
    if (priced && ((priceU === 0 && peg === null) || (qtyU === 0 && !quantityLater)))
      throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.PRICE_QTY_ZERO);
    // a pegged LIMIT / LIMIT_MAKER takes its price from the book now; stop-limits when triggered
    const pegsNow = peg !== null && !isStop && !entersLater;
    const pegT = pegsNow ? pegTicks(s, isBuy, peg) : -1;
    if (pegsNow && pegT < 0) throw rejected(EngineMessage.PEG_LIQUIDITY_TOO_LOW);
    const limitT = pegT >= 0 ? pegT : priceT;

    // -- MARKET by quoteOrderQty: the quantity comes from the book (never breaking the lot step)
    let lock = -1n;
    const opp = isBuy ? s.asks : s.bids;
    if (quoteMode) {
      const w = walk(c, opp, -1, Infinity, quoteBudget);
      const steps = w.steps - (w.steps % c.marketStepS);
      const minS = Math.max(c.lot?.minS ?? 0, c.marketLot?.minS ?? 0, 1);
      if (steps < minS)
        throw rejected(
          c.marketLot && c.marketLot.minS > (c.lot?.minS ?? 0)
            ? EngineMessage.LIQUIDITY_BELOW_MARKET_LOT_SIZE
            : EngineMessage.LIQUIDITY_BELOW_LOT_SIZE,
        );
      qtyS = steps;
      if (isBuy) lock = walk(c, opp, -1, steps, -1n).cost;
    }

    // -- filters, in the symbol's filter order, at the limit price (0: not known yet); a pegged order
    // with a price of its own passes them at both prices
    const saOpen = sa ? sa.openCount : 0;
    const checkFilters = (priceU: number, priceT: number): void => {
      for (const f of c.filters) {
        switch (f.kind) {
          case 'PRICE_FILTER':
            if (priced && priceT > 0 && !priceOk(f, priceT)) throw fail('PRICE_FILTER');
            if (isStop && stopU > 0 && !priceOk(f, stopT)) throw fail('PRICE_FILTER');
            break;
          case 'TRAILING_DELTA': {
            if (cmd.trailingDelta === undefined) break;
            // above the market: STOP_LOSS(_LIMIT) BUY and TAKE_PROFIT(_LIMIT) SELL
            const above = (type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT') === isBuy;
            const [min, max] = above ? [f.minAbove, f.maxAbove] : [f.minBelow, f.maxBelow];
            if (trailingDelta < min || trailingDelta > max) throw fail('TRAILING_DELTA');
            break;
          }
          case 'PERCENT_PRICE':
          case 'PERCENT_PRICE_BY_SIDE':
            if (priced && priceT > 0 && this.percentFails(s, f, priceU, isBuy, cmd.now))
              throw fail(this.percentName(f));
            break;
          case 'LOT_SIZE':
            if (!quoteMode && !quantityLater && !lotOk(f, qtyS)) throw fail('LOT_SIZE');
            if (iceU > 0 && !lotOk(f, iceS)) throw fail('LOT_SIZE');
            break;
          case 'MARKET_LOT_SIZE':
            if (isMarket && !quoteMode && !quantityLater && !lotOk(f, qtyS)) throw fail('MARKET_LOT_SIZE');
            break;
          case 'ICEBERG_PARTS':
            if (!quantityLater && icebergPartsFail(f, qtyS, iceS)) throw fail('ICEBERG_PARTS');
            break;
          case 'NOTIONAL':
          case 'MIN_NOTIONAL':
            if (
              !quantityLater &&
              !(priced && priceT === 0) &&
              this.notionalFails(
                s,
                f,
                { isMarket, isStop, priceT, stopT },
                qtyS,
                quoteMode ? quoteBudget : -1n,
                cmd.now,
              )
            )
              throw fail(f.kind);
            break;
          case 'MAX_NUM_ORDERS':
            if (saOpen + newOrders > f.max) throw fail('MAX_NUM_ORDERS');
            break;
          case 'MAX_NUM_ALGO_ORDERS':
            if (isStop && (sa ? sa.algo : 0) + 1 > f.max) throw fail('MAX_NUM_ALGO_ORDERS');
            break;
          case 'MAX_NUM_ICEBERG_ORDERS':
            if (iceU > 0 && (sa ? sa.iceberg : 0) + 1 > f.max) throw fail('MAX_NUM_ICEBERG_ORDERS');
            break;
          case 'MAX_NUM_ORDER_LISTS':
            if (inList && (sa ? sa.openLists : 0) + 1 > f.max) throw fail('MAX_NUM_ORDER_LISTS');
            break;
          case 'MAX_POSITION':
            if (isBuy && !quantityLater && this.positionWith(s, acct, sa, qtyS) > f.max) throw fail('MAX_POSITION');
            break;
        }
      }
    };
    checkFilters(pegT >= 0 ? pegT * pUnit : priceU, limitT);
    if (pegT >= 0 && priceU > 0) {
      const failed = this.limitPriceFailure(s, { isBuy, isStop, stopT }, priceT, qtyS, cmd.now);
      if (failed !== null) throw fail(failed);
    }
    // the exchange filters, over all the account's symbols
    const x = this.limits;
    if ((acct ? acct.openOrders : 0) + newOrders > x.orders) throw fail('EXCHANGE_MAX_NUM_ORDERS');
    if (isStop && (acct ? acct.algo : 0) + 1 > x.algo) throw fail('EXCHANGE_MAX_NUM_ALGO_ORDERS');
    if (iceU > 0 && (acct ? acct.iceberg : 0) + 1 > x.iceberg) throw fail('EXCHANGE_MAX_NUM_ICEBERG_ORDERS');
    if (inList && (acct ? acct.openLists : 0) + 1 > x.lists) throw fail('EXCHANGE_MAX_NUM_ORDER_LISTS');
    // the asset filters: the most of an asset one order may move
    if (s.assetCapped && !quantityLater) {
      const baseCap = this.assetCaps.get(c.base);
      if (baseCap !== undefined && BigInt(qtyS) * BigInt(qUnit) > baseCap) throw fail('MAX_ASSET');
      const quoteCap = this.assetCaps.get(c.quote);
      if (quoteCap !== undefined) {
        // a market order's notional at the average price (unknown before the first trade: not checked)
        let notional = -1n;
        if (quoteMode) notional = quoteBudget;
        else if (priced && limitT > 0) notional = notionalUnits(limitT, qtyS, c.fn, c.fd);
        else if (isMarket) {
          const avg = this.filterPrice(s, c.maxAvgPriceMins, cmd.now);
          if (avg > 0) notional = (BigInt(avg) * BigInt(qtyS) * BigInt(qUnit)) / UNIT_N;
        }
        if (notional > quoteCap) throw fail('MAX_ASSET');
      }
    }
    // Misfits the symbol's filters did not catch (no PRICE_FILTER / LOT_SIZE configured).
    if (!Number.isInteger(priceT) || !Number.isInteger(stopT)) throw fail('PRICE_FILTER');
    if (!Number.isInteger(qtyS) || !Number.isInteger(iceS)) throw fail(c.lot ? 'LOT_SIZE' : 'MARKET_LOT_SIZE');
    if (isMarket && !quoteMode && !quantityLater && qtyS === 0) throw fail(c.lot ? 'LOT_SIZE' : 'MARKET_LOT_SIZE');
    if (iceS > qtyS && !quantityLater) throw rejected(EngineMessage.ICEBERG_QTY_EXCEEDS_QTY);

    // -- engine rules
    if (cid !== undefined && sa) {
      if (isOpen(this.byCid(s, cmd.accountId, sa, cid))) throw rejected(EngineMessage.DUPLICATE_ORDER);
    }
    if (type === 'LIMIT_MAKER' && limitT > 0 && wouldTake(opp, isBuy, limitT))
      throw rejected(EngineMessage.WOULD_MATCH_AND_TAKE);
    // (A trailing stop whose stop price is already reached starts tracking at once instead.)
    if (isStop && trailingDelta === 0 && s.lastT >= 0 && triggers(type, isBuy, stopT, s.lastT))
      throw rejected(EngineMessage.WOULD_TRIGGER_IMMEDIATELY);

    // -- balance
    if (lock < 0n) {
      if (!isBuy) lock = BigInt(qtyS * qUnit);
      else if (priced)
        lock = notionalUnits(limitT, qtyS, c.fn, c.fd); // 0 while a peg waits: reserved then
      else if (type === 'MARKET') lock = opts.marketCost?.(qtyS) ?? walk(c, opp, -1, qtyS, -1n).cost;
      else lock = 0n; // a BUY stop-market reserves at trigger time
    }
    const need = quoteMode && isBuy ? quoteBudget : lock;
    if (!sharedLock) {
      const bal = acct?.balances.get(isBuy ? c.quote : c.base);
      if (need > 0n && (!bal || bal.free < need)) throw rejected(EngineMessage.INSUFFICIENT_BALANCE);
    }

    return {
      symbol: c.name,
      accountId: cmd.accountId,
      side: cmd.side,
      type,
      timeInForce: tif,
      price: priced ? priceU : 0,
      origQty: qtyS * qUnit,
      origQuoteOrderQty: quoteBudget,
      stopPrice: stopU,
      icebergQty: iceU,
      selfTradePreventionMode: stp,
      strategyId: cmd.strategyId,
      strategyType: cmd.strategyType,
      time: cmd.now,
      clientOrderId: cid,
      isStop,
      isMarket,
      priceT: priced ? limitT : 0,
      stopT,
      qtyS,
      icebergS: iceS,
      lock,
      lockN: -1,
      trailingDelta,
      peg,
      pegged: pegT >= 0,
    };
  }

  /**
   * MAX_POSITION: the base asset the account holds (free and locked), plus what its open BUY orders
   * on the symbol may still buy, plus `qtyS` steps more.
   */
  private positionWith(s: SymbolState, acct: Account | undefined, sa: SymbolAccount | undefined, qtyS: number): bigint {
    const b = acct?.balances.get(s.c.base);
    let steps = qtyS;
    const t = s.table;
    for (let id = sa ? sa.head : 0; id !== 0; id = t.aNext[id] as number)
      if (((t.flags[id] as number) & BUY) !== 0) steps += t.remS[id] as number;
    return (b ? b.free + b.locked : 0n) + BigInt(steps) * BigInt(s.c.qUnit);
  }

  /** PERCENT_PRICE(_BY_SIDE) at `priceU` (units) against the reference price (none yet: passes). */
  private percentFails(
    s: SymbolState,
    f: Extract<CompiledFilter, { kind: 'PERCENT_PRICE' | 'PERCENT_PRICE_BY_SIDE' }>,
    priceU: number,
    isBuy: boolean,
    now: number,
  ): boolean {
    const ref = this.filterPrice(s, f.mins, now);
    if (ref < 0) return false;
    // the same exact bounds as percentOk's (ceil of ref·down, floor of ref·up)
    return (
      priceU < ceilTimes(ref, isBuy ? f.fr.bidDown : f.fr.askDown) ||
      priceU > floorTimes(ref, isBuy ? f.fr.bidUp : f.fr.askUp)
    );
  }

  private percentName(f: Extract<CompiledFilter, { kind: 'PERCENT_PRICE' | 'PERCENT_PRICE_BY_SIDE' }>): string {
    return f.kind === 'PERCENT_PRICE' ? 'PERCENT_PRICE' : this.bySideName;
  }

  /**
   * Pegs an order that enters the book now (a triggered stop-limit, a pending order going live): its
   * price from the book, then the price filters at it (faqs/pegged_orders.md: revalidated then).
   * False when the book has no such level or a filter fails (the order then expires).
   */
  private pegNow(s: SymbolState, o: Order): boolean {
    const peg = o.peg as Peg;
    const t = pegTicks(s, o.isBuy, peg);
    if (t < 0) return false;
    if (this.limitPriceFailure(s, o, t, o.remS, this.now) !== null) return false;
    o.priceT = t;
    peg.peggedPrice = t * s.c.pUnit;
    return true;
  }

  /**
   * The filters a limit price must pass (PRICE_FILTER, PERCENT_PRICE(_BY_SIDE), NOTIONAL /
   * MIN_NOTIONAL), in the symbol's order: the name of the first that fails at `priceT` ticks, else null.
   */
  private limitPriceFailure(
    s: SymbolState,
    o: { readonly isBuy: boolean; readonly isStop: boolean; readonly stopT: number },
    priceT: number,
    qtyS: number,
    now: number,
  ): string | null {
    const c = s.c;
    for (const f of c.filters) {
      if (f.kind === 'PRICE_FILTER' && !priceOk(f, priceT)) return f.kind;
      if (
        (f.kind === 'PERCENT_PRICE' || f.kind === 'PERCENT_PRICE_BY_SIDE') &&
        this.percentFails(s, f, priceT * c.pUnit, o.isBuy, now)
      )
        return this.percentName(f);
      if (
        (f.kind === 'NOTIONAL' || f.kind === 'MIN_NOTIONAL') &&
        this.notionalFails(s, f, { isMarket: false, isStop: o.isStop, priceT, stopT: o.stopT }, qtyS, -1n, now)
      )
        return f.kind;
    }
    return null;
  }

  /**
   * NOTIONAL / MIN_NOTIONAL: a priced order's price × quantity; a market order's (where the filter
   * applies to market orders) quote budget, or its stop price, else the reference price, × quantity.
   */
  private notionalFails(
    s: SymbolState,
    f: Extract<CompiledFilter, { kind: 'NOTIONAL' | 'MIN_NOTIONAL' }>,
    o: { readonly isMarket: boolean; readonly isStop: boolean; readonly priceT: number; readonly stopT: number },
    qtyS: number,
    quoteBudget: bigint,
    now: number = this.now,
  ): boolean {
    const c = s.c;
    let n: bigint;
    let checkMin = true;
    let checkMax = f.max > 0n;
    if (!o.isMarket) n = notionalUnits(o.priceT, qtyS, c.fn, c.fd);
    else {
      checkMin = f.applyMin;
      checkMax = checkMax && f.applyMax;
      if (!checkMin && !checkMax) return false;
      if (quoteBudget >= 0n) n = quoteBudget;
      else {
        let pT = o.isStop && o.stopT > 0 ? o.stopT : -1;
        if (pT < 0) {
          const ref = this.filterPrice(s, f.mins, now);
          if (ref < 0) return false;
          pT = Math.floor(ref / c.pUnit);
        }
        n = notionalUnits(pT, qtyS, c.fn, c.fd);
      }
    }
    return (checkMin && n < f.min) || (checkMax && n > f.max);
  }

  private nextClientOrderId(): string {
    return clientOrderId(this.seed, ++this.cidSeq);
  }

  /** The latest order of an account on a symbol with this client order id (given or generated). */
  private byCid(
    s: SymbolState,
    accountId: AccountId,
    sa: SymbolAccount | undefined,
    cid: string,
  ): FoundOrder | undefined {
    const eId = sa?.byClientId.get(cid);
    const e = eId === undefined ? undefined : (s.order(eId) ?? eId);
    let g: FoundOrder | undefined;
    const seq = cid.length === 22 ? clientOrderIdSeq(this.seed, cid) : -1;
    if (seq > 0 && this.genIds.symbolOf(seq) === s.index) g = this.byId(s, accountId, this.genIds.orderIdOf(seq));
    if (e === undefined) return g;
    if (g === undefined) return e;
    return refId(g) > refId(e) ? g : e;
  }

  /** The order `orderId` of an account on a symbol: open or leg view, else the orderId of a closed one. */
  private byId(s: SymbolState, accountId: AccountId, orderId: number): FoundOrder | undefined {
    const o = s.order(orderId);
    if (o !== undefined) return o.accountId === accountId ? o : undefined;
    if (this.retain && s.table.has(orderId, HISTORY) && s.table.accountIdOf(orderId) === accountId) return orderId;
    return undefined;
  }

  private view(s: SymbolState, r: FoundOrder): OrderView {
    return typeof r === 'number' ? new Order(s.table, r) : r;
  }

  /** Registers a validated order and reserves its funds. */
  private accept(
    s: SymbolState,
    d: Draft,
    orderListId: number,
    lockArg?: bigint,
    pending = false,
    known?: SymbolAccount,
  ): Order {
    let sa = known ?? s.accounts.get(d.accountId);
    if (sa === undefined) sa = s.account(this.account(d.accountId));
    const generated = d.clientOrderId === undefined ? ++this.cidSeq : 0;
    // generated ids past 2^32 are not decodable (ids.ts): kept as strings and indexed like client ones
    const indexed = generated > 0 && generated < 4294967296;
    const o = s.table.insert(
      d,
      s.nextOrderId++,
      orderListId,
      indexed ? null : (d.clientOrderId ?? clientOrderId(this.seed, generated)),
      sa,
      indexed ? generated : 0,
    );
    sa.addOpen(o);
    if (indexed) this.genIds.set(generated, s.index, o.orderId);
    else sa.indexClientId(o.clientOrderId, o.orderId);
    if (this.retain) sa.addOrder(s.orderChains, o.orderId);
    if (d.trailingDelta > 0) {
      o.trail = this.newTrail(s, o.orderId, d.trailingDelta);
      if (!pending) this.armTrail(s, o);
    }
    if (d.peg !== null) {
      const peg: Peg = {
        orderId: o.orderId,
        priceType: d.peg.priceType,
        offset: d.peg.offset,
        peggedPrice: d.pegged ? d.priceT * s.c.pUnit : 0,
      };
      s.pegs.set(o.orderId, peg);
      o.peg = peg;
    }
    if (pending) o.status = 'PENDING_NEW';
    else if (!o.isStop) {
      o.isWorking = true;
      o.workingTime = this.now;
    }
    if (lockArg === undefined && d.lockN >= 0) {
      const lockN = d.lockN;
      if (lockN > 0) {
        this.moveLock(o.isBuy ? sa.quoteRow : sa.baseRow, lockN);
        o.lockN = lockN;
      }
      return o;
    }
    const lock = lockArg ?? d.lock;
    if (lock > 0n) {
      const b = o.isBuy ? o.quoteBal : o.baseBal;
      b.free -= lock;
      b.locked += lock;
      o.locked = lock;
      this.touch(b);
    }
    return o;
  }

  /** Starts an accepted order: parks a stop, or matches and rests / expires the rest. */
  private work(s: SymbolState, o: Order): void {
    if (o.isStop && !o.isWorking) {
      s.stops.push(o);
      return;
    }
    const opp = o.isBuy ? s.asks : s.bids;
    if (o.tif === 'FOK' && walk(s.c, opp, o.priceT, o.remS, -1n).steps < o.remS) {
      this.expire(s, o, 'EXPIRED', 'UNFILLED_FOK_ORDER_EXPIRED');
      return;
    }
    let loT = -1;
    let hiT = Infinity;
    if (s.priceRange !== null) {
      const range = this.takerRange(s, o);
      if (o.tif === 'FOK' && !fokWithinRange(s, o, opp, range)) {
        this.expire(s, o, 'EXPIRED', 'EXECUTION_RULE_PRICE_RANGE_EXCEEDED');
        return;
      }
      loT = range.lo;
      hiT = range.hi;
    }
    this.match(s, o, opp, loT, hiT);
    if (!o.open) return;
    if (o.remS === 0) return; // filled (closed in fill())
    this.endTakerPhase(s, o);
  }

  /** What is left of a taker after its taker phase: a MARKET, IOC or FOK order expires, a GTC one rests. Returns whether it rests. */
  private endTakerPhase(s: SymbolState, o: Order): boolean {
    if (o.isMarket) this.expire(s, o, 'EXPIRED', 'INSUFFICIENT_LIQUIDITY');
    else if (o.tif === 'IOC') this.expire(s, o, 'EXPIRED', 'UNFILLED_IOC_QUANTITY_EXPIRED');
    else if (o.tif === 'FOK') this.expire(s, o, 'EXPIRED', 'UNFILLED_FOK_ORDER_EXPIRED');
    else {
      const side = o.isBuy ? s.bids : s.asks;
      this.touchLevel(s, side.append(o.orderId));
      if (o.isBuy) this.tighten(o);
      return true;
    }
    return false;
  }

  /**
   * The price-range execution rule's limits for taker `o`'s phase, from the reference price now
   * (open when the symbol has no rule or no reference price).
   */
  private takerRange(s: SymbolState, o: Order): TickRange {
    const out = this.range;
    out.lo = -1;
    out.hi = Infinity;
    const rule = s.priceRange;
    const ref = s.referencePrice;
    if (rule === null || ref === null || !ref.everSet) return out;
    const v = ref.value(this.now);
    if (v !== null) rule.limits(v, o.isBuy, out);
    return out;
  }

  /** Taker `t` against the book's other side, within the price range [loT, hiT] of its phase. */
  private match(s: SymbolState, t: Order, opp: BookSide, loT: number, hiT: number): void {
    const limitT = t.isMarket ? -1 : t.priceT;
    const c = s.c;
    const tab = s.table;
    const quoteCapped = t.isMarket && t.isBuy;
    while (t.remS > 0) {
      const lvl = opp.best();
      if (lvl === undefined) break;
      if (limitT >= 0 && (t.isBuy ? lvl.price > limitT : lvl.price < limitT)) break;
      if (lvl.price > hiT || lvl.price < loT) {
        this.expire(s, t, 'EXPIRED', 'EXECUTION_RULE_PRICE_RANGE_EXCEEDED');
        return;
      }
      const m = new Order(s.table, lvl.head);
      // the same account: the same SymbolAccount row (no need to reach either account)
      if (tab.acct[m.orderId] === tab.acct[t.orderId] && t.selfTradePreventionMode !== 'NONE') {
        if (this.prevent(s, t, m, lvl)) return;
        continue;
      }
      let q = t.remS < m.visS ? t.remS : m.visS;
      if (quoteCapped && notionalUnits(lvl.price, q, c.fn, c.fd) > t.locked) {
        // A market BUY spends at most what it reserved.
        q = safeInt((t.locked * BigInt(c.fd)) / (BigInt(lvl.price) * BigInt(c.fn)));
        q -= q % c.marketStepS;
        if (q <= 0) break;
      }
      this.fill(s, t, m, lvl, opp, q);
    }
  }

  private fill(s: SymbolState, t: Order, m: Order, lvl: Level, opp: BookSide, q: number): void {
    const c = s.c;
    // an OCO leg that starts executing takes over the list's shared reservation first
    if (m.list?.inOcoGroup(m) && m.execS === 0) takeListLock(m);
    if (t.list?.inOcoGroup(t) && t.execS === 0) takeListLock(t);
    const p = lvl.price;
    const qU = q * c.qUnit;
    const buy = t.isBuy ? t : m;
    const sell = t.isBuy ? m : t;
    const bsa = buy.sa;
    const ssa = sell.sa;
    const bal = this.store.b;
    // the trade's amounts: numbers while exact below 2^53, else bigint
    let quote: number | bigint;
    let commBase: number | bigint;
    let commQuote: number | bigint;
    // number fast path: notional and commissions exact below 2^53; balances get per-command deltas
    const quoteN = notionalNum(p, q, c.fn, c.fd);
    const cbN = quoteN < 0 ? -1 : commNum(qU, bal[bsa.baseRow + (t.isBuy ? B_TAKER_N : B_MAKER_N)] as number);
    const cqN = cbN < 0 ? -1 : commNum(quoteN, bal[ssa.quoteRow + (t.isBuy ? B_MAKER_N : B_TAKER_N)] as number);
    if (cqN >= 0) {
      quote = quoteN;
      commBase = cbN;
      commQuote = cqN;
      addLockedAt(bal, bsa.quoteRow, -quoteN);
      addOrderLock(buy, -quoteN);
      addFreeAt(bal, bsa.baseRow, qU - cbN);
      addLockedAt(bal, ssa.baseRow, -qU);
      addOrderLock(sell, -qU);
      addFreeAt(bal, ssa.quoteRow, quoteN - cqN);
      if (cbN > 0) {
        if (s.feeB + cbN > MAX_SAFE) this.flushFees(s);
        s.feeB += cbN;
      }
      if (cqN > 0) {
        if (s.feeQ + cqN > MAX_SAFE) this.flushFees(s);
        s.feeQ += cqN;
      }
      t.addQuote(quoteN);
      m.addQuote(quoteN);
    } else {
      const quoteB = notionalUnits(p, q, c.fn, c.fd);
      const qB = BigInt(qU);
      const buyRate = t.isBuy ? buy.acct.takerRate : buy.acct.makerRate;
      const sellRate = t.isBuy ? sell.acct.makerRate : sell.acct.takerRate;
      const cb = buyRate === 0n ? 0n : (qB * buyRate) / UNIT_N;
      const cq = sellRate === 0n ? 0n : (quoteB * sellRate) / UNIT_N;
      // balances: the buyer pays quote from its reservation, the seller base from its reservation
      const bq = bsa.quoteBal;
      const bb = bsa.baseBal;
      const sb = ssa.baseBal;
      const sq = ssa.quoteBal;
      bq.locked -= quoteB;
      buy.locked = buy.locked - quoteB;
      bb.free += qB - cb;
      sb.locked -= qB;
      sell.locked = sell.locked - qB;
      sq.free += quoteB - cq;
      if (cb > 0n) this.addFee(c.base, cb);
      if (cq > 0n) this.addFee(c.quote, cq);
      if (quoteB <= MAX_SAFE_N) {
        t.addQuote(Number(quoteB));
        m.addQuote(Number(quoteB));
      } else {
        t.cumB += quoteB;
        m.cumB += quoteB;
      }
      quote = quoteB;
      commBase = cb;
      commQuote = cq;
    }
    this.touchRow(bsa.quoteRow);
    this.touchRow(bsa.baseRow);
    this.touchRow(ssa.baseRow);
    this.touchRow(ssa.quoteRow);
    const payer = buy.list;
    if (payer !== null && payer.pays && buy.orderId === (payer.legs[0] as Order).orderId)
      this.lockReceived(payer, bsa.baseBal, qU, BigInt(commBase));
    // book and orders
    m.visS -= q;
    m.remS -= q;
    lvl.qty -= q;
    lvl.total -= q;
    this.touchLevel(s, lvl);
    t.remS -= q;
    if (t.visS > t.remS) t.visS = t.remS;
    const tFirst = t.execS === 0;
    const mFirst = m.execS === 0;
    t.execS += q;
    m.execS += q;
    t.updateTime = m.updateTime = this.now;
    const tradeId = s.nextTradeId++;
    const price = p * c.pUnit;
    const isBuyerMaker = !t.isBuy;
    this.words.trade(tradeId, price, qU, quote, isBuyerMaker, buy, sell, commBase, commQuote);
    if (this.retain) {
      s.tradeArchive.record(tradeId, price, qU, quote, this.now, isBuyerMaker, buy, sell, commBase, commQuote);
      bsa.addTrade(s.tradeChains, tradeId * 2);
      ssa.addTrade(s.tradeChains, tradeId * 2 + 1);
    }
    s.lastT = p;
    if (s.trailing > 0) this.trackTrails(s, p);
    this.traded = true;
    s.window.record(this.now, cqN >= 0 ? quoteN : -1, quote, qU);
    if (s.referencePrice !== null) s.referencePrice.record(price, this.now);
    if (mFirst) this.words.firstFill(m.accountId, m.orderId);
    if (tFirst) this.words.firstFill(t.accountId, t.orderId);
    const mComm = t.isBuy ? commQuote : commBase;
    const tComm = t.isBuy ? commBase : commQuote;
    const mAsset = m.isBuy ? BASE_ASSET : QUOTE_ASSET;
    const tAsset = t.isBuy ? BASE_ASSET : QUOTE_ASSET;
    // maker
    m.status = m.remS === 0 ? 'FILLED' : 'PARTIALLY_FILLED';
    if (m.remS === 0) {
      opp.unlink(lvl, m.orderId);
      this.close(s, m);
    } else {
      if (m.visS === 0) {
        // iceberg refill: a new tip at the back of the queue
        m.visS = m.icebergS < m.remS ? m.icebergS : m.remS;
        lvl.qty += m.visS;
        opp.toTail(lvl, m.orderId);
      }
      if (m.isBuy) this.tighten(m);
    }
    this.exec(m, 'TRADE', qU, price, quote, mComm, mAsset, tradeId, true);
    // taker
    t.status = t.remS === 0 ? 'FILLED' : 'PARTIALLY_FILLED';
    if (t.remS === 0) this.close(s, t);
    this.exec(t, 'TRADE', qU, price, quote, tComm, tAsset, tradeId, false);
    if (mFirst && m.list?.inOcoGroup(m)) this.listStarted(s, m);
    if (tFirst && t.list?.inOcoGroup(t)) this.listStarted(s, t);
  }

  /** Moves `d` (a number) of the balance at row offset `row` from free to locked (d < 0: back to free). */
  private moveLock(row: number, d: number): void {
    const b = this.store.b;
    addFreeAt(b, row, -d);
    addLockedAt(b, row, d);
    this.touchRow(row);
  }

  /** Releases reservation a BUY order no longer needs (price improvement, decrements). */
  private tighten(o: Order): void {
    if (!o.isBuy || o.isMarket || o.priceT <= 0) return;
    if (o.list?.inOcoGroup(o) && o.list.status === 'EXECUTING') return; // OCO legs share one reservation
    if (o.lockB === 0n) {
      const tn = notionalNum(o.priceT, o.remS, o.sym.fn, o.sym.fd);
      if (tn >= 0) {
        if (o.lockN > tn) {
          const d = o.lockN - tn;
          o.lockN = tn;
          this.moveLock(o.sa.quoteRow, -d);
        }
        return;
      }
    }
    const target = notionalUnits(o.priceT, o.remS, o.sym.fn, o.sym.fd);
    if (o.locked > target) {
      const d = o.locked - target;
      o.locked = target;
      const b = o.quoteBal;
      b.locked -= d;
      b.free += d;
      this.touch(b);
    }
  }

  /** Takes an order out of the open set and returns its remaining reservation. */
  private close(s: SymbolState, o: Order): void {
    o.open = false;
    o.updateTime = this.now;
    const sa = o.sa;
    sa.removeOpen(o);
    if (o.list === null) {
      // legs stay present (their list refers to them); the rest stays as history or, lean, is forgotten
      const t = s.table;
      const f = (t.flags[o.orderId] as number) & ~PRESENT;
      t.flags[o.orderId] = this.retain ? f | HISTORY : f;
      if (!this.retain) {
        if (o.cidSeq > 0) this.genIds.clear(o.cidSeq);
        else sa.unindexClientId(o.clientOrderId, o.orderId);
      }
    }
    if (o.lockB === 0n) {
      const d = o.lockN;
      if (d !== 0) {
        this.moveLock(o.isBuy ? sa.quoteRow : sa.baseRow, -d);
        o.lockN = 0;
      }
    } else {
      const d = o.locked;
      const b = o.isBuy ? o.quoteBal : o.baseBal;
      b.locked -= d;
      b.free += d;
      o.locked = 0n;
      this.touch(b);
    }
    const list = o.list;
    if (
      list !== null &&
      list.kind !== 'OCO' &&
      o.orderId === (list.legs[0] as Order).orderId &&
      list.status === 'EXECUTING'
    ) {
      // OTO: a filled working order sends its pending order to the book (after the current match);
      // an expired one takes it along (a cancel cancels the whole list)
      if (o.status === 'FILLED') this.activations.push(list);
      else if (o.status !== 'CANCELED')
        for (const leg of list.legs)
          if (leg.orderId !== o.orderId && leg.open) this.expire(s, leg, 'EXPIRED', undefined);
    }
    if (list && list.status === 'EXECUTING' && list.legs.every((l) => !l.open)) {
      if (list.received > 0n) this.releaseReceived(list, list.received);
      this.endList(s, list);
    }
  }

  /** Removes an order from wherever it waits (book or stop list). */
  private detach(s: SymbolState, o: Order): void {
    const l = o.level;
    if (l !== null) {
      const side = o.isBuy ? s.bids : s.asks;
      side.remove(l, o.orderId);
      this.touchLevel(s, l);
    } else if (o.isStop && !o.isWorking) {
      const i = s.stops.findIndex((x) => x.orderId === o.orderId);
      if (i >= 0) {
        s.stops.splice(i, 1);
        if (o.trail !== null) s.trailing--;
      }
    }
  }

  private expire(
    s: SymbolState,
    o: Order,
    status: OrderStatus,
    reason: ExpiryReason | undefined,
    execType: ExecutionType = 'EXPIRED',
  ): void {
    this.detach(s, o);
    o.status = status;
    o.expiryReason = reason;
    this.close(s, o);
    this.exec(o, execType);
  }

  /** Self-trade prevention between taker t and maker m (same account). Returns true when t is done. */
  private prevent(s: SymbolState, t: Order, m: Order, lvl: Level): boolean {
    const { pm, takerS, makerS } = this.preventedMatch(s, t, m, lvl.price * s.c.pUnit);
    this.words.object(pm);
    this.preventOne(s, m, makerS, pm.preventedMatchId, t, true);
    this.preventOne(s, t, takerS, pm.preventedMatchId, m, false);
    return !t.open || t.remS === 0;
  }

  /**
   * The prevented match of taker `t` (of symbol `s`) with maker `m` (of `s`, or of another book of
   * an SOR group) at `price` (units), recorded for t's account; the quantities each loses, steps.
   */
  private preventedMatch(
    s: SymbolState,
    t: Order,
    m: Order,
    price: number,
  ): { pm: PreventedMatchEvent; takerS: number; makerS: number } {
    let mode = t.selfTradePreventionMode;
    if (mode === 'TRANSFER') mode = 'DECREMENT'; // one account: TRANSFER behaves as DECREMENT
    const q = t.remS < m.remS ? t.remS : m.remS;
    let takerS = 0;
    let makerS = 0;
    if (mode === 'EXPIRE_TAKER' || mode === 'EXPIRE_BOTH') takerS = t.remS;
    if (mode === 'EXPIRE_MAKER' || mode === 'EXPIRE_BOTH') makerS = m.remS;
    if (mode === 'DECREMENT') takerS = makerS = q;
    const qU = s.c.qUnit;
    const pm: PreventedMatchEvent = {
      type: 'preventedMatch',
      symbol: s.c.name,
      preventedMatchId: s.nextPreventedId++,
      takerOrderId: t.orderId,
      makerOrderId: m.orderId,
      accountId: t.accountId,
      tradeGroupId: -1,
      selfTradePreventionMode: t.selfTradePreventionMode,
      price,
      takerPreventedQuantity: takerS * qU,
      makerPreventedQuantity: makerS * qU,
      transactTime: this.now,
      ...(m.symbol !== s.c.name ? { makerSymbol: m.symbol } : {}),
    };
    t.sa.prevented.push(pm);
    return { pm, takerS, makerS };
  }

  /** Order `o` of symbol `s` loses `n` steps to prevented match `id` with `other` (all of it: expires in match). */
  private preventOne(s: SymbolState, o: Order, n: number, id: number, other: Order, isMaker: boolean): void {
    if (n === 0) return;
    o.preventedMatchId = id;
    o.preventedS += n;
    o.updateTime = this.now;
    if (n >= o.remS) {
      this.detach(s, o);
      o.remS = 0;
      o.visS = 0;
      o.status = 'EXPIRED_IN_MATCH';
      this.close(s, o);
    } else {
      // DECREMENT of the larger order: shrink it (the tip first, then the hidden part)
      const dv = n < o.visS ? n : o.visS;
      o.visS -= dv;
      o.remS -= n;
      const l = o.level;
      if (l !== null) {
        l.qty -= dv;
        l.total -= n;
        this.touchLevel(s, l);
        if (o.visS === 0) {
          o.visS = o.icebergS < o.remS ? o.icebergS : o.remS;
          l.qty += o.visS;
          (o.isBuy ? s.bids : s.asks).toTail(l, o.orderId);
        }
      } else if (o.visS > o.remS) o.visS = o.remS;
      // an OCO leg shares its list's reservation: down to what the larger open leg still needs
      if (o.list?.inOcoGroup(o) && o.list.status === 'EXECUTING') this.releaseListExcess(o.list);
      else if (o.isBuy) this.tighten(o);
      else this.shrinkSellLock(o);
    }
    this.exec(o, 'TRADE_PREVENTION', 0, 0, 0, 0, NO_ASSET, -1, isMaker, undefined, '', n * s.c.qUnit, other.orderId);
    if (!o.open) this.expireOcoPartners(s, o);
  }

  /**
   * An OCO leg (or a live OTOCO / OPOCO pending pair's) that expired before its list started (self-trade
   * prevention; an amendment below what prevention took) takes the other leg along: the pair shares one
   * quantity and one reservation (which the expired leg may have held), and one-cancels-the-other
   * leaves no leg alone.
   */
  private expireOcoPartners(s: SymbolState, o: Order): void {
    const list = o.list;
    if (list === null || list.status !== 'EXECUTING' || !list.inOcoGroup(o)) return;
    for (const leg of list.legs)
      if (leg.orderId !== o.orderId && leg.open && list.inOcoGroup(leg)) this.expire(s, leg, 'EXPIRED', undefined);
  }

  private shrinkSellLock(o: Order): void {
    if (o.list?.inOcoGroup(o) && o.list.status === 'EXECUTING') return;
    if (o.lockB === 0n) {
      const tn = o.remS * o.sym.qUnit;
      if (o.lockN > tn) {
        const d = o.lockN - tn;
        o.lockN = tn;
        addLocked(o.baseBal, -d);
        addFree(o.baseBal, d);
        this.touch(o.baseBal);
      }
      return;
    }
    const target = BigInt(o.remS * o.sym.qUnit);
    if (o.locked > target) {
      const d = o.locked - target;
      o.locked = target;
      o.baseBal.locked -= d;
      o.baseBal.free += d;
      this.touch(o.baseBal);
    }
  }

  // ==== stops ==========================================================================================

  private newTrail(s: SymbolState, orderId: number, delta: number): Trail {
    const trail: Trail = { orderId, delta, time: -1, extremeT: -1, fired: false };
    s.trails.set(orderId, trail);
    return trail;
  }

  /**
   * A trailing stop starts waiting (placed, or an OTO pending order gone live): without a stop price,
   * or with one the last price already reached, it tracks from the last price at once (from the next
   * trade before any); otherwise from the first trade that reaches its stop price.
   */
  private armTrail(s: SymbolState, o: Order): void {
    const trail = o.trail as Trail;
    if (s.lastT >= 0 && (o.stopT === 0 || triggers(o.type, o.isBuy, o.stopT, s.lastT))) {
      trail.time = this.now;
      trail.extremeT = s.lastT;
    }
    s.trailing++;
  }

  /** Every trade price moves the waiting trailing stops (trailing-stop FAQ): start, follow, fire. */
  private trackTrails(s: SymbolState, p: number): void {
    for (let i = 0; i < s.stops.length; i++) {
      const o = s.stops[i] as Order;
      const t = o.trail;
      if (t === null || t.fired) continue;
      if (t.time < 0) {
        if (o.stopT === 0 || triggers(o.type, o.isBuy, o.stopT, p)) {
          t.time = this.now;
          t.extremeT = p;
          o.updateTime = this.now;
        }
        continue;
      }
      // BUY: a rise of delta BIPS from the lowest price since; SELL: a fall from the highest
      if (o.isBuy) {
        if (p < t.extremeT) t.extremeT = p;
        else if (p * 10000 >= t.extremeT * (10000 + t.delta)) t.fired = true;
      } else if (p > t.extremeT) t.extremeT = p;
      else if (p * 10000 <= t.extremeT * (10000 - t.delta)) t.fired = true;
    }
  }

  /** Stops the command's trades triggered, and OTO pending orders whose working order filled, until none. */
  private settleTriggers(s: SymbolState): void {
    this.runTriggers(s);
    for (let list = this.activations.shift(); list !== undefined; list = this.activations.shift()) {
      this.activate(s, list);
      // a stop that has just gone live triggers if the last price already reached it (this did not
      // depend on whether other stops were waiting)
      this.traded = true;
      this.runTriggers(s);
    }
  }

  /**
   * An OTO's pending order (an OTOCO's pending pair, as an OCO) goes live: its funds are reserved
   * now — it may spend what the working order just bought; a pair reserves what its larger leg
   * needs — and without them it expires. An OPO's pending order(s) are paid by the working order.
   */
  private activate(s: SymbolState, list: OrderList): void {
    const pending = list.legs.filter((o) => o.open && o.status === 'PENDING_NEW');
    if (pending.length === 0) return;
    // pegged limit orders take their price now: before their reservation, after an OPO's quantity
    const pegAll = () => pending.every((o) => o.peg === null || o.isStop || this.pegNow(s, o));
    const live = list.pays
      ? this.payPending(s, list, pending) && pegAll()
      : pegAll() && this.reservePending(s, pending);
    if (!live) {
      for (const o of pending) if (o.open) this.expire(s, o, 'EXPIRED', undefined);
      return;
    }
    for (const o of pending) {
      o.status = 'NEW';
      o.updateTime = this.now;
      if (!o.isStop) {
        o.isWorking = true;
        o.workingTime = this.now;
      }
      if (o.trail !== null) this.armTrail(s, o);
      this.exec(o, 'NEW');
    }
    for (const o of pending) {
      if (!o.open) continue;
      // a LIMIT_MAKER never takes: one the book has reached since it was placed expires (with its pair)
      if (o.type === 'LIMIT_MAKER' && wouldTake(o.isBuy ? s.asks : s.bids, o.isBuy, o.priceT)) {
        this.expire(s, o, 'EXPIRED', undefined);
        this.expireOcoPartners(s, o);
      } else this.work(s, o);
    }
  }

  /** Reserves what the pending order(s) need from free funds; false when they are not there. */
  private reservePending(s: SymbolState, pending: Order[]): boolean {
    const first = pending[0] as Order;
    let need = 0n;
    for (const o of pending) {
      const n = this.reservationAtActivation(s, o);
      if (n > need) need = n;
    }
    const b = first.isBuy ? first.quoteBal : first.baseBal;
    settle(b);
    if (need > b.free) return false;
    if (need > 0n) {
      b.free -= need;
      b.locked += need;
      first.locked = need;
      this.touch(b);
    }
    return true;
  }

  /**
   * OPO: the pending order(s) take what the working order received as their quantity, rounded down
   * to the lot step (and to the largest lot), and its lock as their reservation; the rest is given
   * back. False when that quantity fails a filter (everything received is given back when they
   * expire and the list ends).
   */
  private payPending(s: SymbolState, list: OrderList, pending: Order[]): boolean {
    const c = s.c;
    let step = 1;
    let min = 1;
    let max = Infinity;
    for (const o of pending) {
      for (const lot of o.isMarket ? [c.lot, c.marketLot] : [c.lot]) {
        if (lot === undefined) continue;
        if (lot.stepS > step) step = lot.stepS;
        if (lot.minS > min) min = lot.minS;
        if (lot.maxS > 0 && lot.maxS < max) max = lot.maxS;
      }
    }
    let qtyS = safeInt(list.received / BigInt(c.qUnit));
    if (qtyS > max) qtyS = max;
    qtyS -= qtyS % step;
    if (qtyS < min) return false;
    for (const o of pending) {
      if (o.icebergS > qtyS) return false;
      for (const f of c.filters) {
        if (f.kind === 'ICEBERG_PARTS' && icebergPartsFail(f, qtyS, o.icebergS)) return false;
        if ((f.kind === 'NOTIONAL' || f.kind === 'MIN_NOTIONAL') && this.notionalFails(s, f, o, qtyS, -1n))
          return false;
      }
    }
    const qtyU = qtyS * c.qUnit;
    for (const o of pending) {
      o.origQty = qtyU;
      o.remS = qtyS;
      o.visS = o.icebergS > 0 && o.icebergS < qtyS ? o.icebergS : qtyS;
    }
    (pending[0] as Order).locked = BigInt(qtyU);
    this.releaseReceived(list, list.received - BigInt(qtyU));
    list.received = 0n;
    return true;
  }

  /**
   * OPO: what the working order just bought is locked for the pending order(s); its commission is
   * paid from free funds when they cover it, else out of what was received.
   */
  private lockReceived(list: OrderList, b: Balance, qU: number, commission: bigint): void {
    settle(b);
    const got = BigInt(qU);
    const lock = b.free >= got ? got : got - commission;
    b.free -= lock;
    b.locked += lock;
    list.received += lock;
    this.touch(b);
  }

  /** OPO: gives `amount` of what the working order received back to free funds. */
  private releaseReceived(list: OrderList, amount: bigint): void {
    list.received -= amount;
    if (amount === 0n) return;
    const b = (list.legs[0] as Order).baseBal;
    settle(b);
    b.locked -= amount;
    b.free += amount;
    this.touch(b);
  }

  /** What a pending order reserves when it goes live (a BUY stop-market: nothing until it triggers). */
  private reservationAtActivation(s: SymbolState, o: Order): bigint {
    const c = s.c;
    if (!o.isBuy) return BigInt(o.remS * c.qUnit);
    if (!o.isMarket) return notionalUnits(o.priceT, o.remS, c.fn, c.fd);
    return o.isStop ? 0n : walk(c, s.asks, -1, o.remS, -1n).cost;
  }

  private runTriggers(s: SymbolState): void {
    while (this.traded && s.stops.length > 0) {
      this.traded = false;
      for (let i = 0; i < s.stops.length; i++) {
        const o = s.stops[i] as Order;
        const trail = o.trail;
        if (trail !== null ? !trail.fired : !triggers(o.type, o.isBuy, o.stopT, s.lastT)) continue;
        s.stops.splice(i, 1);
        if (trail !== null) s.trailing--;
        this.trigger(s, o);
        this.traded = true;
        break; // rescan: the trigger may have moved the last price
      }
    }
  }

  private trigger(s: SymbolState, o: Order): void {
    if (o.peg !== null && !(this.pegNow(s, o) && this.reserveAtPeg(o))) {
      this.expire(s, o, 'EXPIRED', undefined);
      return;
    }
    o.isWorking = true;
    o.workingTime = this.now;
    o.updateTime = this.now;
    if (o.list?.inOcoGroup(o)) this.listStarted(s, o);
    if (o.isMarket && o.isBuy) {
      const cost = walk(s.c, s.asks, -1, o.remS, -1n).cost;
      if (cost > o.locked) {
        const b = o.quoteBal;
        settle(b);
        const extra = cost - o.locked < b.free ? cost - o.locked : b.free;
        if (extra > 0n) {
          b.free -= extra;
          b.locked += extra;
          o.locked += extra;
          this.touch(b);
        }
      }
    }
    this.work(s, o);
    if (o.open && o.isBuy) this.tighten(o);
  }

  /** A BUY pegged when triggered reserves what its price needs beyond what it holds (false: not there). */
  private reserveAtPeg(o: Order): boolean {
    if (!o.isBuy) return true;
    const need = notionalUnits(o.priceT, o.remS, o.sym.fn, o.sym.fd) - o.locked;
    if (need <= 0n) return true;
    const b = o.quoteBal;
    settle(b);
    if (need > b.free) return false;
    b.free -= need;
    b.locked += need;
    o.locked += need;
    this.touch(b);
    return true;
  }

  // ==== order lists (OCO) ==============================================================================

  /** A list is done: no longer counted as open (MAX_NUM_ORDER_LISTS), reported ALL_DONE. */
  private endList(s: SymbolState, list: OrderList): void {
    list.status = 'ALL_DONE';
    list.updateTime = this.now;
    const sa = s.accounts.get(list.accountId) as SymbolAccount;
    sa.openLists--;
    sa.acct.openLists--;
    this.listEvent(s, list, 'ALL_DONE');
  }

  /** A leg started executing (first fill or trigger): the other leg expires. */
  private listStarted(s: SymbolState, o: Order): void {
    const list = o.list as OrderList;
    if (o.open) takeListLock(o);
    for (const leg of list.legs)
      if (leg.orderId !== o.orderId && leg.open) this.expire(s, leg, 'EXPIRED', 'OCO_TRIGGER');
    if (list.status === 'EXECUTING') this.endList(s, list);
    if (o.open && o.isBuy) this.tighten(o);
    if (o.open && !o.isBuy) this.shrinkSellLock(o);
  }

  private listEvent(s: SymbolState, list: OrderList, type: 'EXEC_STARTED' | 'ALL_DONE' | 'UPDATED'): void {
    const e: ListStatusEvent = {
      type: 'listStatus',
      accountId: list.accountId,
      symbol: s.c.name,
      orderListId: list.orderListId,
      contingencyType: list.contingencyType,
      listStatusType: type,
      listOrderStatus: type === 'ALL_DONE' ? 'ALL_DONE' : 'EXECUTING',
      listRejectReason: 'NONE',
      listClientOrderId: list.listClientOrderId,
      transactionTime: this.now,
      orders: list.legs.map((l) => ({ symbol: l.symbol, orderId: l.orderId, clientOrderId: l.clientOrderId })),
    };
    this.words.object(e);
  }

  /** POST /api/v3/orderList/oco: an above and a below leg; one executing expires the other. */
  /**
   * The checks of an OCO pair (of an OCO, or an OTOCO's pending orders), nothing changed: leg types
   * and places, each leg's filters and rules, the price relationship; and the one reservation the
   * pair will share (the larger of the legs' needs).
   */
  private prepareOcoPair(
    s: SymbolState,
    list: PlaceOcoCommand | PlaceOpocoCommand,
    side: Side,
    quantity: string | undefined,
    above: OcoLeg,
    below: OcoLeg,
    newOrders: number,
    /** The pair waits for a working order (OTOCO / OPOCO). */
    entersLater: boolean,
  ): { dAbove: Draft; dBelow: Draft; lock: bigint } {
    const quantityLater = quantity === undefined;
    const isBuy = side === 'BUY';
    const legType = (l: OcoLeg) =>
      l.type === 'LIMIT_MAKER'
        ? 'LM'
        : l.type === 'TAKE_PROFIT' || l.type === 'TAKE_PROFIT_LIMIT'
          ? 'TP'
          : l.type === 'STOP_LOSS' || l.type === 'STOP_LOSS_LIMIT'
            ? 'SL'
            : null;
    const a = legType(above);
    const b = legType(below);
    if (a === null || b === null) throw Err.of(ErrorCode.OCO_ORDER_TYPE_REJECTED, 'Order type not supported in OCO.');
    if (a !== 'SL' && b !== 'SL')
      throw Err.of(ErrorCode.BOTH_OCO_ORDERS_CANNOT_BE_LIMIT, 'At least one OCO order must be contingent.');
    for (const [leg, name] of [
      [above, 'aboveIcebergQty'],
      [below, 'belowIcebergQty'],
    ] as const) {
      if (leg.icebergQty !== undefined && leg.timeInForce !== undefined && leg.timeInForce !== 'GTC')
        throw Err.of(
          ErrorCode.OCO_ICEBERGQTY_TIMEINFORCE,
          `Parameter '${name}' is not supported if \`aboveTimeInForce\`/\`belowTimeInForce\` is not GTC.`,
        );
    }
    // leg placement rules: SELL → limit/take-profit above, stop-loss below; BUY mirrored
    if (isBuy) {
      if (a === 'LM') throw Err.of(ErrorCode.BUY_OCO_LIMIT_MUST_BE_BELOW, 'A limit order in a buy OCO must be below.');
      if (a === 'TP')
        throw Err.of(ErrorCode.BUY_OCO_TAKE_PROFIT_MUST_BE_BELOW, 'A take profit order in a buy OCO must be below.');
      if (b === 'SL')
        throw Err.of(ErrorCode.BUY_OCO_STOP_LOSS_MUST_BE_ABOVE, 'A stop loss order in a buy OCO must be above.');
    } else {
      if (b === 'LM')
        throw Err.of(ErrorCode.SELL_OCO_LIMIT_MUST_BE_ABOVE, 'A limit order in a sell OCO must be above.');
      if (b === 'TP')
        throw Err.of(ErrorCode.SELL_OCO_TAKE_PROFIT_MUST_BE_ABOVE, 'A take profit order in a sell OCO must be above.');
      if (a === 'SL')
        throw Err.of(ErrorCode.SELL_OCO_STOP_LOSS_MUST_BE_BELOW, 'A stop loss order in a sell OCO must be below.');
    }
    const acct = this.accounts.get(list.accountId);
    const sa = s.accounts.get(list.accountId);
    const legCmd = (l: OcoLeg) => listLegCommand(list, l, side, quantity);
    const opts = { newOrders, sharedLock: true, quantityLater, entersLater, inList: true };
    const dAbove = this.prepare(s, legCmd(above), acct, sa, { ...opts, names: above.names });
    const dBelow = this.prepare(s, legCmd(below), acct, sa, { ...opts, names: below.names });
    if (dAbove.clientOrderId !== undefined && dAbove.clientOrderId === dBelow.clientOrderId)
      throw rejected(EngineMessage.DUPLICATE_ORDER);
    // price relationship: above value > last price > below value (a trailing leg without a stop
    // price has no trigger price yet: 0, left out of the comparisons)
    const upper = a === 'LM' || above.type === 'TAKE_PROFIT_LIMIT' ? dAbove.priceT : dAbove.stopT;
    const lower = b === 'LM' || below.type === 'TAKE_PROFIT_LIMIT' ? dBelow.priceT : dBelow.stopT;
    const aboveTrigger = dAbove.isStop ? dAbove.stopT : dAbove.priceT;
    const belowTrigger = dBelow.isStop ? dBelow.stopT : dBelow.priceT;
    const misordered = (hi: number, lo: number) => hi > 0 && lo > 0 && !(hi > lo);
    if (misordered(upper, lower) || misordered(aboveTrigger, belowTrigger))
      throw rejected(EngineMessage.OCO_BAD_PRICES);
    if (s.lastT >= 0 && (misordered(aboveTrigger, s.lastT) || misordered(s.lastT, belowTrigger)))
      throw rejected(EngineMessage.OCO_BAD_PRICES);
    // one reservation for the list: the larger of the legs' needs
    const lock = dAbove.lock > dBelow.lock ? dAbove.lock : dBelow.lock;
    return { dAbove, dBelow, lock };
  }

  placeOco(cmd: PlaceOcoCommand): OcoResult {
    const s = this.sym(cmd.symbol);
    const c = s.c;
    if (!c.def.ocoAllowed) throw rejected(EngineMessage.OCO_NOT_SUPPORTED);
    const acct = this.accounts.get(cmd.accountId);
    const { dAbove, dBelow, lock } = this.prepareOcoPair(
      s,
      cmd,
      cmd.side,
      cmd.quantity,
      cmd.above,
      cmd.below,
      2,
      false,
    );
    const bal = acct?.balances.get(cmd.side === 'BUY' ? c.quote : c.base);
    if (lock > 0n && (!bal || bal.free < lock)) throw rejected(EngineMessage.INSUFFICIENT_BALANCE);

    this.begin(cmd.now);
    const listId = s.nextListId++;
    // Binance orders the legs below first, then above (by price); the stop-loss of a SELL is below.
    const first = this.accept(s, dBelow, listId, lock);
    const second = this.accept(s, dAbove, listId, 0n);
    const list = this.openList(s, cmd, listId, [first, second], 'OCO');
    this.work(s, first);
    this.work(s, second);
    this.settleTriggers(s);
    const events = this.end(s).events;
    return { list: listView(list), events };
  }

  /**
   * POST /api/v3/orderList/oto: the working order (LIMIT or LIMIT_MAKER) goes to the book; the pending
   * order waits as PENDING_NEW, reserves nothing, and goes live once the working order is fully
   * filled (its funds are reserved then; without them it expires). Expiry of the working order
   * expires the pending one; cancelling either cancels both. Both count as open orders.
   */
  placeOto(cmd: PlaceOtoCommand): OcoResult {
    return this.placeWorkingAndPending(cmd, cmd.pending, 'OTO');
  }

  /**
   * POST /api/v3/orderList/opo: an OTO whose working order is a BUY and whose pending SELL has no
   * quantity: what the working order receives is locked for it as it fills (the commission paid from
   * free funds when they cover it, else out of what was received), and becomes its quantity — rounded
   * down to the lot step, the rest given back — when it goes live.
   */
  placeOpo(cmd: PlaceOpoCommand): OcoResult {
    return this.placeWorkingAndPending(cmd, cmd.pending, 'OPO');
  }

  private placeWorkingAndPending(
    cmd: PlaceOtoCommand | PlaceOpoCommand,
    pendingLeg: OcoLeg & { readonly side: Side; readonly quantity?: string },
    kind: 'OTO' | 'OPO',
  ): OcoResult {
    const s = this.sym(cmd.symbol);
    checkWorkingOrder(s.c, cmd.working);
    if (kind === 'OPO') checkPaidList(s.c, cmd.working, pendingLeg.side);
    const acct = this.accounts.get(cmd.accountId);
    const sa = s.accounts.get(cmd.accountId);
    const dWorking = this.prepareWorking(s, cmd, acct, sa, 2);
    const dPending = this.prepare(s, listLegCommand(cmd, pendingLeg, pendingLeg.side, pendingLeg.quantity), acct, sa, {
      newOrders: 2,
      inList: true,
      sharedLock: true,
      names: pendingLeg.names,
      quantityLater: kind === 'OPO',
      entersLater: true,
    });
    if (dWorking.clientOrderId !== undefined && dWorking.clientOrderId === dPending.clientOrderId)
      throw rejected(EngineMessage.DUPLICATE_ORDER);

    this.begin(cmd.now);
    const listId = s.nextListId++;
    const working = this.accept(s, dWorking, listId);
    const pending = this.accept(s, dPending, listId, 0n, true);
    const list = this.openList(s, cmd, listId, [working, pending], kind);
    this.work(s, working);
    this.settleTriggers(s);
    const events = this.end(s).events;
    return { list: listView(list), events };
  }

  /** The working order of an OTO-style list (it enters the book at once). */
  private prepareWorking(
    s: SymbolState,
    cmd: PlaceOtoCommand | PlaceOpoCommand | PlaceOpocoCommand,
    acct: Account | undefined,
    sa: SymbolAccount | undefined,
    newOrders: number,
  ): Draft {
    const w = cmd.working;
    return this.prepare(s, listLegCommand(cmd, w, w.side, w.quantity), acct, sa, {
      newOrders,
      inList: true,
      names: w.names,
    });
  }

  /**
   * POST /api/v3/orderList/otoco: an OTO whose pending order is an OCO pair. The pair waits as
   * PENDING_NEW (the OCO checks made now), and goes live as an OCO when the working order fills,
   * reserving then what its larger leg needs.
   */
  placeOtoco(cmd: PlaceOtocoCommand): OcoResult {
    return this.placeWorkingAndPair(cmd, cmd.pendingQuantity, 'OTOCO');
  }

  /** POST /api/v3/orderList/opoco: an OTOCO whose pending pair sells what the working order buys (see placeOpo). */
  placeOpoco(cmd: PlaceOpocoCommand): OcoResult {
    return this.placeWorkingAndPair(cmd, undefined, 'OPOCO');
  }

  private placeWorkingAndPair(
    cmd: PlaceOpocoCommand,
    pendingQuantity: string | undefined,
    kind: 'OTOCO' | 'OPOCO',
  ): OcoResult {
    const s = this.sym(cmd.symbol);
    const c = s.c;
    checkWorkingOrder(c, cmd.working);
    if (kind === 'OPOCO') checkPaidList(c, cmd.working, cmd.pendingSide);
    if (!c.def.ocoAllowed) throw rejected(EngineMessage.OCO_NOT_SUPPORTED);
    const acct = this.accounts.get(cmd.accountId);
    const sa = s.accounts.get(cmd.accountId);
    const dWorking = this.prepareWorking(s, cmd, acct, sa, 3);
    const { dAbove, dBelow } = this.prepareOcoPair(
      s,
      cmd,
      cmd.pendingSide,
      pendingQuantity,
      cmd.pendingAbove,
      cmd.pendingBelow,
      3,
      true,
    );
    const cid = dWorking.clientOrderId;
    if (cid !== undefined && (cid === dAbove.clientOrderId || cid === dBelow.clientOrderId))
      throw rejected(EngineMessage.DUPLICATE_ORDER);

    this.begin(cmd.now);
    const listId = s.nextListId++;
    const working = this.accept(s, dWorking, listId);
    // the pair below first, then above, as an OCO
    const below = this.accept(s, dBelow, listId, 0n, true);
    const above = this.accept(s, dAbove, listId, 0n, true);
    const list = this.openList(s, cmd, listId, [working, below, above], kind);
    this.work(s, working);
    this.settleTriggers(s);
    const events = this.end(s).events;
    return { list: listView(list), events };
  }

  /** Registers a new list of accepted orders and reports them (NEW, then EXEC_STARTED). */
  private openList(s: SymbolState, cmd: ListHead, listId: number, legs: Order[], type: ListKind): OrderList {
    const id = cmd.listClientOrderId ?? this.nextClientOrderId();
    const list = new OrderList(s.c.name, listId, id, cmd.accountId, legs, cmd.now, type);
    for (const leg of legs) leg.list = list;
    s.lists.set(listId, list);
    const sa = s.account(this.account(cmd.accountId));
    sa.lists.push(list);
    sa.openLists++;
    sa.acct.openLists++;
    for (const leg of legs) this.exec(leg, 'NEW');
    this.listEvent(s, list, 'EXEC_STARTED');
    return list;
  }

  cancelOrderList(cmd: CancelOrderListCommand): {
    list: OrderListView;
    cancelClientOrderId: string;
    events: readonly EngineEvent[];
  } {
    const s = this.sym(cmd.symbol);
    const sa = s.accounts.get(cmd.accountId);
    if (cmd.orderListId === undefined && cmd.listClientOrderId === undefined)
      throw Err.eitherParam('orderListId', 'listClientOrderId');
    let list: OrderList | undefined;
    if (cmd.orderListId !== undefined) {
      list = s.lists.get(cmd.orderListId);
      if (list && cmd.listClientOrderId !== undefined && list.listClientOrderId !== cmd.listClientOrderId)
        list = undefined;
    } else if (sa) {
      for (let i = sa.lists.length - 1; i >= 0; i--)
        if ((sa.lists[i] as OrderList).listClientOrderId === cmd.listClientOrderId) {
          list = sa.lists[i];
          break;
        }
    }
    if (!list || list.accountId !== cmd.accountId || list.status !== 'EXECUTING')
      throw Err.of(ErrorCode.CANCEL_REJECTED, EngineMessage.UNKNOWN_ORDER);
    this.begin(cmd.now);
    const cancelId = cmd.newClientOrderId ?? this.nextClientOrderId();
    this.cancelList(s, list, cancelId);
    const events = this.end(s).events;
    return { list: listView(list), cancelClientOrderId: cancelId, events };
  }

  private cancelList(s: SymbolState, list: OrderList, cancelId: string): void {
    for (const leg of list.legs) if (leg.open) this.cancelOne(s, leg, cancelId);
  }

  // ==== cancels ========================================================================================

  private find(s: SymbolState, accountId: AccountId, ref: OrderRef): FoundOrder | undefined {
    if (ref.orderId !== undefined) return this.byId(s, accountId, ref.orderId);
    if (ref.origClientOrderId !== undefined)
      return this.byCid(s, accountId, s.accounts.get(accountId), ref.origClientOrderId);
    return undefined;
  }

  cancelOrder(cmd: CancelOrderCommand): CancelResult {
    const s = this.sym(cmd.symbol);
    if (cmd.orderId === undefined && cmd.origClientOrderId === undefined)
      throw Err.eitherParam('orderId', 'origClientOrderId');
    const o = this.find(s, cmd.accountId, cmd);
    if (o === undefined || typeof o === 'number' || !o.open) throw unknownOrder();
    if (cmd.orderId !== undefined && cmd.origClientOrderId !== undefined && o.clientOrderId !== cmd.origClientOrderId)
      throw unknownOrder();
    if (
      (cmd.cancelRestrictions === 'ONLY_NEW' && o.status !== 'NEW') ||
      (cmd.cancelRestrictions === 'ONLY_PARTIALLY_FILLED' && o.status !== 'PARTIALLY_FILLED')
    )
      throw Err.of(ErrorCode.CANCEL_REJECTED, EngineMessage.CANCEL_RESTRICTIONS_NOT_MET);
    this.begin(cmd.now);
    const cancelId = cmd.newClientOrderId ?? this.nextClientOrderId();
    let list: OrderListView | undefined;
    if (o.list) {
      this.cancelList(s, o.list, cancelId);
      list = listView(o.list);
    } else this.cancelOne(s, o, cancelId);
    return new Canceled(o, cancelId, list, this.end(s));
  }

  private cancelOne(s: SymbolState, o: Order, cancelId: string): void {
    this.detach(s, o);
    o.status = 'CANCELED';
    this.close(s, o);
    this.exec(o, 'CANCELED', 0, 0, 0, 0, NO_ASSET, -1, false, cancelId, o.clientOrderId);
  }

  /** DELETE /api/v3/openOrders: every open order (and list) of the account on the symbol. */
  cancelOpenOrders(cmd: CancelOpenOrdersCommand): CancelOpenOrdersResult {
    const s = this.sym(cmd.symbol);
    const sa = s.accounts.get(cmd.accountId);
    if (!sa || sa.openCount === 0) throw Err.of(ErrorCode.CANCEL_REJECTED, EngineMessage.UNKNOWN_ORDER);
    this.begin(cmd.now);
    const items: CancelOpenOrdersItem[] = [];
    for (const o of sa.openList()) {
      if (!o.open) continue;
      const cancelId = this.nextClientOrderId();
      if (o.list) {
        this.cancelList(s, o.list, cancelId);
        items.push({ kind: 'list', list: listView(o.list), cancelClientOrderId: cancelId });
      } else {
        this.cancelOne(s, o, cancelId);
        items.push({ kind: 'order', order: o, cancelClientOrderId: cancelId });
      }
    }
    const events = this.end(s).events;
    return { items, events };
  }

  // ==== amend (keep priority) =========================================================================

  /**
   * PUT /api/v3/order/amend/keepPriority: reduces an open order's quantity in place — same orderId,
   * same place in its price level's queue — under a new client order id (generated unless given; the
   * current one may be given to keep it). The legs of an OCO share one quantity, so amending either
   * amends every open leg (only the named leg changes its client id). An amendment that leaves
   * nothing to execute (newQty ≤ executedQty) expires the order. Every check comes before any change.
   */
  amendOrder(cmd: AmendOrderCommand): AmendResult {
    const s = this.sym(cmd.symbol);
    const c = s.c;
    if (cmd.orderId === undefined && cmd.origClientOrderId === undefined)
      throw Err.eitherParam('orderId', 'origClientOrderId');
    if (!c.def.amendAllowed) throw amendRejected(EngineMessage.AMEND_NOT_SUPPORTED);
    const newU = num(cmd.newQty, 'newQty', c.qtyDecimals);
    const o = this.find(s, cmd.accountId, cmd);
    if (o === undefined || typeof o === 'number' || !o.open) throw amendRejected(EngineMessage.UNKNOWN_ORDER);
    if (o.quantityPending) throw amendRejected(EngineMessage.AMEND_PENDING_OPO);
    if (cmd.orderId !== undefined && cmd.origClientOrderId !== undefined && o.clientOrderId !== cmd.origClientOrderId)
      throw amendRejected(EngineMessage.UNKNOWN_ORDER);
    if (newU === o.origQty) throw amendRejected(EngineMessage.NO_STATE_CHANGE);
    if (newU > o.origQty) throw amendRejected(EngineMessage.AMEND_QTY_INCREASE);
    const newS = newU / c.qUnit;
    const lot = o.isMarket ? (c.marketLot ?? c.lot) : c.lot;
    if (newU <= 0 || !Number.isInteger(newS) || (lot !== undefined && !lotOk(lot, newS)))
      throw fail(lot === c.marketLot && lot !== undefined ? 'MARKET_LOT_SIZE' : 'LOT_SIZE');
    if ((s.amendments.get(o.orderId)?.length ?? 0) >= c.maxAmends)
      throw amendRejected('Filter failure: MAX_NUM_ORDER_AMENDS');
    const cid = cmd.newClientOrderId;
    if (cid !== undefined) {
      if (cid.length === 0) throw Err.of(ErrorCode.EMPTY_NEW_CL_ORD_ID, 'New client order ID was empty.');
      const other = this.byCid(s, cmd.accountId, o.sa, cid);
      if (other !== undefined && refId(other) !== o.orderId && isOpen(other))
        throw amendRejected(EngineMessage.DUPLICATE_ORDER);
    }

    this.begin(cmd.now);
    const origClientOrderId = o.clientOrderId;
    const origQty = o.origQty;
    const list = o.list;
    // OCO legs share one quantity; so does an OTOCO's pending pair (not its working order)
    const working = list !== null && list.kind !== 'OCO' ? list.legs[0] : null;
    const shared =
      list !== null &&
      (list.kind === 'OCO' || ((list.kind === 'OTOCO' || list.kind === 'OPOCO') && o.orderId !== working?.orderId));
    const legs = shared ? (list as OrderList).legs.filter((l) => l.open && l.orderId !== working?.orderId) : [o];
    if (cid !== origClientOrderId) this.renameOrder(s, o, cid);
    let executionId = -1;
    for (const leg of legs) {
      this.reduceOrder(s, leg, newU, newS);
      const named = leg.orderId === o.orderId;
      const orig = named ? origClientOrderId : leg.clientOrderId;
      this.exec(leg, 'REPLACED', 0, 0, 0, 0, NO_ASSET, -1, false, undefined, orig);
      if (named) executionId = this.executionId;
    }
    if (list !== null) {
      // a leg the amendment expired (what self-trade prevention took exceeds the new quantity) ends its pair
      const expired = legs.find((l) => !l.open);
      if (expired !== undefined) this.expireOcoPartners(s, expired);
      if (list.inOcoGroup(o)) this.releaseListExcess(list);
      if (cid !== origClientOrderId && list.status === 'EXECUTING') this.listEvent(s, list, 'UPDATED');
    }
    let history = s.amendments.get(o.orderId);
    if (history === undefined) s.amendments.set(o.orderId, (history = []));
    history.push({
      orderId: o.orderId,
      executionId,
      origClientOrderId,
      newClientOrderId: o.clientOrderId,
      origQty,
      newQty: newU,
      time: cmd.now,
    });
    const events = this.end(s).events;
    return {
      order: o,
      origClientOrderId,
      executionId,
      transactTime: cmd.now,
      list: list === null ? undefined : listView(list),
      expired: o.status === 'EXPIRED',
      events,
    };
  }

  /** Gives an open order another client order id (`cid`, or a generated one). */
  private renameOrder(s: SymbolState, o: Order, cid: string | undefined): void {
    const sa = o.sa;
    if (o.cidSeq > 0) this.genIds.clear(o.cidSeq);
    else sa.unindexClientId(o.clientOrderId, o.orderId);
    if (cid === undefined) {
      const seq = ++this.cidSeq;
      if (seq < 4294967296) {
        o.generatedId(seq);
        this.genIds.set(seq, s.index, o.orderId);
        return;
      }
      cid = clientOrderId(this.seed, seq);
    }
    o.clientOrderId = cid;
    sa.indexClientId(cid, o.orderId);
  }

  /**
   * Lowers an open order's quantity to `newU` (newS steps) where it stands; expires it when nothing is
   * left. What self-trade prevention took (DECREMENT) is gone for good, as what was executed.
   */
  private reduceOrder(s: SymbolState, o: Order, newU: number, newS: number): void {
    o.origQty = newU;
    o.updateTime = this.now;
    const remS = newS - o.execS - o.preventedS;
    if (remS <= 0) {
      this.detach(s, o);
      o.remS = 0;
      o.status = 'EXPIRED';
      this.close(s, o);
      return;
    }
    const cut = o.remS - remS;
    const visS = o.visS < remS ? o.visS : remS;
    const lvl = o.level;
    if (lvl !== null) {
      lvl.qty -= o.visS - visS;
      lvl.total -= cut;
      this.touchLevel(s, lvl);
    }
    o.remS = remS;
    o.visS = visS;
    if (!o.list?.inOcoGroup(o) || o.list.status !== 'EXECUTING') {
      if (o.isBuy) this.tighten(o);
      else this.shrinkSellLock(o);
    }
  }

  /** After an OCO amendment: the list's shared reservation down to what its largest open leg needs. */
  private releaseListExcess(list: OrderList): void {
    const open = list.legs.filter((l) => l.open);
    if (open.length === 0 || list.status !== 'EXECUTING') return;
    let need = 0n;
    for (const leg of open) {
      const c = leg.sym;
      const n = !leg.isBuy
        ? BigInt(leg.remS * c.qUnit)
        : leg.isMarket || leg.priceT <= 0
          ? 0n
          : notionalUnits(leg.priceT, leg.remS, c.fn, c.fd);
      if (n > need) need = n;
    }
    let excess = -need;
    for (const leg of open) excess += leg.locked;
    for (const leg of open) {
      if (excess <= 0n) break;
      const d = leg.locked < excess ? leg.locked : excess;
      if (d <= 0n) continue;
      leg.locked = leg.locked - d;
      const b = leg.isBuy ? leg.quoteBal : leg.baseBal;
      b.locked -= d;
      b.free += d;
      this.touch(b);
      excess -= d;
    }
  }

  /** GET /api/v3/order/amendments: -2013 when the account has no such order on the symbol. */
  orderAmendments(
    accountId: AccountId,
    symbol: string,
    orderId: number,
    fromExecutionId = 0,
    limit = 500,
  ): readonly Amendment[] {
    const s = this.sym(symbol);
    if (this.byId(s, accountId, orderId) === undefined) throw Err.of(ErrorCode.NO_SUCH_ORDER, 'Order does not exist.');
    const all = s.amendments.get(orderId) ?? [];
    return all.filter((a) => a.executionId >= fromExecutionId).slice(0, limit);
  }

  // ==== queries ========================================================================================

  /**
   * POST /api/v3/order/test: the checks of placeOrder (parameters, filters, engine rules) without
   * changing anything. `checkBalance` false skips the balance check (Binance's test endpoint never
   * reaches the matching engine, where balances live).
   */
  testOrder(cmd: PlaceOrderCommand, checkBalance = false): void {
    const s = this.sym(cmd.symbol);
    this.prepare(s, cmd, this.accounts.get(cmd.accountId), s.accounts.get(cmd.accountId), {
      newOrders: 1,
      sharedLock: !checkBalance,
    });
  }

  /**
   * GET /api/v3/order: -2013 when unknown, -2039 when orderId and origClientOrderId disagree, -2026
   * when archived at `now` (unset: nothing is archived).
   */
  getOrder(accountId: AccountId, symbol: string, ref: OrderRef, now?: number): OrderView {
    const s = this.sym(symbol);
    if (ref.orderId === undefined && ref.origClientOrderId === undefined)
      throw Err.eitherParam('orderId', 'origClientOrderId');
    const found = this.find(s, accountId, ref);
    if (found === undefined) throw Err.of(ErrorCode.NO_SUCH_ORDER, 'Order does not exist.');
    const o = this.view(s, found);
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
    const states = symbol === undefined ? [...this.symbols.values()] : [this.sym(symbol)];
    const out: OrderView[] = [];
    for (const s of states) {
      const sa = s.accounts.get(accountId);
      if (sa) out.push(...sa.openList());
    }
    return out;
  }

  /** GET /api/v3/allOrders: from `orderId` up, else the most recent; oldest first. */
  allOrders(accountId: AccountId, symbol: string, q: HistoryQuery = {}): OrderView[] {
    const s = this.sym(symbol);
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
    const s = this.sym(symbol);
    const sa = s.accounts.get(accountId);
    if (!sa) return [];
    const trades = s.tradeArchive;
    const orderId = q.orderId;
    // an entry is 2·tradeId + (0 as buyer, 1 as seller)
    return historyWindow(
      sa.lastTrade,
      s.tradeChains,
      q.fromId,
      q,
      (e) => e >>> 1,
      (e) => trades.timeOf(e >>> 1),
      orderId === undefined ? () => true : (e) => trades.orderIdOf(e >>> 1, (e & 1) === 0) === orderId,
    ).map((e) => ({ trade: trades.event(e >>> 1), isBuyer: (e & 1) === 0 }));
  }

  orderLists(accountId: AccountId, symbol: string): OrderListView[] {
    const sa = this.sym(symbol).accounts.get(accountId);
    return sa ? sa.lists.map(listView) : [];
  }

  preventedMatches(accountId: AccountId, symbol: string): readonly PreventedMatchEvent[] {
    return this.sym(symbol).accounts.get(accountId)?.prevented ?? [];
  }
}

export { ApiError };
