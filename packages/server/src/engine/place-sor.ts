/**
 * Smart order routing (faqs/sor_faq.md).
 */

import { EngineMessage, Err, ErrorCode, ErrorMessage, type ExecutionType } from '@binance-sandbox/protocol';
import { type Level } from './book.js';
import { notionalUnits, safeInt, UNIT_N } from './decimal.js';
import { Account, settle } from './account.js';
import { BASE_ASSET, QUOTE_ASSET } from './event-words.js';
import { Order } from './order.js';
import { type PlaceResult } from './results.js';
import { aheadOfOwn, bestWithin, SorLedger, type SorConfig, walkGroup } from './sor.js';
import { SymbolState } from './symbol-state.js';
import { type AccountId, type EngineEvent, type ExecutionEvent, type Fill, type PlaceOrderCommand } from './types.js';
import type { EngineCore } from './engine-core.js';
import { settleTriggers } from './triggers.js';
import { testOrder, prepare } from './validate-order.js';

const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);

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

/** Adds a configured SOR group (validated: one base asset, the same tick and step, one group per symbol). */
export function addSorGroup(core: EngineCore, sor: SorConfig): void {
  const states = sor.symbols.map((name) => {
    const s = core.symbols.get(name);
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
  for (const s of states) core.sorGroups.set(s.c.name, [s, ...states.filter((x) => x !== s)]);
  core.sorConfigs.push({ baseAsset: sor.baseAsset, symbols: [...sor.symbols] });
}

/**
 * POST /api/v3/sor/order: a LIMIT or MARKET order whose taker phase takes the best prices across
 * its symbol's SOR group (its own book first among equal prices). At each step the allocator, an
 * internal account, takes the best level of one book as an IOC order of its own (a real trade
 * there: makers, market data, triggers and execution rules of that book as usual); the order is
 * filled by an allocation at that price, paid and received in its own symbol's assets. A LIMIT GTC
 * remainder then rests on its own book (working floor EXCHANGE); IOC, FOK and MARKET ones expire.
 */
export function placeSorOrder(core: EngineCore, cmd: PlaceOrderCommand): PlaceResult {
  const s = core.sym(cmd.symbol);
  const group = core.sorGroups.get(s.c.name);
  if (group === undefined || s.sor === null) throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.NO_SOR);
  checkSorOrder(cmd);
  const isBuy = cmd.side === 'BUY';
  const sa = s.accounts.get(cmd.accountId);
  const acct = sa !== undefined ? sa.acct : core.accounts.get(cmd.accountId);
  const d = prepare(core, s, cmd, acct, sa, {
    newOrders: 1,
    marketCost: (qtyS) => walkGroup(group, isBuy, -1, qtyS).cost,
  });
  const floors = s.sor.floors;
  const events: EngineEvent[] = [];
  const fills: Fill[] = [];
  core.begin(cmd.now);
  const t = core.accept(s, d, -1, undefined, false, sa);
  floors.set(t.orderId, 'SOR');
  core.exec(t, 'NEW');
  events.push(...core.end(s).events);
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
        preventAcross(core, s, t, x, best, events);
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
    const got = allocatorTakes(core, x, isBuy, best.price, q, cmd.now, events);
    if (got.steps === 0) refused.add(x);
    else allocate(core, s, t, best.price, got.steps, got.quote, events, fills);
  }
  core.begin(cmd.now);
  let rests = false;
  if (t.open && t.remS > 0) {
    // a GTC order would rest across its own book, which its symbol's execution rule kept it from taking
    if (refused.has(s) && !t.isMarket && t.tif === 'GTC')
      core.expire(s, t, 'EXPIRED', 'EXECUTION_RULE_PRICE_RANGE_EXCEEDED');
    else rests = core.endTakerPhase(s, t);
  }
  events.push(...core.end(s).events);
  if (rests) floors.set(t.orderId, 'EXCHANGE');
  return { order: t, fills, events };
}

/** What POST /sor/order refuses before anything else: order types other than LIMIT and MARKET. */
function checkSorOrder(cmd: PlaceOrderCommand): void {
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
export function testSorOrder(core: EngineCore, cmd: PlaceOrderCommand): void {
  const s = core.sym(cmd.symbol);
  if (!core.sorGroups.has(s.c.name)) throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.NO_SOR);
  checkSorOrder(cmd);
  testOrder(core, cmd);
}

/**
 * The allocator's IOC order of `q` steps at `priceT` on `x` (it buys when the SOR order buys): funds
 * it is given for it, and what it got back, go to `allocatorNet`. Returns what it traded.
 */
