/** Legacy listenKey user data streams: REST lifecycle, events over real WebSockets, expiry on the sandbox clock. */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { closeAgents, type HttpResponse } from '../helpers/http.js';
import { limitParams, startTestSandbox, type TestSandbox, type SignedParams } from '../helpers/sandbox.js';
import type { TestAccount } from '../helpers/sign.js';
import { connectWs, type Client } from '../ws/client.js';

let sb: TestSandbox;
const sockets: WebSocket[] = [];
beforeEach(async () => {
  sb = await startTestSandbox();
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await sb.close();
});
afterAll(closeAgents);

type Json = Record<string, unknown>;
type Params = SignedParams;
const HOUR = 3_600_000;

const connect = (path: string): Promise<Client> => connectWs(sb.url, path, sockets);

const createAccount = (balances: Record<string, string>): Promise<TestAccount> => sb.createAccount(balances);

const signed = (acct: TestAccount, method: string, path: string, params: Params = {}): Promise<HttpResponse> =>
  sb.signed(acct, method, path, params);

/** USER_STREAM: API key only. */
function stream(acct: TestAccount, method: string, listenKey?: string): Promise<HttpResponse> {
  const q = listenKey === undefined ? '' : `?listenKey=${listenKey}`;
  return sb.call(`/api/v3/userDataStream${q}`, { method, headers: { 'X-MBX-APIKEY': acct.apiKey } });
}

async function listenKey(acct: TestAccount): Promise<string> {
  const res = await stream(acct, 'POST');
  expect(res.status, res.text).toBe(200);
  return res.json<{ listenKey: string }>().listenKey;
}

const limit = limitParams;

const isEvent = (e: string) => (m: Json) => m.e === e;

describe('listenKey REST lifecycle', () => {
  it('POST returns a 64-character key, the same one again while active; PUT/DELETE answer {}; unknown keys -1125', async () => {
    const a = await createAccount({ USDT: '100' });
    const b = await createAccount({ USDT: '100' });
    const key = await listenKey(a);
    expect(key).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(await listenKey(a)).toBe(key);
    const other = await listenKey(b);
    expect(other).not.toBe(key);

    const put = await stream(a, 'PUT', key);
    expect(put.status).toBe(200);
    expect(put.json()).toEqual({});

    const unknown = await stream(a, 'PUT', 'x'.repeat(64));
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toEqual({ code: -1125, msg: 'This listenKey does not exist.' });
    // another account's key does not exist for this one
    expect((await stream(a, 'DELETE', other)).json()).toMatchObject({ code: -1125 });

    const del = await stream(a, 'DELETE', key);
    expect(del.status).toBe(200);
    expect(del.json()).toEqual({});
    expect((await stream(a, 'DELETE', key)).json()).toMatchObject({ code: -1125 });
    expect((await stream(a, 'PUT', key)).json()).toMatchObject({ code: -1125 });
    const fresh = await listenKey(a);
    expect(fresh).not.toBe(key);
  });

  it('requires the API key; a missing listenKey parameter is refused', async () => {
    const a = await createAccount({ USDT: '100' });
    const anon = await sb.call('/api/v3/userDataStream', { method: 'POST' });
    expect(anon.status).not.toBe(200);
    const missing = await stream(a, 'PUT');
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ code: -1102 });
  });
});

