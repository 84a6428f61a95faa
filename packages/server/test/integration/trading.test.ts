import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executionReport, type EngineEvent, type PlaceOrderCommand, type PlaceResult } from '../../src/engine/index.js';
import { cachedRender } from '../../src/user-data/user-events.js';
import { closeAgents, type HttpResponse } from '../helpers/http.js';
import {
  buyThenSellParams,
  limitParams,
  sellOcoParams,
  startTestSandbox,
  WORKING_BUY,
  type TestSandbox,
  type SignedParams,
} from '../helpers/sandbox.js';
import type { TestAccount } from '../helpers/sign.js';

let sb: TestSandbox;
beforeEach(async () => {
  sb = await startTestSandbox();
});
afterEach(() => sb.close());
afterAll(closeAgents);

type Json = Record<string, unknown>;
type Params = SignedParams;

const createAccount = (balances: Record<string, string>): Promise<TestAccount> => sb.createAccount(balances);

const api = (acct: TestAccount, method: string, path: string, params: Params = {}): Promise<HttpResponse> =>
  sb.signed(acct, method, path, params);

const limit = limitParams;

function balance(account: Json, asset: string): { free: string; locked: string } | undefined {
  const b = (account.balances as { asset: string; free: string; locked: string }[]).find((x) => x.asset === asset);
  return b ? { free: b.free, locked: b.locked } : undefined;
}

async function orderCounts(acct: TestAccount): Promise<number[]> {
  const res = await api(acct, 'GET', '/rateLimit/order');
  return res.json<{ count: number }[]>().map((r) => r.count);
}

