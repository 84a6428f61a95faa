/**
 * The price-range execution rule (faqs/price_range_execution_rules.md) and the reference price it is
 * measured from (ARITHMETIC_MEAN buckets, EXTERNAL).
 *
 * Expected reference prices are computed by hand with BigInt from the FAQ's arithmetic: a bucket per
 * `bucketWidthMs` (open time = time − time mod width), count += 1.0000 (10_000) per trade, sum +=
 * price (at the quote asset precision) · 10_000; the oldest bucket straddling the cutoff (now −
 * bucketCount · width) has count and sum reduced by (cutoff − open) / width (the reduction truncated);
 * reference = Σsum / Σcount, truncating.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, type SymbolDefinition } from '@binance-sandbox/protocol';
import {
  Exchange,
  type EngineEvent,
  type EngineOptions,
  type ExecutionEvent,
  type OrderView,
  type PlaceOrderCommand,
  type PlaceResult,
  type PriceRangeRule,
  type ReferencePriceCalculation,
} from '../../src/engine/index.js';
import { bal, book, BTC, btcWith, err, exchange, limit, market, mulberry32 } from './helpers.js';

const SYM = 'BTCUSDT';
const U = 100_000_000n; // units per 1 (1e-8)
const FIXED = 10_000n; // the count's / the sum's extra 4 decimals

const RULE: PriceRangeRule = {
  bidLimitMultUp: '1.1',
  bidLimitMultDown: '0.9',
  askLimitMultUp: '1.1',
  askLimitMultDown: '0.9',
};
const EXTERNAL: ReferencePriceCalculation = { calculationType: 'EXTERNAL', externalCalculationId: 0 };
const mean = (bucketCount: number, bucketWidthMs: number): ReferencePriceCalculation => ({
  calculationType: 'ARITHMETIC_MEAN',
  bucketCount,
  bucketWidthMs,
});

function opts(priceRange: PriceRangeRule | undefined, referencePrice: ReferencePriceCalculation): EngineOptions {
  return { executionRules: { [SYM]: { ...(priceRange ? { priceRange } : {}), referencePrice } } };
}

/** An exchange with an EXTERNAL reference price (set to `ref` unless null) and `rule`. */
function ext(ref: string | null = '100', rule: PriceRangeRule = RULE, symbols: SymbolDefinition[] = [BTC]): Exchange {
  const ex = exchange(symbols, opts(rule, EXTERNAL));
  if (ref !== null) ex.setReferencePrice({ now: 0, symbol: SYM, price: ref });
  return ex;
}

/** An exchange whose reference price is the engine's ARITHMETIC_MEAN. */
function arith(count: number, width: number, rule: PriceRangeRule | undefined = RULE, symbols = [BTC]): Exchange {
  return exchange(symbols, opts(rule, mean(count, width)));
}

/** A trade at `price` at time `now` (account 2 rests a SELL, account 1 takes it). */
function trade(ex: Exchange, now: number, price: string, qty = '0.1'): void {
  ex.placeOrder(limit(2, 'SELL', price, qty, { now }));
  const r = ex.placeOrder(limit(1, 'BUY', price, qty, { now }));
  expect(r.order.status).toBe('FILLED');
}

/** An order's outcome: status, expiry reason, fills as [price, qty] numbers. */
function outcome(r: PlaceResult): { status: string; reason: string | undefined; fills: number[][] } {
  return {
    status: r.order.status,
    reason: r.order.expiryReason,
    fills: r.fills.map((f) => [f.price / 1e8, f.qty / 1e8]),
  };
}

const RANGE = 'EXECUTION_RULE_PRICE_RANGE_EXCEEDED';
const expired = (fills: number[][] = []) => ({ status: 'EXPIRED', reason: RANGE, fills });

/** Units of a decimal string (test side, independent of the engine's parser). */
function units(s: string): bigint {
  const [i = '0', f = ''] = s.split('.');
  return BigInt(i) * U + BigInt(f.padEnd(8, '0'));
}

const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

// ==== the reference price =============================================================================

