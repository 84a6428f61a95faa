import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAgents } from '../helpers/http.js';
import { startTestSandbox, T0, type TestSandbox } from '../helpers/sandbox.js';
import { signatureFor, signedQuery, type TestAccount } from '../helpers/sign.js';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb.close();
  closeAgents();
});

async function account(): Promise<TestAccount> {
  return (await sb.admin('POST', '/sandbox/v1/accounts', { balances: { USDT: '100' } })).json<TestAccount>();
}

const err = async (path: string, opts?: Parameters<TestSandbox['call']>[1]) => {
  const res = await sb.call(path, opts);
  expect(res.status, `${path} → ${res.text}`).toBe(400);
  expect(res.headers['content-type']).toBe('application/json;charset=UTF-8');
  return res.json<{ code: number; msg: string }>();
};

describe('parameter errors over real HTTP', () => {
  it.each([
    ['/api/v3/ping?foo=1', -1101, "Too many parameters; expected '0' and received '1'."],
    [
      '/api/v3/depth?symbol=BTCUSDT&foo=1',
      -1104,
      "Not all sent parameters were read; read '1' parameter(s) but was sent '2'.",
    ],
    ['/api/v3/depth?symbol=BTCUSDT&symbol=ETHUSDT', -1101, 'Duplicate values for a parameter detected.'],
    ['/api/v3/depth', -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."],
    ['/api/v3/depth?symbol=', -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."],
    ['/api/v3/depth?symbol=BTCUSDT&limit=', -1105, "Parameter 'limit' was empty."],
    [
      '/api/v3/depth?symbol=BTCUSDT&limit=abc',
      -1100,
      "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.",
    ],
    ['/api/v3/depth?symbol=BTCUSDT&limit=99999999999999999999', -1108, "Parameter 'limit' overflowed."],
    ['/api/v3/klines?symbol=BTCUSDT&interval=2m', -1120, 'Invalid interval.'],
    ['/api/v3/ticker/24hr?type=HUGE', -1139, 'Invalid ticker type.'],
    ['/api/v3/exchangeInfo?symbolStatus=OPEN', -1122, 'Invalid symbolStatus.'],
    ['/api/v3/exchangeInfo?symbol=NOPE', -1121, 'Invalid symbol.'],
    [
      '/api/v3/exchangeInfo?symbols=%5B%22BTCUSDT%22,%22BTCUSDT%22%5D',
      -1151,
      'Symbol is present multiple times in the list.',
    ],
    ['/api/v3/exchangeInfo?symbols=%5B%22BTCUSDT%22', -1135, "JSON sent for parameter 'symbols' is not valid"],
  ])('%s → %i', async (path, code, msg) => {
    expect(await err(path)).toEqual({ code, msg });
  });

  it('rejects lower-case or illegal symbols with -1100', async () => {
    const body = await err('/api/v3/depth?symbol=btc%20usdt');
    expect(body.code).toBe(-1100);
    expect(body.msg).toMatch(/^Illegal characters found in parameter 'symbol'; legal range is '.+'\.$/);
  });

  it('validates enums with their dedicated codes', async () => {
    const acct = await account();
    const query = `symbol=BTCUSDT&type=LIMIT&timeInForce=GTC&quantity=1&price=1&timestamp=${T0}&side=SIDEWAYS`;
    const res = await err(`/api/v3/order/test?${signedQuery(acct, query)}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': acct.apiKey },
    });
    expect(res).toEqual({ code: -1117, msg: 'Invalid side.' });
  });

  it('refuses client order ids outside ^[a-zA-Z0-9-_]{1,36}$ with -1100, new, original and list ids alike', async () => {
    const acct = await account();
    const range = "legal range is '^[a-zA-Z0-9-_]{1,36}$'.";
    const cases: [string, string, string, string][] = [
      [
        'POST',
        '/order',
        'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=1',
        'newClientOrderId=bot.1',
      ],
      ['POST', '/order', 'symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1', `newClientOrderId=${'O'.repeat(37)}`],
      ['GET', '/order', 'symbol=BTCUSDT', 'origClientOrderId=a%20b'],
      [
        'POST',
        '/orderList/oco',
        'symbol=BTCUSDT&side=SELL&quantity=1&aboveType=LIMIT_MAKER&abovePrice=2&belowType=STOP_LOSS&belowStopPrice=1',
        'aboveClientOrderId=x%3Ay',
      ],
      ['DELETE', '/orderList', 'symbol=BTCUSDT', 'listClientOrderId=%C3%A9'],
    ];
    for (const [method, path, params, id] of cases) {
      const res = await err(`/api/v3${path}?${signedQuery(acct, `${params}&${id}&timestamp=${T0}`)}`, {
        method,
        headers: { 'X-MBX-APIKEY': acct.apiKey },
      });
      const name = id.slice(0, id.indexOf('='));
      expect(res, `${path} ${id}`).toEqual({
        code: -1100,
        msg: `Illegal characters found in parameter '${name}'; ${range}`,
      });
    }
  });

  it('checks the API key before the parameters', async () => {
    const res = await sb.call(`/api/v3/order/test?symbol=BTCUSDT&side=SIDEWAYS&timestamp=${T0}`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({ code: -2014, msg: 'API-key format invalid.' });
  });

  it('takes the query value when a parameter is in both query and body', async () => {
    const acct = await account();
    const body = `symbol=BTCUSDT&type=LIMIT&timeInForce=GTC&quantity=1&price=1&timestamp=${T0}`;
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'X-MBX-APIKEY': acct.apiKey };
    const post = (query: string, form: string) =>
      sb.call(`/api/v3/order/test?${query}`, {
        method: 'POST',
        headers,
        body: `${form}&signature=${signatureFor(acct, query + form)}`,
      });
    // The valid query value is used, so validation passes (the order endpoint itself comes with the engine).
    const queryWins = await post('side=BUY', `${body}&side=SIDEWAYS`);
    expect(queryWins.json<{ code: number }>().code).not.toBe(-1117);
    expect(queryWins.json<{ code: number }>().code).not.toBe(-1022);
    const bodyBad = await post('side=SIDEWAYS', `${body}&side=BUY`);
    expect(bodyBad.json()).toEqual({ code: -1117, msg: 'Invalid side.' });
  });

  it('reads parameters from the body of POST requests, never from a GET body', async () => {
    const res = await sb.call('/api/v3/depth', { method: 'GET', body: 'symbol=BTCUSDT' });
    expect(res.json<{ code: number }>().code).toBe(-1102);
  });

  it('limits recvWindow to 60000', async () => {
    const acct = await account();
    const res = await err(`/api/v3/rateLimit/order?${signedQuery(acct, `timestamp=${T0}&recvWindow=60001`)}`, {
      headers: { 'X-MBX-APIKEY': acct.apiKey },
    });
    expect(res).toEqual({ code: -1102, msg: "'recvWindow' contains unexpected value. Cannot be greater than 60000." });
  });
});

describe('responses', () => {
  it('switches times to microseconds with X-MBX-TIME-UNIT and rejects bad units with -1194', async () => {
    const ms = (await sb.call('/api/v3/time')).json<{ serverTime: number }>();
    expect(ms.serverTime).toBe(T0);
    const us = await sb.call('/api/v3/time', { headers: { 'X-MBX-TIME-UNIT': 'MICROSECOND' } });
    expect(us.json()).toEqual({ serverTime: T0 * 1000 });
    const lower = await sb.call('/api/v3/time', { headers: { 'X-MBX-TIME-UNIT': 'microsecond' } });
    expect(lower.json()).toEqual({ serverTime: T0 * 1000 });
    const bad = await sb.call('/api/v3/time', { headers: { 'X-MBX-TIME-UNIT': 'NANOSECOND' } });
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({
      code: -1194,
      msg: 'Invalid value for time unit; expected either MICROSECOND or MILLISECOND.',
    });
    // still charged the weight its parameters give (depth limit=1000: 50, not the default 5)
    const used = async (path: string, headers: Record<string, string> = {}) => {
      const res = await sb.call(path, { headers, localAddress: '127.0.0.93' });
      return [res.json<{ code?: number }>().code, Number(res.headers['x-mbx-used-weight-1m'])];
    };
    const [, before] = await used('/api/v3/ping');
    expect(await used('/api/v3/depth?symbol=BTCUSDT&limit=1000', { 'X-MBX-TIME-UNIT': 'SECOND' })).toEqual([
      -1194,
      (before as number) + 50,
    ]);
    // the time unit's error comes before a parameter's
    expect((await used('/api/v3/depth?symbol=BTCUSDT&symbol=BTCUSDT', { 'X-MBX-TIME-UNIT': 'SECOND' }))[0]).toBe(-1194);
  });

  it('answers unknown paths and methods with the 404 page and the weight header', async () => {
    for (const [method, path] of [
      ['GET', '/api/v3/nothing'],
      ['POST', '/api/v3/ping'],
      ['GET', '/'],
    ] as const) {
      const res = await sb.call(path, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.text).toContain('404');
      expect(res.headers['x-mbx-used-weight-1m']).toBeDefined();
    }
  });

  it('exchangeInfo carries the configured rate limits and the default symbols', async () => {
    const info = (await sb.call('/api/v3/exchangeInfo')).json<{
      timezone: string;
      serverTime: number;
      rateLimits: unknown[];
      symbols: Array<{ symbol: string }>;
    }>();
    expect(info.timezone).toBe('UTC');
    expect(info.serverTime).toBe(T0);
    expect(info.rateLimits).toEqual([
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000 },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 300000 },
    ]);
    expect(info.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC']);
    const one = (await sb.call('/api/v3/exchangeInfo?symbol=ETHBTC')).json<{ symbols: Array<{ symbol: string }> }>();
    expect(one.symbols.map((s) => s.symbol)).toEqual(['ETHBTC']);
  });

  it('never answers bad input with a 500 or a stack trace', async () => {
    const nasty = [
      '/api/v3/depth?symbol=%',
      '/api/v3/depth?%ZZ=1',
      '/api/v3/depth?=&&&=',
      '/api/v3/exchangeInfo?symbols=%5B1,2,3%5D',
      '/api/v3/exchangeInfo?symbols=%5B%5D',
      '/api/v3/exchangeInfo?permissions=%5B',
      '/api/v3/depth?symbol=BTCUSDT&limit=-5',
      '/api/v3/depth?symbol=' + 'A'.repeat(5000),
      '/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=1e5',
      '/api/v3/ping?' + 'a=1&'.repeat(200),
      '/api/v3/time?%00=%00',
    ];
    for (const path of nasty) {
      const res = await sb.call(path);
      expect(res.status, path).toBeLessThan(500);
      expect(res.text, path).not.toMatch(/at .+\.(js|ts):\d+/);
    }
    for (const body of ['\u0000\u0001', '{"json":true}', 'a=%E0%A4%A', 'x'.repeat(10_000)]) {
      const res = await sb.call('/api/v3/order', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, body.slice(0, 20)).toBeLessThan(500);
    }
  });

  it('answers HTTP that cannot be parsed with a plain 400 page', async () => {
    const { port } = new URL(sb.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () =>
        socket.write('GET /api/v3/ping HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(reply).toContain('<h1>400 Bad Request</h1>');
  });
});
