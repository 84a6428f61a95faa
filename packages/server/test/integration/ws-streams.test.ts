/** kline / ticker / avgPrice streams over real WebSockets, compared with the REST answers. */
import { describe, expect, it } from 'vitest';
import { startTestSandbox, T0, type TestSandbox } from '../helpers/sandbox.js';
import type { TestAccount } from '../helpers/sign.js';
import { closeAfterEachTest, connectWs, type Client } from '../ws/client.js';

let sb: TestSandbox;
const sockets = closeAfterEachTest(() => sb);

type Json = Record<string, unknown>;

async function start(): Promise<TestSandbox> {
  sb = await startTestSandbox();
  return sb;
}

const connect = (path: string): Promise<Client> => connectWs(sb.url, path, sockets);

async function createAccount(balances: Record<string, string>): Promise<TestAccount> {
  const res = await sb.admin('POST', '/sandbox/v1/accounts', { balances });
  expect(res.status).toBe(201);
  return res.json<TestAccount>();
}

async function place(acct: TestAccount, side: 'BUY' | 'SELL', quantity: string, price: string, symbol = 'BTCUSDT') {
  await sb.ctx.exchange.submit('placeOrder', {
    now: sb.clock.now(),
    accountId: acct.accountId,
    symbol,
    side,
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity,
    price,
  });
}

/** Two trades: 0.5 @ 50000 and 0.2 @ 50100, the buyer taking. */
async function trade(): Promise<void> {
  const buyer = await createAccount({ USDT: '1000000' });
  const seller = await createAccount({ BTC: '10' });
  await place(seller, 'SELL', '0.5', '50000');
  await place(seller, 'SELL', '0.5', '50100');
  await place(buyer, 'BUY', '0.7', '50100');
}

async function rest<T = Json>(path: string): Promise<T> {
  const res = await sb.call(path);
  expect(res.status, res.text).toBe(200);
  return res.json<T>();
}

describe('kline streams', () => {
  it('pushes the current kline after trades (equal to GET klines), then the final x:true when the sandbox clock closes it', async () => {
    const s = await start();
    const c = await connect('/ws/btcusdt@kline_1m');
    await trade();
    const m = await c.next();
    const open = Math.floor(T0 / 60_000) * 60_000;
    const k = {
      t: open,
      T: open + 59_999,
      s: 'BTCUSDT',
      i: '1m',
      f: 1,
      L: 2,
      o: '50000.00000000',
      c: '50100.00000000',
      h: '50100.00000000',
      l: '50000.00000000',
      v: '0.70000000',
      n: 2,
      x: false,
      q: '35020.00000000',
      V: '0.70000000',
      Q: '35020.00000000',
      B: '0',
    };
    expect(m).toEqual({ e: 'kline', E: s.clock.now(), s: 'BTCUSDT', k });
    const [row] = await rest<unknown[][]>('/api/v3/klines?symbol=BTCUSDT&interval=1m');
    expect(row).toEqual([k.t, k.o, k.h, k.l, k.c, k.v, k.T, k.q, k.n, k.V, k.Q, '0']);

    // no change → nothing more within the cadence
    expect(await c.drain(2300)).toEqual([]);
    s.clock.advance(60_000);
    const closed = await c.next();
    expect(closed).toEqual({ e: 'kline', E: s.clock.now(), s: 'BTCUSDT', k: { ...k, x: true } });
  });

  it('a clock advanced over several buckets between two checks: every traded bucket is pushed final, oldest first, from the one subscribed in; quiet ones are not', async () => {
    const s = await start();
    const c = await connect('/ws/btcusdt@kline_1m');
    const open = Math.floor(T0 / 60_000) * 60_000;
    // within one 250 ms check: trades in the minute subscribed in, none in the next, trades in the third
    await trade();
    s.clock.advance(120_000);
    await trade();
    s.clock.advance(60_000);
    await c.until(() => c.messages.filter((m) => (m as { k: Json }).k.x === true).length >= 2);
    const ks = (await c.drain(300)).map((m) => (m as { k: Json }).k);
    // then the current minute, flat (no trades yet)
    expect(ks.map((k) => [k.t, k.x, k.n])).toEqual([
      [open, true, 2],
      [open + 120_000, true, 2],
      ...(ks.length > 2 ? [[open + 180_000, false, 0]] : []),
    ]);
    const rows = await rest<unknown[][]>(`/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${open}`);
    expect(rows.map((r) => [r[0], r[8]])).toEqual([
      [open, 2],
      [open + 60_000, 0], // flat at the last close: served by REST, not pushed
      [open + 120_000, 2],
      [open + 180_000, 0],
    ]);
  });

  it('kline_1d@+08:00 uses UTC+8 days; kline_1s closes every second; MICROSECOND scales t/T/E', async () => {
    const s = await start();
    const tz = await connect('/ws/btcusdt@kline_1d@+08:00');
    const sec = await connect('/stream?streams=btcusdt@kline_1s&timeUnit=MICROSECOND');
    await trade();
    const m = (await tz.next()) as { k: Json };
    const localDay = Date.UTC(2025, 11, 31, 16); // 2026-01-01 00:00 at UTC+8
    expect(m.k).toMatchObject({ t: localDay, T: localDay + 86_400_000 - 1, i: '1d', n: 2, x: false });
    const w = await sec.next<{ stream: string; data: { E: number; k: Json } }>();
    const t = Math.floor(T0 / 1000) * 1000;
    expect(w.stream).toBe('btcusdt@kline_1s');
    expect(w.data.E).toBe(s.clock.now() * 1000);
    expect(w.data.k).toMatchObject({ t: t * 1000, T: (t + 999) * 1000, i: '1s', x: false, n: 2 });
    s.clock.advance(1_000);
    const done = await sec.nextWhere<{ data: { k: Json } }>((x) => x.data.k.x === true);
    expect(done.data.k).toMatchObject({ t: t * 1000, n: 2, v: '0.70000000' });
  });

  it('accepts every interval', async () => {
    await start();
    const names = [
      '1s',
      '1m',
      '3m',
      '5m',
      '15m',
      '30m',
      '1h',
      '2h',
      '4h',
      '6h',
      '8h',
      '12h',
      '1d',
      '3d',
      '1w',
      '1M',
    ].map((i) => `btcusdt@kline_${i}`);
    const c = await connect(`/stream?streams=${names.join('/')}`);
    await trade();
    await c.until(() => c.messages.length >= names.length);
    const got = new Set((c.messages as { stream: string }[]).map((m) => m.stream));
    expect([...got].sort()).toEqual([...names].sort());
  });
});