describe('ARITHMETIC_MEAN reference price', () => {
  it('has none before the first trade (-2043), and is not enforced then', () => {
    const ex = arith(3, 1000);
    expect(ex.referencePriceCalculation(SYM)).toEqual(mean(3, 1000));
    expect(ex.priceRangeRule(SYM)).toEqual(RULE);
    expect(ex.referencePrice(SYM, 5000)).toBeUndefined(); // the API answers -2043
    // the first trade at any price (no reference price: no limits)
    ex.placeOrder(limit(2, 'SELL', '500', '0.1', { now: 5000 }));
    const r = ex.placeOrder(limit(1, 'BUY', '500', '0.1', { now: 5000 }));
    expect(outcome(r)).toEqual({ status: 'FILLED', reason: undefined, fills: [[500, 0.1]] });
    expect(ex.referencePrice(SYM, 5000)).toBe(500n * U);
    // a symbol without a calculation never has one
    expect(exchange().referencePrice(SYM, 5000)).toBeUndefined();
    expect(exchange().referencePriceCalculation(SYM)).toBeUndefined();
    expect(exchange().priceRangeRule(SYM)).toBeUndefined();
  });

  it('is the truncated mean of one bucket', () => {
    const ex = arith(3, 1000);
    trade(ex, 10_100, '100.01');
    trade(ex, 10_200, '100.02');
    trade(ex, 10_900, '100.02');
    // Σsum / Σcount = (100.01 + 100.02 + 100.02)·1e4 / 3·1e4 = 100.0166666666… → 100.01666666
    const sum = (10_001_000_000n + 10_002_000_000n + 10_002_000_000n) * FIXED;
    expect(sum / (3n * FIXED)).toBe(10_001_666_666n);
    expect(ex.referencePrice(SYM, 10_900)).toBe(10_001_666_666n);
    // the same trades on a symbol whose quote asset has 2 decimals: 100.01
    const ex2 = arith(3, 1000, RULE, [btcWith([], { quotePrecision: 2 })]);
    trade(ex2, 10_100, '100.01');
    trade(ex2, 10_200, '100.02');
    trade(ex2, 10_900, '100.02');
    const sum2 = (10_001n + 10_002n + 10_002n) * FIXED; // prices in 0.01s
    expect((sum2 / (3n * FIXED)) * 1_000_000n).toBe(10_001_000_000n);
    expect(ex2.referencePrice(SYM, 10_900)).toBe(10_001_000_000n);
  });

  it('prorates the bucket straddling the cutoff (truncating), drops older ones, null when all expired', () => {
    const W = 3000;
    const ex = arith(2, W, undefined); // no rule: the prices only feed the mean
    trade(ex, 1000, '100.01'); // bucket 0
    trade(ex, 2000, '100.03'); // bucket 0
    trade(ex, 4000, '100'); // bucket 3000
    trade(ex, 6500, '99.99'); // bucket 6000
    const p = [10_001_000_000n, 10_003_000_000n, 10_000_000_000n, 9_999_000_000n];
    const w = BigInt(W);
    // now 6500: cutoff 500, bucket 0 straddles by 500/3000
    {
      const c0 = 2n * FIXED - (2n * FIXED * 500n) / w; // 20000 − 3333 = 16667
      const s0 = (p[0]! + p[1]!) * FIXED - ((p[0]! + p[1]!) * FIXED * 500n) / w;
      expect(c0).toBe(16_667n);
      const ref = (s0 + p[2]! * FIXED + p[3]! * FIXED) / (c0 + 2n * FIXED);
      expect(ref).toBe(10_000_545_449n); // 366690000000000 / 36667 = 100.00545449.04…; the plain mean is 100.0075
      expect(ex.referencePrice(SYM, 6500)).toBe(ref);
    }
    // now 8000: cutoff 2000, bucket 0 straddles by 2000/3000
    {
      const c0 = 2n * FIXED - (2n * FIXED * 2000n) / w; // 20000 − 13333 = 6667
      const s0 = (p[0]! + p[1]!) * FIXED - ((p[0]! + p[1]!) * FIXED * 2000n) / w;
      expect([c0, s0]).toEqual([6667n, 66_680_000_000_000n]);
      const ref = (s0 + p[2]! * FIXED + p[3]! * FIXED) / (c0 + 2n * FIXED);
      expect(ref).toBe(10_000_000_000n); // 266670000000000 / 26667
      expect(ex.referencePrice(SYM, 8000)).toBe(ref);
    }
    // now 9000: bucket 0 closed at the cutoff (3000): dropped, not prorated
    expect(ex.referencePrice(SYM, 9000)).toBe((p[2]! + p[3]!) / 2n);
    // now 14999: only bucket 6000 left, expired by 2999/3000 — the 4-decimal count makes the mean of a
    // single trade at 99.99 come out at 83.325 (count 10000 − 9996 = 4, sum 99.99·1e4·(1/3000))
    {
      const c = FIXED - (FIXED * 2999n) / w;
      const s = p[3]! * FIXED - (p[3]! * FIXED * 2999n) / w;
      expect([c, s, s / c]).toEqual([4n, 33_330_000_000n, 8_332_500_000n]);
      expect(ex.referencePrice(SYM, 14_999)).toBe(8_332_500_000n);
    }
    // now 15000: the window [9000, 15000] holds no bucket: null (not -2043)
    expect(ex.referencePrice(SYM, 15_000)).toBeNull();
    expect(ex.referencePrice(SYM, 1e9)).toBeNull();
    // reading is not a change: the past still answers the same
    expect(ex.referencePrice(SYM, 8000)).toBe(10_000_000_000n);
  });

  it('truncates the reductions (not the remainders) of a prorated bucket', () => {
    const ex = arith(1, 3000, undefined);
    trade(ex, 100, '100.01'); // bucket 0: count 1.0000, sum 100.01000000·1e4
    // now 5845: cutoff 2845, expired fraction 2845/3000
    const S = 10_001_000_000n * FIXED;
    const c = FIXED - (FIXED * 2845n) / 3000n; // 10000 − ⌊9483.3⌋ = 517
    const s = S - (S * 2845n) / 3000n; // S − ⌊94842816666666.6⌋
    expect([c, s]).toEqual([517n, 5_167_183_333_334n]);
    expect(s / c).toBe(9_994_551_902n); // ⌊S · 155/3000⌋ / 517 would give …901
    expect(ex.referencePrice(SYM, 5845)).toBe(9_994_551_902n);
  });

  it('FAQ arithmetic near the end of the window: a lone prorated trade drags the mean (and the range) down', () => {
    // one trade at 99.99 in bucket 6000 of 3000 ms, 2 buckets: at 14999 only 1/3000 of it is left,
    // count 0.0004 (rounded up from 0.00033…) against sum 99.99 · 0.00033…: the mean is 83.325
    const ex = arith(2, 3000);
    trade(ex, 6500, '99.99');
    expect(ex.referencePrice(SYM, 14_999)).toBe(8_332_500_000n);
    // so a BUY at the very price of that trade is outside [74.9925, 91.6575] at 14999, fine at 15000
    ex.placeOrder(limit(2, 'SELL', '99.99', '0.1', { now: 14_999 }));
    expect(outcome(ex.placeOrder(limit(1, 'BUY', '99.99', '0.1', { now: 14_999 })))).toEqual(expired());
    expect(outcome(ex.placeOrder(limit(1, 'BUY', '99.99', '0.1', { now: 15_000 }))).status).toBe('FILLED');
  });

  it('is not enforced while null (the whole window expired); a new trade starts a new mean', () => {
    const ex = arith(2, 1000);
    trade(ex, 1000, '100');
    expect(ex.referencePrice(SYM, 3999)).toBe(100n * U);
    expect(ex.referencePrice(SYM, 4000)).toBeNull();
    // 130 is outside [90, 110] of the old mean, allowed without a reference price
    ex.placeOrder(limit(2, 'SELL', '130', '0.1', { now: 4000 }));
    const r = ex.placeOrder(limit(1, 'BUY', '130', '0.1', { now: 4000 }));
    expect(outcome(r)).toEqual({ status: 'FILLED', reason: undefined, fills: [[130, 0.1]] });
    expect(ex.referencePrice(SYM, 4000)).toBe(130n * U);
    // and from now on it is enforced around 130: [117, 143]
    ex.placeOrder(limit(2, 'SELL', '143.01', '0.1', { now: 4001 }));
    expect(outcome(ex.placeOrder(limit(1, 'BUY', '150', '0.1', { now: 4001 })))).toEqual(expired());
  });

  it('dates a trade by its own time when the clock went back (its own bucket, before the later one)', () => {
    const ex = arith(10, 1000);
    trade(ex, 5500, '100');
    trade(ex, 4500, '110');
    // at 4500 only the 4000 bucket has begun; at 5500 both count
    expect(ex.referencePrice(SYM, 4500)).toBe(110n * U);
    expect(ex.referencePrice(SYM, 5500)).toBe(105n * U);
    trade(ex, 4600, '120'); // into the 4000 bucket again
    expect(ex.referencePrice(SYM, 4600)).toBe(115n * U);
    // cutoff 5500: the 4000 bucket is gone, the 5000 one is halved (100 either way)
    expect(ex.referencePrice(SYM, 15_500)).toBe(100n * U);
  });
});

// ==== the rule ========================================================================================

