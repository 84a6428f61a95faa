import { DEFAULT_SYMBOLS, type SymbolDefinition } from '@binance-sandbox/protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { defaultConfig, type SimulatorConfig } from '../../src/config.js';
import { notionalNum } from '../../src/engine/index.js';
import type { ExchangeCommand } from '../../src/exchange/commands.js';
import { ExchangeService, type Journal } from '../../src/exchange/service.js';
import {
  FairPrices,
  ladderOffsets,
  ladderPrices,
  limitQty,
  marketQty,
  maxLevels,
  priceBounds,
  PriceWalk,
  Rng,
  SIM_MAKER_ACCOUNT_ID,
  SIM_TAKER_ACCOUNT_ID,
  Simulator,
} from '../../src/simulator/index.js';

const T0 = Date.UTC(2026, 0, 1);

function recorder(): Journal & { commands: ExchangeCommand[] } {
  const commands: ExchangeCommand[] = [];
  return { commands, append: (c) => (commands.push(c), Promise.resolve()), close: () => Promise.resolve() };
}

async function run(seed: string, ticks: number, over: Partial<SimulatorConfig> = {}, symbols = DEFAULT_SYMBOLS) {
  const journal = recorder();
  const exchange = new ExchangeService(symbols, journal);
  const clock = new ManualClock(T0);
  const config = { ...defaultConfig().simulator, ...over };
  const sim = new Simulator({ exchange, clock, symbols, seed, config });
  await sim.start({ timer: false });
  for (let i = 0; i < ticks; i++) {
    clock.advance(config.tickMs);
    await sim.tick();
  }
  await sim.stop();
  return { sim, exchange, commands: journal.commands };
}

describe('Rng', () => {
  it('is a pure function of its key', () => {
    const a = new Rng('k');
    const b = new Rng('k');
    const xs = Array.from({ length: 100 }, () => a.nextU32());
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(xs);
    expect(new Rng('k2').nextU32()).not.toBe(xs[0]);
  });

  it('draws plausible uniforms, normals and Poisson counts', () => {
    const r = new Rng('stats');
    const n = 20_000;
    let sum = 0;
    let sq = 0;
    let pois = 0;
    for (let i = 0; i < n; i++) {
      const f = r.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      const z = r.normal();
      sum += z;
      sq += z * z;
      pois += r.poisson(2);
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.05);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
    expect(Math.abs(pois / n - 2)).toBeLessThan(0.1);
    expect(r.poisson(50, 5)).toBeLessThanOrEqual(5);
  });
});

describe('PriceWalk', () => {
  it('reverts to its start price and moves with the configured volatility', () => {
    const walk = new PriceWalk(90_000, 0.03, 1000);
    const r = new Rng('walk');
    const prices: number[] = [];
    for (let i = 0; i < 86_400; i++) prices.push(walk.step(r.normal()));
    // One day of 1-second steps: the price stays within a few daily sigmas of the start.
    for (const p of prices) expect(Math.abs(Math.log(p / 90_000))).toBeLessThan(0.1);
    // Per-step moves have the right size: σ·sqrt(1 s / 1 day) ≈ 1.02e-4.
    let sq = 0;
    for (let i = 1; i < prices.length; i++) sq += Math.log(prices[i]! / prices[i - 1]!) ** 2;
    const perStep = Math.sqrt(sq / (prices.length - 1));
    expect(perStep).toBeGreaterThan(0.8e-4);
    expect(perStep).toBeLessThan(1.2e-4);
  });

  it('with zero volatility stays at the start price', () => {
    const walk = new PriceWalk(600, 0, 500);
    expect(walk.step(3)).toBe(600);
  });
});

