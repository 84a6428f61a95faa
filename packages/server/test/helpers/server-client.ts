/**
 * A client of a sandbox process for the durability tests: signed API calls stamped with the
 * server's clock (which admin clock advances move, and which survives restarts), admin calls, and
 * the check that every balance is what the account's history says.
 */
import { writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { request, type HttpResponse } from './http.js';
import { UNREACHABLE_LIMITS } from './sandbox.js';
import { signedQuery, type TestAccount } from './sign.js';

/** 8-decimal fixed point, exact. */
export const units = (s: string): bigint => {
  const [i = '0', f = ''] = s.split('.');
  return BigInt(i) * 100_000_000n + BigInt((f + '00000000').slice(0, 8));
};

/** Writes a config file that puts every limit out of the way (tests about durability, not limits). */
export function writeUnlimitedConfig(path: string): void {
  writeFileSync(path, JSON.stringify({ rateLimits: UNREACHABLE_LIMITS }));
}

/**
 * The price of order `i` of a durability test's stream: even orders buy, odd ones sell, around
 * 30 000 so that some cross and trade.
 */
export function streamPrice(i: number): string {
  const buy = i % 2 === 0;
  return (30_000 + (buy ? 1 : -1) * ((i * 37) % 11) - (buy ? 3 : -3)).toFixed(2);
}

export interface OrderJson {
  orderId: number;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  status: string;
  side: string;
}

interface TradeJson {
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  isBuyer: boolean;
}

export type ServerClient = ReturnType<typeof serverClient>;

export function serverClient(url: string) {
  let skew = 0; // server clock − local clock
  const syncClock = async () => {
    const t0 = Date.now();
    const { serverTime } = (await request(`${url}/api/v3/time`)).json<{ serverTime: number }>();
    skew = serverTime - Math.round((t0 + Date.now()) / 2);
  };
  const api = (
    acct: TestAccount,
    method: string,
    path: string,
    params: Record<string, string | number | boolean> = {},
  ): Promise<HttpResponse> => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) q.set(k, String(v));
    q.set('timestamp', String(Date.now() + skew));
    return request(`${url}/api/v3${path}?${signedQuery(acct, q.toString())}`, {
      method,
      headers: { 'X-MBX-APIKEY': acct.apiKey },
    });
  };
  const admin = (method: string, path: string, body?: unknown) =>
    request(url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { api, admin, syncClock };
}

/**
 * Every USDT and BTC balance of `accounts` on BTCUSDT is exactly what their deposits, trades,
 * commissions and open orders say: free + locked = deposits ± trades − commissions, locked = what
 * the open orders hold. Returns the open orders by account.
 */
export async function expectBalancesFromHistory(
  c: ServerClient,
  accounts: readonly TestAccount[],
  deposits: { readonly USDT: string; readonly BTC: string },
): Promise<Map<number, OrderJson[]>> {
  const open = new Map<number, OrderJson[]>();
  for (const acct of accounts) {
    const res = await c.api(acct, 'GET', '/openOrders', { symbol: 'BTCUSDT' });
    expect(res.status, res.text).toBe(200);
    open.set(acct.accountId, res.json<OrderJson[]>());
    for (const o of open.get(acct.accountId)!) expect(['NEW', 'PARTIALLY_FILLED']).toContain(o.status);
  }
  for (const acct of accounts) {
    const trades = (await c.api(acct, 'GET', '/myTrades', { symbol: 'BTCUSDT', limit: 1000 })).json<TradeJson[]>();
    expect(trades.length).toBeGreaterThan(0);
    const expected = { USDT: units(deposits.USDT), BTC: units(deposits.BTC) };
    for (const t of trades) {
      const sign = t.isBuyer ? 1n : -1n;
      expected.BTC += sign * units(t.qty);
      expected.USDT -= sign * units(t.quoteQty);
      expected[t.commissionAsset as 'USDT' | 'BTC'] -= units(t.commission);
    }
    const locked = { USDT: 0n, BTC: 0n };
    for (const o of open.get(acct.accountId)!) {
      const rest = units(o.origQty) - units(o.executedQty);
      if (o.side === 'BUY') locked.USDT += (units(o.price) * rest) / 100_000_000n;
      else locked.BTC += rest;
    }
    const res = await c.api(acct, 'GET', '/account');
    expect(res.status, res.text).toBe(200);
    const balances = res.json<{ balances: { asset: string; free: string; locked: string }[] }>().balances;
    for (const asset of ['USDT', 'BTC'] as const) {
      const b = balances.find((x) => x.asset === asset)!;
      expect(units(b.free) + units(b.locked), `${asset} of account ${acct.accountId}`).toBe(expected[asset]);
      expect(units(b.locked), `locked ${asset} of account ${acct.accountId}`).toBe(locked[asset]);
    }
  }
  return open;
}
