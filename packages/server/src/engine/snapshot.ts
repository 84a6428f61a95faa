/**
 * The engine's complete state as plain data (v8-serialisable), and back: balances, books (with
 * their FIFO order, iceberg tips and all), every order (open, list legs, history), stops, order
 * lists, the trade history, prevented matches, fees, per-minute average-price buckets and
 * every id counter. Caches that are recomputed on demand (reference price, PERCENT_PRICE bounds) and
 * per-command scratch state (marks, touched levels) are not kept. Every order, open or closed, travels
 * as the order table's columns (order-table.ts: book and open-order links included); the trade
 * archive, the per-account history links and the generated-client-order-id index as their raw
 * typed-array chunks — no per-row work. The per-account open-order counts are derived on import.
 * Versions 3 (client order ids per account as arrays of strings) and 2 (closed orders in a separate
 * archive: snapshot-v2.ts) are still read.
 */
import type { SymbolStatus } from '@binance-sandbox/protocol';
import type { PackedIndex } from './client-id-index.js';
import { unpackStrings } from './packed-strings.js';
import type { AccountStore } from './account-store.js';
import { type BookSide, Level } from './book.js';
import { Chains, type ChainsState } from './chains.js';
import { Account, type SymbolAccount } from './account.js';
import { type ListKind, OrderList } from './order-list.js';
import type { SymbolState, Trail } from './symbol-state.js';
import type { GeneratedIds, GeneratedIdsState } from './generated-ids.js';
import { Order } from './order.js';
import { HISTORY, OPEN, PRESENT } from './order-row.js';
import type { OrderTableState } from './order-table.js';
import type { Bucket } from './price-window.js';
import type { ReferencePriceState } from './reference-price.js';
import type { SorLedgerState } from './sor.js';
import { importSymbolV2, type SymbolDataV2 } from './snapshot-v2.js';
import { TradeArchive, type TradeArchiveState } from './trade-archive.js';
import type { AccountId, Amendment, BlockTradeEvent, Peg, PreventedMatchEvent } from './types.js';

export const ENGINE_STATE_VERSION = 5;

export interface EngineCounters {
  readonly seq: number;
  readonly cidSeq: number;
  readonly executionId: number;
}

/** What `Exchange` hands this module (its private fields, by reference). */
export interface EngineInternals {
  readonly symbols: Map<string, SymbolState>;
  readonly accounts: Map<AccountId, Account>;
  readonly store: AccountStore;
  readonly fees: Map<string, bigint>;
  readonly allocatorNet: Map<string, bigint>;
  readonly genIds: GeneratedIds;
  readonly retain: boolean;
  readonly seed: number;
  readonly counters: EngineCounters;
  readonly transientIds: Set<AccountId>;
  readonly ownCidIds: Set<AccountId>;
  readonly releasingSyms: SymbolState[];
}

/** asset, free, locked, pending free delta, pending locked delta. */
type BalanceState = readonly [string, bigint, bigint, number, number];

export interface AccountState {
  readonly id: AccountId;
  readonly makerRate: bigint;
  readonly takerRate: bigint;
  readonly updateTime: number;
  readonly balances: readonly BalanceState[];
}

export interface ListState {
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
  /** Its last listStatus was UPDATED (absent: false). */
  readonly updated?: true;
}

export interface SymbolAccountState {
  readonly accountId: AccountId;
  readonly prevented: readonly PreventedMatchEvent[];
  /** Retained history lists: [head, tail, length] (links in SymbolData.orderChains / tradeChains). */
  readonly orders: readonly [number, number, number];
  readonly trades: readonly [number, number, number];
  /** A transient account's open orders in acceptance order (its orderIds are reused: not their order). */
  readonly open?: readonly number[];
  /** How many entries of its symbol's `clientIds` are its byClientId (version 4; 5 names the account per entry). */
  readonly clientIdCount?: number;
  /** byClientId: client order ids and the orderIds they name (versions 2 and 3). */
  readonly clientIds?: readonly string[];
  readonly clientIdOrders?: Float64Array;
}

/**
 * Every SymbolAccount's byClientId as entries (client id, orderId): the ids packed (packed-strings.ts)
 * and the orderIds they name — a few objects for the whole symbol, not a few per account (each typed
 * array costs the serialiser a call of its own). Version 5: `accounts` names each entry's account,
 * in an order that replays every account's index in its own order (client-id-index.ts). Version 4:
 * no `accounts`; the entries of each SymbolAccount one after the other, `clientIdCount` of them.
 */
export interface ClientIdsState {
  readonly text: string;
  readonly lengths: Uint32Array;
  readonly orders: Float64Array;
  readonly accounts?: Float64Array;
}

