/**
 * ccxt's `binance` class, unpatched, pointed at the sandbox by its `urls` and kept on spot by its
 * options (README "Pointing real clients at it"). Market data first (the book as seeded), then one
 * account's trading story whose balances are checked to the last decimal.
 */
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAgents } from '../helpers/http.js';
import {
  CCXT_SPOT_ONLY,
  ccxtUrls,
  seedBtcUsdt,
  startCompatSandbox,
  startSorSandbox,
  type CompatSandbox,
  type Keys,
} from './sandbox.js';

type Binance = InstanceType<typeof ccxt.binance>;

let sb: CompatSandbox;
let keys: Keys;
let ex: Binance;

function client(k: { apiKey: string; secretKey: string }, base = sb.url): Binance {
  return new ccxt.binance({
    apiKey: k.apiKey,
    secret: k.secretKey,
    urls: { api: ccxtUrls(base) },
    options: CCXT_SPOT_ONLY,
  });
}

beforeAll(async () => {
  sb = await startCompatSandbox();
  await seedBtcUsdt(sb);
  keys = await sb.createAccount({ USDT: '100000', BTC: '2' });
  ex = client(keys);
});
afterAll(async () => {
  await sb?.close();
  closeAgents();
});

describe('ccxt binance: market data', () => {
  it('loadMarkets reads exchangeInfo: the four spot symbols with their filters', async () => {
    const markets = await ex.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(['BNB/USDT', 'BTC/USDT', 'ETH/BTC', 'ETH/USDT']);
    const m = markets['BTC/USDT']!;
    expect(m).toMatchObject({ id: 'BTCUSDT', base: 'BTC', quote: 'USDT', spot: true, type: 'spot', active: true });
    expect(m.precision).toMatchObject({ price: 0.01, amount: 0.00001 });
    expect(m.limits.amount).toMatchObject({ min: 0.00001, max: 9000 });
    expect(m.limits.cost?.min).toBe(5);
  });

  it('fetchTime', async () => {
    const t = await ex.fetchTime();
    expect(Math.abs((t ?? 0) - Date.now())).toBeLessThan(5_000);
  });

  it('fetchTicker', async () => {
    const t = await ex.fetchTicker('BTC/USDT');
    expect(t).toMatchObject({
      symbol: 'BTC/USDT',
      bid: 29990,
      bidVolume: 0.5,
      ask: 30010,
      askVolume: 0.5,
      last: 30000,
    });
    expect(t).toMatchObject({ open: 30000, high: 30000, low: 30000, close: 30000, baseVolume: 0.1, quoteVolume: 3000 });
  });

  it('fetchTickers for a list of symbols (symbols=[…] JSON array)', async () => {
    const ts = await ex.fetchTickers(['BTC/USDT', 'ETH/USDT']);
    expect(Object.keys(ts).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(ts['BTC/USDT']!.last).toBe(30000);
  });

  it('fetchOrderBook', async () => {
    const book = await ex.fetchOrderBook('BTC/USDT', 5);
    expect(book.bids).toEqual([
      [29990, 0.5],
      [29980, 0.5],
    ]);
    expect(book.asks).toEqual([
      [30010, 0.5],
      [30020, 0.5],
    ]);
    expect(book.nonce).toBeGreaterThan(0);
  });

  it('fetchTrades (aggTrades by default, and /trades)', async () => {
    const agg = await ex.fetchTrades('BTC/USDT');
    expect(agg).toHaveLength(1);
    expect(agg[0]).toMatchObject({ symbol: 'BTC/USDT', price: 30000, amount: 0.1, cost: 3000, side: 'buy' });
    const raw = await ex.fetchTrades('BTC/USDT', undefined, 10, { fetchTradesMethod: 'publicGetTrades' });
    expect(raw).toHaveLength(1);
    expect(raw[0]).toMatchObject({ id: '1', price: 30000, amount: 0.1, side: 'buy', timestamp: agg[0]!.timestamp });
  });

  it('fetchOHLCV', async () => {
    const [trade] = await ex.fetchTrades('BTC/USDT');
    const minute = Math.floor(trade!.timestamp! / 60_000) * 60_000;
    const candles = await ex.fetchOHLCV('BTC/USDT', '1m', minute - 3_600_000, 100);
    // Klines are continuous, as on Binance: if the wall clock crossed a minute since the trade, the
    // minutes after it are flat candles at the last price with no volume.
    expect(candles[0]).toEqual([minute, 30000, 30000, 30000, 30000, 0.1]);
    candles.slice(1).forEach((c, i) => expect(c).toEqual([minute + (i + 1) * 60_000, 30000, 30000, 30000, 30000, 0]));
    const hourly = await ex.fetchOHLCV('BTC/USDT', '1h');
    expect(hourly[0]?.[5]).toBe(0.1);
    expect(hourly.slice(1).every((c) => c[5] === 0)).toBe(true);
  });
});

describe('ccxt binance: trading', () => {
  let limitId = '';

  it('createOrder limit rests on the book; fetchOrder and fetchOpenOrders see it', async () => {
    const o = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 29000);
    expect(o).toMatchObject({
      symbol: 'BTC/USDT',
      type: 'limit',
      side: 'buy',
      price: 29000,
      amount: 0.01,
      filled: 0,
      status: 'open',
    });
    limitId = String(o.id);
    const fetched = await ex.fetchOrder(limitId, 'BTC/USDT');
    expect(fetched).toMatchObject({
      id: limitId,
      status: 'open',
      price: 29000,
      remaining: 0.01,
      clientOrderId: o.clientOrderId,
    });
    const open = await ex.fetchOpenOrders('BTC/USDT');
    expect(open.map((x) => x.id)).toEqual([limitId]);
    const book = await ex.fetchOrderBook('BTC/USDT');
    expect(book.bids).toContainEqual([29000, 0.01]);
  });

  it('fetchBalance shows the locked quote as used', async () => {
    const b = await ex.fetchBalance();
    expect(b['USDT']).toEqual({ free: 99710, used: 290, total: 100000, debt: undefined });
    expect(b['BTC']).toMatchObject({ free: 2, used: 0, total: 2 });
  });

  it('cancelOrder', async () => {
    const c = await ex.cancelOrder(limitId, 'BTC/USDT');
    expect(c).toMatchObject({ id: limitId, status: 'canceled', filled: 0 });
    expect((await ex.fetchOrder(limitId, 'BTC/USDT')).status).toBe('canceled');
    expect(await ex.fetchOpenOrders('BTC/USDT')).toEqual([]);
  });

  it('createOrder market buy and sell fill against the book', async () => {
    const buy = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01);
    expect(buy).toMatchObject({
      type: 'market',
      side: 'buy',
      status: 'closed',
      filled: 0.01,
      remaining: 0,
      average: 30010,
      cost: 300.1,
    });
    expect(buy.fee).toEqual({ currency: 'BTC', cost: 0.00001 });
    const sell = await ex.createOrder('BTC/USDT', 'market', 'sell', 0.01);
    expect(sell).toMatchObject({ status: 'closed', filled: 0.01, average: 29990, cost: 299.9 });
    expect(sell.fee).toEqual({ currency: 'USDT', cost: 0.2999 });
    expect((await ex.fetchOrder(String(buy.id), 'BTC/USDT')).status).toBe('closed');
  });

  it('createMarketBuyOrderWithCost (quoteOrderQty)', async () => {
    const o = await ex.createMarketBuyOrderWithCost('BTC/USDT', 100);
    // 100 USDT at 30010 → 0.00333 BTC (step 0.00001), 99.9333 USDT spent
    expect(o).toMatchObject({ status: 'closed', filled: 0.00333, cost: 99.9333, average: 30010 });
  });

  it('fetchMyTrades', async () => {
    const trades = await ex.fetchMyTrades('BTC/USDT');
    expect(trades.map((t) => [t.side, t.price, t.amount, t.takerOrMaker, t.fee?.currency, t.fee?.cost])).toEqual([
      ['buy', 30010, 0.01, 'taker', 'BTC', 0.00001],
      ['sell', 29990, 0.01, 'taker', 'USDT', 0.2999],
      ['buy', 30010, 0.00333, 'taker', 'BTC', 0.00000333],
    ]);
  });

  it('fetchBalance after the fills', async () => {
    const b = await ex.fetchBalance();
    // USDT: 100000 − 300.1 + (299.9 − 0.2999) − 99.9333; BTC: 2 + 0.00999 − 0.01 + 0.00332667
    expect(b['USDT']?.total).toBeCloseTo(99899.5668, 8);
    expect(b['BTC']?.total).toBeCloseTo(2.00331667, 8);
    expect(b['USDT']?.used).toBe(0);
  });

  it('fetchOpenOrders without a symbol (warning acknowledged by option)', async () => {
    const o = await ex.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 2000);
    ex.options['fetchOpenOrders'] = { warnWithoutSymbol: false };
    const open = await ex.fetchOpenOrders();
    expect(open.map((x) => [x.id, x.symbol])).toEqual([[o.id, 'ETH/USDT']]);
    await ex.cancelOrder(String(o.id), 'ETH/USDT');
  });
});

