/**
 * Binance wire shapes built from engine state and events (reference notes §4.4, §10.2): decimals as
 * strings with 8 decimals, field names and order as Binance sends them. Conditional fields appear
 * only when they apply.
 */
import type { NewOrderRespType } from '@binance-sandbox/protocol';
import { formatUnits as f } from './decimal.js';
import type { AccountView } from './account.js';
import type { AccountTrade, AmendResult, OrderListView } from './results.js';
import type { AccountEvent, Amendment, EngineEvent, ExecutionEvent, Fill, OrderView } from './types.js';
import { jsonString } from './json-string.js';

type Json = Record<string, unknown>;

function conditionals(o: OrderView, out: Json, opts: { iceberg: boolean; stop: boolean }): Json {
  const s = o.spec;
  if (opts.iceberg && s.icebergQty > 0) out.icebergQty = f(s.icebergQty);
  if (o.preventedMatchId >= 0) {
    out.preventedMatchId = o.preventedMatchId;
    out.preventedQuantity = f(o.preventedQty);
  }
  if (opts.stop && s.stopPrice > 0) out.stopPrice = f(s.stopPrice);
  if (s.trailingDelta) {
    out.trailingDelta = s.trailingDelta;
    out.trailingTime = o.trailingTime ?? -1;
  }
  const peg = s.peg;
  if (peg) {
    out.pegPriceType = peg.priceType;
    if (peg.offset >= 0) {
      out.pegOffsetType = 'PRICE_LEVEL';
      out.pegOffsetValue = peg.offset;
    }
    if (peg.peggedPrice > 0) out.peggedPrice = f(peg.peggedPrice);
  }
  if (s.strategyId !== undefined) out.strategyId = s.strategyId;
  if (s.strategyType !== undefined) out.strategyType = s.strategyType;
  return out;
}

export function ackResponse(o: OrderView, transactTime: number): Json {
  const s = o.spec;
  return {
    symbol: s.symbol,
    orderId: s.orderId,
    orderListId: s.orderListId,
    clientOrderId: s.clientOrderId,
    transactTime,
  };
}

export function resultResponse(o: OrderView, transactTime: number): Json {
  const s = o.spec;
  const out: Json = {
    symbol: s.symbol,
    orderId: s.orderId,
    orderListId: s.orderListId,
    clientOrderId: s.clientOrderId,
    transactTime,
    price: f(s.price),
    origQty: o.quantityPending ? undefined : f(s.origQty), // left out: an OPO pending order's is not known yet
    executedQty: f(o.executedQty),
    origQuoteOrderQty: f(s.origQuoteOrderQty),
    cummulativeQuoteQty: f(o.cumQuote),
    status: o.status,
    timeInForce: s.timeInForce,
    type: s.type,
    side: s.side,
    workingTime: o.workingTime,
    selfTradePreventionMode: s.selfTradePreventionMode,
  };
  conditionals(o, out, { iceberg: true, stop: true });
  if (o.expiryReason !== undefined && (o.status === 'EXPIRED' || o.status === 'EXPIRED_IN_MATCH'))
    out.expiryReason = o.expiryReason;
  return sorFields(o, out);
}

/** An SOR order's `workingFloor` and `usedSor` (faqs/sor_faq.md: they tell SOR orders apart). */
function sorFields(o: OrderView, out: Json): Json {
  if (o.workingFloor === undefined) return out;
  out.workingFloor = o.workingFloor;
  out.usedSor = true;
  return out;
}

export function fillJson(x: Fill): Json {
  if (x.allocId !== undefined)
    return {
      matchType: 'ONE_PARTY_TRADE_REPORT',
      price: f(x.price),
      qty: f(x.qty),
      commission: f(x.commission),
      commissionAsset: x.commissionAsset,
      tradeId: -1,
      allocId: x.allocId,
    };
  return {
    price: f(x.price),
    qty: f(x.qty),
    commission: f(x.commission),
    commissionAsset: x.commissionAsset,
    tradeId: x.tradeId,
  };
}

export function fullResponse(o: OrderView, fills: readonly Fill[], transactTime: number): Json {
  return { ...resultResponse(o, transactTime), fills: fills.map(fillJson) };
}

/** Default newOrderRespType: FULL for MARKET and LIMIT, ACK for the rest. */
export function defaultRespType(type: string): NewOrderRespType {
  return type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK';
}

