/** Binance Spot enums (enums.md, reference notes §7), as `as const` arrays with derived unions. */
import type { RateLimitInterval, RateLimitType } from './types.js';

/** Symbol trading status as shown in exchangeInfo (`CANCEL_ONLY` since 2026-07-07). */
export const SYMBOL_STATUSES = ['TRADING', 'END_OF_DAY', 'HALT', 'BREAK', 'CANCEL_ONLY'] as const;
export type SymbolStatus = (typeof SYMBOL_STATUSES)[number];

/** Values the `symbolStatus` query parameter accepts: the docs list only these three. */
export const SYMBOL_STATUS_FILTERS = ['TRADING', 'HALT', 'BREAK'] as const;
export type SymbolStatusFilter = (typeof SYMBOL_STATUS_FILTERS)[number];

export const PERMISSIONS = [
  'SPOT',
  'MARGIN',
  'LEVERAGED',
  'TRD_GRP_002',
  'TRD_GRP_003',
  'TRD_GRP_004',
  'TRD_GRP_005',
  'TRD_GRP_006',
  'TRD_GRP_007',
  'TRD_GRP_008',
  'TRD_GRP_009',
  'TRD_GRP_010',
  'TRD_GRP_011',
  'TRD_GRP_012',
  'TRD_GRP_013',
  'TRD_GRP_014',
  'TRD_GRP_015',
  'TRD_GRP_016',
  'TRD_GRP_017',
  'TRD_GRP_018',
  'TRD_GRP_019',
  'TRD_GRP_020',
  'TRD_GRP_021',
  'TRD_GRP_022',
  'TRD_GRP_023',
  'TRD_GRP_024',
  'TRD_GRP_025',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
/** Alias under the enum's plural name in enums.md ("Account and Symbol Permissions"). */
export type Permissions = Permission;

/** Permissions exchangeInfo shows by default when `permissions` is not sent. */
export const DEFAULT_EXCHANGE_INFO_PERMISSIONS = ['SPOT', 'MARGIN', 'LEVERAGED'] as const;

export const ORDER_STATUSES = [
  'NEW',
  'PENDING_NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'PENDING_CANCEL',
  'REJECTED',
  'EXPIRED',
  'EXPIRED_IN_MATCH',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const LIST_STATUS_TYPES = ['RESPONSE', 'EXEC_STARTED', 'UPDATED', 'ALL_DONE'] as const;
export type ListStatusType = (typeof LIST_STATUS_TYPES)[number];

export const LIST_ORDER_STATUSES = ['EXECUTING', 'ALL_DONE', 'REJECT'] as const;
export type ListOrderStatus = (typeof LIST_ORDER_STATUSES)[number];

/** Only OCO and OTO exist: OTOCO, OPO and OPOCO lists report `OTO` (doc response examples). */
export const CONTINGENCY_TYPES = ['OCO', 'OTO'] as const;
export type ContingencyType = (typeof CONTINGENCY_TYPES)[number];

export const ALLOCATION_TYPES = ['SOR'] as const;
export type AllocationType = (typeof ALLOCATION_TYPES)[number];

export const ORDER_TYPES = [
  'LIMIT',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/** Order-type subsets of the order-list and SOR endpoints (the table itself accepts any ORDER_TYPES value). */
export const OCO_ABOVE_TYPES = [
  'STOP_LOSS_LIMIT',
  'STOP_LOSS',
  'LIMIT_MAKER',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
] as const;
export const OCO_BELOW_TYPES = ['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const;
export const WORKING_ORDER_TYPES = ['LIMIT', 'LIMIT_MAKER'] as const;
export const SOR_ORDER_TYPES = ['LIMIT', 'MARKET'] as const;

export const NEW_ORDER_RESP_TYPES = ['ACK', 'RESULT', 'FULL'] as const;
export type NewOrderRespType = (typeof NEW_ORDER_RESP_TYPES)[number];

export const WORKING_FLOORS = ['EXCHANGE', 'SOR'] as const;
export type WorkingFloor = (typeof WORKING_FLOORS)[number];

export const SIDES = ['BUY', 'SELL'] as const;
export type Side = (typeof SIDES)[number];

export const TIME_IN_FORCES = ['GTC', 'IOC', 'FOK'] as const;
export type TimeInForce = (typeof TIME_IN_FORCES)[number];

export const RATE_LIMIT_TYPES = [
  'REQUEST_WEIGHT',
  'ORDERS',
  'RAW_REQUESTS',
] as const satisfies readonly RateLimitType[];
export const RATE_LIMIT_INTERVALS = ['SECOND', 'MINUTE', 'HOUR', 'DAY'] as const satisfies readonly RateLimitInterval[];

export const SELF_TRADE_PREVENTION_MODES = [
  'NONE',
  'EXPIRE_MAKER',
  'EXPIRE_TAKER',
  'EXPIRE_BOTH',
  'DECREMENT',
  'TRANSFER',
] as const;
export type SelfTradePreventionMode = (typeof SELF_TRADE_PREVENTION_MODES)[number];

export const EXECUTION_TYPES = [
  'NEW',
  'CANCELED',
  'REPLACED',
  'REJECTED',
  'TRADE',
  'EXPIRED',
  'TRADE_PREVENTION',
] as const;
export type ExecutionType = (typeof EXECUTION_TYPES)[number];

export const EXECUTION_RULE_TYPES = ['PRICE_RANGE'] as const;
export type ExecutionRuleType = (typeof EXECUTION_RULE_TYPES)[number];

export const EXPIRY_REASONS = [
  'NONE',
  'REJECTED',
  'EXCHANGE_CANCELED',
  'OCO_TRIGGER',
  'OTO_PHASE_ONE_EXPIRED',
  'UNFILLED_IOC_QUANTITY_EXPIRED',
  'UNFILLED_FOK_ORDER_EXPIRED',
  'INSUFFICIENT_LIQUIDITY',
  'EXECUTION_RULE_PRICE_RANGE_EXCEEDED',
] as const;
export type ExpiryReason = (typeof EXPIRY_REASONS)[number];

/** executionReport `r` (user-data-stream.md). */
export const ORDER_REJECT_REASONS = [
  'NONE',
  'INSUFFICIENT_BALANCES',
  'STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY',
  'WOULD_MATCH_IMMEDIATELY',
  'OCO_BAD_PRICES',
] as const;
export type OrderRejectReason = (typeof ORDER_REJECT_REASONS)[number];

export const CANCEL_REPLACE_MODES = ['STOP_ON_FAILURE', 'ALLOW_FAILURE'] as const;
export type CancelReplaceMode = (typeof CANCEL_REPLACE_MODES)[number];

/** cancelResult / newOrderResult of order/cancelReplace. */
export const CANCEL_REPLACE_RESULTS = ['SUCCESS', 'FAILURE', 'NOT_ATTEMPTED'] as const;
export type CancelReplaceResult = (typeof CANCEL_REPLACE_RESULTS)[number];

export const ORDER_RATE_LIMIT_EXCEEDED_MODES = ['DO_NOTHING', 'CANCEL_ONLY'] as const;
export type OrderRateLimitExceededMode = (typeof ORDER_RATE_LIMIT_EXCEEDED_MODES)[number];

export const CANCEL_RESTRICTIONS = ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'] as const;
export type CancelRestrictions = (typeof CANCEL_RESTRICTIONS)[number];

export const PEG_PRICE_TYPES = ['PRIMARY_PEG', 'MARKET_PEG'] as const;
export type PegPriceType = (typeof PEG_PRICE_TYPES)[number];

export const PEG_OFFSET_TYPES = ['PRICE_LEVEL'] as const;
export type PegOffsetType = (typeof PEG_OFFSET_TYPES)[number];

export const TICKER_TYPES = ['FULL', 'MINI'] as const;
export type TickerType = (typeof TICKER_TYPES)[number];

/** Kline intervals, case-sensitive (`1m` minute, `1M` month). */
export const KLINE_INTERVALS = [
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
] as const;
export type KlineInterval = (typeof KLINE_INTERVALS)[number];

function range(from: number, to: number, unit: string): string[] {
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(`${n}${unit}`);
  return out;
}

/** GET /api/v3/ticker `windowSize`: 1m..59m, 1h..23h, 1d..7d; units cannot be combined. */
export const TICKER_WINDOW_SIZES: readonly string[] = Object.freeze([
  ...range(1, 59, 'm'),
  ...range(1, 23, 'h'),
  ...range(1, 7, 'd'),
]);

/** Narrows a string to one of an enum's values. */
export function isEnumValue<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}
