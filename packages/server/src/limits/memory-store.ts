/**
 * In-process LimitStore: Binance's REQUEST_WEIGHT / RAW_REQUESTS (per IP) and ORDERS (per account)
 * limiters plus escalating IP bans. Synchronous; sits on every request's hot path.
 *
 * Semantics (shared with every LimitStore; the contract suite in test/limits/store-contract.ts checks them):
 *
 * - Windows are fixed and aligned: windowStart = floor(now / intervalMs) × intervalMs, windowEnd =
 *   windowStart + intervalMs (exclusive). 1 DAY is the UTC day. A counter read or written in a window
 *   other than the one it was last written in counts from 0 (reset exactly at the boundary).
 * - admit(req):
 *   1. IP banned (bannedUntil > now) → 'banned'; nothing is counted; usedWeight = the current values;
 *      retryAfterMs = bannedUntil − now; bannedUntil.
 *   2. Otherwise +1 on every RAW_REQUESTS interval and +weight on every REQUEST_WEIGHT interval. The
 *      request is counted even when it is then rejected.
 *   3. If any of those counters is now > its limit (== limit is still fine) the request is over the
 *      limit. The blocking interval is, among the intervals whose counter is > limit, the one whose
 *      window resets last (ties: REQUEST_WEIGHT rows before RAW_REQUESTS rows, then table order).
 *      Violation window: if now ≥ the IP's violation-window end, rejections := 0 and the end := end of
 *      the blocking interval's current window. Then:
 *      - rejections ≥ policy.rejectionsBeforeBan → ban: ordinal n := 1 if the IP never was banned or
 *        banCountDecayMs have passed since its last ban ended (now − lastBanEnd ≥ banCountDecayMs),
 *        else previous ordinal + 1; duration min(firstBanMs × 2^(n−1), maxBanMs); bannedUntil := now +
 *        duration; rejections := 0 (the violation-window end is left as it is); the ban is appended
 *        to the streak history (a new streak — n = 1 — clears it; the last 20 are kept). Returns
 *        'banned' with retryAfterMs = duration and bannedUntil.
 *      - else rejections += 1 → 'ip-limited', limitedBy = the blocking interval, retryAfterMs = ms
 *        until its window resets. So exactly K = rejectionsBeforeBan 429s precede the 418.
 *   4. Admitted and orders > 0 and an account given: the account's ORDERS windows are rolled; the
 *      intervals with count + orders > limit refuse. If any refuses → 'orders-limited', order counts
 *      unchanged, weightOnOrderReject (if any) added to every REQUEST_WEIGHT interval, limitedBy = the
 *      refusing interval resetting last (ties: table order), orderCounts = the unchanged counts, no
 *      retryAfterMs (Binance sends -1015 without Retry-After). Else every ORDERS interval += orders.
 *   5. 'ok' returns usedWeight (this request included) and, when the ORDERS limiter was consulted,
 *      orderCounts (this request included). usedWeight is always present and always includes every
 *      weight counted by this call. 'ip-limited' / 'banned' never carry orderCounts.
 * - charge(ip, w): +w on the REQUEST_WEIGHT intervals (no limit check, no ban logic).
 * - peekWeight / orderCounts / usage: read only; an unknown key reads as zeros and creates nothing.
 * - adjustOrders(account, delta): current windows, count := max(0, count + delta) on every ORDERS
 *   interval.
 * - liftBans(ip | undefined): every running ban (bannedUntil > now) of that IP / of all IPs ends at
 *   `now`: the ban record's `until` becomes now, and the ordinal is kept, so the decay period starts
 *   at now. Returns the number of bans lifted.
 * - usage(ip): current-window counters; rejections = 0 once the violation window is over; currentBan
 *   = the running ban record or null; banHistory = the streak's records while its count has not
 *   decayed (now − lastBanEnd < banCountDecayMs), else [].
 *
 * Memory: keys map to slots of preallocated Float64Array columns (window start and count per
 * interval, expiry per key, ban end per IP). Each slot carries `expiresAt` = the latest moment at which
 * anything about it still matters (max over touched window ends, violation-window end, and for banned
 * IPs bannedUntil + banCountDecayMs); it only ever grows, which is conservative. Every admit()
 * advances a cursor over a few slots and frees the expired ones (no timers, no pauses); when a pass
 * of the cursor finds the columns less than a quarter full they are compacted (O(live keys), the same
 * amortised cost as a Map shrinking). Ban bookkeeping (rejections, history) lives in a side Map that
 * only IPs that went over a limit ever enter.
 */
