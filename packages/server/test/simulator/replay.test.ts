import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStartupError } from '../../src/cli-args.js';
import { ManualClock } from '../../src/clock.js';
import { defaultConfig, type SimulatorConfig } from '../../src/config.js';
import type { ExchangeCommand } from '../../src/exchange/commands.js';
import { ExchangeService, type Journal } from '../../src/exchange/service.js';
import { startSandbox } from '../../src/sandbox.js';
import {
  FairPrices,
  parseTradesCsv,
  PriceReplay,
  readTradesCsv,
  Rng,
  Simulator,
  type SimulatorLogger,
} from '../../src/simulator/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bsbx-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function csvFile(content: string): string {
  const path = join(dir, `t${fileNo++}.csv`);
  writeFileSync(path, content);
  return path;
}

const T = 1_700_000_000_000; // ms
const TRADES_HEADER = 'id,price,qty,quote_qty,time,is_buyer_maker,is_best_match';
const AGG_HEADER = 'agg_trade_id,price,qty,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match';

/** A trades-format line (7 columns). */
const trade = (id: number, price: string, time: number) => `${id},${price},0.01000000,1.00000000,${time},true,true`;
/** An aggTrades-format line (8 columns); the trade-id columns hold numbers that look like times. */
const agg = (id: number, price: string, time: number) => `${id},${price},0.5,${T + 7},${T + 9},${time},false,true`;

