/**
 * A SymbolDefinition compiled for the engine: tick and step sizes as units, the quote factor of one
 * tick × one step, and the filters with their decimal strings parsed once.
 */
import type { SymbolDefinition, SymbolFilter } from '@binance-sandbox/protocol';
import { gcdBig, parseUnits, parseUnitsBig, UNIT_N, unitsFraction, type Fraction } from './decimal.js';

function units(s: string, what: string): number {
  const v = parseUnits(s, 8);
  if (v < 0) throw new Error(`bad decimal ${what}=${JSON.stringify(s)}`);
  return v;
}
function bigUnits(s: string, what: string): bigint {
  const v = parseUnitsBig(s, 8);
  if (typeof v === 'number') throw new Error(`bad decimal ${what}=${JSON.stringify(s)}`);
  return v;
}

export interface LotRule {
  readonly minS: number; // steps of the symbol's qUnit (0 = disabled)
  readonly maxS: number; // 0 = disabled
  /** Step in qUnits (0 = disabled). */
  readonly stepS: number;
}

export type CompiledFilter =
  | { readonly kind: 'PRICE_FILTER'; readonly minT: number; readonly maxT: number }
  | {
      readonly kind: 'PERCENT_PRICE' | 'PERCENT_PRICE_BY_SIDE';
      readonly bidUp: bigint;
      readonly bidDown: bigint;
      readonly askUp: bigint;
      readonly askDown: bigint;
      readonly mins: number;
      /** The four multipliers as reduced fractions (exact bounds in numbers). */
      readonly fr: {
        readonly bidUp: Fraction;
        readonly bidDown: Fraction;
        readonly askUp: Fraction;
        readonly askDown: Fraction;
      };
    }
  | ({ readonly kind: 'LOT_SIZE' | 'MARKET_LOT_SIZE' } & LotRule)
  | {
      readonly kind: 'NOTIONAL' | 'MIN_NOTIONAL';
      readonly min: bigint;
      readonly max: bigint; // 0 = none
      readonly applyMin: boolean;
      readonly applyMax: boolean;
      readonly mins: number;
    }
  | { readonly kind: 'ICEBERG_PARTS'; readonly limit: number }
  | {
      readonly kind: 'MAX_NUM_ORDERS' | 'MAX_NUM_ALGO_ORDERS' | 'MAX_NUM_ICEBERG_ORDERS' | 'MAX_NUM_ORDER_LISTS';
      readonly max: number;
    }
  /** A BUY's account may hold at most `max` units of the base asset, open BUY orders included. */
  | { readonly kind: 'MAX_POSITION'; readonly max: bigint }
  | {
      readonly kind: 'TRAILING_DELTA';
      readonly minAbove: number;
      readonly maxAbove: number;
      readonly minBelow: number;
      readonly maxBelow: number;
    };

export class CompiledSymbol {
  readonly name: string;
  readonly base: string;
  readonly quote: string;
  /** Units per price tick (tickSize, or 1 unit when the tick rule is disabled). */
  readonly pUnit: number;
  /** Units per quantity step (LOT_SIZE stepSize, else MARKET_LOT_SIZE's, else 1 unit). */
  readonly qUnit: number;
  /** One tick × one step = fn / fd units (reduced fraction). */
  readonly fn: number;
  readonly fd: number;
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  readonly quoteDecimals: number;
  readonly filters: readonly CompiledFilter[];
  readonly lot: LotRule | undefined;
  readonly marketLot: LotRule | undefined;
  /** Step of market quantities in qUnits (MARKET_LOT_SIZE step if set, else LOT_SIZE step, else 1). */
  readonly marketStepS: number;
  /** Largest avgPriceMins among filters (how much trade history the reference price needs). */
  readonly maxAvgPriceMins: number;

  // -- the filters flattened for the LIMIT fast path (exact integer bounds; see Exchange.fastLimit)
  /** False when some filter has no flat form here (the fast path is then never used). */
  readonly fast: boolean;
  /** PRICE_FILTER bounds in ticks (0 = none). */
  readonly fMinT: number;
  readonly fMaxT: number;
  /** LOT_SIZE in steps (0 = none). */
  readonly fMinS: number;
  readonly fMaxS: number;
  readonly fStepS: number;
  /** NOTIONAL / MIN_NOTIONAL bounds in units (limit orders), all < 2^53. */
  readonly fMinN: number;
  readonly fMaxN: number;
  readonly fMaxOrders: number;
  /** MAX_NUM_ORDER_AMENDS (Infinity: none). */
  readonly maxAmends: number;
  /** PERCENT_PRICE / PERCENT_PRICE_BY_SIDE filters. */
  readonly fPercent: readonly Extract<CompiledFilter, { kind: 'PERCENT_PRICE' | 'PERCENT_PRICE_BY_SIDE' }>[];
  /** LIMIT orders allowed and the symbol's default STP mode usable. */
  readonly limitAllowed: boolean;

