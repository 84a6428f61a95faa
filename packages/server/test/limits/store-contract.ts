/**
 * The LimitStore contract: every store (memory, Redis …) must pass this suite unchanged.
 *
 *   describeLimitStoreContract('MemoryLimitStore', async (table, policy) => new MemoryLimitStore(table, policy));
 *
 * Rules the suite follows so that it can run against shared back ends:
 * - Time is always an explicit `now`; nothing sleeps. All times derive from T0, a UTC midnight a day or
 *   two AFTER the real current time (aligned to every interval; a store that expires keys at absolute
 *   sandbox times keeps them).
 * - Every test uses its own IPs / accounts, prefixed with a random run id, and moves forward in time
 *   only, per key.
 * - Stores are created in beforeAll (one per describe block, per table / policy) and closed in
 *   afterAll; the liftBans(all) test makes and closes its own store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimit, RateLimitInterval, RateLimitType } from '@binance-sandbox/protocol';
import {
  DEFAULT_BAN_POLICY,
  type AdmitRequest,
  type AdmitResult,
  type BanPolicy,
  type LimitStore,
  type LimitTable,
} from '../../src/limits/types.js';
import { splitLimitTable } from '../../src/limits/windows.js';

export type MakeLimitStore = (table: LimitTable, policy: BanPolicy) => Promise<LimitStore>;

const SEC = 1_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FIRST_BAN = 120_000;
const MAX_BAN = 259_200_000;

function row(rateLimitType: RateLimitType, interval: RateLimitInterval, intervalNum: number, limit: number): RateLimit {
  return { rateLimitType, interval, intervalNum, limit };
}

/** 10 weight / 1 MINUTE; 1000 raw / 5 MINUTE; 3 orders / 10 SECOND; 5 orders / 1 DAY. */
export const BASIC_TABLE: LimitTable = splitLimitTable([
  row('REQUEST_WEIGHT', 'MINUTE', 1, 10),
  row('ORDERS', 'SECOND', 10, 3),
  row('ORDERS', 'DAY', 1, 5),
  row('RAW_REQUESTS', 'MINUTE', 5, 1000),
]);

/** Two intervals per IP type: weight 10 / 1 MINUTE + 25 / 1 HOUR; raw 3 / 10 SECOND + 6 / 5 MINUTE. */
export const MULTI_TABLE: LimitTable = splitLimitTable([
  row('REQUEST_WEIGHT', 'MINUTE', 1, 10),
  row('REQUEST_WEIGHT', 'HOUR', 1, 25),
  row('ORDERS', 'SECOND', 10, 50),
  row('ORDERS', 'DAY', 1, 160000),
  row('RAW_REQUESTS', 'SECOND', 10, 3),
  row('RAW_REQUESTS', 'MINUTE', 5, 6),
]);

const policyK = (k: number): BanPolicy => ({ ...DEFAULT_BAN_POLICY, rejectionsBeforeBan: k });

