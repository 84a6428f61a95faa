/**
 * The order rules that read nothing but what they are given: which order types take a price, a
 * time in force, an iceberg; the errors of failed rules; parameter parsing; the PRICE_FILTER,
 * LOT_SIZE and ICEBERG_PARTS checks; stop triggers; peg instructions and the level a peg points at;
 * what OTO / OPO lists require; the liquidity a taker can reach.
 */
import {
  EngineMessage,
  Err,
  ErrorCode,
  ErrorMessage,
  type OrderType,
  type PegPriceType,
  type Side,
  type TimeInForce,
} from '@binance-sandbox/protocol';
import type { BookSide, Level } from './book.js';
import { BAD, notionalUnits, OVERFLOW, parseUnits, parseUnitsBig, safeInt, TOO_PRECISE } from './decimal.js';
import type { CompiledFilter, CompiledSymbol, LotRule } from './symbol.js';
import type { SymbolState } from './symbol-state.js';
import type { LegParam, OtoLeg, PlaceOrderCommand } from './types.js';

export const STOP_TYPES: ReadonlySet<OrderType> = new Set([
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
]);
export const PRICED_TYPES: ReadonlySet<OrderType> = new Set([
  'LIMIT',
  'LIMIT_MAKER',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT_LIMIT',
]);
export const TIF_TYPES: ReadonlySet<OrderType> = new Set(['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
export const ICEBERG_TYPES: ReadonlySet<OrderType> = PRICED_TYPES;

export interface PegSpec {
  readonly priceType: PegPriceType;
  /** Price levels deeper than the best; −1: none given. */
  readonly offset: number;
}

export const fail = (name: string) => Err.of(ErrorCode.INVALID_MESSAGE, `Filter failure: ${name}`);
export const rejected = (msg: string) => Err.of(ErrorCode.NEW_ORDER_REJECTED, msg);
export const amendRejected = (msg: string) => Err.of(ErrorCode.ORDER_AMEND_REJECTED, msg);

/** The working order of an OTO / OTOCO: LIMIT or LIMIT_MAKER, on a symbol that allows OTO. */
export function checkWorkingOrder(c: CompiledSymbol, working: OtoLeg): void {
  if (!c.def.otoAllowed) throw rejected('OTO orders are not supported for this symbol.');
  if (working.type !== 'LIMIT' && working.type !== 'LIMIT_MAKER')
    throw Err.of(ErrorCode.UNKNOWN_ORDER_COMPOSITION, 'Unsupported order combination.');
}

/** A command's peg instructions, checked (null: not pegged). */
export function pegSpec(
  c: CompiledSymbol,
  cmd: PlaceOrderCommand,
  tif: TimeInForce,
  n: (p: LegParam) => string,
): PegSpec | null {
  const priceType = cmd.pegPriceType;
  if (priceType === undefined) {
    if (cmd.pegOffsetType !== undefined || cmd.pegOffsetValue !== undefined)
      throw Err.mandatoryParam(n('pegPriceType'));
    return null;
  }
  if (!c.def.pegInstructionsAllowed) throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.PEGGED_NOT_SUPPORTED);
  const type = cmd.type;
  if (!PRICED_TYPES.has(type)) throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.PEG_NOT_ALLOWED_FOR_TYPE);
  // a post-only order cannot peg to the other side; a LIMIT at its own side's best only rests (GTC)
  if (
    (type === 'LIMIT_MAKER' && priceType === 'MARKET_PEG') ||
    (type === 'LIMIT' && priceType === 'PRIMARY_PEG' && tif !== 'GTC')
  )
    throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.PEG_TYPE_NOT_ALLOWED);
  if ((cmd.pegOffsetType === undefined) !== (cmd.pegOffsetValue === undefined))
    throw Err.mustBothBeSent(n('pegOffsetType'), n('pegOffsetValue'));
  const offset = cmd.pegOffsetValue ?? -1;
  if (offset > 100) throw Err.greaterThan(n('pegOffsetValue'), 100);
  return { priceType, offset };
}

/**
 * The price level a peg points at, in ticks: the best of the order's own side (PRIMARY_PEG) or of
 * the other side (MARKET_PEG), `offset` levels deeper; −1 when the book has no such level.
 */
export function pegTicks(s: SymbolState, isBuy: boolean, peg: PegSpec): number {
  const side = (peg.priceType === 'PRIMARY_PEG') === isBuy ? s.bids : s.asks;
  const levels = side.levels;
  const i = levels.length - 1 - Math.max(0, peg.offset);
  return i >= 0 ? (levels[i] as Level).price : -1;
}

