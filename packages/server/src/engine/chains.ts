/**
 * Per-account history lists (an account's orders or trades on one symbol, oldest first) threaded
 * through one per-symbol link column: each entry links to the one before it. Appending allocates
 * nothing and writes only the new entry's own row (a link forward would write into the account's
 * previous entry: a random row, a cache miss per order and per trade side). Queries walk from the
 * newest entry back. Entries are positive integers (row indexes); 0 ends a list.
 */
import { type Chunks, type Column, i32 } from './columns.js';

export interface ChainsState {
  readonly prev: Chunks<Int32Array>;
  /** Written by builds before 2026-11-24 (forward links); not needed to read a list. */
  readonly next?: Chunks<Int32Array>;
}

export class Chains {
  private readonly prevOf: Column<Int32Array>;
  /** Entries below this are writable. */
  private writable = 0;

  constructor(state?: ChainsState) {
    this.prevOf = i32(state?.prev);
  }

  /** Appends `entry` to the list whose last entry is `prev` (0: a new list); the owner keeps its ends. */
  link(entry: number, prev: number): void {
    if (entry >= this.writable) {
      this.prevOf.ensure(entry);
      this.writable = this.prevOf.writableEnd();
    }
    this.prevOf.set(entry, prev);
  }

  prev(entry: number): number {
    return this.prevOf.get(entry);
  }

  /** Links of entries 0 … rows−1. */
  exportState(rows: number): ChainsState {
    return { prev: this.prevOf.chunksUpTo(rows) };
  }
}

/**
 * The entries of the history list ending at `last` (oldest first) that a query selects: those `keep`s within
 * [startTime, endTime]; from id `fromId` up, or from startTime up, the first `limit`; else the last.
 */
export function historyWindow(
  last: number,
  chains: Chains,
  fromId: number | undefined,
  q: { readonly startTime?: number; readonly endTime?: number; readonly limit?: number },
  id: (e: number) => number,
  time: (e: number) => number,
  keep: (e: number) => boolean,
): number[] {
  const limit = Math.min(Math.max(q.limit ?? 500, 1), 1000);
  const a = q.startTime ?? -Infinity;
  const b = q.endTime ?? Infinity;
  const timed = q.startTime !== undefined || q.endTime !== undefined;
  const ok = (e: number): boolean => keep(e) && (!timed || (time(e) >= a && time(e) <= b));
  const out: number[] = [];
  if (fromId !== undefined || q.startTime !== undefined) {
    // the oldest `limit` selected: walking back from the newest, the last ones met (at most
    // 2·limit kept)
    for (let e = last; e !== 0; e = chains.prev(e)) {
      if (fromId !== undefined && id(e) < fromId) break; // ids only grow along a list
      if (!ok(e)) continue;
      if (out.length === 2 * limit) out.splice(0, limit);
      out.push(e);
    }
    return out.slice(-limit).reverse();
  }
  for (let e = last; e !== 0 && out.length < limit; e = chains.prev(e)) if (ok(e)) out.push(e);
  return out.reverse();
}