/** What both snapshot versions share per symbol. */
export interface SymbolDataBase {
  readonly symbol: string;
  readonly nextOrderId: number;
  readonly nextTradeId: number;
  readonly nextListId: number;
  readonly nextPreventedId: number;
  readonly updateId: number;
  readonly lastT: number;
  readonly buckets: readonly Bucket[];
  readonly symbolAccounts: readonly SymbolAccountState[];
  /** Versions 4 and 5. */
  readonly clientIds?: ClientIdsState;
  readonly stops: readonly number[];
  readonly lists: readonly ListState[];
  /** Trades (retained history only). */
  readonly tradeArchive: TradeArchiveState | null;
  readonly orderChains: ChainsState;
  readonly tradeChains: ChainsState;
  /** Order amendments, oldest first (absent in snapshots taken before amendments existed). */
  readonly amendments?: readonly Amendment[];
  /** Trailing stops, open or closed (absent in snapshots taken before trailing stops existed). */
  readonly trails?: readonly Trail[];
  /** Pegged orders' instructions, open or closed (absent in snapshots taken before pegs existed). */
  readonly pegs?: readonly Peg[];
  /** The reference price's state (only for a symbol with a reference price calculation). */
  readonly referencePrice?: ReferencePriceState;
  /** Allocations and SOR orders' working floors (only for a symbol in an SOR configuration). */
  readonly sor?: SorLedgerState;
  /** Block trades (absent: none). */
  readonly blockTrades?: readonly BlockTradeEvent[];
  /** Trading status set through the admin API (absent: the definition's). */
  readonly status?: SymbolStatus;
  /** Transient accounts' orderIds free for reuse, and those the last command released (absent: none). */
  readonly freeIds?: readonly number[];
  readonly releasing?: readonly number[];
}

interface SymbolData extends SymbolDataBase {
  /** Every order, rows 0 … nextOrderId − 1. */
  readonly orders: OrderTableState;
  /** Per level, best last: price, visible qty, total qty, order count, first and last orderId. */
  readonly bids: Float64Array;
  readonly asks: Float64Array;
}

export interface EngineState {
  readonly version: number;
  readonly retain: boolean;
  readonly seed: number;
  readonly counters: EngineCounters;
  readonly accounts: readonly AccountState[];
  readonly fees: readonly (readonly [string, bigint])[];
  readonly symbols: readonly (SymbolData | SymbolDataV2)[];
  readonly genIds: GeneratedIdsState;
  /** What the SOR allocator holds per asset (absent: nothing, or taken before SOR existed). */
  readonly allocatorNet?: readonly (readonly [string, bigint])[];
  /** Transient accounts (EngineCore.markTransient; absent: none). */
  readonly transient?: readonly AccountId[];
  /** Those of them with their own generated client order ids (absent: none). */
  readonly ownClientIds?: readonly AccountId[];
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
    ...(x.allocatorNet.size > 0 ? { allocatorNet: [...x.allocatorNet.entries()] } : {}),
    ...(x.transientIds.size > 0 ? { transient: [...x.transientIds] } : {}),
    ...(x.ownCidIds.size > 0 ? { ownClientIds: [...x.ownCidIds] } : {}),
  };
}

function exportAccount(a: Account): AccountState {
  const balances: BalanceState[] = [];
  for (const b of a.balances.values()) balances.push([b.asset, b.free, b.locked, b.dFree, b.dLocked]);
  return { id: a.id, makerRate: a.makerRate, takerRate: a.takerRate, updateTime: a.updateTime, balances };
}

function exportSymbolAccounts(s: SymbolState): Pick<SymbolData, 'symbolAccounts' | 'clientIds'> {
  const symbolAccounts: SymbolAccountState[] = [];
  for (const sa of s.accounts.values()) {
    symbolAccounts.push({
      accountId: sa.acct.id,
      prevented: [...sa.prevented],
      orders: [sa.firstOrder, sa.lastOrder, sa.orderCount],
      trades: [sa.firstTrade, sa.lastTrade, sa.tradeCount],
      ...(sa.transient ? { open: sa.openIds() } : {}),
    });
  }
  return { symbolAccounts, clientIds: s.table.indexLog.pack(s.accounts.values()) };
}

