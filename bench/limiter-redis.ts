/**
 * Shared limiter in Redis: RedisLimitStore.admit() vs rate-limiter-flexible's RateLimiterRedis.consume(),
 * side by side in one run.
 *
 *   npx tsx bench/limiter-redis.ts
 *
 * Both talk to the Redis on 127.0.0.1:6379 (BENCH_REDIS_URL overrides it; loopback only), each on its
 * own ioredis connection, with 200 operations in flight (a new one starts as soon as one ends).
 * Ours: the full admit() — RAW_REQUESTS + REQUEST_WEIGHT per IP, ORDERS per account (every request
 * places 1 order), ban check — on the default Binance table (1M weight, 5M raw, 10S + 1D orders) with
 * every limit raised so that nothing is refused. Baseline: RateLimiterRedis({ storeClient: ioredis })
 * consume(ip), ONE limiter. Key mix: 10,000 IPs and 1,000 accounts; `now` is the wall clock, so
 * windows roll during a round. A warm-up for each, then ROUNDS measured rounds; a round gives each side
 * ROUND_MS, in SLICES alternating slices (ours, theirs, theirs, ours …) so that both see the same
 * machine load. Reported: the medians, and the median of the per-round ratios.
 * Every key lives under this run's own prefixes and is deleted at the end.
 *
 * The store is imported from the build (packages/server/dist) when it is there and not older than
 * the sources, else from the TypeScript sources (tsx); the output says which.
 */
import { statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type {
  AdmitRequest,
  AdmitResult,
  BanPolicy,
  LimitStore,
  LimitTable,
} from '../packages/server/src/limits/types.js';
import { median, type BenchResult } from './lib.js';

interface RedisLimitStoreCtor {
  connect(
    url: string,
    table: LimitTable,
    policy?: BanPolicy,
    options?: { keyPrefix?: string },
  ): Promise<Omit<LimitStore, 'admit'> & { admit(req: AdmitRequest): Promise<AdmitResult> }>;
}

const URL_ = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 2000);
const SLICES = 4;
const WARMUP_MS = 500;
const IN_FLIGHT = 200;
const IPS = 10_000;
const ACCOUNTS = 1_000;
const TARGET = 2;
const STUCK_MS = 10_000;

const HUGE = 1e15;
const TABLE: LimitTable = {
  requestWeight: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: HUGE }],
  rawRequests: [{ rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: HUGE }],
  orders: [
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: HUGE },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: HUGE },
  ],
};

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    throw new Error(`bench talks to loopback Redis only, not ${host}`);
  }
}

const mtime = (rel: string): number => {
  try {
    return statSync(fileURLToPath(new URL(rel, import.meta.url))).mtimeMs;
  } catch {
    return NaN;
  }
};