  constructor(readonly def: SymbolDefinition) {
    this.name = def.symbol;
    this.base = def.baseAsset;
    this.quote = def.quoteAsset;
    this.priceDecimals = def.quotePrecision;
    this.qtyDecimals = def.baseAssetPrecision;
    this.quoteDecimals = def.quoteAssetPrecision;
    const pf = def.filters.find((f) => f.filterType === 'PRICE_FILTER');
    const lf = def.filters.find((f) => f.filterType === 'LOT_SIZE');
    const mf = def.filters.find((f) => f.filterType === 'MARKET_LOT_SIZE');
    const tick = pf ? units(pf.tickSize, 'tickSize') : 0;
    const lotStep = lf ? units(lf.stepSize, 'stepSize') : 0;
    const mStep = mf ? units(mf.stepSize, 'stepSize') : 0;
    this.pUnit = tick > 0 ? tick : 1;
    this.qUnit = lotStep > 0 ? lotStep : mStep > 0 ? mStep : 1;
    const num = BigInt(this.pUnit) * BigInt(this.qUnit);
    const g = gcdBig(num, UNIT_N);
    this.fn = Number(num / g);
    this.fd = Number(UNIT_N / g);
    const toSteps = (u: number) => Math.floor(u / this.qUnit);
    const lot = (f: { minQty: string; maxQty: string; stepSize: string }): LotRule => {
      const step = units(f.stepSize, 'stepSize');
      return {
        minS: Math.ceil(units(f.minQty, 'minQty') / this.qUnit),
        maxS: toSteps(units(f.maxQty, 'maxQty')),
        stepS: step > 0 ? step / this.qUnit : 0,
      };
    };
    this.lot = lf ? lot(lf) : undefined;
    this.marketLot = mf ? lot(mf) : undefined;
    if (this.marketLot && this.marketLot.stepS > 0 && !Number.isInteger(this.marketLot.stepS)) {
      throw new Error(`${def.symbol}: MARKET_LOT_SIZE stepSize must be a multiple of LOT_SIZE stepSize`);
    }
    this.marketStepS = Math.max(1, this.marketLot?.stepS || 0, this.lot?.stepS || 0);
    let maxMins = 0;
    this.filters = def.filters.flatMap((f): CompiledFilter[] => {
      const c = compileFilter(f, this);
      if (c && 'mins' in c) maxMins = Math.max(maxMins, c.mins);
      return c ? [c] : [];
    });
    this.maxAvgPriceMins = maxMins;

    let fast = true;
    let minT = 0,
      maxT = 0,
      minS = 0,
      maxS = 0,
      stepS = 0,
      minN = 0,
      maxN = Infinity,
      maxOrders = Infinity;
    const seen = new Set<string>();
    const pct: Extract<CompiledFilter, { kind: 'PERCENT_PRICE' | 'PERCENT_PRICE_BY_SIDE' }>[] = [];
    const safe = (v: bigint): number => {
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) fast = false;
      return Number(v);
    };
    for (const f of this.filters) {
      if (f.kind === 'PRICE_FILTER' || f.kind === 'LOT_SIZE') {
        if (seen.has(f.kind)) fast = false;
        seen.add(f.kind);
      }
      switch (f.kind) {
        case 'PRICE_FILTER':
          minT = f.minT;
          maxT = f.maxT;
          break;
        case 'LOT_SIZE':
          minS = f.minS;
          maxS = f.maxS;
          stepS = f.stepS;
          break;
        case 'NOTIONAL':
        case 'MIN_NOTIONAL':
          minN = Math.max(minN, safe(f.min));
          if (f.max > 0n) maxN = Math.min(maxN, safe(f.max));
          break;
        case 'MAX_NUM_ORDERS':
          maxOrders = Math.min(maxOrders, f.max);
          break;
        case 'PERCENT_PRICE':
        case 'PERCENT_PRICE_BY_SIDE':
          pct.push(f);
          break;
        case 'MAX_POSITION':
          fast = false; // applies to every BUY: prepare checks it
          break;
        default:
          break; // MARKET_LOT_SIZE, ICEBERG_PARTS, MAX_NUM_ALGO/ICEBERG/ORDER_LISTS: never apply to a plain LIMIT order
      }
    }
    if (stepS > 0 && !Number.isInteger(stepS)) fast = false;
    this.fast = fast;
    this.fMinT = minT;
    this.fMaxT = maxT;
    this.fMinS = minS;
    this.fMaxS = maxS;
    this.fStepS = stepS;
    this.fMinN = minN;
    this.fMaxN = maxN;
    this.fMaxOrders = maxOrders;
    const amends = def.filters.find((f) => f.filterType === 'MAX_NUM_ORDER_AMENDS');
    this.maxAmends = amends ? amends.maxNumOrderAmends : Infinity;
    this.fPercent = pct;
    this.limitAllowed =
      def.orderTypes.includes('LIMIT') &&
      (def.defaultSelfTradePreventionMode === 'NONE' ||
        def.allowedSelfTradePreventionModes.includes(def.defaultSelfTradePreventionMode));
  }
}

