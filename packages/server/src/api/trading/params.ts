/**
 * Typed-parameter helpers shared by the trading and account endpoints, and the translation of
 * order parameters into the engine's PlaceOrderCommand.
 */
import {
  Err,
  type NewOrderRespType,
  type OrderType,
  type PegOffsetType,
  type PegPriceType,
  type SelfTradePreventionMode,
  type Side,
  type TimeInForce,
  type ParamValue,
  type TypedParams,
} from '@binance-sandbox/protocol';
import type { ApiCall } from '../../context.js';
import type { PlaceOrderCommand } from '../../engine/index.js';

export const DAY_MS = 86_400_000;

export function str(p: TypedParams, name: string): string | undefined {
  return asString(p[name]);
}

export function int(p: TypedParams, name: string): number | undefined {
  return asInt(p[name]);
}

export function bool(p: TypedParams, name: string): boolean | undefined {
  const v = p[name];
  return typeof v === 'boolean' ? v : undefined;
}

/** The authenticated account (trading endpoints are all signed, so it is always there). */
export function accountOf(call: ApiCall): number {
  if (call.accountId === null) throw Err.unknown();
  return call.accountId;
}

/** The symbol parameter, checked against the exchange's symbols (-1121 "Invalid symbol."). */
export function symbolOf(call: ApiCall, name = 'symbol'): string {
  const symbol = str(call.params, name);
  if (symbol === undefined) throw Err.mandatoryParam(name);
  call.ctx.exchange.engine.symbol(symbol); // throws -1121 when unknown
  return symbol;
}

/** A typed parameter if it is a string (a property read of its own at each site: see placeCommand). */
function asString(v: ParamValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function asInt(v: ParamValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/**
 * The new-order parameters as the engine's command. Every parameter is read by name at its own site
 * (not through `str(p, name)`): one load site shared by every name and every params shape is
 * megamorphic, and this runs on every order.
 */
export function placeCommand(call: ApiCall, symbol: string): PlaceOrderCommand {
  const p = call.params;
  const cmd: {
    -readonly [K in keyof PlaceOrderCommand]: PlaceOrderCommand[K];
  } = {
    now: call.now,
    accountId: accountOf(call),
    symbol,
    side: asString(p['side']) as Side,
    type: asString(p['type']) as OrderType,
  };
  const tif = asString(p['timeInForce']);
  if (tif !== undefined) cmd.timeInForce = tif as TimeInForce;
  const quantity = asString(p['quantity']);
  if (quantity !== undefined) cmd.quantity = quantity;
  const quoteOrderQty = asString(p['quoteOrderQty']);
  if (quoteOrderQty !== undefined) cmd.quoteOrderQty = quoteOrderQty;
  const price = asString(p['price']);
  if (price !== undefined) cmd.price = price;
  const stopPrice = asString(p['stopPrice']);
  if (stopPrice !== undefined) cmd.stopPrice = stopPrice;
  const icebergQty = asString(p['icebergQty']);
  if (icebergQty !== undefined) cmd.icebergQty = icebergQty;
  const newClientOrderId = asString(p['newClientOrderId']);
  if (newClientOrderId !== undefined) cmd.newClientOrderId = newClientOrderId;
  const stp = asString(p['selfTradePreventionMode']);
  if (stp !== undefined) cmd.selfTradePreventionMode = stp as SelfTradePreventionMode;
  const strategyId = asInt(p['strategyId']);
  if (strategyId !== undefined) cmd.strategyId = strategyId;
  const strategyType = asInt(p['strategyType']);
  if (strategyType !== undefined) cmd.strategyType = strategyType;
  const trailingDelta = asInt(p['trailingDelta']);
  if (trailingDelta !== undefined) cmd.trailingDelta = trailingDelta;
  if (p['pegPriceType'] === undefined && p['pegOffsetType'] === undefined && p['pegOffsetValue'] === undefined)
    return cmd;
  const peg = pegOf(p, '');
  return peg === undefined ? cmd : { ...cmd, ...peg };
}

/** The peg parameters' names per prefix (`pegPriceType`, `abovePegPriceType`, …), made once. */
const PEG_NAMES = new Map<string, readonly [string, string, string]>();
function pegNames(prefix: string): readonly [string, string, string] {
  let names = PEG_NAMES.get(prefix);
  if (names === undefined) {
    const name = (n: string) => (prefix === '' ? `p${n.slice(1)}` : `${prefix}${n}`);
    names = [name('PegPriceType'), name('PegOffsetType'), name('PegOffsetValue')];
    PEG_NAMES.set(prefix, names);
  }
  return names;
}

/** The peg instructions sent as `<prefix>PegPriceType`, `…PegOffsetType`, `…PegOffsetValue` (none: undefined). */
export function pegOf(
  p: TypedParams,
  prefix: string,
): Pick<PlaceOrderCommand, 'pegPriceType' | 'pegOffsetType' | 'pegOffsetValue'> | undefined {
  const [typeName, offsetTypeName, offsetValueName] = pegNames(prefix);
  const priceType = str(p, typeName) as PegPriceType | undefined;
  const offsetType = str(p, offsetTypeName) as PegOffsetType | undefined;
  const offsetValue = int(p, offsetValueName);
  if (priceType === undefined && offsetType === undefined && offsetValue === undefined) return undefined;
  return {
    ...(priceType !== undefined ? { pegPriceType: priceType } : {}),
    ...(offsetType !== undefined ? { pegOffsetType: offsetType } : {}),
    ...(offsetValue !== undefined ? { pegOffsetValue: offsetValue } : {}),
  };
}

export function respTypeOf(p: TypedParams): NewOrderRespType | undefined {
  return str(p, 'newOrderRespType') as NewOrderRespType | undefined;
}

/**
 * startTime / endTime of the history endpoints (allOrders, myTrades): more than 24 h apart → -1127;
 * only one of them → the 24 hours after startTime / before endTime (Binance's documented windows).
 */
export function timeWindow(p: TypedParams): { startTime?: number; endTime?: number } {
  const start = int(p, 'startTime');
  const end = int(p, 'endTime');
  if (start !== undefined && end !== undefined) {
    if (end - start > DAY_MS) throw Err.moreThanHours(24);
    return { startTime: start, endTime: end };
  }
  if (start !== undefined) return { startTime: start, endTime: start + DAY_MS };
  if (end !== undefined) return { startTime: end - DAY_MS, endTime: end };
  return {};
}

/** History `limit`: default 500, at most 1000 (larger values are served as 1000). */
export function limitOf(p: TypedParams, def = 500, max = 1000): number {
  const l = int(p, 'limit');
  if (l === undefined) return def;
  return Math.min(Math.max(l, 1), max);
}

/** ORDERS refund: order-entry requests that fail add nothing to the unfilled order count. */
export async function refundOrders(call: ApiCall, n: number): Promise<void> {
  if (n <= 0 || call.accountId === null) return;
  await call.ctx.limits.adjustOrders(String(call.accountId), -n, call.now);
}
