/**
 * OTO order lists over HTTP (POST /api/v3/orderList/oto): the working order trades first; the pending
 * order waits as PENDING_NEW (no funds reserved) and goes live once the working order is fully
 * filled; cancelling either cancels both; an expired working order expires the pending one.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAgents, type HttpResponse } from '../helpers/http.js';
import {
  buyThenSellParams,
  limitParams,
  WORKING_BUY,
  startTestSandbox,
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

const api = (acct: TestAccount, method: string, path: string, params: Params = {}): Promise<HttpResponse> =>
  sb.signed(acct, method, path, params);
const balance = async (acct: TestAccount, asset: string) =>
  (await api(acct, 'GET', '/account'))
    .json<{ balances: { asset: string; free: string; locked: string }[] }>()
    .balances.find((b) => b.asset === asset);
const buyThenSell = buyThenSellParams;

describe('POST /api/v3/orderList/oto', () => {
  it('places the working order, keeps the pending one PENDING_NEW, and sends it to the book once the working order fills', async () => {
    const a = await sb.createAccount({ USDT: '10000', BTC: '0.5' });
    const c = await sb.createAccount({ BTC: '1' });
    const res = await api(a, 'POST', '/orderList/oto', buyThenSell({ listClientOrderId: 'oto-1' }));
    expect(res.status, res.text).toBe(200);
    const list = res.json<Json & { orders: Json[]; orderReports: Json[] }>();
    expect(list).toMatchObject({
      contingencyType: 'OTO',
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      listClientOrderId: 'oto-1',
    });
    expect(list.orderReports.map((o) => [o.side, o.type, o.status, o.workingTime])).toEqual([
      ['BUY', 'LIMIT', 'NEW', sb.clock.now()],
      ['SELL', 'LIMIT', 'PENDING_NEW', -1],
    ]);
    expect(res.headers['x-mbx-order-count-10s']).toBe('2');
    const open = (await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(open.map((o) => o.status)).toEqual(['NEW', 'PENDING_NEW']);
    expect(await balance(a, 'USDT')).toMatchObject({ free: '7000.00000000', locked: '3000.00000000' });
    expect(await balance(a, 'BTC')).toMatchObject({ free: '0.50000000', locked: '0.00000000' }); // nothing for the pending

    sb.clock.advance(1000);
    const sell = await api(c, 'POST', '/order', limitParams('SELL', '0.1', '30000'));
    expect(sell.json<Json>().status).toBe('FILLED');
    const after = (await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(after.map((o) => [o.side, o.status, o.price, o.workingTime])).toEqual([
      ['SELL', 'NEW', '31000.00000000', sb.clock.now()],
    ]);
    // bought 0.1 (less 0.0001 commission) + 0.5, of which the pending sell now holds 0.1
    expect(await balance(a, 'BTC')).toMatchObject({ free: '0.49990000', locked: '0.10000000' });
    const listNow = (await api(a, 'GET', '/orderList', { orderListId: list.orderListId as number })).json<Json>();
    expect(listNow).toMatchObject({ contingencyType: 'OTO', listOrderStatus: 'EXECUTING' });
  });

  it('cancelling the pending order cancels the list; an expired working order expires the pending one', async () => {
    const a = await sb.createAccount({ USDT: '10000', BTC: '1' });
    const res = await api(a, 'POST', '/orderList/oto', buyThenSell());
    const [working, pending] = res.json<{ orders: { orderId: number }[] }>().orders;
    const cancel = await api(a, 'DELETE', '/order', { symbol: 'BTCUSDT', orderId: pending!.orderId });
    expect(cancel.status, cancel.text).toBe(200);
    const all = (await api(a, 'GET', '/allOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(all.map((o) => [o.orderId, o.status])).toEqual([
      [working!.orderId, 'CANCELED'],
      [pending!.orderId, 'CANCELED'],
    ]);
    expect(await balance(a, 'USDT')).toMatchObject({ free: '10000.00000000', locked: '0.00000000' });

    // an IOC working order that finds nothing expires, and takes the pending order with it
    const ioc = await api(a, 'POST', '/orderList/oto', buyThenSell({ workingTimeInForce: 'IOC' }));
    expect(ioc.status, ioc.text).toBe(200);
    expect(ioc.json<{ orderReports: Json[] }>().orderReports.map((o) => o.status)).toEqual(['EXPIRED', 'EXPIRED']);
    expect(ioc.json<Json>().listOrderStatus).toBe('ALL_DONE');
    expect((await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json()).toEqual([]);
  });

  it('a pending order without the funds when it goes live expires; wrong working types are refused', async () => {
    const a = await sb.createAccount({ USDT: '10000' }); // no BTC beyond what the working order buys
    const c = await sb.createAccount({ BTC: '1' });
    await api(a, 'POST', '/orderList/oto', buyThenSell());
    await api(c, 'POST', '/order', limitParams('SELL', '0.1', '30000'));
    const all = (await api(a, 'GET', '/allOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(all.map((o) => o.status)).toEqual(['FILLED', 'EXPIRED']); // 0.0999 BTC < 0.1
    const lists = (await api(a, 'GET', '/allOrderList')).json<Json[]>();
    expect(lists.map((l) => [l.contingencyType, l.listOrderStatus])).toEqual([['OTO', 'ALL_DONE']]);

    const bad = await api(
      a,
      'POST',
      '/orderList/oto',
      buyThenSell({ workingType: 'MARKET', workingTimeInForce: 'GTC' }),
    );
    expect(bad.json()).toEqual({ code: -1014, msg: 'Unsupported order combination.' });
    // the first list counted 2, less 1 for the working order's fill; the refused one is refunded
    const counts = (await api(a, 'GET', '/rateLimit/order')).json<{ count: number }[]>();
    expect(counts.map((r) => r.count)).toEqual([1, 1]);
  });

  it('OTOCO: the pending OCO pair waits, goes live as an OCO when the working order fills, and one leg ends the other', async () => {
    const a = await sb.createAccount({ USDT: '10000', BTC: '0.5' });
    const b = await sb.createAccount({ USDT: '100000' });
    const c = await sb.createAccount({ BTC: '1' });
    const res = await api(a, 'POST', '/orderList/otoco', {
      ...WORKING_BUY,
      pendingSide: 'SELL',
      pendingQuantity: '0.1',
      pendingAboveType: 'LIMIT_MAKER',
      pendingAbovePrice: '33000',
      pendingBelowType: 'STOP_LOSS',
      pendingBelowStopPrice: '28000',
    });
    expect(res.status, res.text).toBe(200);
    const list = res.json<Json & { orderReports: Json[] }>();
    expect(list.contingencyType).toBe('OTO');
    expect(list.orderReports.map((o) => [o.side, o.type, o.status])).toEqual([
      ['BUY', 'LIMIT', 'NEW'],
      ['SELL', 'STOP_LOSS', 'PENDING_NEW'],
      ['SELL', 'LIMIT_MAKER', 'PENDING_NEW'],
    ]);
    expect(res.headers['x-mbx-order-count-10s']).toBe('3');

    await api(c, 'POST', '/order', limitParams('SELL', '0.1', '30000'));
    const live = (await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(live.map((o) => [o.type, o.status])).toEqual([
      ['STOP_LOSS', 'NEW'],
      ['LIMIT_MAKER', 'NEW'],
    ]);
    expect(await balance(a, 'BTC')).toMatchObject({ free: '0.49990000', locked: '0.10000000' }); // one reservation for the pair

    // the take-profit fills: the stop-loss leg expires, the list is done
    const buy = await api(b, 'POST', '/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '33000',
      quantity: '0.1',
    });
    expect(buy.json<Json>().status).toBe('FILLED');
    const all = (await api(a, 'GET', '/allOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(all.map((o) => [o.type, o.status, o.expiryReason])).toEqual([
      ['LIMIT', 'FILLED', undefined],
      ['STOP_LOSS', 'EXPIRED', 'OCO_TRIGGER'],
      ['LIMIT_MAKER', 'FILLED', undefined],
    ]);
    expect((await api(a, 'GET', '/allOrderList')).json<Json[]>().map((l) => l.listOrderStatus)).toEqual(['ALL_DONE']);
    expect(await balance(a, 'BTC')).toMatchObject({ locked: '0.00000000' });
  });
});

describe('POST /api/v3/orderList/opo and /opoco', () => {
  const { pendingQuantity: _q, ...buyThenSellPaid } = buyThenSell();

  it('OPO: the pending SELL has no quantity until the working BUY filled, then sells what it received', async () => {
    const a = await sb.createAccount({ USDT: '10000' }); // no BTC: the commission comes out of what is bought
    const c = await sb.createAccount({ BTC: '1' });
    const res = await api(a, 'POST', '/orderList/opo', buyThenSellPaid);
    expect(res.status, res.text).toBe(200);
    const list = res.json<Json & { orderReports: Json[] }>();
    expect(list).toMatchObject({ contingencyType: 'OTO', listStatusType: 'EXEC_STARTED' });
    const [working, pending] = list.orderReports as [Json, Json];
    expect(working).toMatchObject({ side: 'BUY', status: 'NEW', origQty: '0.10000000' });
    expect(pending).toMatchObject({ side: 'SELL', type: 'LIMIT', status: 'PENDING_NEW', price: '31000.00000000' });
    expect('origQty' in pending).toBe(false); // as in Binance's example: not known yet
    expect(res.headers['x-mbx-order-count-10s']).toBe('2');
    const open = (await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(open.map((o) => 'origQty' in o)).toEqual([true, false]);

    sb.clock.advance(1000);
    await api(c, 'POST', '/order', limitParams('SELL', '0.04', '30000'));
    expect(await balance(a, 'BTC')).toMatchObject({ free: '0.00000000', locked: '0.03996000' });
    await api(c, 'POST', '/order', limitParams('SELL', '0.06', '30000'));
    const live = (await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(live.map((o) => [o.side, o.status, o.origQty, o.workingTime])).toEqual([
      ['SELL', 'NEW', '0.09990000', sb.clock.now()],
    ]);
    expect(await balance(a, 'BTC')).toMatchObject({ free: '0.00000000', locked: '0.09990000' });
    expect(await balance(a, 'USDT')).toMatchObject({ free: '7000.00000000', locked: '0.00000000' });
  });

  it('OPOCO: the pending pair waits without quantity and goes live as an OCO of what was bought', async () => {
    const a = await sb.createAccount({ USDT: '10000', BTC: '0.5' }); // the commission is paid from free BTC
    const c = await sb.createAccount({ BTC: '1' });
    const { pendingType: _t, pendingPrice: _p, pendingTimeInForce: _f, ...head } = buyThenSellPaid;
    const res = await api(a, 'POST', '/orderList/opoco', {
      ...head,
      pendingAboveType: 'LIMIT_MAKER',
      pendingAbovePrice: '33000',
      pendingBelowType: 'STOP_LOSS',
      pendingBelowStopPrice: '28000',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['x-mbx-order-count-10s']).toBe('3');
    const reports = res.json<{ orderReports: Json[] }>().orderReports;
    expect(reports.map((o) => [o.type, o.status, o.origQty])).toEqual([
      ['LIMIT', 'NEW', '0.10000000'],
      ['STOP_LOSS', 'PENDING_NEW', undefined],
      ['LIMIT_MAKER', 'PENDING_NEW', undefined],
    ]);
    await api(c, 'POST', '/order', limitParams('SELL', '0.1', '30000'));
    const live = (await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(live.map((o) => [o.type, o.status, o.origQty])).toEqual([
      ['STOP_LOSS', 'NEW', '0.10000000'],
      ['LIMIT_MAKER', 'NEW', '0.10000000'],
    ]);
    expect(await balance(a, 'BTC')).toMatchObject({ free: '0.49990000', locked: '0.10000000' });
  });

  it('refuses a SELL working order, a BUY pending order and a pending quantity', async () => {
    const a = await sb.createAccount({ USDT: '10000', BTC: '1' });
    const cases: [Params, { code: number; msg: string }][] = [
      [{ workingSide: 'SELL' }, { code: -1222, msg: 'Working order in an OPO list must be a bid.' }],
      [{ pendingSide: 'BUY' }, { code: -1223, msg: 'Pending orders in an OPO list must be asks.' }],
      [
        { pendingQuantity: '0.1' },
        { code: -1104, msg: "Not all sent parameters were read; read '12' parameter(s) but was sent '13'." },
      ],
    ];
    for (const [extra, error] of cases) {
      const res = await api(a, 'POST', '/orderList/opo', { ...buyThenSellPaid, ...extra });
      expect(res.json(), JSON.stringify(extra)).toEqual(error);
    }
    expect((await api(a, 'GET', '/openOrders')).json()).toEqual([]);
  });
});
