import { describe, expect, it } from 'vitest';
import {
  cancelResponse,
  fullResponse,
  orderResponse,
  orderResponseJson,
  queryOrderResponse,
  resultResponse,
  type ExecutionEvent,
} from '../../src/engine/index.js';
import { bal, book, err, exchange, limit, market } from './helpers.js';

describe('matching', () => {
  it('rests, partially fills, fills at the maker price with price-time priority', () => {
    const ex = exchange();
    ex.placeOrder(limit(1, 'SELL', '30001', '1'));
    ex.placeOrder(limit(2, 'SELL', '30000', '0.5'));
    ex.placeOrder(limit(3, 'SELL', '30000', '0.5'));
    ex.placeOrder(limit(1, 'BUY', '29990', '1'));
    expect(book(ex)).toEqual({ bids: ['29990x1'], asks: ['30000x1', '30001x1'] });
    // taker buys 0.7 up to 30001: 0.5 from account 2 (first in time), 0.2 from account 3
    const r = ex.placeOrder(limit(1, 'BUY', '30001', '0.7'));
    expect(r.order.status).toBe('FILLED');
    expect(r.fills.map((f) => [f.price / 1e8, f.qty / 1e8])).toEqual([
      [30000, 0.5],
      [30000, 0.2],
    ]);
    const trades = r.events.filter((e) => e.type === 'trade');
    expect(trades.map((t) => [t.sellerAccountId, t.isBuyerMaker])).toEqual([
      [2, false],
      [3, false],
    ]);
    expect(book(ex)).toEqual({ bids: ['29990x1'], asks: ['30000x0.3', '30001x1'] });
    const ex3 = ex.openOrders(3, 'BTCUSDT')[0];
    expect(ex3?.status).toBe('PARTIALLY_FILLED');
    expect(ex3?.executedQty).toBe(20_000_000);
    // a bigger crossing order sweeps two levels and rests the rest
    const r2 = ex.placeOrder(limit(2, 'BUY', '30001', '2'));
    expect(r2.order.status).toBe('PARTIALLY_FILLED');
    expect(r2.order.executedQty).toBe(130_000_000);
    expect(book(ex)).toEqual({ bids: ['30001x0.7', '29990x1'], asks: [] });
    // depth update ids grow monotonically
    const d = r2.events.filter((e) => e.type === 'depth');
    expect(d).toHaveLength(1);
    expect(ex.book('BTCUSDT').lastUpdateId).toBe(d[0]?.type === 'depth' ? d[0].lastUpdateId : -1);
  });

  it('charges commissions in the received asset and keeps balances exact', () => {
    const ex = exchange();
    ex.setCommission(2, { maker: '0.0005', taker: '0.002' });
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1')); // maker
    expect(bal(ex, 2, 'BTC')).toEqual({ free: '99.90000000', locked: '0.10000000' });
    const r = ex.placeOrder(limit(1, 'BUY', '30000.5', '0.1')); // taker, price improvement released
    expect(r.fills[0]).toMatchObject({
      price: 3_000_000_000_000,
      qty: 10_000_000,
      commission: 10_000n,
      commissionAsset: 'BTC',
    });
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '997000.00000000', locked: '0.00000000' });
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '100.09990000', locked: '0.00000000' });
    expect(bal(ex, 2, 'USDT')).toEqual({ free: '1002998.50000000', locked: '0.00000000' }); // 3000 − 0.05 %
    expect(bal(ex, 2, 'BTC')).toEqual({ free: '99.90000000', locked: '0.00000000' });
    expect(ex.feesCollected()).toEqual(
      new Map([
        ['BTC', 10_000n],
        ['USDT', 150_000_000n],
      ]),
    );
  });

  it('locks on placement and unlocks on cancel; insufficient balance is -2010', () => {
    const ex = exchange();
    ex.placeOrder(limit(1, 'BUY', '20000', '2'));
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '960000.00000000', locked: '40000.00000000' });
    expect(err(() => ex.placeOrder(limit(1, 'BUY', '20000', '49')))).toEqual({
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
    });
    expect(err(() => ex.placeOrder(limit(1, 'SELL', '20000', '100.1')))).toEqual({
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
    });
    const c = ex.cancelOrder({ now: 5000, accountId: 1, symbol: 'BTCUSDT', orderId: 1, newClientOrderId: 'myCancel' });
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '1000000.00000000', locked: '0.00000000' });
    expect(Object.keys(cancelResponse(c.order, c.cancelClientOrderId, 5000))).toEqual([
      'symbol',
      'origClientOrderId',
      'orderId',
      'orderListId',
      'clientOrderId',
      'transactTime',
      'price',
      'origQty',
      'executedQty',
      'origQuoteOrderQty',
      'cummulativeQuoteQty',
      'status',
      'timeInForce',
      'type',
      'side',
      'selfTradePreventionMode',
    ]);
    expect(cancelResponse(c.order, c.cancelClientOrderId, 5000)).toMatchObject({
      clientOrderId: 'myCancel',
      status: 'CANCELED',
    });
    expect(err(() => ex.cancelOrder({ now: 5001, accountId: 1, symbol: 'BTCUSDT', orderId: 1 }))).toEqual({
      code: -2011,
      msg: 'Unknown order sent.',
    });
    expect(err(() => ex.cancelOrder({ now: 5001, accountId: 2, symbol: 'BTCUSDT', orderId: 99 })).code).toBe(-2011);
    expect(err(() => ex.getOrder(1, 'BTCUSDT', { orderId: 99 }))).toEqual({
      code: -2013,
      msg: 'Order does not exist.',
    });
  });

  it('client order ids: generated (22 alphanumerics), unique among open orders, cancel by origClientOrderId', () => {
    const ex = exchange();
    const a = ex.placeOrder(limit(1, 'BUY', '100', '0.1'));
    expect(a.order.spec.clientOrderId).toMatch(/^[A-Za-z0-9]{22}$/);
    ex.placeOrder(limit(1, 'BUY', '100', '0.1', { newClientOrderId: 'abc' }));
    expect(err(() => ex.placeOrder(limit(1, 'BUY', '100', '0.1', { newClientOrderId: 'abc' })))).toEqual({
      code: -2010,
      msg: 'Duplicate order sent.',
    });
    ex.placeOrder(limit(2, 'BUY', '100', '0.1', { newClientOrderId: 'abc' })); // other account: fine
    ex.cancelOrder({ now: 9000, accountId: 1, symbol: 'BTCUSDT', origClientOrderId: 'abc' });
    const again = ex.placeOrder(limit(1, 'BUY', '100', '0.1', { newClientOrderId: 'abc' })); // reusable once closed
    expect(ex.getOrder(1, 'BTCUSDT', { origClientOrderId: 'abc' }).spec.orderId).toBe(again.order.spec.orderId);
    expect(err(() => ex.getOrder(1, 'BTCUSDT', { orderId: 1, origClientOrderId: 'abc' })).code).toBe(-2039);
    expect(ex.allOrders(1, 'BTCUSDT').map((o) => o.status)).toEqual(['NEW', 'CANCELED', 'NEW']);
  });

  it('response shapes follow Binance field order', () => {
    const ex = exchange();
    ex.placeOrder(limit(2, 'SELL', '30000', '1'));
    const r = ex.placeOrder(limit(1, 'BUY', '30000', '0.25'));
    const full = fullResponse(r.order, r.fills, 1);
    expect(Object.keys(full)).toEqual([
      'symbol',
      'orderId',
      'orderListId',
      'clientOrderId',
      'transactTime',
      'price',
      'origQty',
      'executedQty',
      'origQuoteOrderQty',
      'cummulativeQuoteQty',
      'status',
      'timeInForce',
      'type',
      'side',
      'workingTime',
      'selfTradePreventionMode',
      'fills',
    ]);
    expect(full).toMatchObject({
      orderListId: -1,
      price: '30000.00000000',
      origQty: '0.25000000',
      executedQty: '0.25000000',
      origQuoteOrderQty: '0.00000000',
      cummulativeQuoteQty: '7500.00000000',
      status: 'FILLED',
      fills: [
        { price: '30000.00000000', qty: '0.25000000', commission: '0.00025000', commissionAsset: 'BTC', tradeId: 1 },
      ],
    });
    expect(resultResponse(r.order, 1)).not.toHaveProperty('fills');
    expect(Object.keys(queryOrderResponse(r.order))).toEqual([
      'symbol',
      'orderId',
      'orderListId',
      'clientOrderId',
      'price',
      'origQty',
      'executedQty',
      'cummulativeQuoteQty',
      'status',
      'timeInForce',
      'type',
      'side',
      'stopPrice',
      'icebergQty',
      'time',
      'updateTime',
      'isWorking',
      'workingTime',
      'origQuoteOrderQty',
      'selfTradePreventionMode',
    ]);
  });

  it('emits executionReport material, account positions and the first-fill event once per order', () => {
    const ex = exchange();
    const m = ex.placeOrder(limit(2, 'SELL', '30000', '1'));
    expect(m.events.map((e) => e.type)).toEqual(['execution', 'depth', 'account']);
    const r1 = ex.placeOrder(limit(1, 'BUY', '30000', '0.4'));
    expect(r1.events.map((e) => e.type)).toEqual([
      'execution',
      'trade',
      'firstFill',
      'firstFill',
      'execution',
      'execution',
      'depth',
      'account',
      'account',
    ]);
    const ex1 = r1.events.filter((e): e is ExecutionEvent => e.type === 'execution');
    expect(ex1.map((e) => [e.order.orderId, e.executionType, e.status, e.isMaker])).toEqual([
      [2, 'NEW', 'NEW', false],
      [1, 'TRADE', 'PARTIALLY_FILLED', true],
      [2, 'TRADE', 'FILLED', false],
    ]);
    const r2 = ex.placeOrder(limit(3, 'BUY', '30000', '0.1'));
    expect(
      r2.events.filter((e) => e.type === 'firstFill').map((e) => (e.type === 'firstFill' ? e.orderId : 0)),
    ).toEqual([3]);
  });
});

