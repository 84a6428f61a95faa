import { intervalMs, type RateLimit } from '@binance-sandbox/protocol';
import { Redis } from 'ioredis';
import { endianness } from 'node:os';
import { redisLimitsLua } from './redis-admit.lua.js';
import {
  DEFAULT_BAN_POLICY,
  type AdmitRequest,
  type AdmitResult,
  type BanPolicy,
  type BanRecord,
  type ConnectionAdmitResult,
  type ConnectionAttempt,
  type IpUsage,
  type StrikeResult,
  type LimitRef,
  type LimitStore,
  type LimitTable,
} from './types.js';

export interface RedisLimitStoreOptions {
  /** Prefix of every key this store writes (default 'bsbx:'). Gateways sharing limits use the same one. */
  readonly keyPrefix?: string;
  /**
   * Most operations in one script call (default 100). Operations of one event-loop turn beyond that
   * go out as further calls right away, so Redis works on one batch while this process builds the
   * next.
   */
  readonly maxBatch?: number;
}

/** Name prefix of the ioredis custom commands (EVALSHA, with ioredis' own NOSCRIPT → EVAL fallback). */
const COMMAND = 'bsbxLimits';
/** Doubles per operation in the packed operation string (see redis-admit.lua.ts). */
const OP_WORDS = 7;
const DEFAULT_MAX_BATCH = 100;
/** Longest wait for one batch of limiter decisions before its requests are refused. */
const COMMAND_TIMEOUT_MS = 5_000;
/** Longest bucket accepted: a year (real tables need 5 minutes for IPs and 1 day for accounts). */
const MAX_BUCKET_MS = 366 * 86_400_000;
const LITTLE_ENDIAN = endianness() === 'LE';

const enum Op {
  Admit = 1,
  Charge = 2,
  Peek = 3,
  Adjust = 4,
  Orders = 5,
  Usage = 6,
  Lift = 7,
  Connection = 8,
  Strike = 9,
}

const IP_LIMITED: readonly LimitRef['type'][] = ['REQUEST_WEIGHT', 'RAW_REQUESTS'];

interface Pending {
  readonly op: Op;
  /** usage(): the IP asked about (echoed in IpUsage). */
  readonly ip: string | undefined;
  readonly resolve: (value: never) => void;
  readonly reject: (err: unknown) => void;
}

/** Operations gathered during one event-loop turn. IPs and accounts are sent once; operations refer to them by index. */
interface Batch {
  readonly ipIndex: Map<string, number>;
  readonly ips: string[];
  readonly accountIndex: Map<string, number>;
  readonly accounts: string[];
  minNow: number;
  maxNow: number;
  /** OP_WORDS doubles per operation. */
  words: Float64Array;
  readonly ops: Pending[];
}

type BatchCommand = (args: (string | number | Buffer)[]) => Promise<Buffer>;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Least common multiple of the rows' interval lengths: no window of theirs spans two buckets. */
function bucketMs(rows: readonly RateLimit[]): number {
  let l = 1_000;
  for (const row of rows) {
    const ms = intervalMs(row);
    if (!Number.isSafeInteger(ms) || ms <= 0) throw new RangeError('every rate limit needs a positive interval');
    if (!Number.isFinite(row.limit)) throw new RangeError('every rate limit needs a finite limit');
    l = (l / gcd(l, ms)) * ms;
    if (l > MAX_BUCKET_MS) {
      throw new RangeError(
        'RedisLimitStore: the intervals of one limiter kind need a common multiple of at most 366 days',
      );
    }
  }
  return l;
}

/** 300000 → "5M", 86400000 → "1D", 90000 → "90S" (a part of a key name). */
function bucketLabel(ms: number): string {
  for (const [unit, letter] of [
    [86_400_000, 'D'],
    [3_600_000, 'H'],
    [60_000, 'M'],
    [1_000, 'S'],
  ] as const) {
    if (ms % unit === 0) return `${ms / unit}${letter}`;
  }
  return `${ms}ms`;
}

/** The packed little-endian doubles of a reply, as numbers. */
function decodeDoubles(buf: Buffer): Float64Array {
  const count = buf.length >>> 3;
  const out = new Float64Array(count);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf.subarray(0, count * 8));
  else for (let i = 0; i < count; i++) out[i] = buf.readDoubleLE(i * 8);
  return out;
}

function closedError(): Promise<never> {
  return Promise.reject(new Error('RedisLimitStore is closed'));
}