describe('FairPrices', () => {
  it('walks configured symbols and derives cross rates (ETHBTC = ETHUSDT / BTCUSDT)', () => {
    const fp = new FairPrices(DEFAULT_SYMBOLS, defaultConfig().simulator.symbols, 1000);
    expect(fp.price('BTCUSDT')).toBe(90_000);
    expect(fp.price('ETHBTC')).toBeCloseTo(3000 / 90_000, 12);
    expect(fp.sources.get('ETHBTC')).toEqual({ kind: 'ratio', num: 'ETHUSDT', den: 'BTCUSDT' });
    for (let i = 1; i < 100; i++) {
      fp.step((s) => new Rng(`${s}:${i}`));
      expect(fp.price('ETHBTC')).toBeCloseTo(fp.price('ETHUSDT')! / fp.price('BTCUSDT')!, 14);
    }
    expect(fp.price('XRPUSDT')).toBeUndefined();
  });

  it('a symbol of an SOR configuration without a walk of its own follows its sibling, a few basis points apart', () => {
    const symbols = [...DEFAULT_SYMBOLS, { symbol: 'BTCUSDC', baseAsset: 'BTC', quoteAsset: 'USDC' }];
    const alone = new FairPrices(symbols, defaultConfig().simulator.symbols, 1000);
    expect(alone.price('BTCUSDC')).toBeUndefined();
    const fp = new FairPrices(symbols, defaultConfig().simulator.symbols, 1000, 1, [['BTCUSDT', 'BTCUSDC']]);
    expect(fp.sources.get('BTCUSDC')).toMatchObject({ kind: 'same', of: 'BTCUSDT' });
    expect(fp.price('BTCUSDC')).toBe(fp.price('BTCUSDT'));
    const bps: number[] = [];
    for (let i = 1; i <= 3600; i++) {
      fp.step((s) => new Rng(`${s}:${i}`));
      bps.push((fp.price('BTCUSDC')! / fp.price('BTCUSDT')! - 1) * 1e4);
    }
    // an hour of one-second ticks: apart, now above, now below, never by more than a few bps
    expect(Math.max(...bps.map(Math.abs))).toBeLessThan(20);
    expect(bps.some((b) => b > 0.5) && bps.some((b) => b < -0.5)).toBe(true);
  });

  it('a configured cross symbol walks on its own', () => {
    const fp = new FairPrices(DEFAULT_SYMBOLS, { ETHBTC: { startPrice: '0.05', volatility: 0.01 } }, 1000);
    expect(fp.price('ETHBTC')).toBe(0.05);
    expect(fp.price('BTCUSDT')).toBeUndefined();
  });
});

