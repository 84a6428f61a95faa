/**
 * Reads engine snapshots of version 2, where open orders and list legs travel as one numeric table
 * (table.ts) and closed orders as the separate history archive (order-archive.ts): they are written
 * into the order table as rows, so that state taken by an earlier build restores the same.
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
import type { SymbolAccount } from './account.js';
import type { Draft } from './validate-order.js';
import type { SymbolState } from './symbol-state.js';
import { OrderArchive, type OrderArchiveState } from './order-archive.js';
import type { Order } from './order.js';
import { HISTORY, PRESENT } from './order-row.js';
import {
  importSymbolAccounts,
  importSymbolRest,
  orderAt,
  type EngineInternals,
  type SymbolDataBase,
} from './snapshot.js';
import { Dictionary, type NumberTable, TableReader } from './table.js';

export interface SymbolDataV2 extends SymbolDataBase {
  /** Open orders and order-list legs. */
  readonly orders: NumberTable;
  /** Their client order ids, concatenated, and their lengths. */
  readonly clientOrderIds: string;
  readonly clientOrderIdLengths: Uint32Array;
  /** Enum strings of the order table. */
  readonly words: readonly string[];
  /** Per level, best last: price, visible qty, total qty, n, then n orderIds in queue order. */
  readonly bids: Float64Array;
  readonly asks: Float64Array;
  /** Closed orders (retained history only). */
  readonly archive: OrderArchiveState | null;
}

/**
 * The Draft of a restored order (its row is then completed from the snapshot): never a trail or peg
 * here (restored from SymbolData.trails / pegs), nothing to reserve (the balances come as they are).
 */
function restoredDraft(
  s: SymbolState,
  fields: Omit<Draft, 'trailingDelta' | 'peg' | 'pegged' | 'symbol' | 'clientOrderId' | 'lock' | 'lockN'>,
): Draft {
  return {
    ...fields,
    trailingDelta: 0,
    peg: null,
    pegged: false,
    symbol: s.c.name,
    clientOrderId: undefined,
    lock: 0n,
    lockN: 0,
  };
}

/** The SymbolAccount of a restored order's account. */
function accountOf(s: SymbolState, accountId: number): SymbolAccount {
  const sa = s.accounts.get(accountId);
  if (sa === undefined) throw new Error(`engine state: order of unknown account ${accountId}`);
  return sa;
}

export function importSymbolV2(d: SymbolDataV2, s: SymbolState, x: EngineInternals): void {
  importSymbolAccounts(d, s, x.accounts);
  importOrders(d, s);
  if (d.archive !== null) importArchive(new OrderArchive(s.c.name, x.seed, d.archive), d.nextOrderId, s);
  importSide(d.bids, s.bids, s);
  importSide(d.asks, s.asks, s);
  importSymbolRest(d, s);
}

/** Closed orders of the archive become history rows of the order table. */
function importArchive(a: OrderArchive, rows: number, s: SymbolState): void {
  for (let id = 1; id < rows; id++) {
    if (!a.has(id)) continue;
    const v = a.view(id);
    const sa = accountOf(s, v.accountId);
    const type = v.type;
    const isStop = type !== 'LIMIT' && type !== 'LIMIT_MAKER' && type !== 'MARKET';
    const cidSeq = a.numberOf('cidSeq', id);
    const draft = restoredDraft(s, {
      accountId: v.accountId,
      side: v.side,
      type,
      timeInForce: v.timeInForce,
      price: v.price,
      origQty: v.origQty,
      origQuoteOrderQty: v.origQuoteOrderQty,
      stopPrice: v.stopPrice,
      icebergQty: v.icebergQty,
      selfTradePreventionMode: v.selfTradePreventionMode,
      strategyId: v.strategyId,
      strategyType: v.strategyType,
      time: v.time,
      isStop,
      isMarket: type === 'MARKET' || type === 'STOP_LOSS' || type === 'TAKE_PROFIT',
      priceT: v.price / s.c.pUnit,
      stopT: v.stopPrice / s.c.pUnit,
      qtyS: 0,
      icebergS: v.icebergQty / s.c.qUnit,
    });
    const o = s.table.insert(draft, id, -1, cidSeq > 0 ? null : v.clientOrderId, sa, cidSeq);
    o.execS = v.executedQty / s.c.qUnit;
    const cum = v.cumQuote;
    if (cum <= BigInt(Number.MAX_SAFE_INTEGER)) o.cumN = Number(cum);
    else o.cumB = cum;
    o.status = v.status;
    o.open = false;
    o.isWorking = v.isWorking;
    o.workingTime = v.workingTime;
    o.updateTime = v.updateTime;
    o.preventedS = v.preventedQty / s.c.qUnit;
    o.preventedMatchId = v.preventedMatchId;
    o.expiryReason = v.expiryReason;
    const t = s.table;
    t.flags[id] = ((t.flags[id] as number) & ~PRESENT) | HISTORY;
  }
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
const OPEN = 1;
const WORKING = 2;
const STOP = 4;
const MARKET = 8;

function importOrders(d: SymbolDataV2, s: SymbolState): void {
  const r = new TableReader(d.orders);
  const dict = new Dictionary(d.words);
  const optional = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);
  let cidAt = 0;
  for (let i = 0; i < d.orders.rows; i++) {
    const cidEnd = cidAt + (d.clientOrderIdLengths[i] as number);
    const clientOrderId = d.clientOrderIds.slice(cidAt, cidEnd);
    cidAt = cidEnd;
    const accountId = r.num(i, C.accountId);
    const sa = accountOf(s, accountId);
    const flags = r.num(i, C.flags);
    const draft = restoredDraft(s, {
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
      isStop: (flags & STOP) !== 0,
      isMarket: (flags & MARKET) !== 0,
      priceT: r.num(i, C.priceT),
      stopT: r.num(i, C.stopT),
      qtyS: r.num(i, C.remS),
      icebergS: r.num(i, C.icebergS),
    });
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
