/**
 * Order amend keep priority over HTTP: PUT /api/v3/order/amend/keepPriority reduces an open order's
 * quantity where it stands in the queue; GET /api/v3/order/amendments lists the amendments; the
 * user data stream sees executionReport x=REPLACED; weight is free only when the amendment expires
 * the order; every refusal is -2038 (or the filter's -1013) and changes nothing.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executionReport, type EngineEvent } from '../../src/engine/index.js';
import { closeAgents, type HttpResponse } from '../helpers/http.js';
import { limitParams, startTestSandbox, type TestSandbox, type SignedParams } from '../helpers/sandbox.js';
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
const limit = limitParams;
const amend = (acct: TestAccount, params: Params) =>
  api(acct, 'PUT', '/order/amend/keepPriority', { symbol: 'BTCUSDT', ...params });
const weight = (res: HttpResponse) => Number(res.headers['x-mbx-used-weight-1m']);
async function usdt(acct: TestAccount): Promise<{ free: string; locked: string }> {
  const balances = (await api(acct, 'GET', '/account')).json<{
    balances: { asset: string; free: string; locked: string }[];
  }>().balances;
  const b = balances.find((x) => x.asset === 'USDT')!;
  return { free: b.free, locked: b.locked };
}

/** Account a (2 BTC) with a SELL OCO of 1 BTC: LIMIT_MAKER at 31 000, STOP_LOSS at 29 000; last price 30 000. */
async function sellOco(): Promise<{
  a: TestAccount;
  list: { orderListId: number; orders: { orderId: number; clientOrderId: string }[] };
}> {
  const a = await sb.createAccount({ BTC: '2' });
  const c = await sb.createAccount({ USDT: '100000' });
  await api(a, 'POST', '/order', limit('SELL', '0.001', '30000'));
  await api(c, 'POST', '/order', limit('BUY', '0.001', '30000'));
  const oco = await api(a, 'POST', '/orderList/oco', {
    symbol: 'BTCUSDT',
    side: 'SELL',
    quantity: '1',
    aboveType: 'LIMIT_MAKER',
    abovePrice: '31000',
    belowType: 'STOP_LOSS',
    belowStopPrice: '29000',
  });
  expect(oco.status, oco.text).toBe(200);
  return { a, list: oco.json() };
}

