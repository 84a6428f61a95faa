/**
 * The engine core (reached only through Exchange, exchange.ts): its state and the steps every command
 * is made of: bookkeeping of a command and its events, accepting an order, matching, fills, closing,
 * expiry and self-trade prevention. Members are public to the engine's modules (validate-order, triggers,
 * place-lists, place-sor, amend), not to the server.
 */

import {
  Err,
  type ExchangeFilter,
  type AssetFilter,
  type ExpiryReason,
  type OrderStatus,
  type SymbolDefinition,
  type ExecutionType,
} from '@binance-sandbox/protocol';
import { BookSide, type Level } from './book.js';
import { notionalNum, notionalUnits, parseUnitsBig, safeInt, UNIT_N, commNum } from './decimal.js';
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
  settleAt,
} from './account-store.js';
import { Account, addFree, addLocked, type Balance, settle, type SymbolAccount } from './account.js';
import { BASE_ASSET, type EventBatch, EventWriter, NO_ASSET, QUOTE_ASSET } from './event-words.js';
import { GeneratedIds } from './generated-ids.js';
import { clientOrderId, clientOrderIdSeq, OWN_CANCEL, OWN_ORDER, ownClientId } from './ids.js';
import { Order } from './order.js';
import { HISTORY, PRESENT } from './order-row.js';
import { OrderList, takeListLock } from './order-list.js';
import { walk } from './order-rules.js';
import { CompiledPriceRange, type SymbolExecutionRules } from './price-range.js';
import { ReferencePrice } from './reference-price.js';
import { type SorConfig } from './sor.js';
import { type EngineInternals } from './snapshot.js';
import { CompiledSymbol } from './symbol.js';
import { type FoundOrder, refId, SymbolState } from './symbol-state.js';
import {
  type AccountId,
  type ListStatusEvent,
  type OrderRef,
  type OrderView,
  type Peg,
  type PreventedMatchEvent,
} from './types.js';
import { newTrail, armTrail, trackTrails } from './triggers.js';
import { exchangeLimits, LimitDraft, type ExchangeLimits, type Draft } from './validate-order.js';
import { addSorGroup } from './place-sor.js';

