/**
 * Order lists: POST /api/v3/orderList/oco (and the deprecated /order/oco), /orderList/oto, /otoco,
 * /opo and /opoco; DELETE /api/v3/orderList; GET /api/v3/orderList, /openOrderList, /allOrderList.
 */
import {
  ApiError,
  Err,
  ErrorCode,
  type OrderType,
  type SelfTradePreventionMode,
  type Side,
  type TimeInForce,
} from '@binance-sandbox/protocol';
import type { ApiCall, EndpointImpl } from '../../context.js';
import {
  ackResponse,
  cancelResponse,
  orderListResponse,
  resultResponse,
  type LegParamNames,
  type OcoLeg,
  type OrderListView,
  type OtoLeg,
  type PlaceOpocoCommand,
} from '../../engine/index.js';
import { accountOf, int, limitOf, pegOf, refundOrders, respTypeOf, str, symbolOf, timeWindow } from './params.js';

type LegPrefix = 'above' | 'below' | 'working' | 'pending' | 'pendingAbove' | 'pendingBelow';

/** The request's names of a leg's parameters: `<prefix>Price`, …; the quantity as the list names it. */
function prefixedNames(prefix: LegPrefix, quantity: string): LegParamNames {
  return {
    price: `${prefix}Price`,
    stopPrice: `${prefix}StopPrice`,
    timeInForce: `${prefix}TimeInForce`,
    icebergQty: `${prefix}IcebergQty`,
    trailingDelta: `${prefix}TrailingDelta`,
    pegPriceType: `${prefix}PegPriceType`,
    pegOffsetType: `${prefix}PegOffsetType`,
    pegOffsetValue: `${prefix}PegOffsetValue`,
    quantity,
  };
}

/** An order of a list from its `<prefix>Type`, `Price`, `StopPrice`, `TimeInForce`, client id, …. */
function leg(call: ApiCall, prefix: LegPrefix, quantity: string): OcoLeg {
  const p = call.params;
  const names = prefixedNames(prefix, quantity);
  const price = str(p, names.price as string);
  const stopPrice = str(p, names.stopPrice as string);
  const tif = str(p, names.timeInForce as string);
  return withLegParams(call, prefix, {
    type: str(p, `${prefix}Type`) as OrderType,
    ...(price !== undefined ? { price } : {}),
    ...(stopPrice !== undefined ? { stopPrice } : {}),
    ...(tif !== undefined ? { timeInForce: tif as TimeInForce } : {}),
    ...pegOf(p, prefix),
    names,
  });
}

/** `base` plus the leg's `<prefix>ClientOrderId`, `<prefix>IcebergQty` and `<prefix>Strategy…`. */
function withLegParams(call: ApiCall, prefix: string, base: OcoLeg): OcoLeg {
  const p = call.params;
  const out: { -readonly [K in keyof OcoLeg]: OcoLeg[K] } = { ...base };
  const clientOrderId = str(p, `${prefix}ClientOrderId`);
  if (clientOrderId !== undefined) out.clientOrderId = clientOrderId;
  const icebergQty = str(p, base.names?.icebergQty ?? `${prefix}IcebergQty`);
  if (icebergQty !== undefined) out.icebergQty = icebergQty;
  const strategyId = int(p, `${prefix}StrategyId`);
  if (strategyId !== undefined) out.strategyId = strategyId;
  const strategyType = int(p, `${prefix}StrategyType`);
  if (strategyType !== undefined) out.strategyType = strategyType;
  const trailingDelta = int(p, base.names?.trailingDelta ?? `${prefix}TrailingDelta`);
  if (trailingDelta !== undefined) out.trailingDelta = trailingDelta;
  return out;
}

/** The type of the list's last listStatus (placement, a leg's client order id changed, done). */
const statusType = (l: OrderListView) =>
  l.status === 'ALL_DONE' ? 'ALL_DONE' : l.updated ? 'UPDATED' : 'EXEC_STARTED';

/** POST /api/v3/orderList/oco — adds 2 to the unfilled order count when accepted. */
export const placeOco: EndpointImpl = (call) =>
  submitOco(call, () => ({ above: leg(call, 'above', 'quantity'), below: leg(call, 'below', 'quantity') }));

/**
 * POST /api/v3/order/oco (deprecated, still what many bots send): a LIMIT_MAKER leg at `price` and a
 * STOP_LOSS leg at `stopPrice` (STOP_LOSS_LIMIT with `stopLimitPrice`), placed as the OCO list of
 * the new endpoint — the limit leg above for a SELL, below for a BUY.
 */
