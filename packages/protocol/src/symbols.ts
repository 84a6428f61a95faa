/**
 * Symbol definitions as exchangeInfo shows them (reference notes §4.1, §6), and the default market:
 * BTCUSDT, ETHUSDT, BNBUSDT, ETHBTC with production-like values. Decimals are strings exactly as
 * Binance renders them; counts are numbers.
 */
import type { OrderType, SelfTradePreventionMode, SymbolStatus } from './enums.js';

// ---- symbol filters (filters.md) ---------------------------------------------------------------

export interface PriceFilter {
  readonly filterType: 'PRICE_FILTER';
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly tickSize: string;
}
export interface PercentPriceFilter {
  readonly filterType: 'PERCENT_PRICE';
  readonly multiplierUp: string;
  readonly multiplierDown: string;
  readonly avgPriceMins: number;
}
export interface PercentPriceBySideFilter {
  readonly filterType: 'PERCENT_PRICE_BY_SIDE';
  readonly bidMultiplierUp: string;
  readonly bidMultiplierDown: string;
  readonly askMultiplierUp: string;
  readonly askMultiplierDown: string;
  readonly avgPriceMins: number;
}
export interface LotSizeFilter {
  readonly filterType: 'LOT_SIZE';
  readonly minQty: string;
  readonly maxQty: string;
  readonly stepSize: string;
}
export interface MinNotionalFilter {
  readonly filterType: 'MIN_NOTIONAL';
  readonly minNotional: string;
  readonly applyToMarket: boolean;
  readonly avgPriceMins: number;
}
export interface NotionalFilter {
  readonly filterType: 'NOTIONAL';
  readonly minNotional: string;
  readonly applyMinToMarket: boolean;
  readonly maxNotional: string;
  readonly applyMaxToMarket: boolean;
  readonly avgPriceMins: number;
}
export interface IcebergPartsFilter {
  readonly filterType: 'ICEBERG_PARTS';
  readonly limit: number;
}
export interface MarketLotSizeFilter {
  readonly filterType: 'MARKET_LOT_SIZE';
  readonly minQty: string;
  readonly maxQty: string;
  readonly stepSize: string;
}
export interface MaxNumOrdersFilter {
  readonly filterType: 'MAX_NUM_ORDERS';
  readonly maxNumOrders: number;
}
export interface MaxNumAlgoOrdersFilter {
  readonly filterType: 'MAX_NUM_ALGO_ORDERS';
  readonly maxNumAlgoOrders: number;
}
export interface MaxNumIcebergOrdersFilter {
  readonly filterType: 'MAX_NUM_ICEBERG_ORDERS';
  readonly maxNumIcebergOrders: number;
}
export interface MaxPositionFilter {
  readonly filterType: 'MAX_POSITION';
  readonly maxPosition: string;
}
/** Deltas in BIPS. */
export interface TrailingDeltaFilter {
  readonly filterType: 'TRAILING_DELTA';
  readonly minTrailingAboveDelta: number;
  readonly maxTrailingAboveDelta: number;
  readonly minTrailingBelowDelta: number;
  readonly maxTrailingBelowDelta: number;
}
export interface MaxNumOrderAmendsFilter {
  readonly filterType: 'MAX_NUM_ORDER_AMENDS';
  readonly maxNumOrderAmends: number;
}
export interface MaxNumOrderListsFilter {
  readonly filterType: 'MAX_NUM_ORDER_LISTS';
  readonly maxNumOrderLists: number;
}

export type SymbolFilter =
  | PriceFilter
  | PercentPriceFilter
  | PercentPriceBySideFilter
  | LotSizeFilter
  | MinNotionalFilter
  | NotionalFilter
  | IcebergPartsFilter
  | MarketLotSizeFilter
  | MaxNumOrdersFilter
  | MaxNumAlgoOrdersFilter
  | MaxNumIcebergOrdersFilter
  | MaxPositionFilter
  | TrailingDeltaFilter
  | MaxNumOrderAmendsFilter
  | MaxNumOrderListsFilter;
