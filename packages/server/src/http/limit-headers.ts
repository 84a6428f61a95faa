import { orderCountHeader, usedWeightHeader } from '@binance-sandbox/protocol';
import { LEGACY_USED_WEIGHT_HEADER } from '../limits/headers.js';
import type { LimitTable } from '../limits/types.js';
import type { HeaderList } from './reply.js';

/** Appends X-MBX-USED-WEIGHT-* and X-MBX-ORDER-COUNT-* to a header list; names computed once. */
export interface LimitHeaderWriter {
  weight(out: HeaderList, usedWeight: readonly number[]): HeaderList;
  orders(out: HeaderList, counts: readonly number[]): HeaderList;
}

export function createLimitHeaderWriter(table: LimitTable): LimitHeaderWriter {
  const weightNames = table.requestWeight.map(usedWeightHeader);
  const legacyIndex = table.requestWeight.findIndex((r) => r.interval === 'MINUTE' && r.intervalNum === 1);
  const orderNames = table.orders.map(orderCountHeader);
  return {
    weight(out, used) {
      for (let i = 0; i < weightNames.length; i++) out.push(weightNames[i] as string, String(used[i] ?? 0));
      if (legacyIndex >= 0) out.push(LEGACY_USED_WEIGHT_HEADER, String(used[legacyIndex] ?? 0));
      return out;
    },
    orders(out, counts) {
      for (let i = 0; i < orderNames.length; i++) out.push(orderNames[i] as string, String(counts[i] ?? 0));
      return out;
    },
  };
}
