/**
 * The engine's complete state as plain data (v8-serialisable), and back: balances, books (with
 * their FIFO order, iceberg tips and all), open orders and order-list legs, stops, OCO lists, the
 * order and trade history archives, prevented matches, fees, per-minute average-price buckets and
 * every id counter. Caches that are recomputed on demand (reference price, PERCENT_PRICE bounds) and
 * per-command scratch state (marks, touched levels) are not kept. Live orders go into one numeric
 * table (see table.ts); the archives, the per-account history links and the generated-client-order-id
 * index travel as their raw typed-array chunks — no per-row work and no copy: an exported state shares
 * them with the engine until it is serialised, and an import takes them over. The per-account
 * open-order lists are derived on import (orderId order, as the engine built them).
 */
import type {
  ExpiryReason,
  OrderStatus,
  OrderType,
  SelfTradePreventionMode,
  Side,
  TimeInForce,
} from '@binance-sandbox/protocol';
import { type BookSide, Level } from './book.js';
import { type Chain, Chains, type ChainsState } from './chains.js';
import {
  Account,
  type Bucket,
  type Draft,
  type ListKind,
  OrderList,
  type SymbolAccount,
  type SymbolState,
  type Trail,
} from './exchange.js';
import type { GeneratedIds, GeneratedIdsState } from './generated-ids.js';
import { OrderArchive, type OrderArchiveState } from './order-archive.js';
import type { Order } from './order-table.js';
import { Dictionary, type NumberTable, TableReader, TableWriter } from './table.js';
import { TradeArchive, type TradeArchiveState } from './trade-archive.js';
import type { AccountId, Amendment, Peg, PreventedMatchEvent } from './types.js';

export const ENGINE_STATE_VERSION = 2;

export interface EngineCounters {
  readonly seq: number;
  readonly cidSeq: number;
  readonly executionId: number;
}

/** What `Exchange` hands this module (its private fields, by reference). */
export interface EngineInternals {
  readonly symbols: Map<string, SymbolState>;
  readonly accounts: Map<AccountId, Account>;
  readonly fees: Map<string, bigint>;
  readonly genIds: GeneratedIds;
  readonly retain: boolean;
  readonly seed: number;
  readonly counters: EngineCounters;
}

/** asset, free, locked, pending free delta, pending locked delta. */
type BalanceState = readonly [string, bigint, bigint, number, number];

interface AccountState {
  readonly id: AccountId;
  readonly makerRate: bigint;
  readonly takerRate: bigint;
  readonly updateTime: number;
  readonly balances: readonly BalanceState[];
}

interface ListState {
  readonly orderListId: number;
  readonly listClientOrderId: string;
  readonly accountId: AccountId;
  readonly legs: readonly number[];
  readonly time: number;
  readonly status: 'EXECUTING' | 'ALL_DONE';
  readonly updateTime: number;
  /** Absent: OCO (snapshots taken before other lists existed). */
  readonly kind?: Exclude<ListKind, 'OCO'>;
  /** OPO / OPOCO: what the working order received, locked for the pending order(s) (absent: 0). */
  readonly received?: bigint;
}

interface SymbolAccountState {
  readonly accountId: AccountId;
  readonly prevented: readonly PreventedMatchEvent[];
  /** Retained history lists: [head, tail, length] (links in SymbolData.orderChains / tradeChains). */
  readonly orders: readonly [number, number, number];
  readonly trades: readonly [number, number, number];
  /** byClientId: client order ids and the orderIds they name. */
  readonly clientIds: readonly string[];
  readonly clientIdOrders: Float64Array;
}

interface SymbolData {
  readonly symbol: string;
  readonly nextOrderId: number;
  readonly nextTradeId: number;
  readonly nextListId: number;
  readonly nextPreventedId: number;
  readonly updateId: number;
  readonly lastT: number;
  readonly buckets: readonly Bucket[];
  /** Open orders and order-list legs. */
  readonly orders: NumberTable;
  /**
   * The orders' client order ids, concatenated, and their lengths: one string instead of a million
   * small ones (serialising those costs microseconds each).
   */
  readonly clientOrderIds: string;
  readonly clientOrderIdLengths: Uint32Array;
  /** Enum strings of the order table. */
  readonly words: readonly string[];
  readonly symbolAccounts: readonly SymbolAccountState[];
  /** Per level, best last: price, visible qty, total qty, n, then n orderIds in queue order. */
  readonly bids: Float64Array;
  readonly asks: Float64Array;
  readonly stops: readonly number[];
  readonly lists: readonly ListState[];
  /** Closed orders and trades (retained history only). */
  readonly archive: OrderArchiveState | null;
  readonly tradeArchive: TradeArchiveState | null;
  readonly orderChains: ChainsState;
  readonly tradeChains: ChainsState;
  /** Order amendments, oldest first (absent in snapshots taken before amendments existed). */
  readonly amendments?: readonly Amendment[];
  /** Trailing stops, open or closed (absent in snapshots taken before trailing stops existed). */
  readonly trails?: readonly Trail[];
  /** Pegged orders' instructions, open or closed (absent in snapshots taken before pegs existed). */
  readonly pegs?: readonly Peg[];
}