const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Adds `d` to an order's number part of its reservation (moves to BigInt when it would leave 2^53). */
function addOrderLock(o: Order, d: number): void {
  const v = o.lockN + d;
  if (v <= MAX_SAFE && v >= -MAX_SAFE) o.lockN = v;
  else o.locked = o.locked + BigInt(d);
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

export function rateUnits(s: string): bigint {
  const v = parseUnitsBig(s, 8);
  if (typeof v === 'number') throw new Error(`bad commission rate ${s}`);
  return v;
}

export class EngineCore {
  readonly symbols = new Map<string, SymbolState>();
  readonly accounts = new Map<AccountId, Account>();
  readonly fees = new Map<string, bigint>();
  readonly makerRate: bigint;
  readonly takerRate: bigint;
  readonly seed: number;
  readonly bySideName: string;
  readonly retain: boolean;
  readonly limits: ExchangeLimits;
  /** MAX_ASSET: the most of an asset one order may move, units (its quantity in a base, its notional in a quote). */
  readonly assetCaps = new Map<string, bigint>();
  seq = 0;
  cidSeq = 0;
  /** Orders by the sequence of their generated client order id. */
  readonly genIds = new GeneratedIds();
  /** Accounts whose closed orders are not history and whose orderIds are reused (markTransient). */
  readonly transientIds = new Set<AccountId>();
  /** Transient accounts whose generated client order ids come from their orderIds (ownClientIds). */
  readonly ownCidIds = new Set<AccountId>();
  /** Symbols whose `releasing` orderIds become free at the next command. */
  readonly releasingSyms: SymbolState[] = [];
  executionId = 0;
  /** OTO lists whose working order filled in the current command: their pending orders go live. */
  activations: OrderList[] = [];
  // per-command state
  now = 0;
  /** The current command's events, as words (event-words.ts). */
  readonly words = new EventWriter();
  /** Scratch of flushDepth: changed levels as [price, qty] pairs. */
  readonly depthBids: number[] = [];
  readonly depthAsks: number[] = [];
  /** Balances and account counters (rows: account-store.ts). */
  readonly store = new AccountStore();
  /** Row offsets (in store.b) of the balances the current command changed, in order. */
  readonly touchedBalances: number[] = [];
  /** How many of touchedBalances the current command filled (the array stays allocated). */
  touchedBalanceCount = 0;
  traded = false;
  readonly limitDraft = new LimitDraft();
  /** Scratch of work(): the taker phase's price-range limits in ticks. */
  readonly range: TickRange = { lo: -1, hi: Infinity };
  /** SOR groups by symbol: the symbol first, then the others of its configuration. */
  readonly sorGroups = new Map<string, readonly SymbolState[]>();
  readonly sorConfigs: SorConfig[] = [];
  /**
   * What the SOR allocator holds per asset (negative: owes). It trades on the group's books and
   * allocates to SOR orders in their own quote asset, so it gains one quote asset and loses another.
   */
  readonly allocatorNet = new Map<string, bigint>();

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
    for (const sor of opts.sors ?? []) addSorGroup(this, sor);
  }

  internals(): EngineInternals {
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
      transientIds: this.transientIds,
      ownCidIds: this.ownCidIds,
      releasingSyms: this.releasingSyms,
    };
  }

  // ==== accounts and symbols ==================================================================

  account(id: AccountId): Account {
    let a = this.accounts.get(id);
    if (a === undefined) {
      a = new Account(id, this.makerRate, this.takerRate, this.store);
      a.transient = this.transientIds.has(id);
      this.accounts.set(id, a);
    }
    return a;
  }

  settledFees(): Map<string, bigint> {
    for (const s of this.symbols.values()) if (s.feeB !== 0 || s.feeQ !== 0) this.flushFees(s);
    return this.fees;
  }

  sym(name: string): SymbolState {
    const s = this.symbols.get(name);
    if (!s) throw Err.badSymbol();
    return s;
  }

  filterPrice(s: SymbolState, mins: number, now: number): number {
    const ref = s.referencePrice;
    if (ref !== null && ref.everSet) {
      const v = ref.value(now);
      if (v !== null) return Number(v);
    }
    return this.refPrice(s, mins, now);
  }

  refPrice(s: SymbolState, mins: number, now: number): number {
    if (s.lastT < 0) return -1;
    const last = s.lastT * s.c.pUnit;
    if (mins <= 0) return last;
    const avg = s.window.average(mins, now);
    return avg < 0 ? last : avg;
  }

  // ==== command bookkeeping ===================================================================

  /**
   * Makes accounts transient from now on (journaled, so a replay reuses the same orderIds): system
   * accounts nobody can sign for, whose orders nobody can look up, and which trade all day. Their
   * orders closed from now on leave no history (no GET order, allOrders or myTrades rows) and their
   * rows are reused by their later orders — the rest of each trade (the public trade, the other
   * side's history) stays. Without this, every simulator order would keep its row for good.
   *
   * `ownClientIds`: the client order ids generated for them (orders without one, cancels) no longer
   * take numbers of the sequence users' generated ids come from — whose index grows with it — but
   * are made from the orderId (see `ownClientId`): unique among the account's open orders, as Binance
   * requires. Off in journals written before it existed (their users' ids were numbered with the
   * simulator's).
   */
  markTransient(ids: readonly AccountId[], ownClientIds = false): void {
    for (const id of ids) {
      const a = this.accounts.get(id);
      // its orders so far would be history whose orderIds get reused
      if (a !== undefined && a.symbolAccounts.length > 0) throw new Error(`account ${id} has traded already`);
      this.transientIds.add(id);
      if (ownClientIds) this.ownCidIds.add(id);
      if (a !== undefined) a.transient = true;
    }
  }

  /**
   * Frees the orderIds that the previous command released: what is kept by orderId outside the row
   * goes (that command's events, read by now, needed it).
   */
  private freeReleased(): void {
    for (const s of this.releasingSyms) {
      const t = s.table;
      for (const id of s.releasing) {
        t.extras.delete(id);
        if (t.cidSeq[id] === 0) t.cids.delete(id);
        s.amendments.delete(id);
        s.trails.delete(id);
        s.pegs.delete(id);
        s.freeIds.push(id);
      }
      s.releasing.length = 0;
    }
    this.releasingSyms.length = 0;
  }

  /** A closed order of a transient account: its orderId is reused from the next command on. */
  private release(s: SymbolState, o: Order): void {
    if (s.table.floors?.has(o.orderId) === true) return; // an SOR order: its allocations keep naming it
    if (s.releasing.length === 0) this.releasingSyms.push(s);
    s.releasing.push(o.orderId);
  }

  begin(now: number): void {
    this.seq++;
    if (this.releasingSyms.length !== 0) this.freeReleased();
    // (setting length is a builtin call even when it changes nothing)
    if (this.activations.length !== 0) this.activations.length = 0;
    this.now = now;
    this.words.begin();
    this.touchedBalanceCount = 0;
    this.traded = false;
  }

  touch(b: Balance): void {
    this.touchRow(b.slot * BW);
  }

  /** Marks the balance at row offset `row` as changed by the current command. */
  touchRow(row: number): void {
    const b = this.store.b;
    if (b[row + B_MARK] !== this.seq) {
      b[row + B_MARK] = this.seq;
      this.touchedBalances[this.touchedBalanceCount++] = row;
    }
  }

  touchLevel(s: SymbolState, l: Level): void {
    if (l.mark !== this.seq) {
      l.mark = this.seq;
      s.touched[s.touchedCount++] = l;
    }
  }

  end(s: SymbolState | undefined): EventBatch {
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

  flushFees(s: SymbolState): void {
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

  addFee(asset: string, amount: bigint): void {
    this.fees.set(asset, (this.fees.get(asset) ?? 0n) + amount);
  }

  flushDepth(s: SymbolState): void {
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
  exec(
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

  // ==== finding orders ========================================================================

  nextClientOrderId(): string {
    return clientOrderId(this.seed, ++this.cidSeq);
  }

  /** The client id generated for a cancel of order `o` (its own kind for ownClientIds accounts). */
  cancelClientOrderId(o: Order): string {
    return this.ownCidIds.has(o.accountId) ? ownClientId(this.seed, OWN_CANCEL, o.orderId) : this.nextClientOrderId();
  }

  /** The latest order of an account on a symbol with this client order id (given or generated). */
  byCid(s: SymbolState, accountId: AccountId, sa: SymbolAccount | undefined, cid: string): FoundOrder | undefined {
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
  byId(s: SymbolState, accountId: AccountId, orderId: number): FoundOrder | undefined {
    const o = s.order(orderId);
    if (o !== undefined) return o.accountId === accountId ? o : undefined;
    if (this.retain && s.table.has(orderId, HISTORY) && s.table.accountIdOf(orderId) === accountId) return orderId;
    return undefined;
  }

  view(s: SymbolState, r: FoundOrder): OrderView {
    return typeof r === 'number' ? new Order(s.table, r) : r;
  }

  find(s: SymbolState, accountId: AccountId, ref: OrderRef): FoundOrder | undefined {
    if (ref.orderId !== undefined) return this.byId(s, accountId, ref.orderId);
    if (ref.origClientOrderId !== undefined)
      return this.byCid(s, accountId, s.accounts.get(accountId), ref.origClientOrderId);
    return undefined;
  }

  // ==== accepting and matching ================================================================

  /** Registers a validated order and reserves its funds. */
  accept(
    s: SymbolState,
    d: Draft,
    orderListId: number,
    lockArg?: bigint,
    pending = false,
    known?: SymbolAccount,
  ): Order {
    let sa = known ?? s.accounts.get(d.accountId);
    if (sa === undefined) sa = s.account(this.account(d.accountId));
    const transient = sa.transient;
    const orderId = transient && s.freeIds.length > 0 ? (s.freeIds.pop() as number) : s.nextOrderId++;
    const own = transient && d.clientOrderId === undefined && this.ownCidIds.has(d.accountId);
    const generated = d.clientOrderId === undefined && !own ? ++this.cidSeq : 0;
    // generated ids past 2^32 are not decodable (ids.ts): kept as strings and indexed like client ones
    const indexed = generated > 0 && generated < 4294967296;
    const o = s.table.insert(
      d,
      orderId,
      orderListId,
      indexed
        ? null
        : (d.clientOrderId ?? (own ? ownClientId(this.seed, OWN_ORDER, orderId) : clientOrderId(this.seed, generated))),
      sa,
      indexed ? generated : 0,
    );
    sa.addOpen(o);
    if (indexed) this.genIds.set(generated, s.index, o.orderId);
    else sa.indexClientId(o.clientOrderId, o.orderId);
    if (this.retain && !transient) sa.addOrder(s.orderChains, o.orderId);
    if (d.trailingDelta > 0) {
      o.trail = newTrail(s, o.orderId, d.trailingDelta);
      if (!pending) armTrail(this, s, o);
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
  work(s: SymbolState, o: Order): void {
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
  endTakerPhase(s: SymbolState, o: Order): boolean {
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
  takerRange(s: SymbolState, o: Order): TickRange {
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
  match(s: SymbolState, t: Order, opp: BookSide, loT: number, hiT: number): void {
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

  fill(s: SymbolState, t: Order, m: Order, lvl: Level, opp: BookSide, q: number): void {
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
    // a trade between transient accounts (the simulator's) is nobody's history: no archive row
    if (this.retain && !(bsa.transient && ssa.transient)) {
      const row = s.tradeArchive.record(
        tradeId,
        price,
        qU,
        quote,
        this.now,
        isBuyerMaker,
        buy,
        sell,
        commBase,
        commQuote,
      );
      if (!bsa.transient) bsa.addTrade(s.tradeChains, row * 2);
      if (!ssa.transient) ssa.addTrade(s.tradeChains, row * 2 + 1);
    }
    s.lastT = p;
    if (s.trailing > 0) trackTrails(this, s, p);
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
  moveLock(row: number, d: number): void {
    const b = this.store.b;
    addFreeAt(b, row, -d);
    addLockedAt(b, row, d);
    this.touchRow(row);
  }

  /** Releases reservation a BUY order no longer needs (price improvement, decrements). */
  tighten(o: Order): void {
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

  shrinkSellLock(o: Order): void {
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

  // ==== closing, expiry, cancels ==============================================================

  /** Takes an order out of the open set and returns its remaining reservation. */
  close(s: SymbolState, o: Order): void {
    o.open = false;
    o.updateTime = this.now;
    const sa = o.sa;
    sa.removeOpen(o);
    if (o.list === null) {
      // legs stay present (their list refers to them); the rest stays as history or, lean, is forgotten
      const t = s.table;
      const keep = this.retain && !sa.transient;
      const f = (t.flags[o.orderId] as number) & ~PRESENT;
      t.flags[o.orderId] = keep ? f | HISTORY : f;
      if (!keep) {
        if (o.cidSeq > 0) this.genIds.clear(o.cidSeq);
        else sa.unindexClientId(o.clientOrderId, o.orderId);
      }
      if (sa.transient) this.release(s, o);
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
  detach(s: SymbolState, o: Order): void {
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

  expire(
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

  cancelOne(s: SymbolState, o: Order, cancelId: string): void {
    this.detach(s, o);
    o.status = 'CANCELED';
    this.close(s, o);
    this.exec(o, 'CANCELED', 0, 0, 0, 0, NO_ASSET, -1, false, cancelId, o.clientOrderId);
  }

  cancelList(s: SymbolState, list: OrderList, cancelId: string): void {
    for (const leg of list.legs) if (leg.open) this.cancelOne(s, leg, cancelId);
  }

  // ==== self-trade prevention =================================================================

  /** Self-trade prevention between taker t and maker m (same account). Returns true when t is done. */
  prevent(s: SymbolState, t: Order, m: Order, lvl: Level): boolean {
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
  preventedMatch(
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
  preventOne(s: SymbolState, o: Order, n: number, id: number, other: Order, isMaker: boolean): void {
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

  // ==== order lists ===========================================================================

  /**
   * An OCO leg (or a live OTOCO / OPOCO pending pair's) that expired before its list started (self-trade
   * prevention; an amendment below what prevention took) takes the other leg along: the pair shares one
   * quantity and one reservation (which the expired leg may have held), and one-cancels-the-other
   * leaves no leg alone.
   */
  expireOcoPartners(s: SymbolState, o: Order): void {
    const list = o.list;
    if (list === null || list.status !== 'EXECUTING' || !list.inOcoGroup(o)) return;
    for (const leg of list.legs)
      if (leg.orderId !== o.orderId && leg.open && list.inOcoGroup(leg)) this.expire(s, leg, 'EXPIRED', undefined);
  }

  /**
   * OPO: what the working order just bought is locked for the pending order(s); its commission is
   * paid from free funds when they cover it, else out of what was received.
   */
  lockReceived(list: OrderList, b: Balance, qU: number, commission: bigint): void {
    settle(b);
    const got = BigInt(qU);
    const lock = b.free >= got ? got : got - commission;
    b.free -= lock;
    b.locked += lock;
    list.received += lock;
    this.touch(b);
  }

  /** OPO: gives `amount` of what the working order received back to free funds. */
  releaseReceived(list: OrderList, amount: bigint): void {
    list.received -= amount;
    if (amount === 0n) return;
    const b = (list.legs[0] as Order).baseBal;
    settle(b);
    b.locked -= amount;
    b.free += amount;
    this.touch(b);
  }

  /** After an OCO amendment: the list's shared reservation down to what its largest open leg needs. */
  releaseListExcess(list: OrderList): void {
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

  /** A list is done: no longer counted as open (MAX_NUM_ORDER_LISTS), reported ALL_DONE. */
  endList(s: SymbolState, list: OrderList): void {
    list.status = 'ALL_DONE';
    list.updateTime = this.now;
    const sa = s.accounts.get(list.accountId) as SymbolAccount;
    sa.openLists--;
    sa.acct.openLists--;
    this.listEvent(s, list, 'ALL_DONE');
  }

  /** A leg's client order id changed while the list executes (listStatus UPDATED). */
  listUpdated(s: SymbolState, list: OrderList): void {
    list.updated = true;
    list.updateTime = this.now;
    this.listEvent(s, list, 'UPDATED');
  }

  /** A leg started executing (first fill or trigger): the other leg expires. */
  listStarted(s: SymbolState, o: Order): void {
    const list = o.list as OrderList;
    if (o.open) takeListLock(o);
    for (const leg of list.legs)
      if (leg.orderId !== o.orderId && leg.open) this.expire(s, leg, 'EXPIRED', 'OCO_TRIGGER');
    if (list.status === 'EXECUTING') this.endList(s, list);
    if (o.open && o.isBuy) this.tighten(o);
    if (o.open && !o.isBuy) this.shrinkSellLock(o);
  }

  listEvent(s: SymbolState, list: OrderList, type: 'EXEC_STARTED' | 'ALL_DONE' | 'UPDATED'): void {
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
}
