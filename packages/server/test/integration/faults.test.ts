import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAgents, type HttpResponse } from '../helpers/http.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import type { TestAccount } from '../helpers/sign.js';

let sb: TestSandbox;
beforeEach(async () => {
  sb = await startTestSandbox();
});
afterEach(() => sb.close());
afterAll(closeAgents);

type Json = Record<string, unknown>;
type Params = Record<string, string | number>;

const UNKNOWN = {
  code: -1007,
  msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
};

const createAccount = (s: TestSandbox, balances: Record<string, string>): Promise<TestAccount> =>
  s.createAccount(balances);

const api = (
  acct: TestAccount,
  method: string,
  path: string,
  params: Params = {},
  s: TestSandbox = sb,
): Promise<HttpResponse> => s.signed(acct, method, path, params);

const order = (price: string, extra: Params = {}): Params => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.1',
  price,
  ...extra,
});

async function addFault(body: unknown, s: TestSandbox = sb): Promise<number> {
  const res = await s.admin('POST', '/sandbox/v1/faults', body);
  expect(res.status, res.text).toBe(200);
  return res.json<{ id: number }>().id;
}

describe('fault injection', () => {
  it('unknownStatus after: the order IS executed, the answer is 5XX -1007; only `count` requests are hit', async () => {
    const a = await createAccount(sb, { USDT: '100000' });
    await addFault({
      match: { method: 'POST', path: '/api/v3/order' },
      count: 1,
      effect: { kind: 'unknownStatus', when: 'after', status: 504 },
    });
    const res = await api(a, 'POST', '/order', order('30000', { newClientOrderId: 'after-1' }));
    expect(res.status).toBe(504);
    expect(res.json()).toEqual(UNKNOWN);
    const open = (await api(a, 'GET', '/openOrders')).json<Json[]>();
    expect(open.map((o) => o.clientOrderId)).toEqual(['after-1']);
    // the rule is used up
    expect((await sb.admin('GET', '/sandbox/v1/faults')).json()).toEqual({ faults: [] });
    expect((await api(a, 'POST', '/order', order('30000'))).status).toBe(200);
  });

  it('unknownStatus before: nothing is executed, same answer (default 503)', async () => {
    const a = await createAccount(sb, { USDT: '100000' });
    await addFault({
      match: { path: '/api/v3/order', method: 'POST' },
      count: 2,
      effect: { kind: 'unknownStatus', when: 'before' },
    });
    const res = await api(a, 'POST', '/order', order('30000'));
    expect(res.status).toBe(503);
    expect(res.json()).toEqual(UNKNOWN);
    expect((await api(a, 'GET', '/openOrders')).json()).toEqual([]);
    // other paths / methods are not matched
    expect((await api(a, 'GET', '/account')).status).toBe(200);
    const listed = (await sb.admin('GET', '/sandbox/v1/faults')).json<{ faults: Json[] }>();
    expect(listed.faults).toMatchObject([
      { remaining: 1, hits: 1, effect: { kind: 'unknownStatus', when: 'before', status: 503 } },
    ]);
  });

  it('latency delays the answer on a real timer', async () => {
    const a = await createAccount(sb, { USDT: '100000' });
    await addFault({ match: { path: '/api/v3/account' }, count: 1, effect: { kind: 'latency', ms: 60 } });
    const t0 = performance.now();
    const res = await api(a, 'GET', '/account');
    const slow = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(slow).toBeGreaterThanOrEqual(55);
  });

  it('cancelReplaceHalfway: the cancel succeeds and the new order fails (409 -2021)', async () => {
    const a = await createAccount(sb, { USDT: '100000' });
    const placed = (await api(a, 'POST', '/order', order('30000'))).json<Json>();
    await addFault({
      match: { path: '/api/v3/order/cancelReplace' },
      count: 1,
      effect: { kind: 'cancelReplaceHalfway' },
    });
    const res = await api(a, 'POST', '/order/cancelReplace', {
      ...order('29000'),
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: placed.orderId as number,
    });
    expect(res.status).toBe(409);
    expect(res.json()).toMatchObject({
      code: -2021,
      msg: 'Order cancel-replace partially failed.',
      data: {
        cancelResult: 'SUCCESS',
        newOrderResult: 'FAILURE',
        cancelResponse: { orderId: placed.orderId, status: 'CANCELED' },
        newOrderResponse: {
          code: -1008,
          msg: 'Server is currently overloaded with other requests. Please try again in a few minutes.',
        },
      },
    });
    expect((await api(a, 'GET', '/openOrders')).json()).toEqual([]);
  });

  it('DELETE clears one rule or all; bad specifications are refused with 400', async () => {
    const one = await addFault({ effect: { kind: 'latency', ms: 1 } });
    await addFault({ effect: { kind: 'latency', ms: 1 } });
    expect((await sb.admin('DELETE', `/sandbox/v1/faults?id=${one}`)).json()).toEqual({ cleared: 1 });
    expect((await sb.admin('GET', '/sandbox/v1/faults')).json<{ faults: unknown[] }>().faults).toHaveLength(1);
    expect((await sb.admin('DELETE', '/sandbox/v1/faults')).json()).toEqual({ cleared: 1 });
    for (const bad of [
      { effect: { kind: 'explode' } },
      { effect: { kind: 'unknownStatus', status: 502 } },
      { match: { probability: 2 }, effect: { kind: 'latency', ms: 1 } },
      { count: 0, effect: { kind: 'latency', ms: 1 } },
      { effect: { kind: 'latency', ms: 1 }, extra: true },
    ]) {
      const res = await sb.admin('POST', '/sandbox/v1/faults', bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.json<{ error: string }>().error).toEqual(expect.any(String));
    }
  });

  it('probability draws from the seeded PRNG: the same seed gives the same pattern', async () => {
    async function pattern(seed: string): Promise<number[]> {
      const s = await startTestSandbox({ seed });
      try {
        const a = await createAccount(s, { USDT: '100' });
        await addFault(
          { match: { path: '/api/v3/account', probability: 0.5 }, effect: { kind: 'unknownStatus', when: 'before' } },
          s,
        );
        const out: number[] = [];
        for (let i = 0; i < 24; i++) out.push((await api(a, 'GET', '/account', {}, s)).status);
        return out;
      } finally {
        await s.close();
      }
    }
    const first = await pattern('fault-seed');
    expect(await pattern('fault-seed')).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });
});
