/**
 * Snapshots end to end: the real server with --data-dir trades, stops on SIGTERM (which writes a
 * snapshot), and after a restart on the same data dir answers every query as before.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAgents, request } from '../helpers/http.js';
import { serverProcessesOfTest, type ServerProcess } from '../helpers/process.js';
import { signedQuery, type TestAccount } from '../helpers/sign.js';

const processes = serverProcessesOfTest();
afterAll(closeAgents);

function start(dataDir: string): Promise<ServerProcess> {
  return processes.start(['--data-dir', dataDir, '--log-level', 'error']);
}

function signed(url: string, acct: TestAccount, method: string, path: string, params: Record<string, string> = {}) {
  const q = new URLSearchParams(params);
  q.set('timestamp', String(Date.now()));
  return request(`${url}/api/v3${path}?${signedQuery(acct, q.toString())}`, {
    method,
    headers: { 'X-MBX-APIKEY': acct.apiKey },
  });
}

/** Every read the test compares, as response texts (times excluded where they are "now"). */
async function snapshotOfAnswers(url: string, accts: readonly TestAccount[], until: number): Promise<string[]> {
  const out: string[] = [];
  const pub = ['depth?symbol=BTCUSDT&limit=100', 'trades?symbol=BTCUSDT', 'aggTrades?symbol=BTCUSDT'];
  // up to a fixed time: klines run to "now" with flat candles otherwise
  for (const interval of ['1s', '1m', '1h', '1d'])
    pub.push(`klines?symbol=BTCUSDT&interval=${interval}&endTime=${until}`);
  for (const p of pub) out.push((await request(`${url}/api/v3/${p}`)).text);
  const ticker = (await request(`${url}/api/v3/ticker/24hr?symbol=BTCUSDT`)).json<Record<string, unknown>>();
  delete ticker.openTime;
  delete ticker.closeTime;
  out.push(JSON.stringify(ticker));
  for (const a of accts) {
    const account = (await signed(url, a, 'GET', '/account')).json<Record<string, unknown>>();
    out.push(JSON.stringify(account.balances), String(account.canTrade));
    for (const path of ['/openOrders', '/allOrders', '/myTrades'])
      out.push((await signed(url, a, 'GET', path, { symbol: 'BTCUSDT' })).text);
  }
  return out;
}

describe('restart after SIGTERM with a snapshot', () => {
  it('writes a snapshot on shutdown and answers identically after the restart', async () => {
    const dir = processes.tempDir('bsbx-snaprestart-');
    const dataDir = join(dir, 'data');
    let server = await start(dataDir);
    const admin = (path: string, body: unknown) =>
      request(server.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const balances = { USDT: '1000000', BTC: '100' };
    const buyer = (await admin('/sandbox/v1/accounts', { balances })).json<TestAccount>();
    const seller = (await admin('/sandbox/v1/accounts', { balances, keyType: 'ED25519' })).json<TestAccount>();
    for (let i = 0; i < 60; i++) {
      const buy = i % 2 === 0;
      const res = await signed(server.url, buy ? buyer : seller, 'POST', '/order', {
        symbol: 'BTCUSDT',
        side: buy ? 'BUY' : 'SELL',
        type: i % 7 === 0 ? 'MARKET' : 'LIMIT',
        ...(i % 7 === 0 ? {} : { timeInForce: 'GTC', price: (30_000 + (buy ? 1 : -1) * ((i * 37) % 11)).toFixed(2) }),
        quantity: '0.01000',
      });
      expect([200, 400]).toContain(res.status);
    }
    const until = Date.now();
    const before = await snapshotOfAnswers(server.url, [buyer, seller], until);
    expect(JSON.parse(before[1]!).length).toBeGreaterThan(0); // it traded

    expect(await server.stop('SIGTERM')).toBe(0);
    expect(readdirSync(dataDir).filter((f) => /^snapshot-\d{12}\.bin$/.test(f))).toHaveLength(1);

    server = await start(dataDir);
    expect(await snapshotOfAnswers(server.url, [buyer, seller], until)).toEqual(before);
    // and it goes on: new orders continue the ids
    const next = await signed(server.url, buyer, 'POST', '/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '29000.00',
      quantity: '0.01000',
    });
    expect(next.status, next.text).toBe(200);
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});