async function loadStore(): Promise<{ ctor: RedisLimitStoreCtor; from: string }> {
  const pairs = [
    ['../packages/server/dist/limits/redis-store.js', '../packages/server/src/limits/redis-store.ts'],
    ['../packages/server/dist/limits/redis-admit.lua.js', '../packages/server/src/limits/redis-admit.lua.ts'],
  ] as const;
  let why = '';
  if (pairs.some(([built]) => Number.isNaN(mtime(built)))) why = 'packages/server/dist is not built';
  else if (pairs.some(([built, source]) => mtime(built) < mtime(source))) why = 'the build is older than the sources';
  else {
    try {
      const dist = new URL(pairs[0][0], import.meta.url).href;
      const mod = (await import(dist)) as { RedisLimitStore: RedisLimitStoreCtor };
      return { ctor: mod.RedisLimitStore, from: 'the build (packages/server/dist)' };
    } catch (err) {
      why = `the build does not load: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  const src = new URL(pairs[0][1], import.meta.url).href;
  const mod = (await import(src)) as { RedisLimitStore: RedisLimitStoreCtor };
  return { ctor: mod.RedisLimitStore, from: `the TypeScript sources (${why})` };
}

const ipNames = Array.from({ length: IPS }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
const accountNames = Array.from({ length: ACCOUNTS }, (_, i) => `acct-${i}`);
const WEIGHTS = [1, 2, 4, 20];

/** Keep IN_FLIGHT operations running for `ms`; returns the operations completed and the time taken. */
async function drive(op: () => Promise<unknown>, ms: number): Promise<{ done: number; ms: number }> {
  let done = 0;
  let stop = false;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!stop) {
      try {
        await op();
      } catch (err) {
        failure ??= err;
        stop = true;
      }
      done++;
    }
  };
  const start = performance.now();
  const timer = setTimeout(() => {
    stop = true;
  }, ms);
  // Bounded time even if Redis stops answering.
  let guard: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    guard = setTimeout(
      () => reject(new Error(`limiter-redis: operations still pending ${STUCK_MS} ms after the round`)),
      ms + STUCK_MS,
    );
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: IN_FLIGHT }, worker)), stuck]);
  } finally {
    clearTimeout(timer);
    clearTimeout(guard);
  }
  if (failure !== undefined) throw failure;
  return { done, ms: performance.now() - start };
}

async function deleteByPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) n += await redis.del(...keys);
  } while (cursor !== '0');
  return n;
}

export async function run(): Promise<BenchResult> {
  assertLoopback(URL_);
  const tag = `${process.pid}-${Date.now()}`;
  const oursPrefix = `bench:ours:${tag}:`;
  const rlfPrefix = `bench:rlf:${tag}`;
  const { ctor, from } = await loadStore();
  console.log(
    `limiter-redis: RedisLimitStore from ${from}; ${URL_}; ${IN_FLIGHT} in flight, ${ROUNDS} rounds × ${ROUND_MS} ms`,
  );

  const store = await ctor.connect(URL_, TABLE, undefined, { keyPrefix: oursPrefix });
  const rlfClient = new Redis(URL_);
  const admin = new Redis(URL_);
  const limiter = new RateLimiterRedis({ storeClient: rlfClient, keyPrefix: rlfPrefix, points: HUGE, duration: 60 });

  let seq = 0;
  const ours = (): Promise<unknown> => {
    const k = seq++;
    const r = (k * 2654435761) >>> 0;
    return store.admit({
      ip: ipNames[r % IPS]!,
      weight: WEIGHTS[k & 3]!,
      account: accountNames[(r >>> 3) % ACCOUNTS]!,
      orders: 1,
      now: Date.now(),
    });
  };
  const baseline = (): Promise<unknown> => {
    const r = (seq++ * 2654435761) >>> 0;
    return limiter.consume(ipNames[r % IPS]!, 1);
  };

  const oursRuns: number[] = [];
  const baseRuns: number[] = [];
  try {
    await drive(ours, WARMUP_MS);
    await drive(baseline, WARMUP_MS);
    for (let round = 0; round < ROUNDS; round++) {
      const o = { done: 0, ms: 0 };
      const b = { done: 0, ms: 0 };
      const add = (acc: { done: number; ms: number }, r: { done: number; ms: number }) => {
        acc.done += r.done;
        acc.ms += r.ms;
      };
      for (let slice = 0; slice < SLICES; slice++) {
        const oursFirst = slice % 2 === 0;
        if (oursFirst) add(o, await drive(ours, ROUND_MS / SLICES));
        add(b, await drive(baseline, ROUND_MS / SLICES));
        if (!oursFirst) add(o, await drive(ours, ROUND_MS / SLICES));
      }
      oursRuns.push((o.done / o.ms) * 1000);
      baseRuns.push((b.done / b.ms) * 1000);
      console.log(
        `  round ${round + 1}: ours ${Math.round(oursRuns[round]!)} admits/s, RateLimiterRedis ${Math.round(baseRuns[round]!)} consumes/s`,
      );
    }
  } finally {
    await store.close();
    rlfClient.disconnect();
    await deleteByPrefix(admin, oursPrefix);
    await deleteByPrefix(admin, rlfPrefix);
    await admin.quit();
  }
  const result: BenchResult = {
    name: 'limiter-redis: admit() RAW+WEIGHT+ORDERS, 200 in flight',
    unit: 'ops/s',
    ours: Math.round(median(oursRuns)),
    baseline: Math.round(median(baseRuns)),
    baselineName: 'RateLimiterRedis.consume, one limiter',
    ratio: Math.round(median(oursRuns.map((o, i) => o / baseRuns[i]!)) * 100) / 100,
    target: TARGET,
    rounds: ROUNDS,
  };
  console.log(
    `limiter-redis: ours ${result.ours} admits/s, RateLimiterRedis ${result.baseline} consumes/s (medians); ratio ${result.ratio}× (median of per-round ratios), target ≥ ${TARGET}×: ${result.ratio >= TARGET ? 'met' : 'NOT MET'}`,
  );
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
