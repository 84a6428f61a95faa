/**
 * Market streams through the clients' own WebSocket code: `@binance/spot` (websocketStreams, wsURL),
 * `binance` (WebsocketClient, wsUrl) and ccxt.pro (`urls.api.ws`), unpatched. Each test waits until the sandbox lists the
 * subscription (admin API), then trades and expects the events.
 */
import { Spot } from '@binance/spot';
import ccxt from 'ccxt';
import { WebsocketClient } from 'binance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAgents, request } from '../helpers/http.js';
import { CCXT_SPOT_ONLY, ccxtUrls, seedBtcUsdt, startCompatSandbox, type CompatSandbox, type Keys } from './sandbox.js';

let sb: CompatSandbox;
let taker: Keys;

beforeAll(async () => {
  sb = await startCompatSandbox();
  await seedBtcUsdt(sb);
  taker = await sb.createAccount({ USDT: '100000', BTC: '1' });
});
afterAll(async () => {
  await sb?.close();
  closeAgents();
});

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves once some connection has every one of `streams` subscribed. */
function subscribed(...streams: string[]): Promise<true> {
  return until(`subscription to ${streams.join(', ')}`, async () => {
    const res = await request(`${sb.url}/sandbox/v1/ws/connections`);
    const { connections } = res.json<{ connections: { streams: string[] }[] }>();
    return connections.some((c) => streams.every((s) => c.streams.includes(s))) ? true : undefined;
  });
}

async function marketBuy(quantity: string): Promise<void> {
  const res = await sb.signed(taker, 'POST', '/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity });
  expect(res.status, res.text).toBe(200);
}

describe('@binance/spot websocketStreams', () => {
  it('trade, aggTrade and bookTicker events for a market order', async () => {
    const client = new Spot({ configurationWebsocketStreams: { wsURL: sb.url.replace(/^http/, 'ws') } });
    const conn = await client.websocketStreams.connect();
    try {
      const trades: Record<string, unknown>[] = [];
      const aggs: Record<string, unknown>[] = [];
      const books: Record<string, unknown>[] = [];
      conn.trade({ symbol: 'BTCUSDT' }).on('message', (m) => void trades.push(m as Record<string, unknown>));
      conn.aggTrade({ symbol: 'BTCUSDT' }).on('message', (m) => void aggs.push(m as Record<string, unknown>));
      conn.bookTicker({ symbol: 'BTCUSDT' }).on('message', (m) => void books.push(m as Record<string, unknown>));
      await subscribed('btcusdt@trade', 'btcusdt@aggTrade', 'btcusdt@bookTicker');

      await marketBuy('0.5'); // takes the whole 30010 ask level
      await until('trade event', () => trades[0]);
      expect(trades[0]).toMatchObject({ e: 'trade', s: 'BTCUSDT', p: '30010.00000000', q: '0.50000000', m: false });
      await until('aggTrade event', () => aggs[0]);
      expect(aggs[0]).toMatchObject({ e: 'aggTrade', s: 'BTCUSDT', p: '30010.00000000', q: '0.50000000', m: false });
      const top = await until('bookTicker with the new best ask', () => books.find((b) => b['a'] === '30020.00000000'));
      expect(top).toMatchObject({
        s: 'BTCUSDT',
        b: '29990.00000000',
        B: '0.50000000',
        a: '30020.00000000',
        A: '0.50000000',
      });
    } finally {
      await conn.disconnect();
    }
  });
});

describe('@binance/spot websocketStreams: blockTrade', () => {
  it('a block trade reported through the admin API', async () => {
    const client = new Spot({ configurationWebsocketStreams: { wsURL: sb.url.replace(/^http/, 'ws') } });
    const conn = await client.websocketStreams.connect();
    try {
      const blocks: Record<string, unknown>[] = [];
      conn.blockTrade({ symbol: 'ETHBTC' }).on('message', (m) => void blocks.push(m as Record<string, unknown>));
      await subscribed('ethbtc@blockTrade');
      const res = await request(`${sb.url}/sandbox/v1/blockTrades`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ symbol: 'ETHBTC', price: '0.052', qty: '5838', isBuyerMaker: true }),
      });
      expect(res.status, res.text).toBe(200);
      await until('blockTrade event', () => blocks[0]);
      expect(blocks[0]).toMatchObject({ e: 'blockTrade', s: 'ETHBTC', t: 1, p: '0.052', q: '5838', m: true });
    } finally {
      await conn.disconnect();
    }
  });
});