describe('price range: taker phases', () => {
  it('stops a taker mid-sweep at the first level outside the range (fills before stay)', () => {
    const ex = ext('100'); // BUY limits [90, 110]
    ex.placeOrder(limit(2, 'SELL', '105', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '108', '0.1'));
    ex.placeOrder(limit(3, 'SELL', '110', '0.1')); // exactly ref · 1.1: allowed
    ex.placeOrder(limit(3, 'SELL', '110.01', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '115', '0.1'));
    const r = ex.placeOrder(limit(1, 'BUY', '120', '0.5'));
    expect(outcome(r)).toEqual(
      expired([
        [105, 0.1],
        [108, 0.1],
        [110, 0.1],
      ]),
    );
    expect(r.order.executedQty).toBe(30_000_000);
    expect(r.order.cumQuote).toBe(3_230_000_000n);
    const last = r.events.filter((e): e is ExecutionEvent => e.type === 'execution').at(-1);
    expect(last).toMatchObject({
      executionType: 'EXPIRED',
      status: 'EXPIRED',
      expiryReason: RANGE,
      cumQty: 30_000_000,
    });
    expect(r.events.filter((e) => e.type === 'trade')).toHaveLength(3);
    // the rest does not rest; the outside levels stay
    expect(book(ex)).toEqual({ bids: [], asks: ['110.01x0.1', '115x0.1'] });
    expect(ex.openOrders(1, SYM)).toEqual([]);
    // balances: 32.3 USDT paid, nothing left locked; 0.3 BTC less 0.1% commission received
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '999967.70000000', locked: '0.00000000' });
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '100.29970000', locked: '0.00000000' });
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '99.80000000', locked: '0.10000000' });
    expect(ex.lastPrice(SYM)).toBe(110e8);
  });

  it('expires a BUY that would execute below ref · bidLimitMultDown (no fill)', () => {
    const ex = ext('100'); // BUY limits [90, 110]
    ex.placeOrder(limit(2, 'SELL', '89.99', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '95', '0.1'));
    const r = ex.placeOrder(limit(1, 'BUY', '100', '0.1'));
    expect(outcome(r)).toEqual(expired());
    expect(book(ex)).toEqual({ bids: [], asks: ['89.99x0.1', '95x0.1'] });
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '1000000.00000000', locked: '0.00000000' });
    // at exactly ref · 0.9 it trades
    const ex2 = ext('100');
    ex2.placeOrder(limit(2, 'SELL', '90', '0.1'));
    expect(outcome(ex2.placeOrder(limit(1, 'BUY', '100', '0.1')))).toEqual({
      status: 'FILLED',
      reason: undefined,
      fills: [[90, 0.1]],
    });
  });

  it('applies the ask multipliers to SELL takers, both directions', () => {
    // askLimitMultUp 1.2, askLimitMultDown 0.8 (the bid ones differ, to tell the sides apart)
    const rule = { bidLimitMultUp: '1.05', bidLimitMultDown: '0.95', askLimitMultUp: '1.2', askLimitMultDown: '0.8' };
    const ex = ext('100', rule);
    ex.placeOrder(limit(1, 'BUY', '95', '0.1'));
    ex.placeOrder(limit(1, 'BUY', '80', '0.1'));
    ex.placeOrder(limit(1, 'BUY', '79.99', '0.1'));
    const r = ex.placeOrder(limit(2, 'SELL', '70', '0.5'));
    expect(outcome(r)).toEqual(
      expired([
        [95, 0.1],
        [80, 0.1],
      ]),
    );
    expect(book(ex)).toEqual({ bids: ['79.99x0.1'], asks: [] });
    expect(bal(ex, 2, 'BTC')).toEqual({ free: '99.80000000', locked: '0.00000000' });
    // above: a bid at 120 is in range for a SELL (but 120 > 105 would not be for a BUY)
    const ex2 = ext('100', rule);
    ex2.placeOrder(limit(1, 'BUY', '120.01', '0.1'));
    expect(outcome(ex2.placeOrder(limit(2, 'SELL', '110', '0.1')))).toEqual(expired());
    expect(book(ex2).bids).toEqual(['120.01x0.1']);
    const ex3 = ext('100', rule);
    ex3.placeOrder(limit(1, 'BUY', '120', '0.1'));
    expect(outcome(ex3.placeOrder(limit(2, 'SELL', '110', '0.1')))).toEqual({
      status: 'FILLED',
      reason: undefined,
      fills: [[120, 0.1]],
    });
    // a BUY at 105.01 is not
    const ex4 = ext('100', rule);
    ex4.placeOrder(limit(2, 'SELL', '105.01', '0.1'));
    expect(outcome(ex4.placeOrder(limit(1, 'BUY', '110', '0.1')))).toEqual(expired());
  });

  it('leaves an end open where its multiplier is not set', () => {
    const rule = { bidLimitMultUp: '1.1', askLimitMultDown: '0.9' }; // no bid-down, no ask-up
    const ex = ext('100', rule);
    // a BUY far below the reference trades; a SELL far above too
    ex.placeOrder(limit(2, 'SELL', '30', '1'));
    expect(outcome(ex.placeOrder(limit(1, 'BUY', '30', '1'))).fills).toEqual([[30, 1]]);
    const ex2 = ext('100', rule);
    ex2.placeOrder(limit(1, 'BUY', '400', '0.1'));
    expect(outcome(ex2.placeOrder(limit(2, 'SELL', '400', '0.1'))).fills).toEqual([[400, 0.1]]);
    // the set ends still hold
    const ex3 = ext('100', rule);
    ex3.placeOrder(limit(2, 'SELL', '110.01', '0.1'));
    expect(outcome(ex3.placeOrder(limit(1, 'BUY', '111', '0.1')))).toEqual(expired());
    ex3.placeOrder(limit(1, 'BUY', '89.99', '0.1'));
    expect(outcome(ex3.placeOrder(limit(2, 'SELL', '89', '0.1')))).toEqual(expired());
    // a rule with no multiplier at all enforces nothing
    const ex4 = ext('100', {});
    ex4.placeOrder(limit(2, 'SELL', '450', '0.1'));
    expect(outcome(ex4.placeOrder(limit(1, 'BUY', '450', '0.1'))).fills).toEqual([[450, 0.1]]);
  });

  it('includes both ends exactly: ref · mult is compared in exact units, not rounded to the tick', () => {
    /** A taker at `takerPrice` against one maker at `makerPrice`, reference price `ref`: its status (and reason). */
    const meets = (ref: string, side: 'BUY' | 'SELL', makerPrice: string, takerPrice: string) => {
      const x = ext(ref);
      x.placeOrder(limit(side === 'BUY' ? 2 : 1, side === 'BUY' ? 'SELL' : 'BUY', makerPrice, '0.1'));
      const o = outcome(x.placeOrder(limit(side === 'BUY' ? 1 : 2, side, takerPrice, '0.1')));
      return o.reason === undefined ? o.status : `${o.status} ${o.reason}`;
    };
    const out = `EXPIRED ${RANGE}`;
    // ref 100.00000001: ·1.1 = 110.000000011 → 110.00 in, 110.01 out; ·0.9 = 90.000000009 → 90.00 out
    expect(meets('100.00000001', 'BUY', '110', '110')).toBe('FILLED');
    expect(meets('100.00000001', 'BUY', '90', '90')).toBe(out);
    expect(meets('100.00000001', 'BUY', '90.01', '90.01')).toBe('FILLED');
    // ref 99.99999999: ·1.1 = 109.999999989 → 110.00 out, 109.99 in; ·0.9 = 89.999999991 → 90.00 in
    expect(meets('99.99999999', 'BUY', '110', '110')).toBe(out);
    expect(meets('99.99999999', 'BUY', '109.99', '110')).toBe('FILLED');
    expect(meets('99.99999999', 'SELL', '90', '90')).toBe('FILLED');
    // the FAQ's example: multipliers 2 / 0.5 around 10.00: 20 and 5 are in, 20.01 and 4.99 out
    const faq = { bidLimitMultUp: '2', bidLimitMultDown: '0.5', askLimitMultUp: '2', askLimitMultDown: '0.5' };
    const at = (side: 'BUY' | 'SELL', price: string): string => {
      const x = ext('10', faq);
      x.placeOrder(limit(2, side === 'BUY' ? 'SELL' : 'BUY', price, '2'));
      return x.placeOrder(limit(1, side, price, '2')).order.status;
    };
    expect([at('BUY', '20'), at('BUY', '20.01'), at('BUY', '5'), at('BUY', '4.99')]).toEqual([
      'FILLED',
      'EXPIRED',
      'FILLED',
      'EXPIRED',
    ]);
    expect([at('SELL', '20'), at('SELL', '20.01'), at('SELL', '5'), at('SELL', '4.99')]).toEqual([
      'FILLED',
      'EXPIRED',
      'FILLED',
      'EXPIRED',
    ]);
  });

  it('MARKET by quantity: fills inside, expires with the rule (not INSUFFICIENT_LIQUIDITY), releases the rest', () => {
    const ex = ext('100');
    ex.placeOrder(limit(2, 'SELL', '105', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '110', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '111', '0.1'));
    const r = ex.placeOrder(market(1, 'BUY', '0.3'));
    expect(outcome(r)).toEqual(
      expired([
        [105, 0.1],
        [110, 0.1],
      ]),
    );
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '999978.50000000', locked: '0.00000000' });
    expect(book(ex).asks).toEqual(['111x0.1']);
    // a MARKET SELL below ref · askLimitMultDown
    const ex2 = ext('100');
    ex2.placeOrder(limit(1, 'BUY', '91', '0.1'));
    ex2.placeOrder(limit(1, 'BUY', '89', '0.1'));
    const r2 = ex2.placeOrder(market(2, 'SELL', '0.2'));
    expect(outcome(r2)).toEqual(expired([[91, 0.1]]));
    expect(bal(ex2, 2, 'BTC')).toEqual({ free: '99.90000000', locked: '0.00000000' });
    expect(book(ex2).bids).toEqual(['89x0.1']);
    // without a level outside the range, the usual reason
    const ex3 = ext('100');
    ex3.placeOrder(limit(2, 'SELL', '105', '0.1'));
    expect(outcome(ex3.placeOrder(market(1, 'BUY', '0.2')))).toEqual({
      status: 'EXPIRED',
      reason: 'INSUFFICIENT_LIQUIDITY',
      fills: [[105, 0.1]],
    });
  });

  it('MARKET by quoteOrderQty: the quantity comes from the whole book, the rule cuts the sweep', () => {
    const ex = ext('100');
    ex.placeOrder(limit(2, 'SELL', '100', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '110', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '120', '0.1'));
    const cmd: PlaceOrderCommand = {
      now: 5000,
      accountId: 1,
      symbol: SYM,
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: '33',
    };
    const r = ex.placeOrder(cmd);
    expect(r.order.spec.origQty).toBe(30_000_000); // 10 + 11 + 12 = 33: 0.3 from the book
    expect(outcome(r)).toEqual(
      expired([
        [100, 0.1],
        [110, 0.1],
      ]),
    );
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '999979.00000000', locked: '0.00000000' });
    expect(book(ex).asks).toEqual(['120x0.1']);
  });

  it('IOC: expires with the rule when the next level is within its price but outside the range', () => {
    const ex = ext('100');
    ex.placeOrder(limit(2, 'SELL', '105', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '112', '0.1'));
    const r = ex.placeOrder(limit(1, 'BUY', '115', '0.2', { timeInForce: 'IOC' }));
    expect(outcome(r)).toEqual(expired([[105, 0.1]]));
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '999989.50000000', locked: '0.00000000' });
    // beyond its own price first: the usual IOC expiry
    const ex2 = ext('100');
    ex2.placeOrder(limit(2, 'SELL', '105', '0.1'));
    ex2.placeOrder(limit(2, 'SELL', '112', '0.1'));
    expect(outcome(ex2.placeOrder(limit(1, 'BUY', '111', '0.2', { timeInForce: 'IOC' })))).toEqual({
      status: 'EXPIRED',
      reason: 'UNFILLED_IOC_QUANTITY_EXPIRED',
      fills: [[105, 0.1]],
    });
  });

  it('GTC: rests after a fill when the next level is beyond its own price (even if beyond the range too)', () => {
    const ex = ext('100');
    ex.placeOrder(limit(2, 'SELL', '105', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '115', '0.1'));
    const r = ex.placeOrder(limit(1, 'BUY', '106', '0.3'));
    expect(outcome(r)).toEqual({ status: 'PARTIALLY_FILLED', reason: undefined, fills: [[105, 0.1]] });
    expect(book(ex)).toEqual({ bids: ['106x0.2'], asks: ['115x0.1'] });
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '999968.30000000', locked: '21.20000000' });
    // resting is not taking: a later SELL taker within ITS range fills it as a maker
    const s = ex.placeOrder(limit(3, 'SELL', '100', '0.2'));
    expect(outcome(s)).toEqual({ status: 'FILLED', reason: undefined, fills: [[106, 0.2]] });
  });

  it('FOK: UNFILLED_FOK_ORDER_EXPIRED when its price cannot fill it, the rule when only the range stops it', () => {
    const setup = (): Exchange => {
      const ex = ext('100');
      ex.placeOrder(limit(2, 'SELL', '105', '0.1'));
      ex.placeOrder(limit(2, 'SELL', '110', '0.1'));
      ex.placeOrder(limit(2, 'SELL', '112', '0.1'));
      return ex;
    };
    const fok = (price: string, qty: string) => limit(1, 'BUY', price, qty, { timeInForce: 'FOK' });
    // its own price cannot fill 0.3
    const a = setup();
    expect(outcome(a.placeOrder(fok('111', '0.3')))).toEqual({
      status: 'EXPIRED',
      reason: 'UNFILLED_FOK_ORDER_EXPIRED',
      fills: [],
    });
    // its own price could (105, 110, 112), the range (≤ 110) cannot: no fills at all
    const b = setup();
    const rb = b.placeOrder(fok('120', '0.3'));
    expect(outcome(rb)).toEqual(expired());
    expect(rb.events.filter((e) => e.type === 'trade')).toEqual([]);
    expect(book(b).asks).toEqual(['105x0.1', '110x0.1', '112x0.1']);
    expect(bal(b, 1, 'USDT')).toEqual({ free: '1000000.00000000', locked: '0.00000000' });
    // within the range: filled
    const c = setup();
    expect(outcome(c.placeOrder(fok('120', '0.2')))).toEqual({
      status: 'FILLED',
      reason: undefined,
      fills: [
        [105, 0.1],
        [110, 0.1],
      ],
    });
    // the first level below ref · bidLimitMultDown
    const d = ext('100');
    d.placeOrder(limit(2, 'SELL', '85', '0.1'));
    d.placeOrder(limit(2, 'SELL', '95', '0.1'));
    expect(outcome(d.placeOrder(fok('95', '0.1')))).toEqual(expired());
    // a FOK SELL
    const e = ext('100');
    e.placeOrder(limit(1, 'BUY', '95', '0.1'));
    e.placeOrder(limit(1, 'BUY', '89.99', '0.1'));
    expect(outcome(e.placeOrder(limit(2, 'SELL', '80', '0.2', { timeInForce: 'FOK' })))).toEqual(expired());
    expect(outcome(e.placeOrder(limit(2, 'SELL', '80', '0.1', { timeInForce: 'FOK' }))).status).toBe('FILLED');
  });

  it('checks the range before self-trade prevention', () => {
    const ex = ext('100');
    ex.placeOrder(limit(1, 'SELL', '111', '0.1'));
    const r = ex.placeOrder(limit(1, 'BUY', '111', '0.1', { selfTradePreventionMode: 'EXPIRE_MAKER' }));
    expect(outcome(r)).toEqual(expired());
    expect(r.order.preventedQty).toBe(0);
    expect(ex.preventedMatches(1, SYM)).toEqual([]);
    expect(book(ex).asks).toEqual(['111x0.1']); // the maker was not expired by prevention
  });

  it('fixes the limits for the whole taker phase (trades during the sweep do not move them)', () => {
    const ex = arith(5, 60_000);
    trade(ex, 60_000, '100'); // ref 100: BUY ≤ 110
    ex.placeOrder(limit(2, 'SELL', '104', '0.1', { now: 60_010 }));
    ex.placeOrder(limit(2, 'SELL', '111', '0.1', { now: 60_010 }));
    // after the fill at 104 the mean is 102 (≤ 112.2 would allow 111), but the phase keeps ≤ 110
    const r = ex.placeOrder(limit(1, 'BUY', '111', '0.2', { now: 60_020 }));
    expect(outcome(r)).toEqual(expired([[104, 0.1]]));
    expect(ex.referencePrice(SYM, 60_020)).toBe(102n * U);
    // the next taker phase starts from 102: 111 is in range now
    const r2 = ex.placeOrder(limit(1, 'BUY', '111', '0.1', { now: 60_030 }));
    expect(outcome(r2)).toEqual({ status: 'FILLED', reason: undefined, fills: [[111, 0.1]] });
    expect(ex.referencePrice(SYM, 60_030)).toBe(105n * U);
  });
});