export interface EngineState {
  readonly version: number;
  readonly retain: boolean;
  readonly seed: number;
  readonly counters: EngineCounters;
  readonly accounts: readonly AccountState[];
  readonly fees: readonly (readonly [string, bigint])[];
  readonly symbols: readonly SymbolData[];
  readonly genIds: GeneratedIdsState;
}

// ---- export -----------------------------------------------------------------------------------------

export function exportEngine(x: EngineInternals): EngineState {
  return {
    version: ENGINE_STATE_VERSION,
    retain: x.retain,
    seed: x.seed,
    counters: { ...x.counters },
    accounts: [...x.accounts.values()].map(exportAccount),
    fees: [...x.fees.entries()],
    symbols: [...x.symbols.values()].map((s) => exportSymbol(s, x.retain)),
    genIds: x.genIds.exportState([...x.symbols.keys()], x.counters.cidSeq + 1),
  };
}

function exportAccount(a: Account): AccountState {
  const balances: BalanceState[] = [];
  for (const b of a.balances.values()) balances.push([b.asset, b.free, b.locked, b.dFree, b.dLocked]);
  return { id: a.id, makerRate: a.makerRate, takerRate: a.takerRate, updateTime: a.updateTime, balances };
}

function exportSymbolAccount(sa: SymbolAccount): SymbolAccountState {
  const clientIds: string[] = [];
  const clientIdOrders: number[] = [];
  for (const [cid, ref] of sa.byClientId) {
    clientIds.push(cid);
    clientIdOrders.push(ref);
  }
  return {
    accountId: sa.acct.id,
    prevented: [...sa.prevented],
    orders: [sa.orders.head, sa.orders.tail, sa.orders.length],
    trades: [sa.trades.head, sa.trades.tail, sa.trades.length],
    clientIds,
    clientIdOrders: Float64Array.from(clientIdOrders),
  };
}

function exportSymbol(s: SymbolState, retain: boolean): SymbolData {
  const present: Order[] = [];
  for (let i = 1; i < s.nextOrderId; i++) {
    const o = s.order(i);
    if (o !== undefined) present.push(o);
  }
  const { table, words } = exportOrders(present);
  return {
    symbol: s.c.name,
    nextOrderId: s.nextOrderId,
    nextTradeId: s.nextTradeId,
    nextListId: s.nextListId,
    nextPreventedId: s.nextPreventedId,
    updateId: s.updateId,
    lastT: s.lastT,
    buckets: s.buckets.map((b) => ({ ...b })),
    orders: table,
    clientOrderIds: present.map((o) => o.clientOrderId).join(''),
    clientOrderIdLengths: Uint32Array.from(present, (o) => o.clientOrderId.length),
    words,
    symbolAccounts: [...s.accounts.values()].map(exportSymbolAccount),
    bids: exportSide(s.bids, s),
    asks: exportSide(s.asks, s),
    stops: s.stops.map((o) => o.orderId),
    lists: [...s.lists.values()].map(exportList),
    archive: retain ? s.archive.exportState(s.nextOrderId) : null,
    tradeArchive: retain ? s.tradeArchive.exportState() : null,
    orderChains: s.orderChains.exportState(retain ? s.nextOrderId : 0),
    tradeChains: s.tradeChains.exportState(retain ? 2 * s.nextTradeId : 0),
    amendments: [...s.amendments.values()].flat(),
    trails: [...s.trails.values()].map((t) => ({ ...t })),
    pegs: [...s.pegs.values()].map((p) => ({ ...p })),
  };
}

