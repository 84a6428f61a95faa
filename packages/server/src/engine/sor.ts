/**
 * Smart order routing (faqs/sor_faq.md): groups of symbols with the same base asset and
 * interchangeable quote assets; the allocations that fill SOR orders; where each SOR order works.
 * The matching itself is Exchange.placeSorOrder.
 */
import type { Level } from './book.js';
import { notionalUnits } from './decimal.js';
import type { SymbolState } from './symbol-state.js';
import type { AccountId } from './types.js';

/** One SOR configuration, as exchangeInfo's `sors` lists it. */
export interface SorConfig {
  readonly baseAsset: string;
  readonly symbols: readonly string[];
}

/** Where an SOR order's last activity took place (`workingFloor`, executionReport `k`). */
export type WorkingFloor = 'EXCHANGE' | 'SOR';

/** An allocation: the fill of an SOR order by the exchange, priced and paid in the order's symbol. */
export interface Allocation {
  readonly allocationId: number;
  readonly accountId: AccountId;
  readonly orderId: number;
  readonly orderListId: number;
  /** units of 1e-8 */
  readonly price: number;
  readonly qty: number;
  readonly quoteQty: bigint;
  readonly commission: bigint;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isBuyer: boolean;
}

/** A symbol's SOR state: its allocations (ids from 0) and the working floor of its SOR orders. */
export class SorLedger {
  readonly allocations: Allocation[] = [];
  /** Working floor by orderId, SOR orders only (the order table reads it: OrderView.workingFloor). */
  readonly floors = new Map<number, WorkingFloor>();

  exportState(): SorLedgerState {
    return { allocations: [...this.allocations], floors: [...this.floors] };
  }

  importState(s: SorLedgerState): void {
    this.allocations.push(...s.allocations);
    for (const [id, floor] of s.floors) this.floors.set(id, floor);
  }

  /**
   * myAllocations: an account's allocations, by `fromAllocationId`, else the newest until `endTime`
   * when only that bounds them, else the oldest from `startTime`; `orderId` narrows to one order.
   */
  query(
    accountId: AccountId,
    q: { orderId?: number; fromAllocationId?: number; startTime?: number; endTime?: number; limit: number },
  ): Allocation[] {
    const mine = this.allocations.filter(
      (a) =>
        a.accountId === accountId &&
        (q.orderId === undefined || a.orderId === q.orderId) &&
        (q.fromAllocationId === undefined || a.allocationId >= q.fromAllocationId) &&
        (q.fromAllocationId !== undefined ||
          ((q.startTime === undefined || a.time >= q.startTime) && (q.endTime === undefined || a.time <= q.endTime))),
    );
    const newest = q.fromAllocationId === undefined && q.startTime === undefined && q.endTime !== undefined;
    return newest ? mine.slice(Math.max(0, mine.length - q.limit)) : mine.slice(0, q.limit);
  }
}

export interface SorLedgerState {
  readonly allocations: readonly Allocation[];
  readonly floors: readonly (readonly [number, WorkingFloor])[];
}

/** The best level of the side `takerIsBuy` takes from on `s` within `limitT` (−1: any price); none while `s` is not trading. */
export function bestWithin(s: SymbolState, takerIsBuy: boolean, limitT: number): Level | undefined {
  if (s.status !== 'TRADING') return undefined;
  const l = (takerIsBuy ? s.asks : s.bids).best();
  if (l === undefined || (limitT >= 0 && (takerIsBuy ? l.price > limitT : l.price < limitT))) return undefined;
  return l;
}

/**
 * Walks the books of an SOR group as one book (best price first, the order's own symbol first among
 * equal prices): the steps available within `limitT` up to `maxS`, and what they cost. The group's
 * symbols share tick and step sizes (checked when the engine is built), so ticks and steps compare.
 */
export function walkGroup(
  group: readonly SymbolState[],
  takerIsBuy: boolean,
  limitT: number,
  maxS: number,
): { steps: number; cost: bigint } {
  const levels = group.map((s) => (s.status !== 'TRADING' ? [] : (takerIsBuy ? s.asks : s.bids).levels));
  const at = levels.map((l) => l.length - 1);
  const c = (group[0] as SymbolState).c;
  let steps = 0;
  let cost = 0n;
  while (steps < maxS) {
    let pick = -1;
    for (let i = 0; i < levels.length; i++) {
      const l = (levels[i] as Level[])[at[i] as number];
      if (l === undefined) continue;
      if (limitT >= 0 && (takerIsBuy ? l.price > limitT : l.price < limitT)) continue;
      const best = pick < 0 ? undefined : (levels[pick] as Level[])[at[pick] as number];
      if (best === undefined || (takerIsBuy ? l.price < best.price : l.price > best.price)) pick = i;
    }
    if (pick < 0) break;
    const l = (levels[pick] as Level[])[at[pick] as number] as Level;
    at[pick] = (at[pick] as number) - 1;
    const take = Math.min(l.total, maxS - steps);
    steps += take;
    cost += notionalUnits(l.price, take, c.fn, c.fd);
  }
  return { steps, cost };
}

/** Steps queued before the first order of `accountId` at `lvl` of `x` (−1: none of its orders there). */
export function aheadOfOwn(x: SymbolState, lvl: Level, accountId: AccountId): number {
  const own = x.accounts.get(accountId);
  if (own === undefined || own.openCount === 0) return -1;
  const tab = x.table;
  let ahead = 0;
  for (let id = lvl.head; id !== 0; id = tab.next[id] as number) {
    if (tab.acct[id] === own.index) return ahead;
    ahead += tab.visS[id] as number;
  }
  return -1;
}