describe('binance WebsocketClient', () => {
  it('spot trade stream', async () => {
    const quiet = { trace: () => {}, info: () => {}, error: (...args: unknown[]) => console.error(...args) };
    const ws = new WebsocketClient({ wsUrl: sb.url.replace(/^http/, 'ws') }, quiet);
    const events: Record<string, unknown>[] = [];
    ws.on('message', (m) => events.push(m as unknown as Record<string, unknown>));
    try {
      await ws.subscribeSpotTrades('BTCUSDT');
      await subscribed('btcusdt@trade');
      await marketBuy('0.1'); // 30020 is the best ask now
      const ev = await until('trade event', () => events.find((e) => e['e'] === 'trade'));
      expect(ev).toMatchObject({ e: 'trade', s: 'BTCUSDT', p: '30020.00000000', q: '0.10000000', m: false });
    } finally {
      ws.closeAll(true);
    }
  });
});

describe('binance WebsocketClient: user data', () => {
  it('subscribeSpotUserDataStream: a listenKey from REST, /ws/<listenKey>, the reports of a market order', async () => {
    const quiet = { trace: () => {}, info: () => {}, error: (...args: unknown[]) => console.error(...args) };
    const own = await sb.createAccount({ USDT: '100000' });
    const ws = new WebsocketClient(
      {
        api_key: own.apiKey,
        api_secret: own.secretKey,
        wsUrl: sb.url.replace(/^http/, 'ws'),
        restOptions: { baseUrl: sb.url },
      },
      quiet,
    );
    const events: Record<string, unknown>[] = [];
    ws.on('message', (m) => events.push(m as unknown as Record<string, unknown>));
    try {
      await ws.subscribeSpotUserDataStream();
      const res = await sb.signed(own, 'POST', '/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.1',
      });
      expect(res.status, res.text).toBe(200);
      const { orderId } = res.json<{ orderId: number }>();
      await until('the account position', () => events.find((e) => e['e'] === 'outboundAccountPosition'));
      const reports = events.filter((e) => e['e'] === 'executionReport');
      expect(reports.map((e) => [e['i'], e['x'], e['X']])).toEqual([
        [orderId, 'NEW', 'NEW'],
        [orderId, 'TRADE', 'FILLED'],
      ]);
      const usdt = (events.find((e) => e['e'] === 'outboundAccountPosition')!['B'] as { a: string; f: string }[]).find(
        (b) => b.a === 'USDT',
      );
      const units = (v: unknown) => BigInt(String(v).replace('.', '')); // 8-decimal strings, exactly
      expect(units(usdt!.f)).toBe(units('100000.00000000') - units(reports[1]!['Z']));
    } finally {
      ws.closeAll(true);
    }
  });
});

describe('ccxt.pro binance', () => {
  it('watchOrderBook follows the depth diffs from its REST snapshot; watchTrades, watchTicker, watchOHLCV see a market order', async () => {
    const ws = sb.url.replace(/^http/, 'ws') + '/ws';
    const ex = new ccxt.pro.binance({
      urls: { api: { ...ccxtUrls(sb.url), ws: { spot: ws } } },
      options: CCXT_SPOT_ONLY,
    });
    await ex.loadHttpProxyAgent(); // ccxt refuses plain ws:// URLs until its HTTP agents are loaded
    try {
      const restBook = async () => {
        const res = await request(`${sb.url}/api/v3/depth?symbol=BTCUSDT&limit=5`);
        const d = res.json<{ bids: [string, string][]; asks: [string, string][] }>();
        const num = (side: [string, string][]) => side.map(([p, q]) => [Number(p), Number(q)]);
        return { bids: num(d.bids), asks: num(d.asks) };
      };
      const before = await restBook();
      const bestAsk = before.asks[0]![0]!;
      // each watch opens its own connection, /ws/0, /ws/1 …, and SUBSCRIBEs there
      const book = ex.watchOrderBook('BTC/USDT');
      const trades = ex.watchTrades('BTC/USDT');
      const ticker = ex.watchTicker('BTC/USDT');
      const candles = ex.watchOHLCV('BTC/USDT', '1m');
      const streams = ['btcusdt@depth@100ms', 'btcusdt@trade', 'btcusdt@miniTicker', 'btcusdt@kline_1m'];
      await Promise.all(streams.map((stream) => subscribed(stream)));

      await marketBuy('0.1');
      expect((await trades).map((t) => [t.price, t.amount, t.side])).toEqual([[bestAsk, 0.1, 'buy']]);
      const after = await restBook();
      let synced = await book;
      // the first book may predate the trade's diff: the next update brings it
      while (synced.asks[0]?.[1] !== after.asks[0]![1]) synced = await ex.watchOrderBook('BTC/USDT');
      expect({ bids: synced.bids.slice(0, 5), asks: synced.asks.slice(0, 5) }).toEqual(after);
      expect(await ticker).toMatchObject({ symbol: 'BTC/USDT', last: bestAsk });
      const candle = (await candles).at(-1)!;
      expect(candle[4]).toBe(bestAsk); // close
      const paths = (await request(`${sb.url}/sandbox/v1/ws/connections`)).json<{ connections: { path: string }[] }>();
      expect(paths.connections.map((c) => c.path)).toEqual(expect.arrayContaining(['/ws/0', '/ws/1']));
    } finally {
      await ex.close();
    }
  });
});