describe('order life cycle over HTTP', () => {
  it('place LIMIT → openOrders → partial fill by another account → query → cancel → allOrders, balances conserved', async () => {
    const a = await createAccount({ USDT: '100000' });
    const b = await createAccount({ BTC: '10' });

    const placed = await api(a, 'POST', '/order', limit('BUY', '1', '30000', { newClientOrderId: 'life-1' }));
    expect(placed.status, placed.text).toBe(200);
    const p = placed.json<Json>();
    expect(p).toMatchObject({
      symbol: 'BTCUSDT',
      orderListId: -1,
      clientOrderId: 'life-1',
      transactTime: sb.clock.now(),
      price: '30000.00000000',
      origQty: '1.00000000',
      executedQty: '0.00000000',
      cummulativeQuoteQty: '0.00000000',
      status: 'NEW',
      timeInForce: 'GTC',
      type: 'LIMIT',
      side: 'BUY',
      workingTime: sb.clock.now(),
      selfTradePreventionMode: 'EXPIRE_MAKER',
      fills: [],
    });
    expect(placed.headers['x-mbx-order-count-10s']).toBe('1');
    expect(placed.headers['x-mbx-order-count-1d']).toBe('1');

    const open = await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' });
    expect(open.json<Json[]>().map((o) => [o.orderId, o.status])).toEqual([[p.orderId, 'NEW']]);
    expect((await api(a, 'GET', '/openOrders')).json<Json[]>()).toHaveLength(1);

    const sell = await api(b, 'POST', '/order', limit('SELL', '0.4', '30000'));
    expect(sell.status, sell.text).toBe(200);
    const s = sell.json<Json>();
    expect(s.status).toBe('FILLED');
    expect(s.fills).toEqual([
      {
        price: '30000.00000000',
        qty: '0.40000000',
        commission: '12.00000000',
        commissionAsset: 'USDT',
        tradeId: expect.any(Number),
      },
    ]);

    const q = (await api(a, 'GET', '/order', { symbol: 'BTCUSDT', orderId: p.orderId as number })).json<Json>();
    expect(q).toMatchObject({
      status: 'PARTIALLY_FILLED',
      executedQty: '0.40000000',
      cummulativeQuoteQty: '12000.00000000',
      isWorking: true,
    });
    expect(
      (await api(a, 'GET', '/order', { symbol: 'BTCUSDT', origClientOrderId: 'life-1' })).json<Json>().orderId,
    ).toBe(p.orderId);

    const acctA = (await api(a, 'GET', '/account')).json<Json>();
    expect(balance(acctA, 'USDT')).toEqual({ free: '70000.00000000', locked: '18000.00000000' });
    expect(balance(acctA, 'BTC')).toEqual({ free: '0.39960000', locked: '0.00000000' });

    const trades = (await api(a, 'GET', '/myTrades', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(trades).toEqual([
      {
        symbol: 'BTCUSDT',
        id: expect.any(Number),
        orderId: p.orderId,
        orderListId: -1,
        price: '30000.00000000',
        qty: '0.40000000',
        quoteQty: '12000.00000000',
        commission: '0.00040000',
        commissionAsset: 'BTC',
        time: sb.clock.now(),
        isBuyer: true,
        isMaker: true,
        isBestMatch: true,
      },
    ]);

    const cancel = await api(a, 'DELETE', '/order', { symbol: 'BTCUSDT', orderId: p.orderId as number });
    expect(cancel.status, cancel.text).toBe(200);
    expect(cancel.json()).toMatchObject({ origClientOrderId: 'life-1', status: 'CANCELED', executedQty: '0.40000000' });
    expect(cancel.headers['x-mbx-order-count-10s']).toBeUndefined();
    const again = await api(a, 'DELETE', '/order', { symbol: 'BTCUSDT', orderId: p.orderId as number });
    expect(again.status).toBe(400);
    expect(again.json()).toEqual({ code: -2011, msg: 'Unknown order sent.' });

    const all = (await api(a, 'GET', '/allOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(all.map((o) => [o.orderId, o.status, o.executedQty])).toEqual([[p.orderId, 'CANCELED', '0.40000000']]);
    expect((await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json()).toEqual([]);

    // conservation: every unit is in an account or in the fees
    const after = await Promise.all([a, b].map(async (x) => (await api(x, 'GET', '/account')).json<Json>()));
    const total = (asset: string) =>
      after.reduce((sum, acct) => {
        const bal = balance(acct, asset);
        return sum + (bal ? Math.round(Number(bal.free) * 1e8) + Math.round(Number(bal.locked) * 1e8) : 0);
      }, 0);
    expect(total('USDT') + 12 * 1e8).toBe(100000 * 1e8);
    expect(total('BTC') + 0.0004 * 1e8).toBe(10 * 1e8);
    expect(balance(after[0] as Json, 'USDT')).toEqual({ free: '88000.00000000', locked: '0.00000000' });
  });

  it('MARKET orders by quantity and by quoteOrderQty fill against the book with FULL fills', async () => {
    const a = await createAccount({ USDT: '100000' });
    const b = await createAccount({ BTC: '10' });
    await api(b, 'POST', '/order', limit('SELL', '1', '30000'));
    await api(b, 'POST', '/order', limit('SELL', '1', '30100'));

    const byQty = await api(a, 'POST', '/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.5' });
    expect(byQty.status, byQty.text).toBe(200);
    expect(byQty.json()).toMatchObject({
      type: 'MARKET',
      status: 'FILLED',
      executedQty: '0.50000000',
      cummulativeQuoteQty: '15000.00000000',
      fills: [{ price: '30000.00000000', qty: '0.50000000', commission: '0.00050000', commissionAsset: 'BTC' }],
    });

    const byQuote = await api(a, 'POST', '/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: '30100',
    });
    expect(byQuote.status, byQuote.text).toBe(200);
    const r = byQuote.json<Json & { fills: Json[] }>();
    expect(r).toMatchObject({ status: 'FILLED', origQuoteOrderQty: '30100.00000000' });
    expect(r.fills.map((f) => f.price)).toEqual(['30000.00000000', '30100.00000000']);
    expect(Number(r.cummulativeQuoteQty)).toBeLessThanOrEqual(30100);
    expect(Number(r.cummulativeQuoteQty)).toBeGreaterThan(30099);

    const ack = await api(a, 'POST', '/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.1',
      newOrderRespType: 'ACK',
    });
    expect(Object.keys(ack.json<Json>())).toEqual([
      'symbol',
      'orderId',
      'orderListId',
      'clientOrderId',
      'transactTime',
    ]);
    const result = await api(a, 'POST', '/order', limit('BUY', '0.1', '20000', { newOrderRespType: 'RESULT' }));
    expect(result.json<Json>().fills).toBeUndefined();
    expect(result.json<Json>().status).toBe('NEW');
  });
});

describe('order rejections over HTTP', () => {
  it('answers filter failures, insufficient balance, duplicate ids, unlisted STP modes and unknown symbols exactly, charging weight 1', async () => {
    const a = await createAccount({ USDT: '100000' });
    const ok = await api(a, 'POST', '/order', limit('BUY', '0.1', '30000', { newClientOrderId: 'dup' }));
    expect(ok.status).toBe(200);
    const w0 = Number(ok.headers['x-mbx-used-weight-1m']);
    const ok2 = await api(a, 'POST', '/order', limit('BUY', '0.1', '30000'));
    expect(Number(ok2.headers['x-mbx-used-weight-1m'])).toBe(w0); // success costs 0

    const filter = await api(a, 'POST', '/order', limit('BUY', '1', '0.001'));
    expect(filter.status).toBe(400);
    expect(filter.json()).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    expect(Number(filter.headers['x-mbx-used-weight-1m'])).toBe(w0 + 1); // failure costs 1
    expect(filter.headers['x-mbx-order-count-10s']).toBeUndefined();

    const lot = await api(a, 'POST', '/order', limit('BUY', '0.000001', '30000'));
    expect(lot.json()).toEqual({ code: -1013, msg: 'Filter failure: LOT_SIZE' });

    const poor = await api(a, 'POST', '/order', limit('BUY', '10', '30000'));
    expect(poor.status).toBe(400);
    expect(poor.json()).toEqual({ code: -2010, msg: 'Account has insufficient balance for requested action.' });

    const dup = await api(a, 'POST', '/order', limit('BUY', '0.1', '30000', { newClientOrderId: 'dup' }));
    expect(dup.json()).toEqual({ code: -2010, msg: 'Duplicate order sent.' });

    // a self-trade prevention mode the symbol does not list (BTCUSDT lists no NONE, as production)
    const stp = await api(a, 'POST', '/order', limit('BUY', '0.1', '30000', { selfTradePreventionMode: 'NONE' }));
    expect(stp.status).toBe(400);
    expect(stp.json()).toEqual({ code: -1130, msg: "Data sent for parameter 'selfTradePreventionMode' is not valid." });

    const sym = await api(a, 'POST', '/order', { ...limit('BUY', '1', '1'), symbol: 'NOPEUSDT' });
    expect(sym.json()).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    expect((await api(a, 'GET', '/openOrders', { symbol: 'NOPEUSDT' })).json()).toEqual({
      code: -1121,
      msg: 'Invalid symbol.',
    });

    // failed orders add nothing to the unfilled order count
    expect(await orderCounts(a)).toEqual([2, 2]);
    // nothing changed for the failures
    expect((await api(a, 'GET', '/openOrders')).json<Json[]>()).toHaveLength(2);
  });

  it('GET order answers -2026 for a canceled order without fills once the clock is over 90 days past it', async () => {
    const a = await createAccount({ USDT: '100000' });
    const p = (await api(a, 'POST', '/order', limit('BUY', '0.1', '30000', { newClientOrderId: 'old' }))).json<Json>();
    const kept = (await api(a, 'POST', '/order', limit('BUY', '0.1', '29000'))).json<Json>();
    await api(a, 'DELETE', '/order', { symbol: 'BTCUSDT', orderId: p.orderId as number });
    sb.clock.advance(90 * 86_400_000);
    expect((await api(a, 'GET', '/order', { symbol: 'BTCUSDT', orderId: p.orderId as number })).json()).toMatchObject({
      status: 'CANCELED',
    });
    sb.clock.advance(1);
    for (const ref of [{ orderId: p.orderId as number }, { origClientOrderId: 'old' }] as Params[]) {
      const res = await api(a, 'GET', '/order', { symbol: 'BTCUSDT', ...ref });
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({
        code: -2026,
        msg: 'Order was canceled or expired with no executed qty over 90 days ago and has been archived.',
      });
    }
    const all = (await api(a, 'GET', '/allOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(all.map((o) => o.orderId)).toEqual([kept.orderId]);
  });

  it('GET/DELETE order errors: -2013, -2039, -2011, missing ids -1102', async () => {
    const a = await createAccount({ USDT: '100000' });
    const p = (await api(a, 'POST', '/order', limit('BUY', '0.1', '30000', { newClientOrderId: 'x1' }))).json<Json>();
    expect((await api(a, 'GET', '/order', { symbol: 'BTCUSDT', orderId: 999 })).json()).toEqual({
      code: -2013,
      msg: 'Order does not exist.',
    });
    expect(
      (
        await api(a, 'GET', '/order', { symbol: 'BTCUSDT', orderId: p.orderId as number, origClientOrderId: 'other' })
      ).json(),
    ).toEqual({
      code: -2039,
      msg: 'Client order ID is not correct for this order ID.',
    });
    expect(
      (
        await api(a, 'DELETE', '/order', {
          symbol: 'BTCUSDT',
          orderId: p.orderId as number,
          origClientOrderId: 'other',
        })
      ).json(),
    ).toEqual({ code: -2011, msg: 'Unknown order sent.' });
    expect((await api(a, 'DELETE', '/order', { symbol: 'BTCUSDT' })).json()).toEqual({
      code: -1102,
      msg: "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!",
    });
    const byClient = await api(a, 'DELETE', '/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'x1',
      newClientOrderId: 'c1',
    });
    expect(byClient.json()).toMatchObject({
      orderId: p.orderId,
      origClientOrderId: 'x1',
      clientOrderId: 'c1',
      status: 'CANCELED',
    });
  });

  it('DELETE /openOrders cancels everything on the symbol; -2011 when nothing is open', async () => {
    const a = await createAccount({ USDT: '100000' });
    await api(a, 'POST', '/order', limit('BUY', '0.1', '30000'));
    await api(a, 'POST', '/order', limit('BUY', '0.1', '29000'));
    const res = await api(a, 'DELETE', '/openOrders', { symbol: 'BTCUSDT' });
    expect(res.status, res.text).toBe(200);
    expect(res.json<Json[]>().map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect((await api(a, 'DELETE', '/openOrders', { symbol: 'BTCUSDT' })).json()).toEqual({
      code: -2011,
      msg: 'Unknown order sent.',
    });
  });
});

describe('POST /api/v3/order/test', () => {
  it('validates without changing anything; computeCommissionRates gives the rates', async () => {
    const a = await createAccount({ USDT: '100000' });
    const res = await api(a, 'POST', '/order/test', limit('BUY', '1', '30000'));
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toEqual({});
    expect((await api(a, 'GET', '/openOrders')).json()).toEqual([]);
    expect(await orderCounts(a)).toEqual([0, 0]);
    const rates = await api(a, 'POST', '/order/test', limit('BUY', '1', '30000', { computeCommissionRates: true }));
    expect(rates.json()).toEqual({
      standardCommissionForOrder: { maker: '0.00100000', taker: '0.00100000' },
      specialCommissionForOrder: { maker: '0.00000000', taker: '0.00000000' },
      taxCommissionForOrder: { maker: '0.00000000', taker: '0.00000000' },
      discount: { enabledForAccount: false, enabledForSymbol: false, discountAsset: 'BNB', discount: '0.25000000' },
    });
    expect((await api(a, 'POST', '/order/test', limit('BUY', '1', '0.001'))).json()).toEqual({
      code: -1013,
      msg: 'Filter failure: PRICE_FILTER',
    });
  });
});

describe('account endpoints', () => {
  it('GET /account has Binance fields; omitZeroBalances drops empty assets', async () => {
    const a = await createAccount({ USDT: '100', BTC: '0' });
    const res = await api(a, 'GET', '/account');
    expect(res.headers['x-mbx-used-weight-1m']).toBeDefined();
    const body = res.json<Json>();
    expect(Object.keys(body)).toEqual([
      'makerCommission',
      'takerCommission',
      'buyerCommission',
      'sellerCommission',
      'commissionRates',
      'canTrade',
      'canWithdraw',
      'canDeposit',
      'brokered',
      'requireSelfTradePrevention',
      'preventSor',
      'updateTime',
      'accountType',
      'balances',
      'permissions',
      'uid',
    ]);
    expect(body).toMatchObject({
      makerCommission: 10,
      takerCommission: 10,
      commissionRates: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
      accountType: 'SPOT',
    });
    expect(balance(body, 'BTC')).toEqual({ free: '0.00000000', locked: '0.00000000' });
    const omitted = (await api(a, 'GET', '/account', { omitZeroBalances: true })).json<Json>();
    expect(omitted.balances).toEqual([{ asset: 'USDT', free: '100.00000000', locked: '0.00000000' }]);
  });

  it('GET /account/commission', async () => {
    const a = await createAccount({});
    const r4 = { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' };
    const zero = { maker: '0.00000000', taker: '0.00000000', buyer: '0.00000000', seller: '0.00000000' };
    expect((await api(a, 'GET', '/account/commission', { symbol: 'BTCUSDT' })).json()).toEqual({
      symbol: 'BTCUSDT',
      standardCommission: r4,
      specialCommission: zero,
      taxCommission: zero,
      discount: { enabledForAccount: false, enabledForSymbol: false, discountAsset: 'BNB', discount: '0.25000000' },
    });
  });

  it('GET /myTrades: parameter combinations and the 24 h rule', async () => {
    const a = await createAccount({ USDT: '1000' });
    const t = sb.clock.now();
    expect(
      (await api(a, 'GET', '/myTrades', { symbol: 'BTCUSDT', startTime: t - 86_400_001, endTime: t })).json(),
    ).toEqual({
      code: -1127,
      msg: 'More than 24 hours between startTime and endTime.',
    });
    expect(
      (await api(a, 'GET', '/myTrades', { symbol: 'BTCUSDT', startTime: t - 86_400_000, endTime: t })).json(),
    ).toEqual([]);
    expect((await api(a, 'GET', '/myTrades', { symbol: 'BTCUSDT', fromId: 1, startTime: t })).json()).toEqual({
      code: -1128,
      msg: 'Combination of optional parameters invalid.',
    });
    expect((await api(a, 'GET', '/myTrades', { symbol: 'BTCUSDT', orderId: 1, fromId: 1 })).status).toBe(200);
    expect(
      (await api(a, 'GET', '/allOrders', { symbol: 'BTCUSDT', startTime: t - 86_400_001, endTime: t })).json<Json>()
        .code,
    ).toBe(-1127);
  });
});

describe('ORDERS limiter counting', () => {
  it('counts unfilled orders in X-MBX-ORDER-COUNT-*, refuses the 51st with 429 -1015 and no Retry-After, and a first fill gives one back', async () => {
    const a = await createAccount({ USDT: '1000000' });
    const b = await createAccount({ BTC: '10' });
    for (let i = 1; i <= 50; i++) {
      const res = await api(a, 'POST', '/order', limit('BUY', '0.01', String(20000 + i)));
      expect(res.status, res.text).toBe(200);
      expect(res.headers['x-mbx-order-count-10s']).toBe(String(i));
      expect(res.headers['x-mbx-order-count-1d']).toBe(String(i));
    }
    const refused = await api(a, 'POST', '/order', limit('BUY', '0.01', '20000'));
    expect(refused.status).toBe(429);
    expect(refused.json()).toEqual({
      code: -1015,
      msg: 'Too many new orders; current limit is 50 orders per 10 SECOND.',
    });
    expect(refused.headers['retry-after']).toBeUndefined();

    // b sells into a's best bid: that order's first fill decrements a's count
    const sell = await api(b, 'POST', '/order', limit('SELL', '0.005', '20050'));
    expect(sell.json<Json>().status).toBe('FILLED');
    expect(await orderCounts(a)).toEqual([49, 49]);
    // the taker's own immediate fill also gives its count back
    expect(await orderCounts(b)).toEqual([0, 0]);
    // a second fill of the same order does not decrement again
    await api(b, 'POST', '/order', limit('SELL', '0.005', '20050'));
    expect(await orderCounts(a)).toEqual([49, 49]);

    const next = await api(a, 'POST', '/order', limit('BUY', '0.01', '20000'));
    expect(next.status).toBe(200);
    expect(next.headers['x-mbx-order-count-10s']).toBe('50');

    // the 10 s window resets; the day keeps counting; cancels do not give anything back
    sb.clock.advance(10_000);
    await api(a, 'DELETE', '/openOrders', { symbol: 'BTCUSDT' });
    const later = await api(a, 'POST', '/order', limit('BUY', '0.01', '20000'));
    expect(later.headers['x-mbx-order-count-10s']).toBe('1');
    expect(later.headers['x-mbx-order-count-1d']).toBe('51');
  });
});

describe('POST /api/v3/order/cancelReplace', () => {
  const cr = (extra: Params): Params => ({
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.1',
    price: '29000',
    cancelReplaceMode: 'STOP_ON_FAILURE',
    ...extra,
  });

  it('200 when both succeed', async () => {
    const a = await createAccount({ USDT: '100000' });
    const p = (await api(a, 'POST', '/order', limit('BUY', '0.1', '30000'))).json<Json>();
    const res = await api(a, 'POST', '/order/cancelReplace', cr({ cancelOrderId: p.orderId as number }));
    expect(res.status, res.text).toBe(200);
    const body = res.json<Json>();
    expect(body).toMatchObject({
      cancelResult: 'SUCCESS',
      newOrderResult: 'SUCCESS',
      cancelResponse: { orderId: p.orderId, status: 'CANCELED' },
      newOrderResponse: { status: 'NEW', price: '29000.00000000', fills: [] },
    });
    expect(Object.keys(body)).toEqual(['cancelResult', 'newOrderResult', 'cancelResponse', 'newOrderResponse']);
    expect(res.headers['x-mbx-order-count-10s']).toBe('2');
  });

  it('cancels and places in one step: an order arriving meanwhile meets the new order, never an empty book', async () => {
    const maker = await createAccount({ BTC: '1' });
    const taker = await createAccount({ USDT: '100000' });
    const old = (await api(maker, 'POST', '/order', limit('SELL', '0.1', '30000'))).json<Json>();
    // an order that arrives while the cancel is being made durable: sent as soon as the cancel is out
    let meanwhile: Promise<unknown> | undefined;
    const stop = sb.ctx.exchange.onEvents((events) => {
      if (meanwhile !== undefined) return;
      if (!events.some((e) => e.type === 'execution' && e.status === 'CANCELED')) return;
      meanwhile = Promise.resolve().then(() =>
        sb.ctx.exchange.submit('placeOrder', {
          now: sb.clock.now(),
          accountId: taker.accountId,
          ...limitParams('BUY', '0.1', '30100', { timeInForce: 'IOC' }),
        } as PlaceOrderCommand),
      );
    });
    const res = await api(
      maker,
      'POST',
      '/order/cancelReplace',
      cr({ side: 'SELL', price: '30100', cancelOrderId: old.orderId as number }),
    );
    stop();
    expect(res.status, res.text).toBe(200);
    const ioc = (await meanwhile) as PlaceResult;
    expect(ioc.order.status).toBe('FILLED');
    expect(ioc.fills.map((f) => [f.price, f.qty])).toEqual([[30100e8, 0.1e8]]); // the new order, the only ask
  });

  it('400 -2022 when the cancel fails with STOP_ON_FAILURE (new order not attempted, still counted)', async () => {
    const a = await createAccount({ USDT: '100000' });
    const res = await api(a, 'POST', '/order/cancelReplace', cr({ cancelOrderId: 12345 }));
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      code: -2022,
      msg: 'Order cancel-replace failed.',
      data: {
        cancelResult: 'FAILURE',
        newOrderResult: 'NOT_ATTEMPTED',
        cancelResponse: { code: -2011, msg: 'Unknown order sent.' },
        newOrderResponse: null,
      },
    });
    expect(await orderCounts(a)).toEqual([1, 1]);
    expect((await api(a, 'GET', '/openOrders')).json()).toEqual([]);
  });

  it('409 -2021 when the cancel succeeds and the new order fails, or the reverse with ALLOW_FAILURE', async () => {
    const a = await createAccount({ USDT: '100000' });
    const p = (await api(a, 'POST', '/order', limit('BUY', '0.1', '30000'))).json<Json>();
    const res = await api(
      a,
      'POST',
      '/order/cancelReplace',
      cr({ cancelOrderId: p.orderId as number, quantity: '100' }),
    );
    expect(res.status).toBe(409);
    const body = res.json<{ code: number; msg: string; data: Json }>();
    expect(body.code).toBe(-2021);
    expect(body.msg).toBe('Order cancel-replace partially failed.');
    expect(body.data).toMatchObject({
      cancelResult: 'SUCCESS',
      newOrderResult: 'FAILURE',
      cancelResponse: { orderId: p.orderId, status: 'CANCELED' },
      newOrderResponse: { code: -2010, msg: 'Account has insufficient balance for requested action.' },
    });

    const f = await api(
      a,
      'POST',
      '/order/cancelReplace',
      cr({ cancelOrderId: 777, cancelReplaceMode: 'ALLOW_FAILURE' }),
    );
    expect(f.status).toBe(409);
    expect(f.json<{ data: Json }>().data).toMatchObject({
      cancelResult: 'FAILURE',
      newOrderResult: 'SUCCESS',
      cancelResponse: { code: -2011, msg: 'Unknown order sent.' },
      newOrderResponse: { status: 'NEW' },
    });

    const ff = await api(
      a,
      'POST',
      '/order/cancelReplace',
      cr({ cancelOrderId: 777, cancelReplaceMode: 'ALLOW_FAILURE', quantity: '100' }),
    );
    expect(ff.status).toBe(400);
    expect(ff.json<{ code: number; data: Json }>()).toMatchObject({
      code: -2022,
      data: { cancelResult: 'FAILURE', newOrderResult: 'FAILURE' },
    });
  });

  it('filter failures of the new order are plain errors and the cancel is not attempted', async () => {
    const a = await createAccount({ USDT: '100000' });
    const p = (await api(a, 'POST', '/order', limit('BUY', '0.1', '30000'))).json<Json>();
    const res = await api(
      a,
      'POST',
      '/order/cancelReplace',
      cr({ cancelOrderId: p.orderId as number, price: '0.001' }),
    );
    expect(res.json()).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    expect((await api(a, 'GET', '/openOrders')).json<Json[]>()).toHaveLength(1);
  });

  it('ORDERS exhausted: DO_NOTHING answers plain -1015; CANCEL_ONLY still cancels (429 / 409)', async () => {
    const a = await createAccount({ USDT: '1000000' });
    const ids: number[] = [];
    for (let i = 0; i < 50; i++)
      ids.push(
        (await api(a, 'POST', '/order', limit('BUY', '0.01', String(20000 + i)))).json<Json>().orderId as number,
      );
    const plain = await api(a, 'POST', '/order/cancelReplace', cr({ cancelOrderId: ids[0] as number }));
    expect(plain.status).toBe(429);
    expect(plain.json()).toEqual({
      code: -1015,
      msg: 'Too many new orders; current limit is 50 orders per 10 SECOND.',
    });

    const stop = await api(
      a,
      'POST',
      '/order/cancelReplace',
      cr({ cancelOrderId: ids[0] as number, orderRateLimitExceededMode: 'CANCEL_ONLY' }),
    );
    expect(stop.status).toBe(429);
    expect(stop.json()).toMatchObject({
      code: -2021,
      data: {
        cancelResult: 'SUCCESS',
        newOrderResult: 'FAILURE',
        newOrderResponse: { code: -1015, msg: 'Too many new orders; current limit is 50 orders per 10 SECOND.' },
      },
    });
    const allow = await api(
      a,
      'POST',
      '/order/cancelReplace',
      cr({
        cancelOrderId: ids[1] as number,
        orderRateLimitExceededMode: 'CANCEL_ONLY',
        cancelReplaceMode: 'ALLOW_FAILURE',
      }),
    );
    expect(allow.status).toBe(409);
    expect(allow.json<{ data: Json }>().data).toMatchObject({ cancelResult: 'SUCCESS', newOrderResult: 'FAILURE' });
    const ff = await api(
      a,
      'POST',
      '/order/cancelReplace',
      cr({ cancelOrderId: 99999, orderRateLimitExceededMode: 'CANCEL_ONLY', cancelReplaceMode: 'ALLOW_FAILURE' }),
    );
    expect(ff.status).toBe(400);
    expect(ff.json<Json>().code).toBe(-2022);
    expect((await api(a, 'GET', '/openOrders')).json<Json[]>()).toHaveLength(48);
  });
});

describe('order lists', () => {
  it('places an OCO (counts 2), lists it, cancels it', async () => {
    const a = await createAccount({ BTC: '1' });
    const res = await api(a, 'POST', '/orderList/oco', sellOcoParams({ listClientOrderId: 'oco-1' }));
    expect(res.status, res.text).toBe(200);
    const list = res.json<Json & { orders: Json[]; orderReports: Json[] }>();
    expect(list).toMatchObject({
      contingencyType: 'OCO',
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      listClientOrderId: 'oco-1',
    });
    expect(list.orders).toHaveLength(2);
    expect(res.headers['x-mbx-order-count-10s']).toBe('2');

    const open = (await api(a, 'GET', '/openOrderList')).json<Json[]>();
    expect(open.map((l) => l.orderListId)).toEqual([list.orderListId]);
    const one = (await api(a, 'GET', '/orderList', { origClientOrderId: 'oco-1' })).json<Json>();
    expect(one).toMatchObject({ orderListId: list.orderListId, listStatusType: 'EXEC_STARTED' });
    expect(one.orderReports).toBeUndefined();

    const cancel = await api(a, 'DELETE', '/orderList', { symbol: 'BTCUSDT', orderListId: list.orderListId as number });
    expect(cancel.status, cancel.text).toBe(200);
    expect(cancel.json()).toMatchObject({ listStatusType: 'ALL_DONE', listOrderStatus: 'ALL_DONE' });
    expect((await api(a, 'GET', '/openOrderList')).json()).toEqual([]);
    expect((await api(a, 'GET', '/allOrderList')).json<Json[]>()).toHaveLength(1);
  });
});

describe('order list legs: a missing or malformed parameter is named as the request names it', () => {
  const oco = sellOcoParams();
  const oto = buyThenSellParams();
  const otoco: Params = {
    ...WORKING_BUY,
    pendingSide: 'SELL',
    pendingQuantity: '0.1',
    pendingAboveType: 'LIMIT_MAKER',
    pendingAbovePrice: '35000',
    pendingBelowType: 'STOP_LOSS',
    pendingBelowStopPrice: '25000',
  };
  const legacy: Params = { symbol: 'BTCUSDT', side: 'SELL', quantity: '0.1', price: '35000', stopPrice: '25100' };
  const without = (p: Params, ...names: string[]): Params =>
    Object.fromEntries(Object.entries(p).filter(([k]) => !names.includes(k)));
  const mandatory = (name: string) => ({
    code: -1102,
    msg: `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  });
  const notRequired = (name: string) => ({ code: -1106, msg: `Parameter '${name}' sent when not required.` });
  const precision = (name: string) => ({
    code: -1111,
    msg: `Parameter '${name}' has too much precision.`,
  });
  const icebergNotGtc = (name: string) => ({
    code: -1160,
    msg: `Parameter '${name}' is not supported if \`aboveTimeInForce\`/\`belowTimeInForce\` is not GTC.`,
  });

  it.each<[string, string, Params, { code: number; msg: string }]>([
    ['OCO', '/orderList/oco', without(oco, 'belowStopPrice'), mandatory('belowStopPrice')],
    ['OCO', '/orderList/oco', without(oco, 'belowTimeInForce'), mandatory('belowTimeInForce')],
    ['OCO', '/orderList/oco', without(oco, 'abovePrice'), mandatory('abovePrice')],
    ['OCO', '/orderList/oco', { ...oco, aboveTimeInForce: 'GTC' }, notRequired('aboveTimeInForce')],
    ['OCO', '/orderList/oco', { ...oco, abovePrice: '35000.000000001' }, precision('abovePrice')],
    ['OCO', '/orderList/oco', { ...oco, quantity: '0.1000000001' }, precision('quantity')],
    ['OTO', '/orderList/oto', without(oto, 'pendingPrice'), mandatory('pendingPrice')],
    [
      'OTO',
      '/orderList/oto',
      { ...without(oto, 'pendingTimeInForce'), pendingType: 'STOP_LOSS', pendingStopPrice: '29000' },
      notRequired('pendingPrice'),
    ],
    ['OTO', '/orderList/oto', { ...oto, pendingQuantity: '0.1000000001' }, precision('pendingQuantity')],
    ['OTOCO', '/orderList/otoco', without(otoco, 'pendingBelowStopPrice'), mandatory('pendingBelowStopPrice')],
    ['OTOCO', '/orderList/otoco', { ...otoco, pendingAbovePrice: '35000.000000001' }, precision('pendingAbovePrice')],
    ['OTOCO', '/orderList/otoco', without(otoco, 'workingTimeInForce'), mandatory('workingTimeInForce')],
    [
      'OCO',
      '/orderList/oco',
      { ...oco, belowIcebergQty: '0.01', belowTimeInForce: 'IOC' },
      icebergNotGtc('belowIcebergQty'),
    ],
    [
      'OTOCO',
      '/orderList/otoco',
      {
        ...otoco,
        pendingBelowType: 'STOP_LOSS_LIMIT',
        pendingBelowPrice: '25000',
        pendingBelowTimeInForce: 'IOC',
        pendingBelowIcebergQty: '0.01',
      },
      icebergNotGtc('pendingBelowIcebergQty'),
    ],
    ['order/oco', '/order/oco', { ...legacy, price: '35000.000000001' }, precision('price')],
    [
      'order/oco',
      '/order/oco',
      { ...legacy, stopLimitPrice: '25000', stopLimitTimeInForce: 'IOC', stopIcebergQty: '0.01' },
      icebergNotGtc('stopIcebergQty'),
    ],
    [
      'order/oco',
      '/order/oco',
      { ...legacy, stopLimitPrice: '25000.000000001', stopLimitTimeInForce: 'GTC' },
      precision('stopLimitPrice'),
    ],
  ])('%s %s: %j', async (_kind, path, params, error) => {
    const a = await createAccount({ BTC: '1', USDT: '100000' });
    const res = await api(a, 'POST', path, params);
    expect(res.json()).toEqual(error);
    expect(res.status).toBe(400);
  });
});

describe('deprecated POST /api/v3/order/oco and GET /api/v3/myFilters', () => {
  it('order/oco: the limit leg above for a SELL, the stop below (STOP_LOSS_LIMIT with stopLimitPrice); counts 2', async () => {
    const a = await createAccount({ BTC: '1', USDT: '100000' });
    const used = Number((await sb.call('/api/v3/ping')).headers['x-mbx-used-weight-1m']);
    const res = await api(a, 'POST', '/order/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.1',
      price: '35000',
      stopPrice: '25100',
      stopLimitPrice: '25000',
      stopLimitTimeInForce: 'GTC',
      limitClientOrderId: 'lim-1',
      stopClientOrderId: 'stop-1',
      listClientOrderId: 'legacy-1',
    });
    expect(res.status, res.text).toBe(200);
    const list = res.json<Json & { orders: Json[]; orderReports: Json[] }>();
    expect(list).toMatchObject({
      contingencyType: 'OCO',
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      listClientOrderId: 'legacy-1',
      symbol: 'BTCUSDT',
    });
    expect(res.headers['x-mbx-order-count-10s']).toBe('2');
    expect(res.headers['x-mbx-used-weight-1m']).toBe(String(used)); // successful order entry: no weight
    expect(list.orderReports.map((o) => [o.clientOrderId, o.type, o.price, o.stopPrice, o.timeInForce])).toEqual([
      ['stop-1', 'STOP_LOSS_LIMIT', '25000.00000000', '25100.00000000', 'GTC'],
      ['lim-1', 'LIMIT_MAKER', '35000.00000000', undefined, 'GTC'],
    ]);
    // a BUY: the limit leg below the market, a plain STOP_LOSS above
    const buy = await api(a, 'POST', '/order/oco', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      quantity: '0.1',
      price: '25000',
      stopPrice: '35000',
    });
    expect(buy.status, buy.text).toBe(200);
    const legs = buy.json<{ orderReports: Json[] }>().orderReports.map((o) => [o.type, o.side]);
    expect(legs).toEqual([
      ['LIMIT_MAKER', 'BUY'],
      ['STOP_LOSS', 'BUY'],
    ]);
    // the stop-limit pair of parameters goes together; wrong price relationship is refused
    const cases: [Params, number, string][] = [
      [
        { stopLimitPrice: '25000' },
        -1102,
        "Mandatory parameter 'stopLimitTimeInForce' was not sent, was empty/null, or malformed.",
      ],
      [{ stopLimitTimeInForce: 'GTC' }, -1106, "Parameter 'stopLimitTimeInForce' sent when not required."],
      [{ price: '25050' }, -2010, 'The relationship of the prices for the orders is not correct.'],
    ];
    for (const [extra, code, msg] of cases) {
      const bad = await api(a, 'POST', '/order/oco', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        quantity: '0.1',
        price: '35000',
        stopPrice: '25100',
        ...extra,
      });
      expect(bad.json(), JSON.stringify(extra)).toEqual({ code, msg });
    }
  });

  it('myFilters: the exchange filters and the symbol filters that limit an account', async () => {
    const a = await createAccount({});
    const res = await api(a, 'GET', '/myFilters', { symbol: 'BTCUSDT' });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['x-mbx-used-weight-1m']).toBe('40');
    const body = res.json<{ exchangeFilters: Json[]; symbolFilters: Json[]; assetFilters: Json[] }>();
    expect(body.exchangeFilters).toEqual(sb.ctx.config.exchangeFilters);
    expect(body.symbolFilters.map((f) => f.filterType)).toEqual(
      expect.arrayContaining(['MAX_NUM_ORDERS', 'MAX_NUM_ORDER_AMENDS']),
    );
    expect(body.symbolFilters.map((f) => f.filterType)).not.toContain('LOT_SIZE');
    expect(body.assetFilters).toEqual([]);
    expect((await api(a, 'GET', '/myFilters', { symbol: 'NOPE' })).json()).toEqual({
      code: -1121,
      msg: 'Invalid symbol.',
    });
  });

  it('MAX_ASSET from the config: listed by myFilters for the symbols of its asset, enforced per order', async () => {
    await sb.close();
    sb = await startTestSandbox({ assetFilters: [{ filterType: 'MAX_ASSET', asset: 'BTC', limit: '0.50000000' }] });
    const a = await createAccount({ USDT: '100000', BTC: '1' });
    const filters = async (symbol: string) =>
      (await api(a, 'GET', '/myFilters', { symbol })).json<{ assetFilters: Json[] }>().assetFilters;
    expect(await filters('BTCUSDT')).toEqual([{ filterType: 'MAX_ASSET', asset: 'BTC', limit: '0.50000000' }]);
    expect(await filters('ETHBTC')).toEqual([{ filterType: 'MAX_ASSET', asset: 'BTC', limit: '0.50000000' }]);
    expect(await filters('ETHUSDT')).toEqual([]);
    const over = await api(a, 'POST', '/order', limit('SELL', '0.6', '40000'));
    expect([over.status, over.json()]).toEqual([400, { code: -1013, msg: 'Filter failure: MAX_ASSET' }]);
    expect((await api(a, 'POST', '/order', limit('SELL', '0.5', '40000'))).status).toBe(200);
  });
});

