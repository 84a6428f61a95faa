import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { closeAgents } from '../helpers/http.js';
import { startTestSandbox, submitLimit, type TestSandbox } from '../helpers/sandbox.js';
import type { TestAccount } from '../helpers/sign.js';
import { Client } from '../ws/client.js';
import type { SandboxConfig } from '../../src/config.js';
import { DEFAULT_WS_CONFIG } from '../../src/config.js';

let sb: TestSandbox | undefined;
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await sb?.close();
  sb = undefined;
});
afterAll(closeAgents);

let ipSeq = 2;
const freshIp = () => `127.0.${Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 2}`;

async function start(ws: Partial<SandboxConfig['ws']> = {}, over: Partial<SandboxConfig> = {}): Promise<TestSandbox> {
  sb = await startTestSandbox({ ws: { ...DEFAULT_WS_CONFIG, ...ws }, ...over });
  return sb;
}

function wsUrl(path: string): string {
  return sb!.url.replace('http://', 'ws://') + path;
}

async function connect(path: string, opts: { ip?: string; autoPong?: boolean } = {}): Promise<Client> {
  const ws = new WebSocket(wsUrl(path), { localAddress: opts.ip ?? freshIp(), autoPong: opts.autoPong ?? true });
  clients.push(ws);
  const c = new Client(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return c;
}

/** The HTTP status of a refused handshake (0 when it was accepted). */
async function handshakeStatus(path: string, ip: string): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(wsUrl(path), { localAddress: ip });
  clients.push(ws);
  return new Promise((resolve) => {
    ws.once('open', () => {
      resolve({ status: 0, body: '' });
      ws.terminate();
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? -1, body }));
    });
    ws.once('error', () => undefined);
  });
}

async function createAccount(balances: Record<string, string>): Promise<TestAccount> {
  const res = await sb!.admin('POST', '/sandbox/v1/accounts', { balances });
  expect(res.status).toBe(201);
  return res.json<TestAccount>();
}

const place = (acct: TestAccount, side: 'BUY' | 'SELL', quantity: string, price: string) =>
  submitLimit(sb!, acct.accountId, side, quantity, price);