export function orderResponse(
  o: OrderView,
  fills: readonly Fill[],
  respType: NewOrderRespType,
  transactTime: number,
): Json {
  return respType === 'ACK'
    ? ackResponse(o, transactTime)
    : respType === 'RESULT'
      ? resultResponse(o, transactTime)
      : fullResponse(o, fills, transactTime);
}

/**
 * `JSON.stringify(orderResponse(…))`, written directly for the usual order (no iceberg, stop, trail,
 * peg, strategy, prevented match or pending quantity): the order endpoint's answer is rendered at
 * execution on every placement, and building the object only to serialise it costs more than the
 * text. Anything unusual goes through the object. Tests hold the two byte-identical.
 */
export function orderResponseJson(
  o: OrderView,
  fills: readonly Fill[],
  respType: NewOrderRespType,
  transactTime: number,
): string {
  const s = o.spec;
  const head = `{"symbol":${jsonString(s.symbol)},"orderId":${s.orderId},"orderListId":${s.orderListId},"clientOrderId":${jsonString(s.clientOrderId)},"transactTime":${transactTime}`;
  if (respType === 'ACK') return `${head}}`;
  if (
    s.icebergQty > 0 ||
    s.stopPrice > 0 ||
    s.trailingDelta ||
    s.peg ||
    s.strategyId !== undefined ||
    s.strategyType !== undefined ||
    o.preventedMatchId >= 0 ||
    o.quantityPending ||
    o.workingFloor !== undefined
  )
    return JSON.stringify(orderResponse(o, fills, respType, transactTime));
  let out = `${head},"price":"${f(s.price)}","origQty":"${f(s.origQty)}","executedQty":"${f(o.executedQty)}","origQuoteOrderQty":"${f(s.origQuoteOrderQty)}","cummulativeQuoteQty":"${f(o.cumQuote)}","status":"${o.status}","timeInForce":"${s.timeInForce}","type":"${s.type}","side":"${s.side}","workingTime":${o.workingTime},"selfTradePreventionMode":"${s.selfTradePreventionMode}"`;
  if (o.expiryReason !== undefined && (o.status === 'EXPIRED' || o.status === 'EXPIRED_IN_MATCH'))
    out += `,"expiryReason":"${o.expiryReason}"`;
  if (respType === 'RESULT') return `${out}}`;
  out += ',"fills":[';
  for (let i = 0; i < fills.length; i++) {
    const x = fills[i] as Fill;
    out += `${i > 0 ? ',' : ''}{"price":"${f(x.price)}","qty":"${f(x.qty)}","commission":"${f(x.commission)}","commissionAsset":${jsonString(x.commissionAsset)},"tradeId":${x.tradeId}}`;
  }
  return `${out}]}`;
}

/** DELETE /api/v3/order. */
export function cancelResponse(o: OrderView, cancelClientOrderId: string, transactTime: number): Json {
  const s = o.spec;
  const out: Json = {
    symbol: s.symbol,
    origClientOrderId: s.clientOrderId,
    orderId: s.orderId,
    orderListId: s.orderListId,
    clientOrderId: cancelClientOrderId,
    transactTime,
    price: f(s.price),
    origQty: f(s.origQty),
    executedQty: f(o.executedQty),
    origQuoteOrderQty: f(s.origQuoteOrderQty),
    cummulativeQuoteQty: f(o.cumQuote),
    status: o.status,
    timeInForce: s.timeInForce,
    type: s.type,
    side: s.side,
    selfTradePreventionMode: s.selfTradePreventionMode,
  };
  return conditionals(o, out, { iceberg: true, stop: true });
}

/**
 * PUT /api/v3/order/amend/keepPriority. Binance spells this shape differently from the others:
 * `qty`, `quoteOrderQty`, `cumulativeQuoteQty`; `workingTime` only once the order has been working.
 */