import { intervalMs, type RateLimit } from '@binance-sandbox/protocol';
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

/** Ban records kept per IP (the current streak). */
export const BAN_HISTORY_LIMIT = 20;
/** Slots examined per admit() by the incremental sweep (IP table; the account table gets 1). */
const SWEEP_STEPS = 2;
const MIN_CAPACITY = 1024;

/** Keys → slots of fixed-stride Float64Array columns; free slots are reused, the columns grow and shrink. */
class SlotTable {
  readonly map = new Map<string, number>();
  /** slot → key (undefined: free). */
  keys: (string | undefined)[] = [];
  /** Window start per interval (NaN = never used), stride `n`. */
  win: Float64Array;
  /** Counter per interval, stride `n`. */
  cnt: Float64Array;
  /** Per slot: when nothing about the key matters any more. */
  exp: Float64Array;
  /** Per slot: ban end (IP table only; 0 = not banned). */
  ban: Float64Array;
  private free: number[] = [];
  /** Slots [0, top) have been handed out at least once. */
  top = 0;
  private cursor = 0;
  private cap: number;

  constructor(
    readonly n: number,
    private readonly withBans: boolean,
    private readonly onDelete: ((key: string) => void) | null,
  ) {
    this.cap = MIN_CAPACITY;
    this.win = new Float64Array(this.cap * n);
    this.cnt = new Float64Array(this.cap * n);
    this.exp = new Float64Array(this.cap);
    this.ban = new Float64Array(withBans ? this.cap : 0);
  }

  get capacity(): number {
    return this.cap;
  }

  alloc(key: string): number {
    let s: number;
    if (this.free.length > 0) s = this.free.pop()!;
    else {
      if (this.top === this.cap) this.resize(this.cap * 2);
      s = this.top++;
    }
    this.keys[s] = key;
    this.map.set(key, s);
    const n = this.n;
    const base = s * n;
    for (let i = 0; i < n; i++) {
      this.win[base + i] = NaN;
      this.cnt[base + i] = 0;
    }
    this.exp[s] = 0;
    if (this.withBans) this.ban[s] = 0;
    return s;
  }

  /** Examine up to `steps` slots; free those whose expiry has passed. */
  sweep(now: number, steps: number): void {
    for (let k = 0; k < steps; k++) {
      if (this.cursor >= this.top) {
        if (this.top === 0) return;
        this.cursor = 0;
        if (this.top > MIN_CAPACITY && this.map.size * 4 < this.top) {
          this.compact();
          return;
        }
      }
      const s = this.cursor++;
      const key = this.keys[s];
      if (key !== undefined && this.exp[s]! <= now) {
        this.map.delete(key);
        this.keys[s] = undefined;
        this.free.push(s);
        if (this.onDelete !== null) this.onDelete(key);
      }
    }
  }

  /** Move live slots to [0, size) and shrink the columns. */
  private compact(): void {
    const size = this.map.size;
    let cap = MIN_CAPACITY;
    while (cap < size * 2) cap *= 2;
    const n = this.n;
    const win = new Float64Array(cap * n);
    const cnt = new Float64Array(cap * n);
    const exp = new Float64Array(cap);
    const ban = new Float64Array(this.withBans ? cap : 0);
    const keys: (string | undefined)[] = new Array<string | undefined>(size);
    let j = 0;
    for (const [key, s] of this.map) {
      win.set(this.win.subarray(s * n, s * n + n), j * n);
      cnt.set(this.cnt.subarray(s * n, s * n + n), j * n);
      exp[j] = this.exp[s]!;
      if (this.withBans) ban[j] = this.ban[s]!;
      keys[j] = key;
      this.map.set(key, j);
      j++;
    }
    this.win = win;
    this.cnt = cnt;
    this.exp = exp;
    this.ban = ban;
    this.keys = keys;
    this.free = [];
    this.top = size;
    this.cursor = 0;
    this.cap = cap;
  }