function allocatorTakes(
  core: EngineCore,
  x: SymbolState,
  buys: boolean,
  priceT: number,
  q: number,
  now: number,
  events: EngineEvent[],
): { steps: number; quote: bigint } {
  const c = x.c;
  const a = allocatorAccount(core);
  const asset = buys ? c.quote : c.base;
  const lock = buys ? notionalUnits(priceT, q, c.fn, c.fd) : BigInt(q * c.qUnit);
  core.begin(now);
  const b = a.balance(asset);
  b.free += lock;
  core.touch(b);
  addAllocatorNet(core, asset, -lock);
  const o = core.accept(
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
  core.exec(o, 'NEW');
  core.work(x, o);
  settleTriggers(core, x);
  const got = { steps: o.execS, quote: o.cumQuote };
  for (const held of a.balances.values()) {
    settle(held);
    const v = held.free;
    if (v === 0n) continue;
    held.free = 0n;
    core.touch(held);
    addAllocatorNet(core, held.asset, v);
  }
  for (const e of core.end(x).events) if (!('accountId' in e) || e.accountId !== SOR_ALLOCATOR) events.push(e);
  return got;
}

/** Fills SOR order `t` by an allocation of `steps` at `priceT` costing `quote` (allocator on the other side). */
function allocate(
  core: EngineCore,
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
  core.begin(core.now);
  const base = t.baseBal;
  const quoteBal = t.quoteBal;
  let commission: bigint;
  if (t.isBuy) {
    commission = (qB * rate) / UNIT_N;
    quoteBal.locked -= quote;
    t.locked = t.locked - quote;
    base.free += qB - commission;
    addAllocatorNet(core, c.base, -qB);
    addAllocatorNet(core, c.quote, quote);
  } else {
    commission = (quote * rate) / UNIT_N;
    base.locked -= qB;
    t.locked = t.locked - qB;
    quoteBal.free += quote - commission;
    addAllocatorNet(core, c.base, qB);
    addAllocatorNet(core, c.quote, -quote);
  }
  const feeAsset = t.isBuy ? c.base : c.quote;
  if (commission > 0n) core.addFee(feeAsset, commission);
  core.touch(base);
  core.touch(quoteBal);
  if (t.execS === 0) core.words.firstFill(t.accountId, t.orderId);
  t.remS -= steps;
  if (t.visS > t.remS) t.visS = t.remS;
  t.execS += steps;
  t.updateTime = core.now;
  if (quote <= MAX_SAFE_N) t.addQuote(Number(quote));
  else t.cumB += quote;
  t.status = t.remS === 0 ? 'FILLED' : 'PARTIALLY_FILLED';
  if (t.remS === 0) core.close(s, t);
  const price = priceT * c.pUnit;
  core.exec(t, 'TRADE', qU, price, quote, commission, t.isBuy ? BASE_ASSET : QUOTE_ASSET, -1, false);
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
    time: core.now,
    isBuyer: t.isBuy,
  });
  fills.push({ price, qty: qU, commission, commissionAsset: feeAsset, tradeId: -1, allocId });
  appendPatched(events, core.end(s).events, t.orderId, 'TRADE', { allocId });
}

/**
 * Self-trade prevention of SOR order `t` (symbol `s`) with the account's own order first at `lvl`
 * of book `x`: the maker's part in x, the taker's in s; each report names the other's symbol (`Cs`).
 */
function preventAcross(
  core: EngineCore,
  s: SymbolState,
  t: Order,
  x: SymbolState,
  lvl: Level,
  events: EngineEvent[],
): void {
  const m = new Order(x.table, lvl.head);
  core.begin(core.now);
  const { pm, takerS, makerS } = core.preventedMatch(s, t, m, lvl.price * x.c.pUnit);
  core.preventOne(x, m, makerS, pm.preventedMatchId, t, true);
  appendPatched(events, core.end(x).events, m.orderId, 'TRADE_PREVENTION', { counterSymbol: s.c.name });
  core.begin(core.now);
  core.words.object(pm);
  core.preventOne(s, t, takerS, pm.preventedMatchId, m, false);
  appendPatched(events, core.end(s).events, t.orderId, 'TRADE_PREVENTION', { counterSymbol: x.c.name });
}

function allocatorAccount(core: EngineCore): Account {
  let a = core.accounts.get(SOR_ALLOCATOR);
  if (a === undefined) {
    a = core.account(SOR_ALLOCATOR);
    a.setRates(0n, 0n);
  }
  return a;
}

function addAllocatorNet(core: EngineCore, asset: string, d: bigint): void {
  core.allocatorNet.set(asset, (core.allocatorNet.get(asset) ?? 0n) + d);
}
