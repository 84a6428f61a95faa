/**
 * RedisLimitStore against the real Redis on loopback (REDIS_URL must point at 127.0.0.1 / localhost):
 * the shared LimitStore contract, then what only a shared store has to get right — several stores
 * (gateway processes) on separate connections sharing counters and bans, TTLs on every key, batching
 * that hands every caller its own result, a clear error when Redis is not there — and, as a cross-check,
 * the very decisions of MemoryLimitStore on random operation streams.
 *
 * Every store of this file uses its own key prefix under one run prefix; afterAll deletes them all.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RateLimit } from '@binance-sandbox/protocol';
import { MemoryLimitStore } from '../../src/limits/memory-store.js';
import { RedisLimitStore } from '../../src/limits/redis-store.js';
import {
  DEFAULT_BAN_POLICY,
  type AdmitRequest,
  type AdmitResult,
  type BanPolicy,
  type LimitStore,
  type LimitTable,
} from '../../src/limits/types.js';
import { splitLimitTable } from '../../src/limits/windows.js';
import { BASIC_TABLE, MULTI_TABLE, describeLimitStoreContract } from './store-contract.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(REDIS_URL).hostname)) {
  throw new Error(`redis-store tests only talk to a loopback Redis, not ${REDIS_URL}`);
}

const RUN = `bsbx-test-${randomBytes(4).toString('hex')}`;
let storeSeq = 0;
const freshPrefix = (): string => `${RUN}:${++storeSeq}:`;

const SEC = 1_000;
const MIN = 60_000;
const DAY = 86_400_000;
/** A UTC midnight a few days ahead of the real time (the sandbox clock can be anywhere). */
const T0 = Math.ceil(Date.now() / DAY) * DAY + 3 * DAY;
const K2: BanPolicy = { ...DEFAULT_BAN_POLICY, rejectionsBeforeBan: 2 };

let admin: Redis;
const opened: RedisLimitStore[] = [];

async function open(
  table: LimitTable = BASIC_TABLE,
  policy: BanPolicy = DEFAULT_BAN_POLICY,
  keyPrefix = freshPrefix(),
) {
  const store = await RedisLimitStore.connect(REDIS_URL, table, policy, { keyPrefix });
  opened.push(store);
  return store;
}

async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

beforeAll(() => {
  admin = new Redis(REDIS_URL);
});

afterAll(async () => {
  await Promise.allSettled(opened.map((s) => s.close()));
  const keys = await keysUnder(`${RUN}:`);
  for (let i = 0; i < keys.length; i += 500) await admin.del(...keys.slice(i, i + 500));
  await admin.quit();
});

describeLimitStoreContract('RedisLimitStore', (table, policy) => open(table, policy));

