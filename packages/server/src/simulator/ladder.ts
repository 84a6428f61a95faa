/**
 * The market maker's arithmetic, pure and filter-aware: ladder prices in ticks around a fair price,
 * order sizes in steps, and the bounds every filter of a compiled symbol puts on them
 * (PRICE_FILTER, PERCENT_PRICE(_BY_SIDE) against the reference price, LOT_SIZE, MARKET_LOT_SIZE,
 * NOTIONAL / MIN_NOTIONAL, MAX_NUM_ORDERS).
 */
import { notionalNum, UNIT_N, type CompiledSymbol } from '../engine/index.js';

export type Side = 'BUY' | 'SELL';

/** Half of the spread and the distance between levels, as fractions of the fair price. */
export const HALF_SPREAD = 0.0001;
export const LEVEL_STEP = 0.0001;

/** Inclusive bounds of a limit price in ticks for one side (maxT may be Infinity). */
export interface TickBounds {
  readonly minT: number;
  readonly maxT: number;
}

/**
 * The prices (ticks) a LIMIT order on `side` may have: PRICE_FILTER and, when the reference price is
 * known (≥ 0), every PERCENT_PRICE(_BY_SIDE) filter. `refPrice(mins)` gives the reference price in
 * units for a filter's avgPriceMins (−1: none yet, the filter does not apply).
 */
export function priceBounds(c: CompiledSymbol, side: Side, refPrice: (mins: number) => number): TickBounds {
  let minT = Math.max(1, c.fMinT);
  let maxT = c.fMaxT > 0 ? c.fMaxT : Infinity;
  for (const f of c.fPercent) {
    const ref = refPrice(f.mins);
    if (ref < 0) continue;
    const r = BigInt(ref);
    const down = side === 'BUY' ? f.bidDown : f.askDown;
    const up = side === 'BUY' ? f.bidUp : f.askUp;
    const loU = (r * down + UNIT_N - 1n) / UNIT_N;
    const hiU = (r * up) / UNIT_N;
    const p = BigInt(c.pUnit);
    minT = Math.max(minT, Number((loU + p - 1n) / p));
    maxT = Math.min(maxT, Number(hiU / p));
  }
  return { minT, maxT };
}

/** How many levels per side fit MAX_NUM_ORDERS (two sides; one order left for headroom). */
export function maxLevels(c: CompiledSymbol, wanted: number): number {
  if (!Number.isFinite(c.fMaxOrders)) return wanted;
  return Math.max(0, Math.min(wanted, Math.floor((c.fMaxOrders - 1) / 2)));
}

/**
 * Distances from the fair price, in ticks, of `levels` levels: at least HALF_SPREAD + i·LEVEL_STEP
 * of the fair price, and strictly increasing by at least one tick (coarse ticks stay distinct).
 */
export function ladderOffsets(
  fairT: number,
  levels: number,
  halfSpread = HALF_SPREAD,
  levelStep = LEVEL_STEP,
): number[] {
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < levels; i++) {
    const want = Math.ceil(fairT * (halfSpread + i * levelStep) - 1e-9);
    prev = Math.max(prev + 1, want);
    out.push(prev);
  }
  return out;
}

/**
 * Target prices (ticks) of one side's ladder, best first, clipped to `bounds` (levels that fall
 * outside are dropped). `fairU` is the fair price in units.
 */
export function ladderPrices(
  c: CompiledSymbol,
  fairU: number,
  side: Side,
  levels: number,
  bounds: TickBounds,
): number[] {
  const fairT = fairU / c.pUnit;
  const offsets = ladderOffsets(fairT, levels);
  const out: number[] = [];
  for (const off of offsets) {
    const t = side === 'BUY' ? Math.floor(fairT) - off : Math.ceil(fairT) + off;
    if (t >= bounds.minT && t <= bounds.maxT) out.push(t);
  }
  return out;
}

/**
 * The notional (units) the simulator sizes orders from: the symbol's minimum notional, or, without
 * one, the notional of 10 minimum lots at `priceT`.
 */
export function baseNotional(c: CompiledSymbol, priceT: number): number {
  if (c.fMinN > 0) return c.fMinN;
  const minS = Math.max(1, c.fMinS, c.fStepS);
  return Math.max(1, notionalNum(priceT, minS * 10, c.fn, c.fd));
}

/**
 * A LIMIT quantity (steps of qUnit) near `targetN` units of notional at `priceT`, valid for LOT_SIZE
 * and NOTIONAL / MIN_NOTIONAL; 0 when no quantity can satisfy them.
 */
export function limitQty(c: CompiledSymbol, priceT: number, targetN: number): number {
  const step = Math.max(1, c.fStepS);
  const perStep = notionalNum(priceT, step, c.fn, c.fd); // notional of one step, units
  if (!(perStep > 0)) return 0;
  let lots = Math.max(1, Math.floor(targetN / perStep));
  const minLots = Math.max(1, Math.ceil(c.fMinS / step), Math.ceil(c.fMinN / perStep));
  const maxLots = Math.min(c.fMaxS > 0 ? Math.floor(c.fMaxS / step) : Infinity, Math.floor(c.fMaxN / perStep));
  lots = Math.min(Math.max(lots, minLots), maxLots);
  if (lots < minLots) return 0;
  const qtyS = lots * step;
  const n = notionalNum(priceT, qtyS, c.fn, c.fd);
  if (n < c.fMinN || n > c.fMaxN) return 0;
  return qtyS;
}

/**
 * A MARKET quantity (steps of qUnit) near `targetN` units of notional at `priceT`: a multiple of the
 * market step, within LOT_SIZE and MARKET_LOT_SIZE, with a notional of at least twice the minimum
 * (the engine checks it against the average price); 0 when impossible.
 */
export function marketQty(c: CompiledSymbol, priceT: number, targetN: number): number {
  const step = Math.max(1, c.marketStepS, c.fStepS);
  const perStep = notionalNum(priceT, step, c.fn, c.fd);
  if (!(perStep > 0)) return 0;
  const lotMin = Math.max(c.fMinS, c.lot?.minS ?? 0, c.marketLot?.minS ?? 0);
  const lotMaxes = [c.fMaxS, c.lot?.maxS ?? 0, c.marketLot?.maxS ?? 0].filter((m) => m > 0);
  const lotMax = lotMaxes.length > 0 ? Math.min(...lotMaxes) : Infinity;
  const minLots = Math.max(1, Math.ceil(lotMin / step), Math.ceil((2 * c.fMinN) / perStep));
  const maxLots = Math.floor(lotMax / step);
  const lots = Math.min(Math.max(Math.floor(targetN / perStep), minLots), maxLots);
  return lots < minLots ? 0 : lots * step;
}
