/**
 * The engine benchmark's stream of operations (bench/engine.ts, bench/engine-floor.ts, and the
 * golden test's prefix of it): 70 % resting LIMIT GTC orders, 20 % crossing LIMIT IOC orders, 10 %
 * cancels of resting ones, on BTCUSDT by 10,000 accounts, seeded.
 */

export interface Op {
  kind: 0 | 1 | 2; // 0 resting, 1 crossing, 2 cancel
  account: number;
  side: 'BUY' | 'SELL';
  price: string;
  qty: string;
  priceNum: number;
  qtyNum: number;
  /** Resting / crossing: index of this order in the stream; cancel: index of the order to cancel. */
  ref: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ACCOUNTS = 10_000;

/** The stream: prices random-walk around 30,000.00 USDT in 0.01 ticks; quantities 0.001–0.100 BTC. */
export function generate(n: number, seed = 42): Op[] {
  const rnd = mulberry32(seed);
  let mid = 3_000_000; // ticks
  const ops: Op[] = [];
  const resting: number[] = [];
  for (let i = 0; i < n; i++) {
    mid += Math.floor(rnd() * 5) - 2;
    const r = rnd();
    const side: 'BUY' | 'SELL' = rnd() < 0.5 ? 'BUY' : 'SELL';
    const account = 1 + Math.floor(rnd() * ACCOUNTS);
    const qtyMilli = 1 + Math.floor(rnd() * 100);
    const qty = (qtyMilli / 1000).toFixed(3);
    if (r < 0.9 || resting.length === 0) {
      // resting: 1–200 ticks behind the mid; crossing: 0–19 ticks through it
      const rests = r < 0.7 || r >= 0.9;
      const off = rests ? 1 + Math.floor(rnd() * 200) : Math.floor(rnd() * 20);
      const t = (side === 'BUY') === rests ? mid - off : mid + off;
      ops.push({
        kind: rests ? 0 : 1,
        account,
        side,
        price: (t / 100).toFixed(2),
        qty,
        priceNum: t / 100,
        qtyNum: qtyMilli / 1000,
        ref: i,
      });
      if (rests) resting.push(i);
    } else {
      const k = Math.floor(rnd() * resting.length);
      const target = resting[k] as number;
      resting[k] = resting[resting.length - 1] as number;
      resting.pop();
      const t = ops[target] as Op;
      ops.push({ kind: 2, account: t.account, side: t.side, price: '', qty: '', priceNum: 0, qtyNum: 0, ref: target });
    }
  }
  return ops;
}

/**
 * The stream as the runners read it: typed arrays and the distinct decimal strings (~2k). Why not
 * the Op objects: they are the bench's own input, not the engine's state, yet 1M objects with two
 * strings each made every full collection during a run mark ~200 MB (a large share of the measured
 * time), and each order read two cold strings scattered over the heap, where a server parses
 * strings it has just received. Both sides read the same stream.
 */
export class OpStream {
  readonly length: number;
  readonly kind: Uint8Array;
  readonly account: Int32Array;
  readonly buy: Uint8Array;
  readonly ref: Int32Array;
  readonly priceNum: Float64Array;
  readonly qtyNum: Float64Array;
  private readonly priceAt: Int32Array;
  private readonly qtyAt: Int32Array;
  private readonly strings: string[] = [];

  constructor(ops: readonly Op[]) {
    const n = (this.length = ops.length);
    this.kind = new Uint8Array(n);
    this.account = new Int32Array(n);
    this.buy = new Uint8Array(n);
    this.ref = new Int32Array(n);
    this.priceNum = new Float64Array(n);
    this.qtyNum = new Float64Array(n);
    this.priceAt = new Int32Array(n);
    this.qtyAt = new Int32Array(n);
    const index = new Map<string, number>();
    const intern = (v: string): number => {
      let k = index.get(v);
      if (k === undefined) index.set(v, (k = this.strings.push(v) - 1));
      return k;
    };
    for (let i = 0; i < n; i++) {
      const op = ops[i] as Op;
      this.kind[i] = op.kind;
      this.account[i] = op.account;
      this.buy[i] = op.side === 'BUY' ? 1 : 0;
      this.ref[i] = op.ref;
      this.priceNum[i] = op.priceNum;
      this.qtyNum[i] = op.qtyNum;
      this.priceAt[i] = intern(op.price);
      this.qtyAt[i] = intern(op.qty);
    }
  }

  /** The decimal strings of op `i` (as from the API). */
  price(i: number): string {
    return this.strings[this.priceAt[i] as number] as string;
  }
  qty(i: number): string {
    return this.strings[this.qtyAt[i] as number] as string;
  }
}

/**
 * The stream of `n` operations as the runners read it. Built in a frame of its own: a caller's
 * `new OpStream(generate(n))` kept the 1M Op objects alive in an interpreter register of its frame
 * for as long as it ran (~185 MB that every full collection of the measured runs marked again).
 */
export function opStream(n: number, seed = 42): OpStream {
  return new OpStream(generate(n, seed));
}