describe('trailing stops over HTTP', () => {
  it('trailingDelta (stopPrice optional): trailingDelta / trailingTime in the answers, d / D in executionReport', async () => {
    const a = await createAccount({ BTC: '1' });
    const b = await createAccount({ USDT: '100000' });
    const c = await createAccount({ BTC: '1' });
    await api(c, 'POST', '/order', limit('SELL', '0.001', '30000'));
    await api(b, 'POST', '/order', limit('BUY', '0.001', '30000')); // last price 30000
    const events: EngineEvent[] = [];
    sb.ctx.exchange.onEvents((evs) => events.push(...evs));
    const res = await api(a, 'POST', '/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS_LIMIT',
      timeInForce: 'GTC',
      quantity: '0.1',
      price: '29000',
      trailingDelta: 100,
      newOrderRespType: 'RESULT',
    });
    expect(res.status, res.text).toBe(200);
    const o = res.json<Json>();
    expect(o).toMatchObject({
      type: 'STOP_LOSS_LIMIT',
      status: 'NEW',
      trailingDelta: 100,
      trailingTime: sb.clock.now(),
    });
    expect(o.stopPrice).toBeUndefined();
    const report = events.flatMap((e) => (e.type === 'execution' ? [executionReport(e)] : []))[0]!;
    expect(report).toMatchObject({ x: 'NEW', d: 100, D: sb.clock.now() });
    const q = (await api(a, 'GET', '/order', { symbol: 'BTCUSDT', orderId: o.orderId as number })).json<Json>();
    expect(q).toMatchObject({ trailingDelta: 100, trailingTime: sb.clock.now(), isWorking: false });
    // X-MBX-TIME-UNIT: MICROSECOND scales trailingTime as every other time; D of the report too
    const us = sb.clock.now() * 1000;
    const inMicros = await sb.signed(
      a,
      'GET',
      '/order',
      { symbol: 'BTCUSDT', orderId: o.orderId as number },
      {
        'X-MBX-TIME-UNIT': 'MICROSECOND',
      },
    );
    expect(inMicros.json()).toMatchObject({ time: us, updateTime: us, trailingTime: us });
    expect(JSON.parse(cachedRender(report)(1000))).toMatchObject({ E: us, O: us, D: us, d: 100 });
    // a fall of 1 % from the high (30000) fires it
    sb.clock.advance(1000);
    await api(c, 'POST', '/order', limit('SELL', '0.001', '29700'));
    await api(b, 'POST', '/order', limit('BUY', '0.001', '29700'));
    const fired = (await api(a, 'GET', '/order', { symbol: 'BTCUSDT', orderId: o.orderId as number })).json<Json>();
    expect(fired).toMatchObject({ isWorking: true, workingTime: sb.clock.now(), trailingDelta: 100 });
    const bad = await api(a, 'POST', '/order', limit('SELL', '0.1', '31000', { trailingDelta: 100 }));
    expect(bad.json()).toEqual({ code: -1106, msg: "Parameter 'trailingDelta' sent when not required." });
  });
});