export function amendResponse(r: AmendResult): Json {
  const o = r.order;
  const s = o.spec;
  const amendedOrder: Json = {
    symbol: s.symbol,
    orderId: s.orderId,
    orderListId: s.orderListId,
    origClientOrderId: r.origClientOrderId,
    clientOrderId: s.clientOrderId,
    price: f(s.price),
    qty: f(s.origQty),
    executedQty: f(o.executedQty),
    preventedQty: f(o.preventedQty),
    quoteOrderQty: f(s.origQuoteOrderQty),
    cumulativeQuoteQty: f(o.cumQuote),
    status: o.status,
    timeInForce: s.timeInForce,
    type: s.type,
    side: s.side,
  };
  if (o.workingTime >= 0) amendedOrder.workingTime = o.workingTime;
  amendedOrder.selfTradePreventionMode = s.selfTradePreventionMode;
  conditionals(o, amendedOrder, { iceberg: true, stop: true });
  const out: Json = { transactTime: r.transactTime, executionId: r.executionId, amendedOrder };
  if (r.list !== undefined) {
    const l = r.list;
    out.listStatus = {
      orderListId: l.orderListId,
      contingencyType: l.contingencyType,
      listOrderStatus: l.status,
      listClientOrderId: l.listClientOrderId,
      symbol: l.symbol,
      orders: l.orders.map((x) => ({
        symbol: x.spec.symbol,
        orderId: x.spec.orderId,
        clientOrderId: x.spec.clientOrderId,
      })),
    };
  }
  return out;
}

/** GET /api/v3/order/amendments. */
export function amendmentResponse(symbol: string, a: Amendment): Json {
  return {
    symbol,
    orderId: a.orderId,
    executionId: a.executionId,
    origClientOrderId: a.origClientOrderId,
    newClientOrderId: a.newClientOrderId,
    origQty: f(a.origQty),
    newQty: f(a.newQty),
    time: a.time,
  };
}

/** GET /api/v3/order, openOrders, allOrders. */
export function queryOrderResponse(o: OrderView): Json {
  const s = o.spec;
  const out: Json = {
    symbol: s.symbol,
    orderId: s.orderId,
    orderListId: s.orderListId,
    clientOrderId: s.clientOrderId,
    price: f(s.price),
    origQty: o.quantityPending ? undefined : f(s.origQty),
    executedQty: f(o.executedQty),
    cummulativeQuoteQty: f(o.cumQuote),
    status: o.status,
    timeInForce: s.timeInForce,
    type: s.type,
    side: s.side,
    stopPrice: f(s.stopPrice),
    icebergQty: f(s.icebergQty),
    time: s.time,
    updateTime: o.updateTime,
    isWorking: o.isWorking,
    workingTime: o.workingTime,
    origQuoteOrderQty: f(s.origQuoteOrderQty),
    selfTradePreventionMode: s.selfTradePreventionMode,
  };
  conditionals(o, out, { iceberg: false, stop: false });
  if (o.expiryReason !== undefined) out.expiryReason = o.expiryReason;
  return sorFields(o, out);
}

/** Order-list placement / cancel response. `reports` shapes each order (RESULT or cancel shape). */
export function orderListResponse(
  l: OrderListView,
  listStatusType: 'EXEC_STARTED' | 'UPDATED' | 'ALL_DONE' | 'RESPONSE',
  transactionTime: number,
  report: (o: OrderView) => Json,
): Json {
  return {
    orderListId: l.orderListId,
    contingencyType: l.contingencyType,
    listStatusType,
    listOrderStatus: l.status,
    listClientOrderId: l.listClientOrderId,
    transactionTime,
    symbol: l.symbol,
    orders: l.orders.map((o) => ({
      symbol: o.spec.symbol,
      orderId: o.spec.orderId,
      clientOrderId: o.spec.clientOrderId,
    })),
    orderReports: l.orders.map(report),
  };
}

/** GET /api/v3/account. Commission rates in Binance's two renderings (bps integers and decimals). */
export function accountResponse(a: AccountView, opts: { omitZeroBalances?: boolean } = {}): Json {
  const bps = (r: bigint) => Number(r / 10000n);
  return {
    makerCommission: bps(a.makerRate),
    takerCommission: bps(a.takerRate),
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: f(a.makerRate), taker: f(a.takerRate), buyer: f(0), seller: f(0) },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: a.updateTime,
    accountType: 'SPOT',
    balances: a.balances
      .filter((b) => !opts.omitZeroBalances || b.free !== 0n || b.locked !== 0n)
      .map((b) => ({ asset: b.asset, free: f(b.free), locked: f(b.locked) })),
    permissions: ['SPOT'],
    uid: a.accountId,
  };
}