describe('endpoints', () => {
  it('raw /ws/<stream>, /ws/<a>/<b>, combined /stream?streams=, /ws + SUBSCRIBE, LIST_SUBSCRIPTIONS', async () => {
    await start();
    const raw = await connect('/ws/btcusdt@trade');
    expect(await raw.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: ['btcusdt@trade'], id: 1 });
    const two = await connect('/ws/btcusdt@trade/ethbtc@depth');
    expect(await two.request({ method: 'LIST_SUBSCRIPTIONS', id: 'a1' })).toEqual({
      result: ['btcusdt@trade', 'ethbtc@depth'],
      id: 'a1',
    });
    const comb = await connect('/stream?streams=btcusdt@trade/btcusdt@aggTrade');
    expect(await comb.request({ method: 'GET_PROPERTY', params: ['combined'], id: 2 })).toEqual({
      result: true,
      id: 2,
    });
    const bare = await connect('/ws');
    expect(await bare.request({ method: 'GET_PROPERTY', params: ['combined'], id: 3 })).toEqual({
      result: false,
      id: 3,
    });
    expect(
      await bare.request({
        method: 'SUBSCRIBE',
        params: ['btcusdt@aggTrade', 'btcusdt@depth', 'nosuchsym@trade'],
        id: 4,
      }),
    ).toEqual({ result: null, id: 4 });
    expect(await bare.request({ method: 'UNSUBSCRIBE', params: ['btcusdt@depth'], id: 5 })).toEqual({
      result: null,
      id: 5,
    });
    sb!.clock.advance(1_000); // at most 5 messages per second
    expect(await bare.request({ method: 'LIST_SUBSCRIPTIONS', id: 6 })).toEqual({
      result: ['btcusdt@aggTrade', 'nosuchsym@trade'],
      id: 6,
    });
    expect(await bare.request({ method: 'SET_PROPERTY', params: ['combined', true], id: 7 })).toEqual({
      result: null,
      id: 7,
    });
    expect(await bare.request({ method: 'GET_PROPERTY', params: ['combined'], id: 8 })).toEqual({
      result: true,
      id: 8,
    });
  });

  it('refuses malformed streams, bad paths and bad timeUnit at the handshake with HTTP 400', async () => {
    await start();
    expect(await handshakeStatus('/ws/BTCUSDT@trade', freshIp())).toMatchObject({ status: 400 });
    expect(await handshakeStatus('/ws/btcusdt@nosuch', freshIp())).toMatchObject({ status: 400 });
    expect(await handshakeStatus('/stream?streams=btcusdt@trade/btcusdt', freshIp())).toMatchObject({ status: 400 });
    expect(await handshakeStatus('/nope', freshIp())).toMatchObject({ status: 400, body: 'Invalid request path' });
    expect(await handshakeStatus('/ws/btcusdt@trade?timeUnit=SECOND', freshIp())).toMatchObject({ status: 400 });
    expect(await handshakeStatus('/ws/btcusdt@depth5@100ms', freshIp())).toMatchObject({ status: 0 });
    expect(await handshakeStatus('/ws/btcusdt%40trade', freshIp())).toMatchObject({ status: 0 });
  });

  it("keeps a '+' of a stream name in a combined URL (@binance/spot rebuilds /stream?streams=… with the names as they are)", async () => {
    await start();
    const literal = await connect('/stream?streams=btcusdt@kline_1m@+08:00/btcusdt@trade&timeUnit=MILLISECOND');
    expect(await literal.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({
      result: ['btcusdt@kline_1m@+08:00', 'btcusdt@trade'],
      id: 1,
    });
    const encoded = await connect('/stream?streams=btcusdt%40kline_1h%40%2B08%3A00');
    expect(await encoded.request({ method: 'LIST_SUBSCRIPTIONS', id: 2 })).toEqual({
      result: ['btcusdt@kline_1h@+08:00'],
      id: 2,
    });
    expect(await handshakeStatus('/stream?streams=btcusdt%ZZ', freshIp())).toMatchObject({ status: 400 });
  });

  it('opens a raw /ws/<name> whose name is no stream and no listenKey (ccxt.pro: /ws/0, /ws/1 …) with nothing subscribed', async () => {
    await start();
    const c = await connect('/ws/0');
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })).toEqual({ result: [], id: 1 });
    expect(await c.request({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 2 })).toEqual({ result: null, id: 2 });
    expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 3 })).toEqual({ result: ['btcusdt@trade'], id: 3 });
    const mixed = await connect('/ws/1/btcusdt@aggTrade');
    expect(await mixed.request({ method: 'LIST_SUBSCRIPTIONS', id: 4 })).toEqual({
      result: ['btcusdt@aggTrade'],
      id: 4,
    });
    // the same name in a combined URL, or as a SUBSCRIBE parameter, is still refused
    expect(await handshakeStatus('/stream?streams=0', freshIp())).toMatchObject({ status: 400 });
    expect(await c.request({ method: 'SUBSCRIBE', params: ['0'], id: 5 })).toEqual({
      error: { code: 2, msg: 'Invalid request: invalid stream' },
      id: 5,
    });
  });
});