describe('price range: stops and lists', () => {
  /** Ref 100 (one trade), a BUY STOP_LOSS_LIMIT at 104 / 130, asks at 104 and `next`; a BUY at 104 triggers it. */
  const stopSetup = (next: string) => {
    const ex = arith(5, 60_000);
    trade(ex, 60_000, '100');
    const stop = ex.placeOrder({
      ...limit(3, 'BUY', '130', '0.1', { now: 60_001 }),
      type: 'STOP_LOSS_LIMIT',
      stopPrice: '104',
    });
    expect(stop.order.status).toBe('NEW');
    ex.placeOrder(limit(2, 'SELL', '104', '0.1', { now: 60_002 }));
    ex.placeOrder(limit(2, 'SELL', next, '0.1', { now: 60_002 }));
    const t = ex.placeOrder(limit(1, 'BUY', '104', '0.1', { now: 60_003 }));
    expect(outcome(t)).toEqual({ status: 'FILLED', reason: undefined, fills: [[104, 0.1]] });
    return { ex, stopId: stop.order.spec.orderId };
  };

  it('a triggered STOP_LOSS_LIMIT takes the reference price at trigger time (after the triggering trade)', () => {
    // at placement the mean was 100 (≤ 110); at trigger (100, 104) → 102: ≤ 112.2 — 111 is allowed
    const { ex, stopId } = stopSetup('111');
    const o = ex.getOrder(3, SYM, { orderId: stopId });
    expect([o.status, o.executedQty, o.cumQuote]).toEqual(['FILLED', 10_000_000, 1_110_000_000n]);
    expect(ex.referencePrice(SYM, 60_003)).toBe(105n * U); // (100 + 104 + 111) / 3
    expect(bal(ex, 3, 'USDT')).toEqual({ free: '999988.90000000', locked: '0.00000000' });
  });

  it('a triggered STOP_LOSS (market) SELL with only bids below the range expires unfilled, its base released', () => {
    const ex = ext('100'); // SELL limits [90, 110]
    ex.placeOrder(limit(1, 'BUY', '100', '0.1'));
    ex.placeOrder(limit(1, 'BUY', '89', '0.5'));
    const st = ex.placeOrder({
      now: 8000,
      accountId: 3,
      symbol: SYM,
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: '0.3',
      stopPrice: '100',
    });
    expect(st.order.status).toBe('NEW');
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '99.70000000', locked: '0.30000000' });
    ex.placeOrder(limit(2, 'SELL', '100', '0.1')); // trades at 100: triggers the stop
    const o = ex.getOrder(3, SYM, { orderId: st.order.spec.orderId });
    expect([o.status, o.expiryReason, o.executedQty]).toEqual(['EXPIRED', RANGE, 0]);
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '100.00000000', locked: '0.00000000' });
    expect(book(ex)).toEqual({ bids: ['89x0.5'], asks: [] });
  });

  it('a triggered STOP_LOSS_LIMIT beyond the trigger-time range expires with the rule', () => {
    const { ex, stopId } = stopSetup('112.21'); // > 102 · 1.1 = 112.2
    const o = ex.getOrder(3, SYM, { orderId: stopId });
    expect([o.status, o.expiryReason, o.executedQty]).toEqual(['EXPIRED', RANGE, 0]);
    expect(bal(ex, 3, 'USDT')).toEqual({ free: '1000000.00000000', locked: '0.00000000' });
    expect(book(ex).asks).toEqual(['112.21x0.1']);
    // and at exactly 112.20 it fills
    const { ex: ex2, stopId: id2 } = stopSetup('112.2');
    expect(ex2.getOrder(3, SYM, { orderId: id2 }).status).toBe('FILLED');
  });

  const otoLists = (ex: Exchange, working: Record<string, string>) =>
    ex.placeOto({
      now: 7000,
      accountId: 3,
      symbol: SYM,
      working: { type: 'LIMIT', side: 'BUY', quantity: '0.2', price: '120', timeInForce: 'GTC', ...working },
      pending: { type: 'LIMIT', side: 'SELL', quantity: '0.2', price: '130', timeInForce: 'GTC' },
    });
  const shape = (orders: OrderView[]) => orders.map((o) => [o.spec.side, o.status, o.expiryReason, o.executedQty]);

  it('an OTO working order expired by the rule takes its pending order along, as an IOC expiry does', () => {
    const ex = ext('100');
    ex.placeOrder(limit(2, 'SELL', '105', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '110.01', '0.1'));
    const r = otoLists(ex, {});
    expect(shape(ex.allOrders(3, SYM))).toEqual([
      ['BUY', 'EXPIRED', RANGE, 10_000_000],
      ['SELL', 'EXPIRED', undefined, 0],
    ]);
    expect(r.list.status).toBe('ALL_DONE');
    expect(ex.orderLists(3, SYM)[0]?.status).toBe('ALL_DONE');
    expect(bal(ex, 3, 'USDT')).toEqual({ free: '999989.50000000', locked: '0.00000000' });
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '100.09990000', locked: '0.00000000' });
    expect(book(ex)).toEqual({ bids: [], asks: ['110.01x0.1'] });
    // the same list with an IOC working order stopped by its own price
    const io = ext('100');
    io.placeOrder(limit(2, 'SELL', '105', '0.1'));
    io.placeOrder(limit(2, 'SELL', '110.01', '0.1'));
    const r2 = otoLists(io, { price: '106', timeInForce: 'IOC' });
    expect(shape(io.allOrders(3, SYM))).toEqual([
      ['BUY', 'EXPIRED', 'UNFILLED_IOC_QUANTITY_EXPIRED', 10_000_000],
      ['SELL', 'EXPIRED', undefined, 0],
    ]);
    expect(r2.list.status).toBe('ALL_DONE');
    expect(bal(io, 3, 'USDT')).toEqual(bal(ex, 3, 'USDT'));
    expect(bal(io, 3, 'BTC')).toEqual(bal(ex, 3, 'BTC'));
    // the pending order's execution reports match too (EXPIRED, no reason)
    const pend = (events: readonly EngineEvent[]) =>
      events
        .filter((e): e is ExecutionEvent => e.type === 'execution' && e.accountId === 3 && e.order.side === 'SELL')
        .map((e) => [e.executionType, e.status, e.expiryReason]);
    expect(pend(r.events)).toEqual(pend(r2.events));
    expect(pend(r.events)).toEqual([
      ['NEW', 'PENDING_NEW', undefined],
      ['EXPIRED', 'EXPIRED', undefined],
    ]);
  });

  it('an OPO working order expired by the rule: the pending order expires, what was received is freed', () => {
    const ex = ext('100');
    ex.placeOrder(limit(2, 'SELL', '105', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '110.01', '0.1'));
    const r = ex.placeOpo({
      now: 7000,
      accountId: 3,
      symbol: SYM,
      working: { type: 'LIMIT', side: 'BUY', quantity: '0.2', price: '120', timeInForce: 'GTC' },
      pending: { type: 'LIMIT', side: 'SELL', price: '130', timeInForce: 'GTC' },
    });
    expect(r.list.status).toBe('ALL_DONE');
    expect(shape(ex.allOrders(3, SYM))).toEqual([
      ['BUY', 'EXPIRED', RANGE, 10_000_000],
      ['SELL', 'EXPIRED', undefined, 0],
    ]);
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '100.09990000', locked: '0.00000000' });
    expect(bal(ex, 3, 'USDT')).toEqual({ free: '999989.50000000', locked: '0.00000000' });
  });

  it('an OTO pending order going live takes the reference price after its working order traded', () => {
    const ex = arith(5, 60_000);
    trade(ex, 60_000, '100'); // mean 100: BUY ≤ 110
    ex.placeOrder(limit(2, 'SELL', '104', '0.1', { now: 60_001 }));
    ex.placeOrder(limit(2, 'SELL', '111', '0.1', { now: 60_001 }));
    // the working BUY takes 104 (its phase: ≤ 110); the pending BUY goes live at mean 102: ≤ 112.2
    ex.placeOto({
      now: 60_002,
      accountId: 3,
      symbol: SYM,
      working: { type: 'LIMIT', side: 'BUY', quantity: '0.1', price: '104', timeInForce: 'GTC' },
      pending: { type: 'LIMIT', side: 'BUY', quantity: '0.1', price: '111', timeInForce: 'IOC' },
    });
    expect(shape(ex.allOrders(3, SYM))).toEqual([
      ['BUY', 'FILLED', undefined, 10_000_000],
      ['BUY', 'FILLED', undefined, 10_000_000],
    ]);
    expect(ex.referencePrice(SYM, 60_002)).toBe(105n * U);
  });

  it('an OTO pending order going live starts its own taker phase (and the rule can expire it)', () => {
    const ex = ext('100'); // SELL limits [90, 110]
    ex.placeOrder(limit(1, 'BUY', '89.99', '0.1'));
    ex.placeOto({
      now: 7000,
      accountId: 3,
      symbol: SYM,
      working: { type: 'LIMIT', side: 'BUY', quantity: '0.1', price: '100', timeInForce: 'GTC' },
      pending: { type: 'LIMIT', side: 'SELL', quantity: '0.1', price: '85', timeInForce: 'GTC' },
    });
    ex.placeOrder(limit(2, 'SELL', '100', '0.1')); // fills the working order: the pending SELL goes live
    expect(shape(ex.allOrders(3, SYM))).toEqual([
      ['BUY', 'FILLED', undefined, 10_000_000],
      ['SELL', 'EXPIRED', RANGE, 0],
    ]);
    expect(book(ex)).toEqual({ bids: ['89.99x0.1'], asks: [] });
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '100.09990000', locked: '0.00000000' });
    // with the reference price lowered before activation, the same pending order trades
    const ex2 = ext('100');
    ex2.placeOrder(limit(1, 'BUY', '89.99', '0.1'));
    ex2.placeOto({
      now: 7000,
      accountId: 3,
      symbol: SYM,
      working: { type: 'LIMIT', side: 'BUY', quantity: '0.1', price: '100', timeInForce: 'GTC' },
      pending: { type: 'LIMIT', side: 'SELL', quantity: '0.1', price: '85', timeInForce: 'GTC' },
    });
    ex2.setReferencePrice({ now: 7001, symbol: SYM, price: '99.99' }); // SELL ≥ 89.991 → 89.99 still out
    ex2.placeOrder(limit(2, 'SELL', '100', '0.1'));
    expect(ex2.allOrders(3, SYM)[1]?.expiryReason).toBe(RANGE);
    const ex3 = ext('100');
    ex3.placeOrder(limit(1, 'BUY', '89.99', '0.1'));
    ex3.placeOto({
      now: 7000,
      accountId: 3,
      symbol: SYM,
      working: { type: 'LIMIT', side: 'BUY', quantity: '0.1', price: '100', timeInForce: 'GTC' },
      pending: { type: 'LIMIT', side: 'SELL', quantity: '0.1', price: '85', timeInForce: 'GTC' },
    });
    ex3.setReferencePrice({ now: 7001, symbol: SYM, price: '99.98' }); // SELL ≥ 89.982 → 89.99 in
    ex3.placeOrder(limit(2, 'SELL', '100', '0.1'));
    expect(shape(ex3.allOrders(3, SYM))[1]).toEqual(['SELL', 'FILLED', undefined, 10_000_000]);
  });
});