describe('PUT /api/v3/order/amend/keepPriority', () => {
  it('reduces the quantity in place: the order keeps its queue position, its reservation shrinks', async () => {
    const a = await sb.createAccount({ USDT: '100000' });
    const b = await sb.createAccount({ USDT: '100000' });
    const c = await sb.createAccount({ BTC: '10' });
    const events: EngineEvent[] = [];
    sb.ctx.exchange.onEvents((evs) => events.push(...evs));

    const first = (
      await api(a, 'POST', '/order', limit('BUY', '1', '30000', { newClientOrderId: 'a-1' }))
    ).json<Json>();
    const second = (await api(b, 'POST', '/order', limit('BUY', '1', '30000'))).json<Json>();
    expect(await usdt(a)).toEqual({ free: '70000.00000000', locked: '30000.00000000' });

    sb.clock.advance(1000);
    events.length = 0;
    const res = await amend(a, { orderId: first.orderId as number, newQty: '0.4' });
    expect(res.status, res.text).toBe(200);
    const body = res.json<{ transactTime: number; executionId: number; amendedOrder: Json }>();
    expect(body.transactTime).toBe(sb.clock.now());
    expect(body.amendedOrder).toEqual({
      symbol: 'BTCUSDT',
      orderId: first.orderId,
      orderListId: -1,
      origClientOrderId: 'a-1',
      clientOrderId: expect.stringMatching(/^[A-Za-z0-9]{22}$/),
      price: '30000.00000000',
      qty: '0.40000000',
      executedQty: '0.00000000',
      preventedQty: '0.00000000',
      quoteOrderQty: '0.00000000',
      cumulativeQuoteQty: '0.00000000',
      status: 'NEW',
      timeInForce: 'GTC',
      type: 'LIMIT',
      side: 'BUY',
      workingTime: first.workingTime,
      selfTradePreventionMode: 'EXPIRE_MAKER',
    });
    expect(await usdt(a)).toEqual({ free: '88000.00000000', locked: '12000.00000000' });
    // user data: executionReport x=REPLACED with the new and the old client id, the new quantity
    const report = events.flatMap((e) => (e.type === 'execution' ? [executionReport(e)] : []))[0];
    expect(report).toMatchObject({
      x: 'REPLACED',
      X: 'NEW',
      i: first.orderId,
      c: body.amendedOrder.clientOrderId,
      C: 'a-1',
      q: '0.40000000',
      I: body.executionId,
    });
    expect(events.some((e) => e.type === 'account' && e.accountId === a.accountId)).toBe(true);

    // priority kept: a sell of 0.5 fills the amended order (0.4) first, then 0.1 of the second
    const sell = (await api(c, 'POST', '/order', limit('SELL', '0.5', '30000'))).json<{ fills: Json[] }>();
    expect(sell.fills.map((f) => f.qty)).toEqual(['0.40000000', '0.10000000']);
    const q1 = (await api(a, 'GET', '/order', { symbol: 'BTCUSDT', orderId: first.orderId as number })).json<Json>();
    expect(q1).toMatchObject({
      status: 'FILLED',
      origQty: '0.40000000',
      clientOrderId: body.amendedOrder.clientOrderId,
    });
    const q2 = (await api(b, 'GET', '/order', { symbol: 'BTCUSDT', orderId: second.orderId as number })).json<Json>();
    expect(q2).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.10000000' });
    // the old client id no longer names the order; the new one does
    const byOld = await api(a, 'GET', '/order', { symbol: 'BTCUSDT', origClientOrderId: 'a-1' });
    expect(byOld.json<Json>().code).toBe(-2013);
  });

  it('weight: 4 when the order stays open, 0 when the amendment expires it, 4 for a refusal', async () => {
    const a = await sb.createAccount({ USDT: '100000' });
    const c = await sb.createAccount({ BTC: '10' });
    const o = (await api(a, 'POST', '/order', limit('BUY', '1', '30000', { newClientOrderId: 'w-1' }))).json<Json>();
    await api(c, 'POST', '/order', limit('SELL', '0.3', '30000'));
    let before = weight(await sb.call('/api/v3/ping'));
    const kept = await amend(a, { origClientOrderId: 'w-1', newQty: '0.8', newClientOrderId: 'w-1' });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.json<{ amendedOrder: Json }>().amendedOrder).toMatchObject({
      clientOrderId: 'w-1',
      origClientOrderId: 'w-1',
      status: 'PARTIALLY_FILLED',
      qty: '0.80000000',
      executedQty: '0.30000000',
    });
    expect(weight(kept)).toBe(before + 4);

    before = weight(await sb.call('/api/v3/ping'));
    const refused = await amend(a, { orderId: o.orderId as number, newQty: '0.9' });
    expect(refused.status).toBe(400);
    expect(refused.json()).toEqual({ code: -2038, msg: 'Order amend (quantity increase) is not supported.' });
    expect(weight(refused)).toBe(before + 4);

    before = weight(await sb.call('/api/v3/ping'));
    const expired = await amend(a, { orderId: o.orderId as number, newQty: '0.3' });
    expect(expired.status, expired.text).toBe(200);
    expect(expired.json<{ amendedOrder: Json }>().amendedOrder).toMatchObject({
      status: 'EXPIRED',
      qty: '0.30000000',
      executedQty: '0.30000000',
    });
    expect(weight(expired)).toBe(before); // free
    expect((await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json<Json[]>()).toEqual([]);
    expect(await usdt(a)).toEqual({ free: '91000.00000000', locked: '0.00000000' });
  });

  it('refusals: unknown, equal, increase, lot size, duplicate client id, too many amendments — nothing changes', async () => {
    const a = await sb.createAccount({ USDT: '100000' });
    const o = (await api(a, 'POST', '/order', limit('BUY', '1', '30000', { newClientOrderId: 'r-1' }))).json<Json>();
    await api(a, 'POST', '/order', limit('BUY', '1', '29000', { newClientOrderId: 'r-2' }));
    const id = o.orderId as number;
    const cases: [Params, number, string][] = [
      [{ orderId: 999, newQty: '0.5' }, -2038, 'Unknown order sent.'],
      [{ orderId: id, origClientOrderId: 'r-2', newQty: '0.5' }, -2038, 'Unknown order sent.'],
      [{ orderId: id, newQty: '1' }, -2038, 'The requested action would change no state; rejecting'],
      [{ orderId: id, newQty: '2' }, -2038, 'Order amend (quantity increase) is not supported.'],
      [{ orderId: id, newQty: '0.000001' }, -1013, 'Filter failure: LOT_SIZE'],
      [{ orderId: id, newQty: '0' }, -1013, 'Filter failure: LOT_SIZE'],
      [{ orderId: id, newQty: '0.5', newClientOrderId: 'r-2' }, -2038, 'Duplicate order sent.'],
      [{ newQty: '0.5' }, -1102, "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!"],
    ];
    for (const [params, code, msg] of cases) {
      const res = await amend(a, params);
      expect(res.json(), JSON.stringify(params)).toEqual({ code, msg });
    }
    // MAX_NUM_ORDER_AMENDS (10 by default): the 11th amendment of one order is refused
    for (let n = 1; n <= 10; n++) {
      const res = await amend(a, { orderId: id, newQty: (1 - n * 0.01).toFixed(2) });
      expect(res.status, res.text).toBe(200);
    }
    const eleventh = await amend(a, { orderId: id, newQty: '0.5' });
    expect(eleventh.json()).toEqual({ code: -2038, msg: 'Filter failure: MAX_NUM_ORDER_AMENDS' });
    const q = (await api(a, 'GET', '/order', { symbol: 'BTCUSDT', orderId: id })).json<Json>();
    expect(q.origQty).toBe('0.90000000');

    // GET /order/amendments: oldest first, from an execution id, limited
    const before = weight(await sb.call('/api/v3/ping'));
    const allRes = await api(a, 'GET', '/order/amendments', { symbol: 'BTCUSDT', orderId: id });
    expect(weight(allRes)).toBe(before + 4);
    const all = allRes.json<Json[]>();
    expect(all).toHaveLength(10);
    expect(all[0]).toEqual({
      symbol: 'BTCUSDT',
      orderId: id,
      executionId: expect.any(Number),
      origClientOrderId: 'r-1',
      newClientOrderId: expect.stringMatching(/^[A-Za-z0-9]{22}$/),
      origQty: '1.00000000',
      newQty: '0.99000000',
      time: sb.clock.now(),
    });
    expect(all.map((x) => x.newQty)).toEqual(Array.from({ length: 10 }, (_, n) => (1 - (n + 1) * 0.01).toFixed(8)));
    for (let i = 1; i < all.length; i++) {
      expect(all[i]!.executionId as number).toBeGreaterThan(all[i - 1]!.executionId as number);
      expect(all[i]!.origClientOrderId).toBe(all[i - 1]!.newClientOrderId);
    }
    const page = (
      await api(a, 'GET', '/order/amendments', {
        symbol: 'BTCUSDT',
        orderId: id,
        fromExecutionId: all[4]!.executionId as number,
        limit: 2,
      })
    ).json<Json[]>();
    expect(page).toEqual(all.slice(4, 6));
    const unknown = await api(a, 'GET', '/order/amendments', { symbol: 'BTCUSDT', orderId: 999 });
    expect(unknown.json()).toEqual({ code: -2013, msg: 'Order does not exist.' });
  });

  it('an OCO leg: both legs take the new quantity, the list reservation shrinks, listStatus comes back', async () => {
    const { a, list } = await sellOco();
    const legs = list.orders;
    const res = await amend(a, { orderId: legs[1]!.orderId, newQty: '0.25' });
    expect(res.status, res.text).toBe(200);
    const body = res.json<{ amendedOrder: Json; listStatus: Json }>();
    expect(body.amendedOrder).toMatchObject({
      orderId: legs[1]!.orderId,
      qty: '0.25000000',
      orderListId: expect.any(Number),
    });
    expect(body.listStatus).toMatchObject({ contingencyType: 'OCO', listOrderStatus: 'EXECUTING' });
    const open = (await api(a, 'GET', '/openOrders', { symbol: 'BTCUSDT' })).json<Json[]>();
    expect(open.map((o) => o.origQty)).toEqual(['0.25000000', '0.25000000']);
    const btc = (await api(a, 'GET', '/account'))
      .json<{ balances: { asset: string; free: string; locked: string }[] }>()
      .balances.find((b) => b.asset === 'BTC');
    expect(btc).toEqual({ asset: 'BTC', free: '1.74900000', locked: '0.25000000' });
  });

  it("a list leg's new client order id: listStatus UPDATED on the stream, and GET orderList says so from then on", async () => {
    const { a, list } = await sellOco();
    const events: EngineEvent[] = [];
    sb.ctx.exchange.onEvents((evs) => events.push(...evs));
    const status = async () =>
      (await api(a, 'GET', '/orderList', { orderListId: list.orderListId })).json<{
        listStatusType: string;
        transactionTime: number;
      }>();
    const placedAt = sb.clock.now();
    sb.clock.advance(1000);
    // the quantity alone, the client order id kept (sent again: without one a new one is generated)
    const leg = list.orders[0]!;
    expect((await amend(a, { orderId: leg.orderId, newQty: '0.5', newClientOrderId: leg.clientOrderId })).status).toBe(
      200,
    );
    expect(events.filter((e) => e.type === 'listStatus')).toEqual([]);
    expect(await status()).toMatchObject({ listStatusType: 'EXEC_STARTED', transactionTime: placedAt });

    sb.clock.advance(1000);
    const res = await amend(a, { orderId: leg.orderId, newQty: '0.4', newClientOrderId: 'renamed' });
    expect(res.status, res.text).toBe(200);
    expect(events.filter((e) => e.type === 'listStatus')).toMatchObject([
      { listStatusType: 'UPDATED', listOrderStatus: 'EXECUTING', transactionTime: sb.clock.now() },
    ]);
    expect(await status()).toMatchObject({ listStatusType: 'UPDATED', transactionTime: sb.clock.now() });
    // done: ALL_DONE wins
    expect((await api(a, 'DELETE', '/orderList', { symbol: 'BTCUSDT', orderListId: list.orderListId })).status).toBe(
      200,
    );
    expect((await status()).listStatusType).toBe('ALL_DONE');
  });
});