  private resize(cap: number): void {
    const grow = (a: Float64Array, len: number): Float64Array => {
      const b = new Float64Array(len);
      b.set(a);
      return b;
    };
    this.win = grow(this.win, cap * this.n);
    this.cnt = grow(this.cnt, cap * this.n);
    this.exp = grow(this.exp, cap);
    if (this.withBans) this.ban = grow(this.ban, cap);
    this.cap = cap;
  }

  clear(): void {
    this.map.clear();
    this.keys = [];
    this.free = [];
    this.top = 0;
    this.cursor = 0;
    this.cap = MIN_CAPACITY;
    this.win = new Float64Array(this.cap * this.n);
    this.cnt = new Float64Array(this.cap * this.n);
    this.exp = new Float64Array(this.cap);
    this.ban = new Float64Array(this.withBans ? this.cap : 0);
  }
}

/** Ban bookkeeping of an IP that went over a limit at least once. */
interface IpStrikes {
  /** 429s in the current violation window. */
  rejections: number;
  violationEnd: number;
  /** Ordinal of the last ban (0: never banned). */
  ordinal: number;
  lastBanEnd: number;
  /** Bans of the current streak, oldest first. */
  history: BanRecord[];
}

export class MemoryLimitStore implements LimitStore {
  // Table, flattened: IP intervals are RAW_REQUESTS rows [0, nRaw) then REQUEST_WEIGHT rows [nRaw, nIp).
  private readonly nRaw: number;
  private readonly nWeight: number;
  private readonly nIp: number;
  private readonly nOrd: number;
  private readonly ipMs: Float64Array;
  private readonly ipLimit: Float64Array;
  private readonly ordMs: Float64Array;
  private readonly ordLimit: Float64Array;

  // Window cache: valid for now in [validFrom, validTo).
  private validFrom = Infinity;
  private validTo = -Infinity;
  private readonly ipCur: Float64Array;
  private readonly ipEnd: Float64Array;
  private readonly ordCur: Float64Array;
  private readonly ordEnd: Float64Array;
  /** Latest current-window end over the IP / ORDERS intervals: a touched key's expiry. */
  private ipTouchExp = -Infinity;
  private ordTouchExp = -Infinity;

  private readonly ips: SlotTable;
  private readonly accounts: SlotTable;
  private readonly strikes = new Map<string, IpStrikes>();
  /** WebSocket connection attempts per IP (admitConnection), swept incrementally. */
  private readonly connections = new Map<string, { start: number; count: number; windowMs: number }>();
  private connCursor: Iterator<[string, { start: number; count: number; windowMs: number }]> | undefined;
  private readonly refs: { raw: LimitRef[]; weight: LimitRef[]; orders: LimitRef[] };

  constructor(
    private readonly table: LimitTable,
    private readonly policy: BanPolicy = DEFAULT_BAN_POLICY,
  ) {
    const ipRows: RateLimit[] = [...table.rawRequests, ...table.requestWeight];
    this.nRaw = table.rawRequests.length;
    this.nWeight = table.requestWeight.length;
    this.nIp = ipRows.length;
    this.nOrd = table.orders.length;
    this.ipMs = Float64Array.from(ipRows, (r) => intervalMs(r));
    this.ipLimit = Float64Array.from(ipRows, (r) => r.limit);
    this.ordMs = Float64Array.from(table.orders, (r) => intervalMs(r));
    this.ordLimit = Float64Array.from(table.orders, (r) => r.limit);
    for (const ms of [...this.ipMs, ...this.ordMs]) {
      if (!(ms > 0) || !Number.isFinite(ms)) throw new RangeError('every rate limit needs a positive interval');
    }
    this.ipCur = new Float64Array(this.nIp);
    this.ipEnd = new Float64Array(this.nIp);
    this.ordCur = new Float64Array(this.nOrd);
    this.ordEnd = new Float64Array(this.nOrd);
    this.ips = new SlotTable(this.nIp, true, (ip) => {
      if (this.strikes.size > 0) this.strikes.delete(ip);
    });
    this.accounts = new SlotTable(this.nOrd, false, null);
    this.refs = {
      raw: table.rawRequests.map((_, index) => ({ type: 'RAW_REQUESTS', index })),
      weight: table.requestWeight.map((_, index) => ({ type: 'REQUEST_WEIGHT', index })),
      orders: table.orders.map((_, index) => ({ type: 'ORDERS', index })),
    };
  }

