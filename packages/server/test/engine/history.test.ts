import { describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS, type SymbolDefinition } from '@binance-sandbox/protocol';
import { Exchange, queryOrderResponse } from '../../src/engine/index.js';

const def = (name: string) => DEFAULT_SYMBOLS.find((s) => s.symbol === name) as SymbolDefinition;
const BTC = def('BTCUSDT');
const ETH = def('ETHUSDT');

function withHistory(ex: Exchange): { symbol: string; clientOrderId: string; orderId: number }[] {
  for (const asset of ['USDT', 'BTC', 'ETH']) ex.deposit({ now: 0, accountId: 1, asset, amount: '1000000' });
  const placed: { symbol: string; clientOrderId: string; orderId: number }[] = [];
  for (let i = 0; i < 6; i++) {
    const symbol = i % 2 ? 'BTCUSDT' : 'ETHUSDT';
    const o = ex.placeOrder({
      now: 10 + i,
      accountId: 1,
      symbol,
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: i % 2 ? '30000.00' : '2000.00',
      quantity: '0.01000',
    }).order;
    placed.push({ symbol, clientOrderId: o.spec.clientOrderId, orderId: o.spec.orderId });
    if (i < 4) ex.cancelOrder({ now: 20 + i, accountId: 1, symbol, orderId: o.spec.orderId });
  }
  return placed;
}

describe('order history', () => {
  it('finds archived and open orders by generated client id after a restore with the symbols reordered', () => {
    const ex = new Exchange([BTC, ETH]);
    const placed = withHistory(ex);
    const restored = new Exchange([ETH, BTC]);
    restored.importState(structuredClone(ex.exportState()));
    for (const p of placed) {
      const a = queryOrderResponse(ex.getOrder(1, p.symbol, { origClientOrderId: p.clientOrderId }));
      const b = queryOrderResponse(restored.getOrder(1, p.symbol, { origClientOrderId: p.clientOrderId }));
      expect(b).toEqual(a);
      expect(b.orderId).toBe(p.orderId);
      // a generated id names one order on one symbol only
      const other = p.symbol === 'BTCUSDT' ? 'ETHUSDT' : 'BTCUSDT';
      expect(() => restored.getOrder(1, other, { origClientOrderId: p.clientOrderId })).toThrow(/does not exist/);
    }
    expect(restored.allOrders(1, 'BTCUSDT').map((o) => o.status)).toEqual(['CANCELED', 'CANCELED', 'NEW']);
  });

  it('a reused client order id names the latest order; the closed one stays queryable by orderId', () => {
    const ex = new Exchange([BTC]);
    ex.deposit({ now: 0, accountId: 1, asset: 'USDT', amount: '1000000' });
    const place = (now: number) =>
      ex.placeOrder({
        now,
        accountId: 1,
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        price: '30000.00',
        quantity: '0.01000',
        newClientOrderId: 'mine',
      }).order.spec.orderId;
    const first = place(1);
    expect(() => place(2)).toThrow(/Duplicate order sent/);
    ex.cancelOrder({ now: 3, accountId: 1, symbol: 'BTCUSDT', origClientOrderId: 'mine' });
    expect(() => ex.cancelOrder({ now: 4, accountId: 1, symbol: 'BTCUSDT', origClientOrderId: 'mine' })).toThrow(
      /Unknown order sent/,
    );
    const second = place(5);
    expect(ex.getOrder(1, 'BTCUSDT', { origClientOrderId: 'mine' }).spec.orderId).toBe(second);
    expect(ex.getOrder(1, 'BTCUSDT', { orderId: first }).status).toBe('CANCELED');
    expect(() => ex.getOrder(1, 'BTCUSDT', { orderId: first, origClientOrderId: 'other' })).toThrow(
      /Client order ID is not correct/,
    );
  });
});
