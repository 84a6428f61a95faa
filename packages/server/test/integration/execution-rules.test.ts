/**
 * The price-range execution rule over HTTP: GET executionRules / referencePrice /
 * referencePrice/calculation (shapes, weights, -2043), a taker expired with
 * EXECUTION_RULE_PRICE_RANGE_EXCEEDED, the window running dry, and an EXTERNAL reference price set
 * through the admin API.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeAgents } from '../helpers/http.js';
import { limitParams, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
afterEach(() => sb.close());
afterAll(closeAgents);

type Json = Record<string, unknown>;

let ipSeq = 10;
/** A GET from a fresh client IP, so X-MBX-USED-WEIGHT-1M is exactly this request's weight. */
async function get(path: string) {
  const res = await sb.call(path, { localAddress: `127.0.1.${ipSeq++}` });
  return { status: res.status, weight: Number(res.headers['x-mbx-used-weight-1m']), body: res.json<Json>() };
}

const NO_REFERENCE_PRICE = { code: -2043, msg: "This symbol doesn't have a reference price." };

const RULES = {
  BTCUSDT: {
    priceRange: { bidLimitMultUp: '1.05', bidLimitMultDown: '0.9', askLimitMultUp: '1.1', askLimitMultDown: '0.95' },
    referencePrice: { calculationType: 'ARITHMETIC_MEAN', bucketCount: 10, bucketWidthMs: 1000 },
  },
  ETHUSDT: {
    priceRange: { askLimitMultDown: '0.99' },
    referencePrice: { calculationType: 'EXTERNAL', externalCalculationId: 2 },
  },
} as const;

describe('without execution rules (the default symbols)', () => {
  it('lists every symbol without rules and answers -2043 for reference prices', async () => {
    sb = await startTestSandbox();
    const all = await get('/api/v3/executionRules');
    expect(all.weight).toBe(40);
    expect(all.body).toEqual({
      symbolRules: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC'].map((symbol) => ({ symbol, rules: [] })),
    });
    for (const path of ['/api/v3/referencePrice?symbol=BTCUSDT', '/api/v3/referencePrice/calculation?symbol=BTCUSDT']) {
      const r = await get(path);
      expect([r.status, r.body, r.weight]).toEqual([400, NO_REFERENCE_PRICE, 2]);
    }
  });
});