describe('control message errors (exact frames)', () => {
  it.each([
    ['{"method":"SET_PROPERTY","params":["foo",true],"id":1}', { error: { code: 0, msg: 'Unknown property' }, id: 1 }],
    ['{"method":"GET_PROPERTY","params":["nope"],"id":9}', { error: { code: 0, msg: 'Unknown property' }, id: 9 }],
    [
      '{"method":"SET_PROPERTY","params":["combined","yes"],"id":2}',
      { error: { code: 1, msg: 'Invalid value type: expected Boolean' }, id: 2 },
    ],
    [
      '{"method":"SET_PROPERTY","params":[1,true],"id":3}',
      { error: { code: 2, msg: 'Invalid request: property name must be a string' }, id: 3 },
    ],
    [
      '{"method":"SUBSCRIBE","params":[],"id":1.5}',
      { error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' }, id: null },
    ],
    [
      '{"method":"SUBSCRIBE","params":[]}',
      { error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' }, id: null },
    ],
    [
      '{"method":"SUBSCRIBX","params":[],"id":1}',
      {
        error: {
          code: 2,
          msg: 'Invalid request: unknown variant `SUBSCRIBX`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 column 21',
        },
        id: null,
      },
    ],
    [
      '{"method":"GET_PROPERTY","params":["combined",1],"id":4}',
      { error: { code: 2, msg: 'Invalid request: too many parameters' }, id: 4 },
    ],
    [
      '{"params":["btcusdt@trade"],"id":1}',
      { error: { code: 2, msg: 'Invalid request: missing field `method` at line 1 column 35' }, id: null },
    ],
    [
      '{"method":"SUBSCRIBE","params":["btcusdt@trades"],"id":5}',
      { error: { code: 2, msg: 'Invalid request: invalid stream' }, id: 5 },
    ],
    ['hello', { error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' }, id: null }],
    [
      '{"method":"SUBSCRIBE",',
      { error: { code: 3, msg: 'Invalid JSON: EOF while parsing a value at line 1 column 22' }, id: null },
    ],
    [
      '{"method":"SUBSCRIBE"',
      { error: { code: 3, msg: 'Invalid JSON: EOF while parsing an object at line 1 column 21' }, id: null },
    ],
  ])('%s', async (text, frame) => {
    await start();
    const c = await connect('/ws');
    expect(await c.request(text)).toEqual(frame);
  });
});

describe('limits', () => {
  it('5 messages in a second are fine, the 6th disconnects with 1008; PING and PONG count', async () => {
    const s = await start();
    const c = await connect('/ws');
    for (let i = 1; i <= 4; i++)
      expect(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: i })).toEqual({ result: [], id: i });
    c.ws.ping(); // the 5th message
    await new Promise((r) => setTimeout(r, 50));
    expect(c.closed).toBeNull();
    s.clock.advance(1_000); // a new second: 5 more
    for (let i = 1; i <= 5; i++) c.ws.pong();
    await new Promise((r) => setTimeout(r, 50));
    expect(c.closed).toBeNull();
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 6 }); // the 6th in that second
    await c.until(() => c.closed !== null);
    expect(c.closed).toEqual({ code: 1008, reason: 'Too many requests' });
    expect(c.messages).toEqual([]);
  });

  it('IPs disconnected repeatedly for it get banned (418 at the handshake)', async () => {
    const s = await start(
      { maxMessagesPerSecond: 1 },
      {
        banPolicy: { rejectionsBeforeBan: 2, firstBanMs: 120_000, maxBanMs: 259_200_000, banCountDecayMs: 86_400_000 },
      },
    );
    const ip = freshIp();
    for (let k = 0; k < 3; k++) {
      const c = await connect('/ws', { ip });
      c.ws.ping();
      c.ws.ping();
      await c.until(() => c.closed !== null);
      expect(c.closed?.code).toBe(1008);
    }
    await new Promise((r) => setTimeout(r, 50));
    const refused = await handshakeStatus('/ws', ip);
    expect(refused.status).toBe(418);
    const usage = await s.ctx.limits.usage(ip, s.clock.now());
    expect(usage.currentBan?.ordinal).toBe(1);
  });

  it('1024 streams per connection: the 1024th is fine, the 1025th refused (URL and SUBSCRIBE)', async () => {
    await start();
    const names = Array.from({ length: 1025 }, (_, i) => `s${i}@trade`);
    const c = await connect(`/stream?streams=${names.slice(0, 1000).join('/')}`);
    expect(await c.request({ method: 'SUBSCRIBE', params: names.slice(1000, 1024), id: 1 })).toEqual({
      result: null,
      id: 1,
    });
    expect(await c.request({ method: 'SUBSCRIBE', params: [names[0]], id: 2 })).toEqual({ result: null, id: 2 }); // already there
    expect(await c.request({ method: 'SUBSCRIBE', params: [names[1024]], id: 3 })).toEqual({
      error: { code: 2, msg: 'Invalid request: too many streams' },
      id: 3,
    });
    const listed = (await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 4 })) as { result: string[] };
    expect(listed.result).toHaveLength(1024);
    expect(await handshakeStatus(`/ws/${names.slice(0, 1024).join('/')}`, freshIp())).toMatchObject({ status: 0 });
    expect(await handshakeStatus(`/ws/${names.join('/')}`, freshIp())).toMatchObject({ status: 400 });
  });

  it('300 connection attempts per 5 minutes per IP: the 301st is refused with 429, then the window resets', async () => {
    const s = await start();
    const ip = freshIp();
    // 299 attempts straight through the store, then the 300th over the wire (same shared counter).
    for (let i = 0; i < 299; i++) {
      await s.ctx.limits.admitConnection({ ip, now: s.clock.now(), limit: 300, windowMs: 300_000 });
    }
    expect((await handshakeStatus('/ws', ip)).status).toBe(0);
    const r = await handshakeStatus('/ws', ip);
    expect(r.status).toBe(429);
    const other = await handshakeStatus('/ws', freshIp());
    expect(other.status).toBe(0);
    s.clock.advance(300_000);
    expect((await handshakeStatus('/ws', ip)).status).toBe(0);
  });
});