/** The message parseTradesCsv throws for `text`. */
function parseError(text: string): string {
  try {
    parseTradesCsv(text, 'x.csv');
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('parseTradesCsv', () => {
  it('reads a trades file without a header into typed arrays', () => {
    const r = parseTradesCsv([trade(1, '100.50', T), trade(2, '101.25000000', T + 250)].join('\n'), 'x.csv');
    expect(r.format).toBe('trades');
    expect(r.file).toBe('x.csv');
    expect(r.times).toBeInstanceOf(Float64Array);
    expect(r.prices).toBeInstanceOf(Float64Array);
    expect([...r.times]).toEqual([T, T + 250]);
    expect([...r.prices]).toEqual([100.5, 101.25]);
  });

  it('skips a header line, blank lines and CR line ends', () => {
    const text = [TRADES_HEADER, trade(1, '0.05123000', T), '', trade(2, '0.05124000', T + 1), ''].join('\r\n');
    const r = parseTradesCsv(text, 'x.csv');
    expect([...r.prices]).toEqual([0.05123, 0.05124]);
    expect([...r.times]).toEqual([T, T + 1]);
  });

  it('reads aggTrades files (8 columns: the time is transact_time), with or without a header', () => {
    const rows = [agg(1, '3000.10', T), agg(2, '3000.20', T + 5), agg(3, '2999.90', T + 5)];
    for (const text of [rows.join('\n'), [AGG_HEADER, ...rows].join('\n') + '\n']) {
      const r = parseTradesCsv(text, 'x.csv');
      expect(r.format).toBe('aggTrades');
      expect([...r.times]).toEqual([T, T + 5, T + 5]);
      expect([...r.prices]).toEqual([3000.1, 3000.2, 2999.9]);
    }
  });

  it('treats times above 1e14 as microseconds (Binance spot files from 2025 on)', () => {
    const us = 1_735_689_600_123_456;
    const r = parseTradesCsv([trade(1, '93000', us), trade(2, '93001', us + 1500)].join('\n'), 'x.csv');
    expect([...r.times]).toEqual([us / 1000, (us + 1500) / 1000]);
    expect(r.times[0]).toBeCloseTo(1_735_689_600_123.456, 6);
  });

  it('parses prices like Number() does, long ones included', () => {
    const prices = ['0.00000001', '96000.01000000', '123456789.123456789', '0.1', '7'];
    const r = parseTradesCsv(prices.map((p, i) => trade(i, p, T + i)).join('\n'), 'x.csv');
    expect([...r.prices]).toEqual(prices.map(Number));
  });

  it.each([
    [
      '',
      'replay file x.csv: no trades in it (expected rows like "id,price,qty,quote_qty,time,is_buyer_maker,is_best_match")',
    ],
    ['\n\n', 'replay file x.csv: no trades in it'],
    [TRADES_HEADER + '\n', 'replay file x.csv: no trades in it'],
    [
      [trade(1, '1', T), trade(2, 'abc', T + 1)].join('\n'),
      'replay file x.csv, line 2: the price "abc" is not a number',
    ],
    [
      [trade(1, '1', T), trade(2, '0.000', T)].join('\n'),
      'replay file x.csv, line 2: the price "0.000" must be greater than 0',
    ],
    [[trade(1, '-5', T)].join('\n'), 'replay file x.csv, line 1: the price "-5" must be greater than 0'],
    [
      [trade(1, '1', T), '', trade(2, '1', T + 1), trade(3, '1', T + 1), trade(4, '1', T)].join('\n'),
      'replay file x.csv, line 5: the time "1700000000000" is before the previous row\'s (rows must be in time order)',
    ],
    [
      [trade(1, '1', T), `2,1,1,1,${T}x,true,true`].join('\n'),
      'replay file x.csv, line 2: the time "1700000000000x" is not a number',
    ],
    [
      [trade(1, '1', T), agg(2, '1', T)].join('\n'),
      'replay file x.csv, line 2: 8 columns, but the first line has 7 (trades format)',
    ],
    [
      'time,price\n1,2',
      'replay file x.csv, line 1: 2 columns; expected 7 (trades: id,price,qty,quote_qty,time,is_buyer_maker,is_best_match) or 8 (aggTrades: agg_trade_id,price,qty,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match)',
    ],
    // Only the first line may be a header.
    [[trade(1, '1', T), TRADES_HEADER].join('\n'), 'replay file x.csv, line 2: the price "price" is not a number'],
  ])('refuses %j', (text, message) => {
    expect(parseError(text)).toContain(message);
  });

  it('names an unreadable file', () => {
    const missing = join(dir, 'missing.csv');
    expect(() => readTradesCsv(missing)).toThrow(`replay file ${missing}: cannot read it (no such file)`);
    expect(() => readTradesCsv(dir)).toThrow(`replay file ${dir}: cannot read it (is a directory)`);
  });

  it('reads a large file (200k rows, µs times) into typed arrays of exactly that length', () => {
    const n = 200_000;
    const us0 = 1_735_689_600_000_000;
    const lines: string[] = [TRADES_HEADER];
    for (let i = 0; i < n; i++) lines.push(trade(i, (90_000 + (i % 1000) / 100).toFixed(8), us0 + i * 250));
    const path = csvFile(lines.join('\n') + '\n');
    const r = readTradesCsv(path);
    expect(r.file).toBe(path);
    expect(r.times).toBeInstanceOf(Float64Array);
    expect(r.times.length).toBe(n);
    expect(r.prices.length).toBe(n);
    for (const i of [0, 1, 999, 1000, 123_457, n - 1]) {
      expect(r.times[i]).toBeCloseTo(us0 / 1000 + i * 0.25, 6);
      expect(r.prices[i]).toBe(90_000 + (i % 1000) / 100);
    }
  });
});

/**
 * t+0: 100 then 101 (same ms: the path opens at 101), t+1500: 102, t+3000: 104, t+10000: 110.
 * A pass lasts 10 s; every completed pass scales by 110 / 101.
 */
const PATH = [trade(1, '100', T), trade(2, '101', T), trade(3, '102', T + 1500), trade(4, '104', T + 3000)]
  .concat(trade(5, '110', T + 10_000))
  .join('\n');

describe('PriceReplay', () => {
  it('gives the last recorded price at or before each tick’s time, between trades too', () => {
    const r = new PriceReplay(parseTradesCsv(PATH, 'p.csv'), 1000);
    expect(r.openPrice).toBe(101);
    expect(r.closePrice).toBe(110);
    expect(r.durationMs).toBe(10_000);
    expect(r.price).toBe(101);
    const expected = [101, 102, 104, 104, 104, 104, 104, 104, 104, 110];
    // The draw is ignored: any z gives the same path.
    expect(expected.map((_, i) => r.step(i % 2 === 0 ? 5 : -5))).toEqual(expected);
    expect(r.price).toBe(110);
  });

  it('replaySpeed > 1 runs faster through the recording', () => {
    const r = new PriceReplay(parseTradesCsv(PATH, 'p.csv'), 1000, 2.5);
    expect([1, 2, 3, 4].map((n) => r.priceAtTick(n))).toEqual([102, 104, 104, 110]);
    const slow = new PriceReplay(parseTradesCsv(PATH, 'p.csv'), 500, 0.5);
    expect([5, 6, 11, 12].map((n) => slow.priceAtTick(n))).toEqual([101, 102, 102, 104]);
  });

  it('past the end plays the recording backwards, then forwards again: continuous and within its prices', () => {
    const r = new PriceReplay(parseTradesCsv(PATH, 'p.csv'), 1000);
    // forward (ticks 0-10), backward (11-20: recorded times 9 s … 0 s), forward again (21-30)
    const forward = [101, 101, 102, 104, 104, 104, 104, 104, 104, 104, 110];
    const backward = [104, 104, 104, 104, 104, 104, 104, 102, 101, 101];
    const again = [101, 102, 104, 104, 104, 104, 104, 104, 104, 110];
    const ticks = Array.from({ length: 31 }, (_, n) => r.priceAtTick(n));
    expect(ticks).toEqual([...forward, ...backward, ...again]);
    expect(r.priceAtTick(40)).toBe(101); // the end of the second backward pass
    expect(r.priceAtTick(1_000_000_001)).toBe(101);
    // Stepping gives the same values; no tick-to-tick move is larger than the recording's largest
    // (104 → 110), the seams included; prices never leave the recorded range.
    let prev = r.price;
    let largest = 0;
    for (let n = 1; n <= 100; n++) {
      const p = r.step(0);
      expect(p).toBe(r.priceAtTick(n));
      expect(p).toBeGreaterThanOrEqual(101);
      expect(p).toBeLessThanOrEqual(110);
      largest = Math.max(largest, Math.abs(Math.log(p / prev)));
      prev = p;
    }
    expect(largest).toBeCloseTo(Math.log(110 / 104), 12);
  });

  it('a recording of a single instant is a constant price', () => {
    const r = new PriceReplay(parseTradesCsv([trade(1, '5', T), trade(2, '6', T)].join('\n'), 'p.csv'), 1000);
    expect([0, 1, 1000].map((n) => r.priceAtTick(n))).toEqual([6, 6, 6]);
  });
});

describe('FairPrices with replays', () => {
  it('a replayed symbol follows its file; ratio symbols combine it with a walk, either side', () => {
    const file = csvFile(PATH);
    const eth = new FairPrices(
      DEFAULT_SYMBOLS,
      { BTCUSDT: { startPrice: '90000', volatility: 0.03 }, ETHUSDT: { volatility: 0.04, replay: file } },
      1000,
    );
    const btc = new FairPrices(
      DEFAULT_SYMBOLS,
      { BTCUSDT: { volatility: 0, replay: file }, ETHUSDT: { startPrice: '3000', volatility: 0.04 } },
      1000,
      2.5,
    );
    expect(eth.replays().map(([s]) => s)).toEqual(['ETHUSDT']);
    expect(eth.sources.get('ETHBTC')).toEqual({ kind: 'ratio', num: 'ETHUSDT', den: 'BTCUSDT' });
    expect(btc.sources.get('ETHBTC')).toEqual({ kind: 'ratio', num: 'ETHUSDT', den: 'BTCUSDT' });
    expect(eth.price('ETHBTC')).toBe(101 / 90_000);
    expect(btc.price('ETHBTC')).toBe(3000 / 101);
    const ethPath = [101, 102, 104, 104]; // speed 1
    const btcPath = [102, 104, 104, 110]; // speed 2.5
    for (let i = 1; i <= 4; i++) {
      eth.step((s) => new Rng(`${s}:${i}`));
      btc.step((s) => new Rng(`${s}:${i}`));
      expect(eth.price('ETHUSDT')).toBe(ethPath[i - 1]);
      expect(btc.price('BTCUSDT')).toBe(btcPath[i - 1]);
      expect(eth.price('ETHBTC')).toBe(eth.price('ETHUSDT')! / eth.price('BTCUSDT')!);
      expect(btc.price('ETHBTC')).toBe(btc.price('ETHUSDT')! / btc.price('BTCUSDT')!);
    }
    expect(eth.price('BTCUSDT')).not.toBe(90_000); // the walk still walks
  });

  it('a bad file fails construction with the file and line in the message', () => {
    const bad = csvFile([trade(1, '1', T), trade(2, 'x', T)].join('\n'));
    expect(() => new FairPrices(DEFAULT_SYMBOLS, { BTCUSDT: { volatility: 0, replay: bad } }, 1000)).toThrow(
      `replay file ${bad}, line 2: the price "x" is not a number`,
    );
  });
});

// ---- the simulator, end to end ------------------------------------------------------------------

const T0 = Date.UTC(2026, 0, 1);

function recorder(): Journal & { commands: ExchangeCommand[] } {
  const commands: ExchangeCommand[] = [];
  return { commands, append: (c) => (commands.push(c), Promise.resolve()), close: () => Promise.resolve() };
}

/** ETHUSDT from 3000.00 up 1.00 every 2 recorded seconds for 60 s (aggTrades, µs, with a header). */
function ethRecording(): { file: string; priceAt: (recordedMs: number) => number } {
  const us0 = 1_735_689_600_000_000;
  const lines = [AGG_HEADER];
  for (let i = 0; i <= 30; i++) lines.push(agg(i, (3000 + i).toFixed(2), us0 + i * 2_000_000));
  const file = csvFile(lines.join('\n') + '\n');
  return { file, priceAt: (ms) => 3000 + Math.min(30, Math.floor(ms / 2000)) };
}

function logger(): SimulatorLogger & { infos: [object, string][]; refusals: string[] } {
  const infos: [object, string][] = [];
  const refusals: string[] = [];
  return {
    infos,
    refusals,
    info: (o, m) => void infos.push([o, m]),
    debug: (o) => void refusals.push(`${(o as { kind: string }).kind} ${(o as { code: number }).code}`),
    warn: (o, m) => void refusals.push(m),
  };
}

function simulator(seed: string, over: Partial<SimulatorConfig>, log?: SimulatorLogger) {
  const journal = recorder();
  const exchange = new ExchangeService(DEFAULT_SYMBOLS, journal);
  const clock = new ManualClock(T0);
  const config: SimulatorConfig = { ...defaultConfig().simulator, ...over };
  const sim = new Simulator({ exchange, clock, symbols: DEFAULT_SYMBOLS, seed, config, log });
  return { sim, exchange, clock, config, commands: journal.commands };
}

describe('Simulator with a replayed symbol', () => {
  it('quotes around the replayed price at every tick; ETHBTC still follows ETHUSDT / BTCUSDT', async () => {
    const { file, priceAt } = ethRecording();
    const log = logger();
    const { sim, exchange, clock, config } = simulator(
      'replay',
      {
        replaySpeed: 3,
        symbols: { ...defaultConfig().simulator.symbols, ETHUSDT: { volatility: 0.04, replay: file } },
      },
      log,
    );
    expect(sim.symbols).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC']);
    const replayLogs = log.infos.filter(([, m]) => m === 'simulator: replaying recorded trades');
    expect(replayLogs).toEqual([
      [
        {
          symbol: 'ETHUSDT',
          file,
          format: 'aggTrades',
          rows: 31,
          from: '2025-01-01T00:00:00.000Z',
          to: '2025-01-01T00:01:00.000Z',
          spanMs: 60_000,
          firstPrice: 3000,
          lastPrice: 3030,
          replaySpeed: 3,
        },
        'simulator: replaying recorded trades',
      ],
    ]);
    await sim.start({ timer: false });
    for (let tick = 0; tick <= 20; tick++) {
      if (tick > 0) {
        clock.advance(config.tickMs);
        await sim.tick();
      }
      const fair = priceAt(tick * config.tickMs * 3);
      expect(sim.fairPrice('ETHUSDT')).toBe(fair);
      const book = exchange.engine.book('ETHUSDT', 20);
      const bid = book.bids[0]![0] / 1e8;
      const ask = book.asks[0]![0] / 1e8;
      expect(bid).toBeLessThan(fair);
      expect(ask).toBeGreaterThan(fair);
      expect(fair - bid).toBeLessThan(fair * 0.002);
      expect(ask - fair).toBeLessThan(fair * 0.002);
      const ethbtc = sim.fairPrice('ETHBTC');
      expect(ethbtc).toBe(fair / sim.fairPrice('BTCUSDT')!);
    }
    expect(sim.fairPrice('ETHUSDT')).toBe(3030); // 60 recorded seconds in 20 ticks at speed 3
    expect(exchange.engine.tradeCount('ETHUSDT')).toBeGreaterThan(10);
    const ethbtcBook = exchange.engine.book('ETHBTC', 5);
    expect(ethbtcBook.bids.length).toBeGreaterThan(0);
    expect(ethbtcBook.asks.length).toBeGreaterThan(0);
    expect(exchange.engine.tradeCount('ETHBTC')).toBeGreaterThan(0);
    // Every order the maker and the taker placed passed the filters, and every cancel found its
    // order, although the fair price moves by more than the spread in some ticks (the maker cancels
    // its stale quotes before it places the new ladder).
    expect(log.refusals).toEqual([]);
    expect(sim.stats.refused).toBe(0);
    await sim.stop();
  });

  it('the replayed path does not depend on the seed; the same seed gives the same commands', async () => {
    const { file } = ethRecording();
    const over = { symbols: { ...defaultConfig().simulator.symbols, ETHUSDT: { volatility: 0.04, replay: file } } };
    const runs = await Promise.all(
      ['a', 'a', 'b'].map(async (seed) => {
        const r = simulator(seed, over);
        await r.sim.start({ timer: false });
        const eth: number[] = [];
        for (let i = 0; i < 10; i++) {
          r.clock.advance(r.config.tickMs);
          await r.sim.tick();
          eth.push(r.sim.fairPrice('ETHUSDT')!);
        }
        await r.sim.stop();
        return { eth, commands: JSON.stringify(r.commands), btc: r.sim.fairPrice('BTCUSDT') };
      }),
    );
    expect(runs[0]!.eth).toEqual([3000, 3001, 3001, 3002, 3002, 3003, 3003, 3004, 3004, 3005]);
    expect(runs[2]!.eth).toEqual(runs[0]!.eth);
    expect(runs[2]!.btc).not.toBe(runs[0]!.btc);
    expect(runs[1]!.commands).toBe(runs[0]!.commands);
    expect(runs[2]!.commands).not.toBe(runs[0]!.commands);
  });

  it('a bad replay file is a startup error of the sandbox, naming the file and the line', async () => {
    const bad = csvFile([TRADES_HEADER, trade(1, '3000', T), trade(2, '3001', T - 1)].join('\n'));
    const base = defaultConfig();
    const config = {
      ...base,
      port: 0,
      logLevel: 'silent' as const,
      simulator: { ...base.simulator, symbols: { ETHUSDT: { volatility: 0.04, replay: bad } } },
    };
    const err = await startSandbox(config, { clock: new ManualClock(T0), manualSimulator: true }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(describeStartupError(err, config)).toBe(
      `cannot start: replay file ${bad}, line 3: the time "1699999999999" is before the previous row's (rows must be in time order)`,
    );
  });
});