/** "redis://user:secret@host:6379/0" → "redis://***@host:6379/0" (never print credentials). */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * LimitStore in Redis: gateway processes sharing one Redis share every counter, ban and order count
 * (like Binance's api1–api4 behind one limiter). Same semantics as MemoryLimitStore (the contract
 * suite runs against both).
 *
 * Keys (prefix P, default 'bsbx:'; details in redis-admit.lua.ts):
 *  - P + 'ip:5M:' + bucketStart     HASH ip → the IP's REQUEST_WEIGHT and RAW_REQUESTS windows and
 *                                   counts (packed doubles); one hash per 5-minute bucket (a common
 *                                   multiple of the IP intervals), expiring with it.
 *  - P + 'acct:1D:' + bucketStart   HASH account → its ORDERS windows and counts, per day bucket.
 *  - P + 'bans'                     ZSET of running bans by bannedUntil (liftBans(all) needs no KEYS/SCAN).
 *  - P + 'strk:' + ip               HASH, only for IPs that went over a limit: rejections, violation
 *                                   window, ban ordinal, ban history.
 * Every key carries a TTL, so idle IPs and accounts vanish. Keys are built inside the script: for a
 * single Redis (or a primary with replicas), not Redis Cluster.
 *
 * Round trips: every operation is queued, and the operations issued in the same event-loop turn go
 * out as one call of one Lua script (up to `maxBatch` per call) that decides them in order and
 * returns all their results. Each operation is decided atomically and costs its caller exactly one
 * round trip; the operations of one store keep their order (one queue, one connection). The time is
 * always the caller's `now`, never Redis TIME.
 */
export class RedisLimitStore implements LimitStore {
  readonly redis: Redis;
  readonly keyPrefix: string;
  private ownsClient: boolean;
  private readonly maxBatch: number;
  /** Key prefix as the script sees it (ioredis' own keyPrefix option included). */
  private readonly luaPrefix: string;
  /** Bucket, limiter and ban-policy arguments of the script (see redis-admit.lua.ts). */
  private readonly config: readonly (string | number)[];
  private readonly nW: number;
  private readonly nR: number;
  private readonly nO: number;
  private readonly command: BatchCommand;
  private batch: Batch | null = null;
  private scheduled = false;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  /**
   * @param redis an ioredis client (close() leaves it open) or a URL (the store opens the connection
   *   and close() quits it). Prefer RedisLimitStore.connect(url, …): it fails fast when Redis is not there.
   */
  constructor(
    redis: Redis | string,
    readonly table: LimitTable,
    readonly policy: BanPolicy = DEFAULT_BAN_POLICY,
    options: RedisLimitStoreOptions = {},
  ) {
    // Validate the table before opening anything. IP records live in hashes bucketed by a common
    // multiple of the IP intervals, account records by one of the ORDERS intervals
    // (redis-admit.lua.ts): no window ever spans two buckets.
    const ipBucket = bucketMs([...table.requestWeight, ...table.rawRequests]);
    const accountBucket = bucketMs(table.orders);
    // One script per table shape (its admit() is generated for it), one command per script.
    const shape = {
      requestWeight: table.requestWeight.length,
      rawRequests: table.rawRequests.length,
      orders: table.orders.length,
    };
    const lua = redisLimitsLua(shape);
    const command = `${COMMAND}_${shape.requestWeight}_${shape.rawRequests}_${shape.orders}`;
    if (typeof redis === 'string') {
      this.redis = new Redis(redis);
      // Failures surface as rejected operations; keep ioredis from printing "Unhandled error event".
      this.redis.on('error', () => undefined);
      this.ownsClient = true;
    } else {
      this.redis = redis;
      this.ownsClient = false;
    }
    this.keyPrefix = options.keyPrefix ?? 'bsbx:';
    // ≤ 2000: the script unpacks a batch's names onto Lua's C stack (limit 8000 values).
    this.maxBatch = Math.max(1, Math.min(Math.floor(options.maxBatch ?? DEFAULT_MAX_BATCH), 2000));
    // Keys are built inside the script; honour a keyPrefix set on the ioredis client, as ioredis would.
    const clientPrefix = this.redis.options.keyPrefix;
    this.luaPrefix = (typeof clientPrefix === 'string' ? clientPrefix : '') + this.keyPrefix;
    this.nW = table.requestWeight.length;
    this.nR = table.rawRequests.length;
    this.nO = table.orders.length;

    const config: (string | number)[] = [
      ipBucket,
      `${this.luaPrefix}ip:${bucketLabel(ipBucket)}:`,
      accountBucket,
      `${this.luaPrefix}acct:${bucketLabel(accountBucket)}:`,
    ];
    for (const rows of [table.requestWeight, table.rawRequests, table.orders]) {
      config.push(rows.length);
      for (const row of rows) config.push(intervalMs(row), row.limit);
    }
    config.push(policy.rejectionsBeforeBan, policy.firstBanMs, policy.maxBanMs, policy.banCountDecayMs);
    this.config = config;

    this.redis.defineCommand(command, { numberOfKeys: 0, lua });
    // The Buffer variant: the reply is packed doubles.
    const fn = (this.redis as unknown as Record<string, BatchCommand>)[`${command}Buffer`];
    if (typeof fn !== 'function') throw new Error('ioredis defineCommand did not install the limits script');
    this.command = fn.bind(this.redis);
  }

