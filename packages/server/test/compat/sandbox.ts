import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { SandboxClock } from '../../src/clock.js';
import { defaultConfig, type SandboxConfig } from '../../src/config.js';
import { startSandbox, type Sandbox } from '../../src/sandbox.js';
import { request, type HttpResponse } from '../helpers/http.js';
import { limitParams, type SignedParams } from '../helpers/sandbox.js';

/**
 * Third-party clients sign with Date.now(), so these tests run the real server on a wall clock
 * (SandboxClock), on an ephemeral loopback port — never the ManualClock of the other suites.
 */
export interface CompatSandbox extends Sandbox {
  readonly clock: SandboxClock;
  createAccount(balances: Record<string, string>): Promise<Keys>;
  /** A signed REST call with every parameter in the query string (for setting up the scene). */
  signed(keys: Keys, method: string, path: string, params?: SignedParams): Promise<HttpResponse>;
}

export interface Keys {
  readonly accountId: number;
  readonly apiKey: string;
  readonly secretKey: string;
}

export async function startCompatSandbox(overrides: Partial<SandboxConfig> = {}): Promise<CompatSandbox> {
  const clock = new SandboxClock();
  const base: SandboxConfig & { simulator?: { enabled: boolean } } = defaultConfig();
  const config: SandboxConfig = {
    ...base,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'error', // internal errors (500s) show up in the test output
    // A quiet market: only the trades and quotes the tests make, so every figure can be asserted.
    ...(base.simulator ? { simulator: { ...base.simulator, enabled: false } } : {}),
    ...overrides,
  };
  const sandbox = await startSandbox(config, { clock });
  const url = sandbox.url;
  return {
    ...sandbox,
    clock,
    async createAccount(balances) {
      const res = await request(`${url}/sandbox/v1/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ balances }),
      });
      if (res.status !== 201) throw new Error(`account creation failed: ${res.status} ${res.text}`);
      return res.json<Keys>();
    },
    signed(keys, method, path, params = {}) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) q.set(k, String(v));
      q.set('timestamp', String(clock.now()));
      const query = q.toString();
      const signature = createHmac('sha256', keys.secretKey).update(query).digest('hex');
      return request(`${url}/api/v3${path}?${query}&signature=${signature}`, {
        method,
        headers: { 'X-MBX-APIKEY': keys.apiKey },
      });
    },
  };
}

/**
 * A market maker with resting BTCUSDT orders on both sides (bids 29 990 / 29 980, asks 30 010 /
 * 30 020, 0.5 BTC each) and one trade at 30 000 between two makers, so every market-data call has
 * something to show and market orders fill.
 */
export async function seedBtcUsdt(sb: CompatSandbox): Promise<{ maker: Keys }> {
  const maker = await sb.createAccount({ USDT: '1000000', BTC: '100' });
  const other = await sb.createAccount({ USDT: '1000000', BTC: '100' });
  const place = async (keys: Keys, side: 'BUY' | 'SELL', price: string, quantity = '0.5') => {
    const res = await sb.signed(keys, 'POST', '/order', limitParams(side, quantity, price));
    if (res.status !== 200) throw new Error(`seed order failed: ${res.status} ${res.text}`);
  };
  // One trade at 30 000 (other rests, maker takes) so trades, klines and the 24h ticker have data.
  await place(other, 'SELL', '30000', '0.1');
  await place(maker, 'BUY', '30000', '0.1');
  await place(maker, 'BUY', '29990');
  await place(maker, 'BUY', '29980');
  await place(maker, 'SELL', '30010');
  await place(maker, 'SELL', '30020');
  return { maker };
}

/**
 * A sandbox with one SOR configuration, BTCUSDT and a BTCUSDC twin, and one ask on BTCUSDC
 * (0.1 BTC at 30 000): an SOR BUY on BTCUSDT at 30 000 or more is filled from it by an allocation.
 */
export async function startSorSandbox(): Promise<CompatSandbox> {
  const btc = DEFAULT_SYMBOLS[0]!;
  const sb = await startCompatSandbox({
    symbols: [...DEFAULT_SYMBOLS, { ...btc, symbol: 'BTCUSDC', quoteAsset: 'USDC' }],
    sors: [{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] }],
  });
  const maker = await sb.createAccount({ BTC: '1' });
  const ask = await sb.signed(maker, 'POST', '/order', { ...limitParams('SELL', '0.1', '30000'), symbol: 'BTCUSDC' });
  if (ask.status !== 200) throw new Error(`seed order failed: ${ask.status} ${ask.text}`);
  return sb;
}

/** Every ccxt binance API url re-rooted at the sandbox: spot uses /api/v3, a stray call to another API 404s here. */
export function ccxtUrls(base: string): Record<string, string> {
  const defaults = new ccxt.binance().urls['api'] as Record<string, string>;
  const api: Record<string, string> = {};
  for (const [key, value] of Object.entries(defaults)) api[key] = base + new URL(value).pathname;
  return api;
}

/** ccxt binance options that keep loadMarkets on the Spot API (README "Pointing real clients at it"). */
export const CCXT_SPOT_ONLY = {
  fetchMarkets: { types: ['spot'] }, // default also loads fapi (linear) and dapi (inverse) exchangeInfo
  fetchMargins: false, // with keys, loadMarkets also calls sapi margin/allPairs + isolated/allPairs
  fetchCurrencies: false, // sapi capital/config/getall (wallet, not in the Spot API)
};
