/**
 * Fair prices of the simulated markets: one path per configured symbol, stepped once per tick with a
 * fixed time step. A path is either a mean-reverting random walk (an Ornstein–Uhlenbeck process on
 * the log price), which depends only on the seed and the tick number, or the replay of a recorded
 * trades file (replay.ts). Symbols without their own path take the ratio of two paths with a common
 * quote asset (ETHBTC = ETHUSDT / BTCUSDT), so cross rates stay consistent.
 */
import type { SimulatorSymbolConfig } from '../config.js';
import type { Rng } from './prng.js';
import { PriceReplay, readTradesCsv } from './replay.js';

const DAY_MS = 86_400_000;
/** The walk forgets half of its distance from the start price in this much time. */
export const DEFAULT_HALF_LIFE_MS = 3_600_000;

/** A fair price that moves once per tick. */
export interface PricePath {
  readonly price: number;
  /** Advances one tick with a standard normal draw (a path may ignore it); returns the new price. */
  step(z: number): number;
}

export class PriceWalk implements PricePath {
  /** ln(price / start). */
  private x = 0;
  private readonly decay: number;
  private readonly sigma: number;

  constructor(
    readonly start: number,
    volatilityPerDay: number,
    readonly dtMs: number,
    halfLifeMs = DEFAULT_HALF_LIFE_MS,
  ) {
    if (!(start > 0)) throw new RangeError('a price walk needs a start price > 0');
    this.decay = Math.exp((-Math.LN2 * dtMs) / halfLifeMs);
    // Stationary OU step: the variance added per step makes the unreverted variance vol² per day.
    this.sigma = volatilityPerDay * Math.sqrt(dtMs / DAY_MS);
  }

  get price(): number {
    return this.start * Math.exp(this.x);
  }

  /** Advances one step with the given standard normal draw; returns the new price. */
  step(z: number): number {
    this.x = this.x * this.decay + this.sigma * z;
    // A hard bound far outside anything the volatility produces: prices stay positive and finite.
    if (this.x > 3) this.x = 3;
    else if (this.x < -3) this.x = -3;
    return this.price;
  }
}

export interface SymbolPair {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
}

/** How a simulated symbol gets its fair price: its own path, or the ratio of two symbols' paths. */
export type PriceSource =
  | { readonly kind: 'path'; readonly path: PricePath }
  | { readonly kind: 'ratio'; readonly num: string; readonly den: string }
  /**
   * A symbol of an SOR configuration: its quote is worth `of`'s, so is its price, times a small
   * mean-reverting basis (a few basis points: the books differ, as USDT and USDC books do, and SOR
   * has something to route to).
   */
  | { readonly kind: 'same'; readonly of: string; readonly basis: PricePath };

/** Daily volatility of an SOR sibling's basis (stationary spread of a few basis points). */
export const SOR_BASIS_VOLATILITY = 0.003;

/**
 * The fair prices of every symbol that has one: walks or replays for configured symbols, ratios for
 * symbols whose base and quote both have a path against the same quote asset, and the price of an
 * SOR sibling (`sors`: groups of symbols with interchangeable quotes) for the rest.
 */
export class FairPrices {
  readonly sources = new Map<string, PriceSource>();
  private readonly paths: [string, PricePath][] = [];
  /** The bases of SOR siblings (stepped with the paths, each on its own stream). */
  private readonly bases: [string, PricePath][] = [];

  /**
   * A configured symbol with `replay` reads and parses its file here (throws on a bad file);
   * `replaySpeed` is recorded ms per ms of ticks.
   */
  constructor(
    symbols: readonly SymbolPair[],
    config: Readonly<Record<string, SimulatorSymbolConfig>>,
    dtMs: number,
    replaySpeed = 1,
    sors: readonly (readonly string[])[] = [],
  ) {
    for (const s of symbols) {
      const c = config[s.symbol];
      if (c === undefined) continue;
      const path =
        c.replay !== undefined
          ? new PriceReplay(readTradesCsv(c.replay), dtMs, replaySpeed)
          : new PriceWalk(Number(c.startPrice), c.volatility, dtMs);
      this.paths.push([s.symbol, path]);
      this.sources.set(s.symbol, { kind: 'path', path });
    }
    for (const s of symbols) {
      if (this.sources.has(s.symbol)) continue;
      for (const a of symbols) {
        if (a.baseAsset !== s.baseAsset || !this.hasPath(a.symbol)) continue;
        const b = symbols.find(
          (x) => x.baseAsset === s.quoteAsset && x.quoteAsset === a.quoteAsset && this.hasPath(x.symbol),
        );
        if (b) {
          this.sources.set(s.symbol, { kind: 'ratio', num: a.symbol, den: b.symbol });
          break;
        }
      }
    }
    for (const s of symbols) {
      if (this.sources.has(s.symbol)) continue;
      const group = sors.find((g) => g.includes(s.symbol)) ?? [];
      const of = group.find((x) => x !== s.symbol && this.sources.get(x)?.kind !== 'same' && this.sources.has(x));
      if (of === undefined) continue;
      const basis = new PriceWalk(1, SOR_BASIS_VOLATILITY, dtMs);
      this.bases.push([s.symbol, basis]);
      this.sources.set(s.symbol, { kind: 'same', of, basis });
    }
  }

  private hasPath(symbol: string): boolean {
    return this.sources.get(symbol)?.kind === 'path';
  }

  /** The symbols that follow a recorded trades file, with their replays. */
  replays(): [string, PriceReplay][] {
    return this.paths.filter((e): e is [string, PriceReplay] => e[1] instanceof PriceReplay);
  }

  /** Advances every path one step; `rngFor(symbol)` gives each path its own stream. */
  step(rngFor: (symbol: string) => Rng): void {
    for (const [symbol, path] of this.paths) path.step(rngFor(symbol).normal());
    for (const [symbol, basis] of this.bases) basis.step(rngFor(`${symbol}:basis`).normal());
  }

  /** The fair price (quote per base), or undefined when the symbol has none. */
  price(symbol: string): number | undefined {
    const src = this.sources.get(symbol);
    if (src === undefined) return undefined;
    if (src.kind === 'path') return src.path.price;
    if (src.kind === 'same') {
      const of = this.price(src.of);
      return of === undefined ? undefined : of * src.basis.price;
    }
    const num = this.price(src.num);
    const den = this.price(src.den);
    return num === undefined || den === undefined ? undefined : num / den;
  }
}
