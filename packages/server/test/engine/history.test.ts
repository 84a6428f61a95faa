import { describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS, type SymbolDefinition } from '@binance-sandbox/protocol';
import { ARCHIVE_AFTER_MS } from '../../src/engine/order-table.js';
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

  it('archives canceled and expired orders without fills once over 90 days old (-2026; allOrders leaves them out)', () => {
    const ex = new Exchange([BTC]);
    for (const asset of ['USDT', 'BTC']) ex.deposit({ now: 0, accountId: 1, asset, amount: '1000000' });
    ex.deposit({ now: 0, accountId: 2, asset: 'BTC', amount: '10' });
    const order = (accountId: number, side: 'BUY' | 'SELL', quantity: string, extra = {}) =>
      ex.placeOrder({
        now: 1,
        accountId,
        symbol: 'BTCUSDT',
        side,
        type: 'LIMIT',
        timeInForce: 'GTC',
        price: '30000.00',
        quantity,
        ...extra,
      }).order.spec.orderId;
    const canceled = order(1, 'BUY', '0.01000', { newClientOrderId: 'gone' });
    ex.cancelOrder({ now: 1, accountId: 1, symbol: 'BTCUSDT', orderId: canceled });
    const expired = order(1, 'BUY', '0.01000', { timeInForce: 'IOC' }); // nothing to take: EXPIRED
    const partial = order(1, 'BUY', '0.02000');
    order(2, 'SELL', '0.01000');
    ex.cancelOrder({ now: 1, accountId: 1, symbol: 'BTCUSDT', orderId: partial }); // CANCELED, 0.01 executed
    const resting = order(1, 'SELL', '0.01000', { price: '40000.00' });
    // self-trade prevented: the taker expires in match with nothing executed
    const prevented = order(1, 'BUY', '0.01000', { price: '40000.00', selfTradePreventionMode: 'EXPIRE_TAKER' });
    expect(ex.getOrder(1, 'BTCUSDT', { orderId: prevented }).status).toBe('EXPIRED_IN_MATCH');
    const statuses = (now?: number) =>
      ex.allOrders(1, 'BTCUSDT', now === undefined ? {} : { now }).map((o) => `${o.spec.orderId}:${o.status}`);
    const all = statuses();
    expect(all).toHaveLength(5);

    // all closed at 1: exactly 90 days later nothing is archived yet
    const edge = 1 + ARCHIVE_AFTER_MS;
    expect(statuses(edge)).toEqual(all);
    expect(ex.getOrder(1, 'BTCUSDT', { orderId: prevented }, edge).status).toBe('EXPIRED_IN_MATCH');
    // one millisecond later every canceled or expired order without fills is archived
    const later = edge + 1;
    for (const ref of [
      { orderId: canceled },
      { origClientOrderId: 'gone' },
      { orderId: expired },
      { orderId: prevented },
    ])
      expect(() => ex.getOrder(1, 'BTCUSDT', ref, later)).toThrow(
        'Order was canceled or expired with no executed qty over 90 days ago and has been archived.',
      );
    expect(ex.getOrder(1, 'BTCUSDT', { orderId: partial }, later).status).toBe('CANCELED');
    expect(ex.getOrder(1, 'BTCUSDT', { orderId: resting }, later).status).toBe('NEW');
    expect(statuses(later)).toEqual([`${partial}:CANCELED`, `${resting}:NEW`]);
    // a query without a time sees everything (engine tools, snapshots)
    expect(statuses()).toEqual(all);
  });
});
