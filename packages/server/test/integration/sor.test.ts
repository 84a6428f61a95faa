/**
 * Smart order routing over HTTP: exchangeInfo `sors`, POST sor/order (allocations, workingFloor,
 * usedSor, the ORDERS count), sor/order/test, GET myAllocations (combinations), the other
 * book's public trade, errors, and allocations kept across a restart.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS, type SymbolDefinition } from '@binance-sandbox/protocol';
import { limitParams, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import type { SandboxConfig } from '../../src/config.js';
import { closeAfterEachTest, connectWs } from '../ws/client.js';

let sb: TestSandbox;
const sockets = closeAfterEachTest(() => sb);

type Json = Record<string, unknown>;

const BTCUSDT = DEFAULT_SYMBOLS[0] as SymbolDefinition;
const BTCUSDC: SymbolDefinition = { ...BTCUSDT, symbol: 'BTCUSDC', quoteAsset: 'USDC' };
const SOR_CONFIG: Partial<SandboxConfig> = {
  symbols: [...DEFAULT_SYMBOLS, BTCUSDC],
  sors: [{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] }],
};

async function routed() {
  const maker = await sb.createAccount({ BTC: '1' });
  const taker = await sb.createAccount({ USDT: '100000' });
  const ask = await sb.signed(maker, 'POST', '/order', { ...limitParams('SELL', '0.1', '30000'), symbol: 'BTCUSDC' });
  expect(ask.status, ask.text).toBe(200);
  // the same quantity dearer on the order's own book
  const own = await sb.signed(maker, 'POST', '/order', limitParams('SELL', '0.1', '30050'));
  expect(own.status, own.text).toBe(200);
  const res = await sb.signed(taker, 'POST', '/sor/order', {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.15',
    price: '30100',
  });
  return { maker, taker, res };
}

describe('smart order routing', () => {
  it('exchangeInfo lists the SOR configurations, and leaves `sors` out without any', async () => {
    sb = await startTestSandbox();
    expect(await sb.call('/api/v3/exchangeInfo').then((r) => r.json<Json>())).not.toHaveProperty('sors');
    await sb.close();
    sb = await startTestSandbox(SOR_CONFIG);
    const info = await sb.call('/api/v3/exchangeInfo').then((r) => r.json<Json>());
    expect(info.sors).toEqual([{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] }]);
  });

  it('POST sor/order fills from the best book by allocations, and the rest from its own book', async () => {
    sb = await startTestSandbox(SOR_CONFIG);
    const { maker, taker, res } = await routed();
    expect(res.status, res.text).toBe(200);
    expect(res.headers['x-mbx-order-count-10s']).toBe('1');
    const body = res.json<Json>();
    expect(body).toMatchObject({
      symbol: 'BTCUSDT',
      status: 'FILLED',
      executedQty: '0.15000000',
      cummulativeQuoteQty: '4502.50000000', // 0.1 × 30,000 + 0.05 × 30,050
      workingFloor: 'SOR',
      usedSor: true,
    });
    expect(body.fills).toEqual([
      {
        matchType: 'ONE_PARTY_TRADE_REPORT',
        price: '30000.00000000',
        qty: '0.10000000',
        commission: '0.00010000',
        commissionAsset: 'BTC',
        tradeId: -1,
        allocId: 0,
      },
      {
        matchType: 'ONE_PARTY_TRADE_REPORT',
        price: '30050.00000000',
        qty: '0.05000000',
        commission: '0.00005000',
        commissionAsset: 'BTC',
        tradeId: -1,
        allocId: 1,
      },
    ]);
    // allocations, not trades, for the order's account; real trades on each book
    const allocations = await sb.signed(taker, 'GET', '/myAllocations', { symbol: 'BTCUSDT' });
    expect(allocations.status).toBe(200);
    expect(allocations.json<Json[]>()).toEqual([
      {
        symbol: 'BTCUSDT',
        allocationId: 0,
        allocationType: 'SOR',
        orderId: body.orderId,
        orderListId: -1,
        price: '30000.00000000',
        qty: '0.10000000',
        quoteQty: '3000.00000000',
        commission: '0.00010000',
        commissionAsset: 'BTC',
        time: body.transactTime,
        isBuyer: true,
        isMaker: false,
        isAllocator: false,
      },
      expect.objectContaining({ allocationId: 1, price: '30050.00000000', quoteQty: '1502.50000000' }),
    ]);
    expect((await sb.signed(taker, 'GET', '/myTrades', { symbol: 'BTCUSDT' })).json<Json[]>()).toEqual([]);
    const makerTrades = (await sb.signed(maker, 'GET', '/myTrades', { symbol: 'BTCUSDC' })).json<Json[]>();
    expect(makerTrades).toMatchObject([{ symbol: 'BTCUSDC', price: '30000.00000000', isBuyer: false, isMaker: true }]);
    const publicTrades = (await sb.call('/api/v3/trades?symbol=BTCUSDC')).json<Json[]>();
    expect(publicTrades).toMatchObject([{ price: '30000.00000000', qty: '0.10000000', isBuyerMaker: false }]);
    // the maker was paid in USDC, the order paid in USDT
    const acct = (await sb.signed(taker, 'GET', '/account', { omitZeroBalances: true })).json<{
      balances: { asset: string; free: string }[];
    }>();
    expect(acct.balances).toEqual([
      { asset: 'USDT', free: '95497.50000000', locked: '0.00000000' },
      { asset: 'BTC', free: '0.14985000', locked: '0.00000000' },
    ]);
    const order = (
      await sb.signed(taker, 'GET', '/order', { symbol: 'BTCUSDT', orderId: body.orderId as number })
    ).json<Json>();
    expect(order).toMatchObject({ status: 'FILLED', workingFloor: 'SOR', usedSor: true });
  });

  it('the user data stream reports allocations (b, a) and the working floor (k, uS) of SOR orders', async () => {
    sb = await startTestSandbox(SOR_CONFIG);
    const maker = await sb.createAccount({ BTC: '1' });
    const taker = await sb.createAccount({ USDT: '100000' });
    await sb.signed(maker, 'POST', '/order', { ...limitParams('SELL', '0.1', '30000'), symbol: 'BTCUSDC' });
    const stream = await sb.call('/api/v3/userDataStream', {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': taker.apiKey },
    });
    const key = stream.json<{ listenKey: string }>().listenKey;
    const ws = await connectWs(sb.url, `/ws/${key}`, sockets);
    const res = await sb.signed(taker, 'POST', '/sor/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.2',
      price: '30000',
    });
    expect(res.status, res.text).toBe(200);
    const report = (x: string) => ws.nextWhere<Json>((m) => m.e === 'executionReport' && m.x === x);
    expect(await report('NEW')).toMatchObject({ s: 'BTCUSDT', X: 'NEW', k: 'SOR', uS: true });
    const trade = await report('TRADE');
    expect(trade).toMatchObject({
      X: 'PARTIALLY_FILLED',
      t: -1,
      b: 'ONE_PARTY_TRADE_REPORT',
      a: 0,
      k: 'SOR',
      uS: true,
    });
    expect([trade.l, trade.L, trade.n, trade.N]).toEqual(['0.10000000', '30000.00000000', '0.00010000', 'BTC']);
    // the rest rests on BTCUSDT; a seller there fills it as an ordinary trade, on the exchange floor
    const seller = await sb.createAccount({ BTC: '1' });
    await sb.signed(seller, 'POST', '/order', limitParams('SELL', '0.1', '30000'));
    const fill = await report('TRADE');
    expect(fill).toMatchObject({ X: 'FILLED', m: true, k: 'EXCHANGE', uS: true });
    expect(fill).not.toHaveProperty('a');
    expect(fill.t).toBeGreaterThan(0);
  });

  it("myAllocations: its parameter combinations, only the account's own, an empty list for other symbols", async () => {
    sb = await startTestSandbox(SOR_CONFIG);
    const { taker, res } = await routed();
    const orderId = res.json<Json>().orderId as number;
    const q = (params: Record<string, string | number>) =>
      sb.signed(taker, 'GET', '/myAllocations', { symbol: 'BTCUSDT', ...params });
    const byOrder = await q({ orderId, fromAllocationId: 1 });
    expect(byOrder.json<Json[]>().map((a) => a.allocationId)).toEqual([1]);
    expect((await q({ limit: 1 })).json<Json[]>().map((a) => a.allocationId)).toEqual([0]);
    const bad = await q({ orderId, startTime: 1 });
    expect([bad.status, bad.json<Json>()]).toEqual([
      400,
      { code: -1128, msg: 'Combination of optional parameters invalid.' },
    ]);
    const long = await q({ startTime: 1, endTime: 1 + 86_400_001 });
    expect(long.json<Json>().code).toBe(-1127);
    expect((await sb.signed(taker, 'GET', '/myAllocations', { symbol: 'ETHBTC' })).json<Json[]>()).toEqual([]);
    const other = await sb.createAccount({});
    expect((await sb.signed(other, 'GET', '/myAllocations', { symbol: 'BTCUSDT' })).json<Json[]>()).toEqual([]);
  });

  it('refuses symbols without SOR and other order types; sor/order/test checks without placing', async () => {
    sb = await startTestSandbox(SOR_CONFIG);
    const a = await sb.createAccount({ USDT: '100000', BTC: '1' });
    const noSor = await sb.signed(a, 'POST', '/sor/order', {
      symbol: 'ETHBTC',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '0.05',
    });
    expect([noSor.status, noSor.json<Json>()]).toEqual([400, { code: -1013, msg: 'This symbol has no SOR.' }]);
    const counts = (await sb.signed(a, 'GET', '/rateLimit/order')).json<{ count: number }[]>();
    expect(counts.map((c) => c.count)).toEqual([0, 0]); // refused: not counted
    const stop = await sb.signed(a, 'POST', '/sor/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT_MAKER',
      quantity: '0.1',
      price: '40000',
    });
    expect([stop.status, stop.json<Json>()]).toEqual([400, { code: -1014, msg: 'Unsupported order combination.' }]);
    // a parameter of POST order that sor/order does not take (timestamp and signature count too)
    const quote = await sb.signed(a, 'POST', '/sor/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.1',
      quoteOrderQty: '100',
    });
    expect(quote.json<Json>()).toEqual({
      code: -1104,
      msg: "Not all sent parameters were read; read '6' parameter(s) but was sent '7'.",
    });
    const order = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.1',
      price: '30000',
    };
    const test = await sb.signed(a, 'POST', '/sor/order/test', order);
    expect([test.status, test.json<Json>()]).toEqual([200, {}]);
    const rates = await sb.signed(a, 'POST', '/sor/order/test', { ...order, computeCommissionRates: true });
    expect(Object.keys(rates.json<Json>())).toEqual([
      'standardCommissionForOrder',
      'taxCommissionForOrder',
      'discount',
    ]);
    expect((await sb.signed(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json<Json[]>()).toEqual([]);
    const testNoSor = await sb.signed(a, 'POST', '/sor/order/test', { ...order, symbol: 'ETHBTC', price: '0.05' });
    expect(testNoSor.json<Json>()).toEqual({ code: -1013, msg: 'This symbol has no SOR.' });
  });

  it('charges the documented weights: sor/order 0 when placed and 1 when refused, sor/order/test 1 or 20, myAllocations 20', async () => {
    sb = await startTestSandbox(SOR_CONFIG);
    const a = await sb.createAccount({ USDT: '100000' });
    const used = (res: { headers: Record<string, unknown> }) => Number(res.headers['x-mbx-used-weight-1m']);
    const order = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '29000',
    };
    let last = used(await sb.signed(a, 'GET', '/myAllocations', { symbol: 'BTCUSDT' }));
    const charged = async (method: string, path: string, params: Record<string, string | boolean>) => {
      const now = used(await sb.signed(a, method, path, params));
      const w = now - last;
      last = now;
      return w;
    };
    expect(await charged('GET', '/myAllocations', { symbol: 'BTCUSDT' })).toBe(20);
    expect(await charged('POST', '/sor/order/test', order)).toBe(1);
    expect(await charged('POST', '/sor/order/test', { ...order, computeCommissionRates: true })).toBe(20);
    expect(await charged('POST', '/sor/order', order)).toBe(0);
    expect(await charged('POST', '/sor/order', { ...order, symbol: 'ETHBTC', price: '0.05' })).toBe(1);
  });

  it('keeps allocations and working floors across a restart (shutdown snapshot, and the journal alone)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sor-'));
    try {
      const dataDir = join(dir, 'data');
      const crashDir = join(dir, 'crash');
      sb = await startTestSandbox({ ...SOR_CONFIG, dataDir });
      const { taker, res } = await routed();
      const orderId = res.json<Json>().orderId as number;
      const before = (await sb.signed(taker, 'GET', '/myAllocations', { symbol: 'BTCUSDT' })).text;
      cpSync(dataDir, crashDir, { recursive: true }); // what a kill -9 would leave: the journal, no snapshot
      await sb.close();
      for (const d of [dataDir, crashDir]) {
        sb = await startTestSandbox({ ...SOR_CONFIG, dataDir: d });
        expect((await sb.signed(taker, 'GET', '/myAllocations', { symbol: 'BTCUSDT' })).text, d).toBe(before);
        const order = (await sb.signed(taker, 'GET', '/order', { symbol: 'BTCUSDT', orderId })).json<Json>();
        expect(order, d).toMatchObject({ workingFloor: 'SOR', usedSor: true });
        await sb.close();
      }
      sb = await startTestSandbox();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
