import type { ApiError, EndpointSpec, TypedParams } from '@binance-sandbox/protocol';
import type { Clock } from './clock.js';
import type { SandboxConfig } from './config.js';
import type { LimitStore, LimitTable } from './limits/types.js';
import type { ExchangeService } from './exchange/service.js';
import type { MarketData } from './market/market-data.js';
import type { FaultInjector } from './sandbox/faults.js';
import type { AccountRegistry } from './security/accounts.js';

/** A clock the admin API can move forward. */
export interface AdvanceableClock extends Clock {
  advance(ms: number): number;
  /** A real-time clock: from now on no time earlier than `t` (a test's manual clock may ignore it). */
  notBefore?(t: number): void;
}

/** Everything a request handler may reach; built once per sandbox. */
export interface SandboxContext {
  readonly config: SandboxConfig;
  readonly clock: AdvanceableClock;
  readonly limitTable: LimitTable;
  readonly limits: LimitStore;
  readonly accounts: AccountRegistry;
  readonly exchange: ExchangeService;
  readonly market: MarketData;
  readonly faults: FaultInjector;
}

/** One authenticated, validated, admitted REST/WS API call, as an endpoint implementation sees it. */
export interface ApiCall {
  readonly endpoint: EndpointSpec;
  readonly params: TypedParams;
  /** The authenticated account, or null for security type NONE. */
  readonly accountId: number | null;
  readonly now: number;
  readonly ctx: SandboxContext;
  /**
   * Set only for order/cancelReplace with orderRateLimitExceededMode=CANCEL_ONLY when the ORDERS
   * limiter refused (-1015): the handler still cancels, and reports this as the new order's failure.
   */
  readonly ordersRefusal?: ApiError;
  /**
   * An order-entry endpoint whose success is free only in some cases sets this when the request's
   * weight is due after all (order/amend/keepPriority: free only when the amendment expires the order).
   */
  chargeWeightOnSuccess?: boolean;
}

/** An endpoint implementation: returns the JSON body or throws an ApiError. */
export type EndpointImpl = (call: ApiCall) => unknown;
