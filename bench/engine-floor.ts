/**
 * What the engine benchmark's work costs in a data-oriented layout: the same stream (bench/engine.ts),
 * the same BTCUSDT rules taken from the engine's CompiledSymbol (exact decimal parsing, PRICE_FILTER,
 * LOT_SIZE, PERCENT_PRICE_BY_SIDE against the 5-minute VWAP, NOTIONAL, MAX_NUM_ORDERS, EXPIRE_MAKER
 * self-trade prevention, balances with reservations and commissions, trade history), but with orders
 * as rows of typed arrays, the book as a price ladder of intrusive FIFO lists, balances as exact
 * two-part numbers and events written as words into one reusable buffer: no allocation per operation.
 *
 * Only the paths this stream takes exist here (LIMIT GTC/IOC and cancels on one symbol); it is a
 * measuring stick, not an engine. The run checks that it reaches the engine's exact outcome
 * (accepted, rejected, trades, commissions) before reporting, so the two do the same work.
 * Run: `npm run build && npx tsx bench/engine-floor.ts [ops]` (the engine's build, as bench/engine.ts).
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import {
  ceilTimes,
  CompiledSymbol,
  floorTimes,
  parseUnits,
  parseUnitsBig,
  UNIT,
  UNIT_N,
} from '../packages/server/dist/engine/index.js';
import { runOurs } from './engine.js';
import { ACCOUNTS, opStream, type OpStream } from './engine-stream.js';
import { median, type BenchResult } from './lib.js';

type InfoResult = Omit<BenchResult, 'target'> & { readonly target: null };

/** Balances are hi·BLOCK + lo units, 0 ≤ lo < BLOCK: exact far beyond 2^53 units. */
const BLOCK = 1e15;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const RATE = 100_000; // 0.001 in units of 1e-8
const LADDER = 1 << 16;
const BASE = 0;
const QUOTE = 1;
const OPEN = 1;
const BUY = 2;

const floorDiv = (p: number, d: number): number => {
  let q = Math.floor(p / d);
  if (q * d > p) q--;
  return q;
};
const commission = (amount: number): number =>
  amount * RATE <= MAX_SAFE ? floorDiv(amount * RATE, UNIT) : Number((BigInt(amount) * BigInt(RATE)) / UNIT_N);

class FloorEngine {
  private readonly c: CompiledSymbol;
  // balances by account·2 + asset
  private readonly freeHi: Float64Array;
  private readonly freeLo: Float64Array;
  private readonly lockHi: Float64Array;
  private readonly lockLo: Float64Array;
  private readonly touchedAt: Int32Array;
  private readonly openCount: Int32Array;
  // orders by orderId (closed ones stay: their history)
  private readonly oPrice: Int32Array;
  private readonly oRem: Int32Array;
  private readonly oExec: Int32Array;
  private readonly oAcct: Int32Array;
  private readonly oFlags: Uint8Array;
  private readonly oNext: Int32Array;
  private readonly oPrev: Int32Array;
  private readonly oLock: Float64Array;
  private readonly oQuote: Float64Array;
  private readonly oTime: Float64Array;
  nextOrderId = 1;
  // the book: a ladder of price levels, ticks base .. base + LADDER − 1
  private base = -1;
  private readonly lHead = new Int32Array(LADDER);
  private readonly lTail = new Int32Array(LADDER);
  private readonly lQty = new Float64Array(LADDER);
  private readonly lCount = new Int32Array(LADDER);
  private bestBid = -1;
  private bestAsk = LADDER;
  // trades by tradeId
  private readonly tPrice: Int32Array;
  private readonly tQty: Int32Array;
  private readonly tBuyer: Int32Array;
  private readonly tSeller: Int32Array;
  private readonly tTime: Float64Array;
  nextTradeId = 1;
  private lastT = -1;
  // 5-minute VWAP: per-minute buckets in a ring, quote and quantity in units
  private readonly bMinute = new Float64Array(8).fill(-1);
  private readonly bQuote = new Float64Array(8);
  private readonly bQty = new Float64Array(8);
  private refMinute = -1;
  private refTrade = -1;
  private refValue = -1;
  private boundsRef = -1;
  private readonly bounds = new Float64Array(4); // bid lo/hi, ask lo/hi in units
  readonly fees = [0, 0];
  // events: [kind, a, b, c] words, consumed (here: dropped) after each command
  private readonly ev = new Float64Array(4096);
  private evN = 0;
  private seq = 0;
  private readonly touched = new Int32Array(64);
  private touchedN = 0;

