/**
 * The liquidity simulator inside a real sandbox: ticks driven by the test on a manual clock, books
 * and trades read over real HTTP; then the real timer; then the journal.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { ManualClock } from '../../src/clock.js';
import { defaultConfig, type SandboxConfig } from '../../src/config.js';
import { startSandbox, type Sandbox } from '../../src/sandbox.js';
import { SIM_MAKER_ACCOUNT_ID } from '../../src/simulator/index.js';
import { request } from '../helpers/http.js';
import { T0 } from '../helpers/sandbox.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC'];

function config(over: Partial<SandboxConfig> = {}): SandboxConfig {
  return { ...defaultConfig(), host: '127.0.0.1', port: 0, logLevel: 'silent', seed: 'sim-it', ...over };
}

interface Depth {
  bids: [string, string][];
  asks: [string, string][];
}
interface Trade {
  id: number;
  price: string;
  qty: string;
  time: number;
}

let open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

async function start(cfg: SandboxConfig, clock = new ManualClock(T0), manual = true): Promise<Sandbox> {
  const sb = await startSandbox(cfg, { clock, manualSimulator: manual });
  open.push(sb);
  return sb;
}

const get = async <T>(sb: Sandbox, path: string): Promise<T> => {
  const res = await request(sb.url + path);
  expect(res.status).toBe(200);
  return res.json<T>();
};

describe('liquidity simulator (integration)', () => {
  it('reports block trades at the fair price, at the configured rate', async () => {
    const clock = new ManualClock(T0);
    const base = defaultConfig().simulator;
    const sb = await start(config({ simulator: { ...base, blockTradesPerHour: 3600 } }), clock);
    for (let i = 0; i < 20; i++) {
      clock.advance(1000);
      await sb.simulator!.tick();
    }
    const blocks = await get<{ id: number; price: string; qty: string }[]>(
      sb,
      '/api/v3/historicalBlockTrades?symbol=BTCUSDT&fromId=1',
    );
    // 3600 per hour: one per one-second tick on average, 20 expected over 20 ticks
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(blocks.length).toBeLessThanOrEqual(45);
    expect(blocks.map((b) => b.id)).toEqual(blocks.map((_, i) => i + 1));
    for (const b of blocks) {
      expect(Number(b.price)).toBeGreaterThan(80_000);
      expect(Number(b.price)).toBeLessThan(100_000);
      expect(Number(b.qty) * Number(b.price)).toBeGreaterThanOrEqual(500);
    }
  });

  it('with an SOR configuration: the twin market follows its sibling and an SOR order takes from both', async () => {
    const btc = DEFAULT_SYMBOLS[0]!;
    const clock = new ManualClock(T0);
    const sb = await start(
      config({
        symbols: [...DEFAULT_SYMBOLS, { ...btc, symbol: 'BTCUSDC', quoteAsset: 'USDC' }],
        sors: [{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] }],
      }),
      clock,
    );
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await sb.simulator!.tick();
    }
    const usdt = await get<Depth>(sb, '/api/v3/depth?symbol=BTCUSDT&limit=20');
    const usdc = await get<Depth>(sb, '/api/v3/depth?symbol=BTCUSDC&limit=20');
    expect(usdc.asks.length).toBeGreaterThanOrEqual(5);
    expect(Number(usdc.asks[0]![0]) / Number(usdt.asks[0]![0])).toBeCloseTo(1, 2);
    // an order larger than either book's best level: routed across both
    const qty = (Number(usdt.asks[0]![1]) + Number(usdc.asks[0]![1])).toFixed(5);
    const buyer = 900_001;
    await sb.ctx.exchange.submit('deposit', { now: clock.now(), accountId: buyer, asset: 'USDT', amount: '100000000' });
    const r = await sb.ctx.exchange.submit('placeSorOrder', {
      now: clock.now(),
      accountId: buyer,
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: qty,
    });
    expect(r.order.status).toBe('FILLED');
    expect(r.fills.every((f) => f.allocId !== undefined)).toBe(true);
    const traded = r.events.filter((e) => e.type === 'trade').map((e) => (e as { symbol: string }).symbol);
    expect(new Set(traded)).toEqual(new Set(['BTCUSDT', 'BTCUSDC']));
  });

  it('books on both sides and trades on every default symbol, over HTTP', async () => {
    const clock = new ManualClock(T0);
    const sb = await start(config(), clock);
    expect(sb.simulator).not.toBeNull();
    // The first tick ran before the sandbox listened: books are already quoted.
    for (const symbol of SYMBOLS) {
      const depth = await get<Depth>(sb, `/api/v3/depth?symbol=${symbol}&limit=20`);
      expect(depth.bids.length).toBe(10);
      expect(depth.asks.length).toBe(10);
    }
    for (let i = 0; i < 20; i++) {
      clock.advance(1000);
      await sb.simulator!.tick();
    }
    for (const symbol of SYMBOLS) {
      const depth = await get<Depth>(sb, `/api/v3/depth?symbol=${symbol}&limit=20`);
      expect(depth.bids.length).toBeGreaterThanOrEqual(5);
      expect(depth.asks.length).toBeGreaterThanOrEqual(5);
      expect(Number(depth.bids[0]![0])).toBeLessThan(Number(depth.asks[0]![0]));
      const trades = await get<Trade[]>(sb, `/api/v3/trades?symbol=${symbol}&limit=1000`);
      expect(trades.length).toBeGreaterThanOrEqual(10);
      for (const t of trades) {
        expect(t.time).toBeGreaterThan(T0);
        expect(t.time).toBeLessThanOrEqual(clock.now());
      }
    }
    const price = async (s: string) =>
      Number((await get<{ price: string }>(sb, `/api/v3/ticker/price?symbol=${s}`)).price);
    const btc = await price('BTCUSDT');
    expect(btc).toBeGreaterThan(80_000);
    expect(btc).toBeLessThan(100_000);
    expect(await price('ETHBTC')).toBeCloseTo((await price('ETHUSDT')) / btc, 3);
    // User account ids are untouched by the simulator's system accounts.
    const acct = await request(sb.url + '/sandbox/v1/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ balances: { USDT: '1000' } }),
    });
    expect(acct.status).toBe(201);
    expect(acct.json<{ accountId: number }>().accountId).toBe(1);
  });

  it('the same seed gives the same trades', async () => {
    const tradesOf = async () => {
      const clock = new ManualClock(T0);
      const sb = await start(config(), clock);
      for (let i = 0; i < 10; i++) {
        clock.advance(1000);
        await sb.simulator!.tick();
      }
      return JSON.stringify(await get<Trade[]>(sb, '/api/v3/trades?symbol=BTCUSDT&limit=1000'));
    };
    expect(await tradesOf()).toBe(await tradesOf());
  });

  it('with enabled false there is no simulator and the books stay empty', async () => {
    const sb = await start(config({ simulator: { ...defaultConfig().simulator, enabled: false } }));
    expect(sb.simulator).toBeNull();
    const depth = await get<Depth>(sb, '/api/v3/depth?symbol=BTCUSDT');
    expect(depth.bids).toEqual([]);
    expect(depth.asks).toEqual([]);
  });

  it('the real timer keeps markets trading, and close() stops it', async () => {
    const sb = await start(
      config({ simulator: { ...defaultConfig().simulator, tickMs: 20, takersPerSecond: 100 } }),
      undefined,
      false,
    );
    const deadline = Date.now() + 5000;
    let trades: Trade[] = [];
    while (Date.now() < deadline) {
      trades = await get<Trade[]>(sb, '/api/v3/trades?symbol=ETHUSDT');
      if (trades.length >= 5) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(trades.length).toBeGreaterThanOrEqual(5);
    await sb.close();
    open = [];
    const ticks = sb.simulator!.stats.ticks;
    await new Promise((r) => setTimeout(r, 60));
    expect(sb.simulator!.stats.ticks).toBe(ticks);
  });

  it('with --data-dir its commands are journaled and a restart carries on from the recovered books', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bsbx-sim-'));
    const clock = new ManualClock(T0);
    const a = await start(config({ dataDir }), clock);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await a.simulator!.tick();
    }
    const before = a.ctx.exchange.engine.tradeCount('BTCUSDT');
    expect(before).toBeGreaterThan(0);
    await a.close();
    open = [];
    const b = await start(config({ dataDir }), clock);
    expect(b.ctx.exchange.engine.tradeCount('BTCUSDT')).toBeGreaterThanOrEqual(before);
    // Recovered quotes plus the new ladder never exceed the bound.
    for (const symbol of SYMBOLS) {
      clock.advance(1000);
      await b.simulator!.tick();
      expect(b.ctx.exchange.engine.openOrders(SIM_MAKER_ACCOUNT_ID, symbol).length).toBeLessThanOrEqual(20);
    }
  });
});
