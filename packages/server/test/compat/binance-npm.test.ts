/**
 * `binance` from npm (MainClient, REST), unpatched, with only `baseUrl` pointed at the sandbox.
 * (MainClient.getServerTime() ignores `baseUrl` and always asks api.binance.com, so it is not called
 * here; time sync stays off, which is the client's default.)
 */
import { MainClient } from 'binance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAgents } from '../helpers/http.js';
import { seedBtcUsdt, startCompatSandbox, type CompatSandbox, type Keys } from './sandbox.js';

let sb: CompatSandbox;
let keys: Keys;
let client: MainClient;

beforeAll(async () => {
  sb = await startCompatSandbox();
  await seedBtcUsdt(sb);
  keys = await sb.createAccount({ USDT: '100000', BTC: '2' });
  client = new MainClient({ api_key: keys.apiKey, api_secret: keys.secretKey, baseUrl: sb.url });
});
afterAll(async () => {
  await sb?.close();
  closeAgents();
});

describe('binance MainClient: general and market data', () => {
  it('testConnectivity, time, exchangeInfo', async () => {
    expect(await client.testConnectivity()).toEqual({});
    const { serverTime } = (await client.get('api/v3/time')) as { serverTime: number };
    expect(Math.abs(serverTime - Date.now())).toBeLessThan(5_000);
    const info = await client.getExchangeInfo({ symbols: ['BTCUSDT', 'ETHBTC'] });
    expect(info.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHBTC']);
  });

  it('getOrderBook, getRecentTrades, getAggregateTrades, getKlines', async () => {
    const book = await client.getOrderBook({ symbol: 'BTCUSDT', limit: 5 });
    expect(book.bids).toEqual([
      ['29990.00000000', '0.50000000'],
      ['29980.00000000', '0.50000000'],
    ]);
    expect(book.asks[0]).toEqual(['30010.00000000', '0.50000000']);
    const trades = await client.getRecentTrades({ symbol: 'BTCUSDT', limit: 10 });
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ id: 1, price: '30000.00000000', qty: '0.10000000' });
    const agg = await client.getAggregateTrades({ symbol: 'BTCUSDT' });
    expect(agg[0]).toMatchObject({ a: 1, p: '30000.00000000', q: '0.10000000' });
    const klines = await client.getKlines({ symbol: 'BTCUSDT', interval: '1m', limit: 10 });
    // Later minutes (if the wall clock crossed one) are flat candles without volume, as on Binance.
    expect(klines.slice(1).every((k) => k[5] === '0.00000000')).toBe(true);
    expect(klines[0]?.[1]).toBe('30000.00000000');
    expect(klines[0]?.[5]).toBe('0.10000000');
  });

  it('get24hrChangeStatistics, getSymbolPriceTicker, getSymbolOrderBookTicker, getAvgPrice', async () => {
    expect(await client.get24hrChangeStatistics({ symbol: 'BTCUSDT' })).toMatchObject({
      lastPrice: '30000.00000000',
      count: 1,
    });
    expect(await client.getSymbolPriceTicker({ symbol: 'BTCUSDT' })).toEqual({
      symbol: 'BTCUSDT',
      price: '30000.00000000',
    });
    expect(await client.getSymbolOrderBookTicker({ symbol: 'BTCUSDT' })).toMatchObject({
      bidPrice: '29990.00000000',
      askPrice: '30010.00000000',
    });
    expect(await client.getAvgPrice({ symbol: 'BTCUSDT' })).toMatchObject({ price: '30000.00000000' });
  });
});

describe('binance MainClient: trading', () => {
  it('submitNewOrder LIMIT, getOrder, getOpenOrders, cancelOrder', async () => {
    const placed = await client.submitNewOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: 0.01,
      price: 29000,
    });
    expect(placed).toMatchObject({ symbol: 'BTCUSDT', status: 'NEW', price: '29000.00000000' });
    // The client generates its own newClientOrderId; the sandbox must echo it back.
    expect(placed.clientOrderId).toMatch(/^x-/);
    const { orderId } = placed;
    expect(await client.getOrder({ symbol: 'BTCUSDT', orderId })).toMatchObject({
      orderId,
      status: 'NEW',
      clientOrderId: placed.clientOrderId,
    });
    expect(await client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: placed.clientOrderId })).toMatchObject({
      orderId,
    });
    expect((await client.getOpenOrders({ symbol: 'BTCUSDT' })).map((o) => o.orderId)).toEqual([orderId]);
    expect(await client.cancelOrder({ symbol: 'BTCUSDT', orderId })).toMatchObject({ orderId, status: 'CANCELED' });
    expect(await client.getOpenOrders({ symbol: 'BTCUSDT' })).toEqual([]);
  });

  it('submitNewOrder MARKET, testNewOrder', async () => {
    const buy = await client.submitNewOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: 0.02 });
    expect(buy).toMatchObject({ status: 'FILLED', executedQty: '0.02000000', cummulativeQuoteQty: '600.20000000' });
    expect(await client.testNewOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: 0.01 })).toEqual({});
  });

  it('getAccountInformation, getAccountTradeList, getAllOrders', async () => {
    const account = await client.getAccountInformation({ omitZeroBalances: true });
    expect(account.balances).toEqual([
      { asset: 'USDT', free: '99399.80000000', locked: '0.00000000' },
      { asset: 'BTC', free: '2.01998000', locked: '0.00000000' },
    ]);
    const trades = await client.getAccountTradeList({ symbol: 'BTCUSDT' });
    expect(trades.map((t) => [t.price, t.qty, t.isBuyer, t.commission, t.commissionAsset])).toEqual([
      ['30010.00000000', '0.02000000', true, '0.00002000', 'BTC'],
    ]);
    const orders = await client.getAllOrders({ symbol: 'BTCUSDT' });
    expect(orders.map((o) => [o.type, o.status])).toEqual([
      ['LIMIT', 'CANCELED'],
      ['MARKET', 'FILLED'],
    ]);
  });

  it('errors are parsed into { code, message }', async () => {
    await expect(client.cancelOrder({ symbol: 'BTCUSDT', orderId: 987654 })).rejects.toMatchObject({
      code: -2011,
      message: 'Unknown order sent.',
    });
    const bad = new MainClient({ api_key: keys.apiKey, api_secret: 'not-the-secret', baseUrl: sb.url });
    await expect(bad.getAccountInformation()).rejects.toMatchObject({
      code: -1022,
      message: 'Signature for this request is not valid.',
    });
  });
});