// ==== EXTERNAL ==========================================================================================

describe('EXTERNAL reference price', () => {
  it('is set from outside, cleared to null (no enforcement), and refuses bad values', () => {
    const ex = ext(null);
    expect(ex.referencePriceCalculation(SYM)).toEqual(EXTERNAL);
    expect(ex.referencePrice(SYM, 1)).toBeUndefined(); // never set: -2043
    // not enforced before it is set
    ex.placeOrder(limit(2, 'SELL', '300', '0.1'));
    expect(outcome(ex.placeOrder(limit(1, 'BUY', '300', '0.1'))).status).toBe('FILLED');
    expect(ex.referencePrice(SYM, 1)).toBeUndefined(); // trades do not set an EXTERNAL price
    expect(ex.setReferencePrice({ now: 10, symbol: SYM, price: '250.12345678' })).toEqual([]);
    expect(ex.referencePrice(SYM, 10)).toBe(25_012_345_678n);
    expect(ex.referencePrice(SYM, 1e12)).toBe(25_012_345_678n); // it does not age
    // enforced: BUY ≤ 275.13580245 (250.12345678 · 1.1 = 275.135802458)
    ex.placeOrder(limit(2, 'SELL', '275.14', '0.1'));
    expect(outcome(ex.placeOrder(limit(1, 'BUY', '280', '0.1')))).toEqual(expired());
    ex.placeOrder(limit(2, 'SELL', '275.13', '0.1'));
    expect(outcome(ex.placeOrder(limit(1, 'BUY', '275.13', '0.1'))).status).toBe('FILLED');
    // bad values change nothing
    for (const [price, code] of [
      ['abc', -1130],
      ['-1', -1130],
      ['1e3', -1130],
      ['', -1130],
      ['0', -1130], // a zero reference price is refused
      ['0.00000000', -1130],
      ['1.000000001', -1111],
    ] as const) {
      const e = err(() => ex.setReferencePrice({ now: 11, symbol: SYM, price }));
      expect(e.code, price).toBe(code);
    }
    expect(ex.referencePrice(SYM, 11)).toBe(25_012_345_678n);
    // cleared: null, and nothing is enforced
    ex.setReferencePrice({ now: 12, symbol: SYM, price: null });
    expect(ex.referencePrice(SYM, 12)).toBeNull();
    expect(outcome(ex.placeOrder(limit(1, 'BUY', '280', '0.1'))).fills).toEqual([[275.14, 0.1]]);
  });

  it('takes the quote asset precision, and only on an EXTERNAL symbol', () => {
    const ex = ext(null, RULE, [btcWith([], { quotePrecision: 2 })]);
    expect(err(() => ex.setReferencePrice({ now: 1, symbol: SYM, price: '100.001' })).code).toBe(-1111);
    ex.setReferencePrice({ now: 1, symbol: SYM, price: '100.010' });
    expect(ex.referencePrice(SYM, 1)).toBe(10_001_000_000n);
    const am = arith(3, 1000);
    expect(err(() => am.setReferencePrice({ now: 1, symbol: SYM, price: '100' })).code).toBe(-2043);
    expect(err(() => exchange().setReferencePrice({ now: 1, symbol: SYM, price: '100' })).code).toBe(-2043);
    expect(err(() => ext().setReferencePrice({ now: 1, symbol: 'NOPE', price: '100' })).code).toBe(-1121);
    expect(() => ext().setReferencePrice({ now: 1, symbol: 'NOPE', price: '100' })).toThrow(ApiError);
  });
});

