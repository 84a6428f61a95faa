/** GET /api/v3/account, /account/commission, /myTrades, /myPreventedMatches. */
import { Err, ErrorCode } from '@binance-sandbox/protocol';
import type { EndpointImpl } from '../../context.js';
import {
  accountResponse,
  type Allocation,
  formatUnits,
  myTradeResponse,
  type PreventedMatchEvent,
} from '../../engine/index.js';
import { DISCOUNT } from './order.js';
import { accountOf, bool, DAY_MS, int, limitOf, symbolOf, timeWindow } from './params.js';

/** GET /api/v3/account — `omitZeroBalances` drops assets with free = locked = 0. */
export const account: EndpointImpl = (call) => {
  const id = accountOf(call);
  return accountResponse(call.ctx.exchange.engine.accountView(id), {
    omitZeroBalances: bool(call.params, 'omitZeroBalances') === true,
  });
};

/** GET /api/v3/account/commission — the account's rates on a symbol (no special or tax rates here). */
export const accountCommission: EndpointImpl = (call) => {
  const symbol = symbolOf(call);
  const view = call.ctx.exchange.engine.accountView(accountOf(call));
  const zero = formatUnits(0);
  return {
    symbol,
    standardCommission: {
      maker: formatUnits(view.makerRate),
      taker: formatUnits(view.takerRate),
      buyer: zero,
      seller: zero,
    },
    specialCommission: { maker: zero, taker: zero, buyer: zero, seller: zero },
    taxCommission: { maker: zero, taker: zero, buyer: zero, seller: zero },
    discount: DISCOUNT,
  };
};

const bad = () => Err.of(ErrorCode.OPTIONAL_PARAMS_BAD_COMBO, 'Combination of optional parameters invalid.');

/**
 * GET /api/v3/myTrades — allowed combinations (rest-api.md): symbol; +orderId; +startTime; +endTime;
 * +fromId; +startTime+endTime; +orderId+fromId. Anything else -1128; start–end over 24 h -1127.
 */
export const myTrades: EndpointImpl = (call) => {
  const symbol = symbolOf(call);
  const p = call.params;
  const orderId = int(p, 'orderId');
  const fromId = int(p, 'fromId');
  const hasTime = p.startTime !== undefined || p.endTime !== undefined;
  if (hasTime && (orderId !== undefined || fromId !== undefined)) throw bad();
  const window = timeWindow(p);
  return call.ctx.exchange.engine
    .myTrades(accountOf(call), symbol, {
      ...window,
      ...(orderId !== undefined ? { orderId } : {}),
      ...(fromId !== undefined ? { fromId } : {}),
      limit: limitOf(p),
    })
    .map(myTradeResponse);
};

function preventedMatchJson(m: PreventedMatchEvent) {
  return {
    symbol: m.symbol,
    preventedMatchId: m.preventedMatchId,
    takerOrderId: m.takerOrderId,
    makerSymbol: m.makerSymbol ?? m.symbol,
    makerOrderId: m.makerOrderId,
    tradeGroupId: m.tradeGroupId,
    selfTradePreventionMode: m.selfTradePreventionMode,
    price: formatUnits(m.price),
    makerPreventedQuantity: formatUnits(m.makerPreventedQuantity),
    transactTime: m.transactTime,
  };
}

/**
 * GET /api/v3/myPreventedMatches — by `preventedMatchId`, or by `orderId` (taker or maker side) with
 * optional `fromPreventedMatchId` and `limit`. Neither id → -1102; both, or fromPreventedMatchId
 * without orderId → -1128.
 */
export const myPreventedMatches: EndpointImpl = (call) => {
  const symbol = symbolOf(call);
  const p = call.params;
  const pmId = int(p, 'preventedMatchId');
  const orderId = int(p, 'orderId');
  const from = int(p, 'fromPreventedMatchId');
  if (pmId === undefined && orderId === undefined) throw Err.eitherParam('preventedMatchId', 'orderId');
  if (pmId !== undefined && (orderId !== undefined || from !== undefined)) throw bad();
  const all = call.ctx.exchange.engine.preventedMatches(accountOf(call), symbol);
  if (pmId !== undefined) return all.filter((m) => m.preventedMatchId === pmId).map(preventedMatchJson);
  return all
    .filter(
      (m) =>
        (m.takerOrderId === orderId || m.makerOrderId === orderId) &&
        (from === undefined || m.preventedMatchId >= from),
    )
    .slice(0, limitOf(p))
    .map(preventedMatchJson);
};

/** Symbol filters that limit what one account may hold or do (not the order-shape filters). */
const ACCOUNT_FILTER_TYPES: ReadonlySet<string> = new Set([
  'MAX_NUM_ORDERS',
  'MAX_NUM_ALGO_ORDERS',
  'MAX_NUM_ICEBERG_ORDERS',
  'MAX_NUM_ORDER_LISTS',
  'MAX_NUM_ORDER_AMENDS',
  'MAX_POSITION',
]);

/**
 * GET /api/v3/myFilters — the filters that apply to the account on the symbol: the exchange filters,
 * the symbol's per-account limits, and the configured MAX_ASSET filters of its base and quote assets.
 */
export const myFilters: EndpointImpl = (call) => {
  accountOf(call);
  const symbol = symbolOf(call);
  const def = call.ctx.exchange.engine.symbol(symbol).def;
  return {
    exchangeFilters: call.ctx.config.exchangeFilters,
    symbolFilters: def.filters.filter((f) => ACCOUNT_FILTER_TYPES.has(f.filterType)),
    assetFilters: call.ctx.config.assetFilters.filter((f) => f.asset === def.baseAsset || f.asset === def.quoteAsset),
  };
};

/**
 * GET /api/v3/myAllocations — allocations of SOR orders (rest-api.md combinations): symbol; +startTime
 * (oldest since); +endTime (newest until); both (within, at most 24 h apart, else -1127);
 * +fromAllocationId; +orderId; +orderId+fromAllocationId. Times with an id: -1128.
 */
export const myAllocations: EndpointImpl = (call) => {
  const symbol = symbolOf(call);
  const p = call.params;
  const orderId = int(p, 'orderId');
  const fromAllocationId = int(p, 'fromAllocationId');
  const startTime = int(p, 'startTime');
  const endTime = int(p, 'endTime');
  const hasTime = startTime !== undefined || endTime !== undefined;
  if (hasTime && (orderId !== undefined || fromAllocationId !== undefined)) throw bad();
  if (startTime !== undefined && endTime !== undefined && endTime - startTime > DAY_MS) throw Err.moreThanHours(24);
  const found = call.ctx.exchange.engine.allocations(accountOf(call), symbol, {
    ...(orderId !== undefined ? { orderId } : {}),
    ...(fromAllocationId !== undefined ? { fromAllocationId } : {}),
    ...(startTime !== undefined ? { startTime } : {}),
    ...(endTime !== undefined ? { endTime } : {}),
    limit: limitOf(p),
  });
  return found.allocations.map((a) => allocationJson(found.symbol, a));
};

function allocationJson(symbol: string, a: Allocation) {
  return {
    symbol,
    allocationId: a.allocationId,
    allocationType: 'SOR',
    orderId: a.orderId,
    orderListId: a.orderListId,
    price: formatUnits(a.price),
    qty: formatUnits(a.qty),
    quoteQty: formatUnits(a.quoteQty),
    commission: formatUnits(a.commission),
    commissionAsset: a.commissionAsset,
    time: a.time,
    isBuyer: a.isBuyer,
    isMaker: false,
    isAllocator: false,
  };
}