function exportSymbol(s: SymbolState, retain: boolean): SymbolData {
  return {
    symbol: s.c.name,
    nextOrderId: s.nextOrderId,
    nextTradeId: s.nextTradeId,
    nextListId: s.nextListId,
    nextPreventedId: s.nextPreventedId,
    updateId: s.updateId,
    lastT: s.lastT,
    buckets: s.window.buckets.map((b) => ({ ...b })),
    orders: s.table.exportState(s.nextOrderId),
    ...exportSymbolAccounts(s),
    bids: exportSide(s.bids),
    asks: exportSide(s.asks),
    stops: s.stops.map((o) => o.orderId),
    lists: [...s.lists.values()].map(exportList),
    tradeArchive: retain ? s.tradeArchive.exportState() : null,
    orderChains: s.orderChains.exportState(retain ? s.nextOrderId : 0),
    tradeChains: s.tradeChains.exportState(retain ? 2 * (s.tradeArchive.count + 1) : 0),
    amendments: [...s.amendments.values()].flat(),
    trails: [...s.trails.values()].map((t) => ({ ...t })),
    pegs: [...s.pegs.values()].map((p) => ({ ...p })),
    ...(s.referencePrice === null ? {} : { referencePrice: s.referencePrice.exportState() }),
    ...(s.sor === null ? {} : { sor: s.sor.exportState() }),
    ...(s.blockTrades.length === 0 ? {} : { blockTrades: [...s.blockTrades] }),
    ...(s.status === s.c.def.status ? {} : { status: s.status }),
    ...(s.freeIds.length === 0 ? {} : { freeIds: [...s.freeIds] }),
    ...(s.releasing.length === 0 ? {} : { releasing: [...s.releasing] }),
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
    ...(l.updated ? { updated: true as const } : {}),
  };
}

function exportSide(side: BookSide): Float64Array {
  const out: number[] = [];
  for (const l of side.levels) out.push(l.price, l.qty, l.total, l.count, l.head, l.tail);
  return Float64Array.from(out);
}

// ---- import -----------------------------------------------------------------------------------------

/**
 * Rebuilds the state into a fresh engine's maps (`x` by reference: no account, order or trade yet).
 * Returns the counters for the engine to take over.
 */
export function importEngine(state: EngineState, x: EngineInternals): EngineCounters {
  if (![ENGINE_STATE_VERSION, 4, 3, 2].includes(state.version))
    throw new Error(`engine state version ${state.version} is unknown`);
  if (state.retain !== x.retain || state.seed !== x.seed)
    throw new Error('engine state was taken with other engine options (retainHistory / seed)');
  if (x.accounts.size > 0 || x.counters.seq !== 0)
    throw new Error('engine state can only be imported into a fresh engine');
  for (const id of state.transient ?? []) x.transientIds.add(id);
  for (const id of state.ownClientIds ?? []) x.ownCidIds.add(id);
  for (const a of state.accounts) {
    const acct = importAccount(a, x.store);
    acct.transient = x.transientIds.has(a.id);
    x.accounts.set(a.id, acct);
  }
  for (const [asset, fee] of state.fees) x.fees.set(asset, fee);
  for (const [asset, v] of state.allocatorNet ?? []) x.allocatorNet.set(asset, v);
  x.genIds.importState(state.genIds, (name) => x.symbols.get(name)?.index ?? -1);
  for (const d of state.symbols) {
    const s = x.symbols.get(d.symbol);
    if (s === undefined) throw new Error(`engine state has symbol ${d.symbol}, which is not configured`);
    if (state.version === 2) importSymbolV2(d as SymbolDataV2, s, x);
    else importSymbol(d as SymbolData, s, x.accounts);
    s.freeIds.push(...(d.freeIds ?? []));
    s.releasing.push(...(d.releasing ?? []));
    if (s.releasing.length > 0) x.releasingSyms.push(s);
  }
  return { ...state.counters };
}