function exportList(l: OrderList): ListState {
  return {
    orderListId: l.orderListId,
    listClientOrderId: l.listClientOrderId,
    accountId: l.accountId,
    legs: l.legs.map((o) => o.orderId),
    time: l.time,
    status: l.status,
    updateTime: l.updateTime,
    ...(l.kind === 'OCO' ? {} : { kind: l.kind }),
    ...(l.received === 0n ? {} : { received: l.received }),
  };
}

function exportSide(side: BookSide, s: SymbolState): Float64Array {
  const out: number[] = [];
  for (const l of side.levels) {
    out.push(l.price, l.qty, l.total, l.count);
    for (let id = l.head; id !== 0; id = s.table.next[id] as number) out.push(id);
  }
  return Float64Array.from(out);
}

// Order table columns.
const C = {
  orderId: 0,
  orderListId: 1,
  accountId: 2,
  price: 3,
  origQty: 4,
  origQuoteOrderQty: 5,
  stopPrice: 6,
  icebergQty: 7,
  strategyId: 8,
  strategyType: 9,
  time: 10,
  remS: 11,
  visS: 12,
  execS: 13,
  cumN: 14,
  cumB: 15,
  lockN: 16,
  lockB: 17,
  workingTime: 18,
  updateTime: 19,
  preventedS: 20,
  preventedMatchId: 21,
  cidSeq: 22,
  priceT: 23,
  stopT: 24,
  icebergS: 25,
  flags: 26,
  side: 27,
  type: 28,
  timeInForce: 29,
  stp: 30,
  status: 31,
  expiryReason: 32,
} as const;
const WIDTH = 33;
const OPEN = 1;
const WORKING = 2;
const STOP = 4;
const MARKET = 8;

function exportOrders(orders: readonly Order[]): { table: NumberTable; words: string[] } {
  const w = new TableWriter(WIDTH, orders.length);
  const dict = new Dictionary();
  for (let r = 0; r < orders.length; r++) {
    const o = orders[r] as Order;
    w.num(r, C.orderId, o.orderId);
    w.num(r, C.orderListId, o.orderListId);
    w.num(r, C.accountId, o.accountId);
    w.num(r, C.price, o.price);
    w.num(r, C.origQty, o.origQty);
    w.big(r, C.origQuoteOrderQty, o.origQuoteOrderQty);
    w.num(r, C.stopPrice, o.stopPrice);
    w.num(r, C.icebergQty, o.icebergQty);
    w.num(r, C.strategyId, o.strategyId ?? NaN);
    w.num(r, C.strategyType, o.strategyType ?? NaN);
    w.num(r, C.time, o.time);
    w.num(r, C.remS, o.remS);
    w.num(r, C.visS, o.visS);
    w.num(r, C.execS, o.execS);
    w.num(r, C.cumN, o.cumN);
    w.big(r, C.cumB, o.cumB);
    w.num(r, C.lockN, o.lockN);
    w.big(r, C.lockB, o.lockB);
    w.num(r, C.workingTime, o.workingTime);
    w.num(r, C.updateTime, o.updateTime);
    w.num(r, C.preventedS, o.preventedS);
    w.num(r, C.preventedMatchId, o.preventedMatchId);
    w.num(r, C.cidSeq, o.cidSeq);
    w.num(r, C.priceT, o.priceT);
    w.num(r, C.stopT, o.stopT);
    w.num(r, C.icebergS, o.icebergS);
    w.num(
      r,
      C.flags,
      (o.open ? OPEN : 0) | (o.isWorking ? WORKING : 0) | (o.isStop ? STOP : 0) | (o.isMarket ? MARKET : 0),
    );
    w.num(r, C.side, dict.code(o.side));
    w.num(r, C.type, dict.code(o.type));
    w.num(r, C.timeInForce, dict.code(o.timeInForce));
    w.num(r, C.stp, dict.code(o.selfTradePreventionMode));
    w.num(r, C.status, dict.code(o.status));
    w.num(r, C.expiryReason, dict.code(o.expiryReason));
  }
  return { table: w.finish(), words: dict.words };
}

// ---- import -----------------------------------------------------------------------------------------

/**
 * Rebuilds the state into a fresh engine's maps (`x` by reference: no account, order or trade yet).
 * Returns the counters for the engine to take over.
 */