export const placeLegacyOco: EndpointImpl = (call) =>
  submitOco(call, () => {
    const p = call.params;
    const stopLimitPrice = str(p, 'stopLimitPrice');
    const stopTif = str(p, 'stopLimitTimeInForce');
    if (stopLimitPrice !== undefined && stopTif === undefined) throw Err.mandatoryParam('stopLimitTimeInForce');
    if (stopLimitPrice === undefined && stopTif !== undefined) throw Err.paramNotRequired('stopLimitTimeInForce');
    const limitLeg = withLegParams(call, 'limit', {
      type: 'LIMIT_MAKER',
      price: str(p, 'price') as string,
      names: LEGACY_LIMIT_LEG,
    });
    const stopPrice = str(p, 'stopPrice');
    const stopLeg = withLegParams(call, 'stop', {
      type: stopLimitPrice === undefined ? 'STOP_LOSS' : 'STOP_LOSS_LIMIT',
      ...(stopPrice !== undefined ? { stopPrice } : {}),
      ...(stopLimitPrice !== undefined ? { price: stopLimitPrice, timeInForce: stopTif as TimeInForce } : {}),
      names: LEGACY_STOP_LEG,
    });
    return str(p, 'side') === 'SELL' ? { above: limitLeg, below: stopLeg } : { above: stopLeg, below: limitLeg };
  });

/** The parameters of the deprecated order/oco's legs. */
const LEGACY_LIMIT_LEG: LegParamNames = { icebergQty: 'limitIcebergQty' };
const LEGACY_STOP_LEG: LegParamNames = {
  price: 'stopLimitPrice',
  timeInForce: 'stopLimitTimeInForce',
  icebergQty: 'stopIcebergQty',
  trailingDelta: 'trailingDelta',
};

/** One order of an OTO: a list order with its own side and quantity. */
function otoLeg(call: ApiCall, prefix: 'working' | 'pending'): OtoLeg {
  return { ...opoPendingLeg(call, prefix), quantity: str(call.params, `${prefix}Quantity`) as string };
}

/** An OPO's pending order: side, no quantity (it sells what the working order buys). */
function opoPendingLeg(call: ApiCall, prefix: 'working' | 'pending'): OcoLeg & { side: Side } {
  return { ...leg(call, prefix, `${prefix}Quantity`), side: str(call.params, `${prefix}Side`) as Side };
}

/** POST /api/v3/orderList/oto — a working order and a pending one; adds 2 to the unfilled order count. */
export const placeOto: EndpointImpl = (call) =>
  submitList(call, (head) =>
    call.ctx.exchange.submit(
      'placeOto',
      { ...head, working: otoLeg(call, 'working'), pending: otoLeg(call, 'pending') },
      (r) => listAnswer(call, r.list),
    ),
  );

/** An OTOCO / OPOCO without its pending quantity: the working order and the pending pair. */
function workingAndPair(call: ApiCall, head: ListHead): PlaceOpocoCommand {
  return {
    ...head,
    working: otoLeg(call, 'working'),
    pendingSide: str(call.params, 'pendingSide') as Side,
    pendingAbove: leg(call, 'pendingAbove', 'pendingQuantity'),
    pendingBelow: leg(call, 'pendingBelow', 'pendingQuantity'),
  };
}

/** POST /api/v3/orderList/otoco — a working order and a pending OCO pair; adds 3 to the unfilled order count. */
export const placeOtoco: EndpointImpl = (call) =>
  submitList(call, (head) => {
    const pendingQuantity = str(call.params, 'pendingQuantity') as string;
    return call.ctx.exchange.submit('placeOtoco', { ...workingAndPair(call, head), pendingQuantity }, (r) =>
      listAnswer(call, r.list),
    );
  });

/** POST /api/v3/orderList/opo — a working BUY that pays a pending SELL; adds 2 to the unfilled order count. */
export const placeOpo: EndpointImpl = (call) =>
  submitList(call, (head) =>
    call.ctx.exchange.submit(
      'placeOpo',
      { ...head, working: otoLeg(call, 'working'), pending: opoPendingLeg(call, 'pending') },
      (r) => listAnswer(call, r.list),
    ),
  );

/** POST /api/v3/orderList/opoco — a working BUY that pays a pending OCO pair; adds 3 to the unfilled order count. */
export const placeOpoco: EndpointImpl = (call) =>
  submitList(call, (head) => {
    return call.ctx.exchange.submit('placeOpoco', workingAndPair(call, head), (r) => listAnswer(call, r.list));
  });

function submitOco(call: ApiCall, legs: () => { above: OcoLeg; below: OcoLeg }): Promise<unknown> {
  return submitList(call, (head) => {
    const p = call.params;
    return call.ctx.exchange.submit(
      'placeOco',
      { ...head, side: str(p, 'side') as Side, quantity: str(p, 'quantity') as string, ...legs() },
      (r) => listAnswer(call, r.list),
    );
  });
}

