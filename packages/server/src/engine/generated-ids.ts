/**
 * The order each generated client order id names, by the id's sequence (ids.ts decodes an id to its
 * sequence): symbol index + 1 (0: none — a cancel's id, or an order forgotten by a lean engine) and
 * orderId. Two typed arrays instead of an array of order references.
 */
import { type Chunks, f64, i32 } from './columns.js';

export interface GeneratedIdsState {
  /** Symbol names by index (the engine's configuration order when taken). */
  readonly symbols: readonly string[];
  readonly symbolOf: Chunks<Int32Array>;
  readonly orderIdOf: Chunks<Float64Array>;
}

export class GeneratedIds {
  private sym = i32();
  private ids = f64();

  set(seq: number, symbolIndex: number, orderId: number): void {
    this.sym.ensure(seq);
    this.ids.ensure(seq);
    this.sym.set(seq, symbolIndex + 1);
    this.ids.set(seq, orderId);
  }

  clear(seq: number): void {
    if (seq < this.sym.writableEnd()) this.sym.set(seq, 0);
  }

  /** The symbol index of the order named by `seq`, or −1. */
  symbolOf(seq: number): number {
    return seq < this.sym.writableEnd() ? this.sym.get(seq) - 1 : -1;
  }

  orderIdOf(seq: number): number {
    return this.ids.get(seq);
  }

  exportState(symbols: readonly string[], rows: number): GeneratedIdsState {
    return { symbols, symbolOf: this.sym.chunksUpTo(rows), orderIdOf: this.ids.chunksUpTo(rows) };
  }

  /** Loads a state whose symbol indexes are remapped to `indexOf` (−1: the symbol is gone). */
  importState(state: GeneratedIdsState, indexOf: (symbol: string) => number): void {
    const remap = state.symbols.map(indexOf);
    const moved = remap.some((to, from) => to !== from);
    const sym = moved
      ? state.symbolOf.map((chunk) => chunk.map((s) => (s > 0 ? (remap[s - 1] as number) + 1 : 0)))
      : state.symbolOf;
    this.sym = i32(sym);
    this.ids = f64(state.orderIdOf);
  }
}