describe('RedisLimitStore: several gateways on one Redis', () => {
  it('two stores on two separate connections share weight, raw counts, 429s, bans and lifts', async () => {
    const prefix = freshPrefix();
    const a = await open(BASIC_TABLE, K2, prefix);
    const b = await open(BASIC_TABLE, K2, prefix);
    expect(a.redis).not.toBe(b.redis);
    const ip = '203.0.113.7';
    const t = T0 + 10 * SEC;
    expect(await a.admit({ ip, weight: 6, now: t })).toEqual({ outcome: 'ok', usedWeight: [6] });
    expect(await b.admit({ ip, weight: 4, now: t + 1 })).toEqual({ outcome: 'ok', usedWeight: [10] });
    expect(await a.peekWeight(ip, t + 2)).toEqual([10]);
    expect(await b.admit({ ip, weight: 1, now: t + 2 })).toMatchObject({ outcome: 'ip-limited', usedWeight: [11] });
    expect(await a.admit({ ip, weight: 1, now: t + 3 })).toMatchObject({ outcome: 'ip-limited', usedWeight: [12] });
    expect(await b.usage(ip, t + 3)).toMatchObject({ rawRequests: [4], requestWeight: [12], rejections: 2 });
    // Two 429s (K = 2) earned the ban, whichever node saw them; both enforce it.
    const banned = await a.admit({ ip, weight: 1, now: t + 4 });
    expect(banned).toEqual({
      outcome: 'banned',
      usedWeight: [13],
      retryAfterMs: 120_000,
      bannedUntil: t + 4 + 120_000,
    });
    expect(await b.admit({ ip, weight: 1, now: t + 5 })).toMatchObject({
      outcome: 'banned',
      bannedUntil: t + 4 + 120_000,
    });
    expect((await a.usage(ip, t + 5)).currentBan).toEqual({ start: t + 4, until: t + 4 + 120_000, ordinal: 1 });
    // A lift on one node ends the ban everywhere.
    expect(await b.liftBans(undefined, t + 6)).toBe(1);
    expect((await a.usage(ip, t + 6)).currentBan).toBeNull();
    expect(await a.admit({ ip, weight: 1, now: T0 + MIN })).toEqual({ outcome: 'ok', usedWeight: [1] });
  });

  it('share the ORDERS count of an account', async () => {
    const prefix = freshPrefix();
    const a = await open(BASIC_TABLE, DEFAULT_BAN_POLICY, prefix);
    const b = await open(BASIC_TABLE, DEFAULT_BAN_POLICY, prefix);
    const account = 'acct-shared';
    const t = T0 + 2 * MIN;
    expect(await a.admit({ ip: '198.51.100.1', weight: 0, account, orders: 2, now: t })).toMatchObject({
      orderCounts: [2, 2],
    });
    expect(await b.admit({ ip: '198.51.100.2', weight: 0, account, orders: 1, now: t })).toMatchObject({
      orderCounts: [3, 3],
    });
    expect(await a.admit({ ip: '198.51.100.3', weight: 0, account, orders: 1, now: t })).toMatchObject({
      outcome: 'orders-limited',
      orderCounts: [3, 3],
    });
    expect(await b.adjustOrders(account, -1, t)).toEqual([2, 2]);
    expect(await a.orderCounts(account, t)).toEqual([2, 2]);
  });

  it('a request from a node whose clock is a little behind never resets the newer window', async () => {
    const prefix = freshPrefix();
    const ahead = await open(BASIC_TABLE, DEFAULT_BAN_POLICY, prefix);
    const behind = await open(BASIC_TABLE, DEFAULT_BAN_POLICY, prefix);
    // Inside a bucket (a minute boundary): the late request counts in the newer window.
    const ip = '203.0.113.9';
    const minute = T0 + 6 * MIN;
    expect(await ahead.admit({ ip, weight: 3, now: minute })).toEqual({ outcome: 'ok', usedWeight: [3] });
    expect(await behind.admit({ ip, weight: 2, now: minute - 1 })).toEqual({ outcome: 'ok', usedWeight: [5] });
    expect(await ahead.peekWeight(ip, minute + 1)).toEqual([5]);
    // At a bucket boundary (5 minutes) it counts in its own, older window.
    const ip2 = '203.0.113.10';
    const bucket = T0 + 10 * MIN;
    expect(await ahead.admit({ ip: ip2, weight: 3, now: bucket })).toEqual({ outcome: 'ok', usedWeight: [3] });
    expect(await behind.admit({ ip: ip2, weight: 2, now: bucket - 1 })).toEqual({ outcome: 'ok', usedWeight: [2] });
    expect(await ahead.peekWeight(ip2, bucket + 1)).toEqual([3]);
  });
});

