/**
 * Trailing stops, the scenarios of Binance's trailing-stop FAQ: tracking starts at the stop price
 * (at once without one), follows the most favourable trade price, and fires on a move of
 * trailingDelta BIPS against the order; plus the parameter and TRAILING_DELTA filter rules.
 */
import { describe, expect, it } from 'vitest';
import type { Exchange, PlaceOrderCommand } from '../../src/engine/index.js';
import { BTC, btcWith, err, exchange, limit } from './helpers.js';

let now = 5_000_000;
/** One trade at `price` between accounts 2 and 3 (not the trailing order's account 1). */
function tradeAt(ex: Exchange, price: string): number {
  now += 1000;
  ex.placeOrder({ ...limit(2, 'SELL', price, '0.001'), now });
  ex.placeOrder({ ...limit(3, 'BUY', price, '0.001', { timeInForce: 'IOC' }), now });
  expect(ex.lastPrice('BTCUSDT')).toBe(Number(price) * 1e8);
  return now;
}

function trailing(side: 'BUY' | 'SELL', type: PlaceOrderCommand['type'], extra: Partial<PlaceOrderCommand>) {
  now += 1000;
  return { now, accountId: 1, symbol: 'BTCUSDT', side, type, quantity: '0.01', ...extra } as PlaceOrderCommand;
}

const state = (ex: Exchange, orderId: number) => {
  const o = ex.getOrder(1, 'BTCUSDT', { orderId });
  return {
    working: o.isWorking,
    trailingTime: o.trailingTime,
    workingTime: o.workingTime,
    delta: o.spec.trailingDelta,
  };
};

