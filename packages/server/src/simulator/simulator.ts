/**
 * The liquidity simulator: a seeded market maker and a seeded taker that keep every market with a
 * fair price quoting and trading.
 *
 * - Accounts: two system accounts with fixed ids outside the registry's range (SIM_MAKER_ACCOUNT_ID,
 *   SIM_TAKER_ACCOUNT_ID). They have no API keys, so nobody can sign as them, and user account ids
 *   (1, 2, 3, … in creation order) do not move. They are funded by deposits, and topped up by
 *   deposits whenever a balance falls below half of its target.
 * - Every tick (config.simulator.tickMs of wall time; tests call `tick()` themselves): the fair
 *   prices step (walk.ts: random walks, or replays of recorded trades, replay.ts); per symbol the maker cancels quotes that crossed or drifted out of its
 *   ladder, trims the ladder to `levels` per side, cancels one random quote now and then, and fills
 *   the holes nearest the fair price first; then a Poisson number of MARKET orders (mean
 *   takersPerSecond × tickMs / 1000, at most 5) trade against the book, leaning towards the fair price.
 * - Everything goes through `ExchangeService.submit`: journaled, replayed, seen by market data and
 *   streams like any client's command. Each tick's decisions come from a PRNG keyed by
 *   (seed, symbol, tick number) and from the engine's state, and carry the sandbox clock's time, so
 *   the same seed and the same commands give the same command stream.
 * - A refusal by the engine is logged at debug and skipped; nothing the simulator does can crash the
 *   server. Ticks never overlap (a timer tick is skipped while the previous one still waits for the
 *   journal).
 */
import { ApiError, type SymbolDefinition } from '@binance-sandbox/protocol';
import type { Clock } from '../clock.js';
import type { SimulatorConfig } from '../config.js';
import type { ExchangeService } from '../exchange/service.js';
import { formatUnits, notionalNum, type CompiledSymbol } from '../engine/index.js';
import { baseNotional, ladderPrices, limitQty, marketQty, maxLevels, priceBounds, type Side } from './ladder.js';
import { Rng } from './prng.js';
import { FairPrices } from './walk.js';

/** The market maker's account id (no API key; outside the ids the registry hands out in practice). */
export const SIM_MAKER_ACCOUNT_ID = 900_000_001;
/** The taker's account id (a separate account, so self-trade prevention never stops its trades). */
export const SIM_TAKER_ACCOUNT_ID = 900_000_002;

/** Taker orders per symbol per tick, at most. */
const MAX_TAKERS_PER_TICK = 5;
/** Probability, per side and tick, that the maker cancels one random quote (the book keeps moving). */
const CHURN_PROBABILITY = 0.3;
/** Ladder order sizes: minimum notional × log-uniform [lo, hi). */
const MAKER_SIZE = [20, 2000] as const;
const TAKER_SIZE = [2, 200] as const;
/** Balances are funded for this many full ladders; topped up below half of that. */
const FUNDING_LADDERS = 20;
/** Balances are checked every this many ticks (and at the first). */
const FUNDING_EVERY_TICKS = 10;

export interface SimulatorLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const SILENT: SimulatorLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

export interface SimulatorDeps {
  readonly exchange: ExchangeService;
  readonly clock: Clock;
  readonly symbols: readonly SymbolDefinition[];
  readonly seed: string;
  readonly config: SimulatorConfig;
  readonly log?: SimulatorLogger;
}

export interface SimulatorStats {
  readonly ticks: number;
  readonly submitted: number;
  readonly refused: number;
}

export class Simulator {
  readonly makerAccountId = SIM_MAKER_ACCOUNT_ID;
  readonly takerAccountId = SIM_TAKER_ACCOUNT_ID;
  /** The symbols the simulator quotes and trades, in the sandbox's order. */
  readonly symbols: readonly string[];
  private readonly prices: FairPrices;
  private readonly log: SimulatorLogger;
  private tickNo = 0;
  private submitted = 0;
  private refused = 0;
  private queue: Promise<void> = Promise.resolve();
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Funding targets per asset, in units, computed at the first tick. */
  private funding: Map<string, bigint> | null = null;

