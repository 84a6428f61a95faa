/**
 * Fair prices of the simulated markets: one mean-reverting random walk (an Ornstein–Uhlenbeck
 * process on the log price) per configured symbol, stepped once per tick with a fixed time step,
 * so the path depends only on the seed and the tick number. Symbols without their own walk take
 * the ratio of two walks with a common quote asset (ETHBTC = ETHUSDT / BTCUSDT), so cross rates
 * stay consistent.
 */
import type { SimulatorSymbolConfig } from '../config.js';
import type { Rng } from './prng.js';

const DAY_MS = 86_400_000;
/** The walk forgets half of its distance from the start price in this much time. */
export const DEFAULT_HALF_LIFE_MS = 3_600_000;

export class PriceWalk {
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

/** How a simulated symbol gets its fair price. */
export type PriceSource =
  | { readonly kind: 'walk'; readonly walk: PriceWalk }
  | { readonly kind: 'ratio'; readonly num: string; readonly den: string };

/**
 * The fair prices of every symbol that has one: walks for configured symbols, ratios for symbols
 * whose base and quote both have a walk against the same quote asset.
 */
export class FairPrices {
  readonly sources = new Map<string, PriceSource>();
  private readonly walks: [string, PriceWalk][] = [];

  constructor(symbols: readonly SymbolPair[], config: Readonly<Record<string, SimulatorSymbolConfig>>, dtMs: number) {
    for (const s of symbols) {
      const c = config[s.symbol];
      if (c === undefined) continue;
      const walk = new PriceWalk(Number(c.startPrice), c.volatility, dtMs);
      this.walks.push([s.symbol, walk]);
      this.sources.set(s.symbol, { kind: 'walk', walk });
    }
    for (const s of symbols) {
      if (this.sources.has(s.symbol)) continue;
      for (const a of symbols) {
        if (a.baseAsset !== s.baseAsset || !this.isWalk(a.symbol)) continue;
        const b = symbols.find(
          (x) => x.baseAsset === s.quoteAsset && x.quoteAsset === a.quoteAsset && this.isWalk(x.symbol),
        );
        if (b) {
          this.sources.set(s.symbol, { kind: 'ratio', num: a.symbol, den: b.symbol });
          break;
        }
      }
    }
  }

  private isWalk(symbol: string): boolean {
    return this.sources.get(symbol)?.kind === 'walk';
  }

  /** Advances every walk one step; `rngFor(symbol)` gives each walk its own stream. */
  step(rngFor: (symbol: string) => Rng): void {
    for (const [symbol, walk] of this.walks) walk.step(rngFor(symbol).normal());
  }

  /** The fair price (quote per base), or undefined when the symbol has none. */
  price(symbol: string): number | undefined {
    const src = this.sources.get(symbol);
    if (src === undefined) return undefined;
    if (src.kind === 'walk') return src.walk.price;
    const num = this.price(src.num);
    const den = this.price(src.den);
    return num === undefined || den === undefined ? undefined : num / den;
  }
}