function compileFilter(f: SymbolFilter, s: CompiledSymbol): CompiledFilter | undefined {
  switch (f.filterType) {
    case 'PRICE_FILTER':
      return {
        kind: 'PRICE_FILTER',
        minT: Math.ceil(units(f.minPrice, 'minPrice') / s.pUnit),
        maxT: Math.floor(units(f.maxPrice, 'maxPrice') / s.pUnit),
      };
    case 'PERCENT_PRICE': {
      const up = bigUnits(f.multiplierUp, 'multiplierUp');
      const down = bigUnits(f.multiplierDown, 'multiplierDown');
      return percent('PERCENT_PRICE', up, down, up, down, f.avgPriceMins);
    }
    case 'PERCENT_PRICE_BY_SIDE':
      return percent(
        'PERCENT_PRICE_BY_SIDE',
        bigUnits(f.bidMultiplierUp, 'bidMultiplierUp'),
        bigUnits(f.bidMultiplierDown, 'bidMultiplierDown'),
        bigUnits(f.askMultiplierUp, 'askMultiplierUp'),
        bigUnits(f.askMultiplierDown, 'askMultiplierDown'),
        f.avgPriceMins,
      );
    case 'LOT_SIZE':
      return { kind: 'LOT_SIZE', ...(s.lot as LotRule) };
    case 'MARKET_LOT_SIZE':
      return { kind: 'MARKET_LOT_SIZE', ...(s.marketLot as LotRule) };
    case 'NOTIONAL':
      return {
        kind: 'NOTIONAL',
        min: bigUnits(f.minNotional, 'minNotional'),
        max: bigUnits(f.maxNotional, 'maxNotional'),
        applyMin: f.applyMinToMarket,
        applyMax: f.applyMaxToMarket,
        mins: f.avgPriceMins,
      };
    case 'MIN_NOTIONAL':
      return {
        kind: 'MIN_NOTIONAL',
        min: bigUnits(f.minNotional, 'minNotional'),
        max: 0n,
        applyMin: f.applyToMarket,
        applyMax: false,
        mins: f.avgPriceMins,
      };
    case 'ICEBERG_PARTS':
      return { kind: 'ICEBERG_PARTS', limit: f.limit };
    case 'MAX_NUM_ORDERS':
      return { kind: 'MAX_NUM_ORDERS', max: f.maxNumOrders };
    case 'MAX_NUM_ALGO_ORDERS':
      return { kind: 'MAX_NUM_ALGO_ORDERS', max: f.maxNumAlgoOrders };
    case 'MAX_NUM_ICEBERG_ORDERS':
      return { kind: 'MAX_NUM_ICEBERG_ORDERS', max: f.maxNumIcebergOrders };
    case 'MAX_NUM_ORDER_LISTS':
      return { kind: 'MAX_NUM_ORDER_LISTS', max: f.maxNumOrderLists };
    case 'MAX_POSITION':
      return { kind: 'MAX_POSITION', max: bigUnits(f.maxPosition, 'maxPosition') };
    case 'TRAILING_DELTA':
      return {
        kind: 'TRAILING_DELTA',
        minAbove: f.minTrailingAboveDelta,
        maxAbove: f.maxTrailingAboveDelta,
        minBelow: f.minTrailingBelowDelta,
        maxBelow: f.maxTrailingBelowDelta,
      };
    default:
      // MAX_NUM_ORDER_AMENDS: checked by amendOrder (CompiledSymbol.maxAmends).
      return undefined;
  }
}

function percent(
  kind: 'PERCENT_PRICE' | 'PERCENT_PRICE_BY_SIDE',
  bidUp: bigint,
  bidDown: bigint,
  askUp: bigint,
  askDown: bigint,
  mins: number,
): CompiledFilter {
  const fr = {
    bidUp: unitsFraction(bidUp),
    bidDown: unitsFraction(bidDown),
    askUp: unitsFraction(askUp),
    askDown: unitsFraction(askDown),
  };
  return { kind, bidUp, bidDown, askUp, askDown, mins, fr };
}