  /** Tracked keys (IPs + accounts). */
  get size(): number {
    return this.ips.map.size + this.accounts.map.size;
  }

  /** Tracked IPs / accounts / IPs with ban bookkeeping, and slot capacities (diagnostics). */
  get stats(): { ips: number; accounts: number; strikes: number; ipCapacity: number; accountCapacity: number } {
    return {
      ips: this.ips.map.size,
      accounts: this.accounts.map.size,
      strikes: this.strikes.size,
      ipCapacity: this.ips.capacity,
      accountCapacity: this.accounts.capacity,
    };
  }

  private refresh(now: number): void {
    // Callers test !(now >= validFrom && now < validTo), so a NaN now lands here and is refused.
    if (!Number.isFinite(now)) throw new RangeError(`limit store: now must be a finite epoch ms, got ${now}`);
    let from = -Infinity;
    let to = Infinity;
    let ipTouch = -Infinity;
    let ordTouch = -Infinity;
    for (let i = 0; i < this.nIp; i++) {
      const ms = this.ipMs[i]!;
      const start = Math.floor(now / ms) * ms;
      const end = start + ms;
      this.ipCur[i] = start;
      this.ipEnd[i] = end;
      if (start > from) from = start;
      if (end < to) to = end;
      if (end > ipTouch) ipTouch = end;
    }
    for (let i = 0; i < this.nOrd; i++) {
      const ms = this.ordMs[i]!;
      const start = Math.floor(now / ms) * ms;
      const end = start + ms;
      this.ordCur[i] = start;
      this.ordEnd[i] = end;
      if (start > from) from = start;
      if (end < to) to = end;
      if (end > ordTouch) ordTouch = end;
    }
    this.validFrom = from;
    this.validTo = to;
    this.ipTouchExp = ipTouch;
    this.ordTouchExp = ordTouch;
  }

  admit(req: AdmitRequest): AdmitResult {
    const now = req.now;
    if (!(now >= this.validFrom && now < this.validTo)) this.refresh(now);
    const ips = this.ips;
    ips.sweep(now, SWEEP_STEPS);
    this.accounts.sweep(now, 1);

    let s = ips.map.get(req.ip);
    if (s === undefined) s = ips.alloc(req.ip);
    else if (ips.ban[s]! > now) return this.alreadyBanned(s, now);

    // 2. count the request.
    const nRaw = this.nRaw;
    const nIp = this.nIp;
    const base = s * nIp;
    const win = ips.win;
    const cnt = ips.cnt;
    const cur = this.ipCur;
    const lim = this.ipLimit;
    const weight = req.weight;
    let over = false;
    for (let i = 0; i < nIp; i++) {
      const k = base + i;
      const add = i < nRaw ? 1 : weight;
      let c: number;
      if (win[k] !== cur[i]) {
        win[k] = cur[i]!;
        c = add;
      } else c = cnt[k]! + add;
      cnt[k] = c;
      if (c > lim[i]!) over = true;
    }
    if (ips.exp[s]! < this.ipTouchExp) ips.exp[s] = this.ipTouchExp;

    // 3. over the limit.
    if (over) return this.overLimit(s, req.ip, now);

    // 4. ORDERS.
    const orders = req.orders;
    if (orders !== undefined && orders > 0 && req.account !== undefined) {
      return this.admitOrders(s, req.account, orders, req.weightOnOrderReject);
    }

    // 5. ok.
    return { outcome: 'ok', usedWeight: this.weightsOf(s) };
  }

