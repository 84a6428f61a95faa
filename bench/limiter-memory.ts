/**
 * Limiter hot path: MemoryLimitStore.admit() (one decision = RAW_REQUESTS + REQUEST_WEIGHT per IP and
 * ORDERS per account) vs rate-limiter-flexible's RateLimiterMemory.consume(key) (ONE limiter), same
 * process, same keys, alternating rounds; the median of the measured rounds is reported.
 *
 *   npx tsc -b packages/server && npx tsx bench/limiter-memory.ts
 *
 * Uses the BUILT store (packages/server/dist). Key mix: 10,000 IPs, 1,000 accounts; the default Binance
 * table (1M weight, 5M raw, 10S + 1D orders) with every limit raised to 1e15 so all decisions are 'ok'.
 * Every admit() passes weight 1 and orders 1 for an account, so all three limiter types are consulted.
 * Simulated time advances 1 ms every 64 decisions, so windows roll during a round (10S windows
 * ~3 times per round).
 *
 * Baseline: RateLimiterMemory({ points: 1e15, duration: 60 }) with consume(ip). consume() returns a
 * Promise, so it is measured two ways, and the faster one is reported as the baseline (the most
 * favourable reading for rate-limiter-flexible):
 *   - "await": `await limiter.consume(key)` one after the other (the usual middleware pattern);
 *   - "batch": BATCH consume() calls started, then `await Promise.all(batch)` (amortises the awaits).
 * Ours is synchronous, so it is simply called in a loop. Both sides build their inputs per call (ours:
 * an AdmitRequest object literal, theirs: the key string is passed as is; it prefixes it internally).
 */
import { pathToFileURL } from 'node:url';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { DEFAULT_RATE_LIMITS, type RateLimit } from '@binance-sandbox/protocol';
import { MemoryLimitStore } from '../packages/server/dist/limits/memory-store.js';
import { splitLimitTable } from '../packages/server/dist/limits/windows.js';

const IPS = 10_000;
const ACCOUNTS = 1_000;
const OURS_OPS = 4_000_000; // per round
const BASE_OPS = 1_000_000; // per round (per mode)
const ROUNDS = 7; // measured rounds (+1 warm-up)
const BATCH = 1_000;
const GENEROUS = 1e15;
const TARGET = 2;
const TIME_BUDGET_MS = 60_000; // stop adding rounds after this (never below 5 measured rounds)

const ipKeys = Array.from({ length: IPS }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
const accountKeys = Array.from({ length: ACCOUNTS }, (_, i) => `acct-${i}`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function makeOurs(): MemoryLimitStore {
  const rows: RateLimit[] = DEFAULT_RATE_LIMITS.map((r) => ({ ...r, limit: GENEROUS }));
  return new MemoryLimitStore(splitLimitTable(rows));
}

let simNow = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 3_600_000;

function roundOurs(store: MemoryLimitStore, ops: number): number {
  let now = simNow;
  let ok = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    if ((i & 63) === 0) now++;
    const r = store.admit({ ip: ipKeys[i % IPS]!, weight: 1, account: accountKeys[i % ACCOUNTS]!, orders: 1, now });
    if (r.outcome === 'ok') ok++;
  }
  const dt = seconds(t0);
  simNow = now;
  if (ok !== ops) throw new Error(`expected only 'ok' decisions, got ${ok}/${ops}`);
  return ops / dt;
}

async function roundAwait(limiter: RateLimiterMemory, ops: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) await limiter.consume(ipKeys[i % IPS]!);
  return ops / seconds(t0);
}

async function roundBatch(limiter: RateLimiterMemory, ops: number): Promise<number> {
  const batch: Promise<unknown>[] = new Array<Promise<unknown>>(BATCH);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops;) {
    const n = Math.min(BATCH, ops - i);
    batch.length = n;
    for (let j = 0; j < n; j++, i++) batch[j] = limiter.consume(ipKeys[i % IPS]!);
    await Promise.all(batch);
  }
  return ops / seconds(t0);
}

export interface BenchResult {
  name: string;
  ours: number;
  baseline: number;
  unit: string;
  ratio: number;
  target: number;
}

export async function run(opts: { log?: (line: string) => void } = {}): Promise<BenchResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const store = makeOurs();
  const limiter = new RateLimiterMemory({ points: GENEROUS, duration: 60 });
  const ours: number[] = [];
  const awaited: number[] = [];
  const batched: number[] = [];
  const started = Date.now();
  // Round 0 is the warm-up (JIT, key tables); rounds alternate the contenders.
  for (let round = 0; round <= ROUNDS; round++) {
    if (round > 5 && Date.now() - started > TIME_BUDGET_MS) break;
    const o = roundOurs(store, OURS_OPS);
    const a = await roundAwait(limiter, BASE_OPS);
    const b = await roundBatch(limiter, BASE_OPS);
    if (round === 0) continue;
    ours.push(o);
    awaited.push(a);
    batched.push(b);
    log(
      `round ${round}: ours ${(o / 1e6).toFixed(2)}M/s   rlf await ${(a / 1e6).toFixed(2)}M/s   rlf batch(${BATCH}) ${(b / 1e6).toFixed(2)}M/s`,
    );
  }
  await store.close();
  const oursMedian = median(ours);
  const awaitMedian = median(awaited);
  const batchMedian = median(batched);
  const baseline = Math.max(awaitMedian, batchMedian);
  const ratio = oursMedian / baseline;
  log(
    `MemoryLimitStore.admit (RAW_REQUESTS + REQUEST_WEIGHT + ORDERS): median ${(oursMedian / 1e6).toFixed(2)}M decisions/s`,
  );
  log(
    `RateLimiterMemory.consume (1 limiter): await ${(awaitMedian / 1e6).toFixed(2)}M/s, batch ${(batchMedian / 1e6).toFixed(2)}M/s → baseline ${(baseline / 1e6).toFixed(2)}M/s`,
  );
  log(`ratio ${ratio.toFixed(2)}× (target ≥ ${TARGET}×) ${ratio >= TARGET ? 'PASS' : 'FAIL'}`);
  return {
    name: 'limiter-memory: admit (3 limiter types) vs RateLimiterMemory.consume (1 limiter)',
    ours: oursMedian,
    baseline,
    unit: 'decisions/s',
    ratio,
    target: TARGET,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then(
    (r) => {
      if (r.ratio < r.target) process.exitCode = 1;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