describe('ladder', () => {
  const engine = new ExchangeService(DEFAULT_SYMBOLS).engine;

  it('offsets grow by at least one tick, even with coarse ticks', () => {
    expect(ladderOffsets(3335, 5)).toEqual([1, 2, 3, 4, 5]); // ETHBTC: 1 bp < 1 tick
    const fine = ladderOffsets(9_000_000, 3); // BTCUSDT in cents: 1 bp = 900 ticks
    expect(fine).toEqual([900, 1800, 2700]);
  });

  it('every ladder order passes PRICE_FILTER, PERCENT_PRICE_BY_SIDE, LOT_SIZE and NOTIONAL', () => {
    const r = new Rng('ladder');
    for (const def of DEFAULT_SYMBOLS) {
      const c = engine.symbol(def.symbol);
      const fair = { BTCUSDT: 90_000, ETHUSDT: 3000, BNBUSDT: 600, ETHBTC: 3000 / 90_000 }[def.symbol]!;
      for (const side of ['BUY', 'SELL'] as const) {
        // A reference price far from the fair price narrows the bounds: the ladder is clipped to them.
        for (const ref of [-1, fair * 1e8, fair * 1e8 * 4.9999]) {
          const bounds = priceBounds(c, side, () => Math.round(ref));
          const prices = ladderPrices(c, fair * 1e8, side, 10, bounds);
          if (ref < 0 || ref === fair * 1e8) expect(prices).toHaveLength(10);
          for (const t of prices) {
            expect(t).toBeGreaterThanOrEqual(Math.max(c.fMinT, bounds.minT));
            expect(t).toBeLessThanOrEqual(Math.min(c.fMaxT, bounds.maxT));
            if (side === 'BUY') expect(t * c.pUnit).toBeLessThan(fair * 1e8);
            else expect(t * c.pUnit).toBeGreaterThan(fair * 1e8);
            const q = limitQty(c, t, c.fMinN * r.logUniform(0.01, 1e6));
            expect(q).toBeGreaterThan(0);
            expect(q % Math.max(1, c.fStepS)).toBe(0);
            expect(q).toBeGreaterThanOrEqual(c.fMinS);
            expect(q).toBeLessThanOrEqual(c.fMaxS);
            const n = notionalNum(t, q, c.fn, c.fd);
            expect(n).toBeGreaterThanOrEqual(c.fMinN);
            expect(n).toBeLessThanOrEqual(c.fMaxN);
            // The engine's own check accepts it.
            expect(() =>
              engine.testOrder({
                now: T0,
                accountId: 1,
                symbol: def.symbol,
                side,
                type: 'LIMIT',
                timeInForce: 'GTC',
                price: ((t * c.pUnit) / 1e8).toFixed(8),
                quantity: ((q * c.qUnit) / 1e8).toFixed(8),
              }),
            ).not.toThrow();
          }
          // Strictly ordered, best first, distinct.
          for (let i = 1; i < prices.length; i++)
            expect(side === 'BUY' ? prices[i]! < prices[i - 1]! : prices[i]! > prices[i - 1]!).toBe(true);
        }
      }
      const mq = marketQty(c, Math.round((fair * 1e8) / c.pUnit), c.fMinN * 3);
      expect(mq).toBeGreaterThan(0);
      expect(notionalNum(Math.round((fair * 1e8) / c.pUnit), mq, c.fn, c.fd)).toBeGreaterThanOrEqual(2 * c.fMinN);
    }
  });

  it('levels per side fit MAX_NUM_ORDERS', () => {
    const tight: SymbolDefinition = {
      ...DEFAULT_SYMBOLS[0]!,
      filters: DEFAULT_SYMBOLS[0]!.filters.map((f) =>
        f.filterType === 'MAX_NUM_ORDERS' ? { ...f, maxNumOrders: 7 } : f,
      ),
    };
    const c = new ExchangeService([tight]).engine.symbol('BTCUSDT');
    expect(maxLevels(c, 10)).toBe(3);
    expect(maxLevels(engine.symbol('BTCUSDT'), 10)).toBe(10);
  });
});