  /**
   * Connect to `url`, check that Redis answers (PING), and return a store owning the connection
   * (close() quits it). Rejects with "cannot reach Redis at <url>: <reason>" otherwise.
   */
  static async connect(
    url: string,
    table: LimitTable,
    policy: BanPolicy = DEFAULT_BAN_POLICY,
    options: RedisLimitStoreOptions & { readonly connectTimeoutMs?: number } = {},
  ): Promise<RedisLimitStore> {
    const timeout = options.connectTimeoutMs ?? 5_000;
    let lastError: Error | undefined;
    let redis: Redis;
    try {
      redis = new Redis(url, {
        lazyConnect: true,
        connectTimeout: timeout,
        // While Redis is away a request fails at once (503 -1001, http/limiter-outage.ts) instead
        // of waiting for 20 reconnection attempts (~10 s): nothing is queued while disconnected,
        // a command in flight when the connection drops is refused after one reconnection attempt,
        // and one that a Redis accepts but does not answer after COMMAND_TIMEOUT_MS.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: COMMAND_TIMEOUT_MS,
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${reason}`, { cause: err });
    }
    redis.on('error', (err: Error) => {
      lastError = err;
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(lastError ?? new Error(`no answer within ${timeout} ms`)), timeout);
      });
      await Promise.race([redis.connect().then(() => redis.ping()), deadline]);
    } catch (err) {
      redis.disconnect();
      // ioredis rejects connect() with "Connection is closed."; the socket error says why.
      const reason = lastError?.message ?? (err instanceof Error ? err.message : String(err));
      throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${reason}`, { cause: lastError ?? err });
    } finally {
      clearTimeout(timer);
    }
    try {
      const store = new RedisLimitStore(redis, table, policy, options);
      store.ownsClient = true;
      return store;
    } catch (err) {
      redis.disconnect();
      throw err;
    }
  }

  // ---- LimitStore --------------------------------------------------------------------------------

  admit(req: AdmitRequest): Promise<AdmitResult> {
    if (this.closed) return closedError();
    const b = this.current(req.now);
    const orders = req.orders ?? 0;
    // ORDERS is consulted only with an account and orders > 0 ('' is a valid account name).
    const account = req.account !== undefined && orders > 0 ? this.accountRef(b, req.account) : 0;
    this.put(b, Op.Admit, req.now, this.ipRef(b, req.ip), req.weight, account, orders, req.weightOnOrderReject ?? 0);
    return this.queue<AdmitResult>(b, Op.Admit, undefined);
  }

  charge(ip: string, weight: number, now: number): Promise<readonly number[]> {
    if (this.closed) return closedError();
    const b = this.current(now);
    this.put(b, Op.Charge, now, this.ipRef(b, ip), weight, 0, 0, 0);
    return this.queue(b, Op.Charge, undefined);
  }

  peekWeight(ip: string, now: number): Promise<readonly number[]> {
    if (this.closed) return closedError();
    const b = this.current(now);
    this.put(b, Op.Peek, now, this.ipRef(b, ip), 0, 0, 0, 0);
    return this.queue(b, Op.Peek, undefined);
  }

  adjustOrders(account: string, delta: number, now: number): Promise<readonly number[]> {
    if (this.closed) return closedError();
    const b = this.current(now);
    this.put(b, Op.Adjust, now, this.accountRef(b, account), delta, 0, 0, 0);
    return this.queue(b, Op.Adjust, undefined);
  }

  orderCounts(account: string, now: number): Promise<readonly number[]> {
    if (this.closed) return closedError();
    const b = this.current(now);
    this.put(b, Op.Orders, now, this.accountRef(b, account), 0, 0, 0, 0);
    return this.queue(b, Op.Orders, undefined);
  }

  usage(ip: string, now: number): Promise<IpUsage> {
    if (this.closed) return closedError();
    const b = this.current(now);
    this.put(b, Op.Usage, now, this.ipRef(b, ip), 0, 0, 0, 0);
    return this.queue(b, Op.Usage, ip);
  }

  liftBans(ip: string | undefined, now: number): Promise<number> {
    if (this.closed) return closedError();
    const b = this.current(now);
    this.put(b, Op.Lift, now, ip === undefined ? 0 : this.ipRef(b, ip), 0, 0, 0, 0);
    return this.queue(b, Op.Lift, undefined);
  }

  admitConnection(req: ConnectionAttempt): Promise<ConnectionAdmitResult> {
    if (this.closed) return closedError();
    const b = this.current(req.now);
    this.put(b, Op.Connection, req.now, this.ipRef(b, req.ip), req.limit, req.windowMs, 0, 0);
    return this.queue(b, Op.Connection, undefined);
  }

  strike(ip: string, now: number, windowMs: number): Promise<StrikeResult> {
    if (this.closed) return closedError();
    const b = this.current(now);
    this.put(b, Op.Strike, now, this.ipRef(b, ip), windowMs, 0, 0, 0);
    return this.queue(b, Op.Strike, undefined);
  }

  /** Send what is queued, wait for every call in flight, then quit the connection if this store opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    await Promise.allSettled([...this.inFlight]);
    if (this.ownsClient) {
      try {
        await this.redis.quit();
      } catch {
        this.redis.disconnect();
      }
    }
  }

  // ---- batching ----------------------------------------------------------------------------------

  /** The batch of this event-loop turn; `now` of the operation being added widens its time span. */
  private current(now: number): Batch {
    let b = this.batch;
    if (b === null) {
      b = {
        ipIndex: new Map(),
        ips: [],
        accountIndex: new Map(),
        accounts: [],
        minNow: now,
        maxNow: now,
        words: new Float64Array(OP_WORDS * Math.min(this.maxBatch, 64)),
        ops: [],
      };
      this.batch = b;
    } else if (now < b.minNow) b.minNow = now;
    else if (now > b.maxNow) b.maxNow = now;
    return b;
  }

  /** 1-based index of `ip` in the batch's IP list. */
  private ipRef(b: Batch, ip: string): number {
    let i = b.ipIndex.get(ip);
    if (i === undefined) {
      i = b.ips.push(ip);
      b.ipIndex.set(ip, i);
    }
    return i;
  }

  private accountRef(b: Batch, account: string): number {
    let j = b.accountIndex.get(account);
    if (j === undefined) {
      j = b.accounts.push(account);
      b.accountIndex.set(account, j);
    }
    return j;
  }

  /** Append one operation's words (before queue() records it). */
  private put(b: Batch, op: Op, now: number, x1: number, x2: number, x3: number, x4: number, x5: number): void {
    let w = b.words;
    const at = b.ops.length * OP_WORDS;
    if (at + OP_WORDS > w.length) {
      const grown = new Float64Array(Math.min(w.length * 2, this.maxBatch * OP_WORDS));
      grown.set(w);
      b.words = w = grown;
    }
    w[at] = op;
    w[at + 1] = now;
    w[at + 2] = x1;
    w[at + 3] = x2;
    w[at + 4] = x3;
    w[at + 5] = x4;
    w[at + 6] = x5;
  }

  private queue<T>(b: Batch, op: Op, ip: string | undefined): Promise<T> {
    const promise = new Promise<T>((resolve, reject) => {
      b.ops.push({ op, ip, resolve: resolve as (value: never) => void, reject });
    });
    if (b.ops.length >= this.maxBatch) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onTick);
    }
    return promise;
  }

  private readonly onTick = (): void => {
    this.scheduled = false;
    this.flush();
  };

  private flush(): void {
    const b = this.batch;
    if (b === null) return;
    this.batch = null;
    const config = this.config;
    const args = new Array<string | number | Buffer>(6 + b.ips.length + b.accounts.length + config.length);
    let k = 0;
    args[k++] = this.luaPrefix;
    args[k++] = b.minNow;
    args[k++] = b.maxNow;
    args[k++] = b.ips.length;
    for (const ip of b.ips) args[k++] = ip;
    args[k++] = b.accounts.length;
    for (const account of b.accounts) args[k++] = account;
    for (const x of config) args[k++] = x;
    const words = b.words;
    const bytes = b.ops.length * OP_WORDS * 8;
    if (LITTLE_ENDIAN) {
      args[k++] = Buffer.from(words.buffer, words.byteOffset, bytes);
    } else {
      const buf = Buffer.allocUnsafe(bytes);
      for (let i = 0; i < bytes / 8; i++) buf.writeDoubleLE(words[i]!, i * 8);
      args[k++] = buf;
    }
    const ops = b.ops;
    const fail = (err: unknown): void => {
      for (const pending of ops) pending.reject(err); // a no-op for those already resolved
    };
    const call = this.command(args).then((reply) => {
      try {
        this.settle(ops, decodeDoubles(reply));
      } catch (err) {
        fail(err);
      }
    }, fail);
    this.inFlight.add(call);
    void call.finally(() => this.inFlight.delete(call));
  }

  private settle(ops: readonly Pending[], r: Float64Array): void {
    const { nW, nR, nO } = this;
    const list = (from: number, count: number): number[] => {
      const out = new Array<number>(count);
      for (let k = 0; k < count; k++) out[k] = r[from + k]!;
      return out;
    };
    let i = 0;
    for (const pending of ops) {
      let value: unknown;
      switch (pending.op) {
        case Op.Admit: {
          const code = r[i++]!;
          const usedWeight = list(i, nW);
          i += nW;
          let res: AdmitResult;
          switch (code) {
            case 0:
              res = { outcome: 'ok', usedWeight };
              break;
            case 4:
              res = { outcome: 'ok', usedWeight, orderCounts: list(i, nO) };
              i += nO;
              break;
            case 1:
              res = {
                outcome: 'ip-limited',
                usedWeight,
                retryAfterMs: r[i]!,
                limitedBy: { type: IP_LIMITED[r[i + 1]!]!, index: r[i + 2]! },
              };
              i += 3;
              break;
            case 2:
              res = { outcome: 'banned', usedWeight, retryAfterMs: r[i]!, bannedUntil: r[i + 1]! };
              i += 2;
              break;
            case 3:
              res = {
                outcome: 'orders-limited',
                usedWeight,
                orderCounts: list(i, nO),
                limitedBy: { type: 'ORDERS', index: r[i + nO]! },
              };
              i += nO + 1;
              break;
            default:
              throw new Error(`RedisLimitStore: unexpected admit reply code ${code}`);
          }
          value = res;
          break;
        }
        case Op.Charge:
        case Op.Peek:
          value = list(i, nW);
          i += nW;
          break;
        case Op.Adjust:
        case Op.Orders:
          value = list(i, nO);
          i += nO;
          break;
        case Op.Usage: {
          const rawRequests = list(i, nR);
          i += nR;
          const requestWeight = list(i, nW);
          i += nW;
          const rejections = r[i++]!;
          const banned = r[i++] === 1;
          const start = r[i++]!;
          const until = r[i++]!;
          const ordinal = r[i++]!;
          const currentBan: BanRecord | null = banned ? { start, until, ordinal } : null;
          const count = r[i++]!;
          const banHistory: BanRecord[] = [];
          for (let h = 0; h < count; h++) {
            banHistory.push({ start: r[i]!, until: r[i + 1]!, ordinal: r[i + 2]! });
            i += 3;
          }
          value = {
            ip: pending.ip ?? '',
            rawRequests,
            requestWeight,
            rejections,
            currentBan,
            banHistory,
          } satisfies IpUsage;
          break;
        }
        case Op.Lift:
          value = r[i++]!;
          break;
        case Op.Connection: {
          const code = r[i]!;
          const attempts = r[i + 1]!;
          const retryAfterMs = r[i + 2]!;
          const bannedUntil = r[i + 3]!;
          i += 4;
          value = (
            code === 0
              ? { outcome: 'ok', attempts }
              : code === 1
                ? { outcome: 'limited', attempts, retryAfterMs }
                : { outcome: 'banned', attempts, retryAfterMs, bannedUntil }
          ) satisfies ConnectionAdmitResult;
          break;
        }
        case Op.Strike: {
          const code = r[i]!;
          value = (
            code === 0 ? { outcome: 'counted' } : { outcome: 'banned', retryAfterMs: r[i + 1]!, bannedUntil: r[i + 2]! }
          ) satisfies StrikeResult;
          i += 3;
          break;
        }
      }
      pending.resolve(value as never);
    }
  }
}