/** What every list placement shares: account, symbol, time, list client id, STP mode. */
interface ListHead {
  readonly now: number;
  readonly accountId: number;
  readonly symbol: string;
  readonly listClientOrderId?: string;
  readonly selfTradePreventionMode?: SelfTradePreventionMode;
}

/** Places a list; a refused one adds nothing to the unfilled order count. */
async function submitList(call: ApiCall, place: (head: ListHead) => Promise<unknown>): Promise<unknown> {
  try {
    const p = call.params;
    const listClientOrderId = str(p, 'listClientOrderId');
    const stp = str(p, 'selfTradePreventionMode');
    return await place({
      now: call.now,
      accountId: accountOf(call),
      symbol: symbolOf(call),
      ...(listClientOrderId !== undefined ? { listClientOrderId } : {}),
      ...(stp !== undefined ? { selfTradePreventionMode: stp as SelfTradePreventionMode } : {}),
    });
  } catch (err) {
    if (err instanceof ApiError) await refundOrders(call, call.endpoint.unfilledOrderCount ?? 2);
    throw err;
  }
}

/** The placement answer: the list with each order as ACK or RESULT. */
function listAnswer(call: ApiCall, list: OrderListView) {
  const ack = respTypeOf(call.params) === 'ACK';
  return orderListResponse(list, statusType(list), call.now, (o) =>
    ack ? ackResponse(o, call.now) : resultResponse(o, call.now),
  );
}

/** DELETE /api/v3/orderList — by orderListId or listClientOrderId. */
export const cancelOrderList: EndpointImpl = async (call) => {
  const symbol = symbolOf(call);
  const p = call.params;
  const orderListId = int(p, 'orderListId');
  const listClientOrderId = str(p, 'listClientOrderId');
  const newClientOrderId = str(p, 'newClientOrderId');
  return call.ctx.exchange.submit(
    'cancelOrderList',
    {
      now: call.now,
      accountId: accountOf(call),
      symbol,
      ...(orderListId !== undefined ? { orderListId } : {}),
      ...(listClientOrderId !== undefined ? { listClientOrderId } : {}),
      ...(newClientOrderId !== undefined ? { newClientOrderId } : {}),
    },
    (r) => orderListResponse(r.list, 'ALL_DONE', call.now, (o) => cancelResponse(o, r.cancelClientOrderId, call.now)),
  );
};

/** The query shape: the placement shape without orderReports; transactionTime = last update. */
function listStatusJson(l: OrderListView) {
  const { orderReports: _reports, ...rest } = orderListResponse(l, statusType(l), l.updateTime, () => ({}));
  return rest;
}

function allLists(call: ApiCall): OrderListView[] {
  const engine = call.ctx.exchange.engine;
  const id = accountOf(call);
  return engine
    .symbolNames()
    .flatMap((s) => engine.orderLists(id, s))
    .sort((a, b) => a.time - b.time || a.orderListId - b.orderListId);
}

/** GET /api/v3/orderList — by orderListId or origClientOrderId (the list's client id); -2011 unknown. */
export const queryOrderList: EndpointImpl = (call) => {
  const p = call.params;
  const orderListId = int(p, 'orderListId');
  const clientId = str(p, 'origClientOrderId');
  if (orderListId === undefined && clientId === undefined) throw Err.eitherParam('orderListId', 'origClientOrderId');
  const found = allLists(call)
    .reverse()
    .find(
      (l) =>
        (orderListId === undefined || l.orderListId === orderListId) &&
        (clientId === undefined || l.listClientOrderId === clientId),
    );
  if (!found) throw Err.of(ErrorCode.NO_SUCH_ORDER, 'Order list does not exist.');
  return listStatusJson(found);
};

/** GET /api/v3/openOrderList. */
export const openOrderLists: EndpointImpl = (call) =>
  allLists(call)
    .filter((l) => l.status === 'EXECUTING')
    .map(listStatusJson);

/** GET /api/v3/allOrderList — fromId (not with times) or a ≤ 24 h window; oldest first. */
export const allOrderLists: EndpointImpl = (call) => {
  const p = call.params;
  const fromId = int(p, 'fromId');
  if (fromId !== undefined && (p.startTime !== undefined || p.endTime !== undefined))
    throw Err.of(ErrorCode.OPTIONAL_PARAMS_BAD_COMBO, 'Combination of optional parameters invalid.');
  const { startTime, endTime } = timeWindow(p);
  const limit = limitOf(p);
  let lists = allLists(call);
  if (fromId !== undefined)
    return lists
      .filter((l) => l.orderListId >= fromId)
      .slice(0, limit)
      .map(listStatusJson);
  if (startTime !== undefined && endTime !== undefined) {
    lists = lists.filter((l) => l.time >= startTime && l.time <= endTime);
    return lists.slice(0, limit).map(listStatusJson);
  }
  return lists.slice(Math.max(0, lists.length - limit)).map(listStatusJson);
};
