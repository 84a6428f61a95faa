/**
 * Matching engine alone: operations/s over a seeded stream of 1,000,000 operations (70 % resting
 * LIMIT GTC orders, 20 % crossing LIMIT IOC orders, 10 % cancels) on BTCUSDT with the default
 * filters on and exact decimals (orders arrive as decimal strings, as from the API). Baseline: the
 * npm package `nodejs-order-book` (float prices, no filters, no balances) fed the same whole stream
 * in the same run (it slows down as its book grows: its rate on the first 200,000 operations, the
 * figure the issue quotes, is printed beside it).
 * It measures the engine as the server runs it: the build's JavaScript (tsc output in dist/, as
 * `npm start` runs it), not the sources through tsx (~10 % slower here: its transform wraps named
 * inner functions in `__name` calls).
 * Run: `npm run build && npx tsx bench/engine.ts [ops] [baselineOps]`.
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { OrderBook } from 'nodejs-order-book';
import { Exchange } from '../packages/server/dist/engine/index.js';
import { ACCOUNTS, opStream, type OpStream } from './engine-stream.js';

interface EngineRun {
  seconds: number;
  accepted: number;
  rejected: number;
  trades: number;
  /** Commissions collected: BTC, USDT (units of 1e-8). */
  fees?: readonly number[];
}

/**
 * `readFills`: also read each placed order's fills (decoded from the command's event words, as the
 * FULL answer's renderer does). Off in the headline: the engine hands out its events as words and a
 * consumer decodes what it needs (the REST answer, the streams); the trade count comes from the
 * symbol's trade count instead (one taker fill per trade). `count`: run only the first `count` ops.
 */
export function runOurs(ops: OpStream, retainHistory = true, readFills = false, count = ops.length): EngineRun {
  const ex = new Exchange(DEFAULT_SYMBOLS, { retainHistory });
  for (let a = 1; a <= ACCOUNTS; a++) {
    ex.deposit({ now: 0, accountId: a, asset: 'USDT', amount: '1000000000' });
    ex.deposit({ now: 0, accountId: a, asset: 'BTC', amount: '100000' });
  }
  const ids = new Int32Array(ops.length).fill(-1);
  let accepted = 0;
  let rejected = 0;
  let fillsRead = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
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
        if (readFills) fillsRead += r.fills.length;
      }
      accepted++;
    } catch {
      rejected++; // filter failures, unknown (already filled) orders on cancel
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // every trade has one taker fill: the symbol's trade count is the number of taker fills
  const trades = ex.tradeCount('BTCUSDT');
  if (readFills && fillsRead !== trades) throw new Error(`taker fills ${fillsRead} ≠ trades ${trades}`);
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
  const nb = Math.min(opts.baselineOps ?? n, n);
  const rounds = opts.rounds ?? 3;
  const ops = opStream(n);
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
    if (r === 0) {
      console.log(`  ours (retainHistory:false): ${n} ops in ${lean.seconds.toFixed(3)} s`);
      const decoded = runOurs(ops, true, true);
      console.log(
        `  ours, each order's fills also decoded (as a FULL answer reads them): ${Math.round(n / decoded.seconds).toLocaleString('en-US')} ops/s`,
      );
    }
    const base = runBaseline(ops, nb);
    baseRates.push(nb / base.seconds);
    if (r === 0) {
      console.log(`  nodejs-order-book: ${nb} ops in ${base.seconds.toFixed(3)} s — trades ${base.trades}`);
      const prefix = Math.min(200_000, nb);
      const early = runBaseline(ops, prefix);
      console.log(
        `  nodejs-order-book on the first ${prefix} ops: ${Math.round(prefix / early.seconds).toLocaleString('en-US')} ops/s`,
      );
    }
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
    baselineName: nb === n ? 'nodejs-order-book on the same stream' : `nodejs-order-book on the first ${nb} ops`,
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