export function describeLimitStoreContract(name: string, makeStore: MakeLimitStore): void {
  /** A UTC midnight one to two days after the real time: aligned for every interval. */
  const T0 = Math.ceil(Date.now() / DAY) * DAY + DAY;
  const RUN = Math.random().toString(36).slice(2, 10);
  let seq = 0;
  const ipOf = (label: string) => `c-${RUN}-${label}-${++seq}`;
  const acctOf = (label: string) => `a-${RUN}-${label}-${++seq}`;

  /** One store per describe block. */
  function useStore(table: LimitTable, policy: BanPolicy): () => LimitStore {
    let store: LimitStore | undefined;
    beforeAll(async () => {
      store = await makeStore(table, policy);
    });
    afterAll(async () => {
      await store?.close();
    });
    return () => {
      if (store === undefined) throw new Error('store not created');
      return store;
    };
  }

  const admit = async (store: LimitStore, req: AdmitRequest): Promise<AdmitResult> => await store.admit(req);

  describe(`${name}: LimitStore contract`, () => {
    describe('aligned windows (1 MINUTE weight 10)', () => {
      const get = useStore(BASIC_TABLE, DEFAULT_BAN_POLICY);

      it('counts weight and raw requests per IP; the 1M window resets at the whole minute, the 5M one at :05', async () => {
        const s = get();
        const ip = ipOf('win');
        const t = T0 + 30 * SEC;
        expect(await admit(s, { ip, weight: 4, now: t })).toEqual({ outcome: 'ok', usedWeight: [4] });
        expect(await admit(s, { ip, weight: 6, now: T0 + MIN - 1 })).toEqual({ outcome: 'ok', usedWeight: [10] });
        expect(await s.usage(ip, T0 + MIN - 1)).toMatchObject({ ip, rawRequests: [2], requestWeight: [10] });
        expect(await admit(s, { ip, weight: 1, now: T0 + MIN })).toEqual({ outcome: 'ok', usedWeight: [1] });
        expect(await s.usage(ip, T0 + MIN)).toMatchObject({ rawRequests: [3], requestWeight: [1] });
        expect(await s.usage(ip, T0 + 5 * MIN - 1)).toMatchObject({ rawRequests: [3], requestWeight: [0] });
        expect(await s.usage(ip, T0 + 5 * MIN)).toMatchObject({ rawRequests: [0], requestWeight: [0] });
        expect(await s.peekWeight(ip, T0 + 5 * MIN)).toEqual([0]);
      });

      it('windows are aligned, not sliding: a full window at :59.999 does not block at :00', async () => {
        const s = get();
        const ip = ipOf('aligned');
        expect(await admit(s, { ip, weight: 10, now: T0 + MIN - 1 })).toMatchObject({
          outcome: 'ok',
          usedWeight: [10],
        });
        expect(await admit(s, { ip, weight: 10, now: T0 + MIN })).toMatchObject({ outcome: 'ok', usedWeight: [10] });
        expect((await admit(s, { ip, weight: 1, now: T0 + 2 * MIN - 1 })).outcome).toBe('ip-limited');
      });

      it('used == limit is admitted; the request that makes used > limit is the first 429', async () => {
        const s = get();
        const ip = ipOf('edge');
        const t = T0 + 2 * MIN;
        expect(await admit(s, { ip, weight: 9, now: t })).toEqual({ outcome: 'ok', usedWeight: [9] });
        expect(await admit(s, { ip, weight: 1, now: t })).toEqual({ outcome: 'ok', usedWeight: [10] });
        expect(await admit(s, { ip, weight: 1, now: t })).toEqual({
          outcome: 'ip-limited',
          usedWeight: [11],
          retryAfterMs: MIN,
          limitedBy: { type: 'REQUEST_WEIGHT', index: 0 },
        });
        const ip2 = ipOf('edge2');
        expect((await admit(s, { ip: ip2, weight: 9, now: t })).outcome).toBe('ok');
        expect(await admit(s, { ip: ip2, weight: 2, now: t })).toMatchObject({
          outcome: 'ip-limited',
          usedWeight: [11],
        });
        const ip3 = ipOf('edge3');
        expect(await admit(s, { ip: ip3, weight: 0, now: t })).toEqual({ outcome: 'ok', usedWeight: [0] });
        expect(await admit(s, { ip: ip3, weight: 11, now: t })).toMatchObject({
          outcome: 'ip-limited',
          usedWeight: [11],
        });
      });

      it('a refused request is still counted (weight and raw)', async () => {
        const s = get();
        const ip = ipOf('counted');
        const t = T0 + 3 * MIN + 5 * SEC;
        await admit(s, { ip, weight: 10, now: t });
        expect(await admit(s, { ip, weight: 2, now: t })).toMatchObject({ outcome: 'ip-limited', usedWeight: [12] });
        expect(await admit(s, { ip, weight: 3, now: t + SEC })).toMatchObject({
          outcome: 'ip-limited',
          usedWeight: [15],
        });
        expect(await s.peekWeight(ip, t + SEC)).toEqual([15]);
        expect(await s.usage(ip, t + SEC)).toMatchObject({ rawRequests: [3], requestWeight: [15] });
      });

      it('retryAfterMs is the time until the blocking window resets', async () => {
        const s = get();
        const ip = ipOf('retry');
        const t = T0 + 4 * MIN + 12_345;
        expect(await admit(s, { ip, weight: 11, now: t })).toMatchObject({
          outcome: 'ip-limited',
          retryAfterMs: 47_655,
          limitedBy: { type: 'REQUEST_WEIGHT', index: 0 },
        });
        expect(await admit(s, { ip, weight: 1, now: T0 + 5 * MIN - 1 })).toMatchObject({
          outcome: 'ip-limited',
          retryAfterMs: 1,
        });
        expect(await admit(s, { ip, weight: 1, now: T0 + 5 * MIN })).toEqual({ outcome: 'ok', usedWeight: [1] });
      });

      it('IPs are independent', async () => {
        const s = get();
        const a = ipOf('indepA');
        const b = ipOf('indepB');
        const t = T0 + 6 * MIN;
        await admit(s, { ip: a, weight: 10, now: t });
        expect((await admit(s, { ip: a, weight: 1, now: t })).outcome).toBe('ip-limited');
        expect(await admit(s, { ip: b, weight: 1, now: t })).toEqual({ outcome: 'ok', usedWeight: [1] });
        expect(await s.peekWeight(b, t)).toEqual([1]);
        expect(await s.peekWeight(a, t)).toEqual([11]);
      });

      it('charge() adds weight (not raw requests) and later requests see it; peekWeight() counts nothing', async () => {
        const s = get();
        const ip = ipOf('charge');
        const t = T0 + 7 * MIN;
        expect(await s.charge(ip, 4, t)).toEqual([4]);
        expect(await s.peekWeight(ip, t)).toEqual([4]);
        expect(await s.peekWeight(ip, t)).toEqual([4]);
        expect(await s.usage(ip, t)).toMatchObject({ rawRequests: [0], requestWeight: [4] });
        expect(await admit(s, { ip, weight: 6, now: t })).toEqual({ outcome: 'ok', usedWeight: [10] });
        expect(await s.charge(ip, 2, t + SEC)).toEqual([12]);
        expect((await admit(s, { ip, weight: 0, now: t + SEC })).outcome).toBe('ip-limited');
        expect(await s.charge(ip, 3, t + MIN)).toEqual([3]);
        expect(await s.usage(ip, t + MIN)).toMatchObject({ rawRequests: [2], requestWeight: [3] });
      });

      it('an unknown IP / account reads as zeros', async () => {
        const s = get();
        const ip = ipOf('unknown');
        const t = T0 + 8 * MIN;
        expect(await s.peekWeight(ip, t)).toEqual([0]);
        expect(await s.usage(ip, t)).toEqual({
          ip,
          rawRequests: [0],
          requestWeight: [0],
          rejections: 0,
          currentBan: null,
          banHistory: [],
        });
        expect(await s.orderCounts(acctOf('unknown'), t)).toEqual([0, 0]);
        expect(await s.liftBans(ip, t)).toBe(0);
      });
    });

    describe('several intervals per type (weight 10/1M + 25/1H, raw 3/10S + 6/5M)', () => {
      const get = useStore(MULTI_TABLE, policyK(1000));

      it('the shortest exhausted interval blocks although the longer ones have room; the 10S window resets at :10', async () => {
        const s = get();
        const ip = ipOf('raw10s');
        const t = T0 + HOUR + SEC;
        for (let i = 1; i <= 3; i++) {
          expect(await admit(s, { ip, weight: 1, now: t })).toEqual({ outcome: 'ok', usedWeight: [i, i] });
        }
        expect(await admit(s, { ip, weight: 1, now: t })).toEqual({
          outcome: 'ip-limited',
          usedWeight: [4, 4],
          retryAfterMs: 9 * SEC,
          limitedBy: { type: 'RAW_REQUESTS', index: 0 },
        });
        expect(await admit(s, { ip, weight: 1, now: T0 + HOUR + 10 * SEC - 1 })).toMatchObject({
          outcome: 'ip-limited',
          retryAfterMs: 1,
        });
        // 10S reset at :10; the 5M interval holds 5 of 6.
        expect(await admit(s, { ip, weight: 1, now: T0 + HOUR + 10 * SEC })).toEqual({
          outcome: 'ok',
          usedWeight: [6, 6],
        });
        expect(await s.usage(ip, T0 + HOUR + 10 * SEC)).toMatchObject({ rawRequests: [1, 6], requestWeight: [6, 6] });
        // 5M exhausted (7 > 6) while 10S has room (2 of 3).
        expect(await admit(s, { ip, weight: 0, now: T0 + HOUR + 10 * SEC })).toEqual({
          outcome: 'ip-limited',
          usedWeight: [6, 6],
          retryAfterMs: 5 * MIN - 10 * SEC,
          limitedBy: { type: 'RAW_REQUESTS', index: 1 },
        });
        // Both exhausted: the one that resets last (5M) is reported.
        await admit(s, { ip, weight: 0, now: T0 + HOUR + 10 * SEC });
        expect(await s.usage(ip, T0 + HOUR + 10 * SEC)).toMatchObject({ rawRequests: [3, 8] });
        expect(await admit(s, { ip, weight: 0, now: T0 + HOUR + 11 * SEC })).toMatchObject({
          outcome: 'ip-limited',
          retryAfterMs: 5 * MIN - 11 * SEC,
          limitedBy: { type: 'RAW_REQUESTS', index: 1 },
        });
      });

      it('usedWeight lists every REQUEST_WEIGHT interval in table order; the hour blocks after the minute reset', async () => {
        const s = get();
        const ip = ipOf('weight1h');
        const t = T0 + 2 * HOUR;
        expect(await admit(s, { ip, weight: 10, now: t })).toEqual({ outcome: 'ok', usedWeight: [10, 10] });
        expect(await admit(s, { ip, weight: 10, now: t + MIN })).toEqual({ outcome: 'ok', usedWeight: [10, 20] });
        expect(await admit(s, { ip, weight: 5, now: t + 2 * MIN })).toEqual({ outcome: 'ok', usedWeight: [5, 25] });
        expect(await admit(s, { ip, weight: 1, now: t + 2 * MIN })).toEqual({
          outcome: 'ip-limited',
          usedWeight: [6, 26],
          retryAfterMs: HOUR - 2 * MIN,
          limitedBy: { type: 'REQUEST_WEIGHT', index: 1 },
        });
        // Both weight intervals over: the hour resets last.
        expect(await admit(s, { ip, weight: 5, now: t + 2 * MIN + 1 })).toMatchObject({
          outcome: 'ip-limited',
          usedWeight: [11, 31],
          limitedBy: { type: 'REQUEST_WEIGHT', index: 1 },
        });
        expect(await s.peekWeight(ip, t + HOUR)).toEqual([0, 0]);
        expect(await admit(s, { ip, weight: 1, now: t + HOUR })).toEqual({ outcome: 'ok', usedWeight: [1, 1] });
      });

      it('a tie between a REQUEST_WEIGHT and a RAW_REQUESTS interval resetting at the same time reports REQUEST_WEIGHT', async () => {
        const s = get();
        const ip = ipOf('tie');
        const t = T0 + 3 * HOUR + 4 * MIN; // the 1M and the 5M window both end at t + 1M
        for (let i = 0; i < 3; i++) expect((await admit(s, { ip, weight: 1, now: t })).outcome).toBe('ok');
        for (let i = 0; i < 3; i++) expect((await admit(s, { ip, weight: 1, now: t + 10 * SEC })).outcome).toBe('ok');
        expect(await admit(s, { ip, weight: 5, now: t + 20 * SEC })).toEqual({
          outcome: 'ip-limited',
          usedWeight: [11, 11],
          retryAfterMs: 40 * SEC,
          limitedBy: { type: 'REQUEST_WEIGHT', index: 0 },
        });
      });
    });

    describe('429s then 418 (K = 3)', () => {
      const get = useStore(BASIC_TABLE, policyK(3));

      it('exactly K 429s precede the 418; the first ban lasts 2 minutes; banned requests are not counted', async () => {
        const s = get();
        const ip = ipOf('ban');
        const acct = acctOf('ban');
        const t = T0 + 10 * HOUR + 30 * SEC;
        expect((await admit(s, { ip, weight: 10, now: t })).outcome).toBe('ok');
        for (let i = 1; i <= 3; i++) {
          expect(await admit(s, { ip, weight: 1, now: t })).toMatchObject({
            outcome: 'ip-limited',
            usedWeight: [10 + i],
          });
          expect((await s.usage(ip, t)).rejections).toBe(i);
        }
        const until = t + FIRST_BAN;
        expect(await admit(s, { ip, weight: 1, now: t })).toEqual({
          outcome: 'banned',
          usedWeight: [14],
          retryAfterMs: FIRST_BAN,
          bannedUntil: until,
        });
        const record = { start: t, until, ordinal: 1 };
        expect(await s.usage(ip, t)).toEqual({
          ip,
          rawRequests: [5],
          requestWeight: [14],
          rejections: 0,
          currentBan: record,
          banHistory: [record],
        });
        // While banned: 418, nothing counted (weight, raw, orders).
        expect(await admit(s, { ip, weight: 1, account: acct, orders: 1, now: t + SEC })).toEqual({
          outcome: 'banned',
          usedWeight: [14],
          retryAfterMs: FIRST_BAN - SEC,
          bannedUntil: until,
        });
        expect(await s.usage(ip, t + SEC)).toMatchObject({ rawRequests: [5], requestWeight: [14] });
        expect(await s.orderCounts(acct, t + SEC)).toEqual([0, 0]);
        // A new minute during the ban: still 418, the new window stays empty.
        expect(await admit(s, { ip, weight: 1, now: t + MIN })).toEqual({
          outcome: 'banned',
          usedWeight: [0],
          retryAfterMs: FIRST_BAN - MIN,
          bannedUntil: until,
        });
        expect(await s.peekWeight(ip, t + MIN)).toEqual([0]);
        expect(await admit(s, { ip, weight: 1, now: until - 1 })).toMatchObject({ outcome: 'banned', retryAfterMs: 1 });
        // The ban ends at bannedUntil exactly.
        expect(await admit(s, { ip, weight: 1, now: until })).toEqual({ outcome: 'ok', usedWeight: [1] });
        expect(await s.usage(ip, until)).toEqual({
          ip,
          rawRequests: [6], // same 5M window as the ban
          requestWeight: [1],
          rejections: 0,
          currentBan: null,
          banHistory: [record],
        });
      });

      it('rejections restart with a new violation window (the blocking window ended)', async () => {
        const s = get();
        const ip = ipOf('violation');
        const t = T0 + 11 * HOUR;
        await admit(s, { ip, weight: 10, now: t });
        for (let i = 0; i < 3; i++)
          expect((await admit(s, { ip, weight: 1, now: t + SEC })).outcome).toBe('ip-limited');
        expect((await s.usage(ip, t + MIN - 1)).rejections).toBe(3);
        expect((await s.usage(ip, t + MIN)).rejections).toBe(0);
        await admit(s, { ip, weight: 10, now: t + MIN });
        for (let i = 0; i < 3; i++)
          expect((await admit(s, { ip, weight: 1, now: t + MIN + SEC })).outcome).toBe('ip-limited');
        expect(await admit(s, { ip, weight: 1, now: t + MIN + 2 * SEC })).toMatchObject({
          outcome: 'banned',
          retryAfterMs: FIRST_BAN,
          bannedUntil: t + MIN + 2 * SEC + FIRST_BAN,
        });
      });

      it('rejections accumulate over the requests of one violation window; weight-0 requests are refused while over', async () => {
        const s = get();
        const ip = ipOf('okdoesnotreset');
        const t = T0 + 12 * HOUR;
        await admit(s, { ip, weight: 10, now: t });
        for (let i = 0; i < 2; i++) expect((await admit(s, { ip, weight: 1, now: t })).outcome).toBe('ip-limited');
        expect((await s.usage(ip, t)).rejections).toBe(2);
        // A weight-0 request is still over (weight 12 > 10) and counts as a rejection.
        expect((await admit(s, { ip, weight: 0, now: t })).outcome).toBe('ip-limited');
        expect((await admit(s, { ip, weight: 0, now: t + 1 })).outcome).toBe('banned');
      });
    });

    describe('ban escalation (K = 0: the first 429-worthy request bans)', () => {
      const get = useStore(BASIC_TABLE, policyK(0));

      it('the n-th ban lasts min(2 min × 2^(n-1), 3 days); the history keeps the last 20 of the streak', async () => {
        const s = get();
        const ip = ipOf('escalate');
        let t = T0 + 20 * DAY + 30 * SEC;
        const expected: { start: number; until: number; ordinal: number }[] = [];
        for (let n = 1; n <= 22; n++) {
          const duration = Math.min(FIRST_BAN * 2 ** (n - 1), MAX_BAN);
          const r = await admit(s, { ip, weight: 11, now: t });
          expect(r, `ban ${n}`).toEqual({
            outcome: 'banned',
            usedWeight: [11],
            retryAfterMs: duration,
            bannedUntil: t + duration,
          });
          expected.push({ start: t, until: t + duration, ordinal: n });
          expect((await s.usage(ip, t)).currentBan).toEqual({ start: t, until: t + duration, ordinal: n });
          t += duration + MIN; // within the decay period; a fresh weight window
        }
        expect(expected[11]!.until - expected[11]!.start).toBe(245_760_000); // 2 min × 2^11 (< 3 days)
        expect(expected[12]!.until - expected[12]!.start).toBe(MAX_BAN); // capped
        const u = await s.usage(ip, t);
        expect(u.currentBan).toBeNull();
        expect(u.banHistory).toHaveLength(20);
        expect(u.banHistory).toEqual(expected.slice(2));
      });

      it('the ban count decays once banCountDecayMs have passed since the last ban ended', async () => {
        const s = get();
        const ip = ipOf('decay');
        const t1 = T0 + 60 * DAY + 30 * SEC;
        expect(await admit(s, { ip, weight: 11, now: t1 })).toMatchObject({
          outcome: 'banned',
          retryAfterMs: FIRST_BAN,
        });
        const u1 = t1 + FIRST_BAN;
        // 1 ms before the decay: the count holds → second ban, 4 minutes.
        const t2 = u1 + DEFAULT_BAN_POLICY.banCountDecayMs - 1;
        expect(await s.usage(ip, t2)).toMatchObject({ banHistory: [{ start: t1, until: u1, ordinal: 1 }] });
        expect(await admit(s, { ip, weight: 11, now: t2 })).toMatchObject({
          outcome: 'banned',
          retryAfterMs: 2 * FIRST_BAN,
        });
        const u2 = t2 + 2 * FIRST_BAN;
        expect((await s.usage(ip, t2)).banHistory.map((b) => b.ordinal)).toEqual([1, 2]);
        // Exactly the decay period after the second ban ended: back to a first ban.
        const t3 = u2 + DEFAULT_BAN_POLICY.banCountDecayMs;
        expect((await s.usage(ip, t3)).banHistory).toEqual([]);
        expect(await admit(s, { ip, weight: 11, now: t3 })).toEqual({
          outcome: 'banned',
          usedWeight: [11],
          retryAfterMs: FIRST_BAN,
          bannedUntil: t3 + FIRST_BAN,
        });
        expect((await s.usage(ip, t3)).banHistory).toEqual([{ start: t3, until: t3 + FIRST_BAN, ordinal: 1 }]);
      });

      it('liftBans(ip) ends one ban now and keeps the ban count', async () => {
        const s = get();
        const a = ipOf('liftA');
        const b = ipOf('liftB');
        const t = T0 + 70 * DAY + 30 * SEC;
        expect((await admit(s, { ip: a, weight: 11, now: t })).outcome).toBe('banned');
        expect((await admit(s, { ip: b, weight: 11, now: t })).outcome).toBe('banned');
        expect(await s.liftBans(a, t + SEC)).toBe(1);
        expect(await s.liftBans(a, t + SEC)).toBe(0);
        expect(await s.usage(a, t + SEC)).toMatchObject({
          currentBan: null,
          banHistory: [{ start: t, until: t + SEC, ordinal: 1 }],
        });
        expect((await admit(s, { ip: b, weight: 0, now: t + 2 * SEC })).outcome).toBe('banned');
        // The lifted IP is admitted again (fresh window) …
        expect(await admit(s, { ip: a, weight: 1, now: t + MIN })).toEqual({ outcome: 'ok', usedWeight: [1] });
        // … and its next ban is the second of the streak.
        expect(await admit(s, { ip: a, weight: 10, now: t + MIN + 1 })).toEqual({
          outcome: 'banned',
          usedWeight: [11],
          retryAfterMs: 2 * FIRST_BAN,
          bannedUntil: t + MIN + 1 + 2 * FIRST_BAN,
        });
        // No running ban → nothing to lift.
        expect(await s.liftBans(b, t + FIRST_BAN)).toBe(0);
      });

      it('liftBans(undefined) ends every running ban', async () => {
        const s = await makeStore(BASIC_TABLE, policyK(0));
        try {
          const a = ipOf('allA');
          const b = ipOf('allB');
          const c = ipOf('allC');
          const t = T0 + 80 * DAY + 30 * SEC;
          expect((await admit(s, { ip: a, weight: 11, now: t })).outcome).toBe('banned');
          expect((await admit(s, { ip: b, weight: 11, now: t + 1 })).outcome).toBe('banned');
          expect((await admit(s, { ip: c, weight: 1, now: t + 1 })).outcome).toBe('ok');
          expect(await s.liftBans(undefined, t + 2)).toBeGreaterThanOrEqual(2);
          expect(await s.liftBans(a, t + 2)).toBe(0);
          expect(await s.liftBans(b, t + 2)).toBe(0);
          expect((await s.usage(a, t + 2)).currentBan).toBeNull();
          expect((await s.usage(b, t + 2)).currentBan).toBeNull();
          expect((await admit(s, { ip: a, weight: 1, now: t + MIN })).outcome).toBe('ok');
          expect((await admit(s, { ip: b, weight: 1, now: t + MIN })).outcome).toBe('ok');
        } finally {
          await s.close();
        }
      });
    });

    describe('ORDERS (3 / 10 SECOND, 5 / 1 DAY, per account)', () => {
      const get = useStore(BASIC_TABLE, DEFAULT_BAN_POLICY);

      it('counts per account, shared across IPs; a refused order is not counted', async () => {
        const s = get();
        const acct = acctOf('shared');
        const [ip1, ip2, ip3] = [ipOf('o1'), ipOf('o2'), ipOf('o3')];
        const t = T0 + 100 * DAY + SEC;
        expect(await admit(s, { ip: ip1, weight: 1, account: acct, orders: 2, now: t })).toEqual({
          outcome: 'ok',
          usedWeight: [1],
          orderCounts: [2, 2],
        });
        expect(await admit(s, { ip: ip2, weight: 1, account: acct, orders: 1, now: t })).toEqual({
          outcome: 'ok',
          usedWeight: [1],
          orderCounts: [3, 3],
        });
        const refused = await admit(s, { ip: ip3, weight: 1, account: acct, orders: 1, now: t });
        expect(refused).toEqual({
          outcome: 'orders-limited',
          usedWeight: [1],
          orderCounts: [3, 3],
          limitedBy: { type: 'ORDERS', index: 0 },
        });
        expect(refused.retryAfterMs).toBeUndefined();
        expect(await s.orderCounts(acct, t)).toEqual([3, 3]);
        expect(await s.usage(ip3, t)).toMatchObject({ rawRequests: [1], requestWeight: [1] });
      });

      it('10S windows reset at :00/:10; the DAY limit blocks although 10S has room; DAY is the UTC day', async () => {
        const s = get();
        const ip = ipOf('days');
        const acct = acctOf('days');
        const t = T0 + 101 * DAY;
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 3, now: t + 7 * SEC })).toMatchObject({
          outcome: 'ok',
          orderCounts: [3, 3],
        });
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 1, now: t + 10 * SEC - 1 })).toMatchObject({
          outcome: 'orders-limited',
          orderCounts: [3, 3],
          limitedBy: { type: 'ORDERS', index: 0 },
        });
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 1, now: t + 10 * SEC })).toMatchObject({
          outcome: 'ok',
          orderCounts: [1, 4],
        });
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 1, now: t + 10 * SEC })).toMatchObject({
          outcome: 'ok',
          orderCounts: [2, 5],
        });
        // DAY exhausted: refused by the DAY interval; the 10S count does not grow either.
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 1, now: t + 20 * SEC })).toMatchObject({
          outcome: 'orders-limited',
          orderCounts: [0, 5],
          limitedBy: { type: 'ORDERS', index: 1 },
        });
        // Both refuse: the one that resets last (DAY) is reported.
        await admit(s, { ip, weight: 0, account: acct, orders: 3, now: t + 30 * SEC });
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 4, now: t + 30 * SEC })).toMatchObject({
          outcome: 'orders-limited',
          limitedBy: { type: 'ORDERS', index: 1 },
        });
        expect(await s.orderCounts(acct, t + DAY - 1)).toEqual([0, 5]);
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 1, now: t + DAY })).toMatchObject({
          outcome: 'ok',
          orderCounts: [1, 1],
        });
      });

      it('a request adding several orders is refused unless all of them fit', async () => {
        const s = get();
        const ip = ipOf('list');
        const acct = acctOf('list');
        const t = T0 + 102 * DAY;
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 2, now: t })).toMatchObject({
          orderCounts: [2, 2],
        });
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 3, now: t })).toMatchObject({
          outcome: 'orders-limited',
          orderCounts: [2, 2],
        });
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 1, now: t })).toMatchObject({
          outcome: 'ok',
          orderCounts: [3, 3],
        });
      });

      it('orders-limited charges weightOnOrderReject to REQUEST_WEIGHT', async () => {
        const s = get();
        const ip = ipOf('wrej');
        const acct = acctOf('wrej');
        const t = T0 + 103 * DAY;
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 3, weightOnOrderReject: 2, now: t })).toEqual({
          outcome: 'ok',
          usedWeight: [0],
          orderCounts: [3, 3],
        });
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 1, weightOnOrderReject: 2, now: t })).toEqual({
          outcome: 'orders-limited',
          usedWeight: [2],
          orderCounts: [3, 3],
          limitedBy: { type: 'ORDERS', index: 0 },
        });
        expect(await s.usage(ip, t)).toMatchObject({ rawRequests: [2], requestWeight: [2] });
        expect(await s.orderCounts(acct, t)).toEqual([3, 3]);
      });

      it('the ORDERS limiter is consulted only with orders > 0 and an account, and only for admitted requests', async () => {
        const s = get();
        const ip = ipOf('noorders');
        const acct = acctOf('noorders');
        const t = T0 + 104 * DAY;
        const plain = await admit(s, { ip, weight: 1, account: acct, now: t });
        expect(plain).toEqual({ outcome: 'ok', usedWeight: [1] });
        expect((await admit(s, { ip, weight: 1, account: acct, orders: 0, now: t })).orderCounts).toBeUndefined();
        expect((await admit(s, { ip, weight: 1, orders: 1, now: t })).orderCounts).toBeUndefined();
        expect(await s.orderCounts(acct, t)).toEqual([0, 0]);
        // An IP over its weight limit: 429 -1003, the order is not counted.
        const limited = await admit(s, { ip, weight: 10, account: acct, orders: 1, now: t });
        expect(limited.outcome).toBe('ip-limited');
        expect(limited.orderCounts).toBeUndefined();
        expect(await s.orderCounts(acct, t)).toEqual([0, 0]);
      });

      it('adjustOrders() changes the current windows and floors at 0', async () => {
        const s = get();
        const ip = ipOf('adjust');
        const acct = acctOf('adjust');
        const t = T0 + 105 * DAY + 5 * SEC;
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 3, now: t })).toMatchObject({
          orderCounts: [3, 3],
        });
        expect(await s.adjustOrders(acct, -1, t)).toEqual([2, 2]);
        expect(await admit(s, { ip, weight: 0, account: acct, orders: 1, now: t })).toMatchObject({
          outcome: 'ok',
          orderCounts: [3, 3],
        });
        // Next 10S window: the decrement applies to the current (empty) window, floored at 0.
        expect(await s.adjustOrders(acct, -1, t + 10 * SEC)).toEqual([0, 2]);
        expect(await s.adjustOrders(acct, -5, t + 10 * SEC)).toEqual([0, 0]);
        expect(await s.adjustOrders(acct, 2, t + 10 * SEC)).toEqual([2, 2]);
        expect(await s.orderCounts(acct, t + 10 * SEC)).toEqual([2, 2]);
        expect(await s.orderCounts(acct, t + 20 * SEC)).toEqual([0, 2]);
        const other = acctOf('adjust-unknown');
        expect(await s.adjustOrders(other, -1, t)).toEqual([0, 0]);
        expect(await s.orderCounts(other, t)).toEqual([0, 0]);
      });
    });
  });

  describe(`${name}: WebSocket connection attempts and strikes`, () => {
    const get = useStore(BASIC_TABLE, policyK(2));
    const W = 5 * MIN;

    it('admitConnection: the limit-th attempt is ok, the next is limited until the aligned window resets', async () => {
      const s = get();
      const ip = ipOf('wsc');
      const t = T0 + 10 * SEC;
      for (let i = 1; i <= 3; i++) {
        expect(await s.admitConnection({ ip, now: t, limit: 3, windowMs: W })).toEqual({ outcome: 'ok', attempts: i });
      }
      expect(await s.admitConnection({ ip, now: t + SEC, limit: 3, windowMs: W })).toEqual({
        outcome: 'limited',
        attempts: 4,
        retryAfterMs: W - 11 * SEC,
      });
      expect(await s.usage(ip, t + SEC)).toMatchObject({ rejections: 1, rawRequests: [0], requestWeight: [0] });
      expect(await s.admitConnection({ ip, now: T0 + W, limit: 3, windowMs: W })).toEqual({
        outcome: 'ok',
        attempts: 1,
      });
    });

    it('refused attempts and strikes count as 429 rejections: the (K+1)-th starts a ban; banned IPs are refused, nothing counted', async () => {
      const s = get();
      const ip = ipOf('strike');
      const t = T0 + 20 * SEC;
      expect(await s.strike(ip, t, W)).toEqual({ outcome: 'counted' });
      expect(await s.strike(ip, t, W)).toEqual({ outcome: 'counted' });
      expect(await s.usage(ip, t)).toMatchObject({ rejections: 2, currentBan: null });
      expect(await s.strike(ip, t + 1, W)).toEqual({
        outcome: 'banned',
        retryAfterMs: FIRST_BAN,
        bannedUntil: t + 1 + FIRST_BAN,
      });
      expect(await s.strike(ip, t + 2, W)).toEqual({
        outcome: 'banned',
        retryAfterMs: FIRST_BAN - 1,
        bannedUntil: t + 1 + FIRST_BAN,
      });
      expect(await s.admitConnection({ ip, now: t + 3, limit: 3, windowMs: W })).toEqual({
        outcome: 'banned',
        attempts: 0,
        retryAfterMs: FIRST_BAN - 2,
        bannedUntil: t + 1 + FIRST_BAN,
      });
      // the ban is the IP's ban: REST requests get 418 too
      expect(await s.admit({ ip, weight: 1, now: t + 4 })).toMatchObject({
        outcome: 'banned',
        bannedUntil: t + 1 + FIRST_BAN,
      });
      const after = t + 1 + FIRST_BAN;
      expect(await s.admitConnection({ ip, now: after, limit: 3, windowMs: W })).toEqual({
        outcome: 'ok',
        attempts: 1,
      });

      const ip2 = ipOf('wsc-ban');
      for (let i = 0; i < 2; i++) await s.admitConnection({ ip: ip2, now: t, limit: 2, windowMs: W });
      expect(await s.admitConnection({ ip: ip2, now: t, limit: 2, windowMs: W })).toMatchObject({ outcome: 'limited' });
      expect(await s.admitConnection({ ip: ip2, now: t, limit: 2, windowMs: W })).toMatchObject({ outcome: 'limited' });
      expect(await s.admitConnection({ ip: ip2, now: t, limit: 2, windowMs: W })).toMatchObject({
        outcome: 'banned',
        attempts: 5,
        retryAfterMs: FIRST_BAN,
      });
    });
  });
}
