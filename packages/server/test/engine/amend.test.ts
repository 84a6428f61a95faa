import { describe, expect, it } from 'vitest';
import { bal, book, exchange, limit } from './helpers.js';

/** An order that DECREMENT self-trade prevention has shrunk, then amended (keep priority). */
function decremented() {
  const ex = exchange();
  const maker = ex.placeOrder(limit(1, 'SELL', '30000', '1')).order.spec.orderId;
  const taker = ex.placeOrder(limit(1, 'BUY', '30000', '0.4', { selfTradePreventionMode: 'DECREMENT' }));
  expect(taker.order.status).toBe('EXPIRED_IN_MATCH');
  expect(ex.getOrder(1, 'BTCUSDT', { orderId: maker })).toMatchObject({ status: 'NEW', preventedQty: 0.4e8 });
  expect(book(ex).asks).toEqual(['30000x0.6']);
  return { ex, maker };
}

describe('amend keep priority', () => {
  it('the new quantity counts what self-trade prevention took: remaining = newQty − executed − prevented', () => {
    const { ex, maker } = decremented();
    ex.amendOrder({ now: 5000, accountId: 1, symbol: 'BTCUSDT', orderId: maker, newQty: '0.9' });
    expect(book(ex).asks).toEqual(['30000x0.5']);
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '99.50000000', locked: '0.50000000' });
    // a buyer can take no more than what is reserved
    const buy = ex.placeOrder(limit(2, 'BUY', '30000', '0.9'));
    expect(buy.fills.map((f) => f.qty)).toEqual([0.5e8]);
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '99.50000000', locked: '0.00000000' });
    expect(ex.getOrder(1, 'BTCUSDT', { orderId: maker })).toMatchObject({
      status: 'FILLED',
      executedQty: 0.5e8,
      preventedQty: 0.4e8,
    });
  });

  it('a new quantity within what was executed and prevented expires the order and frees its reservation', () => {
    const { ex, maker } = decremented();
    const r = ex.amendOrder({ now: 5000, accountId: 1, symbol: 'BTCUSDT', orderId: maker, newQty: '0.4' });
    expect(r.expired).toBe(true);
    expect(book(ex).asks).toEqual([]);
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '100.00000000', locked: '0.00000000' });
  });
});
