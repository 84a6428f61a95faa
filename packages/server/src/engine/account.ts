/**
 * Accounts: an account's balances (Balance: exact two-part amounts in the engine's AccountStore,
 * account-store.ts), its commission rates, and its state per symbol (SymbolAccount: open orders,
 * the MAX_NUM_* counts, history lists); the per-command balance deltas the order path adds.
 */
import {
  addFreeAt,
  addLockedAt,
  type AccountStore,
  B_D_FREE,
  B_D_LOCK,
  B_FREE_HI,
  B_FREE_LO,
  B_LOCK_HI,
  B_LOCK_LO,
  B_MAKER_N,
  B_MARK,
  B_TAKER_N,
  B_TIME,
  BW,
  freeBelow,
  setWide,
  settleAt,
} from './account-store.js';
import type { Chains } from './chains.js';
import { wideBig } from './decimal.js';
import { assetCode } from './event-words.js';
import type { OrderList } from './order-list.js';
import { appendId, type IdList, removeId } from './id-list.js';
import { Order } from './order.js';
import type { OrderTable } from './order-table.js';
import type { AccountId, BalanceSnapshot, PreventedMatchEvent } from './types.js';

const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);

/** Pending per-command balance deltas (applied to the two-part amounts in end()). */
export function addFree(b: Balance, d: number): void {
  addFreeAt(b.store.b, b.slot * BW, d);
}
export function addLocked(b: Balance, d: number): void {
  addLockedAt(b.store.b, b.slot * BW, d);
}
/** Applies a balance's pending deltas (before reading its amounts mid-command). */
export function settle(b: Balance): void {
  settleAt(b.store.b, b.slot * BW);
}
function rateNum(r: bigint): number {
  return r >= 0n && r <= MAX_SAFE_N ? Number(r) : -1;
}

/**
 * One asset of one account. Its amounts are exact two-part numbers, hi·2^32 + lo with
 * 0 ≤ lo < 2^32 (no BigInt on the hot path, no limit below 2^85); `free` / `locked` read and write
 * them as bigint.
 */
export class Balance {
  /** Its row in the engine's AccountStore (the numbers live there). */
  readonly slot: number;
  readonly store: AccountStore;
  /** The asset's code in event words (event-words.ts). */
  readonly assetCode: number;
  constructor(
    readonly account: Account,
    readonly asset: string,
  ) {
    this.assetCode = assetCode(asset);
    this.store = account.store;
    this.slot = account.store.addBalance(
      account.slot,
      account.id,
      this.assetCode,
      rateNum(account.makerRate),
      rateNum(account.takerRate),
    );
  }
  private num(at: number): number {
    return this.store.b[this.slot * BW + at] as number;
  }
  private put(at: number, v: number): void {
    this.store.b[this.slot * BW + at] = v;
  }
  get free(): bigint {
    return wideBig(this.num(B_FREE_HI), this.num(B_FREE_LO));
  }
  set free(v: bigint) {
    setWide(this.store.b, this.slot * BW + B_FREE_HI, v);
  }
  get locked(): bigint {
    return wideBig(this.num(B_LOCK_HI), this.num(B_LOCK_LO));
  }
  set locked(v: bigint) {
    setWide(this.store.b, this.slot * BW + B_LOCK_HI, v);
  }
  /** Pending deltas of the current command (see addFree / end). */
  get dFree(): number {
    return this.num(B_D_FREE);
  }
  set dFree(v: number) {
    this.put(B_D_FREE, v);
  }
  get dLocked(): number {
    return this.num(B_D_LOCK);
  }
  set dLocked(v: number) {
    this.put(B_D_LOCK, v);
  }
  /** free < `n` (an integer, 0 ≤ n < 2^53). */
  freeBelow(n: number): boolean {
    return freeBelow(this.store.b, this.slot * BW, n);
  }
}

export class Account {
  readonly balances = new Map<string, Balance>();
  /** Its index: the B_ACCOUNT of its balances' rows. */
  readonly slot: number;
  /** Its SymbolAccounts (one per symbol it has used). */
  readonly symbolAccounts: SymbolAccount[] = [];
  /** Order lists still executing on all symbols (EXCHANGE_MAX_NUM_ORDER_LISTS). */
  openLists = 0;
  /** updateTime as restored from a snapshot (before any balance changed since). */
  private restoredUpdateTime = 0;
  /**
   * A system account nobody can sign for (the simulator's): its closed orders are not kept as history
   * and their orderIds are reused by its later orders (EngineCore.markTransient).
   */
  transient = false;
  constructor(
    readonly id: AccountId,
    /** Rates in units of 1e-8 (0.001 → 100000n). */
    public makerRate: bigint,
    public takerRate: bigint,
    readonly store: AccountStore,
  ) {
    this.slot = store.addAccount();
  }
  /** Sets the commission rates, and in its balances' rows their number form (−1: beyond 2^53). */
  setRates(maker: bigint, taker: bigint): void {
    this.makerRate = maker;
    this.takerRate = taker;
    const b = this.store.b;
    const makerN = rateNum(maker);
    const takerN = rateNum(taker);
    for (const bal of this.balances.values()) {
      b[bal.slot * BW + B_MAKER_N] = makerN;
      b[bal.slot * BW + B_TAKER_N] = takerN;
    }
  }
  /** The time of the last command that changed one of its balances (that balance's row has the latest mark). */
  get updateTime(): number {
    const b = this.store.b;
    let mark = 0;
    let time = this.restoredUpdateTime;
    for (const bal of this.balances.values()) {
      const i = bal.slot * BW;
      if ((b[i + B_MARK] as number) > mark) {
        mark = b[i + B_MARK] as number;
        time = b[i + B_TIME] as number;
      }
    }
    return time;
  }
  set updateTime(v: number) {
    this.restoredUpdateTime = v;
  }
  /** Open orders, algo orders and iceberg orders on all symbols (exchange filters). */
  get openOrders(): number {
    return this.total('openCount');
  }
  get algo(): number {
    return this.total('algo');
  }
  get iceberg(): number {
    return this.total('iceberg');
  }
  private total(count: 'openCount' | 'algo' | 'iceberg'): number {
    let n = 0;
    for (const sa of this.symbolAccounts) n += sa[count];
    return n;
  }
  balance(asset: string): Balance {
    let b = this.balances.get(asset);
    if (b === undefined) {
      b = new Balance(this, asset);
      this.balances.set(asset, b);
    }
    return b;
  }
}