describe('events on /ws/<listenKey>', () => {
  it('full order life cycle: NEW → PARTIALLY_FILLED → FILLED, NEW → CANCELED, with outboundAccountPosition; balanceUpdate on deposit', async () => {
    const a = await createAccount({ USDT: '100000' });
    const b = await createAccount({ BTC: '10' });
    const key = await listenKey(a);
    const ws = await connect(`/ws/${key}`);
    const otherWs = await connect(`/ws/${await listenKey(b)}`);

    // deposit → balanceUpdate
    await sb.ctx.exchange.submit('deposit', {
      now: sb.clock.now(),
      accountId: a.accountId,
      asset: 'USDT',
      amount: '50',
    });
    const now = sb.clock.now();
    expect(await ws.nextWhere(isEvent('balanceUpdate'))).toEqual({
      e: 'balanceUpdate',
      E: now,
      a: 'USDT',
      d: '50.00000000',
      T: now,
    });
    ws.messages.splice(0);

    // NEW
    const placed = await signed(a, 'POST', '/order', limit('BUY', '1', '30000', { newClientOrderId: 'life-1' }));
    expect(placed.status, placed.text).toBe(200);
    const orderId = placed.json<Json>().orderId as number;
    const created = await ws.nextWhere(isEvent('executionReport'));
    expect(created).toMatchObject({
      e: 'executionReport',
      E: now,
      s: 'BTCUSDT',
      c: 'life-1',
      S: 'BUY',
      o: 'LIMIT',
      f: 'GTC',
      q: '1.00000000',
      p: '30000.00000000',
      P: '0.00000000',
      F: '0.00000000',
      g: -1,
      C: '',
      x: 'NEW',
      X: 'NEW',
      r: 'NONE',
      i: orderId,
      l: '0.00000000',
      z: '0.00000000',
      L: '0.00000000',
      n: '0',
      N: null,
      T: now,
      t: -1,
      w: true,
      m: false,
      M: false,
      O: now,
      Z: '0.00000000',
      Y: '0.00000000',
      Q: '0.00000000',
      W: now,
    });
    expect(await ws.next()).toEqual({
      e: 'outboundAccountPosition',
      E: now,
      u: now,
      B: [{ a: 'USDT', f: '70050.00000000', l: '30000.00000000' }],
    });

    // PARTIALLY_FILLED by b's sell (a is the maker)
    expect((await signed(b, 'POST', '/order', limit('SELL', '0.4', '30000'))).status).toBe(200);
    const partial = await ws.next();
    expect(partial).toMatchObject({
      e: 'executionReport',
      c: 'life-1',
      x: 'TRADE',
      X: 'PARTIALLY_FILLED',
      i: orderId,
      l: '0.40000000',
      z: '0.40000000',
      L: '30000.00000000',
      t: 1,
      w: true,
      m: true,
      Z: '12000.00000000',
      Y: '12000.00000000',
      N: 'BTC',
    });
    const pos1 = await ws.nextWhere(isEvent('outboundAccountPosition'));
    const bal = (p: Json, asset: string) => (p.B as { a: string; f: string; l: string }[]).find((x) => x.a === asset);
    expect(bal(pos1, 'USDT')).toEqual({ a: 'USDT', f: '70050.00000000', l: '18000.00000000' });
    expect(bal(pos1, 'BTC')?.l).toBe('0.00000000');

    // FILLED
    expect((await signed(b, 'POST', '/order', limit('SELL', '0.6', '30000'))).status).toBe(200);
    const filled = await ws.nextWhere(isEvent('executionReport'));
    expect(filled).toMatchObject({
      x: 'TRADE',
      X: 'FILLED',
      l: '0.60000000',
      z: '1.00000000',
      t: 2,
      w: false,
      m: true,
      Z: '30000.00000000',
    });
    const pos2 = await ws.nextWhere(isEvent('outboundAccountPosition'));
    expect(bal(pos2, 'USDT')).toEqual({ a: 'USDT', f: '70050.00000000', l: '0.00000000' });
    // the account's balances match GET account
    const account = (await signed(a, 'GET', '/account')).json<{
      balances: { asset: string; free: string; locked: string }[];
    }>();
    expect(account.balances.find((x) => x.asset === 'BTC')?.free).toBe(bal(pos2, 'BTC')?.f);

    // NEW → CANCELED
    expect(
      (await signed(a, 'POST', '/order', limit('BUY', '0.1', '20000', { newClientOrderId: 'life-2' }))).status,
    ).toBe(200);
    const second = await ws.nextWhere(isEvent('executionReport'));
    expect(second).toMatchObject({ c: 'life-2', x: 'NEW', X: 'NEW' });
    await ws.nextWhere(isEvent('outboundAccountPosition'));
    const cancel = await signed(a, 'DELETE', '/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'life-2',
      newClientOrderId: 'kill-2',
    });
    expect(cancel.status, cancel.text).toBe(200);
    const canceled = await ws.nextWhere(isEvent('executionReport'));
    expect(canceled).toMatchObject({
      c: 'kill-2',
      C: 'life-2',
      x: 'CANCELED',
      X: 'CANCELED',
      i: second.i,
      z: '0.00000000',
      w: false,
    });
    const pos3 = await ws.nextWhere(isEvent('outboundAccountPosition'));
    expect(bal(pos3, 'USDT')).toEqual({ a: 'USDT', f: '70050.00000000', l: '0.00000000' });

    // b's stream saw only b's events
    const bEvents = (await otherWs.drain(100)) as Json[];
    expect(bEvents.length).toBeGreaterThan(0);
    expect(bEvents.filter((e) => e.e === 'executionReport').every((e) => e.S === 'SELL')).toBe(true);
  });

  it('combined /stream?streams=<listenKey> wraps events; timeUnit=MICROSECOND scales the times', async () => {
    const a = await createAccount({ USDT: '1000' });
    const key = await listenKey(a);
    const ws = await connect(`/stream?streams=${key}&timeUnit=MICROSECOND`);
    await sb.ctx.exchange.submit('deposit', {
      now: sb.clock.now(),
      accountId: a.accountId,
      asset: 'BTC',
      amount: '1.5',
    });
    const m = await ws.nextWhere<{ stream: string; data: Json }>((x) => x.data.e === 'balanceUpdate');
    const us = sb.clock.now() * 1000;
    expect(m).toEqual({ stream: key, data: { e: 'balanceUpdate', E: us, a: 'BTC', d: '1.50000000', T: us } });
    expect((await signed(a, 'POST', '/order', limit('BUY', '0.01', '20000'))).status).toBe(200);
    const er = await ws.nextWhere<{ stream: string; data: Json }>((x) => x.data.e === 'executionReport');
    expect(er.data).toMatchObject({ E: us, T: us, O: us, W: us });
  });

  it('a listenKey can be SUBSCRIBEd on a market stream connection; after DELETE the stream goes quiet', async () => {
    const a = await createAccount({ USDT: '1000' });
    const key = await listenKey(a);
    const ws = await connect('/ws');
    ws.send({ method: 'SUBSCRIBE', params: [key, 'btcusdt@trade'], id: 1 });
    expect(await ws.next()).toEqual({ result: null, id: 1 });
    await sb.ctx.exchange.submit('deposit', {
      now: sb.clock.now(),
      accountId: a.accountId,
      asset: 'USDT',
      amount: '1',
    });
    expect(await ws.nextWhere(isEvent('balanceUpdate'))).toMatchObject({ d: '1.00000000' });
    expect((await stream(a, 'DELETE', key)).status).toBe(200);
    ws.messages.splice(0);
    await sb.ctx.exchange.submit('deposit', {
      now: sb.clock.now(),
      accountId: a.accountId,
      asset: 'USDT',
      amount: '1',
    });
    expect(await ws.drain(200)).toEqual([]);
    expect(ws.closed).toBeNull();
  });
});

