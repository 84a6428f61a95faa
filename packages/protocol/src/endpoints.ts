/**
 * The declarative table of every /api/v3 REST endpoint (reference notes §4.1–4.6): method, path,
 * security, weight, unfilled order count, parameters. Server and client are both generated from it.
 */
import {
  CANCEL_REPLACE_MODES,
  CANCEL_RESTRICTIONS,
  KLINE_INTERVALS,
  NEW_ORDER_RESP_TYPES,
  ORDER_RATE_LIMIT_EXCEEDED_MODES,
  ORDER_TYPES,
  PEG_OFFSET_TYPES,
  PEG_PRICE_TYPES,
  PERMISSIONS,
  SELF_TRADE_PREVENTION_MODES,
  SIDES,
  SYMBOL_STATUS_FILTERS,
  TICKER_TYPES,
  TICKER_WINDOW_SIZES,
  TIME_IN_FORCES,
} from './enums.js';
import { ErrorCode } from './errors.js';
import type { EndpointSpec, HttpMethod, ParamSpec, ParamType, RawParams, WeightRule } from './types.js';

// ---- weight rules ------------------------------------------------------------------------------
// They read RAW parameters (weight is charged before validation), so they must survive anything:
// absent, empty, malformed, or (from the WS API) non-string values. Anything unreadable counts as absent.

function param(raw: RawParams, name: string): unknown {
  if (raw === null || typeof raw !== 'object' || !Object.prototype.hasOwnProperty.call(raw, name)) return undefined;
  const value: unknown = (raw as Record<string, unknown>)[name];
  return value === null || value === '' ? undefined : value;
}

const has = (raw: RawParams, name: string) => param(raw, name) !== undefined;

/** Entries of a JSON-array parameter (`symbols=["A","B"]`), or undefined when absent, empty or malformed. */
function listLength(raw: RawParams, name: string): number | undefined {
  let value = param(raw, name);
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return Array.isArray(value) && value.length > 0 ? value.length : undefined;
}

/** A positive integer parameter, or undefined. */
function positiveInt(raw: RawParams, name: string): number | undefined {
  const value = param(raw, name);
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 ? n : undefined;
}

