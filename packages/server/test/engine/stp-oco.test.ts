import { describe, expect, it } from 'vitest';
import { ApiError, type SelfTradePreventionMode } from '@binance-sandbox/protocol';
import type { ExecutionEvent, PlaceOcoCommand } from '../../src/engine/index.js';
import { bal, book, BTC, btcWith, err, exchange, limit } from './helpers.js';

describe('self-trade prevention', () => {
  const setup = (mode: SelfTradePreventionMode, takerQty = '0.3') => {
    const ex = exchange();
    const maker = ex.placeOrder(limit(1, 'SELL', '30000', '0.5'));
    const taker = ex.placeOrder(limit(1, 'BUY', '30000', takerQty, { selfTradePreventionMode: mode }));
    return {
      ex,
      maker: ex.getOrder(1, 'BTCUSDT', { orderId: maker.order.spec.orderId }),
      taker: taker.order,
      events: taker.events,
    };
  };
  it('EXPIRE_TAKER', () => {
    const { ex, maker, taker, events } = setup('EXPIRE_TAKER');
    expect([taker.status, maker.status, taker.preventedQty]).toEqual(['EXPIRED_IN_MATCH', 'NEW', 30_000_000]);
    const pe = events.filter(
      (e): e is ExecutionEvent => e.type === 'execution' && e.executionType === 'TRADE_PREVENTION',
    );
    expect(pe).toHaveLength(1);
    expect(pe[0]).toMatchObject({
      status: 'EXPIRED_IN_MATCH',
      preventedMatchId: 1,
      lastPreventedQty: 30_000_000,
      counterOrderId: 1,
    });
    expect(book(ex)).toEqual({ bids: [], asks: ['30000x0.5'] });
    expect(bal(ex, 1, 'USDT').locked).toBe('0.00000000');
    expect(ex.preventedMatches(1, 'BTCUSDT')).toHaveLength(1);
  });
  it('EXPIRE_MAKER (the symbol default) removes the maker and keeps matching', () => {
    const { ex, maker, taker } = setup('EXPIRE_MAKER');
    expect([taker.status, maker.status]).toEqual(['NEW', 'EXPIRED_IN_MATCH']);
    expect(book(ex)).toEqual({ bids: ['30000x0.3'], asks: [] });
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '100.00000000', locked: '0.00000000' });
  });
  it('EXPIRE_BOTH', () => {
    const { ex, maker, taker } = setup('EXPIRE_BOTH');
    expect([taker.status, maker.status]).toEqual(['EXPIRED_IN_MATCH', 'EXPIRED_IN_MATCH']);
    expect(book(ex)).toEqual({ bids: [], asks: [] });
  });
  it('DECREMENT (and TRANSFER within one account): both shrink, the smaller expires', () => {
    for (const mode of ['DECREMENT', 'TRANSFER'] as const) {
      const { ex, maker, taker } = setup(mode);
      expect([taker.status, maker.status, maker.preventedQty]).toEqual(['EXPIRED_IN_MATCH', 'NEW', 30_000_000]);
      expect(book(ex)).toEqual({ bids: [], asks: ['30000x0.2'] });
      expect(bal(ex, 1, 'BTC').locked).toBe('0.20000000');
    }
    const { maker, taker } = setup('DECREMENT', '0.5');
    expect([taker.status, maker.status]).toEqual(['EXPIRED_IN_MATCH', 'EXPIRED_IN_MATCH']);
  });
  it('NONE: refused where the symbol does not list it; where it does, the account trades with itself', () => {
    expect(err(() => setup('NONE'))).toEqual({
      code: -1130,
      msg: "Data sent for parameter 'selfTradePreventionMode' is not valid.",
    });
    const ex = exchange([
      btcWith([], { allowedSelfTradePreventionModes: [...BTC.allowedSelfTradePreventionModes, 'NONE'] }),
    ]);
    ex.placeOrder(limit(1, 'SELL', '30000', '0.5'));
    const taker = ex.placeOrder(limit(1, 'BUY', '30000', '0.5', { selfTradePreventionMode: 'NONE' }));
    expect(taker.order.status).toBe('FILLED');
  });
});

