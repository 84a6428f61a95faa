import { describe, expect, it } from 'vitest';
import { Exchange } from '../../src/engine/index.js';
import { btcWith } from './helpers.js';

// Notionals above 2^53 units (90,071,992.54740991) take the BigInt paths of fill / tighten / close.
const SYM = btcWith([
  { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '90000000.00000000', tickSize: '0.01000000' },
  { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '90000.00000000', stepSize: '0.00001000' },
  {
    filterType: 'NOTIONAL',
    minNotional: '5.00000000',
    applyMinToMarket: true,
    maxNotional: '9000000000000.00000000',
    applyMaxToMarket: false,
    avgPriceMins: 5,
  },
]);

describe('amounts beyond 2^53 units', () => {
  it('fills, commissions, reservations and fees stay exact', () => {
    const def = {
      ...SYM,
      filters: SYM.filters.filter((f) => f.filterType !== 'PERCENT_PRICE_BY_SIDE' && f.filterType !== 'PERCENT_PRICE'),
    };
    const ex = new Exchange([def]);
    const total = (asset: string) => (ex.totals().get(asset) ?? 0n) + (ex.feesCollected().get(asset) ?? 0n);
    ex.deposit({ now: 0, accountId: 1, asset: 'USDT', amount: '900000000000000' });
    ex.deposit({ now: 0, accountId: 2, asset: 'BTC', amount: '100000' });
    ex.setCommission(2, { maker: '0.00075', taker: '0.00123' });
    const usdt = total('USDT');
    const btc = total('BTC');
    // two asks, then a BUY crossing both at a higher limit (reservation tightened by price improvement)
    ex.placeOrder({
      now: 1,
      accountId: 2,
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '80000000.01',
      quantity: '1000.00001',
    });
    ex.placeOrder({
      now: 2,
      accountId: 2,
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '85000000.03',
      quantity: '3.33333',
    });
    const r = ex.placeOrder({
      now: 3,
      accountId: 1,
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '89999999.99',
      quantity: '1500',
    });
    expect(r.fills.length).toBe(2);
    const E8 = 100_000_000n;
    const [P1, Q1, P2, Q2, P, Q] = [
      8_000_000_001_000_000n,
      100_000_001_000n,
      8_500_000_003_000_000n,
      333_333_000n,
      8_999_999_999_000_000n,
      150_000_000_000n,
    ];
    const q1 = (P1 * Q1) / E8;
    const q2 = (P2 * Q2) / E8;
    expect(q1 + q2 > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(r.order.cumQuote).toBe(q1 + q2);
    // taker BUY (account 1, 0.001) pays base; maker SELL (account 2, 0.00075) pays quote
    expect(r.fills[0]!.commission).toBe((Q1 * 100_000n) / E8);
    const ev = r.events.find((e) => e.type === 'trade');
    expect(ev && ev.type === 'trade' ? ev.sellerCommission : -1n).toBe((q1 * 75_000n) / E8);
    expect(ex.feesCollected().get('USDT')).toBe((q1 * 75_000n) / E8 + (q2 * 75_000n) / E8);
    expect(total('USDT')).toBe(usdt);
    expect(total('BTC')).toBe(btc);
    const a1 = ex.accountView(1).balances.find((b) => b.asset === 'USDT')!;
    expect(a1.locked).toBe((P * (Q - Q1 - Q2)) / E8);
    expect(a1.free).toBe(900_000_000_000_000n * E8 - q1 - q2 - a1.locked);
    ex.cancelOrder({ now: 4, accountId: 1, symbol: 'BTCUSDT', orderId: r.order.spec.orderId });
    expect(ex.accountView(1).balances.find((b) => b.asset === 'USDT')!.locked).toBe(0n);
    expect(total('USDT')).toBe(usdt);
    expect(total('BTC')).toBe(btc);

    // a MARKET BUY by a quote amount beyond 2^53 units
    ex.placeOrder({
      now: 5,
      accountId: 2,
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: '80000000.00',
      quantity: '10',
    });
    const m = ex.placeOrder({
      now: 6,
      accountId: 1,
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: '100000000000',
    });
    expect(m.order.status).toBe('FILLED');

    // the history (archived orders and trades) keeps the big amounts exactly, through a snapshot too
    const restored = new Exchange([def]);
    restored.importState(structuredClone(ex.exportState()));
    for (const e of [ex, restored]) {
      const o = e.getOrder(1, 'BTCUSDT', { orderId: r.order.spec.orderId });
      expect([o.status, o.cumQuote]).toEqual(['CANCELED', q1 + q2]);
      expect(e.getOrder(1, 'BTCUSDT', { orderId: m.order.spec.orderId }).spec.origQuoteOrderQty).toBe(10n ** 19n);
      expect(e.myTrades(1, 'BTCUSDT').map((t) => t.trade.quoteQty)).toEqual([q1, q2, 800_000_000n * E8]);
      expect(e.myTrades(2, 'BTCUSDT', { limit: 1 }).map((t) => t.trade.sellerCommission)).toEqual([
        (800_000_000n * E8 * 75_000n) / E8,
      ]);
    }
  });
});
