/**
 * Validation of a new order into a Draft, nothing changed yet: parameters, filters, engine rules, balance.
 */

import {
  EngineMessage,
  Err,
  ErrorCode,
  type ExchangeFilter,
  type SelfTradePreventionMode,
  type Side,
  type TimeInForce,
} from '@binance-sandbox/protocol';
import { BookSide } from './book.js';
import { ceilTimes, floorTimes, notionalNum, notionalUnits, parseUnits, UNIT_N } from './decimal.js';
import { freeBelow } from './account-store.js';
import { Account, type SymbolAccount } from './account.js';
import { Order } from './order.js';
import { BUY } from './order-row.js';
import {
  bigAmount,
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
import { type CompiledFilter } from './symbol.js';
import { isOpen, SymbolState } from './symbol-state.js';
import {
  type AccountId,
  type LegParam,
  type LegParamNames,
  type OrderSpec,
  type Peg,
  type PlaceOrderCommand,
} from './types.js';
import type { EngineCore } from './engine-core.js';

/** Whether a priced order (a buyer's when `isBuy`) at `priceT` would match `opp`'s best level at once. */
export function wouldTake(opp: BookSide, isBuy: boolean, priceT: number): boolean {
  const best = opp.best();
  return best !== undefined && (isBuy ? best.price <= priceT : best.price >= priceT);
}

/** What `prepare` is told of the order's context (a single order, a list leg, an SOR order). */
export interface PrepareOptions {
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
export interface ExchangeLimits {
  readonly orders: number;
  readonly algo: number;
  readonly iceberg: number;
  readonly lists: number;
}

export function exchangeLimits(filters: readonly ExchangeFilter[]): ExchangeLimits {
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
export interface Draft extends Pick<
  OrderSpec,
  | 'symbol'
  | 'accountId'
  | 'side'
  | 'type'
  | 'timeInForce'
  | 'price'
  | 'origQty'
  | 'origQuoteOrderQty'
  | 'stopPrice'
  | 'icebergQty'
  | 'selfTradePreventionMode'
  | 'strategyId'
  | 'strategyType'
  | 'time'
> {
  /** Client-given (undefined: one is generated when the order is accepted). */
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
export class LimitDraft implements Draft {
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

/**
 * The common case of `prepare` — a plain LIMIT order that passes everything — checked against
 * the symbol's flattened filters with integer arithmetic only (no BigInt below 2^53). Returns
 * null whenever anything is unusual or fails: `prepare` then decides, with its exact error.
 */
export function fastLimit(
  core: EngineCore,
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
  if (cid !== undefined && (cid.length === 0 || sa === undefined || isOpen(core.byCid(s, cmd.accountId, sa, cid))))
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
  const maxOrders = core.limits.orders;
  if (maxOrders !== Infinity && (acct ? acct.openOrders : 0) + 1 > maxOrders) return null;
  const isBuy = cmd.side === 'BUY';
  const pct = c.fPercent;
  for (let i = 0; i < pct.length; i++) if (!percentOk(core, s, i, cmd.now, priceU, isBuy)) return null;
  const need = isBuy ? n : qtyU;
  if (need > 0) {
    if (sa !== undefined) {
      if (freeBelow(core.store.b, isBuy ? sa.quoteRow : sa.baseRow, need)) return null;
    } else {
      const bal = acct?.balances.get(isBuy ? c.quote : c.base);
      if (bal === undefined || bal.freeBelow(need)) return null;
    }
  }
  const d = core.limitDraft;
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
function percentOk(core: EngineCore, s: SymbolState, i: number, now: number, priceU: number, isBuy: boolean): boolean {
  const f = s.c.fPercent[i] as Extract<CompiledFilter, { kind: 'PERCENT_PRICE' | 'PERCENT_PRICE_BY_SIDE' }>;
  const ref = core.filterPrice(s, f.mins, now);
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
export function prepare(
  core: EngineCore,
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
          if (priced && priceT > 0 && percentFails(core, s, f, priceU, isBuy, cmd.now))
            throw fail(percentName(core, f));
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
            notionalFails(core, s, f, { isMarket, isStop, priceT, stopT }, qtyS, quoteMode ? quoteBudget : -1n, cmd.now)
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
          if (isBuy && !quantityLater && positionWith(s, acct, sa, qtyS) > f.max) throw fail('MAX_POSITION');
          break;
      }
    }
  };
  checkFilters(pegT >= 0 ? pegT * pUnit : priceU, limitT);
  if (pegT >= 0 && priceU > 0) {
    const failed = limitPriceFailure(core, s, { isBuy, isStop, stopT }, priceT, qtyS, cmd.now);
    if (failed !== null) throw fail(failed);
  }
  // the exchange filters, over all the account's symbols
  const x = core.limits;
  if ((acct ? acct.openOrders : 0) + newOrders > x.orders) throw fail('EXCHANGE_MAX_NUM_ORDERS');
  if (isStop && (acct ? acct.algo : 0) + 1 > x.algo) throw fail('EXCHANGE_MAX_NUM_ALGO_ORDERS');
  if (iceU > 0 && (acct ? acct.iceberg : 0) + 1 > x.iceberg) throw fail('EXCHANGE_MAX_NUM_ICEBERG_ORDERS');
  if (inList && (acct ? acct.openLists : 0) + 1 > x.lists) throw fail('EXCHANGE_MAX_NUM_ORDER_LISTS');
  // the asset filters: the most of an asset one order may move
  if (s.assetCapped && !quantityLater) {
    const baseCap = core.assetCaps.get(c.base);
    if (baseCap !== undefined && BigInt(qtyS) * BigInt(qUnit) > baseCap) throw fail('MAX_ASSET');
    const quoteCap = core.assetCaps.get(c.quote);
    if (quoteCap !== undefined) {
      // a market order's notional at the average price (unknown before the first trade: not checked)
      let notional = -1n;
      if (quoteMode) notional = quoteBudget;
      else if (priced && limitT > 0) notional = notionalUnits(limitT, qtyS, c.fn, c.fd);
      else if (isMarket) {
        const avg = core.filterPrice(s, c.maxAvgPriceMins, cmd.now);
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
    if (isOpen(core.byCid(s, cmd.accountId, sa, cid))) throw rejected(EngineMessage.DUPLICATE_ORDER);
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
function positionWith(s: SymbolState, acct: Account | undefined, sa: SymbolAccount | undefined, qtyS: number): bigint {
  const b = acct?.balances.get(s.c.base);
  let steps = qtyS;
  const t = s.table;
  for (let id = sa ? sa.head : 0; id !== 0; id = t.aNext[id] as number)
    if (((t.flags[id] as number) & BUY) !== 0) steps += t.remS[id] as number;
  return (b ? b.free + b.locked : 0n) + BigInt(steps) * BigInt(s.c.qUnit);
}

/** PERCENT_PRICE(_BY_SIDE) at `priceU` (units) against the reference price (none yet: passes). */
function percentFails(
  core: EngineCore,
  s: SymbolState,
  f: Extract<CompiledFilter, { kind: 'PERCENT_PRICE' | 'PERCENT_PRICE_BY_SIDE' }>,
  priceU: number,
  isBuy: boolean,
  now: number,
): boolean {
  const ref = core.filterPrice(s, f.mins, now);
  if (ref < 0) return false;
  // the same exact bounds as percentOk's (ceil of ref·down, floor of ref·up)
  return (
    priceU < ceilTimes(ref, isBuy ? f.fr.bidDown : f.fr.askDown) ||
    priceU > floorTimes(ref, isBuy ? f.fr.bidUp : f.fr.askUp)
  );
}

function percentName(
  core: EngineCore,
  f: Extract<CompiledFilter, { kind: 'PERCENT_PRICE' | 'PERCENT_PRICE_BY_SIDE' }>,
): string {
  return f.kind === 'PERCENT_PRICE' ? 'PERCENT_PRICE' : core.bySideName;
}

/**
 * Pegs an order that enters the book now (a triggered stop-limit, a pending order going live): its
 * price from the book, then the price filters at it (faqs/pegged_orders.md: revalidated then).
 * False when the book has no such level or a filter fails (the order then expires).
 */
export function pegNow(core: EngineCore, s: SymbolState, o: Order): boolean {
  const peg = o.peg as Peg;
  const t = pegTicks(s, o.isBuy, peg);
  if (t < 0) return false;
  if (limitPriceFailure(core, s, o, t, o.remS, core.now) !== null) return false;
  o.priceT = t;
  peg.peggedPrice = t * s.c.pUnit;
  return true;
}

/**
 * The filters a limit price must pass (PRICE_FILTER, PERCENT_PRICE(_BY_SIDE), NOTIONAL /
 * MIN_NOTIONAL), in the symbol's order: the name of the first that fails at `priceT` ticks, else null.
 */
function limitPriceFailure(
  core: EngineCore,
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
      percentFails(core, s, f, priceT * c.pUnit, o.isBuy, now)
    )
      return percentName(core, f);
    if (
      (f.kind === 'NOTIONAL' || f.kind === 'MIN_NOTIONAL') &&
      notionalFails(core, s, f, { isMarket: false, isStop: o.isStop, priceT, stopT: o.stopT }, qtyS, -1n, now)
    )
      return f.kind;
  }
  return null;
}

/**
 * NOTIONAL / MIN_NOTIONAL: a priced order's price × quantity; a market order's (where the filter
 * applies to market orders) quote budget, or its stop price, else the reference price, × quantity.
 */
export function notionalFails(
  core: EngineCore,
  s: SymbolState,
  f: Extract<CompiledFilter, { kind: 'NOTIONAL' | 'MIN_NOTIONAL' }>,
  o: { readonly isMarket: boolean; readonly isStop: boolean; readonly priceT: number; readonly stopT: number },
  qtyS: number,
  quoteBudget: bigint,
  now: number = core.now,
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
        const ref = core.filterPrice(s, f.mins, now);
        if (ref < 0) return false;
        pT = Math.floor(ref / c.pUnit);
      }
      n = notionalUnits(pT, qtyS, c.fn, c.fd);
    }
  }
  return (checkMin && n < f.min) || (checkMax && n > f.max);
}

/**
 * POST /api/v3/order/test: the checks of placeOrder (parameters, filters, engine rules) without
 * changing anything. `checkBalance` false skips the balance check (Binance's test endpoint never
 * reaches the matching engine, where balances live).
 */
export function testOrder(core: EngineCore, cmd: PlaceOrderCommand, checkBalance = false): void {
  const s = core.sym(cmd.symbol);
  prepare(core, s, cmd, core.accounts.get(cmd.accountId), s.accounts.get(cmd.accountId), {
    newOrders: 1,
    sharedLock: !checkBalance,
  });
}