function importAccount(d: AccountState, store: AccountStore): Account {
  const a = new Account(d.id, d.makerRate, d.takerRate, store);
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

function importSymbol(d: SymbolData, s: SymbolState, accounts: Map<AccountId, Account>): void {
  importSymbolAccounts(d, s, accounts);
  const t = s.table;
  t.importState(d.orders);
  // the accounts' open-order lists and counts, in orderId (= acceptance) order; a transient
  // account's (orderIds reused) in the order exported
  for (let id = 1; id < d.orders.rows; id++)
    if (((t.flags[id] as number) & OPEN) !== 0) {
      const sa = t.accounts[t.acct[id] as number] as SymbolAccount;
      if (!sa.transient) sa.addOpen(new Order(t, id));
    }
  for (const sad of d.symbolAccounts)
    for (const id of sad.open ?? []) (s.accounts.get(sad.accountId) as SymbolAccount).addOpen(new Order(t, id));
  importSide(d.bids, s.bids);
  importSide(d.asks, s.asks);
  importSymbolRest(d, s);
}

/** Counters, buckets and the per-account state (their order-table indexes in export order). */
export function importSymbolAccounts(d: SymbolDataBase, s: SymbolState, accounts: Map<AccountId, Account>): void {
  s.nextOrderId = d.nextOrderId;
  s.nextTradeId = d.nextTradeId;
  s.nextListId = d.nextListId;
  s.nextPreventedId = d.nextPreventedId;
  s.updateId = d.updateId;
  s.lastT = d.lastT;
  s.window.load(d.buckets);
  const packed = d.clientIds;
  const ids: string[] = [];
  if (packed !== undefined) unpackStrings(packed.text, packed.lengths, (cid) => ids.push(cid));
  let next = 0; // the next of `ids` (version 4: account by account)
  for (const sad of d.symbolAccounts) {
    const acct = accounts.get(sad.accountId);
    if (acct === undefined) throw new Error(`engine state: account ${sad.accountId} is missing`);
    const sa = s.account(acct);
    sa.prevented.push(...sad.prevented);
    [sa.firstOrder, sa.lastOrder, sa.orderCount] = sad.orders;
    [sa.firstTrade, sa.lastTrade, sa.tradeCount] = sad.trades;
    if (packed !== undefined && packed.accounts === undefined) {
      const orders = packed.orders;
      for (let end = next + (sad.clientIdCount ?? 0); next < end; next++)
        sa.byClientId.set(ids[next] as string, orders[next] as number);
    } else if (packed === undefined) {
      const orders = sad.clientIdOrders ?? new Float64Array(0);
      (sad.clientIds ?? []).forEach((cid, i) => sa.byClientId.set(cid, orders[i] as number));
    }
  }
  if (packed?.accounts !== undefined) {
    const { accounts: owners, orders } = packed;
    for (let i = 0; i < ids.length; i++) {
      const sa = s.accounts.get(owners[i] as number);
      if (sa === undefined) throw new Error(`engine state: ${s.c.name} has no account ${owners[i]}`);
      sa.byClientId.set(ids[i] as string, orders[i] as number);
    }
    s.table.indexLog.loaded(packed as PackedIndex);
  }
}

/** Lists, trails, pegs, amendments, stops and the history (after the orders are in the table). */
export function importSymbolRest(d: SymbolDataBase, s: SymbolState): void {
  for (const l of d.lists) importList(l, s);
  for (const t of d.trails ?? []) {
    const trail: Trail = { ...t };
    s.trails.set(trail.orderId, trail);
    if (s.table.has(trail.orderId, PRESENT | HISTORY)) new Order(s.table, trail.orderId).trail = trail;
  }
  for (const p of d.pegs ?? []) {
    const peg: Peg = { ...p };
    s.pegs.set(peg.orderId, peg);
    if (s.table.has(peg.orderId, PRESENT | HISTORY)) new Order(s.table, peg.orderId).peg = peg;
  }
  for (const a of d.amendments ?? []) {
    let history = s.amendments.get(a.orderId);
    if (history === undefined) s.amendments.set(a.orderId, (history = []));
    history.push({ ...a });
  }
  for (const id of d.stops) s.stops.push(orderAt(s, id));
  s.trailing = s.stops.filter((o) => o.trail !== null).length;
  s.orderChains = new Chains(d.orderChains);
  s.tradeChains = new Chains(d.tradeChains);
  if (d.tradeArchive !== null) s.tradeArchive = new TradeArchive(s.c.name, s.c.base, s.c.quote, d.tradeArchive);
  if (d.referencePrice !== undefined) s.referencePrice?.importState(d.referencePrice);
  if (d.sor !== undefined) s.sor?.importState(d.sor);
  if (d.blockTrades !== undefined) s.blockTrades.push(...d.blockTrades);
  if (d.status !== undefined) s.status = d.status;
}

export function orderAt(s: SymbolState, id: number): Order {
  const o = s.order(id);
  if (o === undefined) throw new Error(`engine state: order ${s.c.name}#${id} is missing`);
  return o;
}

function importList(d: ListState, s: SymbolState): void {
  const legs = d.legs.map((id) => orderAt(s, id));
  const list = new OrderList(s.c.name, d.orderListId, d.listClientOrderId, d.accountId, legs, d.time, d.kind ?? 'OCO');
  list.status = d.status;
  list.updateTime = d.updateTime;
  list.received = d.received ?? 0n;
  list.updated = d.updated ?? false;
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

function importSide(data: Float64Array, side: BookSide): void {
  for (let i = 0; i < data.length; i += 6) {
    const l = new Level(data[i] as number, side.isBid);
    l.qty = data[i + 1] as number;
    l.total = data[i + 2] as number;
    l.count = data[i + 3] as number;
    l.head = data[i + 4] as number;
    l.tail = data[i + 5] as number;
    side.levels.push(l);
    side.byPrice.set(l.price, l);
  }
}
