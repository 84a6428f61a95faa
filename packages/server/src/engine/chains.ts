/**
 * Per-account history lists (an account's orders or trades on one symbol, oldest first) threaded
 * through two per-symbol link columns: appending allocates nothing, whatever the number of accounts.
 * Entries are positive integers (row indexes); 0 ends a list.
 */
import { type Chunks, type Column, i32 } from './columns.js';

/** One account's list: first and last entry, and its length. */
export class Chain {
  head = 0;
  tail = 0;
  length = 0;
}

export interface ChainsState {
  readonly next: Chunks<Int32Array>;
  readonly prev: Chunks<Int32Array>;
}

export class Chains {
  private readonly nextOf: Column<Int32Array>;
  private readonly prevOf: Column<Int32Array>;
  /** Entries below this are writable in both columns. */
  private writable = 0;

  constructor(state?: ChainsState) {
    this.nextOf = i32(state?.next);
    this.prevOf = i32(state?.prev);
  }

  append(chain: Chain, entry: number): void {
    if (entry >= this.writable) {
      this.nextOf.ensure(entry);
      this.prevOf.ensure(entry);
      this.writable = this.nextOf.writableEnd();
    }
    // a new entry's row is still 0 (entries are appended once): no next to clear
    this.prevOf.set(entry, chain.tail);
    if (chain.tail !== 0) this.nextOf.set(chain.tail, entry);
    else chain.head = entry;
    chain.tail = entry;
    chain.length++;
  }

  next(entry: number): number {
    return this.nextOf.get(entry);
  }

  prev(entry: number): number {
    return this.prevOf.get(entry);
  }

  /** Links of entries 0 … rows−1. */
  exportState(rows: number): ChainsState {
    return { next: this.nextOf.chunksUpTo(rows), prev: this.prevOf.chunksUpTo(rows) };
  }
}