  private admitOrders(s: number, account: string, orders: number, weightOnReject: number | undefined): AdmitResult {
    const accounts = this.accounts;
    let t = accounts.map.get(account);
    if (t === undefined) t = accounts.alloc(account);
    const nOrd = this.nOrd;
    const base = t * nOrd;
    const win = accounts.win;
    const cnt = accounts.cnt;
    const cur = this.ordCur;
    const lim = this.ordLimit;
    let refused = -1;
    for (let i = 0; i < nOrd; i++) {
      const k = base + i;
      if (win[k] !== cur[i]) {
        win[k] = cur[i]!;
        cnt[k] = 0;
      }
      if (cnt[k]! + orders > lim[i]!) {
        if (refused < 0 || this.ordEnd[i]! > this.ordEnd[refused]!) refused = i;
      }
    }
    if (accounts.exp[t]! < this.ordTouchExp) accounts.exp[t] = this.ordTouchExp;
    if (refused >= 0) {
      if (weightOnReject !== undefined && weightOnReject !== 0) this.addWeight(s, weightOnReject);
      return {
        outcome: 'orders-limited',
        usedWeight: this.weightsOf(s),
        orderCounts: this.countsOf(t),
        limitedBy: this.refs.orders[refused]!,
      };
    }
    for (let i = 0; i < nOrd; i++) cnt[base + i] = cnt[base + i]! + orders;
    return { outcome: 'ok', usedWeight: this.weightsOf(s), orderCounts: this.countsOf(t) };
  }

  /** Used weight of slot `s`; only valid right after its windows were rolled in this call. */
  private weightsOf(s: number): number[] {
    const n = this.nWeight;
    const cnt = this.ips.cnt;
    const base = s * this.nIp + this.nRaw;
    if (n === 1) return [cnt[base]!];
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = cnt[base + i]!;
    return out;
  }

  private countsOf(t: number): number[] {
    const n = this.nOrd;
    const cnt = this.accounts.cnt;
    const base = t * n;
    if (n === 2) return [cnt[base]!, cnt[base + 1]!];
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = cnt[base + i]!;
    return out;
  }

  /** Current-window values of IP intervals [from, from + n) of slot s (s may be undefined: zeros). */
  private readIp(s: number | undefined, from: number, n: number, now: number): number[] {
    if (!(now >= this.validFrom && now < this.validTo)) this.refresh(now);
    const out = new Array<number>(n).fill(0);
    if (s === undefined) return out;
    const base = s * this.nIp;
    const win = this.ips.win;
    const cnt = this.ips.cnt;
    for (let i = 0; i < n; i++) {
      const k = base + from + i;
      if (win[k] === this.ipCur[from + i]) out[i] = cnt[k]!;
    }
    return out;
  }

  /** Add weight to the REQUEST_WEIGHT intervals of slot s (rolling them); window cache must be current. */
  private addWeight(s: number, weight: number): void {
    const ips = this.ips;
    const base = s * this.nIp;
    for (let i = this.nRaw; i < this.nIp; i++) {
      const k = base + i;
      if (ips.win[k] !== this.ipCur[i]) {
        ips.win[k] = this.ipCur[i]!;
        ips.cnt[k] = weight;
      } else ips.cnt[k] = ips.cnt[k]! + weight;
    }
    if (ips.exp[s]! < this.ipTouchExp) ips.exp[s] = this.ipTouchExp;
  }

  private alreadyBanned(s: number, now: number): AdmitResult {
    const until = this.ips.ban[s]!;
    return {
      outcome: 'banned',
      usedWeight: this.readIp(s, this.nRaw, this.nWeight, now),
      retryAfterMs: until - now,
      bannedUntil: until,
    };
  }

  private overLimit(s: number, ip: string, now: number): AdmitResult {
    const ips = this.ips;
    const base = s * this.nIp;
    // Blocking interval: counter > limit, latest reset; ties → REQUEST_WEIGHT first, then table order.
    let block = -1;
    const consider = (i: number): void => {
      if (ips.cnt[base + i]! > this.ipLimit[i]! && (block < 0 || this.ipEnd[i]! > this.ipEnd[block]!)) block = i;
    };
    for (let i = this.nRaw; i < this.nIp; i++) consider(i);
    for (let i = 0; i < this.nRaw; i++) consider(i);
    const blockEnd = this.ipEnd[block]!;
    const limitedBy = block < this.nRaw ? this.refs.raw[block]! : this.refs.weight[block - this.nRaw]!;

    const ban = this.rejection(s, ip, now, blockEnd);
    if (ban !== null) {
      return { outcome: 'banned', usedWeight: this.weightsOf(s), retryAfterMs: ban.duration, bannedUntil: ban.until };
    }
    return { outcome: 'ip-limited', usedWeight: this.weightsOf(s), retryAfterMs: blockEnd - now, limitedBy };
  }

