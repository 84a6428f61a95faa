/**
 * The price-range execution rule (faqs/price_range_execution_rules.md): a taker may only trade at
 * prices within [reference · multDown, reference · multUp] of its side (bid = BUY, ask = SELL), both
 * ends included; a multiplier not set leaves that end open. The limits are fixed for a whole taker
 * phase from the reference price when the phase starts; no reference price, no limits.
 */
import { parseUnits } from './decimal.js';
import type { ReferencePriceCalculation } from './reference-price.js';

export interface PriceRangeRule {
  readonly bidLimitMultUp?: string;
  readonly bidLimitMultDown?: string;
  readonly askLimitMultUp?: string;
  readonly askLimitMultDown?: string;
}

/** A symbol's execution rules and how its reference price is calculated (both optional). */
export interface SymbolExecutionRules {
  readonly priceRange?: PriceRangeRule;
  readonly referencePrice?: ReferencePriceCalculation;
}

export const PRICE_RANGE_MULTIPLIERS = [
  'bidLimitMultUp',
  'bidLimitMultDown',
  'askLimitMultUp',
  'askLimitMultDown',
] as const satisfies readonly (keyof PriceRangeRule)[];

const UNIT_BIG = 100_000_000n;

/** Multipliers as units (1e-8), −1n where not set. */
export class CompiledPriceRange {
  private readonly bidUp: bigint;
  private readonly bidDown: bigint;
  private readonly askUp: bigint;
  private readonly askDown: bigint;

  constructor(
    readonly rule: PriceRangeRule,
    /** Units per tick of the symbol's price. */
    private readonly pUnit: number,
  ) {
    const m = (v: string | undefined): bigint => {
      if (v === undefined) return -1n;
      const u = parseUnits(v);
      if (u < 0) throw new Error(`price range multiplier ${v} is not a decimal`);
      return BigInt(u);
    };
    this.bidUp = m(rule.bidLimitMultUp);
    this.bidDown = m(rule.bidLimitMultDown);
    this.askUp = m(rule.askLimitMultUp);
    this.askDown = m(rule.askLimitMultDown);
  }

  /**
   * The taker phase's limits in ticks for a reference price in units: [lowest, highest] price it
   * may trade at (−1 / Infinity where open).
   */
  limits(refU: bigint, isBuy: boolean, out: { lo: number; hi: number }): void {
    const up = isBuy ? this.bidUp : this.askUp;
    const down = isBuy ? this.bidDown : this.askDown;
    const perTick = UNIT_BIG * BigInt(this.pUnit);
    out.hi = up < 0n ? Infinity : Number((refU * up) / perTick);
    out.lo = down < 0n ? -1 : Number((refU * down + perTick - 1n) / perTick);
  }
}