  constructor(private readonly deps: SimulatorDeps) {
    this.log = deps.log ?? SILENT;
    const trading = deps.symbols.filter((s) => s.status === 'TRADING');
    this.prices = new FairPrices(
      trading.map((s) => ({ symbol: s.symbol, baseAsset: s.baseAsset, quoteAsset: s.quoteAsset })),
      deps.config.symbols,
      deps.config.tickMs,
      deps.config.replaySpeed,
      deps.exchange.engine.sors().map((g) => g.symbols),
    );
    for (const [symbol, replay] of this.prices.replays()) {
      const iso = (ms: number) => (Math.abs(ms) <= 8.64e15 ? new Date(Math.floor(ms)).toISOString() : ms);
      this.log.info(
        {
          symbol,
          file: replay.trades.file,
          format: replay.trades.format,
          rows: replay.rows,
          from: iso(replay.firstTime),
          to: iso(replay.firstTime + replay.durationMs),
          spanMs: Math.round(replay.durationMs),
          firstPrice: replay.openPrice,
          lastPrice: replay.closePrice,
          replaySpeed: replay.speed,
        },
        'simulator: replaying recorded trades',
      );
    }
    this.symbols = trading
      .map((s) => s.symbol)
      .filter((name) => {
        const ok = this.prices.price(name) !== undefined && this.engineKnows(name);
        if (!ok)
          this.log.info({ symbol: name }, 'simulator: no price for this symbol (set simulator.symbols), not simulated');
        return ok;
      });
  }

  private engineKnows(name: string): boolean {
    try {
      const c = this.deps.exchange.engine.symbol(name);
      return c.limitAllowed && c.def.orderTypes.includes('MARKET');
    } catch {
      return false;
    }
  }

  get stats(): SimulatorStats {
    return { ticks: this.tickNo, submitted: this.submitted, refused: this.refused };
  }

  /** The current fair price of a simulated symbol (quote per base). */
  fairPrice(symbol: string): number | undefined {
    return this.prices.price(symbol);
  }