// ==== snapshots and determinism ===========================================================================

describe('reference price state', () => {
  const W = 3000;
  const N = 2;
  const script = (ex: Exchange): void => {
    trade(ex, 1000, '100.01');
    trade(ex, 2000, '100.03');
    trade(ex, 4000, '100');
    trade(ex, 6500, '99.99');
  };

  it('survives exportState / importState: the same buckets, the same reference prices and behaviour', () => {
    const o = opts(RULE, mean(N, W));
    const a = exchange([BTC], o);
    script(a);
    const state = structuredClone(a.exportState());
    const b = new Exchange([BTC], o);
    b.importState(state);
    for (const now of [6500, 7000, 8000, 9000, 12_345, 14_999, 15_000])
      expect(b.referencePrice(SYM, now), String(now)).toBe(a.referencePrice(SYM, now));
    expect(b.referencePrice(SYM, 8000)).toBe(10_000_000_000n);
    // the same commands give the same results: ref 100 → BUY ≤ 110.00, the ask at 110.01 stops it
    for (const ex of [a, b]) {
      ex.placeOrder(limit(2, 'SELL', '105', '0.1', { now: 8000 }));
      ex.placeOrder(limit(2, 'SELL', '110.01', '0.1', { now: 8000 }));
    }
    const ra = a.placeOrder(limit(1, 'BUY', '111', '0.2', { now: 8000 }));
    const oa = outcome(ra);
    const ea = json(ra.events);
    const rb = b.placeOrder(limit(1, 'BUY', '111', '0.2', { now: 8000 }));
    expect(outcome(rb)).toEqual(oa);
    expect(json(rb.events)).toBe(ea);
    expect(oa).toEqual(expired([[105, 0.1]]));
    for (const now of [8000, 9000, 11_000, 14_000, 14_500])
      expect(b.referencePrice(SYM, now), String(now)).toBe(a.referencePrice(SYM, now));
    expect(json(b.exportState().symbols)).toBe(json(a.exportState().symbols));
  });

  it('survives a snapshot on an EXTERNAL symbol: never set, set, cleared', () => {
    const o = opts(RULE, EXTERNAL);
    const round = (a: Exchange): Exchange => {
      const b = new Exchange([BTC], o);
      b.importState(structuredClone(a.exportState()));
      return b;
    };
    const a = new Exchange([BTC], o);
    expect(round(a).referencePrice(SYM, 1)).toBeUndefined();
    a.setReferencePrice({ now: 1, symbol: SYM, price: '123.45' });
    expect(round(a).referencePrice(SYM, 1)).toBe(12_345_000_000n);
    a.setReferencePrice({ now: 2, symbol: SYM, price: null });
    expect(round(a).referencePrice(SYM, 1)).toBeNull();
  });

  it('is not changed by reading it: the same commands give the same events with or without reads', () => {
    const run = (read: boolean): string[] => {
      const ex = arith(N, W);
      const rng = mulberry32(7);
      const out: string[] = [];
      let now = 1000;
      for (let i = 0; i < 60; i++) {
        now += Math.floor(rng() * 2500);
        if (read) for (const dt of [0, 1, 499, 1500, 2999, 5000, 6000, 1e6]) ex.referencePrice(SYM, now + dt);
        const px = (95 + Math.floor(rng() * 1000) / 100).toFixed(2);
        ex.placeOrder(limit(2, 'SELL', px, '0.1', { now }));
        const r = ex.placeOrder(limit(1, 'BUY', '115', '0.1', { now }));
        out.push(json(outcome(r)), json(r.events));
        const left = ex.openOrders(2, SYM)[0];
        if (left) ex.cancelOrder({ now, accountId: 2, symbol: SYM, orderId: left.spec.orderId });
        out.push(String(ex.referencePrice(SYM, now + 1234)));
      }
      out.push(json(ex.exportState().symbols));
      return out;
    };
    const plain = run(false);
    expect(run(true)).toEqual(plain);
    expect(plain.some((s) => s.includes(RANGE))).toBe(true); // the script does hit the rule
  });
});