describe('heartbeat and lifetime on the sandbox clock', () => {
  it('pings every pingIntervalMs; no pong within pongTimeoutMs closes (1000); answered pings keep it open', async () => {
    const s = await start();
    const quiet = await connect('/ws', { autoPong: false });
    const polite = await connect('/ws');
    s.clock.advance(179_999);
    await new Promise((r) => setTimeout(r, 150));
    expect(quiet.pings).toEqual([]);
    const adv = await s.admin('POST', '/sandbox/v1/clock/advance', { ms: 1 });
    expect(adv.status).toBe(200);
    await quiet.until(() => quiet.pings.length === 1);
    await polite.until(() => polite.pings.length === 1);
    s.clock.advance(599_999); // 10 minutes after the ping, minus 1 ms
    await new Promise((r) => setTimeout(r, 150));
    expect(quiet.closed).toBeNull();
    s.clock.advance(1);
    await quiet.until(() => quiet.closed !== null);
    expect(quiet.closed?.code).toBe(1000);
    expect(polite.closed).toBeNull();
    expect(polite.pings.length).toBeGreaterThanOrEqual(2);
  });

  it('connections are closed after 24 hours', async () => {
    const s = await start({ pingIntervalMs: 86_400_000 * 2 });
    const c = await connect('/ws');
    s.clock.advance(86_399_999);
    await new Promise((r) => setTimeout(r, 150));
    expect(c.closed).toBeNull();
    s.clock.advance(1);
    await c.until(() => c.closed !== null);
    expect(c.closed?.code).toBe(1000);
  });
});