  /**
   * Runs the first tick (funding, full ladders) and, unless `timer` is false, ticks every tickMs
   * from then on (the timer does not keep the process alive).
   */
  async start(opts: { timer?: boolean } = {}): Promise<void> {
    await this.tick();
    if (opts.timer === false || this.stopped) return;
    this.timer = setInterval(() => {
      if (this.busy || this.stopped) return; // never overlap: skip while the last tick waits for the journal
      void this.tick();
    }, this.deps.config.tickMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for the tick in flight (call before the journal closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.queue;
  }

  /** Runs one tick after the ones already queued; never rejects. */
  tick(): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.stopped && this.tickNo > 0) return;
      this.busy = true;
      try {
        await this.runTick();
      } catch (err) {
        this.log.warn({ err }, 'simulator: tick failed');
      } finally {
        this.busy = false;
      }
    });
    return this.queue;
  }

  private rng(symbol: string, tick: number, purpose: string): Rng {
    return new Rng(`${this.deps.seed}\u0000sim\u0000${purpose}\u0000${symbol}\u0000${tick}`);
  }

  private async runTick(): Promise<void> {
    const tick = this.tickNo++;
    const now = this.deps.clock.now();
    const pending: Promise<unknown>[] = [];
    if (tick > 0) this.prices.step((symbol) => this.rng(symbol, tick, 'walk'));
    if (tick % FUNDING_EVERY_TICKS === 0) this.fund(now, pending);
    const engine = this.deps.exchange.engine;
    for (const symbol of this.symbols) {
      // a symbol the admin API halted is left alone (its quotes rest) until it trades again
      if (engine.symbolStatus(symbol) !== 'TRADING') continue;
      const rng = this.rng(symbol, tick, 'act');
      this.quote(symbol, now, rng, pending);
      if (tick > 0) this.take(symbol, now, rng, pending);
      if (tick > 0) this.blockTrades(symbol, now, this.rng(symbol, tick, 'block'), pending);
    }
    await Promise.all(pending);
  }

  /** Submits a command (applied synchronously by the engine); refusals are logged and counted. */
  private send(pending: Promise<unknown>[], ...args: Parameters<ExchangeService['submit']>): void {
    this.submitted++;
    let p: Promise<unknown>;
    try {
      p = this.deps.exchange.submit(...args);
    } catch (err) {
      p = Promise.reject(err);
    }
    pending.push(
      p.catch((err: unknown) => {
        this.refused++;
        if (err instanceof ApiError)
          this.log.debug(
            { kind: args[0], cmd: args[1], code: err.code, msg: err.message },
            'simulator: command refused',
          );
        else this.log.warn({ err, kind: args[0] }, 'simulator: command failed');
      }),
    );
  }

  // ---- funding ------------------------------------------------------------------------------------

  private fundingTargets(): Map<string, bigint> {
    const engine = this.deps.exchange.engine;
    const levels = this.deps.config.levels;
    const need = new Map<string, number>();
    const add = (asset: string, units: number) => need.set(asset, (need.get(asset) ?? 0) + units);
    for (const symbol of this.symbols) {
      const c = engine.symbol(symbol);
      const fairT = Math.max(1, Math.round(((this.prices.price(symbol) ?? 0) * 1e8) / c.pUnit));
      const quoteU = baseNotional(c, fairT) * MAKER_SIZE[1] * levels * FUNDING_LADDERS;
      add(c.quote, quoteU);
      add(c.base, (quoteU / (fairT * c.pUnit)) * 1e8);
    }
    const out = new Map<string, bigint>();
    for (const [asset, u] of need) out.set(asset, BigInt(Math.min(Math.ceil(u), 9e15)));
    return out;
  }

  private fund(now: number, pending: Promise<unknown>[]): void {
    this.funding ??= this.fundingTargets();
    const engine = this.deps.exchange.engine;
    for (const accountId of [this.makerAccountId, this.takerAccountId]) {
      const view = engine.accountView(accountId);
      for (const [asset, target] of this.funding) {
        const b = view.balances.find((x) => x.asset === asset);
        const free = b ? b.free : 0n;
        if (free * 2n >= target) continue;
        this.send(pending, 'deposit', { now, accountId, asset, amount: formatUnits(target - free) });
      }
    }
  }

  // ---- market maker -------------------------------------------------------------------------------

  private quote(symbol: string, now: number, rng: Rng, pending: Promise<unknown>[]): void {
    const engine = this.deps.exchange.engine;
    const c = engine.symbol(symbol);
    const fair = this.prices.price(symbol);
    if (fair === undefined) return;
    const fairU = fair * 1e8;
    const levels = maxLevels(c, this.deps.config.levels);
    const open = engine.openOrders(this.makerAccountId, symbol);
    // Both sides are decided first, and every cancel goes out before any new quote: a ladder that
    // jumped across the old one must not meet the maker's own stale quotes (self-trade prevention
    // would expire them, and their cancels would then be refused).
    const cancels: number[] = [];
    const quotes: { side: Side; priceT: number; qtyS: number }[] = [];
    for (const side of ['BUY', 'SELL'] as const) {
      const bounds = priceBounds(c, side, (mins) => engine.filterReferencePrice(symbol, now, mins));
      const targets = ladderPrices(c, fairU, side, levels, bounds);
      const mine = open
        .filter((o) => o.spec.side === side && o.spec.type === 'LIMIT')
        .map((o) => ({ orderId: o.spec.orderId, priceT: Math.round(o.spec.price / c.pUnit) }))
        .sort((a, b) => (side === 'BUY' ? b.priceT - a.priceT : a.priceT - b.priceT));
      const best = targets[0];
      const last = targets[targets.length - 1];
      const keep: typeof mine = [];
      const cancel: number[] = [];
      for (const o of mine) {
        const tooClose = best === undefined || (side === 'BUY' ? o.priceT > best : o.priceT < best);
        // Farther from the best target than twice the ladder's depth (and a tick), or off limits.
        const depth = best === undefined || last === undefined ? 0 : Math.abs(best - last);
        const tooFar =
          best === undefined ||
          o.priceT < bounds.minT ||
          o.priceT > bounds.maxT ||
          Math.abs(best - o.priceT) > 2 * depth + 1;
        if (tooClose || tooFar) cancel.push(o.orderId);
        else keep.push(o);
      }
      while (keep.length > levels) cancel.push(keep.pop()!.orderId); // farthest first
      if (keep.length > 0 && rng.chance(CHURN_PROBABILITY))
        cancel.push(keep.splice(rng.int(keep.length), 1)[0]!.orderId);
      cancels.push(...cancel);

      const taken = new Set(keep.map((o) => o.priceT));
      let room = levels - keep.length;
      const notional = baseNotional(c, Math.round(fairU / c.pUnit));
      for (const priceT of targets) {
        if (room <= 0) break;
        if (taken.has(priceT)) continue;
        const qtyS = limitQty(c, priceT, notional * rng.logUniform(MAKER_SIZE[0], MAKER_SIZE[1]));
        if (qtyS <= 0) continue;
        room--;
        quotes.push({ side, priceT, qtyS });
      }
    }
    for (const orderId of cancels)
      this.send(pending, 'cancelOrder', { now, accountId: this.makerAccountId, symbol, orderId });
    for (const { side, priceT, qtyS } of quotes)
      this.send(pending, 'placeOrder', {
        now,
        accountId: this.makerAccountId,
        symbol,
        side,
        type: 'LIMIT',
        timeInForce: 'GTC',
        price: formatUnits(priceT * c.pUnit),
        quantity: formatUnits(qtyS * c.qUnit),
      });
  }

  // ---- takers -------------------------------------------------------------------------------------

  private take(symbol: string, now: number, rng: Rng, pending: Promise<unknown>[]): void {
    const engine = this.deps.exchange.engine;
    const c: CompiledSymbol = engine.symbol(symbol);
    const fair = this.prices.price(symbol);
    if (fair === undefined) return;
    const fairU = fair * 1e8;
    const mean = (this.deps.config.takersPerSecond * this.deps.config.tickMs) / 1000;
    const n = rng.poisson(mean, MAX_TAKERS_PER_TICK);
    for (let i = 0; i < n; i++) {
      const top = engine.book(symbol, 1);
      const bid = top.bids[0]?.[0];
      const ask = top.asks[0]?.[0];
      // Lean towards the fair price: buy what is offered below it, sell into bids above it.
      let pBuy = 0.5;
      if (ask !== undefined && ask < fairU) pBuy = 0.9;
      else if (bid !== undefined && bid > fairU) pBuy = 0.1;
      const side: Side = rng.chance(pBuy) ? 'BUY' : 'SELL';
      const size = rng.logUniform(TAKER_SIZE[0], TAKER_SIZE[1]);
      const against = side === 'BUY' ? ask : bid;
      if (against === undefined) continue;
      const priceT = Math.max(1, Math.round(against / c.pUnit));
      const qtyS = marketQty(c, priceT, baseNotional(c, priceT) * size);
      if (qtyS <= 0 || notionalNum(priceT, qtyS, c.fn, c.fd) <= 0) continue;
      this.send(pending, 'placeOrder', {
        now,
        accountId: this.takerAccountId,
        symbol,
        side,
        type: 'MARKET',
        quantity: formatUnits(qtyS * c.qUnit),
      });
    }
  }

  // ---- block trades -------------------------------------------------------------------------------

  /**
   * Block trades (negotiated off the book, reported as market data): a Poisson number per tick at
   * blockTradesPerHour, each at the fair price, a hundred times a large taker's size.
   */
  private blockTrades(symbol: string, now: number, rng: Rng, pending: Promise<unknown>[]): void {
    const mean = (this.deps.config.blockTradesPerHour * this.deps.config.tickMs) / 3_600_000;
    const n = rng.poisson(mean, MAX_TAKERS_PER_TICK);
    if (n === 0) return;
    const c: CompiledSymbol = this.deps.exchange.engine.symbol(symbol);
    const fair = this.prices.price(symbol);
    if (fair === undefined) return;
    const priceT = Math.max(1, Math.round((fair * 1e8) / c.pUnit));
    for (let i = 0; i < n; i++) {
      const qtyS = limitQty(c, priceT, baseNotional(c, priceT) * 100 * rng.logUniform(TAKER_SIZE[0], TAKER_SIZE[1]));
      if (qtyS <= 0) continue;
      this.send(pending, 'reportBlockTrade', {
        now,
        symbol,
        price: formatUnits(priceT * c.pUnit),
        qty: formatUnits(qtyS * c.qUnit),
        isBuyerMaker: rng.chance(0.5),
      });
    }
  }
}