// ==== a property test against an independent model of the FAQ ============================================

/** The FAQ's moving average over trades [time, price units], at `now` (the model keeps every trade). */
function modelRef(
  trades: readonly (readonly [number, bigint])[],
  now: number,
  count: number,
  width: number,
  quotePrecision: number,
): bigint | null {
  const scale = 10n ** BigInt(8 - quotePrecision);
  const buckets = new Map<number, { n: bigint; sum: bigint }>();
  for (const [t, p] of trades) {
    const open = t - (t % width);
    const b = buckets.get(open) ?? { n: 0n, sum: 0n };
    b.n += 10_000n;
    b.sum += (p / scale) * 10_000n;
    buckets.set(open, b);
  }
  const cutoff = now - count * width;
  let n = 0n;
  let sum = 0n;
  for (const [open, b] of buckets) {
    const close = open + width;
    if (close <= cutoff || open > now) continue; // closed outside the window
    if (open < cutoff) {
      const expired = BigInt(cutoff - open);
      n += b.n - (b.n * expired) / BigInt(width);
      sum += b.sum - (b.sum * expired) / BigInt(width);
    } else {
      n += b.n;
      sum += b.sum;
    }
  }
  return n === 0n ? null : (sum / n) * scale;
}

/** Whether a taker on `isBuy`'s side may trade at `p` (units): exact products, no rounding. */
function modelAllows(rule: PriceRangeRule, ref: bigint | null, isBuy: boolean, p: bigint): boolean {
  if (ref === null) return true;
  const up = isBuy ? rule.bidLimitMultUp : rule.askLimitMultUp;
  const down = isBuy ? rule.bidLimitMultDown : rule.askLimitMultDown;
  if (up !== undefined && p * U > ref * units(up)) return false;
  if (down !== undefined && p * U < ref * units(down)) return false;
  return true;
}