  /**
   * One 429 rejection of the IP in slot s (violation window ending at blockEnd if a new one starts):
   * counted (null), or the ban it starts.
   */
  private rejection(s: number, ip: string, now: number, blockEnd: number): { duration: number; until: number } | null {
    const ips = this.ips;
    let st = this.strikes.get(ip);
    if (st === undefined) {
      st = { rejections: 0, violationEnd: -Infinity, ordinal: 0, lastBanEnd: -Infinity, history: [] };
      this.strikes.set(ip, st);
    }
    if (now >= st.violationEnd) {
      st.rejections = 0;
      st.violationEnd = blockEnd;
    }
    if (st.rejections >= this.policy.rejectionsBeforeBan) {
      const p = this.policy;
      const ordinal = st.ordinal === 0 || now - st.lastBanEnd >= p.banCountDecayMs ? 1 : st.ordinal + 1;
      const duration = Math.min(p.firstBanMs * 2 ** (ordinal - 1), p.maxBanMs);
      const until = now + duration;
      if (ordinal === 1) st.history = [];
      st.history.push({ start: now, until, ordinal });
      if (st.history.length > BAN_HISTORY_LIMIT) st.history.shift();
      st.ordinal = ordinal;
      st.lastBanEnd = until;
      st.rejections = 0;
      ips.ban[s] = until;
      const keep = until + p.banCountDecayMs;
      if (ips.exp[s]! < keep) ips.exp[s] = keep;
      return { duration, until };
    }
    st.rejections += 1;
    if (ips.exp[s]! < st.violationEnd) ips.exp[s] = st.violationEnd;
    return null;
  }

  admitConnection(req: ConnectionAttempt): ConnectionAdmitResult {
    const { ip, now, limit, windowMs } = req;
    this.sweepConnections(now);
    const start = Math.floor(now / windowMs) * windowMs;
    const end = start + windowMs;
    let c = this.connections.get(ip);
    const current = c !== undefined && c.start === start ? c.count : 0;
    const s = this.ips.map.get(ip);
    if (s !== undefined && this.ips.ban[s]! > now) {
      const until = this.ips.ban[s]!;
      return { outcome: 'banned', attempts: current, retryAfterMs: until - now, bannedUntil: until };
    }
    if (c === undefined) {
      c = { start, count: 0, windowMs };
      this.connections.set(ip, c);
    } else if (c.start !== start) {
      c.start = start;
      c.count = 0;
      c.windowMs = windowMs;
    }
    c.count += 1;
    if (c.count <= limit) return { outcome: 'ok', attempts: c.count };
    const slot = s ?? this.ips.alloc(ip);
    const ban = this.rejection(slot, ip, now, end);
    if (ban !== null)
      return { outcome: 'banned', attempts: c.count, retryAfterMs: ban.duration, bannedUntil: ban.until };
    return { outcome: 'limited', attempts: c.count, retryAfterMs: end - now };
  }

  strike(ip: string, now: number, windowMs: number): StrikeResult {
    let s = this.ips.map.get(ip);
    if (s !== undefined && this.ips.ban[s]! > now) {
      const until = this.ips.ban[s]!;
      return { outcome: 'banned', retryAfterMs: until - now, bannedUntil: until };
    }
    if (s === undefined) s = this.ips.alloc(ip);
    const end = Math.floor(now / windowMs) * windowMs + windowMs;
    const ban = this.rejection(s, ip, now, end);
    if (ban !== null) return { outcome: 'banned', retryAfterMs: ban.duration, bannedUntil: ban.until };
    return { outcome: 'counted' };
  }