/** OPO / OPOCO: allowed on the symbol, the working order buys and the pending order(s) sell. */
export function checkPaidList(c: CompiledSymbol, working: OtoLeg, pendingSide: Side): void {
  if (!c.def.opoAllowed) throw rejected(EngineMessage.OPO_NOT_SUPPORTED);
  if (working.side !== 'BUY') throw Err.of(ErrorCode.OPO_WORKING_MUST_BE_BUY, ErrorMessage.OPO_WORKING_MUST_BE_BUY);
  if (pendingSide !== 'SELL') throw Err.of(ErrorCode.OPO_PENDING_MUST_BE_SELL, ErrorMessage.OPO_PENDING_MUST_BE_SELL);
}

/** A decimal parameter as exact units (bigint): -1102 when malformed, -1111 when too precise. */
export function bigAmount(s: string, name: string, decimals: number): bigint {
  const v = parseUnitsBig(s, decimals);
  if (v === BAD) throw Err.mandatoryParam(name);
  if (v === TOO_PRECISE) throw Err.badPrecision(name);
  return v;
}

export function num(s: string, name: string, decimals: number): number {
  const v = parseUnits(s, decimals);
  if (v >= 0) return v;
  if (v === TOO_PRECISE) throw Err.badPrecision(name);
  if (v === OVERFLOW) throw Err.paramOverflow(name);
  throw Err.mandatoryParam(name);
}

/** ICEBERG_PARTS: more parts than the filter's limit. */
export function icebergPartsFail(
  f: Extract<CompiledFilter, { kind: 'ICEBERG_PARTS' }>,
  qtyS: number,
  iceS: number,
): boolean {
  return iceS > 0 && Number.isInteger(iceS) && Math.ceil(qtyS / iceS) > f.limit;
}

export function priceOk(f: Extract<CompiledFilter, { kind: 'PRICE_FILTER' }>, t: number): boolean {
  if (!Number.isInteger(t)) return false;
  if (f.minT > 0 && t < f.minT) return false;
  if (f.maxT > 0 && t > f.maxT) return false;
  return true;
}

export function lotOk(f: LotRule, s: number): boolean {
  if (!Number.isInteger(s)) return false;
  if (f.minS > 0 && s < f.minS) return false;
  if (f.maxS > 0 && s > f.maxS) return false;
  if (f.stepS > 1 && s % f.stepS !== 0) return false;
  return true;
}

/** Does a stop of this type/side trigger at last price `lastT`? */
export function triggers(type: OrderType, isBuy: boolean, stopT: number, lastT: number): boolean {
  if (lastT < 0) return false;
  const stopLoss = type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
  // above the market: STOP_LOSS BUY, TAKE_PROFIT SELL; below: STOP_LOSS SELL, TAKE_PROFIT BUY
  return stopLoss === isBuy ? lastT >= stopT : lastT <= stopT;
}

/**
 * Liquidity available to a taker: walks `side` from the best level while prices are acceptable
 * (limitT < 0: any), up to `maxS` steps and (budget ≥ 0) a quote budget. Hidden iceberg quantity
 * counts. Returns the steps reachable and their cost in quote units.
 */
export function walk(
  c: CompiledSymbol,
  side: BookSide,
  limitT: number,
  maxS: number,
  budget: bigint,
): { steps: number; cost: bigint } {
  const a = side.levels;
  let steps = 0;
  let cost = 0n;
  for (let i = a.length - 1; i >= 0 && steps < maxS; i--) {
    const l = a[i] as Level;
    if (limitT >= 0 && (side.isBid ? l.price < limitT : l.price > limitT)) break;
    let take = l.total < maxS - steps ? l.total : maxS - steps;
    let n = notionalUnits(l.price, take, c.fn, c.fd);
    if (budget >= 0n && cost + n > budget) {
      take = safeInt(((budget - cost) * BigInt(c.fd)) / (BigInt(l.price) * BigInt(c.fn)));
      if (take > l.total) take = l.total;
      n = notionalUnits(l.price, take, c.fn, c.fd);
      steps += take;
      cost += n;
      break;
    }
    steps += take;
    cost += n;
  }
  return { steps, cost };
}

export function unsupportedTypeMessage(type: OrderType): string {
  switch (type) {
    case 'MARKET':
      return EngineMessage.MARKET_ORDERS_NOT_SUPPORTED;
    case 'STOP_LOSS':
      return EngineMessage.STOP_LOSS_NOT_SUPPORTED;
    case 'STOP_LOSS_LIMIT':
      return EngineMessage.STOP_LOSS_LIMIT_NOT_SUPPORTED;
    case 'TAKE_PROFIT':
      return EngineMessage.TAKE_PROFIT_NOT_SUPPORTED;
    case 'TAKE_PROFIT_LIMIT':
      return EngineMessage.TAKE_PROFIT_LIMIT_NOT_SUPPORTED;
    default:
      return EngineMessage.UNSUPPORTED_ORDER_COMBINATION;
  }
}