function isTrue(raw: RawParams, name: string): boolean {
  const value = param(raw, name);
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** depth: by `limit` (default 100; above 5000 served as 5000). */
export function depthWeight(raw: RawParams): number {
  const limit = positiveInt(raw, 'limit') ?? 100;
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

/** ticker/24hr: symbol 2; symbols 1–20: 2, 21–100: 40, 101+: 80; neither: 80. */
export function ticker24hrWeight(raw: RawParams): number {
  if (has(raw, 'symbol')) return 2;
  const n = listLength(raw, 'symbols');
  if (n === undefined) return 80;
  if (n <= 20) return 2;
  if (n <= 100) return 40;
  return 80;
}

/** ticker/price and ticker/bookTicker: symbol 2; symbols or neither 4. */
export function priceTickerWeight(raw: RawParams): number {
  return has(raw, 'symbol') ? 2 : 4;
}

/** ticker and ticker/tradingDay: 4 per symbol, capped at 200 (reached above 50 symbols). Neither sent
 * (an error) is charged as one symbol. */
export function perSymbolTickerWeight(raw: RawParams): number {
  if (has(raw, 'symbol')) return 4;
  return Math.min(4 * (listLength(raw, 'symbols') ?? 1), 200);
}

/** executionRules: symbol 2; symbols 2 each capped at 40; symbolStatus or nothing 40. */
export function executionRulesWeight(raw: RawParams): number {
  if (has(raw, 'symbol')) return 2;
  const n = listLength(raw, 'symbols');
  return n === undefined ? 40 : Math.min(2 * n, 40);
}

/** order/test and sor/order/test: 1, or 20 with computeCommissionRates=true. */
export function testOrderWeight(raw: RawParams): number {
  return isTrue(raw, 'computeCommissionRates') ? 20 : 1;
}

/** openOrders: 6 for one symbol, 80 for all. */
export function openOrdersWeight(raw: RawParams): number {
  return has(raw, 'symbol') ? 6 : 80;
}

/** myTrades: 5 with orderId, else 20. */
export function myTradesWeight(raw: RawParams): number {
  return has(raw, 'orderId') ? 5 : 20;
}

/** myPreventedMatches: 2 by preventedMatchId, 20 by orderId. Binance also charges 2 for an invalid
 * symbol, which raw parameters cannot tell; any other combination (an error) is charged 2. */
export function myPreventedMatchesWeight(raw: RawParams): number {
  return !has(raw, 'preventedMatchId') && has(raw, 'orderId') ? 20 : 2;
}

// ---- parameter builders ------------------------------------------------------------------------

const req = (name: string, type: ParamType): ParamSpec => ({ name, type, required: true });
const opt = (name: string, type: ParamType): ParamSpec => ({ name, type });
const oneOf = (name: string, values: readonly string[], enumErrorCode?: number, required = false): ParamSpec => ({
  name,
  type: 'ENUM',
  values,
  ...(required ? { required: true } : {}),
  ...(enumErrorCode === undefined ? {} : { enumErrorCode }),
});

const SYMBOL = req('symbol', 'SYMBOL');
const SYMBOL_OPT = opt('symbol', 'SYMBOL');
const SYMBOLS_OPT = opt('symbols', 'SYMBOLS');
const SYMBOL_STATUS = oneOf('symbolStatus', SYMBOL_STATUS_FILTERS, ErrorCode.INVALID_SYMBOLSTATUS);
const TICKER_TYPE = oneOf('type', TICKER_TYPES, ErrorCode.INVALID_TICKER_TYPE);
const LIMIT = opt('limit', 'INT');
const START_TIME = opt('startTime', 'LONG');
const END_TIME = opt('endTime', 'LONG');
const TIME_ZONE = opt('timeZone', 'STRING');
const RESP_TYPE = oneOf('newOrderRespType', NEW_ORDER_RESP_TYPES);
const STP_MODE = oneOf('selfTradePreventionMode', SELF_TRADE_PREVENTION_MODES);
const CANCEL_RESTRICTION = oneOf('cancelRestrictions', CANCEL_RESTRICTIONS, ErrorCode.INVALID_CANCEL_RESTRICTIONS);
const COMPUTE_COMMISSION_RATES = opt('computeCommissionRates', 'BOOLEAN');

/** SIGNED (TRADE / USER_DATA) endpoints: `signature` is transport and handled by security, not listed. */
const SIGNED: readonly ParamSpec[] = [opt('recvWindow', 'DECIMAL'), req('timestamp', 'LONG')];

const side = (name: string, required = true) => oneOf(name, SIDES, ErrorCode.INVALID_SIDE, required);
/** Order-type params accept every ORDER_TYPES value here; per-endpoint subsets (OCO legs, working
 * orders, SOR) are business rules checked by the handler (enums.ts exports the subsets). */
const orderType = (name: string, required = true) => oneOf(name, ORDER_TYPES, ErrorCode.INVALID_ORDER_TYPE, required);
const timeInForce = (name: string) => oneOf(name, TIME_IN_FORCES, ErrorCode.INVALID_TIF);

/** Fields of one order inside an order request; `prefix` + capitalised field name ("workingPrice"). */
type LegField =
  | 'Type'
  | 'Side'
  | 'ClientOrderId'
  | 'Price'
  | 'Quantity'
  | 'StopPrice'
  | 'TrailingDelta'
  | 'IcebergQty'
  | 'TimeInForce'
  | 'StrategyId'
  | 'StrategyType'
  | 'PegPriceType'
  | 'PegOffsetType'
  | 'PegOffsetValue';

function legParam(prefix: string, field: LegField, required: boolean): ParamSpec {
  const name = prefix + field;
  const plain = (type: ParamType): ParamSpec => (required ? req(name, type) : opt(name, type));
  switch (field) {
    case 'Type':
      return orderType(name, required);
    case 'Side':
      return side(name, required);
    case 'TimeInForce':
      return timeInForce(name);
    case 'PegPriceType':
      return oneOf(name, PEG_PRICE_TYPES, ErrorCode.INVALID_PEG_PRICE_TYPE, required);
    case 'PegOffsetType':
      return oneOf(name, PEG_OFFSET_TYPES, ErrorCode.INVALID_PEG_OFFSET_TYPE, required);
    case 'ClientOrderId':
      return plain('CLIENT_ORDER_ID');
    case 'StrategyId':
      return plain('LONG');
    case 'StrategyType':
    case 'PegOffsetValue':
      return plain('INT');
    // The docs type some leg trailing deltas as DECIMAL and OCO iceberg quantities as LONG; both are
    // slips (a trailing delta is integer BIPS, an iceberg quantity is a decimal), normalised here.
    case 'TrailingDelta':
      return plain('LONG');
    case 'Price':
    case 'Quantity':
    case 'StopPrice':
    case 'IcebergQty':
      return plain('DECIMAL');
  }
}

const LEG_FIELDS: readonly LegField[] = [
  'Type',
  'Side',
  'ClientOrderId',
  'Price',
  'Quantity',
  'StopPrice',
  'TrailingDelta',
  'IcebergQty',
  'TimeInForce',
  'StrategyId',
  'StrategyType',
  'PegPriceType',
  'PegOffsetType',
  'PegOffsetValue',
];

/** Every leg field except `omit`, those in `required` marked mandatory. */
function leg(prefix: string, required: readonly LegField[], omit: readonly LegField[] = []): ParamSpec[] {
  return LEG_FIELDS.filter((f) => !omit.includes(f)).map((f) => legParam(prefix, f, required.includes(f)));
}

/** POST /api/v3/order parameters (§4.3), without the SIGNED pair. */
const NEW_ORDER: readonly ParamSpec[] = [
  SYMBOL,
  side('side'),
  orderType('type'),
  timeInForce('timeInForce'),
  opt('quantity', 'DECIMAL'),
  opt('quoteOrderQty', 'DECIMAL'),
  opt('price', 'DECIMAL'),
  opt('newClientOrderId', 'CLIENT_ORDER_ID'),
  opt('strategyId', 'LONG'),
  opt('strategyType', 'INT'),
  opt('stopPrice', 'DECIMAL'),
  opt('trailingDelta', 'LONG'),
  opt('icebergQty', 'DECIMAL'),
  RESP_TYPE,
  STP_MODE,
  oneOf('pegPriceType', PEG_PRICE_TYPES, ErrorCode.INVALID_PEG_PRICE_TYPE),
  opt('pegOffsetValue', 'INT'),
  oneOf('pegOffsetType', PEG_OFFSET_TYPES, ErrorCode.INVALID_PEG_OFFSET_TYPE),
];

const SOR_ORDER: readonly ParamSpec[] = [
  SYMBOL,
  side('side'),
  orderType('type'),
  timeInForce('timeInForce'),
  req('quantity', 'DECIMAL'),
  opt('price', 'DECIMAL'),
  opt('newClientOrderId', 'CLIENT_ORDER_ID'),
  opt('strategyId', 'LONG'),
  opt('strategyType', 'INT'),
  opt('icebergQty', 'DECIMAL'),
  RESP_TYPE,
  STP_MODE,
];

const LIST_HEAD: readonly ParamSpec[] = [SYMBOL, opt('listClientOrderId', 'CLIENT_ORDER_ID'), RESP_TYPE, STP_MODE];
const WORKING = leg('working', ['Type', 'Side', 'Price', 'Quantity'], ['StopPrice', 'TrailingDelta']);
/** The above/below pair of an OCO (legs share the list's side and quantity). */
const ocoPair = (above: string, below: string, belowTypeRequired: boolean): ParamSpec[] => [
  ...leg(above, ['Type'], ['Side', 'Quantity']),
  ...leg(below, belowTypeRequired ? ['Type'] : [], ['Side', 'Quantity']),
];

// ---- the table ---------------------------------------------------------------------------------

interface Row {
  id: string;
  method: HttpMethod;
  path: string;
  weight: WeightRule;
  params?: readonly ParamSpec[];
  unfilledOrderCount?: number;
  orderEntry?: true;
  marketDataOnly?: true;
  description: string;
}

const API = '/api/v3';
const pub = (r: Row): EndpointSpec => ({ security: 'NONE', params: [], ...r, path: API + r.path });
const trade = (r: Row): EndpointSpec => ({
  security: 'TRADE',
  ...r,
  path: API + r.path,
  params: [...(r.params ?? []), ...SIGNED],
});
const userData = (r: Row): EndpointSpec => ({
  security: 'USER_DATA',
  ...r,
  path: API + r.path,
  params: [...(r.params ?? []), ...SIGNED],
});
const userStream = (r: Row): EndpointSpec => ({ security: 'USER_STREAM', params: [], ...r, path: API + r.path });

const GENERAL_AND_MARKET: readonly EndpointSpec[] = [
  pub({ id: 'ping', method: 'GET', path: '/ping', weight: 1, marketDataOnly: true, description: 'Test connectivity.' }),
  pub({
    id: 'time',
    method: 'GET',
    path: '/time',
    weight: 1,
    marketDataOnly: true,
    description: 'Current server time.',
  }),
  pub({
    id: 'exchangeInfo',
    method: 'GET',
    path: '/exchangeInfo',
    weight: 20,
    marketDataOnly: true,
    params: [
      SYMBOL_OPT,
      SYMBOLS_OPT,
      { name: 'permissions', type: 'STRING_ARRAY', values: PERMISSIONS },
      opt('showPermissionSets', 'BOOLEAN'),
      SYMBOL_STATUS,
    ],
    description: 'Trading rules, rate limits and symbol information.',
  }),
  pub({
    id: 'executionRules',
    method: 'GET',
    path: '/executionRules',
    weight: executionRulesWeight,
    params: [SYMBOL_OPT, SYMBOLS_OPT, SYMBOL_STATUS],
    description: 'Execution rules (PRICE_RANGE) of one, several or all symbols.',
  }),
  pub({
    id: 'depth',
    method: 'GET',
    path: '/depth',
    weight: depthWeight,
    marketDataOnly: true,
    params: [SYMBOL, LIMIT, SYMBOL_STATUS],
    description: 'Order book snapshot.',
  }),
  pub({
    id: 'trades.recent',
    method: 'GET',
    path: '/trades',
    weight: 25,
    marketDataOnly: true,
    params: [SYMBOL, LIMIT],
    description: 'Recent trades.',
  }),
  pub({
    id: 'trades.historical',
    method: 'GET',
    path: '/historicalTrades',
    weight: 25,
    params: [SYMBOL, LIMIT, opt('fromId', 'LONG')],
    description: 'Older trades, from a trade id.',
  }),
  pub({
    id: 'blockTrades.historical',
    method: 'GET',
    path: '/historicalBlockTrades',
    weight: 25,
    params: [SYMBOL, req('fromId', 'LONG'), LIMIT],
    description: 'Block trades, from a block trade id.',
  }),
  pub({
    id: 'trades.aggregate',
    method: 'GET',
    path: '/aggTrades',
    weight: 4,
    marketDataOnly: true,
    params: [SYMBOL, opt('fromId', 'LONG'), START_TIME, END_TIME, LIMIT],
    description: 'Compressed, aggregate trades.',
  }),
  pub({
    id: 'klines',
    method: 'GET',
    path: '/klines',
    weight: 2,
    marketDataOnly: true,
    params: [
      SYMBOL,
      oneOf('interval', KLINE_INTERVALS, ErrorCode.BAD_INTERVAL, true),
      START_TIME,
      END_TIME,
      TIME_ZONE,
      LIMIT,
    ],
    description: 'Kline/candlestick bars.',
  }),
  pub({
    id: 'uiKlines',
    method: 'GET',
    path: '/uiKlines',
    weight: 2,
    marketDataOnly: true,
    params: [
      SYMBOL,
      oneOf('interval', KLINE_INTERVALS, ErrorCode.BAD_INTERVAL, true),
      START_TIME,
      END_TIME,
      TIME_ZONE,
      LIMIT,
    ],
    description: 'Kline bars optimised for presentation.',
  }),
  pub({
    id: 'avgPrice',
    method: 'GET',
    path: '/avgPrice',
    weight: 2,
    marketDataOnly: true,
    params: [SYMBOL],
    description: 'Current average price.',
  }),
  pub({
    id: 'ticker.24hr',
    method: 'GET',
    path: '/ticker/24hr',
    weight: ticker24hrWeight,
    marketDataOnly: true,
    params: [SYMBOL_OPT, SYMBOLS_OPT, TICKER_TYPE, SYMBOL_STATUS],
    description: '24-hour rolling window price change statistics.',
  }),
  pub({
    id: 'ticker.tradingDay',
    method: 'GET',
    path: '/ticker/tradingDay',
    weight: perSymbolTickerWeight,
    // One of symbol / symbols is mandatory: a combination rule, checked by the handler.
    params: [SYMBOL_OPT, SYMBOLS_OPT, TIME_ZONE, TICKER_TYPE, SYMBOL_STATUS],
    description: 'Price change statistics for a trading day.',
  }),
  pub({
    id: 'ticker.price',
    method: 'GET',
    path: '/ticker/price',
    weight: priceTickerWeight,
    marketDataOnly: true,
    params: [SYMBOL_OPT, SYMBOLS_OPT, SYMBOL_STATUS],
    description: 'Latest price of one, several or all symbols.',
  }),
  pub({
    id: 'ticker.book',
    method: 'GET',
    path: '/ticker/bookTicker',
    weight: priceTickerWeight,
    marketDataOnly: true,
    params: [SYMBOL_OPT, SYMBOLS_OPT, SYMBOL_STATUS],
    description: 'Best bid/ask price and quantity.',
  }),
  pub({
    id: 'ticker',
    method: 'GET',
    path: '/ticker',
    weight: perSymbolTickerWeight,
    marketDataOnly: true,
    params: [SYMBOL_OPT, SYMBOLS_OPT, oneOf('windowSize', TICKER_WINDOW_SIZES), TICKER_TYPE, SYMBOL_STATUS],
    description: 'Rolling window price change statistics.',
  }),
  pub({
    id: 'referencePrice',
    method: 'GET',
    path: '/referencePrice',
    weight: 2,
    params: [SYMBOL],
    description: 'Reference price of a symbol.',
  }),
  pub({
    id: 'referencePrice.calculation',
    method: 'GET',
    path: '/referencePrice/calculation',
    weight: 2,
    params: [SYMBOL, SYMBOL_STATUS],
    description: 'How the reference price of a symbol is calculated.',
  }),
];

const TRADING: readonly EndpointSpec[] = [
  trade({
    id: 'order.place',
    method: 'POST',
    path: '/order',
    weight: 1,
    unfilledOrderCount: 1,
    orderEntry: true,
    params: NEW_ORDER,
    description: 'Place a new order.',
  }),
  trade({
    id: 'order.test',
    method: 'POST',
    path: '/order/test',
    weight: testOrderWeight,
    params: [...NEW_ORDER, COMPUTE_COMMISSION_RATES],
    description: 'Validate a new order without sending it to the matching engine.',
  }),
  trade({
    id: 'order.cancel',
    method: 'DELETE',
    path: '/order',
    weight: 1,
    orderEntry: true,
    params: [
      SYMBOL,
      opt('orderId', 'LONG'),
      opt('origClientOrderId', 'CLIENT_ORDER_ID'),
      opt('newClientOrderId', 'CLIENT_ORDER_ID'),
      CANCEL_RESTRICTION,
    ],
    description: 'Cancel an active order.',
  }),
  trade({
    id: 'openOrders.cancelAll',
    method: 'DELETE',
    path: '/openOrders',
    weight: 1,
    orderEntry: true,
    params: [SYMBOL],
    description: 'Cancel all open orders (and order lists) on a symbol.',
  }),
  trade({
    id: 'order.cancelReplace',
    method: 'POST',
    path: '/order/cancelReplace',
    weight: 1,
    unfilledOrderCount: 1,
    orderEntry: true,
    params: [
      SYMBOL,
      side('side'),
      orderType('type'),
      oneOf('cancelReplaceMode', CANCEL_REPLACE_MODES, undefined, true),
      timeInForce('timeInForce'),
      opt('quantity', 'DECIMAL'),
      opt('quoteOrderQty', 'DECIMAL'),
      opt('price', 'DECIMAL'),
      opt('cancelNewClientOrderId', 'CLIENT_ORDER_ID'),
      opt('cancelOrigClientOrderId', 'CLIENT_ORDER_ID'),
      opt('cancelOrderId', 'LONG'),
      opt('newClientOrderId', 'CLIENT_ORDER_ID'),
      opt('strategyId', 'LONG'),
      opt('strategyType', 'INT'),
      opt('stopPrice', 'DECIMAL'),
      opt('trailingDelta', 'LONG'),
      opt('icebergQty', 'DECIMAL'),
      RESP_TYPE,
      STP_MODE,
      CANCEL_RESTRICTION,
      oneOf('orderRateLimitExceededMode', ORDER_RATE_LIMIT_EXCEEDED_MODES),
      oneOf('pegPriceType', PEG_PRICE_TYPES, ErrorCode.INVALID_PEG_PRICE_TYPE),
      opt('pegOffsetValue', 'INT'),
      oneOf('pegOffsetType', PEG_OFFSET_TYPES, ErrorCode.INVALID_PEG_OFFSET_TYPE),
    ],
    description: 'Cancel an existing order and place a new one on the same symbol.',
  }),
  trade({
    // Weight 0 on success only when the amendment expires the order (CL 2026-04-02): deferred like
    // every order entry, and charged by the handler (ApiCall.chargeWeightOnSuccess) when it did not.
    id: 'order.amend.keepPriority',
    method: 'PUT',
    path: '/order/amend/keepPriority',
    weight: 4,
    orderEntry: true,
    params: [
      SYMBOL,
      opt('orderId', 'LONG'),
      opt('origClientOrderId', 'CLIENT_ORDER_ID'),
      opt('newClientOrderId', 'CLIENT_ORDER_ID'),
      req('newQty', 'DECIMAL'),
    ],
    description: 'Reduce the quantity of an open order, keeping its priority.',
  }),
  trade({
    id: 'orderList.place',
    method: 'POST',
    path: '/order/oco',
    weight: 1,
    unfilledOrderCount: 2,
    orderEntry: true,
    params: [
      SYMBOL,
      opt('listClientOrderId', 'CLIENT_ORDER_ID'),
      side('side'),
      req('quantity', 'DECIMAL'),
      opt('limitClientOrderId', 'CLIENT_ORDER_ID'),
      req('price', 'DECIMAL'),
      opt('limitStrategyId', 'LONG'),
      opt('limitStrategyType', 'INT'),
      opt('limitIcebergQty', 'DECIMAL'),
      opt('trailingDelta', 'LONG'),
      opt('stopClientOrderId', 'CLIENT_ORDER_ID'),
      req('stopPrice', 'DECIMAL'),
      opt('stopStrategyId', 'LONG'),
      opt('stopStrategyType', 'INT'),
      opt('stopLimitPrice', 'DECIMAL'),
      opt('stopIcebergQty', 'DECIMAL'),
      timeInForce('stopLimitTimeInForce'),
      RESP_TYPE,
      STP_MODE,
    ],
    description: 'Place an OCO (deprecated).',
  }),
  trade({
    id: 'orderList.place.oco',
    method: 'POST',
    path: '/orderList/oco',
    weight: 1,
    unfilledOrderCount: 2,
    orderEntry: true,
    params: [...LIST_HEAD, side('side'), req('quantity', 'DECIMAL'), ...ocoPair('above', 'below', true)],
    description: 'Place an OCO order list (above and below orders).',
  }),
  trade({
    id: 'orderList.place.oto',
    method: 'POST',
    path: '/orderList/oto',
    weight: 1,
    unfilledOrderCount: 2,
    orderEntry: true,
    params: [...LIST_HEAD, ...WORKING, ...leg('pending', ['Type', 'Side', 'Quantity'])],
    description: 'Place an OTO order list (working + pending order).',
  }),
  trade({
    id: 'orderList.place.otoco',
    method: 'POST',
    path: '/orderList/otoco',
    weight: 1,
    unfilledOrderCount: 3,
    orderEntry: true,
    params: [
      ...LIST_HEAD,
      ...WORKING,
      side('pendingSide'),
      req('pendingQuantity', 'DECIMAL'),
      ...ocoPair('pendingAbove', 'pendingBelow', false),
    ],
    description: 'Place an OTOCO order list (working order + pending OCO pair).',
  }),
  trade({
    id: 'orderList.place.opo',
    method: 'POST',
    path: '/orderList/opo',
    weight: 1,
    unfilledOrderCount: 2,
    orderEntry: true,
    // OPO: the pending quantity is what the working order receives, so there is no pendingQuantity.
    params: [...LIST_HEAD, ...WORKING, ...leg('pending', ['Type', 'Side'], ['Quantity'])],
    description: 'Place an OPO order list (working order pays the pending order).',
  }),
  trade({
    id: 'orderList.place.opoco',
    method: 'POST',
    path: '/orderList/opoco',
    weight: 1,
    unfilledOrderCount: 3,
    orderEntry: true,
    params: [...LIST_HEAD, ...WORKING, side('pendingSide'), ...ocoPair('pendingAbove', 'pendingBelow', false)],
    description: 'Place an OPOCO order list (working order pays a pending OCO pair).',
  }),
  trade({
    id: 'orderList.cancel',
    method: 'DELETE',
    path: '/orderList',
    weight: 1,
    orderEntry: true,
    params: [
      SYMBOL,
      opt('orderListId', 'LONG'),
      opt('listClientOrderId', 'CLIENT_ORDER_ID'),
      opt('newClientOrderId', 'CLIENT_ORDER_ID'),
    ],
    description: 'Cancel an entire order list.',
  }),
  trade({
    id: 'sor.order.place',
    method: 'POST',
    path: '/sor/order',
    weight: 1,
    unfilledOrderCount: 1,
    orderEntry: true,
    params: SOR_ORDER,
    description: 'Place an order using smart order routing (SOR).',
  }),
  trade({
    id: 'sor.order.test',
    method: 'POST',
    path: '/sor/order/test',
    weight: testOrderWeight,
    params: [...SOR_ORDER, COMPUTE_COMMISSION_RATES],
    description: 'Validate an SOR order without sending it to the matching engine.',
  }),
];

const ACCOUNT: readonly EndpointSpec[] = [
  userData({
    id: 'account.status',
    method: 'GET',
    path: '/account',
    weight: 20,
    params: [opt('omitZeroBalances', 'BOOLEAN')],
    description: 'Account information and balances.',
  }),
  userData({
    id: 'order.status',
    method: 'GET',
    path: '/order',
    weight: 4,
    params: [SYMBOL, opt('orderId', 'LONG'), opt('origClientOrderId', 'CLIENT_ORDER_ID')],
    description: "Query an order's status.",
  }),
  userData({
    id: 'openOrders.status',
    method: 'GET',
    path: '/openOrders',
    weight: openOrdersWeight,
    params: [SYMBOL_OPT],
    description: 'Open orders of one or all symbols.',
  }),
  userData({
    id: 'allOrders',
    method: 'GET',
    path: '/allOrders',
    weight: 20,
    params: [SYMBOL, opt('orderId', 'LONG'), START_TIME, END_TIME, LIMIT],
    description: 'All orders of a symbol: active, canceled or filled.',
  }),
  userData({
    id: 'orderList.status',
    method: 'GET',
    path: '/orderList',
    weight: 4,
    params: [opt('orderListId', 'LONG'), opt('origClientOrderId', 'CLIENT_ORDER_ID')],
    description: 'Query an order list.',
  }),
  userData({
    id: 'allOrderLists',
    method: 'GET',
    path: '/allOrderList',
    weight: 20,
    params: [opt('fromId', 'LONG'), START_TIME, END_TIME, LIMIT],
    description: 'All order lists.',
  }),
  userData({
    id: 'openOrderLists.status',
    method: 'GET',
    path: '/openOrderList',
    weight: 6,
    description: 'Open order lists.',
  }),
  userData({
    id: 'myTrades',
    method: 'GET',
    path: '/myTrades',
    weight: myTradesWeight,
    params: [SYMBOL, opt('orderId', 'LONG'), START_TIME, END_TIME, opt('fromId', 'LONG'), LIMIT],
    description: 'Trades of the account on a symbol.',
  }),
  userData({
    id: 'account.rateLimits.orders',
    method: 'GET',
    path: '/rateLimit/order',
    weight: 40,
    description: "The account's unfilled order count for every ORDERS interval.",
  }),
  userData({
    id: 'myPreventedMatches',
    method: 'GET',
    path: '/myPreventedMatches',
    weight: myPreventedMatchesWeight,
    params: [
      SYMBOL,
      opt('preventedMatchId', 'LONG'),
      opt('orderId', 'LONG'),
      opt('fromPreventedMatchId', 'LONG'),
      LIMIT,
    ],
    description: 'Orders expired by self-trade prevention.',
  }),
  userData({
    id: 'myAllocations',
    method: 'GET',
    path: '/myAllocations',
    weight: 20,
    // fromAllocationId: documented INT, but it is a 64-bit id like every other id.
    params: [SYMBOL, START_TIME, END_TIME, opt('fromAllocationId', 'LONG'), LIMIT, opt('orderId', 'LONG')],
    description: 'Allocations resulting from SOR order placement.',
  }),
  userData({
    id: 'account.commission',
    method: 'GET',
    path: '/account/commission',
    weight: 20,
    params: [SYMBOL],
    description: 'Commission rates of the account on a symbol.',
  }),
  userData({
    id: 'order.amendments',
    method: 'GET',
    path: '/order/amendments',
    weight: 4,
    params: [SYMBOL, req('orderId', 'LONG'), opt('fromExecutionId', 'LONG'), LIMIT],
    description: 'All amendments of one order.',
  }),
  userData({
    id: 'myFilters',
    method: 'GET',
    path: '/myFilters',
    weight: 40,
    params: [SYMBOL],
    description: 'Exchange, symbol and asset filters relevant to the account on a symbol.',
  }),
];

/** Legacy listenKey endpoints (removed from Binance 2026-02-20; kept for older clients). */
const USER_STREAM: readonly EndpointSpec[] = [
  userStream({
    id: 'userDataStream.start',
    method: 'POST',
    path: '/userDataStream',
    weight: 2,
    description: 'Start a user data stream; returns a listenKey valid for 60 minutes.',
  }),
  userStream({
    id: 'userDataStream.ping',
    method: 'PUT',
    path: '/userDataStream',
    weight: 2,
    params: [req('listenKey', 'STRING')],
    description: 'Keep a listenKey alive for another 60 minutes.',
  }),
  userStream({
    id: 'userDataStream.stop',
    method: 'DELETE',
    path: '/userDataStream',
    weight: 2,
    params: [req('listenKey', 'STRING')],
    description: 'Close a user data stream.',
  }),
];

export const ENDPOINTS: readonly EndpointSpec[] = Object.freeze([
  ...GENERAL_AND_MARKET,
  ...TRADING,
  ...ACCOUNT,
  ...USER_STREAM,
]);

const key = (method: string, path: string) => `${method} ${path}`;
const BY_ROUTE: ReadonlyMap<string, EndpointSpec> = new Map(ENDPOINTS.map((e) => [key(e.method, e.path), e]));
const BY_ID: ReadonlyMap<string, EndpointSpec> = new Map(ENDPOINTS.map((e) => [e.id, e]));

/** The endpoint served at `method path` (path without query string), if any. */
export function findEndpoint(method: string, path: string): EndpointSpec | undefined {
  return BY_ROUTE.get(key(method, path));
}

/** The endpoint with this id (= WS API method name where one exists). */
export function findEndpointById(id: string): EndpointSpec | undefined {
  return BY_ID.get(id);
}

const NO_PARAMS: RawParams = Object.freeze({});

/** Request weight of `endpoint` for these raw parameters; never throws. */
export function weightOf(endpoint: EndpointSpec, raw: RawParams): number {
  const rule = endpoint.weight;
  if (typeof rule === 'number') return rule;
  try {
    return rule(raw);
  } catch {
    return rule(NO_PARAMS); // the documented default (weight functions do not throw; belt and braces)
  }
}
