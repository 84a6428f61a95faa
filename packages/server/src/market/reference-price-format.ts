/**
 * Reference price rendering shared by GET referencePrice, the admin API and the
 * `<symbol>@referencePrice` stream.
 */
import { formatUnits } from '../engine/decimal.js';
import type { Exchange } from '../engine/exchange.js';

/** A reference price in units, at the quote asset's precision ("10.00000000" for USDT). */
export function formatReferencePrice(engine: Exchange, symbol: string, v: bigint): string {
  const s = formatUnits(v);
  const cut = 8 - engine.symbol(symbol).def.quotePrecision;
  return cut <= 0 ? s : s.slice(0, cut === 8 ? -9 : -cut);
}