/** GET /api/v3/myTrades entry. */
export function myTradeResponse(t: AccountTrade): Json {
  const x = t.trade;
  const isMaker = t.isBuyer === x.isBuyerMaker;
  return {
    symbol: x.symbol,
    id: x.tradeId,
    orderId: t.isBuyer ? x.buyerOrderId : x.sellerOrderId,
    orderListId: t.isBuyer ? x.buyerOrderListId : x.sellerOrderListId,
    price: f(x.price),
    qty: f(x.qty),
    quoteQty: f(x.quoteQty),
    commission: f(t.isBuyer ? x.buyerCommission : x.sellerCommission),
    commissionAsset: t.isBuyer ? x.baseAsset : x.quoteAsset,
    time: x.time,
    isBuyer: t.isBuyer,
    isMaker,
    isBestMatch: true,
  };
}

export function depthResponse(b: { lastUpdateId: number; bids: [number, number][]; asks: [number, number][] }): Json {
  return {
    lastUpdateId: b.lastUpdateId,
    bids: b.bids.map(([p, q]) => [f(p), f(q)]),
    asks: b.asks.map(([p, q]) => [f(p), f(q)]),
  };
}

/** User-data `executionReport` payload. */
export function executionReport(e: ExecutionEvent, eventTime: number = e.transactTime): Json {
  const s = e.order;
  const out: Json = {
    e: 'executionReport',
    E: eventTime,
    s: s.symbol,
    c: e.clientOrderId,
    S: s.side,
    o: s.type,
    f: s.timeInForce,
    q: f(s.origQty),
    p: f(s.price),
    P: f(s.stopPrice),
    F: f(s.icebergQty),
    g: s.orderListId,
    C: e.origClientOrderId,
    x: e.executionType,
    X: e.status,
    r: e.rejectReason,
    i: s.orderId,
    l: f(e.lastQty),
    z: f(e.cumQty),
    L: f(e.lastPrice),
    n: e.commissionAsset === null ? '0' : f(e.commission),
    N: e.commissionAsset,
    T: e.transactTime,
    t: e.tradeId,
  };
  if (e.preventedMatchId >= 0) out.v = e.preventedMatchId;
  out.I = e.executionId;
  out.w = e.isWorking;
  out.m = e.isMaker;
  out.M = false;
  out.O = s.time;
  out.Z = f(e.cumQuoteQty);
  out.Y = f(e.lastQuoteQty);
  out.Q = f(s.origQuoteOrderQty);
  if (e.workingTime >= 0) out.W = e.workingTime;
  out.V = s.selfTradePreventionMode;
  if (s.trailingDelta) {
    out.d = s.trailingDelta;
    out.D = e.trailingTime ?? -1;
  }
  const peg = s.peg;
  if (peg) {
    out.gP = peg.priceType;
    if (peg.offset >= 0) {
      out.gOT = 'PRICE_LEVEL';
      out.gOV = peg.offset;
    }
    if (e.peggedPrice !== undefined) out.gp = f(e.peggedPrice);
  }
  if (s.strategyId !== undefined) out.j = s.strategyId;
  if (s.strategyType !== undefined) out.J = s.strategyType;
  if (e.executionType === 'TRADE_PREVENTION') {
    out.A = f(e.preventedQty);
    out.B = f(e.lastPreventedQty);
    out.u = -1;
    out.U = e.counterOrderId;
    out.Cs = e.counterSymbol ?? s.symbol;
  }
  if (e.allocId !== undefined) {
    out.b = 'ONE_PARTY_TRADE_REPORT';
    out.a = e.allocId;
  }
  if (e.workingFloor !== undefined) {
    out.k = e.workingFloor;
    out.uS = true;
  }
  if (e.expiryReason !== undefined) out.eR = e.expiryReason;
  return out;
}

/** User-data `outboundAccountPosition` payload. */
export function outboundAccountPosition(e: AccountEvent, eventTime: number = e.time): Json {
  return {
    e: 'outboundAccountPosition',
    E: eventTime,
    u: e.time,
    B: e.balances.map((b) => ({ a: b.asset, f: f(b.free), l: f(b.locked) })),
  };
}

/** Any event as plain JSON (bigints as exact decimal strings; the order spec inlined). */
export function renderEvent(e: EngineEvent): Json {
  return JSON.parse(JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? f(v) : v))) as Json;
}