export type SymbolFilterType = SymbolFilter['filterType'];
/** The filter of one type, e.g. `FilterOf<'LOT_SIZE'>`. */
export type FilterOf<T extends SymbolFilterType> = Extract<SymbolFilter, { filterType: T }>;

// ---- exchange filters (§6.2) and the asset filter (§6.3, GET /api/v3/myFilters only) ----------

export interface ExchangeMaxNumOrdersFilter {
  readonly filterType: 'EXCHANGE_MAX_NUM_ORDERS';
  readonly maxNumOrders: number;
}
export interface ExchangeMaxNumAlgoOrdersFilter {
  readonly filterType: 'EXCHANGE_MAX_NUM_ALGO_ORDERS';
  readonly maxNumAlgoOrders: number;
}
export interface ExchangeMaxNumIcebergOrdersFilter {
  readonly filterType: 'EXCHANGE_MAX_NUM_ICEBERG_ORDERS';
  readonly maxNumIcebergOrders: number;
}
export interface ExchangeMaxNumOrderListsFilter {
  readonly filterType: 'EXCHANGE_MAX_NUM_ORDER_LISTS';
  readonly maxNumOrderLists: number;
}
export type ExchangeFilter =
  | ExchangeMaxNumOrdersFilter
  | ExchangeMaxNumAlgoOrdersFilter
  | ExchangeMaxNumIcebergOrdersFilter
  | ExchangeMaxNumOrderListsFilter;
export type ExchangeFilterType = ExchangeFilter['filterType'];

/** Per-order cap: base asset → order quantity, quote asset → order notional. */
export interface MaxAssetFilter {
  readonly filterType: 'MAX_ASSET';
  readonly asset: string;
  readonly limit: string;
}
export type AssetFilter = MaxAssetFilter;

type AnyFilter = SymbolFilter | ExchangeFilter | AssetFilter;

/** Every filter's fields in Binance's wire order (filters.md), for rendering configured filters. */
export const FILTER_FIELDS: {
  readonly [T in AnyFilter['filterType']]: readonly (keyof Extract<AnyFilter, { filterType: T }>)[];
} = {
  PRICE_FILTER: ['filterType', 'minPrice', 'maxPrice', 'tickSize'],
  PERCENT_PRICE: ['filterType', 'multiplierUp', 'multiplierDown', 'avgPriceMins'],
  PERCENT_PRICE_BY_SIDE: [
    'filterType',
    'bidMultiplierUp',
    'bidMultiplierDown',
    'askMultiplierUp',
    'askMultiplierDown',
    'avgPriceMins',
  ],
  LOT_SIZE: ['filterType', 'minQty', 'maxQty', 'stepSize'],
  MIN_NOTIONAL: ['filterType', 'minNotional', 'applyToMarket', 'avgPriceMins'],
  NOTIONAL: ['filterType', 'minNotional', 'applyMinToMarket', 'maxNotional', 'applyMaxToMarket', 'avgPriceMins'],
  ICEBERG_PARTS: ['filterType', 'limit'],
  MARKET_LOT_SIZE: ['filterType', 'minQty', 'maxQty', 'stepSize'],
  MAX_NUM_ORDERS: ['filterType', 'maxNumOrders'],
  MAX_NUM_ALGO_ORDERS: ['filterType', 'maxNumAlgoOrders'],
  MAX_NUM_ICEBERG_ORDERS: ['filterType', 'maxNumIcebergOrders'],
  MAX_POSITION: ['filterType', 'maxPosition'],
  TRAILING_DELTA: [
    'filterType',
    'minTrailingAboveDelta',
    'maxTrailingAboveDelta',
    'minTrailingBelowDelta',
    'maxTrailingBelowDelta',
  ],
  MAX_NUM_ORDER_AMENDS: ['filterType', 'maxNumOrderAmends'],
  MAX_NUM_ORDER_LISTS: ['filterType', 'maxNumOrderLists'],
  EXCHANGE_MAX_NUM_ORDERS: ['filterType', 'maxNumOrders'],
  EXCHANGE_MAX_NUM_ALGO_ORDERS: ['filterType', 'maxNumAlgoOrders'],
  EXCHANGE_MAX_NUM_ICEBERG_ORDERS: ['filterType', 'maxNumIcebergOrders'],
  EXCHANGE_MAX_NUM_ORDER_LISTS: ['filterType', 'maxNumOrderLists'],
  MAX_ASSET: ['filterType', 'asset', 'limit'],
};