describe('trailing stops', () => {
  it('scenario A — STOP_LOSS_LIMIT BUY: tracks from the stop price, follows the low, fires 5 % above it', () => {
    const ex = exchange();
    tradeAt(ex, '40000');
    const placed = ex.placeOrder(
      trailing('BUY', 'STOP_LOSS_LIMIT', {
        stopPrice: '44000',
        price: '45000',
        timeInForce: 'GTC',
        trailingDelta: 500,
      }),
    );
    const id = placed.order.spec.orderId;
    expect(state(ex, id)).toEqual({ working: false, trailingTime: -1, workingTime: -1, delta: 500 });
    tradeAt(ex, '37000'); // 750 BIPS down, but not tracking yet
    expect(state(ex, id).trailingTime).toBe(-1);
    const started = tradeAt(ex, '44000'); // the stop price: tracking starts, low = 44000
    tradeAt(ex, '45000');
    tradeAt(ex, '46000'); // ~454 BIPS above the low: not enough
    expect(state(ex, id)).toMatchObject({ working: false, trailingTime: started });
    tradeAt(ex, '42000'); // a new low
    tradeAt(ex, '44099.99');
    expect(state(ex, id).working).toBe(false);
    const fired = tradeAt(ex, '44100'); // 42000 × 1.05
    expect(state(ex, id)).toEqual({ working: true, trailingTime: started, workingTime: fired, delta: 500 });
    expect(ex.book('BTCUSDT', 5).bids[0]).toEqual([45000e8, 0.01e8]); // working at its limit price
  });

  it('scenario B — STOP_LOSS_LIMIT SELL: follows the high after the stop price, fires 10 % below it', () => {
    const ex = exchange();
    tradeAt(ex, '40000');
    const id = ex.placeOrder(
      trailing('SELL', 'STOP_LOSS_LIMIT', {
        stopPrice: '39000',
        price: '38000',
        timeInForce: 'GTC',
        trailingDelta: 1000,
      }),
    ).order.spec.orderId;
    tradeAt(ex, '41500');
    const started = tradeAt(ex, '39000');
    tradeAt(ex, '37000'); // ~512 BIPS below 39000
    tradeAt(ex, '41000'); // new high
    tradeAt(ex, '36900.01');
    expect(state(ex, id).working).toBe(false);
    const fired = tradeAt(ex, '36900'); // 41000 × 0.9
    expect(state(ex, id)).toMatchObject({ working: true, trailingTime: started, workingTime: fired });
  });

  it('scenario D — TAKE_PROFIT_LIMIT SELL; scenario E — no stop price: tracks from the last price at once', () => {
    const ex = exchange();
    tradeAt(ex, '40000');
    const tp = ex.placeOrder(
      trailing('SELL', 'TAKE_PROFIT_LIMIT', {
        stopPrice: '42000',
        price: '41000',
        timeInForce: 'GTC',
        trailingDelta: 750,
      }),
    ).order.spec.orderId;
    tradeAt(ex, '41500');
    tradeAt(ex, '39000');
    const started = tradeAt(ex, '42000');
    tradeAt(ex, '45000');
    tradeAt(ex, '44000');
    tradeAt(ex, '46500');
    tradeAt(ex, '43012.51');
    expect(state(ex, tp).working).toBe(false);
    const fired = tradeAt(ex, '43012.5'); // 46500 × 0.925
    expect(state(ex, tp)).toMatchObject({ working: true, trailingTime: started, workingTime: fired });

    const ex2 = exchange();
    tradeAt(ex2, '40000');
    const e = ex2.placeOrder(
      trailing('SELL', 'STOP_LOSS_LIMIT', { price: '39000', timeInForce: 'GTC', trailingDelta: 700 }),
    );
    const id = e.order.spec.orderId;
    expect(state(ex2, id).trailingTime).toBe(e.order.spec.time);
    expect(e.order.spec.stopPrice).toBe(0);
    tradeAt(ex2, '37201');
    expect(state(ex2, id).working).toBe(false);
    tradeAt(ex2, '37200'); // 40000 × 0.93
    expect(state(ex2, id).working).toBe(true);
  });

  it('a trailing STOP_LOSS (market) SELL fires inside a sweep and executes against the book', () => {
    const ex = exchange();
    tradeAt(ex, '30000');
    const id = ex.placeOrder(trailing('SELL', 'STOP_LOSS', { trailingDelta: 100 })).order.spec.orderId; // 1 %
    ex.placeOrder(limit(2, 'BUY', '29850', '0.001'));
    ex.placeOrder(limit(2, 'BUY', '29700', '0.001'));
    ex.placeOrder(limit(3, 'BUY', '29600', '1'));
    now += 1000;
    ex.placeOrder({ now, accountId: 3, symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.002' }); // 29850, 29700
    const o = ex.getOrder(1, 'BTCUSDT', { orderId: id });
    expect(o.status).toBe('FILLED');
    expect(o.executedQty).toBe(0.01e8);
    expect(ex.lastPrice('BTCUSDT')).toBe(29600e8);
  });

  it('parameters: trailingDelta only on stop types, stopPrice optional with it, the TRAILING_DELTA filter, allowTrailingStop', () => {
    const ex = exchange();
    tradeAt(ex, '30000');
    expect(err(() => ex.placeOrder(limit(1, 'BUY', '29000', '0.01', { trailingDelta: 100 })))).toEqual({
      code: -1106,
      msg: "Parameter 'trailingDelta' sent when not required.",
    });
    expect(err(() => ex.placeOrder(trailing('SELL', 'STOP_LOSS', {})))).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.",
    });
    const f = BTC.filters.find((x) => x.filterType === 'TRAILING_DELTA') as {
      minTrailingAboveDelta: number;
      maxTrailingBelowDelta: number;
    };
    const failure = { code: -1013, msg: 'Filter failure: TRAILING_DELTA' };
    expect(
      err(() => ex.placeOrder(trailing('BUY', 'STOP_LOSS', { trailingDelta: f.minTrailingAboveDelta - 1 }))),
    ).toEqual(failure);
    expect(
      err(() => ex.placeOrder(trailing('SELL', 'STOP_LOSS', { trailingDelta: f.maxTrailingBelowDelta + 1 }))),
    ).toEqual(failure);
    // a stop price already reached is not "would trigger immediately" for a trailing stop: it tracks at once
    const tracking = ex.placeOrder(trailing('SELL', 'STOP_LOSS', { stopPrice: '30500', trailingDelta: 100 }));
    expect(tracking.order.trailingTime).toBe(tracking.order.spec.time);

    const off = exchange([btcWith([], { allowTrailingStop: false })]);
    expect(err(() => off.placeOrder(trailing('SELL', 'STOP_LOSS', { trailingDelta: 100 })))).toEqual({
      code: -1013,
      msg: 'Trailing stop orders are not supported for this symbol.',
    });
  });
});