describe('RedisLimitStore: keys', () => {
  it('live under the key prefix and every one carries a TTL covering its horizon', async () => {
    const prefix = freshPrefix();
    const s = await open(BASIC_TABLE, { ...DEFAULT_BAN_POLICY, rejectionsBeforeBan: 0 }, prefix);
    const t = T0 + 3 * MIN;
    await s.admit({ ip: '192.0.2.1', weight: 1, account: 'acct-ttl', orders: 1, now: t });
    await s.admit({ ip: '192.0.2.2', weight: 11, now: t }); // K = 0: banned at once
    const keys = await keysUnder(prefix);
    expect(keys.sort()).toEqual(
      [
        `${prefix}acct:1D:${T0}`, // ORDERS 10S + 1D: one hash per UTC day
        `${prefix}bans`,
        `${prefix}ip:5M:${T0}`, // weight 1M + raw 5M: one hash per 5 minutes
        `${prefix}strk:192.0.2.2`,
      ].sort(),
    );
    const ttl = async (key: string) => admin.pttl(`${prefix}${key}`);
    const ipTtl = await ttl(`ip:5M:${T0}`);
    expect(ipTtl).toBeGreaterThan(4 * MIN);
    expect(ipTtl).toBeLessThanOrEqual(5 * MIN);
    // Bucket hashes are hash tables from their first write (no linear listpack scans as they grow).
    expect(await admin.object('ENCODING', `${prefix}ip:5M:${T0}`)).toBe('hashtable');
    const acctTtl = await ttl(`acct:1D:${T0}`);
    expect(acctTtl).toBeGreaterThan(DAY - MIN);
    expect(acctTtl).toBeLessThanOrEqual(DAY);
    // The running ban: the zset lives until the ban ends, the strikes until the ban count decays.
    const bansTtl = await ttl('bans');
    expect(bansTtl).toBeGreaterThan(120_000 - MIN);
    expect(bansTtl).toBeLessThanOrEqual(120_000);
    const strikesTtl = await ttl('strk:192.0.2.2');
    expect(strikesTtl).toBeGreaterThan(120_000 + DAY - MIN);
    expect(strikesTtl).toBeLessThanOrEqual(120_000 + DAY);
    // Read-only operations create nothing.
    await s.peekWeight('192.0.2.99', t);
    await s.usage('192.0.2.98', t);
    await s.orderCounts('acct-none', t);
    await s.liftBans('192.0.2.97', t);
    expect((await keysUnder(prefix)).length).toBe(4);
  });

  it('honours a keyPrefix set on the ioredis client', async () => {
    const client = new Redis(REDIS_URL, { keyPrefix: `${RUN}:client:` });
    try {
      const s = new RedisLimitStore(client, BASIC_TABLE, K2, { keyPrefix: 'x:' });
      const ip = '192.0.2.50';
      const t = T0 + 4 * MIN;
      await s.admit({ ip, weight: 11, now: t });
      await s.admit({ ip, weight: 1, now: t });
      await s.admit({ ip, weight: 1, now: t });
      expect((await s.admit({ ip, weight: 1, now: t })).outcome).toBe('banned');
      expect((await keysUnder(`${RUN}:client:x:`)).sort()).toEqual(
        [`${RUN}:client:x:bans`, `${RUN}:client:x:ip:5M:${T0}`, `${RUN}:client:x:strk:${ip}`].sort(),
      );
      await s.close();
      expect(client.status).toBe('ready'); // a client passed in stays open
    } finally {
      client.disconnect();
    }
  });
});