  constructor(maxOrders: number, maxTrades: number) {
    this.c = new CompiledSymbol(DEFAULT_SYMBOLS.find((s) => s.symbol === 'BTCUSDT') as never);
    const n = (ACCOUNTS + 1) * 2;
    this.freeHi = new Float64Array(n);
    this.freeLo = new Float64Array(n);
    this.lockHi = new Float64Array(n);
    this.lockLo = new Float64Array(n);
    this.touchedAt = new Int32Array(n);
    this.openCount = new Int32Array(ACCOUNTS + 1);
    this.oPrice = new Int32Array(maxOrders);
    this.oRem = new Int32Array(maxOrders);
    this.oExec = new Int32Array(maxOrders);
    this.oAcct = new Int32Array(maxOrders);
    this.oFlags = new Uint8Array(maxOrders);
    this.oNext = new Int32Array(maxOrders);
    this.oPrev = new Int32Array(maxOrders);
    this.oLock = new Float64Array(maxOrders);
    this.oQuote = new Float64Array(maxOrders);
    this.oTime = new Float64Array(maxOrders);
    this.tPrice = new Int32Array(maxTrades);
    this.tQty = new Int32Array(maxTrades);
    this.tBuyer = new Int32Array(maxTrades);
    this.tSeller = new Int32Array(maxTrades);
    this.tTime = new Float64Array(maxTrades);
  }

  deposit(account: number, asset: number, amount: string): void {
    const v = parseUnitsBig(amount);
    if (typeof v !== 'bigint') throw new RangeError(`bad amount ${amount}`);
    const k = account * 2 + asset;
    this.freeHi[k]! += Number(v / BigInt(BLOCK));
    this.addFree(k, Number(v % BigInt(BLOCK)));
  }

  /** A LIMIT order; its orderId, or −1 when refused. */
  place(now: number, account: number, isBuy: boolean, ioc: boolean, price: string, qty: string): number {
    const c = this.c;
    const priceU = parseUnits(price, c.priceDecimals);
    const qtyU = parseUnits(qty, c.qtyDecimals);
    if (priceU <= 0 || qtyU <= 0) return -1;
    const t = priceU / c.pUnit;
    const s = qtyU / c.qUnit;
    if (!Number.isInteger(t) || !Number.isInteger(s)) return -1;
    if (t < c.fMinT || t > c.fMaxT || s < c.fMinS || s > c.fMaxS) return -1;
    if (!this.percentOk(now, priceU, isBuy)) return -1;
    const notional = floorDiv(t * s * c.fn, c.fd);
    if (notional < c.fMinN || notional > c.fMaxN) return -1;
    if (this.openCount[account]! + 1 > c.fMaxOrders) return -1;
    const k = account * 2 + (isBuy ? QUOTE : BASE);
    const need = isBuy ? notional : qtyU;
    if (this.freeHi[k] === 0 && this.freeLo[k]! < need) return -1;
    this.seq++;
    const id = this.nextOrderId++;
    this.oPrice[id] = t;
    this.oRem[id] = s;
    this.oExec[id] = 0;
    this.oAcct[id] = account;
    this.oFlags[id] = OPEN | (isBuy ? BUY : 0);
    this.oLock[id] = need;
    this.oQuote[id] = 0;
    this.oTime[id] = now;
    this.addFree(k, -need);
    this.addLock(k, need);
    this.openCount[account]!++;
    this.emit(1, id, 0, now); // NEW
    this.match(now, id, isBuy, t);
    if (this.oFlags[id]! & OPEN) {
      if (ioc) this.close(id, 2);
      else this.rest(id, t);
    }
    this.end();
    return id;
  }

  cancel(now: number, account: number, id: number): boolean {
    if (id <= 0 || id >= this.nextOrderId || this.oAcct[id] !== account || !(this.oFlags[id]! & OPEN)) return false;
    this.seq++;
    const i = this.oPrice[id]! - this.base;
    this.lQty[i]! -= this.oRem[id]!;
    this.unlink(id, i);
    this.close(id, 3);
    this.emit(5, i, this.lQty[i]!, now);
    this.end();
    return true;
  }