describe('property: the engine against a BigInt model of the FAQ', () => {
  const cases: [number, number, number, number][] = [
    // seed, bucketCount, bucketWidthMs, quotePrecision
    [1, 3, 1000, 8],
    [2, 2, 3000, 8],
    [3, 5, 7, 8],
    [4, 1, 60_000, 2],
    [5, 10, 333, 8],
    [6, 4, 1000, 2],
  ];
  for (const [seed, count, width, qp] of cases) {
    it(`seed ${seed}: ${count} buckets of ${width} ms, quote precision ${qp}`, () => {
      const rng = mulberry32(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
      const multipliers = ['1.05', '1.03', '1.1'];
      const rule: PriceRangeRule = {
        ...(rng() < 0.85 ? { bidLimitMultUp: pick(multipliers) } : {}),
        ...(rng() < 0.85 ? { bidLimitMultDown: pick(['0.95', '0.97', '0.9']) } : {}),
        ...(rng() < 0.85 ? { askLimitMultUp: pick(multipliers) } : {}),
        ...(rng() < 0.85 ? { askLimitMultDown: pick(['0.95', '0.97', '0.9']) } : {}),
      };
      const sym = btcWith([], { quotePrecision: qp });
      const ex = new Exchange([sym], opts(rule, mean(count, width)));
      for (const a of [1, 2]) {
        ex.deposit({ now: 0, accountId: a, asset: 'USDT', amount: '100000000' });
        ex.deposit({ now: 0, accountId: a, asset: 'BTC', amount: '100000' });
      }
      const trades: [number, bigint][] = [];
      const refAt = (now: number): bigint | null | undefined =>
        trades.length === 0 ? undefined : modelRef(trades, now, count, width, qp);
      let now = 1_700_000_000_000 + Math.floor(rng() * width); // epoch-like times
      let expiries = 0;
      let prorated = 0;
      for (let step = 0; step < 300; step++) {
        const r = rng();
        now +=
          r < 0.6
            ? Math.floor(rng() * width)
            : r < 0.95
              ? Math.floor(rng() * width * count * 1.5)
              : width * (count + 2);
        // reads at the command time and later (never changing anything)
        for (const at of [now, now + Math.floor(rng() * width * (count + 1))]) {
          const want = refAt(at);
          expect(ex.referencePrice(SYM, at), `step ${step} read at ${at}`).toBe(want);
        }
        // a taker sweeping 1–3 makers at random prices around 100
        const isBuy = rng() < 0.5;
        const k = 1 + Math.floor(rng() * 3);
        const ticks = Array.from({ length: k }, () => 9000 + Math.floor(rng() * 2000)).sort((a, b) =>
          isBuy ? a - b : b - a,
        );
        const maker = isBuy ? 2 : 1;
        const taker = isBuy ? 1 : 2;
        for (const t of ticks)
          ex.placeOrder({ ...limit(maker, isBuy ? 'SELL' : 'BUY', (t / 100).toFixed(2), '0.1'), now, symbol: SYM });
        const last = (ticks[k - 1] as number) / 100;
        const cmd: PlaceOrderCommand =
          rng() < 0.3
            ? { ...market(taker, isBuy ? 'BUY' : 'SELL', (k / 10).toFixed(1)), now }
            : { ...limit(taker, isBuy ? 'BUY' : 'SELL', last.toFixed(2), (k / 10).toFixed(1)), now };
        // the model: limits from the reference price when the phase starts
        const ref = refAt(now);
        const start = trades.length;
        const cutoff = now - count * width;
        if (trades.some(([t]) => t - (t % width) < cutoff && t - (t % width) + width > cutoff)) prorated++;
        let stopped = false;
        for (const t of ticks) {
          const p = BigInt(t) * 1_000_000n;
          if (!modelAllows(rule, ref ?? null, isBuy, p)) {
            stopped = true;
            break;
          }
          trades.push([now, p]);
        }
        const res = ex.placeOrder(cmd);
        const got = outcome(res);
        const fills = trades.slice(start).map(([, p]) => [Number(p) / 1e8, 0.1]);
        expect(got, `step ${step} at ${now}, ref ${String(ref)}, ${isBuy ? 'BUY' : 'SELL'} ${ticks.join(',')}`).toEqual(
          stopped ? expired(fills) : { status: 'FILLED', reason: undefined, fills },
        );
        if (stopped) expiries++;
        // leftovers off the book (the makers outside the range stayed)
        expect(ex.openOrders(maker, SYM)).toHaveLength(k - fills.length);
        for (const o of ex.openOrders(maker, SYM))
          ex.cancelOrder({ now, accountId: maker, symbol: SYM, orderId: o.spec.orderId });
        expect(ex.referencePrice(SYM, now), `step ${step} after`).toBe(refAt(now));
      }
      // the run exercised what it is meant to
      expect(expiries).toBeGreaterThan(5);
      expect(prorated).toBeGreaterThan(5);
      expect(trades.length).toBeGreaterThan(100);
      // nothing created or lost: balances plus commissions are the deposits
      const fees = ex.feesCollected();
      const totals = ex.totals();
      expect((totals.get('USDT') ?? 0n) + (fees.get('USDT') ?? 0n)).toBe(200_000_000n * U);
      expect((totals.get('BTC') ?? 0n) + (fees.get('BTC') ?? 0n)).toBe(200_000n * U);
      // and the exported buckets rebuild the same state
      const copy = new Exchange([sym], opts(rule, mean(count, width)));
      copy.importState(structuredClone(ex.exportState()));
      for (let i = 0; i < 20; i++) {
        const at = now + Math.floor(rng() * width * (count + 2));
        expect(copy.referencePrice(SYM, at)).toBe(refAt(at));
      }
    });
  }
});

// ==== filters (Binance since 2026-05-06) ===============================================================

describe('price filters use the reference price while there is one', () => {
  const pct = { code: -1013, msg: 'Filter failure: PERCENT_PRICE_BY_SIDE' };
  const notional = { code: -1013, msg: 'Filter failure: NOTIONAL' };

  it('PERCENT_PRICE_BY_SIDE and a market NOTIONAL against the reference price; the average price when it is null', () => {
    // BTCUSDT: PERCENT_PRICE_BY_SIDE 0.2–5 ×, NOTIONAL min 5 (also for market orders)
    const ex = ext(null, {});
    trade(ex, 1, '30000'); // the 5-minute average price: 30000
    // no reference price yet: the average price rules [6000, 150000]
    expect(err(() => ex.placeOrder(limit(1, 'BUY', '400', '0.1', { now: 2 })))).toEqual(pct);
    ex.setReferencePrice({ now: 3, symbol: SYM, price: '100' });
    // the reference price rules now: [20, 500]
    expect(ex.placeOrder(limit(1, 'BUY', '400', '0.1', { now: 4 })).order.status).toBe('NEW');
    expect(ex.placeOrder(limit(1, 'BUY', '20', '0.3', { now: 4, icebergQty: '0.1' })).order.status).toBe('NEW');
    expect(err(() => ex.placeOrder(limit(1, 'BUY', '600', '0.1', { now: 5 })))).toEqual(pct);
    expect(err(() => ex.placeOrder(limit(1, 'BUY', '19.99', '0.3', { now: 5, icebergQty: '0.1' })))).toEqual(pct);
    // a MARKET order's notional: 0.04 × 100 = 4 < 5
    expect(err(() => ex.testOrder(market(1, 'SELL', '0.04', { now: 6 })))).toEqual(notional);
    expect(() => ex.testOrder(market(1, 'SELL', '0.05', { now: 6 }))).not.toThrow();
    // cleared: back to the average price
    ex.setReferencePrice({ now: 7, symbol: SYM, price: null });
    expect(err(() => ex.placeOrder(limit(1, 'BUY', '400', '0.1', { now: 8 })))).toEqual(pct);
    expect(() => ex.testOrder(market(1, 'SELL', '0.04', { now: 8 }))).not.toThrow();
    expect(ex.filterReferencePrice(SYM, 8, 5)).toBe(ex.avgPrice(SYM, 8, 5));
  });

  it('an ARITHMETIC_MEAN reference price moves the bounds; once its window is empty the average price returns', () => {
    const ex = arith(2, 1000, {}); // a reference price, no limits
    trade(ex, 1000, '100');
    trade(ex, 1500, '200', '0.3'); // mean of the prices 150, volume-weighted average 175
    expect(ex.filterReferencePrice(SYM, 1500, 5)).toBe(150 * 1e8);
    // 5 × 150 = 750 is the top for a BUY; the average price would allow up to 875
    expect(err(() => ex.placeOrder(limit(1, 'BUY', '750.01', '0.1', { now: 1600 })))).toEqual(pct);
    expect(ex.placeOrder(limit(1, 'BUY', '750', '0.1', { now: 1600 })).order.status).toBe('NEW');
    // at 4000 the window (cutoff 2000) holds no bucket: the average price (5-minute VWAP) again
    expect(ex.referencePrice(SYM, 4000)).toBeNull();
    expect(ex.filterReferencePrice(SYM, 4000, 5)).toBe(175 * 1e8);
    expect(ex.placeOrder(limit(1, 'BUY', '800', '0.1', { now: 4000 })).order.status).toBe('NEW');
  });
});