describe('RedisLimitStore: batching', () => {
  it('500 concurrent admits: one script call per maxBatch operations, each caller gets its own result, totals exact', async () => {
    const client = new Redis(REDIS_URL);
    try {
      const table: LimitTable = {
        ...BASIC_TABLE,
        requestWeight: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 1_000_000 }],
        orders: [{ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 40 }],
      };
      const s = new RedisLimitStore(client, table, DEFAULT_BAN_POLICY, { keyPrefix: freshPrefix(), maxBatch: 100 });
      await client.ping(); // connected: no offline queue re-sending commands
      const send = vi.spyOn(client, 'sendCommand');
      const t = T0 + 6 * MIN;
      const ips = Array.from({ length: 10 }, (_, i) => `10.9.0.${i}`);
      const accounts = ['acct-a', 'acct-b', 'acct-c'];
      // Request i: IP i % 10 with weight i + 1; every third one places an order for account i % 3.
      const requests: AdmitRequest[] = Array.from({ length: 500 }, (_, i) => ({
        ip: ips[i % 10]!,
        weight: i + 1,
        ...(i % 3 === 0 ? { account: accounts[(i / 3) % 3]!, orders: 1 } : {}),
        now: t,
      }));
      const results: AdmitResult[] = await Promise.all(requests.map((r) => s.admit(r)));
      const scriptCalls = send.mock.calls.filter(([cmd]) => /^eval(sha)?$/i.test((cmd as { name: string }).name));
      expect(scriptCalls).toHaveLength(5);

      // Decided in issue order: request i sees the weight of every earlier request of its IP plus its own.
      const used = new Map<string, number>();
      const placed = new Map<string, number>();
      requests.forEach((req, i) => {
        const total = (used.get(req.ip) ?? 0) + req.weight;
        used.set(req.ip, total);
        const res = results[i]!;
        expect(res.usedWeight, `request ${i}`).toEqual([total]);
        if (req.account !== undefined) {
          const n = placed.get(req.account) ?? 0;
          if (n < 40) {
            expect(res, `request ${i}`).toEqual({ outcome: 'ok', usedWeight: [total], orderCounts: [n + 1] });
            placed.set(req.account, n + 1);
          } else {
            expect(res, `request ${i}`).toMatchObject({ outcome: 'orders-limited', orderCounts: [40] });
          }
        } else {
          expect(res, `request ${i}`).toEqual({ outcome: 'ok', usedWeight: [total] });
        }
      });
      // 167 orders over 3 accounts: 40 fit each 10S window.
      expect([...placed.values()]).toEqual([40, 40, 40]);
      for (const ip of ips) {
        expect(await s.usage(ip, t)).toMatchObject({ rawRequests: [50], requestWeight: [used.get(ip)] });
      }
      for (const account of accounts) expect(await s.orderCounts(account, t)).toEqual([40]);
      await s.close();
    } finally {
      client.disconnect();
    }
  });

  it('operations of different kinds in one batch keep their order and their own results', async () => {
    const s = await open(BASIC_TABLE, { ...DEFAULT_BAN_POLICY, rejectionsBeforeBan: 0 });
    const t = T0 + 7 * MIN;
    const [a, b, c, d, e, f, g, h] = await Promise.all([
      s.admit({ ip: 'i1', weight: 3, now: t }),
      s.charge('i1', 2, t),
      s.peekWeight('i1', t),
      s.admit({ ip: 'i2', weight: 11, now: t }),
      s.usage('i2', t),
      s.adjustOrders('acct-x', 2, t),
      s.liftBans('i2', t + 1),
      s.orderCounts('acct-x', t),
    ]);
    expect(a).toEqual({ outcome: 'ok', usedWeight: [3] });
    expect(b).toEqual([5]);
    expect(c).toEqual([5]);
    expect(d).toEqual({ outcome: 'banned', usedWeight: [11], retryAfterMs: 120_000, bannedUntil: t + 120_000 });
    expect(e).toMatchObject({ ip: 'i2', currentBan: { start: t, until: t + 120_000, ordinal: 1 } });
    expect(f).toEqual([2, 2]);
    expect(g).toBe(1);
    expect(h).toEqual([2, 2]);
  });

  it('one batch whose operations span several windows and buckets decides each in its own window', async () => {
    const s = await open();
    const ip = '192.0.2.77';
    const acct = 'acct-span';
    // Three 5-minute buckets: the prefetch covers the first and the last, the middle one is read on use.
    const at = (m: number) => T0 + 20 * MIN + m * MIN + 30 * SEC;
    const results = await Promise.all([
      s.admit({ ip, weight: 4, account: acct, orders: 1, now: at(0) }),
      s.admit({ ip, weight: 5, account: acct, orders: 1, now: at(0) }),
      s.admit({ ip, weight: 6, account: acct, orders: 1, now: at(6) }),
      s.admit({ ip, weight: 7, account: acct, orders: 1, now: at(12) }),
      s.usage(ip, at(12)),
    ]);
    expect(results.slice(0, 4)).toEqual([
      { outcome: 'ok', usedWeight: [4], orderCounts: [1, 1] },
      { outcome: 'ok', usedWeight: [9], orderCounts: [2, 2] },
      { outcome: 'ok', usedWeight: [6], orderCounts: [1, 3] },
      { outcome: 'ok', usedWeight: [7], orderCounts: [1, 4] },
    ]);
    expect(results[4]).toMatchObject({ rawRequests: [1], requestWeight: [7] });
  });

  it('rejects operations after close()', async () => {
    const s = await open();
    await s.close();
    await expect(s.admit({ ip: 'i3', weight: 1, now: T0 })).rejects.toThrow(/closed/);
  });
});