  /**
   * PERCENT_PRICE_BY_SIDE with the exact outcome: decided on a double-precision reference price when
   * the price is clear of both bounds by 1e-9 (far above the doubles' error), else exactly (BigInt).
   */
  private percentOk(now: number, priceU: number, isBuy: boolean): boolean {
    if (this.lastT < 0) return true;
    const f = this.c.fPercent[0];
    if (f === undefined) return true;
    const approx = this.approxRef(now);
    const [dn, dd] = isBuy ? f.fr.bidDown : f.fr.askDown;
    const [un, ud] = isBuy ? f.fr.bidUp : f.fr.askUp;
    const lo = (approx * dn) / dd;
    const hi = (approx * un) / ud;
    if (priceU > lo * (1 + 1e-9) && priceU < hi * (1 - 1e-9)) return true;
    if (priceU < lo * (1 - 1e-9) || priceU > hi * (1 + 1e-9)) return false;
    return this.percentOkExactly(now, priceU, isBuy);
  }

  private percentOkExactly(now: number, priceU: number, isBuy: boolean): boolean {
    const ref = this.refPrice(now);
    const f = this.c.fPercent[0];
    if (ref < 0 || f === undefined) return true;
    const b = this.bounds;
    if (this.boundsRef !== ref) {
      this.boundsRef = ref;
      b[0] = ceilTimes(ref, f.fr.bidDown);
      b[1] = floorTimes(ref, f.fr.bidUp);
      b[2] = ceilTimes(ref, f.fr.askDown);
      b[3] = floorTimes(ref, f.fr.askUp);
    }
    return isBuy ? priceU >= b[0]! && priceU <= b[1]! : priceU >= b[2]! && priceU <= b[3]!;
  }

  /** The 5-minute VWAP in doubles (relative error ~1e-15). */
  private approxRef(now: number): number {
    const minute = Math.floor(now / 60000);
    let q = 0;
    let v = 0;
    for (let i = 0; i < 8; i++) {
      const m = this.bMinute[i]!;
      if (m > minute - 5 && m <= minute) {
        q += this.bQuote[i]!;
        v += this.bQty[i]!;
      }
    }
    return v === 0 ? this.lastT * this.c.pUnit : (q / v) * UNIT;
  }

  private refPrice(now: number): number {
    if (this.lastT < 0) return -1;
    const minute = Math.floor(now / 60000);
    if (this.refMinute === minute && this.refTrade === this.nextTradeId) return this.refValue;
    let q = 0n;
    let v = 0;
    for (let i = 0; i < 8; i++) {
      const m = this.bMinute[i]!;
      if (m > minute - 5 && m <= minute) {
        q += BigInt(this.bQuote[i]!);
        v += this.bQty[i]!;
      }
    }
    this.refMinute = minute;
    this.refTrade = this.nextTradeId;
    this.refValue = v === 0 ? this.lastT * this.c.pUnit : Number((q * UNIT_N) / BigInt(v));
    return this.refValue;
  }