describe('streams fed by the engine', () => {
  it('trade, aggTrade (raw and combined), bookTicker after crossing orders', async () => {
    const s = await start();
    const buyer = await createAccount({ USDT: '100000' });
    const seller = await createAccount({ BTC: '10' });
    const trade = await connect('/ws/btcusdt@trade');
    const comb = await connect('/stream?streams=btcusdt@aggTrade/btcusdt@bookTicker');
    await place(seller, 'SELL', '0.5', '50000');
    const bt = (await comb.next()) as { stream: string; data: Record<string, unknown> };
    expect(bt).toEqual({
      stream: 'btcusdt@bookTicker',
      data: {
        u: s.ctx.exchange.engine.book('BTCUSDT', 1).lastUpdateId,
        s: 'BTCUSDT',
        b: '0.00000000',
        B: '0.00000000',
        a: '50000.00000000',
        A: '0.50000000',
      },
    });
    await place(seller, 'SELL', '0.5', '50000');
    await comb.next(); // bookTicker: A 1.0
    await place(buyer, 'BUY', '0.7', '50000');
    const t1 = (await trade.next()) as Record<string, unknown>;
    const t2 = (await trade.next()) as Record<string, unknown>;
    const now = s.clock.now();
    expect(t1).toEqual({
      e: 'trade',
      E: now,
      s: 'BTCUSDT',
      t: 1,
      p: '50000.00000000',
      q: '0.50000000',
      T: now,
      m: false,
      M: true,
    });
    expect(t2).toMatchObject({ t: 2, q: '0.20000000' });
    const msgs = [
      (await comb.next()) as { stream: string; data: unknown },
      (await comb.next()) as { stream: string; data: unknown },
    ];
    const agg = msgs.find((m) => m.stream === 'btcusdt@aggTrade');
    expect(agg?.data).toEqual({
      e: 'aggTrade',
      E: now,
      s: 'BTCUSDT',
      a: 1,
      p: '50000.00000000',
      q: '0.70000000',
      f: 1,
      l: 2,
      T: now,
      m: false,
      M: true,
    });
    expect(msgs.find((m) => m.stream === 'btcusdt@bookTicker')?.data).toMatchObject({
      a: '50000.00000000',
      A: '0.30000000',
    });
  });

  it('timeUnit=MICROSECOND multiplies E and T', async () => {
    const s = await start();
    const buyer = await createAccount({ USDT: '100000' });
    const seller = await createAccount({ BTC: '10' });
    const c = await connect('/ws/btcusdt@trade?timeUnit=MICROSECOND');
    await place(seller, 'SELL', '0.5', '50000');
    await place(buyer, 'BUY', '0.1', '50000');
    expect(await c.next()).toMatchObject({ E: s.clock.now() * 1000, T: s.clock.now() * 1000 });
  });

  it('partial depth: top N with lastUpdateId', async () => {
    const s = await start();
    const seller = await createAccount({ BTC: '10' });
    for (let i = 0; i < 7; i++) await place(seller, 'SELL', '0.1', String(50000 + i));
    const c = await connect('/ws/btcusdt@depth5@100ms');
    const m = (await c.next()) as { lastUpdateId: number; bids: unknown[]; asks: string[][] };
    expect(m.lastUpdateId).toBe(s.ctx.exchange.engine.book('BTCUSDT', 1).lastUpdateId);
    expect(m.bids).toEqual([]);
    expect(m.asks).toHaveLength(5);
    expect(m.asks[0]).toEqual(['50000.00000000', '0.10000000']);
  });

  it('the documented local order book procedure (§8.4) reconstructs the engine book exactly', async () => {
    const s = await start();
    const buyer = await createAccount({ USDT: '10000000' });
    const seller = await createAccount({ BTC: '1000' });
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const randomOrder = async () => {
      const buy = rnd() < 0.5;
      const price = String(49_990 + Math.floor(rnd() * 20));
      const qty = (0.01 + Math.floor(rnd() * 10) / 100).toFixed(2);
      await place(buy ? buyer : seller, buy ? 'BUY' : 'SELL', qty, price);
    };
    for (let i = 0; i < 30; i++) await randomOrder();
    // 1. open the diff stream and buffer
    const c = await connect('/ws/btcusdt@depth@100ms');
    for (let i = 0; i < 20; i++) await randomOrder();
    await c.until(() => c.messages.length > 0);
    // 2. snapshot
    const snap = await s.call('/api/v3/depth?symbol=BTCUSDT&limit=5000');
    let snapshot: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] };
    if (snap.status === 200) snapshot = snap.json();
    else {
      const b = s.ctx.exchange.engine.book('BTCUSDT', 5000);
      const f = (x: number) => (x / 1e8).toFixed(8);
      snapshot = {
        lastUpdateId: b.lastUpdateId,
        bids: b.bids.map(([p, q]) => [f(p), f(q)]),
        asks: b.asks.map(([p, q]) => [f(p), f(q)]),
      };
    }
    for (let i = 0; i < 40; i++) await randomOrder();
    const finalId = s.ctx.exchange.engine.book('BTCUSDT', 1).lastUpdateId;
    type Diff = { U: number; u: number; b: [string, string][]; a: [string, string][] };
    await c.until(() => (c.messages[c.messages.length - 1] as Diff | undefined)?.u === finalId);
    const events = c.messages as Diff[];
    // 3. the snapshot is not older than the first buffered event
    expect(snapshot.lastUpdateId).toBeGreaterThanOrEqual(events[0]!.U - 1);
    // 4.–5. apply
    const bids = new Map(snapshot.bids);
    const asks = new Map(snapshot.asks);
    let updateId = snapshot.lastUpdateId;
    let first = true;
    for (const e of events) {
      if (e.u <= updateId) continue;
      if (first) expect(e.U <= updateId + 1 && updateId + 1 <= e.u).toBe(true);
      else expect(e.U).toBe(updateId + 1);
      first = false;
      for (const [p, q] of e.b)
        if (Number(q) === 0) bids.delete(p);
        else bids.set(p, q);
      for (const [p, q] of e.a)
        if (Number(q) === 0) asks.delete(p);
        else asks.set(p, q);
      updateId = e.u;
    }
    const engine = s.ctx.exchange.engine.book('BTCUSDT', 5000);
    const f = (x: number) => (x / 1e8).toFixed(8);
    expect(updateId).toBe(engine.lastUpdateId);
    expect([...bids].sort((a, b) => Number(b[0]) - Number(a[0]))).toEqual(engine.bids.map(([p, q]) => [f(p), f(q)]));
    expect([...asks].sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(engine.asks.map(([p, q]) => [f(p), f(q)]));
  });
});

