import type { RateLimit } from '@binance-sandbox/protocol';

/**
 * The limit table split by limiter type, in exchangeInfo order. Every array may hold any number of
 * intervals; an exhausted interval blocks even when the others have room.
 */
export interface LimitTable {
  readonly requestWeight: readonly RateLimit[];
  readonly rawRequests: readonly RateLimit[];
  readonly orders: readonly RateLimit[];
}

/**
 * Escalating IP bans. Default rule (README "Ban policy"): an IP whose requests were rejected with 429
 * `rejectionsBeforeBan` times within one window is banned on its next over-limit request; the n-th
 * ban lasts min(firstBanMs × 2^(n-1), maxBanMs); n falls back to 0 once `banCountDecayMs` have passed
 * since the last ban ended.
 */
export interface BanPolicy {
  readonly rejectionsBeforeBan: number; // K, default 100
  readonly firstBanMs: number; // default 120_000 (2 minutes)
  readonly maxBanMs: number; // default 259_200_000 (3 days)
  readonly banCountDecayMs: number; // default 86_400_000 (24 h)
}

export const DEFAULT_BAN_POLICY: BanPolicy = {
  rejectionsBeforeBan: 100,
  firstBanMs: 120_000,
  maxBanMs: 259_200_000,
  banCountDecayMs: 86_400_000,
};

export interface AdmitRequest {
  readonly ip: string;
  /** REQUEST_WEIGHT charged now (0 for order-entry requests, charged later only if they fail). */
  readonly weight: number;
  /** Account whose ORDERS limiter this request feeds (order-entry requests only). */
  readonly account?: string;
  /** Unfilled orders this request adds (0 or absent: the ORDERS limiter is not consulted). */
  readonly orders?: number;
  /** Weight charged in addition when the request is refused by the ORDERS limiter (-1015). */
  readonly weightOnOrderReject?: number;
  readonly now: number;
}

export type AdmitOutcome =
  /** Admitted; counters incremented. */
  | 'ok'
  /** 429 -1003: a RAW_REQUESTS or REQUEST_WEIGHT interval is exhausted (this request included). */
  | 'ip-limited'
  /** 418 -1003: the IP is banned (this request started the ban, or it was already running). */
  | 'banned'
  /** 429 -1015: the account's ORDERS limiter refused; IP counters were incremented, order counts not. */
  | 'orders-limited';

export interface LimitRef {
  readonly type: 'REQUEST_WEIGHT' | 'RAW_REQUESTS' | 'ORDERS';
  /** Index into the matching LimitTable array. */
  readonly index: number;
}

export interface AdmitResult {
  readonly outcome: AdmitOutcome;
  /** Used weight per LimitTable.requestWeight interval, in the current windows, this request included. */
  readonly usedWeight: readonly number[];
  /** Order counts per LimitTable.orders interval (present when `orders` was requested). */
  readonly orderCounts?: readonly number[];
  /**
   * ip-limited: ms until the blocking window resets (the latest reset among exhausted intervals);
   * banned: ms until the ban ends.
   */
  readonly retryAfterMs?: number;
  /** banned: epoch ms when the ban ends. */
  readonly bannedUntil?: number;
  /** ip-limited / orders-limited: the interval that blocks (the one that resets last). */
  readonly limitedBy?: LimitRef;
}

export interface BanRecord {
  readonly start: number;
  readonly until: number;
  /** 1 for the first ban of a streak, 2 for the second … */
  readonly ordinal: number;
}

export interface IpUsage {
  readonly ip: string;
  readonly rawRequests: readonly number[];
  readonly requestWeight: readonly number[];
  /** 429 rejections counted toward the next ban in the current violation window. */
  readonly rejections: number;
  readonly currentBan: BanRecord | null;
  /** Bans of the current streak (ban count not yet decayed), oldest first, at most 20 kept. */
  readonly banHistory: readonly BanRecord[];
}

export type MaybePromise<T> = T | Promise<T>;

/** A WebSocket handshake to count against the IP's connection-attempt limit. */
export interface ConnectionAttempt {
  readonly ip: string;
  readonly now: number;
  /** Attempts allowed per window (Binance: 300). */
  readonly limit: number;
  /** Window length, ms (Binance: 300000); windows are fixed and aligned like every other limit. */
  readonly windowMs: number;
}

export interface ConnectionAdmitResult {
  /** ok: upgrade; limited: refuse with HTTP 429; banned: refuse with HTTP 418 (nothing counted). */
  readonly outcome: 'ok' | 'limited' | 'banned';
  /** Attempts in the current window, this one included (banned: the current value, not incremented). */
  readonly attempts: number;
  /** limited: ms until the window resets; banned: ms until the ban ends. */
  readonly retryAfterMs?: number;
  /** banned: epoch ms when the ban ends. */
  readonly bannedUntil?: number;
}

export interface StrikeResult {
  /** counted: one more rejection toward a ban; banned: this strike started a ban (or one was running). */
  readonly outcome: 'counted' | 'banned';
  readonly retryAfterMs?: number;
  readonly bannedUntil?: number;
}

/**
 * Where counters and bans live. In-memory (one process) or Redis (several gateway nodes sharing
 * limits, one round trip per request). Both implement exactly the same semantics and pass the same
 * contract tests. Windows are fixed and aligned: window start = floor(now / intervalMs) × intervalMs.
 */
export interface LimitStore {
  admit(req: AdmitRequest): MaybePromise<AdmitResult>;
  /** Add weight after the fact (a failed order-entry request); returns used weight per interval. */
  charge(ip: string, weight: number, now: number): MaybePromise<readonly number[]>;
  /** Used weight per interval without counting anything (for responses that are not requests). */
  peekWeight(ip: string, now: number): MaybePromise<readonly number[]>;
  /** Add `delta` (negative on a first fill) to the account's order counts in the current windows, floored at 0. */
  adjustOrders(account: string, delta: number, now: number): MaybePromise<readonly number[]>;
  orderCounts(account: string, now: number): MaybePromise<readonly number[]>;
  usage(ip: string, now: number): MaybePromise<IpUsage>;
  /** Lift the ban of one IP (or of all IPs); returns how many bans were lifted. Ban counts are kept. */
  liftBans(ip: string | undefined, now: number): MaybePromise<number>;
  /**
   * WebSocket connection attempts (one call, one round trip per handshake):
   * 1. IP banned → 'banned', nothing counted.
   * 2. attempts += 1 in the aligned window of `windowMs`.
   * 3. attempts > limit → 'limited' (retryAfterMs = ms until the window resets), and the refusal
   *    counts as one 429 rejection toward a ban, exactly as strike(ip, now, windowMs) would (so it
   *    may start a ban: then 'banned'). attempts == limit is still ok.
   */
  admitConnection(req: ConnectionAttempt): MaybePromise<ConnectionAdmitResult>;
  /**
   * A violation that is not a counted request (a WebSocket disconnected for sending too many
   * messages): counts as one 429 rejection of the IP in the ban machinery. If the violation window
   * is over it restarts and ends at the end of the current aligned `windowMs` window; when the IP
   * already has `rejectionsBeforeBan` rejections in it, this strike starts a ban instead (same
   * ordinal/duration rules as admit). A banned IP: 'banned', nothing counted.
   */
  strike(ip: string, now: number, windowMs: number): MaybePromise<StrikeResult>;
  close(): Promise<void>;
}
