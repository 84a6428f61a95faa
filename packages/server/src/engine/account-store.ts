/**
 * The numbers of every balance of one engine, as rows of one typed array.
 *
 * Why: the order path touches the accounts of its taker and makers, picked among thousands. Kept as
 * objects, an account is the object, its balance map, the balance objects and a heap box for every
 * field holding a number beyond 31 bits, scattered over the heap: a cold load each. Here a balance
 * is one row of 16 numbers (the first cache line holds what the order path reads and writes),
 * carrying what the order path needs of its account too (commission rates, owner), so that an order
 * touches no per-account memory beyond its balances' rows and its SymbolAccount. `Balance` objects
 * remain for the rest of the engine and read their numbers from here.
 */

import { wideBig } from './decimal.js';

/** A balance's row: amounts as two-part numbers hi·2^32 + lo (0 ≤ lo < 2^32). */
export const BW = 16;
export const B_FREE_HI = 0;
export const B_FREE_LO = 1;
export const B_LOCK_HI = 2;
export const B_LOCK_LO = 3;
/** Pending deltas of the current command (numbers, |d| < 2^53; applied at the command's end). */
export const B_D_FREE = 4;
export const B_D_LOCK = 5;
/** Command sequence that last touched it (outboundAccountPosition bookkeeping; with B_TIME, the account's updateTime). */
export const B_MARK = 6;
/** The asset's code in event words. */
export const B_ASSET = 7;
export const B_ACCOUNT_ID = 8;
/** Its account's index (`Account.slot`): balances of one account share it. */
export const B_ACCOUNT = 9;
/** Its account's commission rates as numbers (−1: not below 2^53, use the BigInt). */
export const B_MAKER_N = 10;
export const B_TAKER_N = 11;
/** The time of the command that last changed it (B_MARK's). */
export const B_TIME = 12;

const WIDE = 2 ** 32;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export class AccountStore {
  /** Balance rows (BW numbers from slot·BW). Replaced when it grows: read it afresh after adding rows. */
  b = new Float64Array(BW * 64);
  private balances = 0;
  private accounts = 0;

  /** A new account's index. */
  addAccount(): number {
    return this.accounts++;
  }

  addBalance(accountSlot: number, accountId: number, assetCode: number, makerN: number, takerN: number): number {
    const slot = this.balances++;
    if (slot * BW >= this.b.length) this.b = grown(this.b);
    const i = slot * BW;
    this.b[i + B_ASSET] = assetCode;
    this.b[i + B_ACCOUNT_ID] = accountId;
    this.b[i + B_ACCOUNT] = accountSlot;
    this.b[i + B_MAKER_N] = makerN;
    this.b[i + B_TAKER_N] = takerN;
    return slot;
  }
}

function grown(v: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const out = new Float64Array(v.length * 2);
  out.set(v);
  return out;
}

/** free < `n` (an integer, 0 ≤ n < 2^53) for the balance at row offset `i`, compared part by part. */
export function freeBelow(b: Float64Array, i: number, n: number): boolean {
  const nh = Math.floor(n / WIDE);
  const hi = b[i + B_FREE_HI] as number;
  return hi < nh || (hi === nh && (b[i + B_FREE_LO] as number) < n - nh * WIDE);
}

/** Sets the two-part number at row offset `i` (hi at i, lo at i + 1) to `v`. */
export function setWide(b: Float64Array, i: number, v: bigint): void {
  b[i] = Number(v >> 32n);
  b[i + 1] = Number(v & 0xffffffffn);
}

/**
 * Adds `d` (an integer, |d| < 2^53) to a pending delta of the balance whose row starts at `row`
 * (`at`: B_D_FREE or B_D_LOCK, `hiAt`: its amount's B_FREE_HI or B_LOCK_HI); a delta that would
 * leave 2^53 goes into the amount at once, exactly.
 */
function addDelta(b: Float64Array, row: number, at: number, hiAt: number, d: number): void {
  const v = (b[row + at] as number) + d;
  if (v <= MAX_SAFE && v >= -MAX_SAFE) {
    b[row + at] = v;
    return;
  }
  const h = row + hiAt;
  setWide(b, h, wideBig(b[h] as number, b[h + 1] as number) + BigInt(b[row + at] as number) + BigInt(d));
  b[row + at] = 0;
}
export const addFreeAt = (b: Float64Array, row: number, d: number): void => addDelta(b, row, B_D_FREE, B_FREE_HI, d);
export const addLockedAt = (b: Float64Array, row: number, d: number): void => addDelta(b, row, B_D_LOCK, B_LOCK_HI, d);

/** (hi·2^32 + lo) + d at row offset `i` (hi at i, lo at i + 1) for an integer |d| < 2^53, exact. */
export function wideAddAt(b: Float64Array, i: number, d: number): void {
  const dh = Math.floor(d / WIDE);
  let l = (b[i + 1] as number) + (d - dh * WIDE);
  let h = (b[i] as number) + dh;
  if (l >= WIDE) {
    l -= WIDE;
    h++;
  }
  b[i] = h;
  b[i + 1] = l;
}

/** Applies the pending deltas of the balance at row offset `i`. */
export function settleAt(b: Float64Array, i: number): void {
  const df = b[i + B_D_FREE] as number;
  if (df !== 0) {
    wideAddAt(b, i + B_FREE_HI, df);
    b[i + B_D_FREE] = 0;
  }
  const dl = b[i + B_D_LOCK] as number;
  if (dl !== 0) {
    wideAddAt(b, i + B_LOCK_HI, dl);
    b[i + B_D_LOCK] = 0;
  }
}