describe('ccxt binance: errors map to ccxt exception classes', () => {
  it('insufficient balance → InsufficientFunds', async () => {
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 10, 29000)).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
  });
  it('below min notional → BadRequest carrying the -1013 filter message', async () => {
    // ccxt maps -1013 to BadRequest by code (the same against Binance itself).
    const err = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.0001, 29000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ccxt.BadRequest);
    expect(String((err as Error).message)).toContain('{"code":-1013,"msg":"Filter failure: NOTIONAL"}');
  });
  it('postOnly that would cross → OrderImmediatelyFillable', async () => {
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 30010, { postOnly: true })).rejects.toBeInstanceOf(
      ccxt.OrderImmediatelyFillable,
    );
  });
  it('unknown order → OrderNotFound (fetchOrder and cancelOrder)', async () => {
    await expect(ex.fetchOrder('987654', 'BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    await expect(ex.cancelOrder('987654', 'BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });
  it('wrong secret → AuthenticationError', async () => {
    const bad = client({ apiKey: keys.apiKey, secretKey: 'not-the-secret' });
    bad.markets = ex.markets;
    bad.markets_by_id = ex.markets_by_id;
    bad.symbols = ex.symbols;
    await expect(bad.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });
});

describe('ccxt binance: smart order routing', () => {
  it('createOrder with { sor: true } routes to sor/order and is filled by allocations', async () => {
    const routed = await startSorSandbox();
    try {
      const taker = client(await routed.createAccount({ USDT: '10000' }), routed.url);
      const order = await taker.createOrder('BTC/USDT', 'limit', 'buy', 0.1, 30100, { sor: true });
      expect(order).toMatchObject({ status: 'closed', filled: 0.1, cost: 3000, average: 30000 });
      expect(order.info).toMatchObject({ usedSor: true, workingFloor: 'SOR' });
      const balance = await taker.fetchBalance();
      expect(balance['USDT']).toMatchObject({ free: 7000, used: 0 });
      expect(balance['BTC']?.free).toBeCloseTo(0.0999, 8);
    } finally {
      await routed.close();
    }
  });
});

describe("ccxt binance: more of a bot's calls", () => {
  let bot: Binance;
  beforeAll(async () => {
    bot = client(await sb.createAccount({ USDT: '50000', BTC: '1' }));
    await bot.loadMarkets();
  });

  it('editOrder replaces a resting order through cancelReplace', async () => {
    const o = await bot.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 28000, { clientOrderId: 'bot-1' });
    expect(o.clientOrderId).toBe('bot-1');
    const edited = await bot.editOrder(String(o.id), 'BTC/USDT', 'limit', 'buy', 0.02, 28100);
    expect(edited).toMatchObject({ status: 'open', price: 28100, amount: 0.02, filled: 0 });
    expect(edited.id).not.toBe(o.id);
    expect((await bot.fetchOrder(String(o.id), 'BTC/USDT')).status).toBe('canceled');
    expect((await bot.fetchOpenOrders('BTC/USDT')).map((x) => [x.id, x.price, x.amount])).toEqual([
      [edited.id, 28100, 0.02],
    ]);
  });

  it('a stop-loss limit order (triggerPrice) waits untriggered', async () => {
    const o = await bot.createOrder('BTC/USDT', 'limit', 'sell', 0.01, 25000, { triggerPrice: 25100 });
    expect(o.info).toMatchObject({ type: 'STOP_LOSS_LIMIT', stopPrice: '25100.00000000' });
    const fetched = await bot.fetchOrder(String(o.id), 'BTC/USDT');
    expect(fetched).toMatchObject({ status: 'open', triggerPrice: 25100, price: 25000 });
  });

  it('cancelAllOrders cancels every open order of the symbol', async () => {
    const cancelled = await bot.cancelAllOrders('BTC/USDT');
    expect(cancelled).toHaveLength(2);
    expect(cancelled.every((c) => c.status === 'canceled')).toBe(true);
    expect(await bot.fetchOpenOrders('BTC/USDT')).toEqual([]);
  });

  it('fetchOrders, fetchClosedOrders and fetchOrderTrades read allOrders and myTrades', async () => {
    const filled = await bot.createOrder('BTC/USDT', 'market', 'buy', 0.01);
    const all = await bot.fetchOrders('BTC/USDT');
    expect(all.map((x) => x.status)).toEqual(['canceled', 'canceled', 'canceled', 'closed']);
    const closed = await bot.fetchClosedOrders('BTC/USDT');
    expect(closed.map((x) => x.id)).toEqual([filled.id]);
    const trades = await bot.fetchOrderTrades(String(filled.id), 'BTC/USDT');
    expect(trades.map((t) => [t.order, t.price, t.amount, t.side])).toEqual([[filled.id, 30010, 0.01, 'buy']]);
  });

  it('fetchBidsAsks and fetchLastPrices (bookTicker, ticker/price)', async () => {
    const ba = await bot.fetchBidsAsks(['BTC/USDT']);
    expect(ba['BTC/USDT']).toMatchObject({ bid: 29990, ask: 30010 });
    const last = await bot.fetchLastPrices(['BTC/USDT']);
    expect(last['BTC/USDT']?.price).toBe(30010);
  });
});
