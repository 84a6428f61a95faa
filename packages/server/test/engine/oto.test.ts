import { describe, expect, it } from 'vitest';
import { bal, book, exchange, limit } from './helpers.js';

describe('OTO pending orders going live', () => {
  it('a pending LIMIT_MAKER the book has reached since it was placed expires instead of taking', () => {
    const ex = exchange();
    // buy at 30000, then sell at 29950 as a maker: no bid reached 29950 when the list was placed
    ex.placeOto({
      now: 2000,
      accountId: 3,
      symbol: 'BTCUSDT',
      working: { type: 'LIMIT', side: 'BUY', price: '30000', quantity: '0.1', timeInForce: 'GTC' },
      pending: { type: 'LIMIT_MAKER', side: 'SELL', price: '29950', quantity: '0.1' },
    });
    ex.placeOrder(limit(2, 'BUY', '29980', '0.2'));
    const t = ex.placeOrder(limit(1, 'SELL', '30000', '0.1')); // fills the working order
    expect(t.events.filter((e) => e.type === 'trade')).toHaveLength(1); // the working order's fill only
    expect(ex.allOrders(3, 'BTCUSDT').map((o) => [o.spec.type, o.status, o.expiryReason])).toEqual([
      ['LIMIT', 'FILLED', undefined],
      ['LIMIT_MAKER', 'EXPIRED', undefined],
    ]);
    expect(ex.orderLists(3, 'BTCUSDT')[0]).toMatchObject({ status: 'ALL_DONE' });
    expect(book(ex).bids).toEqual(['29980x0.2']);
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '100.09990000', locked: '0.00000000' });
  });

  it('an OTOCO pair whose limit-maker leg the book has reached expires whole', () => {
    const ex = exchange();
    ex.placeOrder(limit(2, 'SELL', '30000', '0.01'));
    ex.placeOrder(limit(1, 'BUY', '30000', '0.01')); // last price 30000
    ex.placeOtoco({
      now: 2000,
      accountId: 3,
      symbol: 'BTCUSDT',
      working: { type: 'LIMIT', side: 'BUY', price: '30200', quantity: '0.1', timeInForce: 'GTC' },
      pendingSide: 'SELL',
      pendingQuantity: '0.1',
      pendingAbove: { type: 'LIMIT_MAKER', price: '30100' },
      pendingBelow: { type: 'STOP_LOSS', stopPrice: '29000' },
    });
    ex.placeOrder(limit(2, 'BUY', '30150', '0.2')); // rests above the pair's limit-maker price
    ex.placeOrder(limit(1, 'SELL', '30200', '0.1')); // fills the working order only
    expect(ex.allOrders(3, 'BTCUSDT').map((o) => [o.spec.type, o.status])).toEqual([
      ['LIMIT', 'FILLED'],
      ['STOP_LOSS', 'EXPIRED'],
      ['LIMIT_MAKER', 'EXPIRED'],
    ]);
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '100.09990000', locked: '0.00000000' });
  });

  it('a pending stop whose stop price the last price has already reached triggers as it goes live', () => {
    const ex = exchange();
    ex.placeOrder(limit(2, 'SELL', '30100', '0.01'));
    ex.placeOrder(limit(1, 'BUY', '30100', '0.01')); // last price 30100
    // an unrelated stop waiting (it made no difference before: the trigger check depended on it)
    ex.placeOrder({ ...limit(2, 'SELL', '20000', '0.01'), type: 'STOP_LOSS_LIMIT', stopPrice: '20000' });
    ex.placeOto({
      now: 3000,
      accountId: 3,
      symbol: 'BTCUSDT',
      working: { type: 'LIMIT', side: 'BUY', price: '30000', quantity: '0.1', timeInForce: 'GTC' },
      pending: { type: 'STOP_LOSS', side: 'SELL', stopPrice: '30050', quantity: '0.1' },
    });
    ex.placeOrder(limit(1, 'BUY', '29990', '0.5'));
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1')); // fills the working order: last price 30000 ≤ 30050
    const [working, pending] = ex.allOrders(3, 'BTCUSDT');
    expect([working?.status, pending?.status, pending?.executedQty]).toEqual(['FILLED', 'FILLED', 0.1e8]);
    expect(ex.lastPrice('BTCUSDT')).toBe(29990e8);
  });
});