describe('faults (admin API)', () => {
  it('a stopping sandbox sends serverShutdown and closes with 1001 (Going Away)', async () => {
    await start();
    const raw = await connect('/ws/btcusdt@trade');
    const combined = await connect('/stream?streams=btcusdt@trade');
    const now = sb!.clock.now();
    const t0 = Date.now();
    await sb!.close();
    sb = undefined;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await raw.next()).toEqual({ e: 'serverShutdown', E: now });
    expect(await combined.next()).toEqual({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: now } });
    for (const c of [raw, combined]) {
      await c.until(() => c.closed !== null);
      expect(c.closed).toEqual({ code: 1001, reason: 'Server shutdown' });
    }
  });

  it('serverShutdown: the notice now (raw, combined, µs), the close when the notice said', async () => {
    await start();
    const raw = await connect('/ws/btcusdt@trade');
    const combined = await connect('/stream?streams=btcusdt@trade');
    const micro = await connect('/ws?timeUnit=MICROSECOND');
    const now = sb!.clock.now();
    const res = await sb!.admin('POST', '/sandbox/v1/ws/serverShutdown', {});
    expect(res.json()).toEqual({ notified: 3 });
    expect(await raw.next()).toEqual({ e: 'serverShutdown', E: now });
    expect(await combined.next()).toEqual({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: now } });
    expect(await micro.next()).toEqual({ e: 'serverShutdown', E: now * 1000 });
    // still served until 10 minutes of sandbox time have passed
    await sb!.admin('POST', '/sandbox/v1/clock/advance', { ms: 600_000 - 1 });
    micro.send({ method: 'LIST_SUBSCRIPTIONS', id: 7 });
    expect(await micro.next()).toEqual({ result: [], id: 7 });
    expect(raw.closed).toBeNull();
    await sb!.admin('POST', '/sandbox/v1/clock/advance', { ms: 1 });
    for (const c of [raw, combined, micro]) {
      await c.until(() => c.closed !== null);
      expect(c.closed?.code).toBe(1000);
    }
    // chosen connections, at once
    const d = await connect('/ws');
    const e = await connect('/ws');
    const list = (await sb!.admin('GET', '/sandbox/v1/ws/connections')).json<{ connections: { id: number }[] }>();
    const first = list.connections[0]!.id;
    expect((await sb!.admin('POST', '/sandbox/v1/ws/serverShutdown', { ids: [first], inMs: 0 })).json()).toEqual({
      notified: 1,
    });
    expect(await d.next()).toMatchObject({ e: 'serverShutdown' });
    await d.until(() => d.closed !== null);
    expect(e.closed).toBeNull();
    expect((await sb!.admin('POST', '/sandbox/v1/ws/serverShutdown', { inMs: -1 })).status).toBe(400);
  });

  it('closes chosen or all connections with 1000 or 1008; ignores pings; delays frames', async () => {
    await start();
    const a = await connect('/ws');
    const b = await connect('/ws');
    const list = (await sb!.admin('GET', '/sandbox/v1/ws/connections')).json<{ connections: { id: number }[] }>();
    expect(list.connections).toHaveLength(2);
    const ids = list.connections.map((c) => c.id);
    const r1 = await sb!.admin('POST', '/sandbox/v1/ws/close', { ids: [ids[0]], code: 1008, reason: 'test' });
    expect(r1.json()).toEqual({ closed: 1 });
    await a.until(() => a.closed !== null);
    expect(a.closed).toEqual({ code: 1008, reason: 'test' });
    expect(b.closed).toBeNull();

    const r2 = await sb!.admin('POST', '/sandbox/v1/ws/faults', { ignorePings: true, delayMs: 300 });
    expect(r2.status).toBe(200);
    let ponged = false;
    b.ws.on('pong', () => (ponged = true));
    b.ws.ping();
    const t0 = Date.now();
    b.send({ method: 'LIST_SUBSCRIPTIONS', id: 1 });
    expect(await b.next()).toEqual({ result: [], id: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(ponged).toBe(false);
    await sb!.admin('DELETE', '/sandbox/v1/ws/faults');
    b.ws.ping();
    await b.until(() => ponged);

    const c = await connect('/ws');
    const r3 = await sb!.admin('POST', '/sandbox/v1/ws/close', {});
    expect(r3.json()).toEqual({ closed: 2 });
    await c.until(() => c.closed !== null);
    expect(c.closed?.code).toBe(1000);
    expect((await sb!.admin('POST', '/sandbox/v1/ws/close', { code: 1001 })).status).toBe(400);
  });
});