export function importEngine(state: EngineState, x: EngineInternals): EngineCounters {
  if (state.version !== ENGINE_STATE_VERSION) throw new Error(`engine state version ${state.version} is unknown`);
  if (state.retain !== x.retain || state.seed !== x.seed)
    throw new Error('engine state was taken with other engine options (retainHistory / seed)');
  if (x.accounts.size > 0 || x.counters.seq !== 0)
    throw new Error('engine state can only be imported into a fresh engine');
  for (const a of state.accounts) x.accounts.set(a.id, importAccount(a));
  for (const [asset, fee] of state.fees) x.fees.set(asset, fee);
  x.genIds.importState(state.genIds, (name) => x.symbols.get(name)?.index ?? -1);
  for (const d of state.symbols) {
    const s = x.symbols.get(d.symbol);
    if (s === undefined) throw new Error(`engine state has symbol ${d.symbol}, which is not configured`);
    importSymbol(d, s, x);
  }
  return { ...state.counters };
}

function importAccount(d: AccountState): Account {
  const a = new Account(d.id, d.makerRate, d.takerRate);
  a.updateTime = d.updateTime;
  for (const [asset, free, locked, dFree, dLocked] of d.balances) {
    const b = a.balance(asset);
    b.free = free;
    b.locked = locked;
    b.dFree = dFree;
    b.dLocked = dLocked;
  }
  return a;
}

function importSymbol(d: SymbolData, s: SymbolState, x: EngineInternals): void {
  s.nextOrderId = d.nextOrderId;
  s.nextTradeId = d.nextTradeId;
  s.nextListId = d.nextListId;
  s.nextPreventedId = d.nextPreventedId;
  s.updateId = d.updateId;
  s.lastT = d.lastT;
  for (const b of d.buckets) s.buckets.push({ ...b });
  for (const sad of d.symbolAccounts) {
    const acct = x.accounts.get(sad.accountId);
    if (acct === undefined) throw new Error(`engine state: account ${sad.accountId} is missing`);
    const sa = s.account(acct);
    sa.prevented.push(...sad.prevented);
    restoreChain(sa.orders, sad.orders);
    restoreChain(sa.trades, sad.trades);
  }
  importOrders(d, s);
  for (const sad of d.symbolAccounts) {
    const sa = s.accounts.get(sad.accountId) as SymbolAccount;
    for (let i = 0; i < sad.clientIds.length; i++) {
      const id = sad.clientIdOrders[i] as number;
      sa.byClientId.set(sad.clientIds[i] as string, id);
    }
  }
  for (const l of d.lists) importList(l, s);
  for (const t of d.trails ?? []) {
    const trail: Trail = { ...t };
    s.trails.set(trail.orderId, trail);
    const o = s.order(trail.orderId);
    if (o !== undefined) o.trail = trail;
  }
  for (const p of d.pegs ?? []) {
    const peg: Peg = { ...p };
    s.pegs.set(peg.orderId, peg);
    const o = s.order(peg.orderId);
    if (o !== undefined) o.peg = peg;
  }
  for (const a of d.amendments ?? []) {
    let history = s.amendments.get(a.orderId);
    if (history === undefined) s.amendments.set(a.orderId, (history = []));
    history.push({ ...a });
  }
  importSide(d.bids, s.bids, s);
  importSide(d.asks, s.asks, s);
  for (const id of d.stops) s.stops.push(orderAt(s, id));
  s.trailing = s.stops.filter((o) => o.trail !== null).length;
  s.orderChains = new Chains(d.orderChains);
  s.tradeChains = new Chains(d.tradeChains);
  if (d.archive !== null) s.archive = new OrderArchive(s.c.name, x.seed, d.archive, s.trails, s.pegs);
  if (d.tradeArchive !== null) s.tradeArchive = new TradeArchive(s.c.name, s.c.base, s.c.quote, d.tradeArchive);
}

function restoreChain(chain: Chain, [head, tail, length]: readonly [number, number, number]): void {
  chain.head = head;
  chain.tail = tail;
  chain.length = length;
}

function orderAt(s: SymbolState, id: number): Order {
  const o = s.order(id);
  if (o === undefined) throw new Error(`engine state: order ${s.c.name}#${id} is missing`);
  return o;
}

