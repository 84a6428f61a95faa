import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BAN_POLICY } from '../../src/limits/types.js';
import { closeAgents } from '../helpers/http.js';
import { smallLimits, startTestSandbox, T0, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});
afterAll(closeAgents);

const weight = (res: { headers: Record<string, unknown> }) => Number(res.headers['x-mbx-used-weight-1m']);

describe('REQUEST_WEIGHT over real HTTP', () => {
  it('grows the used-weight header by each endpoint weight, on every response', async () => {
    sb = await startTestSandbox();
    const steps: Array<[string, number]> = [
      ['/api/v3/ping', 1],
      ['/api/v3/time', 1],
      ['/api/v3/exchangeInfo', 20],
      ['/api/v3/depth?symbol=BTCUSDT&limit=500', 25],
      ['/api/v3/depth?symbol=BTCUSDT&limit=5000', 250],
      ['/api/v3/ticker/24hr', 80],
      ['/api/v3/exchangeInfo?symbol=NOPE', 20], // an error answer is charged and carries the header too
    ];
    let expected = 0;
    for (const [path, w] of steps) {
      const res = await sb.call(path);
      expected += w;
      expect(weight(res), path).toBe(expected);
      expect(res.headers['x-mbx-used-weight'], path).toBe(String(expected));
    }
  });

  it('answers 429 -1003 exactly at the request that crosses the limit, with Retry-After to the window end', async () => {
    sb = await startTestSandbox({ rateLimits: smallLimits(10) });
    for (let i = 1; i <= 10; i++) {
      const res = await sb.call('/api/v3/ping');
      expect(res.status).toBe(200);
      expect(weight(res)).toBe(i);
    }
    const res = await sb.call('/api/v3/ping');
    expect(res.status).toBe(429);
    expect(res.json()).toEqual({
      code: -1003,
      msg: 'Too much request weight used; current limit is 10 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
    });
    expect(res.headers['retry-after']).toBe('30'); // T0 is hh:mm:30.000
    expect(weight(res)).toBe(11);
    sb.clock.advance(29_500);
    expect((await sb.call('/api/v3/ping')).headers['retry-after']).toBe('1');
    sb.clock.advance(500); // the whole minute: the window resets
    const after = await sb.call('/api/v3/ping');
    expect(after.status).toBe(200);
    expect(weight(after)).toBe(1);
  });

  it('refuses a request whose own weight crosses the limit even when the window still has room', async () => {
    sb = await startTestSandbox({ rateLimits: smallLimits(30) });
    expect((await sb.call('/api/v3/exchangeInfo')).status).toBe(200); // 20
    const res = await sb.call('/api/v3/exchangeInfo'); // 40 > 30
    expect(res.status).toBe(429);
    expect(weight(res)).toBe(40);
  });

  it('counts RAW_REQUESTS and answers 429 when they run out', async () => {
    sb = await startTestSandbox({ rateLimits: smallLimits(1000, 5) });
    for (let i = 0; i < 5; i++) expect((await sb.call('/api/v3/ping')).status).toBe(200);
    const res = await sb.call('/api/v3/ping');
    expect(res.status).toBe(429);
    expect(res.json<{ code: number; msg: string }>().code).toBe(-1003);
    // 5-minute window aligned to the clock: T0 = 00:00:30 → resets at 00:05:00.
    expect(res.headers['retry-after']).toBe('270');
  });

  it('keeps limits per IP: 127.0.0.2 is unaffected by 127.0.0.1', async () => {
    sb = await startTestSandbox({ rateLimits: smallLimits(3) });
    for (let i = 0; i < 4; i++) await sb.call('/api/v3/ping');
    expect((await sb.call('/api/v3/ping')).status).toBe(429);
    const other = await sb.call('/api/v3/ping', { localAddress: '127.0.0.2' });
    expect(other.status).toBe(200);
    expect(weight(other)).toBe(1);
  });
});