// ---- the exchangeInfo symbol object --------------------------------------------------------------

/** One `symbols[]` entry of exchangeInfo, fields in Binance's order. */
export interface SymbolDefinition {
  readonly symbol: string;
  readonly status: SymbolStatus;
  readonly baseAsset: string;
  readonly baseAssetPrecision: number;
  readonly quoteAsset: string;
  /** Duplicate of quoteAssetPrecision, to be removed in v4+. */
  readonly quotePrecision: number;
  readonly quoteAssetPrecision: number;
  readonly baseCommissionPrecision: number;
  readonly quoteCommissionPrecision: number;
  readonly orderTypes: readonly OrderType[];
  readonly icebergAllowed: boolean;
  readonly ocoAllowed: boolean;
  readonly otoAllowed: boolean;
  readonly opoAllowed: boolean;
  readonly quoteOrderQtyMarketAllowed: boolean;
  readonly allowTrailingStop: boolean;
  readonly cancelReplaceAllowed: boolean;
  readonly amendAllowed: boolean;
  readonly pegInstructionsAllowed: boolean;
  readonly isSpotTradingAllowed: boolean;
  readonly isMarginTradingAllowed: boolean;
  readonly filters: readonly SymbolFilter[];
  /** Always empty since 2024-04 (replaced by permissionSets). */
  readonly permissions: readonly string[];
  /** Outer array AND, inner arrays OR. Strings, not `Permission`: production has groups past TRD_GRP_025. */
  readonly permissionSets: readonly (readonly string[])[];
  readonly defaultSelfTradePreventionMode: SelfTradePreventionMode;
  readonly allowedSelfTradePreventionModes: readonly SelfTradePreventionMode[];
}

export const SYMBOL_FIELDS = [
  'symbol',
  'status',
  'baseAsset',
  'baseAssetPrecision',
  'quoteAsset',
  'quotePrecision',
  'quoteAssetPrecision',
  'baseCommissionPrecision',
  'quoteCommissionPrecision',
  'orderTypes',
  'icebergAllowed',
  'ocoAllowed',
  'otoAllowed',
  'opoAllowed',
  'quoteOrderQtyMarketAllowed',
  'allowTrailingStop',
  'cancelReplaceAllowed',
  'amendAllowed',
  'pegInstructionsAllowed',
  'isSpotTradingAllowed',
  'isMarginTradingAllowed',
  'filters',
  'permissions',
  'permissionSets',
  'defaultSelfTradePreventionMode',
  'allowedSelfTradePreventionModes',
] as const satisfies readonly (keyof SymbolDefinition)[];

// Compile-time check that SYMBOL_FIELDS names every field of SymbolDefinition.
type AssertNever<T extends never> = T;
type _AllSymbolFieldsListed = AssertNever<Exclude<keyof SymbolDefinition, (typeof SYMBOL_FIELDS)[number]>>;

/** The first filter of a type on a symbol, if it has one. */
export function findFilter<T extends SymbolFilterType>(symbol: SymbolDefinition, type: T): FilterOf<T> | undefined {
  return symbol.filters.find((f): f is FilterOf<T> => f.filterType === type);
}

// ---- defaults --------------------------------------------------------------------------------------

const ALL_ORDER_TYPES: readonly OrderType[] = [
  'LIMIT',
  'LIMIT_MAKER',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
];

/** Production shows a long list of trading groups beside SPOT and MARGIN; a representative subset. */
const SPOT_MARGIN_SETS: readonly (readonly string[])[] = [
  ['SPOT', 'MARGIN', 'TRD_GRP_004', 'TRD_GRP_005', 'TRD_GRP_006', 'TRD_GRP_008', 'TRD_GRP_009', 'TRD_GRP_010'],
];