describe('OCO order lists', () => {
  const oco = (
    side: 'BUY' | 'SELL',
    above: PlaceOcoCommand['above'],
    below: PlaceOcoCommand['below'],
  ): PlaceOcoCommand => ({
    now: 50_000,
    accountId: 3,
    symbol: 'BTCUSDT',
    side,
    quantity: '0.1',
    above,
    below,
  });
  /** BUY: a stop-loss-limit leg above (30500 / 30600), a limit-maker leg below at `price`. */
  const buyOco = (price: string) =>
    oco(
      'BUY',
      { type: 'STOP_LOSS_LIMIT', stopPrice: '30500', price: '30600', timeInForce: 'GTC' },
      { type: 'LIMIT_MAKER', price },
    );
  const withLast = () => {
    const ex = exchange();
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1'));
    ex.placeOrder(limit(1, 'BUY', '30000', '0.1'));
    return ex;
  };
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ApiError) return `${e.code} ${e.msg}`;
      throw e;
    }
    return 'accepted';
  };
  it('checks leg placement and price relationships', () => {
    const ex = withLast();
    expect(
      code(() =>
        ex.placeOco(oco('SELL', { type: 'STOP_LOSS', stopPrice: '31000' }, { type: 'STOP_LOSS', stopPrice: '29000' })),
      ),
    ).toBe('-1197 A stop loss order in a sell OCO must be below.');
    expect(
      code(() =>
        ex.placeOco(oco('SELL', { type: 'STOP_LOSS', stopPrice: '31000' }, { type: 'LIMIT_MAKER', price: '29000' })),
      ),
    ).toBe('-1166 A limit order in a sell OCO must be above.');
    expect(
      code(() =>
        ex.placeOco(oco('BUY', { type: 'LIMIT_MAKER', price: '31000' }, { type: 'STOP_LOSS', stopPrice: '29000' })),
      ),
    ).toBe('-1165 A limit order in a buy OCO must be below.');
    expect(
      code(() =>
        ex.placeOco(
          oco('BUY', { type: 'TAKE_PROFIT', stopPrice: '31000' }, { type: 'TAKE_PROFIT', stopPrice: '29000' }),
        ),
      ),
    ).toBe('-1168 At least one OCO order must be contingent.');
    expect(
      code(() =>
        ex.placeOco(oco('SELL', { type: 'LIMIT_MAKER', price: '29500' }, { type: 'STOP_LOSS', stopPrice: '29000' })),
      ),
    ).toBe('-2010 The relationship of the prices for the orders is not correct.');
  });
  it('SELL OCO: the limit-maker leg fills, the stop leg expires; one shared reservation', () => {
    const ex = withLast();
    const r = ex.placeOco(
      oco('SELL', { type: 'LIMIT_MAKER', price: '31000' }, { type: 'STOP_LOSS', stopPrice: '29000' }),
    );
    expect(r.list.status).toBe('EXECUTING');
    expect(r.list.orders.map((o) => [o.spec.type, o.spec.orderListId])).toEqual([
      ['STOP_LOSS', 1],
      ['LIMIT_MAKER', 1],
    ]);
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '99.90000000', locked: '0.10000000' });
    const t = ex.placeOrder(limit(1, 'BUY', '31000', '0.04'));
    const [sl, lm] = ex.orderLists(3, 'BTCUSDT')[0]?.orders ?? [];
    expect([sl?.status, sl?.expiryReason, lm?.status]).toEqual(['EXPIRED', 'OCO_TRIGGER', 'PARTIALLY_FILLED']);
    expect(
      t.events.filter((e) => e.type === 'listStatus').map((e) => (e.type === 'listStatus' ? e.listStatusType : '')),
    ).toEqual(['ALL_DONE']);
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '99.90000000', locked: '0.06000000' });
    ex.cancelOrder({ now: 60_000, accountId: 3, symbol: 'BTCUSDT', orderId: lm?.spec.orderId as number });
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '99.96000000', locked: '0.00000000' });
  });
  it('BUY OCO: the stop leg triggers, the limit-maker leg expires; cancel of a leg cancels the list', () => {
    const ex = withLast();
    ex.placeOco(buyOco('29000'));
    expect(bal(ex, 3, 'USDT').locked).toBe('3060.00000000'); // max(0.1×30600, 0.1×29000)
    ex.placeOrder(limit(2, 'SELL', '30500', '0.01'));
    ex.placeOrder(limit(1, 'BUY', '30500', '0.01')); // last 30500 → trigger
    const [lm, stop] = ex.orderLists(3, 'BTCUSDT')[0]?.orders ?? []; // below leg first
    expect([stop?.spec.type, stop?.isWorking, stop?.status, lm?.status]).toEqual([
      'STOP_LOSS_LIMIT',
      true,
      'NEW',
      'EXPIRED',
    ]);
    expect(book(ex).bids[0]).toBe('30600x0.1');
    expect(bal(ex, 3, 'USDT').locked).toBe('3060.00000000');
    const ex2 = withLast();
    const r = ex2.placeOco(
      oco('SELL', { type: 'LIMIT_MAKER', price: '31000' }, { type: 'STOP_LOSS', stopPrice: '29000' }),
    );
    const c = ex2.cancelOrder({
      now: 1,
      accountId: 3,
      symbol: 'BTCUSDT',
      orderId: r.list.orders[1]?.spec.orderId as number,
    });
    expect(c.list?.status).toBe('ALL_DONE');
    expect(c.list?.orders.map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect(bal(ex2, 3, 'BTC')).toEqual({ free: '100.00000000', locked: '0.00000000' });
  });
  it('a leg that self-trade prevention expires takes the other leg along, and the shared reservation is given back', () => {
    for (const mode of ['EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT'] as const) {
      // BUY: the limit-maker leg below holds the list's reservation; the stop leg above waits
      const ex = withLast();
      ex.placeOco(buyOco('29900'));
      expect(bal(ex, 3, 'USDT').locked).toBe('3060.00000000');
      const t = ex.placeOrder(limit(3, 'SELL', '29900', '0.2', { selfTradePreventionMode: mode }));
      const [lm, stop] = ex.orderLists(3, 'BTCUSDT')[0]?.orders ?? [];
      expect([lm?.status, stop?.status, stop?.expiryReason], mode).toEqual(['EXPIRED_IN_MATCH', 'EXPIRED', undefined]);
      expect(ex.orderLists(3, 'BTCUSDT')[0]?.status).toBe('ALL_DONE');
      expect(bal(ex, 3, 'USDT'), mode).toEqual({ free: '1000000.00000000', locked: '0.00000000' });
      // the maker's prevention report, then the other leg's expiry (its list ends as it closes, as an
      // OTO's pending order expiring with its working order)
      expect(
        t.events
          .filter((e) => e.type === 'execution' || e.type === 'listStatus')
          .map((e) =>
            e.type === 'execution' ? `${e.order.orderId} ${e.executionType} ${e.status}` : `list ${e.listStatusType}`,
          ),
        mode,
      ).toEqual([
        `${t.order.spec.orderId} NEW NEW`,
        `${lm?.spec.orderId} TRADE_PREVENTION EXPIRED_IN_MATCH`,
        'list ALL_DONE',
        `${stop?.spec.orderId} EXPIRED EXPIRED`,
        // the taker: untouched (EXPIRE_MAKER), expired (EXPIRE_BOTH), or 0.1 of its 0.2 prevented (DECREMENT)
        ...(mode === 'EXPIRE_MAKER'
          ? []
          : [`${t.order.spec.orderId} TRADE_PREVENTION ${mode === 'DECREMENT' ? 'NEW' : 'EXPIRED_IN_MATCH'}`]),
      ]);
    }
    // SELL: the stop leg below holds the reservation; the limit-maker leg above is the one prevented
    const ex = withLast();
    ex.placeOco(oco('SELL', { type: 'LIMIT_MAKER', price: '30100' }, { type: 'STOP_LOSS', stopPrice: '29000' }));
    ex.placeOrder(limit(3, 'BUY', '30100', '0.05', { selfTradePreventionMode: 'EXPIRE_MAKER' }));
    expect(ex.orderLists(3, 'BTCUSDT')[0]?.orders.map((o) => o.status)).toEqual(['EXPIRED', 'EXPIRED_IN_MATCH']);
    expect(bal(ex, 3, 'BTC')).toEqual({ free: '100.00000000', locked: '0.00000000' });
  });
  it('DECREMENT of a leg: the list keeps what its larger leg still needs and gives back the rest', () => {
    const ex = withLast();
    // BUY: the limit-maker leg needs 0.1 × 29900; the stop-market leg reserves nothing before it triggers
    ex.placeOco(oco('BUY', { type: 'STOP_LOSS', stopPrice: '30500' }, { type: 'LIMIT_MAKER', price: '29900' }));
    expect(bal(ex, 3, 'USDT').locked).toBe('2990.00000000');
    ex.placeOrder(limit(3, 'SELL', '29900', '0.04', { selfTradePreventionMode: 'DECREMENT' }));
    const [lm, stop] = ex.orderLists(3, 'BTCUSDT')[0]?.orders ?? [];
    expect([lm?.status, lm?.preventedQty, stop?.status]).toEqual(['NEW', 0.04e8, 'NEW']);
    expect(bal(ex, 3, 'USDT')).toEqual({ free: '998206.00000000', locked: '1794.00000000' }); // 0.06 × 29900
  });
  it('an amendment that expires one leg (below what prevention took from it) expires the other too', () => {
    const ex = withLast();
    ex.placeOco(buyOco('29900'));
    ex.placeOrder(limit(3, 'SELL', '29900', '0.06', { selfTradePreventionMode: 'DECREMENT' }));
    const [lm, stop] = ex.orderLists(3, 'BTCUSDT')[0]?.orders ?? [];
    expect([lm?.status, lm?.preventedQty]).toEqual(['NEW', 0.06e8]);
    const a = ex.amendOrder({
      now: 60_000,
      accountId: 3,
      symbol: 'BTCUSDT',
      orderId: stop?.spec.orderId as number,
      newQty: '0.05',
    });
    expect(a.expired).toBe(true);
    expect(ex.orderLists(3, 'BTCUSDT')[0]).toMatchObject({ status: 'ALL_DONE' });
    expect(ex.orderLists(3, 'BTCUSDT')[0]?.orders.map((o) => o.status)).toEqual(['EXPIRED', 'EXPIRED']);
    expect(bal(ex, 3, 'USDT')).toEqual({ free: '1000000.00000000', locked: '0.00000000' });
  });
  it('cancelOpenOrders cancels orders and lists', () => {
    const ex = withLast();
    ex.placeOrder(limit(3, 'BUY', '10000', '1'));
    ex.placeOco(oco('SELL', { type: 'LIMIT_MAKER', price: '31000' }, { type: 'STOP_LOSS', stopPrice: '29000' }));
    const r = ex.cancelOpenOrders({ now: 1, accountId: 3, symbol: 'BTCUSDT' });
    expect(r.items.map((i) => i.kind)).toEqual(['order', 'list']);
    expect(ex.openOrders(3)).toEqual([]);
    expect(() => ex.cancelOpenOrders({ now: 1, accountId: 3, symbol: 'BTCUSDT' })).toThrow('Unknown order sent.');
  });
});