describe('with a price range and an ARITHMETIC_MEAN reference price', () => {
  it('renders the rules and the calculation, with their weights and parameter errors', async () => {
    sb = await startTestSandbox({ executionRules: RULES });
    const one = await get('/api/v3/executionRules?symbol=BTCUSDT');
    expect(one.weight).toBe(2);
    expect(one.body).toEqual({
      symbolRules: [
        {
          symbol: 'BTCUSDT',
          rules: [
            {
              ruleType: 'PRICE_RANGE',
              bidLimitMultUp: '1.0500',
              bidLimitMultDown: '0.9000',
              askLimitMultUp: '1.1000',
              askLimitMultDown: '0.9500',
            },
          ],
        },
      ],
    });
    const two = await get(`/api/v3/executionRules?symbols=${encodeURIComponent('["ETHUSDT","BTCUSDT"]')}`);
    expect(two.weight).toBe(4);
    expect((two.body.symbolRules as Json[]).map((r) => [r.symbol, r.rules])).toEqual([
      ['BTCUSDT', [expect.objectContaining({ bidLimitMultUp: '1.0500' })]],
      ['ETHUSDT', [{ ruleType: 'PRICE_RANGE', askLimitMultDown: '0.9900' }]],
    ]);
    expect((await get('/api/v3/executionRules?symbolStatus=TRADING')).weight).toBe(40);
    const combo = await get('/api/v3/executionRules?symbol=BTCUSDT&symbolStatus=TRADING');
    expect([combo.status, combo.body.code]).toEqual([400, -1128]);
    const unknown = await get('/api/v3/referencePrice?symbol=NOPE');
    expect([unknown.status, unknown.body.code]).toEqual([400, -1121]);
    const missing = await get('/api/v3/referencePrice');
    expect([missing.status, missing.body.code]).toEqual([400, -1102]);

    expect((await get('/api/v3/referencePrice/calculation?symbol=BTCUSDT')).body).toEqual({
      symbol: 'BTCUSDT',
      calculationType: 'ARITHMETIC_MEAN',
      bucketCount: 10,
      bucketWidthMs: 1000,
    });
    expect((await get('/api/v3/referencePrice/calculation?symbol=ETHUSDT')).body).toEqual({
      symbol: 'ETHUSDT',
      calculationType: 'EXTERNAL',
      externalCalculationId: 2,
    });
    const halted = await get('/api/v3/referencePrice/calculation?symbol=BTCUSDT&symbolStatus=HALT');
    expect([halted.status, halted.body.code]).toEqual([400, -1220]);
  });

  it('averages trade prices, expires a taker that reaches past the range, and stops enforcing once the window is empty', async () => {
    sb = await startTestSandbox({ executionRules: RULES });
    const maker = await sb.createAccount({ BTC: '10' });
    const taker = await sb.createAccount({ USDT: '1000000' });
    expect((await get('/api/v3/referencePrice?symbol=BTCUSDT')).body).toEqual(NO_REFERENCE_PRICE);

    await sb.signed(maker, 'POST', '/order', limitParams('SELL', '0.1', '30000'));
    await sb.signed(taker, 'POST', '/order', limitParams('BUY', '0.1', '30000'));
    sb.clock.advance(1000);
    await sb.signed(maker, 'POST', '/order', limitParams('SELL', '0.1', '30010'));
    await sb.signed(taker, 'POST', '/order', limitParams('BUY', '0.1', '30010'));
    expect((await get('/api/v3/referencePrice?symbol=BTCUSDT')).body).toEqual({
      symbol: 'BTCUSDT',
      referencePrice: '30005.00000000',
      timestamp: sb.clock.now(),
    });
    const micro = await sb.call('/api/v3/referencePrice?symbol=BTCUSDT', {
      headers: { 'X-MBX-TIME-UNIT': 'MICROSECOND' },
    });
    expect(micro.json()).toMatchObject({ timestamp: sb.clock.now() * 1000 });

    // 30005 × 1.05 = 31505.25: the taker buys at 31000, then meets 31600 and expires
    await sb.signed(maker, 'POST', '/order', limitParams('SELL', '0.1', '31000'));
    await sb.signed(maker, 'POST', '/order', limitParams('SELL', '0.1', '31600'));
    const res = await sb.signed(taker, 'POST', '/order', limitParams('BUY', '0.3', '32000'));
    expect(res.status, res.text).toBe(200);
    expect(res.json<Json>()).toMatchObject({
      status: 'EXPIRED',
      expiryReason: 'EXECUTION_RULE_PRICE_RANGE_EXCEEDED',
      executedQty: '0.10000000',
      cummulativeQuoteQty: '3100.00000000',
      fills: [expect.objectContaining({ price: '31000.00000000', qty: '0.10000000' })],
    });
    const book = (await get('/api/v3/depth?symbol=BTCUSDT')).body;
    expect(book.asks).toEqual([['31600.00000000', '0.10000000']]);
    const usdt = (await sb.signed(taker, 'GET', '/account'))
      .json<{ balances: { asset: string; locked: string }[] }>()
      .balances.find((b) => b.asset === 'USDT');
    expect(usdt?.locked).toBe('0.00000000');

    // ten buckets of a second: 11 s later no trade is left in the window
    sb.clock.advance(11_000);
    expect((await get('/api/v3/referencePrice?symbol=BTCUSDT')).body).toMatchObject({ referencePrice: null });
    const free = await sb.signed(taker, 'POST', '/order', limitParams('BUY', '0.1', '32000'));
    expect(free.json<Json>()).toMatchObject({ status: 'FILLED', executedQty: '0.10000000' });
  });
});

