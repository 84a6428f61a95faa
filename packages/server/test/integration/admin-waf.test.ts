import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_WAF_CONFIG } from '../../src/waf/waf.js';
import { closeAgents } from '../helpers/http.js';
import { smallLimits, startTestSandbox, T0, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});
afterAll(closeAgents);

describe('admin API (/sandbox/v1)', () => {
  it('creates accounts with each key type', async () => {
    sb = await startTestSandbox();
    const hmac = await sb.admin('POST', '/sandbox/v1/accounts', { balances: { USDT: '10000', BTC: '0.5' } });
    expect(hmac.status).toBe(201);
    const h = hmac.json<{ accountId: number; apiKey: string; secretKey: string }>();
    expect(h.apiKey).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(h.secretKey).toMatch(/^[A-Za-z0-9]{64}$/);
    const ed = (await sb.admin('POST', '/sandbox/v1/accounts', { keyType: 'ED25519' })).json<{
      privateKey: string;
      accountId: number;
    }>();
    expect(ed.privateKey).toContain('BEGIN PRIVATE KEY');
    expect(ed.accountId).not.toBe(h.accountId);
  });

  it.each([
    ['not json', '{'],
    ['array', '[]'],
    ['bad key type', JSON.stringify({ keyType: 'DSA' })],
    ['bad amount', JSON.stringify({ balances: { USDT: 100 } })],
    ['negative amount', JSON.stringify({ balances: { USDT: '-1' } })],
    ['bad asset', JSON.stringify({ balances: { usdt: '1' } })],
    ['unknown field', JSON.stringify({ balance: {} })],
    ['bad public key', JSON.stringify({ keyType: 'ED25519', publicKey: 'nope' })],
  ])('answers a clear 400 JSON error for %s', async (_name, body) => {
    sb = await startTestSandbox();
    const res = await sb.call('/sandbox/v1/accounts', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.json<{ error: string }>().error).toMatch(/\w/);
  });

  it('advances the clock, which moves serverTime and the weight windows', async () => {
    sb = await startTestSandbox({ rateLimits: smallLimits(1) });
    await sb.call('/api/v3/ping');
    expect((await sb.call('/api/v3/ping')).status).toBe(429);
    const res = await sb.admin('POST', '/sandbox/v1/clock/advance', { ms: 30_000 });
    expect(res.json()).toEqual({ serverTime: T0 + 30_000 });
    expect((await sb.call('/api/v3/ping')).status).toBe(200); // a fresh minute
    expect((await sb.admin('GET', '/sandbox/v1/clock')).json()).toEqual({ serverTime: T0 + 30_000 });
    for (const bad of [{ ms: -1 }, { ms: 1.5 }, { ms: '10' }, {}]) {
      expect((await sb.admin('POST', '/sandbox/v1/clock/advance', bad)).status).toBe(400);
    }
  });

  it('reports usage per IP: counters, violations and the current ban', async () => {
    sb = await startTestSandbox({ rateLimits: smallLimits(2) });
    for (let i = 0; i < 4; i++) await sb.call('/api/v3/ping', { localAddress: '127.0.0.4' });
    const usage = (await sb.admin('GET', '/sandbox/v1/usage?ip=127.0.0.4')).json<{
      ip: string;
      requestWeight: Array<{ limit: number; count: number }>;
      rawRequests: Array<{ count: number }>;
      rejections: number;
      currentBan: unknown;
    }>();
    expect(usage.ip).toBe('127.0.0.4');
    expect(usage.requestWeight[0]).toMatchObject({ rateLimitType: 'REQUEST_WEIGHT', limit: 2, count: 4 });
    expect(usage.rawRequests[0]?.count).toBe(4);
    expect(usage.rejections).toBe(2);
    expect(usage.currentBan).toBeNull();
  });
});

describe('WAF (403)', () => {
  it('blocks oversized URLs and bodies, malformed encoding, blocked IPs and user agents, SQL injection', async () => {
    sb = await startTestSandbox({
      waf: {
        ...DEFAULT_WAF_CONFIG,
        maxUrlBytes: 512,
        maxBodyBytes: 256,
        blockedIps: ['127.0.0.9'],
        blockedUserAgents: ['^evilbot'],
      },
    });
    const blocked = [
      sb.call('/api/v3/ping?x=' + 'a'.repeat(600)),
      sb.call('/api/v3/order', { method: 'POST', body: 'a='.padEnd(400, 'b') }),
      sb.call('/api/v3/depth?symbol=%E0%A4%A'),
      sb.call('/api/v3/ping', { localAddress: '127.0.0.9' }),
      sb.call('/api/v3/ping', { headers: { 'user-agent': 'EvilBot/1.0' } }),
      sb.call("/api/v3/depth?symbol=BTCUSDT'%20OR%201=1--"),
      sb.call('/api/v3/depth?symbol=BTCUSDT%20UNION%20SELECT%20*%20FROM%20users'),
    ];
    for (const res of await Promise.all(blocked)) {
      expect(res.status).toBe(403);
      expect(res.headers['x-sandbox-waf-rule']).toBeDefined();
      expect(res.headers['x-mbx-used-weight-1m']).toBeDefined();
    }
    const fine = await sb.call('/api/v3/exchangeInfo?symbols=%5B%22BTCUSDT%22,%22ETHBTC%22%5D');
    expect(fine.status).toBe(200);
  });
});

describe('client IP', () => {
  it('ignores X-Forwarded-For unless --trust-proxy', async () => {
    sb = await startTestSandbox({ rateLimits: smallLimits(1) });
    await sb.call('/api/v3/ping', { headers: { 'x-forwarded-for': '10.1.1.1' } });
    expect((await sb.call('/api/v3/ping', { headers: { 'x-forwarded-for': '10.2.2.2' } })).status).toBe(429);
    await sb.close();
    sb = await startTestSandbox({ rateLimits: smallLimits(1), trustProxy: true });
    await sb.call('/api/v3/ping', { headers: { 'x-forwarded-for': '10.1.1.1' } });
    expect((await sb.call('/api/v3/ping', { headers: { 'x-forwarded-for': '10.2.2.2' } })).status).toBe(200);
    expect((await sb.call('/api/v3/ping', { headers: { 'x-forwarded-for': '10.1.1.1' } })).status).toBe(429);
  });
});