describe('validity on the sandbox clock', () => {
  it('PUT extends by 60 minutes; at expiry listenKeyExpired is sent and the connection closed; the key is gone', async () => {
    const a = await createAccount({ USDT: '1000' });
    const key = await listenKey(a);
    const ws = await connect(`/ws/${key}`);
    sb.clock.advance(30 * 60_000);
    expect((await stream(a, 'PUT', key)).json()).toEqual({}); // now valid until T0 + 90 min
    sb.clock.advance(59 * 60_000 + 59_999);
    expect(await ws.drain(300)).toEqual([]);
    expect(ws.closed).toBeNull();
    // POST while active: same key, extended 60 minutes from now
    expect(await listenKey(a)).toBe(key);
    sb.clock.advance(HOUR - 1);
    expect(await ws.drain(300)).toEqual([]);
    sb.clock.advance(1);
    const expiredAt = sb.clock.now();
    expect(await ws.next()).toEqual({ e: 'listenKeyExpired', E: expiredAt, listenKey: key });
    await ws.until(() => ws.closed !== null);
    expect(ws.closed?.code).toBe(1000);
    expect((await stream(a, 'PUT', key)).json()).toEqual({ code: -1125, msg: 'This listenKey does not exist.' });
    const fresh = await listenKey(a);
    expect(fresh).not.toBe(key);
  });

  it('an expired or unknown well-formed key connects but never emits', async () => {
    const a = await createAccount({ USDT: '1000' });
    const key = await listenKey(a);
    sb.clock.advance(HOUR);
    const ws = await connect(`/ws/${key}`);
    await sb.ctx.exchange.submit('deposit', {
      now: sb.clock.now(),
      accountId: a.accountId,
      asset: 'USDT',
      amount: '1',
    });
    expect(await ws.drain(300)).toEqual([]);
  });
});
