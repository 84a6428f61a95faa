import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAgents } from '../helpers/http.js';
import { startTestSandbox, T0, type TestSandbox } from '../helpers/sandbox.js';
import { signatureFor, signedQuery, type TestAccount } from '../helpers/sign.js';

let sb: TestSandbox;
beforeEach(async () => {
  sb = await startTestSandbox();
});
afterEach(() => sb.close());
afterAll(closeAgents);

async function createAccount(body: Record<string, unknown> = {}): Promise<TestAccount> {
  const res = await sb.admin('POST', '/sandbox/v1/accounts', { balances: { USDT: '10000' }, ...body });
  expect(res.status).toBe(201);
  return res.json<TestAccount>();
}

const rateLimitOrder = (
  acct: TestAccount,
  query: string,
  headers: Record<string, string> = { 'X-MBX-APIKEY': acct.apiKey },
) => sb.call(`/api/v3/rateLimit/order?${query}`, { headers });

describe('signed endpoints over real HTTP', () => {
  for (const keyType of ['HMAC_SHA256', 'ED25519', 'RSA'] as const) {
    it(`accepts a valid ${keyType} signature and returns the order counts`, async () => {
      const acct = await createAccount({ keyType });
      const res = await rateLimitOrder(acct, signedQuery(acct, `timestamp=${T0}`));
      expect(res.status, res.text).toBe(200);
      expect(res.json()).toEqual([
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50, count: 0 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000, count: 0 },
      ]);
      expect(res.headers['x-mbx-used-weight-1m']).toBe('40');
    });
  }

  it('rejects a wrong signature with -1022', async () => {
    const acct = await createAccount();
    const res = await rateLimitOrder(acct, `timestamp=${T0}&signature=${'0'.repeat(64)}`);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
  });

  it('treats HMAC signatures case-insensitively', async () => {
    const acct = await createAccount();
    const q = `timestamp=${T0}`;
    const res = await rateLimitOrder(acct, `${q}&signature=${signatureFor(acct, q).toUpperCase()}`);
    expect(res.status).toBe(200);
  });

  it('signs query + body concatenated with no separator (mixed POST)', async () => {
    const acct = await createAccount();
    const query = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC';
    const body = `quantity=1&price=0.1&recvWindow=5000&timestamp=${T0}`;
    const sig = signatureFor(acct, query + body);
    const good = await sb.call(`/api/v3/order/test?${query}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': acct.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      body: `${body}&signature=${sig}`,
    });
    expect(good.json<{ code?: number }>().code).not.toBe(-1022);
    const bad = await sb.call(`/api/v3/order/test?${query}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': acct.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      body: `${body}&signature=${signatureFor(acct, `${query}&${body}`)}`,
    });
    expect(bad.json()).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
  });

  it('enforces timestamp and recvWindow with -1021 at the exact edges', async () => {
    const acct = await createAccount();
    const at = (ts: number, extra = '') => rateLimitOrder(acct, signedQuery(acct, `timestamp=${ts}${extra}`));
    expect((await at(T0 + 999)).status).toBe(200);
    expect((await at(T0 + 1000)).json()).toEqual({
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
    expect((await at(T0 - 5000)).status).toBe(200);
    expect((await at(T0 - 5001)).json()).toEqual({
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.',
    });
    expect((await at(T0 - 60_000, '&recvWindow=60000')).status).toBe(200);
    expect((await at(T0 * 1000 - 5_000_000)).status).toBe(200); // microseconds
  });

  it('answers API-key problems with -2014 / -2015 and HTTP 401', async () => {
    const acct = await createAccount();
    const q = signedQuery(acct, `timestamp=${T0}`);
    const missing = await rateLimitOrder(acct, q, {});
    expect(missing.status).toBe(401);
    expect(missing.json()).toEqual({ code: -2014, msg: 'API-key format invalid.' });
    const malformed = await rateLimitOrder(acct, q, { 'X-MBX-APIKEY': 'short' });
    expect(malformed.json()).toEqual({ code: -2014, msg: 'API-key format invalid.' });
    const unknown = await rateLimitOrder(acct, q, { 'X-MBX-APIKEY': 'A'.repeat(64) });
    expect(unknown.status).toBe(401);
    expect(unknown.json()).toEqual({ code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
  });

  it('requires timestamp and signature on signed endpoints (-1102)', async () => {
    const acct = await createAccount();
    expect((await rateLimitOrder(acct, `signature=${'0'.repeat(64)}`)).json()).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    });
    expect((await rateLimitOrder(acct, `timestamp=${T0}`)).json()).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    });
  });

  it('derives the same keys from the same seed', async () => {
    const a = await createAccount();
    const other = await startTestSandbox();
    try {
      const res = await other.admin('POST', '/sandbox/v1/accounts', { balances: { USDT: '10000' } });
      expect(res.json()).toEqual(a);
    } finally {
      await other.close();
    }
  });
});
