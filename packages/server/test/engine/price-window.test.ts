import { describe, expect, it } from 'vitest';
import { PriceWindow, type Bucket } from '../../src/engine/price-window.js';
import { mulberry32 } from './helpers.js';

/** The definition: floor(Σquote · 1e8 / Σqty) over the buckets of minutes (minute − mins, minute], in BigInt. */
function reference(buckets: readonly Bucket[], mins: number, now: number): number {
  const minute = Math.floor(now / 60000);
  let q = 0n;
  let v = 0n;
  for (const b of buckets) {
    if (b.minute <= minute - mins || b.minute > minute) continue;
    q += BigInt(b.quoteN) + b.quoteB;
    v += BigInt(b.qtyN) + b.qtyB;
  }
  return v === 0n ? -1 : Number((q * 100_000_000n) / v);
}

describe('the average price window', () => {
  it('gives the exact volume-weighted average whatever the volumes, the clock and the windows asked', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = mulberry32(seed);
      const w = new PriceWindow(5);
      let now = 1_700_000_000_000;
      // small markets, busy ones (sums past 2^53 within a minute), single trades beyond 2^53, and
      // sums beyond 2^52 whole units
      const scale = [1e6, 1e12, 2e15, 2e15][seed % 4] as number;
      const huge = seed % 4 === 3 ? 10n ** 12n : 10_000n;
      for (let i = 0; i < 3000; i++) {
        const r = rnd();
        if (r < 0.02)
          now -= Math.floor(rnd() * 90_000); // a clock set back
        else now += Math.floor(rnd() * (r < 0.1 ? 400_000 : 2_000));
        const qty = 1 + Math.floor(rnd() * 1e9);
        const quote = 1 + Math.floor(rnd() * scale);
        if (rnd() < 0.05) {
          const big = BigInt(quote) * huge + BigInt(Math.floor(rnd() * 10_000)); // beyond 2^53
          w.record(now, -1, big, qty);
        } else w.record(now, quote, quote, qty);
        for (let k = 0; k < 2; k++) {
          const mins = Math.floor(rnd() * 6);
          const at = now + (rnd() < 0.2 ? Math.floor(rnd() * 300_000) : 0);
          expect(w.average(mins, at), `seed ${seed}, trade ${i}, mins ${mins}`).toBe(reference(w.buckets, mins, at));
        }
      }
      // restored from its buckets: the same averages
      const copy = new PriceWindow(5);
      copy.load(w.buckets);
      for (let mins = 0; mins <= 5; mins++) expect(copy.average(mins, now)).toBe(w.average(mins, now));
    }
  });

  it('has no average without trades in the window', () => {
    const w = new PriceWindow(5);
    expect(w.average(5, 0)).toBe(-1);
    w.record(0, 3_000_000_000_000, 3_000_000_000_000, 100_000_000);
    expect(w.average(5, 0)).toBe(3_000_000_000_000);
    expect(w.average(5, 5 * 60_000)).toBe(-1);
  });

  it('carries whole units exactly when the fractions add up to one', () => {
    const w = new PriceWindow(5);
    // two minutes: 1.5 + 0.5 whole units of quote
    w.record(0, 150_000_000, 150_000_000, 100_000_000);
    w.record(60_000, 50_000_000, 50_000_000, 100_000_000);
    expect(w.average(5, 60_000)).toBe(100_000_000);
  });
});