interface MarketSpec {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  price: PriceFilter;
  lot: LotSizeFilter;
  marketMaxQty: string;
  minNotional: string;
  maxNotional: string;
}

/** A symbol with production's common flags and filters (in production's filter order). */
function spotSymbol(m: MarketSpec): SymbolDefinition {
  return {
    symbol: m.symbol,
    status: 'TRADING',
    baseAsset: m.baseAsset,
    baseAssetPrecision: 8,
    quoteAsset: m.quoteAsset,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ALL_ORDER_TYPES,
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    opoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    amendAllowed: true,
    pegInstructionsAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: true,
    filters: [
      m.price,
      m.lot,
      { filterType: 'ICEBERG_PARTS', limit: 100 },
      // Production renders MARKET_LOT_SIZE with zero min/step (disabled) and a liquidity-based maxQty.
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: m.marketMaxQty, stepSize: '0.00000000' },
      {
        filterType: 'TRAILING_DELTA',
        minTrailingAboveDelta: 10,
        maxTrailingAboveDelta: 2000,
        minTrailingBelowDelta: 10,
        maxTrailingBelowDelta: 2000,
      },
      {
        filterType: 'PERCENT_PRICE_BY_SIDE',
        bidMultiplierUp: '5',
        bidMultiplierDown: '0.2',
        askMultiplierUp: '5',
        askMultiplierDown: '0.2',
        avgPriceMins: 5,
      },
      {
        filterType: 'NOTIONAL',
        minNotional: m.minNotional,
        applyMinToMarket: true,
        maxNotional: m.maxNotional,
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
      { filterType: 'MAX_NUM_ORDER_LISTS', maxNumOrderLists: 20 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
      { filterType: 'MAX_NUM_ORDER_AMENDS', maxNumOrderAmends: 10 },
    ],
    permissions: [],
    permissionSets: SPOT_MARGIN_SETS,
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT', 'TRANSFER'],
  };
}

export const DEFAULT_SYMBOLS: readonly SymbolDefinition[] = [
  spotSymbol({
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    price: { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
    lot: { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
    marketMaxQty: '119.23000000',
    minNotional: '5.00000000',
    maxNotional: '9000000.00000000',
  }),
  spotSymbol({
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    price: { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
    lot: { filterType: 'LOT_SIZE', minQty: '0.00010000', maxQty: '9000.00000000', stepSize: '0.00010000' },
    marketMaxQty: '2451.05618332',
    minNotional: '5.00000000',
    maxNotional: '9000000.00000000',
  }),
  spotSymbol({
    symbol: 'BNBUSDT',
    baseAsset: 'BNB',
    quoteAsset: 'USDT',
    price: { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '100000.00000000', tickSize: '0.01000000' },
    lot: { filterType: 'LOT_SIZE', minQty: '0.00100000', maxQty: '900000.00000000', stepSize: '0.00100000' },
    marketMaxQty: '5137.53498958',
    minNotional: '5.00000000',
    maxNotional: '9000000.00000000',
  }),
  spotSymbol({
    symbol: 'ETHBTC',
    baseAsset: 'ETH',
    quoteAsset: 'BTC',
    price: { filterType: 'PRICE_FILTER', minPrice: '0.00001000', maxPrice: '922327.00000000', tickSize: '0.00001000' },
    lot: { filterType: 'LOT_SIZE', minQty: '0.00010000', maxQty: '100000.00000000', stepSize: '0.00010000' },
    marketMaxQty: '1868.76063194',
    minNotional: '0.00010000',
    maxNotional: '9000000.00000000',
  }),
];

/** Production has no exchange filters. */
export const DEFAULT_EXCHANGE_FILTERS: readonly ExchangeFilter[] = [];

/**
 * SOR configurations of the default sandbox: none (its symbols have no two of one base asset with
 * interchangeable quotes). Configure `sors` with such symbols to route orders (faqs/sor_faq.md).
 */
export const DEFAULT_SORS: readonly { readonly baseAsset: string; readonly symbols: readonly string[] }[] = [];
