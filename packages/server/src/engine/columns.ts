/**
 * Growable typed-array columns for the history archives, and the number-or-bigint cell convention:
 * a bigint column stores its value as a number when it is a safe integer, else NaN plus an entry in
 * an overflow map.
 *
 * A column is a list of fixed-size chunks (only the first grows, by doubling, up to a chunk): growing
 * never copies a big array, and the bytes allocated stay close to the bytes used — V8 runs a full
 * collection for every few dozen MiB of new array buffers, so doubling copies cost collections.
 */
const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);

const CHUNK_BITS = 15;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

type Typed = Float64Array | Int32Array | Uint8Array;

/** A column's rows as its chunks (every chunk full but the last). */
export type Chunks<T extends Typed> = readonly T[];

export class Column<T extends Typed> {
  private readonly chunks: T[];

  /** `from`: an exported column's chunks (taken over as they are, nothing is copied). */
  constructor(
    private readonly make: (n: number) => T,
    from?: Chunks<T>,
  ) {
    this.chunks = from === undefined || from.length === 0 ? [make(16)] : [...from];
    for (let c = 0; c < this.chunks.length - 1; c++)
      if ((this.chunks[c] as T).length !== CHUNK) throw new Error('column: an exported chunk has the wrong size');
  }

  /** Makes row `i` (and every row before it) writable. */
  ensure(i: number): void {
    const c = i >>> CHUNK_BITS;
    const lastIndex = this.chunks.length - 1;
    const last = this.chunks[lastIndex] as T;
    if (c < lastIndex || (c === lastIndex && (i & MASK) < last.length)) return;
    if (last.length < CHUNK) {
      let size = CHUNK;
      if (c === 0) while (size > 16 && size >> 1 > i) size >>= 1;
      const grown = this.make(size);
      grown.set(last);
      this.chunks[lastIndex] = grown;
    }
    while (this.chunks.length <= c) this.chunks.push(this.make(CHUNK));
  }

  /** Rows 0 … writableEnd()−1 are writable. */
  writableEnd(): number {
    return (this.chunks.length - 1) * CHUNK + (this.chunks[this.chunks.length - 1] as T).length;
  }

  get(i: number): number {
    return (this.chunks[i >>> CHUNK_BITS] as T)[i & MASK] as number;
  }

  /** Row `i` must be ensured. */
  set(i: number, v: number): void {
    (this.chunks[i >>> CHUNK_BITS] as T)[i & MASK] = v;
  }

  /**
   * Rows 0 … rows−1 as the column's own chunks (the last one cut to size): no copy, so they change
   * with the column — serialise them before the engine's next command.
   */
  chunksUpTo(rows: number): T[] {
    this.ensure(Math.max(0, rows - 1));
    const out: T[] = [];
    for (let c = 0; c * CHUNK < rows; c++) {
      const chunk = this.chunks[c] as T;
      const n = rows - c * CHUNK;
      out.push(n >= chunk.length ? chunk : (chunk.subarray(0, n) as T));
    }
    return out;
  }
}

/** One value per column name (a record of columns, or of their exported chunks). */
export function columns<K extends string, T>(names: readonly K[], make: (k: K) => T): Record<K, T> {
  const out = {} as Record<K, T>;
  for (const k of names) out[k] = make(k);
  return out;
}

export const f64 = (from?: Chunks<Float64Array>): Column<Float64Array> => new Column((n) => new Float64Array(n), from);
export const i32 = (from?: Chunks<Int32Array>): Column<Int32Array> => new Column((n) => new Int32Array(n), from);
export const u8 = (from?: Chunks<Uint8Array>): Column<Uint8Array> => new Column((n) => new Uint8Array(n), from);

/** A bigint as a number cell: the value when it is a safe integer, else NaN (kept in an overflow map). */
export function bigCell(v: bigint): number {
  return v <= MAX_SAFE_N && v >= -MAX_SAFE_N ? Number(v) : NaN;
}

/** The bigint a cell holds; a NaN cell's value comes from the overflow map under `key`. */
export function cellBig(cell: number, bigs: ReadonlyMap<number, bigint>, key: number): bigint {
  if (cell === 0) return 0n;
  if (cell === cell) return BigInt(cell);
  const b = bigs.get(key);
  if (b === undefined) throw new Error(`bigint cell ${key} is missing from its overflow map`);
  return b;
}

/** Stores `v` in row `i`, or NaN there and `v` in `bigs` under `key` when it is not a safe integer. */
export function putBig(
  col: Column<Float64Array>,
  i: number,
  v: bigint | number,
  bigs: Map<number, bigint>,
  key: number,
): void {
  if (typeof v === 'number') {
    col.set(i, v);
    return;
  }
  const cell = bigCell(v);
  col.set(i, cell);
  if (cell !== cell) bigs.set(key, v);
}

export function getBig(col: Column<Float64Array>, i: number, bigs: ReadonlyMap<number, bigint>, key: number): bigint {
  return cellBig(col.get(i), bigs, key);
}