export interface AccountView {
  readonly accountId: AccountId;
  readonly makerRate: bigint;
  readonly takerRate: bigint;
  readonly updateTime: number;
  /** In asset creation order. */
  readonly balances: readonly BalanceSnapshot[];
}

/**
 * Per (symbol, account): open orders, counters for the MAX_NUM_* filters, history. The order path
 * reads it for every order of a random account: its lists' ends are fields of its own (one object,
 * not one per list).
 */
export class SymbolAccount implements IdList {
  constructor(
    readonly acct: Account,
    readonly baseBal: Balance,
    readonly quoteBal: Balance,
    /** The engine's seed (generated client order ids). */
    readonly seed: number,
    /** Its index in the symbol's order table (OrderTable.accounts). */
    readonly index: number,
    private readonly t: OrderTable,
  ) {
    this.accountId = acct.id;
    this.transient = acct.transient;
    this.baseRow = baseBal.slot * BW;
    this.quoteRow = quoteBal.slot * BW;
  }
  readonly accountId: AccountId;
  /** Its account's (fixed before the account first trades: EngineCore.markTransient). */
  readonly transient: boolean;
  /** Offsets of its base and quote balances' rows in store.b. */
  readonly baseRow: number;
  readonly quoteRow: number;
  /** Open orders, first and last: orderIds linked through the table's aPrev / aNext, in acceptance (= orderId) order. */
  head = 0;
  tail = 0;
  openCount = 0;
  algo = 0;
  iceberg = 0;
  /** Order lists still executing (MAX_NUM_ORDER_LISTS). */
  openLists = 0;
  /**
   * Latest order per client-given order id (at most one of them is open), by orderId. Generated ids
   * are not indexed: Exchange.byCid decodes them (ids.ts).
   */
  readonly byClientId = new Map<string, number>();
  /**
   * Indexes `cid` as naming `orderId`, its latest order with that id. Every change of the index goes
   * through here and unindexClientId: the table's indexLog keeps its packed form for snapshots.
   */
  indexClientId(cid: string, orderId: number): void {
    if (this.byClientId.has(cid)) this.t.indexLog.changed();
    else this.t.indexLog.added(this.accountId, cid, orderId);
    this.byClientId.set(cid, orderId);
  }
  /** Takes `cid` out of the index if it names `orderId`. */
  unindexClientId(cid: string, orderId: number): void {
    if (this.byClientId.get(cid) !== orderId) return;
    this.byClientId.delete(cid);
    this.t.indexLog.changed();
  }
  /** With retained history: every orderId, in acceptance order (SymbolState.orderChains): first, last, count. */
  firstOrder = 0;
  lastOrder = 0;
  orderCount = 0;
  /** With retained history: 2·row (as buyer) or 2·row + 1 (as seller) of the symbol's trade archive, in trade order (tradeChains). */
  firstTrade = 0;
  lastTrade = 0;
  tradeCount = 0;
  readonly lists: OrderList[] = [];
  readonly prevented: PreventedMatchEvent[] = [];
  addOrder(chains: Chains, orderId: number): void {
    chains.link(orderId, this.lastOrder);
    if (this.lastOrder === 0) this.firstOrder = orderId;
    this.lastOrder = orderId;
    this.orderCount++;
  }
  addTrade(chains: Chains, entry: number): void {
    chains.link(entry, this.lastTrade);
    if (this.lastTrade === 0) this.firstTrade = entry;
    this.lastTrade = entry;
    this.tradeCount++;
  }
  addOpen(o: Order): void {
    appendId(this, this.t.aPrev, this.t.aNext, o.orderId);
    this.count(o, 1);
  }
  /** The MAX_NUM_* counts (the account's are their sums over its SymbolAccounts). */
  private count(o: Order, d: 1 | -1): void {
    this.openCount += d;
    if (o.isStop) this.algo += d;
    if (o.icebergS > 0) this.iceberg += d;
  }
  removeOpen(o: Order): void {
    removeId(this, this.t.aPrev, this.t.aNext, o.orderId);
    this.count(o, -1);
  }
  /** Open orderIds, oldest first. */
  openIds(): number[] {
    const out: number[] = [];
    for (let id = this.head; id !== 0; id = this.t.aNext[id] as number) out.push(id);
    return out;
  }
  openList(): Order[] {
    return this.openIds().map((id) => new Order(this.t, id));
  }
}