describe('an EXTERNAL reference price', () => {
  it('is set and cleared through the admin API and limits SELL takers from below', async () => {
    sb = await startTestSandbox({ executionRules: RULES });
    expect((await get('/api/v3/referencePrice?symbol=ETHUSDT')).body).toEqual(NO_REFERENCE_PRICE);
    const set = await sb.admin('POST', '/sandbox/v1/referencePrice', { symbol: 'ETHUSDT', referencePrice: '3000' });
    expect(set.status, set.text).toBe(200);
    expect(set.json<Json>()).toEqual({ symbol: 'ETHUSDT', referencePrice: '3000.00000000', timestamp: sb.clock.now() });
    expect((await get('/api/v3/referencePrice?symbol=ETHUSDT')).body).toMatchObject({
      referencePrice: '3000.00000000',
    });

    const buyer = await sb.createAccount({ USDT: '100000' });
    const seller = await sb.createAccount({ ETH: '10' });
    const eth = (side: 'BUY' | 'SELL', quantity: string, price: string, extra: Json = {}) => ({
      symbol: 'ETHUSDT',
      side,
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity,
      price,
      ...extra,
    });
    await sb.signed(buyer, 'POST', '/order', eth('BUY', '1', '2980'));
    await sb.signed(buyer, 'POST', '/order', eth('BUY', '1', '2960'));
    // 3000 × 0.99 = 2970: the sell takes 2980 and expires at 2960 (upward it is not limited)
    const sell = await sb.signed(seller, 'POST', '/order', eth('SELL', '2', '2900'));
    expect(sell.json<Json>()).toMatchObject({
      status: 'EXPIRED',
      expiryReason: 'EXECUTION_RULE_PRICE_RANGE_EXCEEDED',
      executedQty: '1.00000000',
    });

    const cleared = await sb.admin('POST', '/sandbox/v1/referencePrice', { symbol: 'ETHUSDT', referencePrice: null });
    expect(cleared.json<Json>()).toMatchObject({ referencePrice: null });
    const again = await sb.signed(seller, 'POST', '/order', eth('SELL', '1', '2900'));
    expect(again.json<Json>()).toMatchObject({ status: 'FILLED' });
  });

  it('refuses bad admin requests', async () => {
    sb = await startTestSandbox({ executionRules: RULES });
    const bad = async (body: unknown) => {
      const res = await sb.admin('POST', '/sandbox/v1/referencePrice', body);
      return [res.status, res.json<{ error: string }>().error];
    };
    expect(await bad({ symbol: 'BTCUSDT', referencePrice: '30000' })).toEqual([
      400,
      'BTCUSDT has no EXTERNAL reference price (executionRules in the config)',
    ]);
    expect((await bad({ symbol: 'NOPE', referencePrice: '1' }))[1]).toMatch(/^symbol must be one of BTCUSDT/);
    expect((await bad({ symbol: 'ETHUSDT', referencePrice: 3000 }))[1]).toMatch(
      /^referencePrice must be a positive decimal/,
    );
    expect((await bad({ symbol: 'ETHUSDT', referencePrice: '1.123456789' }))[1]).toMatch(/^referencePrice must/);
    expect(await bad({ symbol: 'ETHUSDT', referencePrice: '0.00' })).toEqual([
      400,
      'referencePrice must be a positive decimal string with at most 8 decimals, or null',
    ]);
    expect((await bad({ symbol: 'ETHUSDT', price: '1' }))[1]).toMatch(/^unknown field "price"/);
  });
});

describe('after a restart', () => {
  it('comes back with the same reference prices from the shutdown snapshot and from the journal alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bsbx-refprice-'));
    try {
      const dataDir = join(dir, 'data');
      const crashDir = join(dir, 'crash');
      sb = await startTestSandbox({ executionRules: RULES, dataDir });
      const maker = await sb.createAccount({ BTC: '10' });
      const taker = await sb.createAccount({ USDT: '1000000' });
      await sb.signed(maker, 'POST', '/order', limitParams('SELL', '0.1', '30000'));
      await sb.signed(taker, 'POST', '/order', limitParams('BUY', '0.1', '30000'));
      await sb.admin('POST', '/sandbox/v1/clock/advance', { ms: 1500 }); // journaled, unlike sb.clock
      await sb.signed(maker, 'POST', '/order', limitParams('SELL', '0.1', '30011'));
      await sb.signed(taker, 'POST', '/order', limitParams('BUY', '0.1', '30011'));
      await sb.admin('POST', '/sandbox/v1/referencePrice', { symbol: 'ETHUSDT', referencePrice: '3000.5' });
      await sb.signed(maker, 'POST', '/order', limitParams('SELL', '0.1', '31600'));
      const before = [
        (await get('/api/v3/referencePrice?symbol=BTCUSDT')).body,
        (await get('/api/v3/referencePrice?symbol=ETHUSDT')).body,
      ];
      expect(before.map((b) => b.referencePrice)).toEqual(['30005.50000000', '3000.50000000']);
      cpSync(dataDir, crashDir, { recursive: true }); // what a kill -9 would leave: the journal, no shutdown snapshot
      await sb.close();
      for (const d of [dataDir, crashDir]) {
        sb = await startTestSandbox({ executionRules: RULES, dataDir: d });
        const after = [
          (await get('/api/v3/referencePrice?symbol=BTCUSDT')).body,
          (await get('/api/v3/referencePrice?symbol=ETHUSDT')).body,
        ];
        expect(after, d).toEqual(before);
        // and the rule still holds: 30005.5 × 1.05 = 31505.775 < 31600
        const res = await sb.signed(taker, 'POST', '/order', limitParams('BUY', '0.1', '31600'));
        expect(res.json<Json>(), d).toMatchObject({ expiryReason: 'EXECUTION_RULE_PRICE_RANGE_EXCEEDED' });
        await sb.close();
      }
      sb = await startTestSandbox();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
