import { describe, expect, it } from 'vitest';
import {
  AccountStore,
  addFreeAt,
  addLockedAt,
  B_ACCOUNT,
  B_ACCOUNT_ID,
  B_ASSET,
  B_D_FREE,
  B_D_LOCK,
  B_FREE_HI,
  B_FREE_LO,
  B_LOCK_HI,
  B_LOCK_LO,
  B_MAKER_N,
  B_TAKER_N,
  BW,
  freeBelow,
  setWide,
  settleAt,
} from '../../src/engine/account-store.js';
import { wideBig } from '../../src/engine/decimal.js';
import { ById } from '../../src/engine/by-id.js';
import { mulberry32 } from './helpers.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

describe('account store', () => {
  it('keeps every balance exact through pending deltas of any size, as a BigInt model does', () => {
    const r = mulberry32(71);
    const store = new AccountStore();
    const rows: number[] = [];
    // enough accounts to grow both arrays several times
    for (let a = 0; a < 300; a++) {
      const acct = store.addAccount();
      rows.push(store.addBalance(acct, 1000 + a, 0, 0, 0) * BW, store.addBalance(acct, 1000 + a, 1, 0, 0) * BW);
    }
    const free = rows.map(() => 0n);
    const locked = rows.map(() => 0n);
    const b = () => store.b;
    for (let step = 0; step < 20_000; step++) {
      const k = Math.floor(r() * rows.length);
      const row = rows[k] as number;
      // deltas from 1 unit up to close to 2^53, either sign: sums leave 2^53 often
      const mag = r() < 0.3 ? Math.floor(r() * 1000) : Math.floor(r() * MAX_SAFE);
      const d = r() < 0.5 ? -mag : mag;
      if (r() < 0.5) {
        addFreeAt(b(), row, d);
        free[k] = (free[k] as bigint) + BigInt(d);
      } else {
        addLockedAt(b(), row, d);
        locked[k] = (locked[k] as bigint) + BigInt(d);
      }
      const pendingFree = b()[row + B_D_FREE] as number;
      const pendingLock = b()[row + B_D_LOCK] as number;
      expect(Math.abs(pendingFree) <= MAX_SAFE && Math.abs(pendingLock) <= MAX_SAFE).toBe(true);
      if (r() < 0.2) {
        settleAt(b(), row);
        expect(b()[row + B_D_FREE]).toBe(0);
        expect(b()[row + B_D_LOCK]).toBe(0);
      }
      // amount + pending delta is the model's value at every step
      const f = wideBig(b()[row + B_FREE_HI] as number, b()[row + B_FREE_LO] as number);
      const l = wideBig(b()[row + B_LOCK_HI] as number, b()[row + B_LOCK_LO] as number);
      expect(f + BigInt(b()[row + B_D_FREE] as number)).toBe(free[k]);
      expect(l + BigInt(b()[row + B_D_LOCK] as number)).toBe(locked[k]);
      const lo = b()[row + B_FREE_LO] as number;
      expect(lo >= 0 && lo < 2 ** 32 && Number.isInteger(lo)).toBe(true);
    }
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k] as number;
      settleAt(b(), row);
      expect(wideBig(b()[row + B_FREE_HI] as number, b()[row + B_FREE_LO] as number)).toBe(free[k]);
      expect(wideBig(b()[row + B_LOCK_HI] as number, b()[row + B_LOCK_LO] as number)).toBe(locked[k]);
    }
  });

  it('carries and borrows exactly at the 2^32 boundary of the low part', () => {
    const store = new AccountStore();
    const row = store.addBalance(store.addAccount(), 1, 0, 0, 0) * BW;
    const W = 2 ** 32;
    const cases: [bigint, number][] = [
      [BigInt(W - 1), 1],
      [BigInt(W - 1), W + 1],
      [BigInt(W), -1],
      [3n * BigInt(W), -(2 * W)],
      [5n * BigInt(W) + 7n, -7],
      [0n, -1],
      [BigInt(W - 2), 2],
    ];
    for (const [start, d] of cases) {
      setWide(store.b, row + B_FREE_HI, start);
      addFreeAt(store.b, row, d);
      settleAt(store.b, row);
      const lo = store.b[row + B_FREE_LO] as number;
      expect(lo >= 0 && lo < W).toBe(true);
      expect(wideBig(store.b[row + B_FREE_HI] as number, lo)).toBe(start + BigInt(d));
    }
  });

  it('compares free amounts with numbers exactly, around every part boundary', () => {
    const store = new AccountStore();
    const row = store.addBalance(store.addAccount(), 1, 0, 0, 0) * BW;
    const r = mulberry32(72);
    for (let i = 0; i < 5_000; i++) {
      const v =
        i % 3 === 0
          ? BigInt(Math.floor(r() * MAX_SAFE))
          : BigInt(Math.floor(r() * 2 ** 20)) * 2n ** 32n + 2n ** 32n - 1n - BigInt(i % 2);
      setWide(store.b, row + B_FREE_HI, v);
      const n = Math.floor(r() * MAX_SAFE);
      const near = v <= BigInt(MAX_SAFE) ? Math.max(0, Number(v) + (i % 3) - 1) : n;
      for (const x of [n, near]) expect(freeBelow(store.b, row, x)).toBe(v < BigInt(x));
    }
  });

  it("records each balance with its asset, account index, account id and the account's rates", () => {
    const store = new AccountStore();
    const a = store.addAccount();
    const b = store.addAccount();
    expect(b).not.toBe(a);
    const x = store.addBalance(b, 42, 7, 75_000, 100_000) * BW;
    const y = store.addBalance(a, 41, 3, -1, 0) * BW;
    const fields = (i: number) =>
      [B_ASSET, B_ACCOUNT, B_ACCOUNT_ID, B_MAKER_N, B_TAKER_N].map((f) => store.b[i + f] as number);
    expect(fields(x)).toEqual([7, b, 42, 75_000, 100_000]);
    expect(fields(y)).toEqual([3, a, 41, -1, 0]);
  });
});

describe('records by account id', () => {
  it('finds small, large, negative and fractional ids, and iterates in insertion order', () => {
    const m = new ById<string>();
    const ids = [5, 1, 2 ** 40, -3, 7.5, 0, 1 << 20, (1 << 20) - 1];
    for (const id of ids) m.set(id, `v${id}`);
    for (const id of ids) expect(m.get(id)).toBe(`v${id}`);
    for (const id of [2, 4, 6, 7, 8, 2 ** 40 + 1, -1, 7.25, 1.5]) expect(m.get(id)).toBeUndefined();
    expect([...m.values()]).toEqual(ids.map((id) => `v${id}`));
    expect(m.size).toBe(ids.length);
    m.set(5, 'again');
    expect(m.get(5)).toBe('again');
    expect(m.size).toBe(ids.length);
  });
});