  private match(now: number, id: number, isBuy: boolean, limitT: number): void {
    const c = this.c;
    const account = this.oAcct[id]!;
    while (this.oRem[id]! > 0) {
      const i = isBuy ? this.bestAsk : this.bestBid;
      if (i < 0 || i >= LADDER) break;
      const p = i + this.base;
      if (isBuy ? p > limitT : p < limitT) break;
      const m = this.lHead[i]!;
      if (this.oAcct[m] === account) {
        // EXPIRE_MAKER: the resting order of the same account goes
        this.lQty[i]! -= this.oRem[m]!;
        this.unlink(m, i);
        this.close(m, 4);
        this.emit(5, i, this.lQty[i]!, 0);
        continue;
      }
      const rt = this.oRem[id]!;
      const rm = this.oRem[m]!;
      const q = rt < rm ? rt : rm;
      const qU = q * c.qUnit;
      const quote = floorDiv(p * q * c.fn, c.fd);
      const buy = isBuy ? id : m;
      const sell = isBuy ? m : id;
      const commBase = commission(qU);
      const commQuote = commission(quote);
      const bk = this.oAcct[buy]! * 2;
      const sk = this.oAcct[sell]! * 2;
      this.addLock(bk + QUOTE, -quote);
      this.oLock[buy]! -= quote;
      this.addFree(bk + BASE, qU - commBase);
      this.addLock(sk + BASE, -qU);
      this.oLock[sell]! -= qU;
      this.addFree(sk + QUOTE, quote - commQuote);
      this.fees[0]! += commBase;
      this.fees[1]! += commQuote;
      this.oRem[id] = rt - q;
      this.oRem[m] = rm - q;
      this.oExec[id]! += q;
      this.oExec[m]! += q;
      this.oQuote[id]! += quote;
      this.oQuote[m]! += quote;
      this.lQty[i]! -= q;
      const tid = this.nextTradeId++;
      this.tPrice[tid] = p;
      this.tQty[tid] = q;
      this.tBuyer[tid] = buy;
      this.tSeller[tid] = sell;
      this.tTime[tid] = now;
      this.lastT = p;
      const minute = Math.floor(now / 60000);
      const b = minute & 7;
      if (this.bMinute[b] !== minute) {
        this.bMinute[b] = minute;
        this.bQuote[b] = 0;
        this.bQty[b] = 0;
      }
      this.bQuote[b]! += quote;
      this.bQty[b]! += qU;
      this.emit(3, tid, m, id); // trade, then the two execution reports
      this.emit(4, m, tid, isBuy ? commQuote : commBase);
      this.emit(4, id, tid, isBuy ? commBase : commQuote);
      if (rm === q) {
        this.unlink(m, i);
        this.close(m, 1);
      } else if (!isBuy) this.releaseBuyExcess(m);
      this.emit(5, i, this.lQty[i]!, 0);
    }
    if (this.oRem[id] === 0) this.close(id, 1);
    else if (isBuy) this.releaseBuyExcess(id);
  }

  /** A BUY reserves at its own price: what a better fill saved goes back to free. */
  private releaseBuyExcess(id: number): void {
    const target = floorDiv(this.oPrice[id]! * this.oRem[id]! * this.c.fn, this.c.fd);
    const lock = this.oLock[id]!;
    if (lock > target) {
      const k = this.oAcct[id]! * 2 + QUOTE;
      this.addLock(k, target - lock);
      this.addFree(k, lock - target);
      this.oLock[id] = target;
    }
  }

  private rest(id: number, t: number): void {
    if (this.base < 0) this.base = t - (LADDER >> 1);
    const i = t - this.base;
    if (i < 0 || i >= LADDER) throw new RangeError('price left the ladder (the bench stream stays within it)');
    const tail = this.lTail[i]!;
    this.oPrev[id] = tail;
    this.oNext[id] = 0;
    if (tail !== 0) this.oNext[tail] = id;
    else this.lHead[i] = id;
    this.lTail[i] = id;
    this.lCount[i]!++;
    this.lQty[i]! += this.oRem[id]!;
    if (this.oFlags[id]! & BUY) {
      if (i > this.bestBid) this.bestBid = i;
    } else if (i < this.bestAsk) this.bestAsk = i;
    this.emit(5, i, this.lQty[i]!, 0);
  }

  private unlink(id: number, i: number): void {
    const p = this.oPrev[id]!;
    const n = this.oNext[id]!;
    if (p !== 0) this.oNext[p] = n;
    else this.lHead[i] = n;
    if (n !== 0) this.oPrev[n] = p;
    else this.lTail[i] = p;
    if (--this.lCount[i]! > 0) return;
    if (i === this.bestBid) {
      let j = i - 1;
      while (j >= 0 && this.lCount[j] === 0) j--;
      this.bestBid = j;
    }
    if (i === this.bestAsk) {
      let j = i + 1;
      while (j < LADDER && this.lCount[j] === 0) j++;
      this.bestAsk = j;
    }
  }

  private close(id: number, reason: number): void {
    const isBuy = (this.oFlags[id]! & BUY) !== 0;
    const k = this.oAcct[id]! * 2 + (isBuy ? QUOTE : BASE);
    const lock = this.oLock[id]!;
    if (lock !== 0) {
      this.addLock(k, -lock);
      this.addFree(k, lock);
      this.oLock[id] = 0;
    }
    this.oFlags[id] = isBuy ? BUY : 0;
    this.openCount[this.oAcct[id]!]!--;
    this.emit(2, id, reason, 0);
  }

  private addFree(k: number, d: number): void {
    let lo = this.freeLo[k]! + d;
    if (lo >= BLOCK || lo < 0) {
      const carry = Math.floor(lo / BLOCK);
      this.freeHi[k]! += carry;
      lo -= carry * BLOCK;
    }
    this.freeLo[k] = lo;
    this.touch(k);
  }

