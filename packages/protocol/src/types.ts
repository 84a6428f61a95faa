/** Core types of the declarative Binance Spot API table. */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Binance's endpoint security types (see reference notes §2.2). */
export type SecurityType = 'NONE' | 'TRADE' | 'USER_DATA' | 'USER_STREAM' | 'MARKET_DATA';

/**
 * Parameter types as Binance documents them, plus SYMBOL/SYMBOLS which carry Binance's own
 * validation rules (illegal characters, JSON arrays, duplicates).
 */
export type ParamType =
  | 'STRING'
  | 'SYMBOL'
  | 'SYMBOLS' // JSON array of symbols: symbols=["BTCUSDT","BNBBTC"]
  | 'STRING_ARRAY' // JSON array, or a single bare value (permissions)
  | 'CLIENT_ORDER_ID' // newClientOrderId, origClientOrderId, listClientOrderId, leg ids: ^[a-zA-Z0-9-_]{1,36}$
  | 'DECIMAL'
  | 'LONG'
  | 'INT'
  | 'ENUM'
  | 'BOOLEAN';

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly required?: boolean;
  /** ENUM (and STRING_ARRAY) legal values. */
  readonly values?: readonly string[];
  /** Error code answered for an ENUM value outside `values` (default -1100 listing the legal range). */
  readonly enumErrorCode?: number;
}

/** Raw parameter values after transport merging (query wins over body); never typed yet. */
export type RawParams = Readonly<Record<string, string>>;

/** Typed values after validation against ParamSpec. DECIMAL stays a string (exact). */
export type ParamValue = string | number | boolean | readonly string[];
export type TypedParams = Readonly<Record<string, ParamValue>>;

/**
 * Weight of a request. A function receives the RAW parameters (before validation), because the
 * weight is charged before the request is validated, as on Binance; it must never throw and must
 * fall back to the documented default when a parameter is absent or malformed.
 */
export type WeightRule = number | ((params: RawParams) => number);

export interface EndpointSpec {
  /** Stable id, equal to the WS API method name where one exists (e.g. "order.place"). */
  readonly id: string;
  readonly method: HttpMethod;
  /** Full path, e.g. "/api/v3/order". */
  readonly path: string;
  readonly security: SecurityType;
  readonly weight: WeightRule;
  readonly params: readonly ParamSpec[];
  /** Unfilled orders added to the ORDERS limiter when accepted (order 1, OCO 2, OTOCO 3). */
  readonly unfilledOrderCount?: number;
  /** Order-entry request: weight 0 when it succeeds, normal weight when it fails (CL 2026-03-27). */
  readonly orderEntry?: boolean;
  /** Available on data-api.binance.vision (market-data only). */
  readonly marketDataOnly?: boolean;
  readonly description: string;
}

export type RateLimitType = 'REQUEST_WEIGHT' | 'ORDERS' | 'RAW_REQUESTS';
export type RateLimitInterval = 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY';

/** One row of exchangeInfo.rateLimits. */
export interface RateLimit {
  readonly rateLimitType: RateLimitType;
  readonly interval: RateLimitInterval;
  readonly intervalNum: number;
  readonly limit: number;
}
