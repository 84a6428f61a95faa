/**
 * What one row of an order table holds besides its columns: the flag bits, the enum codes of the
 * one-byte columns, the generated client order ids, and the rarely set parts kept by orderId.
 * Shared by the table (order-table.ts) and its row view (order.ts).
 */
import {
  EXPIRY_REASONS,
  ORDER_STATUSES,
  ORDER_TYPES,
  SELF_TRADE_PREVENTION_MODES,
  TIME_IN_FORCES,
} from '@binance-sandbox/protocol';
import { clientOrderId } from './ids.js';
import type { Trail } from './symbol-state.js';
import type { Peg } from './types.js';

// flags
export const OPEN = 1;
export const WORKING = 2;
export const BUY = 4;
export const STOP = 8;
export const MARKET = 16;
/** Linked into a price level of the book. */
export const IN_BOOK = 32;
/** Reachable by orderId as an order object: open, or a leg of a list (SymbolState.order). */
export const PRESENT = 64;
/** Has an OrderExtras entry. */
export const EXTRAS = 128;
/** Closed and kept as history (retained history: GET order, allOrders). */
export const HISTORY = 256;

function codes<T extends string>(values: readonly T[]): Map<T, number> {
  return new Map(values.map((v, i) => [v, i]));
}
export const STATUS_CODE = codes(ORDER_STATUSES);
export const TYPE_CODE = codes(ORDER_TYPES);
export const TIF_CODE = codes(TIME_IN_FORCES);
export const STP_CODE = codes(SELF_TRADE_PREVENTION_MODES);
export const EXPIRY_CODE = codes(EXPIRY_REASONS);

export function code<T extends string>(map: Map<T, number>, v: T): number {
  const c = map.get(v);
  if (c === undefined) throw new Error(`order table: unknown value ${v}`);
  return c;
}

/**
 * Generated client order ids are made when asked for (Order.clientOrderId); an order's events and
 * answer ask for the same one several times in a row, taker and maker alternating in a sweep: the
 * last two are remembered.
 */
const cidMemo = { seedA: 0, seqA: -1, idA: '', seedB: 0, seqB: -1, idB: '', nextA: true };
export function generatedId(seed: number, seq: number): string {
  const m = cidMemo;
  if (seq === m.seqA && seed === m.seedA) return m.idA;
  if (seq === m.seqB && seed === m.seedB) return m.idB;
  const id = clientOrderId(seed, seq);
  if (m.nextA) {
    m.seedA = seed;
    m.seqA = seq;
    m.idA = id;
  } else {
    m.seedB = seed;
    m.seqB = seq;
    m.idB = id;
  }
  m.nextA = !m.nextA;
  return id;
}

/**
 * The rarely set parts of an order (stop, iceberg, strategy, quote-quantity spec; self-trade
 * prevention; amounts beyond 2^53), kept by orderId only when one of them is set.
 */
export class OrderExtras {
  trail: Trail | null = null;
  peg: Peg | null = null;
  origQuoteOrderQty = 0n;
  stopPrice = 0;
  icebergQty = 0;
  strategyId: number | undefined = undefined;
  strategyType: number | undefined = undefined;
  stopT = 0;
  icebergS = 0;
  preventedS = 0;
  preventedMatchId = -1;
  cumB = 0n;
  lockB = 0n;
}