describe('order types and time in force', () => {
  it('MARKET by quantity sweeps and expires the rest on an empty book', () => {
    const ex = exchange();
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '30010', '0.1'));
    const r = ex.placeOrder(market(1, 'BUY', '0.3'));
    expect(r.order.status).toBe('EXPIRED');
    expect(r.order.expiryReason).toBe('INSUFFICIENT_LIQUIDITY');
    expect(r.order.executedQty).toBe(20_000_000);
    expect(r.order.cumQuote).toBe(600_100_000_000n);
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '993999.00000000', locked: '0.00000000' });
    expect(book(ex).asks).toEqual([]);
  });

  it('MARKET by quoteOrderQty spends at most the amount, in whole steps', () => {
    const ex = exchange();
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '30010', '1'));
    const r = ex.placeOrder({
      now: 1,
      accountId: 1,
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: '4000',
    });
    // 0.1 @ 30000 = 3000; 1000 / 30010 = 0.033322… → 0.03332 (step 0.00001) = 999.9332
    expect(r.order.executedQty).toBe(13_332_000);
    expect(r.order.cumQuote).toBe(399_993_320_000n);
    expect(r.order.spec.origQuoteOrderQty).toBe(400_000_000_000n);
    expect(r.order.status).toBe('FILLED');
    expect(bal(ex, 1, 'USDT').locked).toBe('0.00000000');
    // no bids at all: nothing to compute a quantity from
    expect(
      err(() =>
        ex.placeOrder({ now: 2, accountId: 3, symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quoteOrderQty: '10' }),
      ),
    ).toEqual({
      code: -2010,
      msg: 'Order book liquidity is less than `LOT_SIZE` filter minimum quantity.',
    });
  });

  it('LIMIT_MAKER rests or rejects', () => {
    const ex = exchange();
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1'));
    const lm = (price: string) => ({
      ...limit(1, 'BUY', price, '0.1'),
      type: 'LIMIT_MAKER' as const,
      timeInForce: undefined,
    });
    expect(err(() => ex.placeOrder(lm('30000')))).toEqual({
      code: -2010,
      msg: 'Order would immediately match and take.',
    });
    expect(ex.placeOrder(lm('29999.99')).order.status).toBe('NEW');
  });

  it('IOC expires the unfilled rest; FOK fills completely or not at all', () => {
    const ex = exchange();
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1'));
    ex.placeOrder(limit(2, 'SELL', '30001', '0.1'));
    const fok = ex.placeOrder(limit(1, 'BUY', '30001', '0.3', { timeInForce: 'FOK' }));
    expect([fok.order.status, fok.order.executedQty, fok.order.expiryReason]).toEqual([
      'EXPIRED',
      0,
      'UNFILLED_FOK_ORDER_EXPIRED',
    ]);
    expect(book(ex).asks).toEqual(['30000x0.1', '30001x0.1']);
    const fok2 = ex.placeOrder(limit(1, 'BUY', '30001', '0.2', { timeInForce: 'FOK' }));
    expect(fok2.order.status).toBe('FILLED');
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1'));
    const ioc = ex.placeOrder(limit(1, 'BUY', '30000', '0.3', { timeInForce: 'IOC' }));
    expect([ioc.order.status, ioc.order.executedQty, ioc.order.expiryReason]).toEqual([
      'EXPIRED',
      10_000_000,
      'UNFILLED_IOC_QUANTITY_EXPIRED',
    ]);
    expect(book(ex)).toEqual({ bids: [], asks: [] });
    expect(bal(ex, 1, 'USDT').locked).toBe('0.00000000');
  });

  it('stop orders: rejected when they would trigger at once, triggered by the last price', () => {
    const ex = exchange();
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1'));
    ex.placeOrder(limit(1, 'BUY', '30000', '0.1')); // last price 30000
    const stop = (side: 'BUY' | 'SELL', type: 'STOP_LOSS' | 'TAKE_PROFIT', stopPrice: string) => ({
      now: 1,
      accountId: 3,
      symbol: 'BTCUSDT',
      side,
      type,
      quantity: '0.1',
      stopPrice,
    });
    const wouldTrigger = { code: -2010, msg: 'Order would trigger immediately.' };
    expect(err(() => ex.placeOrder(stop('BUY', 'STOP_LOSS', '29999')))).toEqual(wouldTrigger);
    expect(err(() => ex.placeOrder(stop('SELL', 'STOP_LOSS', '30001')))).toEqual(wouldTrigger);
    expect(err(() => ex.placeOrder(stop('BUY', 'TAKE_PROFIT', '30001')))).toEqual(wouldTrigger);
    expect(err(() => ex.placeOrder(stop('SELL', 'TAKE_PROFIT', '29999')))).toEqual(wouldTrigger);
    const sl = ex.placeOrder(stop('SELL', 'STOP_LOSS', '29900'));
    expect([sl.order.status, sl.order.workingTime, sl.order.isWorking]).toEqual(['NEW', -1, false]);
    expect(bal(ex, 3, 'BTC').locked).toBe('0.10000000');
    const slLimit = ex.placeOrder({
      ...stop('BUY', 'STOP_LOSS', '30100'),
      type: 'STOP_LOSS_LIMIT',
      price: '30200',
      timeInForce: 'GTC',
    });
    expect(bal(ex, 3, 'USDT').locked).toBe('3020.00000000');
    // bids for the stop-loss sell to hit, then a trade at 29900 triggers it
    ex.placeOrder(limit(1, 'BUY', '29800', '1'));
    ex.placeOrder(limit(1, 'BUY', '29900', '0.05'));
    const trig = ex.placeOrder(limit(2, 'SELL', '29900', '0.05'));
    const slNow = ex.getOrder(3, 'BTCUSDT', { orderId: sl.order.spec.orderId });
    expect([slNow.status, slNow.executedQty, slNow.workingTime]).toEqual([
      'FILLED',
      10_000_000,
      trig.events[0]?.type === 'execution' ? trig.events[0].transactTime : 0,
    ]);
    expect(ex.lastPrice('BTCUSDT')).toBe(2_980_000_000_000);
    // the stop-loss-limit buy triggers at ≥ 30100 and rests at 30200 when nothing sells
    ex.placeOrder(limit(2, 'SELL', '30100', '0.1'));
    ex.placeOrder(limit(1, 'BUY', '30100', '0.1'));
    const sll = ex.getOrder(3, 'BTCUSDT', { orderId: slLimit.order.spec.orderId });
    expect([sll.status, sll.isWorking]).toEqual(['NEW', true]);
    expect(book(ex).bids[0]).toBe('30200x0.1');
  });

  it('icebergs show their tip, refill at the back of the queue', () => {
    const ex = exchange();
    const ice = ex.placeOrder(limit(2, 'SELL', '30000', '1', { icebergQty: '0.2' }));
    ex.placeOrder(limit(3, 'SELL', '30000', '0.1'));
    expect(book(ex).asks).toEqual(['30000x0.3']);
    const r = ex.placeOrder(limit(1, 'BUY', '30000', '0.25'));
    // 0.2 from the tip, then the refilled tip went behind account 3: 0.05 from account 3
    expect(
      r.events
        .filter((e) => e.type === 'trade')
        .map((t) => (t.type === 'trade' ? [t.sellerAccountId, t.qty / 1e8] : [])),
    ).toEqual([
      [2, 0.2],
      [3, 0.05],
    ]);
    expect(book(ex).asks).toEqual(['30000x0.25']);
    const all = ex.placeOrder(limit(1, 'BUY', '30000', '0.85'));
    expect(all.order.status).toBe('FILLED');
    expect(ex.getOrder(2, 'BTCUSDT', { orderId: ice.order.spec.orderId }).status).toBe('FILLED');
    expect(book(ex).asks).toEqual([]);
  });
});

