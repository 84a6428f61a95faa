/**
 * OTO / OTOCO / OPO / OPOCO lists across a snapshot: restored while the working order is partly
 * filled, they go on exactly as the uninterrupted engine does (what an OPO received so far,
 * activation, the pending pair acting as an OCO).
 */
import { deserialize, serialize } from 'node:v8';
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { describe, expect, it } from 'vitest';
import { Exchange, executionReport, type EngineEvent } from '../../src/engine/index.js';
import type { EngineState } from '../../src/engine/snapshot.js';
import { limit } from './helpers.js';

function funded(): Exchange {
  const ex = new Exchange(DEFAULT_SYMBOLS);
  ex.deposit({ now: 0, accountId: 1, asset: 'USDT', amount: '10000' });
  ex.deposit({ now: 0, accountId: 1, asset: 'BTC', amount: '0.5' });
  ex.deposit({ now: 0, accountId: 2, asset: 'BTC', amount: '1' });
  ex.deposit({ now: 0, accountId: 3, asset: 'USDT', amount: '100000' });
  return ex;
}

const reports = (events: readonly EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'execution' ? [JSON.stringify(executionReport(e))] : [e.type]));

describe('order lists across a snapshot', () => {
  it.each(['OTO', 'OTOCO', 'OPO', 'OPOCO'] as const)(
    '%s: restored while the working order fills, continues identically',
    (kind) => {
      const head = { now: 10, accountId: 1, symbol: 'BTCUSDT' };
      const working = { type: 'LIMIT', side: 'BUY', price: '30000', quantity: '0.1', timeInForce: 'GTC' } as const;
      const pending = { type: 'LIMIT', side: 'SELL', price: '33000', timeInForce: 'GTC' } as const;
      const pair = {
        pendingSide: 'SELL',
        pendingAbove: { type: 'LIMIT_MAKER', price: '33000' },
        pendingBelow: { type: 'STOP_LOSS', stopPrice: '28000', trailingDelta: 100 },
      } as const;
      const place = (ex: Exchange) => {
        if (kind === 'OTO') ex.placeOto({ ...head, working, pending: { ...pending, quantity: '0.1' } });
        else if (kind === 'OPO') ex.placeOpo({ ...head, working, pending });
        else if (kind === 'OTOCO') ex.placeOtoco({ ...head, working, ...pair, pendingQuantity: '0.1' });
        else ex.placeOpoco({ ...head, working, ...pair });
        ex.placeOrder({ ...limit(2, 'SELL', '30000', '0.04'), now: 15 }); // part of the working order
      };
      const rest = (ex: Exchange) => [
        ex.placeOrder({ ...limit(2, 'SELL', '30000', '0.06'), now: 20 }).events, // fills the working order
        ex.placeOrder({ ...limit(3, 'BUY', '33000', '0.1'), now: 30 }).events, // the take-profit
      ];
      const straight = funded();
      place(straight);
      const expected = rest(straight).map(reports);

      const before = funded();
      place(before);
      const restored = new Exchange(DEFAULT_SYMBOLS);
      restored.importState(deserialize(serialize(before.exportState())) as EngineState);
      expect(rest(restored).map(reports)).toEqual(expected);
      expect(restored.exportState()).toStrictEqual(straight.exportState());
      const statuses = restored.allOrders(1, 'BTCUSDT').map((o) => o.status);
      expect(statuses).toEqual(
        kind === 'OTO' || kind === 'OPO' ? ['FILLED', 'FILLED'] : ['FILLED', 'EXPIRED', 'FILLED'],
      );
    },
  );

  it('an OCO whose leg was renamed stays UPDATED (its last listStatus) across a snapshot', () => {
    const ex = funded();
    ex.placeOrder({ ...limit(2, 'SELL', '30000', '0.01'), now: 5 });
    ex.placeOrder({ ...limit(3, 'BUY', '30000', '0.01'), now: 6 }); // last price 30000
    const placed = ex.placeOco({
      now: 10,
      accountId: 1,
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.2',
      above: { type: 'LIMIT_MAKER', price: '31000' },
      below: { type: 'STOP_LOSS', stopPrice: '29000' },
    });
    const leg = placed.list.orders[0]!;
    ex.amendOrder({ now: 20, accountId: 1, symbol: 'BTCUSDT', orderId: leg.spec.orderId, newQty: '0.1' });
    const restored = new Exchange(DEFAULT_SYMBOLS);
    restored.importState(deserialize(serialize(ex.exportState())) as EngineState);
    for (const x of [ex, restored])
      expect(x.orderLists(1, 'BTCUSDT')).toMatchObject([{ status: 'EXECUTING', updated: true, updateTime: 20 }]);
    expect(restored.exportState()).toStrictEqual(ex.exportState());
  });
});