  /** Drops a couple of connection-attempt counters of past windows per call (bounded memory, no timers). */
  private sweepConnections(now: number): void {
    for (let k = 0; k < 2; k++) {
      let next = this.connCursor?.next();
      if (next === undefined || next.done === true) {
        this.connCursor = this.connections.entries();
        next = this.connCursor.next();
        if (next.done === true) return;
      }
      const [ip, c] = next.value;
      // A counter matters until its window ends.
      if (c.start + c.windowMs <= now) this.connections.delete(ip);
    }
  }

  charge(ip: string, weight: number, now: number): number[] {
    if (!(now >= this.validFrom && now < this.validTo)) this.refresh(now);
    let s = this.ips.map.get(ip);
    if (s === undefined) s = this.ips.alloc(ip);
    this.addWeight(s, weight);
    return this.weightsOf(s);
  }

  peekWeight(ip: string, now: number): number[] {
    return this.readIp(this.ips.map.get(ip), this.nRaw, this.nWeight, now);
  }

  adjustOrders(account: string, delta: number, now: number): number[] {
    if (!(now >= this.validFrom && now < this.validTo)) this.refresh(now);
    const accounts = this.accounts;
    let t = accounts.map.get(account);
    if (t === undefined) {
      if (!(delta > 0)) return new Array<number>(this.nOrd).fill(0);
      t = accounts.alloc(account);
    }
    const base = t * this.nOrd;
    for (let i = 0; i < this.nOrd; i++) {
      const k = base + i;
      const c = accounts.win[k] === this.ordCur[i] ? accounts.cnt[k]! + delta : delta;
      accounts.win[k] = this.ordCur[i]!;
      accounts.cnt[k] = c > 0 ? c : 0;
    }
    if (accounts.exp[t]! < this.ordTouchExp) accounts.exp[t] = this.ordTouchExp;
    return this.countsOf(t);
  }

  orderCounts(account: string, now: number): number[] {
    if (!(now >= this.validFrom && now < this.validTo)) this.refresh(now);
    const out = new Array<number>(this.nOrd).fill(0);
    const t = this.accounts.map.get(account);
    if (t === undefined) return out;
    const base = t * this.nOrd;
    for (let i = 0; i < this.nOrd; i++) {
      if (this.accounts.win[base + i] === this.ordCur[i]) out[i] = this.accounts.cnt[base + i]!;
    }
    return out;
  }

  usage(ip: string, now: number): IpUsage {
    const s = this.ips.map.get(ip);
    const rawRequests = this.readIp(s, 0, this.nRaw, now);
    const requestWeight = this.readIp(s, this.nRaw, this.nWeight, now);
    const st = s === undefined ? undefined : this.strikes.get(ip);
    if (s === undefined || st === undefined) {
      return { ip, rawRequests, requestWeight, rejections: 0, currentBan: null, banHistory: [] };
    }
    const banned = this.ips.ban[s]! > now;
    const streak = st.ordinal > 0 && now - st.lastBanEnd < this.policy.banCountDecayMs;
    return {
      ip,
      rawRequests,
      requestWeight,
      rejections: now < st.violationEnd ? st.rejections : 0,
      currentBan: banned ? (st.history[st.history.length - 1] ?? null) : null,
      banHistory: streak ? st.history.slice() : [],
    };
  }

  liftBans(ip: string | undefined, now: number): number {
    if (ip !== undefined) return this.liftOne(ip, now) ? 1 : 0;
    let lifted = 0;
    for (const key of this.strikes.keys()) if (this.liftOne(key, now)) lifted++;
    return lifted;
  }

  private liftOne(ip: string, now: number): boolean {
    const s = this.ips.map.get(ip);
    if (s === undefined || !(this.ips.ban[s]! > now)) return false;
    this.ips.ban[s] = 0;
    const st = this.strikes.get(ip);
    if (st !== undefined) {
      st.lastBanEnd = now;
      const last = st.history[st.history.length - 1];
      if (last !== undefined) st.history[st.history.length - 1] = { ...last, until: now };
    }
    return true;
  }

  close(): Promise<void> {
    this.connections.clear();
    this.ips.clear();
    this.accounts.clear();
    this.strikes.clear();
    return Promise.resolve();
  }

  /** The table this store enforces. */
  get limits(): LimitTable {
    return this.table;
  }
}