describe('Simulator', () => {
  it('same seed → same command stream; another seed → another', async () => {
    const a = await run('seed-a', 30);
    const b = await run('seed-a', 30);
    const c = await run('seed-b', 30);
    expect(a.commands.length).toBeGreaterThan(100);
    expect(JSON.stringify(b.commands)).toBe(JSON.stringify(a.commands));
    expect(JSON.stringify(c.commands)).not.toBe(JSON.stringify(a.commands));
  });

  it('keeps both sides of every default book quoted and trades on every symbol, within bounds', async () => {
    const { sim, exchange } = await run('live', 60);
    expect(sim.symbols).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC']);
    expect(sim.stats.refused).toBe(0);
    for (const symbol of sim.symbols) {
      const book = exchange.engine.book(symbol, 100);
      expect(book.bids.length).toBeGreaterThanOrEqual(5);
      expect(book.asks.length).toBeGreaterThanOrEqual(5);
      expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
      const fair = sim.fairPrice(symbol)! * 1e8;
      expect(Math.abs(book.bids[0]![0] / fair - 1)).toBeLessThan(0.005);
      expect(exchange.engine.tradeCount(symbol)).toBeGreaterThan(20);
      expect(exchange.engine.openOrders(SIM_MAKER_ACCOUNT_ID, symbol).length).toBeLessThanOrEqual(20);
      expect(exchange.engine.openOrders(SIM_TAKER_ACCOUNT_ID, symbol)).toHaveLength(0);
    }
    // ETHBTC trades near ETHUSDT / BTCUSDT.
    const last = (s: string) => exchange.engine.lastPrice(s) / 1e8;
    expect(Math.abs(last('ETHBTC') / (last('ETHUSDT') / last('BTCUSDT')) - 1)).toBeLessThan(0.01);
  });

  it('tops balances up by deposit when they run low', async () => {
    const journal = recorder();
    const exchange = new ExchangeService(DEFAULT_SYMBOLS, journal);
    const sim = new Simulator({
      exchange,
      clock: new ManualClock(T0),
      symbols: DEFAULT_SYMBOLS,
      seed: 'f',
      config: defaultConfig().simulator,
    });
    await sim.start({ timer: false });
    const deposits = journal.commands.filter((c) => c.kind === 'deposit').length;
    expect(deposits).toBe(8); // 4 assets × 2 accounts
    // Drain the taker's USDT: the next funding tick deposits it again.
    const usdt = exchange.engine.accountView(SIM_TAKER_ACCOUNT_ID).balances.find((b) => b.asset === 'USDT')!;
    await exchange.submit('withdraw', {
      now: T0,
      accountId: SIM_TAKER_ACCOUNT_ID,
      asset: 'USDT',
      amount: (Number(usdt.free) / 1e8).toFixed(8),
    });
    for (let i = 0; i < 10; i++) await sim.tick();
    const after = exchange.engine.accountView(SIM_TAKER_ACCOUNT_ID).balances.find((b) => b.asset === 'USDT')!;
    expect(after.free).toBeGreaterThan(usdt.free / 4n);
  });

  it('carries on when the engine refuses (a symbol that stops trading, a user order in the way)', async () => {
    const journal = recorder();
    const exchange = new ExchangeService(DEFAULT_SYMBOLS, journal);
    const clock = new ManualClock(T0);
    const sim = new Simulator({
      exchange,
      clock,
      symbols: DEFAULT_SYMBOLS,
      seed: 'x',
      config: defaultConfig().simulator,
    });
    await sim.start({ timer: false });
    // Withdraw everything the maker has in BTC: its asks are refused until the next top-up.
    const btc = exchange.engine.accountView(SIM_MAKER_ACCOUNT_ID).balances.find((b) => b.asset === 'BTC')!;
    await exchange.submit('withdraw', {
      now: T0,
      accountId: SIM_MAKER_ACCOUNT_ID,
      asset: 'BTC',
      amount: (Number(btc.free) / 1e8).toFixed(8),
    });
    for (let i = 0; i < 12; i++) {
      clock.advance(1000);
      await sim.tick();
    }
    expect(sim.stats.ticks).toBe(13);
    expect(exchange.engine.book('BTCUSDT', 5).asks.length).toBeGreaterThan(0);
  });

  it('does not simulate symbols it has no price for', async () => {
    const xrp: SymbolDefinition = { ...DEFAULT_SYMBOLS[0]!, symbol: 'XRPUSDT', baseAsset: 'XRP' };
    const { sim, exchange } = await run('xrp', 3, {}, [...DEFAULT_SYMBOLS, xrp]);
    expect(sim.symbols).not.toContain('XRPUSDT');
    expect(exchange.engine.book('XRPUSDT').bids).toHaveLength(0);
  });

  it('stop() waits for the tick in flight and ends the timer', async () => {
    const exchange = new ExchangeService(DEFAULT_SYMBOLS);
    const clock = new ManualClock(T0);
    const sim = new Simulator({
      exchange,
      clock,
      symbols: DEFAULT_SYMBOLS,
      seed: 't',
      config: { ...defaultConfig().simulator, tickMs: 10 },
    });
    await sim.start();
    await new Promise((r) => setTimeout(r, 100));
    await sim.stop();
    const ticks = sim.stats.ticks;
    expect(ticks).toBeGreaterThan(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.stats.ticks).toBe(ticks);
  });
});