function importOrders(d: SymbolData, s: SymbolState): void {
  const r = new TableReader(d.orders);
  const dict = new Dictionary(d.words);
  const optional = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);
  let cidAt = 0;
  for (let i = 0; i < d.orders.rows; i++) {
    const cidEnd = cidAt + (d.clientOrderIdLengths[i] as number);
    const clientOrderId = d.clientOrderIds.slice(cidAt, cidEnd);
    cidAt = cidEnd;
    const accountId = r.num(i, C.accountId);
    const sa = s.accounts.get(accountId);
    if (sa === undefined) throw new Error(`engine state: order of unknown account ${accountId}`);
    const flags = r.num(i, C.flags);
    const draft: Draft = {
      trailingDelta: 0, // the trail, if any, is restored from SymbolData.trails
      peg: null, // so is the peg, from SymbolData.pegs
      pegged: false,
      symbol: s.c.name,
      accountId,
      side: dict.word(r.num(i, C.side)) as Side,
      type: dict.word(r.num(i, C.type)) as OrderType,
      timeInForce: dict.word(r.num(i, C.timeInForce)) as TimeInForce,
      price: r.num(i, C.price),
      origQty: r.num(i, C.origQty),
      origQuoteOrderQty: r.big(i, C.origQuoteOrderQty),
      stopPrice: r.num(i, C.stopPrice),
      icebergQty: r.num(i, C.icebergQty),
      selfTradePreventionMode: dict.word(r.num(i, C.stp)) as SelfTradePreventionMode,
      strategyId: optional(r.num(i, C.strategyId)),
      strategyType: optional(r.num(i, C.strategyType)),
      time: r.num(i, C.time),
      clientOrderId: undefined,
      isStop: (flags & STOP) !== 0,
      isMarket: (flags & MARKET) !== 0,
      priceT: r.num(i, C.priceT),
      stopT: r.num(i, C.stopT),
      qtyS: r.num(i, C.remS),
      icebergS: r.num(i, C.icebergS),
      lock: 0n,
      lockN: 0,
    };
    const o = s.table.insert(draft, r.num(i, C.orderId), r.num(i, C.orderListId), clientOrderId, sa, 0);
    restoreOrderState(o, r, i, flags, dict);
    if (o.open) {
      sa.addOpen(o);
    }
  }
}

function restoreOrderState(o: Order, r: TableReader, i: number, flags: number, dict: Dictionary): void {
  o.remS = r.num(i, C.remS);
  o.visS = r.num(i, C.visS);
  o.execS = r.num(i, C.execS);
  o.cumN = r.num(i, C.cumN);
  o.cumB = r.big(i, C.cumB);
  o.lockN = r.num(i, C.lockN);
  o.lockB = r.big(i, C.lockB);
  o.status = dict.word(r.num(i, C.status)) as OrderStatus;
  o.open = (flags & OPEN) !== 0;
  o.isWorking = (flags & WORKING) !== 0;
  o.workingTime = r.num(i, C.workingTime);
  o.updateTime = r.num(i, C.updateTime);
  o.preventedS = r.num(i, C.preventedS);
  o.preventedMatchId = r.num(i, C.preventedMatchId);
  const reason = r.num(i, C.expiryReason);
  o.expiryReason = reason < 0 ? undefined : (dict.word(reason) as ExpiryReason);
  const cidSeq = r.num(i, C.cidSeq);
  if (cidSeq > 0) o.generatedId(cidSeq); // the string is made again when asked for
}

function importList(d: ListState, s: SymbolState): void {
  const legs = d.legs.map((id) => orderAt(s, id));
  const list = new OrderList(s.c.name, d.orderListId, d.listClientOrderId, d.accountId, legs, d.time, d.kind ?? 'OCO');
  list.status = d.status;
  list.updateTime = d.updateTime;
  list.received = d.received ?? 0n;
  for (const leg of legs) leg.list = list;
  s.lists.set(list.orderListId, list);
  const sa = s.accounts.get(d.accountId);
  if (sa === undefined) throw new Error(`engine state: list of unknown account ${d.accountId}`);
  sa.lists.push(list);
  if (list.status === 'EXECUTING') {
    sa.openLists++;
    sa.acct.openLists++;
  }
}

function importSide(data: Float64Array, side: BookSide, s: SymbolState): void {
  let i = 0;
  while (i < data.length) {
    const l = new Level(data[i] as number, side.isBid);
    l.qty = data[i + 1] as number;
    l.total = data[i + 2] as number;
    const n = data[i + 3] as number;
    i += 4;
    for (let k = 0; k < n; k++) side.link(l, orderAt(s, data[i + k] as number).orderId);
    l.count = n;
    i += n;
    side.levels.push(l);
    side.byPrice.set(l.price, l);
  }
}