describe('trailing legs in OCO lists', () => {
  it('a trailing stop-loss leg without a stop price: when it fires, the limit leg expires (OCO_TRIGGER)', async () => {
    const a = await createAccount({ BTC: '1' });
    const b = await createAccount({ USDT: '100000' });
    const c = await createAccount({ BTC: '1' });
    const tradeAt = async (price: string) => {
      sb.clock.advance(1000);
      await api(c, 'POST', '/order', limit('SELL', '0.001', price));
      await api(b, 'POST', '/order', limit('BUY', '0.001', price));
    };
    await tradeAt('30000');
    const res = await api(a, 'POST', '/orderList/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.1',
      aboveType: 'LIMIT_MAKER',
      abovePrice: '33000',
      belowType: 'STOP_LOSS',
      belowTrailingDelta: 200, // 2 %
    });
    expect(res.status, res.text).toBe(200);
    const reports = res.json<{ orderReports: Json[] }>().orderReports;
    expect(reports.map((o) => [o.type, o.trailingDelta, o.trailingTime])).toEqual([
      ['STOP_LOSS', 200, sb.clock.now()],
      ['LIMIT_MAKER', undefined, undefined],
    ]);
    await tradeAt('31000'); // new high
    await tradeAt('30381'); // 1.99 % below it
    expect((await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json<Json[]>()).toHaveLength(2);
    await api(b, 'POST', '/order', limit('BUY', '1', '30000')); // liquidity for the stop's market sell
    await tradeAt('30380'); // 31000 × 0.98
    const all = (await api(a, 'GET', '/allOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(all.map((o) => [o.type, o.status])).toEqual([
      ['STOP_LOSS', 'FILLED'],
      ['LIMIT_MAKER', 'EXPIRED'],
    ]);

    // the deprecated endpoint takes `trailingDelta` for its stop leg (its stopPrice stays mandatory)
    const legacy = await api(a, 'POST', '/order/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.1',
      price: '35000',
      stopPrice: '29000',
      trailingDelta: 300,
    });
    expect(legacy.status, legacy.text).toBe(200);
    expect(legacy.json<{ orderReports: Json[] }>().orderReports[0]).toMatchObject({
      type: 'STOP_LOSS',
      trailingDelta: 300,
      trailingTime: -1,
      stopPrice: '29000.00000000',
    });
  });
});

