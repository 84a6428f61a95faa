import { afterAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { closeAgents } from '../helpers/http.js';
import { startTestSandbox, submitLimit, T0, type TestSandbox } from '../helpers/sandbox.js';
import type { TestAccount } from '../helpers/sign.js';

let sb: TestSandbox;
beforeEach(async () => {
  sb = await startTestSandbox();
});
afterEach(() => sb.close());
afterAll(closeAgents);

async function createAccount(balances: Record<string, string>): Promise<TestAccount> {
  const res = await sb.admin('POST', '/sandbox/v1/accounts', { balances });
  expect(res.status).toBe(201);
  return res.json<TestAccount>();
}

/** What POST /api/v3/order does after validation (drives the engine directly, independent of the trading endpoints). */
const place = (acct: TestAccount, side: 'BUY' | 'SELL', quantity: string, price: string) =>
  submitLimit(sb, acct.accountId, side, quantity, price);

let ipSeq = 10;
/** A GET from a fresh client IP, so X-MBX-USED-WEIGHT-1M is exactly this request's weight. */
async function get(path: string) {
  const res = await sb.call(path, { localAddress: `127.0.0.${ipSeq++}` });
  return { status: res.status, weight: Number(res.headers['x-mbx-used-weight-1m']), body: res.json<unknown>() };
}

/** maker sells 0.5 @ 50000 and 0.5 @ 50001; taker buys 0.7 (2 trades, 2 aggs) then 0.1 (1 trade); a bid rests at 49000. */
async function scenario() {
  const buyer = await createAccount({ USDT: '100000' });
  const seller = await createAccount({ BTC: '10' });
  await place(seller, 'SELL', '0.5', '50000');
  await place(seller, 'SELL', '0.5', '50001');
  await place(buyer, 'BUY', '0.7', '50001'); // taker at T0
  sb.clock.advance(1_000);
  await place(buyer, 'BUY', '0.1', '50001');
  await place(buyer, 'BUY', '0.1', '49000');
  return { buyer, seller };
}

describe('market data over HTTP', () => {
  it('depth: levels, lastUpdateId from the engine, weight by limit', async () => {
    await scenario();
    const res = await get('/api/v3/depth?symbol=BTCUSDT');
    expect(res.status).toBe(200);
    expect(res.weight).toBe(5);
    expect(res.body).toEqual({
      lastUpdateId: sb.ctx.exchange.engine.book('BTCUSDT', 1).lastUpdateId,
      bids: [['49000.00000000', '0.10000000']],
      asks: [['50001.00000000', '0.20000000']],
    });
    expect((res.body as { lastUpdateId: number }).lastUpdateId).toBeGreaterThan(0);
    expect((await get('/api/v3/depth?symbol=BTCUSDT&limit=500')).weight).toBe(25);
    expect((await get('/api/v3/depth?symbol=BTCUSDT&limit=1000')).weight).toBe(50);
    expect((await get('/api/v3/depth?symbol=BTCUSDT&limit=6000')).weight).toBe(250);
    const one = await get('/api/v3/depth?symbol=BTCUSDT&limit=1');
    expect(one.body).toMatchObject({
      bids: [['49000.00000000', '0.10000000']],
      asks: [['50001.00000000', '0.20000000']],
    });
  });

  it('trades, historicalTrades and aggTrades field by field', async () => {
    await scenario();
    const trades = await get('/api/v3/trades?symbol=BTCUSDT');
    expect(trades.weight).toBe(25);
    expect(trades.body).toEqual([
      {
        id: 1,
        price: '50000.00000000',
        qty: '0.50000000',
        quoteQty: '25000.00000000',
        time: T0,
        isBuyerMaker: false,
        isBestMatch: true,
      },
      {
        id: 2,
        price: '50001.00000000',
        qty: '0.20000000',
        quoteQty: '10000.20000000',
        time: T0,
        isBuyerMaker: false,
        isBestMatch: true,
      },
      {
        id: 3,
        price: '50001.00000000',
        qty: '0.10000000',
        quoteQty: '5000.10000000',
        time: T0 + 1000,
        isBuyerMaker: false,
        isBestMatch: true,
      },
    ]);
    expect((await get('/api/v3/trades?symbol=BTCUSDT&limit=1')).body).toEqual([(trades.body as unknown[])[2]]);
    const hist = await get('/api/v3/historicalTrades?symbol=BTCUSDT&fromId=2&limit=1');
    expect(hist.weight).toBe(25);
    expect(hist.body).toEqual([(trades.body as unknown[])[1]]);

    const aggs = await get('/api/v3/aggTrades?symbol=BTCUSDT');
    expect(aggs.weight).toBe(4);
    expect(aggs.body).toEqual([
      { a: 1, p: '50000.00000000', q: '0.50000000', f: 1, l: 1, T: T0, m: false, M: true },
      { a: 2, p: '50001.00000000', q: '0.20000000', f: 2, l: 2, T: T0, m: false, M: true },
      { a: 3, p: '50001.00000000', q: '0.10000000', f: 3, l: 3, T: T0 + 1000, m: false, M: true },
    ]);
    expect((await get(`/api/v3/aggTrades?symbol=BTCUSDT&startTime=${T0 + 1}`)).body).toEqual([
      (aggs.body as unknown[])[2],
    ]);
    expect((await get('/api/v3/aggTrades?symbol=BTCUSDT&fromId=2&limit=1')).body).toEqual([
      (aggs.body as unknown[])[1],
    ]);
  });

  it('one aggregate for several fills of the same taker order at one price', async () => {
    const buyer = await createAccount({ USDT: '100000' });
    const seller = await createAccount({ BTC: '10' });
    await place(seller, 'SELL', '0.1', '50000');
    await place(seller, 'SELL', '0.2', '50000');
    await place(buyer, 'BUY', '0.3', '50000');
    expect((await get('/api/v3/aggTrades?symbol=BTCUSDT')).body).toEqual([
      { a: 1, p: '50000.00000000', q: '0.30000000', f: 1, l: 2, T: T0, m: false, M: true },
    ]);
  });

  it('klines and uiKlines', async () => {
    await scenario();
    const minute = T0 - 30_000; // T0 is half a minute in
    const k = await get('/api/v3/klines?symbol=BTCUSDT&interval=1m');
    expect(k.weight).toBe(2);
    expect(k.body).toEqual([
      [
        minute,
        '50000.00000000',
        '50001.00000000',
        '50000.00000000',
        '50001.00000000',
        '0.80000000',
        minute + 59_999,
        '40000.30000000',
        3,
        '0.80000000',
        '40000.30000000',
        '0',
      ],
    ]);
    expect((await get('/api/v3/uiKlines?symbol=BTCUSDT&interval=1m')).body).toEqual(k.body);
    const s = await get('/api/v3/klines?symbol=BTCUSDT&interval=1s');
    expect((s.body as unknown[][]).map((r) => [r[0], r[8]])).toEqual([
      [T0, 2],
      [T0 + 1000, 1],
    ]);
    const d8 = await get('/api/v3/klines?symbol=BTCUSDT&interval=1d&timeZone=8');
    expect((d8.body as unknown[][]).map((r) => [r[0], r[6]])).toEqual([
      [Date.UTC(2025, 11, 31, 16), Date.UTC(2026, 0, 1, 16) - 1],
    ]);
    expect((await get('/api/v3/klines?symbol=BTCUSDT&interval=1x')).body).toEqual({
      code: -1120,
      msg: 'Invalid interval.',
    });
    expect((await get('/api/v3/klines?symbol=BTCUSDT&interval=1m&timeZone=15')).body).toEqual({
      code: -1130,
      msg: "Data sent for parameter 'timeZone' is not valid.",
    });
  });

  it('ticker/24hr FULL and MINI, symbols lists and weights', async () => {
    await scenario();
    const now = T0 + 1000;
    const full = await get('/api/v3/ticker/24hr?symbol=BTCUSDT');
    expect(full.weight).toBe(2);
    expect(JSON.stringify(full.body)).toBe(
      JSON.stringify({
        symbol: 'BTCUSDT',
        priceChange: '1.00000000',
        priceChangePercent: '0.002',
        weightedAvgPrice: '50000.37500000',
        prevClosePrice: '0.00000000',
        lastPrice: '50001.00000000',
        lastQty: '0.10000000',
        bidPrice: '49000.00000000',
        bidQty: '0.10000000',
        askPrice: '50001.00000000',
        askQty: '0.20000000',
        openPrice: '50000.00000000',
        highPrice: '50001.00000000',
        lowPrice: '50000.00000000',
        volume: '0.80000000',
        quoteVolume: '40000.30000000',
        openTime: now - 86_400_000,
        closeTime: now,
        firstId: 1,
        lastId: 3,
        count: 3,
      }),
    );
    const mini = await get('/api/v3/ticker/24hr?symbol=BTCUSDT&type=MINI');
    expect(Object.keys(mini.body as object)).toEqual([
      'symbol',
      'openPrice',
      'highPrice',
      'lowPrice',
      'lastPrice',
      'volume',
      'quoteVolume',
      'openTime',
      'closeTime',
      'firstId',
      'lastId',
      'count',
    ]);
    const all = await get('/api/v3/ticker/24hr');
    expect(all.weight).toBe(80);
    const rows = all.body as { symbol: string; firstId: number; lastId: number; count: number; lastPrice: string }[];
    expect(rows.map((r) => r.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC']);
    expect(rows[1]).toMatchObject({ firstId: -1, lastId: -1, count: 0, lastPrice: '0.00000000' });
    const two = await get('/api/v3/ticker/24hr?symbols=%5B%22ETHBTC%22,%22BTCUSDT%22%5D');
    expect(two.weight).toBe(2);
    expect((two.body as { symbol: string }[]).map((r) => r.symbol)).toEqual(['BTCUSDT', 'ETHBTC']);
  });

  it('rolling ticker and tradingDay', async () => {
    await scenario();
    const now = T0 + 1000;
    const w = await get('/api/v3/ticker?symbol=BTCUSDT&windowSize=1m');
    expect(w.weight).toBe(4);
    const minuteFloor = Math.floor((now - 60_000) / 60_000) * 60_000;
    expect(w.body).toEqual({
      symbol: 'BTCUSDT',
      priceChange: '1.00000000',
      priceChangePercent: '0.002',
      weightedAvgPrice: '50000.37500000',
      openPrice: '50000.00000000',
      highPrice: '50001.00000000',
      lowPrice: '50000.00000000',
      lastPrice: '50001.00000000',
      volume: '0.80000000',
      quoteVolume: '40000.30000000',
      openTime: minuteFloor,
      closeTime: now,
      firstId: 1,
      lastId: 3,
      count: 3,
    });
    sb.clock.advance(2 * 60_000);
    const later = await get('/api/v3/ticker?symbol=BTCUSDT&windowSize=1m&type=MINI');
    expect(later.body).toMatchObject({ count: 0, firstId: -1, lastId: -1, volume: '0.00000000' });
    const twoSyms = await get('/api/v3/ticker?symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D');
    expect(twoSyms.weight).toBe(8);
    const day = await get('/api/v3/ticker/tradingDay?symbol=BTCUSDT&timeZone=-1:00');
    expect(day.weight).toBe(4);
    expect(day.body).toMatchObject({
      openTime: Date.UTC(2025, 11, 31, 1),
      closeTime: Date.UTC(2026, 0, 1, 1) - 1,
      count: 3,
    });
    expect((await get('/api/v3/ticker')).body).toEqual({
      code: -1102,
      msg: "Param 'symbol' or 'symbols' must be sent, but both were empty/null!",
    });
  });

  it('ticker/price, bookTicker, avgPrice', async () => {
    await scenario();
    const p = await get('/api/v3/ticker/price?symbol=BTCUSDT');
    expect(p.weight).toBe(2);
    expect(p.body).toEqual({ symbol: 'BTCUSDT', price: '50001.00000000' });
    const all = await get('/api/v3/ticker/price');
    expect(all.weight).toBe(4);
    expect(all.body).toEqual([
      { symbol: 'BTCUSDT', price: '50001.00000000' },
      { symbol: 'ETHUSDT', price: '0.00000000' },
      { symbol: 'BNBUSDT', price: '0.00000000' },
      { symbol: 'ETHBTC', price: '0.00000000' },
    ]);
    const b = await get('/api/v3/ticker/bookTicker?symbol=BTCUSDT');
    expect(b.weight).toBe(2);
    expect(JSON.stringify(b.body)).toBe(
      JSON.stringify({
        symbol: 'BTCUSDT',
        bidPrice: '49000.00000000',
        bidQty: '0.10000000',
        askPrice: '50001.00000000',
        askQty: '0.20000000',
      }),
    );
    const avg = await get('/api/v3/avgPrice?symbol=BTCUSDT');
    expect(avg.weight).toBe(2);
    expect(avg.body).toEqual({ mins: 5, price: '50000.37500000', closeTime: T0 + 1000 });
  });

  it('errors: unknown symbol, symbolStatus, combinations', async () => {
    expect((await get('/api/v3/depth?symbol=NOPE')).body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    expect((await get('/api/v3/ticker/price?symbols=%5B%22NOPE%22%5D')).body).toEqual({
      code: -1121,
      msg: 'Invalid symbol.',
    });
    expect((await get('/api/v3/depth?symbol=BTCUSDT&symbolStatus=HALT')).body).toEqual({
      code: -1220,
      msg: "The symbol's status does not match the requested symbolStatus.",
    });
    expect((await get('/api/v3/ticker/24hr?symbolStatus=HALT')).body).toEqual([]);
    expect((await get('/api/v3/ticker/bookTicker?symbol=BTCUSDT&symbols=%5B%22ETHBTC%22%5D')).body).toEqual({
      code: -1128,
      msg: 'Combination of optional parameters invalid.',
    });
    expect((await get('/api/v3/ticker/24hr?symbol=BTCUSDT&type=HUGE')).body).toEqual({
      code: -1139,
      msg: 'Invalid ticker type.',
    });
    const micro = await sb.call('/api/v3/avgPrice?symbol=BTCUSDT', { headers: { 'X-MBX-TIME-UNIT': 'MICROSECOND' } });
    expect(micro.json()).toEqual({ mins: 5, price: '0.00000000', closeTime: 0 });
  });
});