describe('bans (418)', () => {
  it('bans after K rejected requests, then answers 418 to everything with Retry-After until the ban ends', async () => {
    sb = await startTestSandbox({
      rateLimits: smallLimits(2),
      banPolicy: { ...DEFAULT_BAN_POLICY, rejectionsBeforeBan: 3 },
    });
    await sb.call('/api/v3/ping');
    await sb.call('/api/v3/ping');
    for (let i = 0; i < 3; i++) expect((await sb.call('/api/v3/ping')).status).toBe(429);
    const banned = await sb.call('/api/v3/ping');
    expect(banned.status).toBe(418);
    const until = T0 + 120_000;
    expect(banned.json()).toEqual({
      code: -1003,
      msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
    });
    expect(banned.headers['retry-after']).toBe('120');
    expect(banned.headers['x-mbx-used-weight-1m']).toBeDefined();
    // Every path, known or not, gets the 418 while the ban runs.
    sb.clock.advance(60_000);
    for (const path of ['/api/v3/time', '/api/v3/exchangeInfo', '/api/v3/nope']) {
      const res = await sb.call(path);
      expect(res.status, path).toBe(418);
      expect(res.headers['retry-after'], path).toBe('60');
    }
    // Another IP is not banned.
    expect((await sb.call('/api/v3/ping', { localAddress: '127.0.0.3' })).status).toBe(200);
    sb.clock.advance(60_000);
    expect((await sb.call('/api/v3/ping')).status).toBe(200);
  });

  it('doubles the ban for repeat offenders up to the 3-day cap, driven by the admin clock', async () => {
    sb = await startTestSandbox({
      rateLimits: smallLimits(1),
      banPolicy: { ...DEFAULT_BAN_POLICY, rejectionsBeforeBan: 1 },
    });
    const durations: number[] = [];
    for (let n = 1; n <= 13; n++) {
      await sb.call('/api/v3/ping'); // 1 = limit
      expect((await sb.call('/api/v3/ping')).status).toBe(429);
      const banned = await sb.call('/api/v3/ping');
      expect(banned.status).toBe(418);
      const seconds = Number(banned.headers['retry-after']);
      durations.push(seconds);
      const adv = await sb.admin('POST', '/sandbox/v1/clock/advance', { ms: seconds * 1000 + 60_000 });
      expect(adv.status).toBe(200);
      // Land on a fresh minute so the weight window is empty again.
      const now = adv.json<{ serverTime: number }>().serverTime;
      await sb.admin('POST', '/sandbox/v1/clock/advance', { ms: 60_000 - (now % 60_000) });
    }
    expect(durations).toEqual([120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720, 61440, 122880, 245760, 259200]);
    const usage = (await sb.admin('GET', '/sandbox/v1/usage?ip=127.0.0.1')).json<{ banHistory: unknown[] }>();
    expect(usage.banHistory.length).toBe(13);
  });

  it('forgets the ban count after a quiet day', async () => {
    sb = await startTestSandbox({
      rateLimits: smallLimits(1),
      banPolicy: { ...DEFAULT_BAN_POLICY, rejectionsBeforeBan: 1 },
    });
    const offend = async () => {
      await sb!.call('/api/v3/ping');
      await sb!.call('/api/v3/ping');
      return sb!.call('/api/v3/ping');
    };
    expect((await offend()).headers['retry-after']).toBe('120');
    sb.clock.advance(120_000 + 86_400_000 + 30_000);
    expect((await offend()).headers['retry-after']).toBe('120');
  });

  it('DELETE /sandbox/v1/bans lifts bans', async () => {
    sb = await startTestSandbox({
      rateLimits: smallLimits(1),
      banPolicy: { ...DEFAULT_BAN_POLICY, rejectionsBeforeBan: 1 },
    });
    await sb.call('/api/v3/ping');
    await sb.call('/api/v3/ping');
    expect((await sb.call('/api/v3/ping')).status).toBe(418);
    const lifted = await sb.admin('DELETE', '/sandbox/v1/bans?ip=127.0.0.1');
    expect(lifted.json()).toEqual({ lifted: 1 });
    sb.clock.advance(30_000); // next minute: weight window is fresh
    expect((await sb.call('/api/v3/ping')).status).toBe(200);
  });
});
