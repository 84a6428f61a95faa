/**
 * Matching engine alone: operations/s over a seeded stream of 1,000,000 operations (70 % resting
 * LIMIT GTC orders, 20 % crossing LIMIT IOC orders, 10 % cancels) on BTCUSDT with the default
 * filters on and exact decimals (orders arrive as decimal strings, as from the API). Baseline: the
 * npm package `nodejs-order-book` (float prices, no filters, no balances) fed the same stream in the
 * same run — on a prefix (default 200,000 operations), because it slows down as its book grows.
 * Run: `npx tsx bench/engine.ts [ops] [baselineOps]`.
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { OrderBook } from 'nodejs-order-book';
import { Exchange } from '../packages/server/src/engine/index.js';

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

const ACCOUNTS = 10_000;

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
    if (r < 0.7 || (r >= 0.9 && resting.length === 0)) {
      const off = 1 + Math.floor(rnd() * 200);
      const t = side === 'BUY' ? mid - off : mid + off;
      ops.push({
        kind: 0,
        account,
        side,
        price: (t / 100).toFixed(2),
        qty,
        priceNum: t / 100,
        qtyNum: qtyMilli / 1000,
        ref: i,
      });
      resting.push(i);
    } else if (r < 0.9) {
      const off = Math.floor(rnd() * 20);
      const t = side === 'BUY' ? mid + off : mid - off;
      ops.push({
        kind: 1,
        account,
        side,
        price: (t / 100).toFixed(2),
        qty,
        priceNum: t / 100,
        qtyNum: qtyMilli / 1000,
        ref: i,
      });
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

interface EngineRun {
  seconds: number;
  accepted: number;
  rejected: number;
  trades: number;
  /** Commissions collected: BTC, USDT (units of 1e-8). */
  fees?: readonly number[];
}

export function runOurs(ops: OpStream, retainHistory = true): EngineRun {
  const ex = new Exchange(DEFAULT_SYMBOLS, { retainHistory });
  for (let a = 1; a <= ACCOUNTS; a++) {
    ex.deposit({ now: 0, accountId: a, asset: 'USDT', amount: '1000000000' });
    ex.deposit({ now: 0, accountId: a, asset: 'BTC', amount: '100000' });
  }
  const ids = new Int32Array(ops.length).fill(-1);
  let accepted = 0;
  let rejected = 0;
  let trades = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops.length; i++) {
    const kind = ops.kind[i] as number;
    const now = 1_700_000_000_000 + i;
    try {
      if (kind === 2) {
        const id = ids[ops.ref[i] as number] as number;
        if (id < 0) {
          rejected++;
          continue;
        }
        ex.cancelOrder({ now, accountId: ops.account[i] as number, symbol: 'BTCUSDT', orderId: id });
      } else {
        const r = ex.placeOrder({
          now,
          accountId: ops.account[i] as number,
          symbol: 'BTCUSDT',
          side: ops.buy[i] === 1 ? 'BUY' : 'SELL',
          type: 'LIMIT',
          timeInForce: kind === 0 ? 'GTC' : 'IOC',
          price: ops.price(i),
          quantity: ops.qty(i),
        });
        ids[i] = r.order.spec.orderId;
        trades += r.fills.length;
      }
      accepted++;
    } catch {
      rejected++; // filter failures, unknown (already filled) orders on cancel
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const fees = ex.feesCollected();
  return { seconds, accepted, rejected, trades, fees: [Number(fees.get('BTC') ?? 0n), Number(fees.get('USDT') ?? 0n)] };
}

/** nodejs-order-book on the first `n` ops of the stream. */
export function runBaseline(ops: OpStream, n = ops.length): EngineRun {
  const ob = new OrderBook();
  let accepted = 0;
  let rejected = 0;
  let trades = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const kind = ops.kind[i] as number;
    if (kind === 2) {
      if (ob.cancel(String(ops.ref[i]))) accepted++;
      else rejected++;
    } else {
      const r = ob.limit({
        id: String(i),
        side: (ops.buy[i] === 1 ? 'buy' : 'sell') as never,
        size: ops.qtyNum[i] as number,
        price: ops.priceNum[i] as number,
        timeInForce: (kind === 0 ? 'GTC' : 'IOC') as never,
      });
      trades += r.done.length;
      if (r.err) rejected++;
      else accepted++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, accepted, rejected, trades };
}

export async function run(opts: { ops?: number; baselineOps?: number; rounds?: number } = {}): Promise<{
  name: string;
  unit: string;
  ours: number;
  baseline: number;
  baselineName: string;
  ratio: number;
  target: number;
  rounds: number;
}> {
  const n = opts.ops ?? 1_000_000;
  const nb = Math.min(opts.baselineOps ?? 200_000, n);
  const rounds = opts.rounds ?? 3;
  const ops = new OpStream(generate(n));
  // The headline is the configuration the server runs: retainHistory on (GET order / allOrders /
  // myTrades are served from the engine's memory). The lean configuration (history from the journal's
  // read model instead) is printed next to it.
  const ourRates: number[] = [];
  const baseRates: number[] = [];
  const leanRates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const hist = runOurs(ops, true);
    ourRates.push(n / hist.seconds);
    if (r === 0)
      console.log(
        `  ours (retainHistory:true, as served): ${n} ops in ${hist.seconds.toFixed(3)} s — accepted ${hist.accepted}, rejected ${hist.rejected}, taker fills ${hist.trades}`,
      );
    const lean = runOurs(ops, false);
    leanRates.push(n / lean.seconds);
    if (r === 0) console.log(`  ours (retainHistory:false): ${n} ops in ${lean.seconds.toFixed(3)} s`);
    const base = runBaseline(ops, nb);
    baseRates.push(nb / base.seconds);
    if (r === 0) console.log(`  nodejs-order-book: ${nb} ops in ${base.seconds.toFixed(3)} s — trades ${base.trades}`);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
  const ours = med(ourRates);
  const baseline = med(baseRates);
  console.log(`  ours with retainHistory:false (median): ${Math.round(med(leanRates)).toLocaleString('en-US')} ops/s`);
  return {
    name: `matching engine, ${n / 1e6}M ops (70% rest / 20% cross / 10% cancel), filters + balances + events + in-memory history on`,
    unit: 'ops/s',
    ours,
    baseline,
    baselineName: `nodejs-order-book on the first ${nb} ops`,
    ratio: ours / baseline,
    target: 20,
    rounds,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ops = process.argv[2] ? Number(process.argv[2]) : undefined;
  const baselineOps = process.argv[3] ? Number(process.argv[3]) : undefined;
  const r = await run({ ...(ops ? { ops } : {}), ...(baselineOps ? { baselineOps } : {}) });
  console.log(
    `${r.name}\n  ours ${Math.round(r.ours).toLocaleString('en-US')} ${r.unit} · ${r.baselineName} ${Math.round(r.baseline).toLocaleString('en-US')} ${r.unit} · ratio ${r.ratio.toFixed(1)}× (target ≥ ${r.target}×; bar 1.5M ops/s)`,
  );
}