describe('RedisLimitStore: same decisions as MemoryLimitStore', () => {
  /** Deterministic PRNG (mulberry32): an integer in [0, n). */
  function rng(seed: number): (n: number) => number {
    let a = seed;
    return (n) => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
  }
  const row = (
    type: RateLimit['rateLimitType'],
    interval: RateLimit['interval'],
    intervalNum: number,
    limit: number,
  ) => ({
    rateLimitType: type,
    interval,
    intervalNum,
    limit,
  });
  const tables: [string, LimitTable][] = [
    ['BASIC_TABLE', BASIC_TABLE],
    ['MULTI_TABLE', MULTI_TABLE],
    ['raw only', splitLimitTable([row('RAW_REQUESTS', 'SECOND', 10, 3)])],
    [
      '3 weight, 1 raw, 3 orders intervals',
      splitLimitTable([
        row('REQUEST_WEIGHT', 'MINUTE', 1, 6),
        row('REQUEST_WEIGHT', 'HOUR', 1, 9),
        row('REQUEST_WEIGHT', 'DAY', 1, 12),
        row('RAW_REQUESTS', 'SECOND', 1, 4),
        row('ORDERS', 'SECOND', 10, 2),
        row('ORDERS', 'HOUR', 2, 3),
        row('ORDERS', 'DAY', 1, 4),
      ]),
    ],
  ];

  it.each(tables)(
    '%s: random operations issued in concurrent groups get the memory store results',
    async (_, table) => {
      const policy: BanPolicy = { ...DEFAULT_BAN_POLICY, rejectionsBeforeBan: 2, banCountDecayMs: 10 * MIN };
      const redis = await open(table, policy);
      const memory = new MemoryLimitStore(table, policy);
      const rand = rng(table.requestWeight.length * 100 + table.orders.length);
      const outcomes = new Set<string>();
      let now = T0 + 200 * DAY;
      for (let group = 0; group < 150; group++) {
        // A group goes out in one event-loop turn (one script call); the memory store runs it in the same order.
        const ops: ((s: LimitStore) => unknown)[] = [];
        const size = 1 + rand(20);
        for (let i = 0; i < size; i++) {
          now += rand(4) === 0 ? rand(20 * SEC) : rand(50);
          const t = now;
          const ip = `10.1.0.${rand(4)}`;
          const account = `acct-${rand(2)}`;
          const kind = rand(20);
          if (kind < 12) {
            const req: AdmitRequest = {
              ip,
              weight: rand(3),
              ...(rand(2) ? { account, orders: rand(3) } : {}),
              ...(rand(2) ? { weightOnOrderReject: 1 + rand(2) } : {}),
              now: t,
            };
            ops.push((s) => s.admit(req));
          } else if (kind === 12) {
            const w = rand(3);
            ops.push((s) => s.charge(ip, w, t));
          } else if (kind === 13) ops.push((s) => s.peekWeight(ip, t));
          else if (kind === 14) {
            const delta = rand(5) - 3;
            ops.push((s) => s.adjustOrders(account, delta, t));
          } else if (kind === 15) ops.push((s) => s.orderCounts(account, t));
          else if (kind < 19) ops.push((s) => s.usage(ip, t));
          else {
            const which = rand(3) ? ip : undefined;
            ops.push((s) => s.liftBans(which, t));
          }
        }
        const got = await Promise.all(ops.map((op) => op(redis)));
        const want = ops.map((op) => op(memory));
        expect(got, `group ${group}`).toEqual(want);
        for (const r of got) {
          const outcome = (r as Partial<AdmitResult>).outcome;
          if (outcome) outcomes.add(outcome);
        }
      }
      const tight = table.orders.some((r) => r.limit <= 10); // MULTI_TABLE's 50 / 10S is never reached
      const expected = ['banned', 'ip-limited', 'ok', ...(tight ? ['orders-limited'] : [])];
      expect([...outcomes].sort()).toEqual(expected);
    },
  );
});

describe('RedisLimitStore: connecting', () => {
  it('fails clearly when Redis is unreachable', async () => {
    await expect(RedisLimitStore.connect('redis://127.0.0.1:1', BASIC_TABLE)).rejects.toThrow(
      /^cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it('never prints credentials of the URL', async () => {
    await expect(RedisLimitStore.connect('redis://user:s3cret@127.0.0.1:1', BASIC_TABLE)).rejects.toThrow(
      /^cannot reach Redis at redis:\/\/\*\*\*@127\.0\.0\.1:1: /,
    );
  });
});