describe('a command’s result', () => {
  it('is read before the engine’s next command (its words are reused); what was read stays', () => {
    const ex = exchange();
    ex.placeOrder(limit(2, 'SELL', '30000', '1'));
    const read = ex.placeOrder(limit(1, 'BUY', '30000', '0.4'));
    const events = read.events;
    const fills = read.fills;
    const unread = ex.placeOrder(limit(1, 'BUY', '30000', '0.1'));
    const eventsOnly = ex.placeOrder(limit(3, 'BUY', '30000', '0.2'));
    const fillsNow = eventsOnly.fills.map((f) => ({ ...f }));
    const eventsOnlyAgain = ex.placeOrder(limit(3, 'BUY', '30000', '0.2'));
    void eventsOnlyAgain.events;
    ex.placeOrder(limit(1, 'BUY', '29000', '0.1'));
    // read before: the same objects afterwards, and what they said then
    expect(read.events).toBe(events);
    expect(read.fills).toBe(fills);
    expect(fills.map((f) => f.qty)).toEqual([40_000_000]);
    expect(events.filter((e) => e.type === 'trade').map((e) => e.type === 'trade' && e.qty)).toEqual([40_000_000]);
    // not read before: a clear error, never another command's events
    expect(() => unread.events).toThrow(/read after the engine's next command/);
    expect(() => unread.fills).toThrow(/read after the engine's next command/);
    // events read before: the fills come from them, as they were
    expect(eventsOnlyAgain.fills).toHaveLength(1);
    expect(eventsOnlyAgain.fills[0]).toMatchObject({
      qty: 20_000_000,
      price: 3_000_000_000_000,
      commissionAsset: 'BTC',
    });
    expect(fillsNow).toHaveLength(1);
    expect({ ...eventsOnlyAgain.fills[0], tradeId: 0 }).toEqual({ ...fillsNow[0], tradeId: 0 });
  });
});

describe('the order endpoint’s direct JSON', () => {
  it('equals JSON.stringify of the response object for client ids that need escaping or are not ASCII', () => {
    const ex = exchange();
    ex.placeOrder(limit(2, 'SELL', '30000', '5'));
    const ids = ['plain-id_1', 'quote"d', 'back\\slash', 'tab\there', 'nl\n', 'é€😀', '\u007f', '\ud800lone', ''];
    for (const newClientOrderId of ids) {
      const r = ex.placeOrder(limit(1, 'BUY', '30000', '0.1', newClientOrderId ? { newClientOrderId } : {}));
      for (const t of ['ACK', 'RESULT', 'FULL'] as const) {
        const json = orderResponseJson(r.order, r.fills, t, 5);
        expect(json).toBe(JSON.stringify(orderResponse(r.order, r.fills, t, 5)));
        if (newClientOrderId)
          expect((JSON.parse(json) as { clientOrderId: string }).clientOrderId).toBe(newClientOrderId);
      }
    }
  });
});
