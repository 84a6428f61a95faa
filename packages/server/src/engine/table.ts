/**
 * A fixed-width table of numbers for snapshots: rows × columns in one Float64Array (v8.serialize
 * copies it as raw bytes, and deserialising it allocates nothing per value — far faster than
 * millions of small arrays or objects). Every safe integer is exact in a double; a bigint column
 * stores its value as a number when it is a safe integer, otherwise NaN plus an entry in `bigs`.
 */
import { bigCell, cellBig } from './columns.js';

export interface NumberTable {
  readonly width: number;
  readonly rows: number;
  readonly data: Float64Array;
  /** Cell index → value of the bigint cells that are not safe integers. */
  readonly bigs: readonly (readonly [number, bigint])[];
}

export class TableWriter {
  private readonly data: Float64Array;
  private readonly bigs: [number, bigint][] = [];

  constructor(
    readonly width: number,
    readonly rows: number,
  ) {
    this.data = new Float64Array(width * rows);
  }

  num(row: number, col: number, v: number): void {
    this.data[row * this.width + col] = v;
  }

  big(row: number, col: number, v: bigint): void {
    const i = row * this.width + col;
    const cell = bigCell(v);
    this.data[i] = cell;
    if (cell !== cell) this.bigs.push([i, v]);
  }

  finish(): NumberTable {
    return { width: this.width, rows: this.rows, data: this.data, bigs: this.bigs };
  }
}

export class TableReader {
  private readonly data: Float64Array;
  private readonly width: number;
  private readonly bigs: Map<number, bigint>;

  constructor(table: NumberTable) {
    this.data = table.data;
    this.width = table.width;
    this.bigs = new Map(table.bigs);
  }

  num(row: number, col: number): number {
    return this.data[row * this.width + col] as number;
  }

  big(row: number, col: number): bigint {
    const i = row * this.width + col;
    return cellBig(this.data[i] as number, this.bigs, i);
  }
}

/** Strings as small integers (enums: side, status, …): the dictionary travels with the snapshot. */
export class Dictionary {
  readonly words: string[];
  private readonly codes = new Map<string, number>();

  constructor(words: readonly string[] = []) {
    this.words = [...words];
    for (let i = 0; i < this.words.length; i++) this.codes.set(this.words[i] as string, i);
  }

  code(word: string | undefined): number {
    if (word === undefined) return -1;
    let c = this.codes.get(word);
    if (c === undefined) {
      c = this.words.length;
      this.words.push(word);
      this.codes.set(word, c);
    }
    return c;
  }

  word(code: number): string {
    const w = this.words[code];
    if (w === undefined) throw new Error(`snapshot dictionary: unknown code ${code}`);
    return w;
  }
}