  private addLock(k: number, d: number): void {
    let lo = this.lockLo[k]! + d;
    if (lo >= BLOCK || lo < 0) {
      const carry = Math.floor(lo / BLOCK);
      this.lockHi[k]! += carry;
      lo -= carry * BLOCK;
    }
    this.lockLo[k] = lo;
    this.touch(k);
  }

  private touch(k: number): void {
    if (this.touchedAt[k] !== this.seq) {
      this.touchedAt[k] = this.seq;
      this.touched[this.touchedN++] = k;
    }
  }

  private emit(kind: number, a: number, b: number, c: number): void {
    let n = this.evN;
    if (n + 4 > this.ev.length) n = 0;
    this.ev[n] = kind;
    this.ev[n + 1] = a;
    this.ev[n + 2] = b;
    this.ev[n + 3] = c;
    this.evN = n + 4;
  }

  /** The command's balance updates (outboundAccountPosition), then the buffer is handed on. */
  private end(): void {
    for (let i = 0; i < this.touchedN; i++) {
      const k = this.touched[i]!;
      this.emit(9, k, this.freeLo[k]!, this.lockLo[k]!);
    }
    this.touchedN = 0;
    this.evN = 0;
  }
}

interface FloorRun {
  seconds: number;
  accepted: number;
  rejected: number;
  trades: number;
  fees: readonly number[];
}

/** `count`: run only the first `count` ops. */
export function runFloor(ops: OpStream, count = ops.length): FloorRun {
  const ex = new FloorEngine(ops.length + 1, ops.length * 4 + 1);
  for (let a = 1; a <= ACCOUNTS; a++) {
    ex.deposit(a, QUOTE, '1000000000');
    ex.deposit(a, BASE, '100000');
  }
  const ids = new Int32Array(ops.length).fill(-1);
  let accepted = 0;
  let rejected = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const kind = ops.kind[i] as number;
    const account = ops.account[i] as number;
    const now = 1_700_000_000_000 + i;
    if (kind === 2) {
      const id = ids[ops.ref[i] as number] as number;
      if (id > 0 && ex.cancel(now, account, id)) accepted++;
      else rejected++;
    } else {
      const id = ex.place(now, account, ops.buy[i] === 1, kind === 1, ops.price(i), ops.qty(i));
      if (id > 0) {
        ids[i] = id;
        accepted++;
      } else rejected++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, accepted, rejected, trades: ex.nextTradeId - 1, fees: ex.fees };
}

export async function run(opts: { ops?: number; rounds?: number } = {}): Promise<InfoResult> {
  const n = opts.ops ?? 1_000_000;
  const rounds = opts.rounds ?? 3;
  const ops = opStream(n);
  const floorRates: number[] = [];
  const engineRates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const f = runFloor(ops);
    floorRates.push(n / f.seconds);
    const e = runOurs(ops, true);
    engineRates.push(n / e.seconds);
    if (r === 0) {
      const outcome = (x: Omit<FloorRun, 'seconds' | 'fees'> & { fees?: readonly number[] }) =>
        `${x.accepted}/${x.rejected}/${x.trades}, fees ${x.fees?.join('/')}`;
      const same = outcome(f) === outcome(e);
      console.log(`  accepted/rejected/trades, fees BTC/USDT in units: floor ${outcome(f)}; engine ${outcome(e)}`);
      if (!same) throw new Error('the floor does not reach the engine’s outcome: it would not measure the same work');
    }
  }
  const ours = median(engineRates);
  const floor = median(floorRates);
  return {
    name: `matching engine vs the same work in a data-oriented layout, ${n / 1e6}M ops`,
    unit: 'ops/s',
    ours,
    baseline: floor,
    baselineName: 'typed-array rows, price ladder, event words (bench/engine-floor.ts)',
    ratio: ours / floor,
    target: null,
    rounds,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run({ ...(process.argv[2] ? { ops: Number(process.argv[2]) } : {}) });
  console.log(
    `${r.name}\n  engine ${Math.round(r.ours).toLocaleString('en-US')} ${r.unit} · floor ${Math.round(r.baseline).toLocaleString('en-US')} ${r.unit} · engine/floor ${r.ratio.toFixed(2)}×`,
  );
}
