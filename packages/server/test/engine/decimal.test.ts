import { describe, expect, it } from 'vitest';
import { Account, Balance } from '../../src/engine/account.js';
import { AccountStore, B_FREE_HI, B_FREE_LO, BW } from '../../src/engine/account-store.js';
import {
  BAD,
  ceilTimes,
  commNum,
  floorScaledDiv,
  floorTimes,
  formatUnits,
  notionalUnits,
  OVERFLOW,
  parseUnits,
  parseUnitsBig,
  TOO_PRECISE,
  UNIT_N,
  unitsFraction,
  wideBig,
} from '../../src/engine/decimal.js';
import { mulberry32 } from './helpers.js';

describe('decimal', () => {
  it('parses plain decimals into 1e-8 units', () => {
    expect(parseUnits('0')).toBe(0);
    expect(parseUnits('1')).toBe(100_000_000);
    expect(parseUnits('0.01')).toBe(1_000_000);
    expect(parseUnits('0.00000001')).toBe(1);
    expect(parseUnits('30000.12345678')).toBe(3_000_012_345_678);
    expect(parseUnits('000.10')).toBe(10_000_000);
    expect(parseUnits('90071992.54740991')).toBe(Number.MAX_SAFE_INTEGER);
  });
  it('ignores trailing zeros but refuses significant digits past the precision', () => {
    expect(parseUnits('1.000000000000')).toBe(100_000_000);
    expect(parseUnits('1.000000001')).toBe(TOO_PRECISE);
    expect(parseUnits('1.001', 2)).toBe(TOO_PRECISE);
    expect(parseUnits('1.010', 2)).toBe(101_000_000);
  });
  it('refuses malformed and oversized values', () => {
    for (const s of ['', '.5', '5.', '-1', '1e5', '1,5', ' 1', '0x10', '1.2.3', 'NaN']) expect(parseUnits(s)).toBe(BAD);
    expect(parseUnits('90071993')).toBe(OVERFLOW);
    expect(parseUnits('90071992.54740992')).toBe(OVERFLOW);
    expect(parseUnits('123456789012345678901234567890')).toBe(OVERFLOW);
  });
  it('parses big values exactly', () => {
    expect(parseUnitsBig('123456789012345678.12345678')).toBe(12345678901234567812345678n);
    expect(parseUnitsBig('1.123456789')).toBe(TOO_PRECISE);
    expect(parseUnitsBig('abc')).toBe(BAD);
  });
  it('renders 8 decimals as Binance does', () => {
    expect(formatUnits(0)).toBe('0.00000000');
    expect(formatUnits(1_000_000)).toBe('0.01000000');
    expect(formatUnits(3_000_012_345_678)).toBe('30000.12345678');
    expect(formatUnits(1n)).toBe('0.00000001');
    expect(formatUnits(-150_000_000n)).toBe('-1.50000000');
    expect(formatUnits(12345678901234567812345678n)).toBe('123456789012345678.12345678');
  });
  it('round-trips', () => {
    const r = mulberry32(7);
    for (let i = 0; i < 2000; i++) {
      const v = Math.floor(r() * Number.MAX_SAFE_INTEGER);
      expect(parseUnits(formatUnits(v))).toBe(v);
    }
  });
  it('notional: number fast path equals the BigInt definition, floor rounding', () => {
    const r = mulberry32(11);
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(r() * 1e9);
      const s = Math.floor(r() * 1e9);
      const fn = 1 + Math.floor(r() * 1000);
      const fd = [1, 10, 100, 1000, 7][i % 5] as number;
      expect(notionalUnits(t, s, fn, fd)).toBe((BigInt(t) * BigInt(s) * BigInt(fn)) / BigInt(fd));
    }
    expect(notionalUnits(12345, 7, 1, 10)).toBe(8641n); // 8641.5 → 8641
  });
});

