/**
 * Market streams through the clients' own WebSocket code: `@binance/spot` (websocketStreams, wsURL)
 * and `binance` (WebsocketClient, wsUrl), unpatched. Each test waits until the sandbox lists the
 * subscription (admin API), then trades and expects the events.
 */
import { Spot } from '@binance/spot';
import { WebsocketClient } from 'binance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAgents, request } from '../helpers/http.js';
import { seedBtcUsdt, startCompatSandbox, type CompatSandbox, type Keys } from './sandbox.js';

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