describe('ticker streams', () => {
  it('miniTicker, ticker, ticker_1h and avgPrice agree with the REST endpoints', async () => {
    const s = await start();
    await trade();
    const names = ['btcusdt@miniTicker', 'btcusdt@ticker', 'btcusdt@ticker_1h', 'btcusdt@avgPrice'];
    const c = await connect(`/stream?streams=${names.join('/')}`);
    await c.until(() => c.messages.length >= 4);
    const by = new Map((c.messages.splice(0) as { stream: string; data: Json }[]).map((m) => [m.stream, m.data]));
    const now = s.clock.now();

    const r24 = await rest('/api/v3/ticker/24hr?symbol=BTCUSDT');
    expect(by.get('btcusdt@ticker')).toEqual({
      e: '24hrTicker',
      E: now,
      s: 'BTCUSDT',
      p: r24.priceChange,
      P: r24.priceChangePercent,
      w: r24.weightedAvgPrice,
      x: r24.prevClosePrice,
      c: r24.lastPrice,
      Q: r24.lastQty,
      b: r24.bidPrice,
      B: r24.bidQty,
      a: r24.askPrice,
      A: r24.askQty,
      o: r24.openPrice,
      h: r24.highPrice,
      l: r24.lowPrice,
      v: r24.volume,
      q: r24.quoteVolume,
      O: r24.openTime,
      C: r24.closeTime,
      F: r24.firstId,
      L: r24.lastId,
      n: r24.count,
    });
    expect(by.get('btcusdt@ticker')).toMatchObject({
      p: '100.00000000',
      c: '50100.00000000',
      a: '50100.00000000',
      A: '0.30000000',
      n: 2,
    });
    expect(by.get('btcusdt@miniTicker')).toEqual({
      e: '24hrMiniTicker',
      E: now,
      s: 'BTCUSDT',
      c: r24.lastPrice,
      o: r24.openPrice,
      h: r24.highPrice,
      l: r24.lowPrice,
      v: r24.volume,
      q: r24.quoteVolume,
    });
    const r1h = await rest('/api/v3/ticker?symbol=BTCUSDT&windowSize=1h');
    expect(by.get('btcusdt@ticker_1h')).toEqual({
      e: '1hTicker',
      E: now,
      s: 'BTCUSDT',
      p: r1h.priceChange,
      P: r1h.priceChangePercent,
      o: r1h.openPrice,
      h: r1h.highPrice,
      l: r1h.lowPrice,
      c: r1h.lastPrice,
      w: r1h.weightedAvgPrice,
      v: r1h.volume,
      q: r1h.quoteVolume,
      O: r1h.openTime,
      C: r1h.closeTime,
      F: r1h.firstId,
      L: r1h.lastId,
      n: r1h.count,
    });
    const avg = await rest('/api/v3/avgPrice?symbol=BTCUSDT');
    expect(by.get('btcusdt@avgPrice')).toEqual({
      e: 'avgPrice',
      E: now,
      s: 'BTCUSDT',
      i: '5m',
      w: avg.price,
      T: avg.closeTime,
    });

    // nothing changed → nothing pushed
    expect(await c.drain(1500)).toEqual([]);
  });

  it('!miniTicker@arr, !ticker@arr and !ticker_1h@arr list only the changed symbols', async () => {
    const s = await start();
    await trade();
    const arr = await connect('/ws/!miniTicker@arr');
    const arr1h = await connect('/ws/!ticker_1h@arr');
    const arr24 = await connect('/ws/!ticker@arr');
    const first = await arr.next<Json[]>();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ e: '24hrMiniTicker', s: 'BTCUSDT', c: '50100.00000000', v: '0.70000000' });
    const first1h = await arr1h.next<Json[]>();
    expect(first1h.map((t) => [t.e, t.s])).toEqual([['1hTicker', 'BTCUSDT']]);
    const first24 = await arr24.next<Json[]>();
    expect(first24).toHaveLength(1);
    expect(first24[0]).toMatchObject({ e: '24hrTicker', s: 'BTCUSDT', c: '50100.00000000', v: '0.70000000' });
    expect(await arr.drain(1500)).toEqual([]);

    const buyer = await createAccount({ USDT: '1000000' });
    await place(buyer, 'BUY', '0.1', '50100');
    const next = await arr.next<Json[]>();
    expect(next).toEqual([
      {
        e: '24hrMiniTicker',
        E: s.clock.now(),
        s: 'BTCUSDT',
        c: '50100.00000000',
        o: '50000.00000000',
        h: '50100.00000000',
        l: '50000.00000000',
        v: '0.80000000',
        q: '40030.00000000',
      },
    ]);
  });
});