describe('exact number arithmetic (reference price, PERCENT_PRICE bounds)', () => {
  const rnd = mulberry32(7);
  const int = (max: number) => Math.floor(rnd() * max);

  it('floorScaledDiv is floor(a·10^k / d), or −1 out of its exact range', () => {
    for (let i = 0; i < 20000; i++) {
      const a = int(2 ** (1 + int(52)));
      const d = 1 + int(2 ** (1 + int(48)));
      const k = int(9);
      const want = (BigInt(a) * 10n ** BigInt(k)) / BigInt(d);
      const got = floorScaledDiv(a, k, d);
      if (want <= 2n ** 52n) expect(got, `${a}·10^${k}/${d}`).toBe(Number(want));
      else expect(got).toBe(-1);
    }
    expect(floorScaledDiv(2 ** 53, 8, 3)).toBe(-1);
    expect(floorScaledDiv(7, 8, 2 ** 50)).toBe(-1);
  });

  it('floorTimes / ceilTimes are exact floor and ceil of x·n/d, Infinity beyond 2^53', () => {
    for (let i = 0; i < 20000; i++) {
      const x = int(2 ** (1 + int(52)));
      const m = BigInt(int(2 ** (1 + int(40))));
      const f = unitsFraction(m);
      expect(BigInt(f[0]) * UNIT_N).toBe(m * BigInt(f[1])); // the same value, reduced
      const p = BigInt(x) * m;
      const floor = p / UNIT_N;
      const ceil = (p + UNIT_N - 1n) / UNIT_N;
      const max = BigInt(Number.MAX_SAFE_INTEGER);
      expect(floorTimes(x, f)).toBe(floor > max ? Infinity : Number(floor));
      if (ceil <= max) expect(ceilTimes(x, f)).toBe(Number(ceil));
    }
  });

  it('commNum is floor(amount·rate/1e8) exactly, or −1, also when the product passes 2^53', () => {
    const r = mulberry32(53);
    const big = (x: number): bigint => BigInt(Math.floor(x));
    let split = 0;
    for (let i = 0; i < 20_000; i++) {
      // amounts up to 2^53, rates up to 100 % (1e8), skewed towards the realistic small ones
      const amount = Math.floor(r() ** 3 * Number.MAX_SAFE_INTEGER);
      const rate = Math.floor(r() ** 4 * 1e8);
      const got = commNum(amount, rate);
      const want = (big(amount) * big(rate)) / UNIT_N;
      if (amount * rate > Number.MAX_SAFE_INTEGER && got >= 0) split++;
      if (got >= 0) expect(BigInt(got)).toBe(want);
      else expect(want > BigInt(Number.MAX_SAFE_INTEGER) || (amount % 1e8) * rate > Number.MAX_SAFE_INTEGER).toBe(true);
    }
    expect(split).toBeGreaterThan(1000); // the split path is exercised
    expect(commNum(150_000_000_000, 100_000)).toBe(150_000_000); // 1500 USDT at 0.1 %: product 1.5e16
  });
  it('balances hold exact two-part amounts (hi·2^32 + lo) and compare with numbers exactly', () => {
    const r = mulberry32(54);
    const b = new Balance(new Account(1, 100_000n, 100_000n, new AccountStore()), 'USDT');
    const row = b.slot * BW;
    for (let i = 0; i < 5_000; i++) {
      const v =
        r() < 0.5
          ? BigInt(Math.floor(r() * Number.MAX_SAFE_INTEGER))
          : BigInt(Math.floor(r() * 2 ** 40)) * BigInt(Math.floor(r() * 2 ** 45)) - BigInt(Math.floor(r() * 2 ** 20));
      b.free = v;
      b.locked = -v;
      expect(b.free).toBe(v);
      expect(b.locked).toBe(-v);
      const lo = b.store.b[row + B_FREE_LO] as number;
      expect(wideBig(b.store.b[row + B_FREE_HI] as number, lo)).toBe(v);
      expect(lo >= 0 && lo < 2 ** 32).toBe(true);
      const n = Math.floor(r() * Number.MAX_SAFE_INTEGER);
      const near = v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) + Math.floor(r() * 3) - 1 : n;
      for (const k of [n, Math.max(0, near)]) expect(b.freeBelow(k)).toBe(v < BigInt(k));
    }
  });
});
