import { ManualClock } from '../../src/clock.js';
import { defaultConfig, type SandboxConfig } from '../../src/config.js';
import { startSandbox, type Sandbox } from '../../src/sandbox.js';
import { request, type HttpResponse, type RequestOptions } from './http.js';
import { signedQuery, type TestAccount } from './sign.js';

/** 2026-01-01T00:00:30Z: half a minute into a 1-minute window, so Retry-After values are easy to read. */
export const T0 = Date.UTC(2026, 0, 1, 0, 0, 30);

export interface TestSandbox extends Sandbox {
  readonly clock: ManualClock;
  call(path: string, opts?: RequestOptions): Promise<HttpResponse>;
  admin(method: string, path: string, body?: unknown): Promise<HttpResponse>;
  /** An account with these balances, created through the admin API (HMAC key unless said otherwise). */
  createAccount(balances: Record<string, string>, options?: Record<string, unknown>): Promise<TestAccount>;
  /** A signed /api/v3 request with every parameter in the query string, timestamp from the sandbox clock. */
  signed(
    account: TestAccount,
    method: string,
    path: string,
    params?: SignedParams,
    headers?: Record<string, string>,
  ): Promise<HttpResponse>;
}

export type SignedParams = Record<string, string | number | boolean>;

/** A BTCUSDT LIMIT GTC order's fields, as the API and the engine both name them. */
const btcLimit = (side: 'BUY' | 'SELL', quantity: string, price: string) =>
  ({ symbol: 'BTCUSDT', side, type: 'LIMIT', timeInForce: 'GTC', quantity, price }) as const;

/** The parameters of a BTCUSDT LIMIT GTC order (plus `extra`). */
export const limitParams = (
  side: 'BUY' | 'SELL',
  quantity: string,
  price: string,
  extra: SignedParams = {},
): SignedParams => ({ ...btcLimit(side, quantity, price), ...extra });

/** A BTCUSDT LIMIT GTC order submitted straight to the exchange service (no HTTP, no limiter). */
export const submitLimit = (
  sb: Sandbox,
  accountId: number,
  side: 'BUY' | 'SELL',
  quantity: string,
  price: string,
): Promise<unknown> =>
  sb.ctx.exchange.submit('placeOrder', { now: sb.ctx.clock.now(), accountId, ...btcLimit(side, quantity, price) });

/** A SELL OCO on BTCUSDT: a take-profit LIMIT_MAKER at 35 000, a stop-loss-limit at 25 100 / 25 000. */
export const sellOcoParams = (extra: SignedParams = {}): SignedParams => ({
  symbol: 'BTCUSDT',
  side: 'SELL',
  quantity: '0.1',
  aboveType: 'LIMIT_MAKER',
  abovePrice: '35000',
  belowType: 'STOP_LOSS_LIMIT',
  belowPrice: '25000',
  belowStopPrice: '25100',
  belowTimeInForce: 'GTC',
  ...extra,
});

/** The working order of the OTO-style lists below: BUY 0.1 BTCUSDT at 30 000. */
export const WORKING_BUY: SignedParams = {
  symbol: 'BTCUSDT',
  workingType: 'LIMIT',
  workingSide: 'BUY',
  workingPrice: '30000',
  workingQuantity: '0.1',
  workingTimeInForce: 'GTC',
};

/** Buy low, then sell higher: the classic OTO on BTCUSDT (0.1 at 30 000, then at 31 000). */
export const buyThenSellParams = (extra: SignedParams = {}): SignedParams => ({
  ...WORKING_BUY,
  pendingType: 'LIMIT',
  pendingSide: 'SELL',
  pendingPrice: '31000',
  pendingQuantity: '0.1',
  pendingTimeInForce: 'GTC',
  ...extra,
});

/** A real sandbox on an ephemeral loopback port, driven by a manual clock. */
export async function startTestSandbox(overrides: Partial<SandboxConfig> = {}, t0 = T0): Promise<TestSandbox> {
  const clock = new ManualClock(t0);
  const base = defaultConfig();
  const config: SandboxConfig = {
    ...base,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'error', // internal errors (500s) show up in the test output
    // Tests that want the liquidity simulator turn it on themselves.
    simulator: { ...base.simulator, enabled: false },
    ...overrides,
  };
  const sandbox = await startSandbox(config, { clock });
  const admin = (method: string, path: string, body?: unknown) =>
    request(sandbox.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    ...sandbox,
    clock,
    call: (path, opts) => request(sandbox.url + path, opts),
    admin,
    async createAccount(balances, options = {}) {
      const res = await admin('POST', '/sandbox/v1/accounts', { balances, ...options });
      if (res.status !== 201) throw new Error(`account creation failed: ${res.status} ${res.text}`);
      return res.json<TestAccount>();
    },
    signed(account, method, path, params = {}, headers = {}) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) q.set(k, String(v));
      q.set('timestamp', String(clock.now()));
      return request(`${sandbox.url}/api/v3${path}?${signedQuery(account, q.toString())}`, {
        method,
        headers: { 'X-MBX-APIKEY': account.apiKey, ...headers },
      });
    },
  };
}

/** Limits no test stream reaches (fuzzing: every request is admitted and answered on its merits). */
export const UNREACHABLE_LIMITS = [
  { rateLimitType: 'REQUEST_WEIGHT' as const, interval: 'MINUTE' as const, intervalNum: 1, limit: 1e9 },
  { rateLimitType: 'ORDERS' as const, interval: 'SECOND' as const, intervalNum: 10, limit: 1e9 },
  { rateLimitType: 'ORDERS' as const, interval: 'DAY' as const, intervalNum: 1, limit: 1e9 },
  { rateLimitType: 'RAW_REQUESTS' as const, interval: 'MINUTE' as const, intervalNum: 5, limit: 1e9 },
];

/** A REQUEST_WEIGHT / RAW_REQUESTS table small enough to exhaust in a test. */
export function smallLimits(weightPerMinute: number, rawPer5m = 1_000_000) {
  return [
    { rateLimitType: 'REQUEST_WEIGHT' as const, interval: 'MINUTE' as const, intervalNum: 1, limit: weightPerMinute },
    { rateLimitType: 'ORDERS' as const, interval: 'SECOND' as const, intervalNum: 10, limit: 50 },
    { rateLimitType: 'ORDERS' as const, interval: 'DAY' as const, intervalNum: 1, limit: 160000 },
    { rateLimitType: 'RAW_REQUESTS' as const, interval: 'MINUTE' as const, intervalNum: 5, limit: rawPer5m },
  ];
}