describe('symbol status', () => {
  it('a symbol that is not TRADING refuses new orders with -1013 "Market is closed."', async () => {
    await sb.close();
    const { DEFAULT_SYMBOLS } = await import('@binance-sandbox/protocol');
    sb = await startTestSandbox({
      symbols: DEFAULT_SYMBOLS.map((s) => (s.symbol === 'BTCUSDT' ? { ...s, status: 'BREAK' as const } : s)),
    });
    const a = await createAccount({ USDT: '100000' });
    const res = await api(a, 'POST', '/order', limit('BUY', '0.1', '30000'));
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ code: -1013, msg: 'Market is closed.' });
    expect((await api(a, 'POST', '/order/test', limit('BUY', '0.1', '30000'))).json()).toEqual({
      code: -1013,
      msg: 'Market is closed.',
    });
    expect((await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json()).toEqual([]);
  });
});

describe('pegged orders over HTTP', () => {
  it('a BUY pegged to the best bid answers its pegged price; queries and lists carry the peg', async () => {
    const maker = await createAccount({ BTC: '10', USDT: '1000000' });
    const a = await createAccount({ BTC: '10', USDT: '1000000' });
    await api(maker, 'POST', '/order', limitParams('BUY', '1', '29990'));
    await api(maker, 'POST', '/order', limitParams('SELL', '1', '30010'));
    const res = await api(a, 'POST', '/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.5',
      pegPriceType: 'PRIMARY_PEG',
      newOrderRespType: 'RESULT',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toMatchObject({
      price: '0.00000000',
      pegPriceType: 'PRIMARY_PEG',
      peggedPrice: '29990.00000000',
      status: 'NEW',
    });
    const orderId = res.json<{ orderId: number }>().orderId;
    const q = await api(a, 'GET', '/order', { symbol: 'BTCUSDT', orderId });
    expect(q.json()).toMatchObject({ pegPriceType: 'PRIMARY_PEG', peggedPrice: '29990.00000000' });

    // an OCO whose LIMIT_MAKER leg joins the best ask, one level deeper
    await api(maker, 'POST', '/order', limitParams('SELL', '1', '30020'));
    const oco = await api(a, 'POST', '/orderList/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.1',
      aboveType: 'LIMIT_MAKER',
      abovePegPriceType: 'PRIMARY_PEG',
      abovePegOffsetType: 'PRICE_LEVEL',
      abovePegOffsetValue: 1,
      belowType: 'STOP_LOSS',
      belowStopPrice: '25000',
    });
    expect(oco.status, oco.text).toBe(200);
    const above = oco.json<{ orderReports: Json[] }>().orderReports.find((o) => o.type === 'LIMIT_MAKER');
    expect(above).toMatchObject({ pegOffsetType: 'PRICE_LEVEL', pegOffsetValue: 1, peggedPrice: '30020.00000000' });
  });

  it('refuses bad peg parameters with the documented errors', async () => {
    const a = await createAccount({ USDT: '100000' });
    const base = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1' };
    const cases: [Params, { code: number; msg: string }][] = [
      [{ pegPriceType: 'BEST' }, { code: -1210, msg: 'Invalid pegPriceType.' }],
      [
        { pegPriceType: 'PRIMARY_PEG', pegOffsetType: 'TICKS', pegOffsetValue: 1 },
        { code: -1211, msg: 'Invalid pegOffsetType.' },
      ],
      [{ pegPriceType: 'MARKET_PEG' }, { code: -2010, msg: 'Order book liquidity is too low for this pegged order.' }],
      [{}, { code: -1102, msg: "Mandatory parameter 'price' was not sent, was empty/null, or malformed." }],
    ];
    for (const [extra, error] of cases) {
      const res = await api(a, 'POST', '/order', { ...base, ...extra });
      expect(res.json(), JSON.stringify(extra)).toEqual(error);
    }
  });
});

describe('exchange filters from the config', () => {
  it('are listed in exchangeInfo and enforced per account over all symbols', async () => {
    const own = await startTestSandbox({
      exchangeFilters: [{ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 2 }],
    });
    try {
      const info = (await own.call('/api/v3/exchangeInfo?symbol=BTCUSDT')).json<{ exchangeFilters: Json[] }>();
      expect(info.exchangeFilters).toEqual([{ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 2 }]);
      const a = await own.createAccount({ BTC: '1', ETH: '10' });
      const sell = (symbol: string, price: string) =>
        own.signed(a, 'POST', '/order', { ...limitParams('SELL', '0.1', price), symbol });
      expect((await sell('BTCUSDT', '40000')).status).toBe(200);
      expect((await sell('ETHUSDT', '4000')).status).toBe(200);
      expect((await sell('BTCUSDT', '40001')).json()).toEqual({
        code: -1013,
        msg: 'Filter failure: EXCHANGE_MAX_NUM_ORDERS',
      });
    } finally {
      await own.close();
    }
  });
});
