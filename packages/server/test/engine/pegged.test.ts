/**
 * Pegged orders (faqs/pegged_orders.md): a limit price taken from the book — the best price of the
 * order's own side (PRIMARY_PEG) or of the other side (MARKET_PEG), PRICE_LEVEL levels deeper — when
 * the order enters the book: at once, when a stop-limit triggers, when an OTO makes it live.
 */
import { deserialize, serialize } from 'node:v8';
import { EngineMessage, ErrorCode, type SymbolDefinition } from '@binance-sandbox/protocol';
import { describe, expect, it } from 'vitest';
import {
  Exchange,
  executionReport,
  resultResponse,
  type EngineEvent,
  type PlaceOrderCommand,
} from '../../src/engine/index.js';
import type { EngineState } from '../../src/engine/snapshot.js';
import { BTC, bal, book, err, limit } from './helpers.js';

function withBook(symbols: SymbolDefinition[] = [BTC]): Exchange {
  const ex = new Exchange(symbols);
  for (const a of [1, 2, 3]) {
    ex.deposit({ now: 0, accountId: a, asset: 'USDT', amount: '1000000' });
    ex.deposit({ now: 0, accountId: a, asset: 'BTC', amount: '100' });
  }
  ex.placeOrder(limit(2, 'BUY', '29990', '1', { now: 1 }));
  ex.placeOrder(limit(2, 'BUY', '29980', '1', { now: 2 }));
  ex.placeOrder(limit(2, 'SELL', '30010', '1', { now: 3 }));
  ex.placeOrder(limit(2, 'SELL', '30020', '1', { now: 4 }));
  return ex;
}

const pegged = (side: 'BUY' | 'SELL', extra: Partial<PlaceOrderCommand>): PlaceOrderCommand => {
  const { price: _price, ...cmd } = limit(1, side, '1', '0.5', extra);
  return extra.price === undefined ? cmd : { ...cmd, price: extra.price };
};

describe('pegged orders', () => {
  it('PRIMARY_PEG joins the best price of its own side (or levels deeper) and reserves at it', () => {
    const ex = withBook();
    const r = ex.placeOrder(pegged('BUY', { pegPriceType: 'PRIMARY_PEG' }));
    expect(resultResponse(r.order, 1)).toMatchObject({
      price: '0.00000000',
      pegPriceType: 'PRIMARY_PEG',
      peggedPrice: '29990.00000000',
      status: 'NEW',
    });
    expect(book(ex).bids[0]).toBe('29990x1.5');
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '985005.00000000', locked: '14995.00000000' });
    const deeper = ex.placeOrder(
      pegged('SELL', { pegPriceType: 'PRIMARY_PEG', pegOffsetType: 'PRICE_LEVEL', pegOffsetValue: 1 }),
    );
    expect(resultResponse(deeper.order, 1)).toMatchObject({
      pegOffsetType: 'PRICE_LEVEL',
      pegOffsetValue: 1,
      peggedPrice: '30020.00000000',
    });
    const report = deeper.events.flatMap((e) => (e.type === 'execution' ? [executionReport(e)] : []))[0];
    expect(report).toMatchObject({ gP: 'PRIMARY_PEG', gOT: 'PRICE_LEVEL', gOV: 1, gp: '30020.00000000' });
  });

  it('MARKET_PEG takes at the best price of the other side, and only that price', () => {
    const ex = withBook();
    const r = ex.placeOrder(pegged('BUY', { pegPriceType: 'MARKET_PEG', timeInForce: 'IOC', quantity: '1.5' }));
    expect(r.fills.map((f) => [f.price / 1e8, f.qty / 1e8])).toEqual([[30010, 1]]);
    expect(r.order.status).toBe('EXPIRED');
    expect(book(ex).asks).toEqual(['30020x1']);
  });

  it('refuses what Binance refuses', () => {
    const ex = withBook();
    const invalid = (msg: string) => ({ code: ErrorCode.INVALID_MESSAGE, msg });
    expect(
      err(() =>
        ex.placeOrder(pegged('BUY', { type: 'LIMIT_MAKER', timeInForce: undefined, pegPriceType: 'MARKET_PEG' })),
      ),
    ).toEqual(invalid(EngineMessage.PEG_TYPE_NOT_ALLOWED));
    expect(err(() => ex.placeOrder(pegged('BUY', { pegPriceType: 'PRIMARY_PEG', timeInForce: 'IOC' })))).toEqual(
      invalid(EngineMessage.PEG_TYPE_NOT_ALLOWED),
    );
    const market: PlaceOrderCommand = {
      now: 5,
      accountId: 1,
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.1',
      pegPriceType: 'MARKET_PEG',
    };
    expect(err(() => ex.placeOrder(market))).toEqual(invalid(EngineMessage.PEG_NOT_ALLOWED_FOR_TYPE));
    const closed = withBook([{ ...BTC, pegInstructionsAllowed: false }]);
    expect(err(() => closed.placeOrder(pegged('BUY', { pegPriceType: 'PRIMARY_PEG' })))).toEqual(
      invalid(EngineMessage.PEGGED_NOT_SUPPORTED),
    );
    expect(
      err(() =>
        ex.placeOrder(pegged('BUY', { pegPriceType: 'PRIMARY_PEG', pegOffsetType: 'PRICE_LEVEL', pegOffsetValue: 2 })),
      ),
    ).toEqual({
      code: ErrorCode.NEW_ORDER_REJECTED,
      msg: EngineMessage.PEG_LIQUIDITY_TOO_LOW,
    });
    expect(err(() => ex.placeOrder(pegged('BUY', { pegPriceType: 'PRIMARY_PEG', pegOffsetValue: 1 })))).toEqual({
      code: -1128,
      msg: "Combination of optional fields invalid. Recommendation: 'pegOffsetType' and 'pegOffsetValue' must both be sent.",
    });
    expect(
      err(() =>
        ex.placeOrder(
          pegged('BUY', { pegPriceType: 'PRIMARY_PEG', pegOffsetType: 'PRICE_LEVEL', pegOffsetValue: 101 }),
        ),
      ),
    ).toEqual({
      code: -1102,
      msg: "'pegOffsetValue' contains unexpected value. Cannot be greater than 100.",
    });
    // a price of its own must pass the filters too
    expect(err(() => ex.placeOrder(pegged('BUY', { pegPriceType: 'PRIMARY_PEG', price: '29990.001' })))).toEqual({
      code: ErrorCode.INVALID_MESSAGE,
      msg: 'Filter failure: PRICE_FILTER',
    });
    const nothing = withBook();
    nothing.cancelOpenOrders({ now: 6, accountId: 2, symbol: 'BTCUSDT' });
    expect(err(() => nothing.placeOrder(pegged('SELL', { pegPriceType: 'MARKET_PEG' })))).toEqual({
      code: ErrorCode.NEW_ORDER_REJECTED,
      msg: EngineMessage.PEG_LIQUIDITY_TOO_LOW,
    });
  });

  it('a pegged stop-limit takes its price when it triggers, and keeps its peg in history and across a snapshot', () => {
    const place = (ex: Exchange) =>
      ex.placeOrder({
        ...pegged('SELL', { type: 'STOP_LOSS_LIMIT', pegPriceType: 'PRIMARY_PEG' }),
        stopPrice: '29995',
        now: 100,
      });
    const rest = (ex: Exchange): (readonly EngineEvent[])[] => [
      ex.placeOrder(limit(3, 'SELL', '29990', '1', { timeInForce: 'IOC', now: 200 })).events, // trades at 29990: triggers
      ex.placeOrder(limit(3, 'BUY', '30010', '2', { now: 300 })).events, // takes the asks, the pegged one at 30010 too
    ];
    const straight = withBook();
    const stop = place(straight);
    expect(resultResponse(stop.order, 1)).toMatchObject({ type: 'STOP_LOSS_LIMIT', pegPriceType: 'PRIMARY_PEG' });
    expect(resultResponse(stop.order, 1).peggedPrice).toBeUndefined();
    const expected = rest(straight).map((evs) =>
      evs.map((e) => JSON.stringify(e.type === 'execution' ? executionReport(e) : e.type)),
    );
    const [hist] = straight.allOrders(1, 'BTCUSDT');
    expect(hist?.status).toBe('FILLED');
    expect(resultResponse(hist!, 1)).toMatchObject({ pegPriceType: 'PRIMARY_PEG', peggedPrice: '30010.00000000' });

    const before = withBook();
    place(before);
    const restored = new Exchange([BTC]);
    restored.importState(deserialize(serialize(before.exportState())) as EngineState);
    expect(
      rest(restored).map((evs) => evs.map((e) => JSON.stringify(e.type === 'execution' ? executionReport(e) : e.type))),
    ).toEqual(expected);
    expect(restored.exportState()).toStrictEqual(straight.exportState());
  });

  it('an OTO pending order pegs when it goes live', () => {
    const ex = withBook();
    ex.placeOto({
      now: 10,
      accountId: 1,
      symbol: 'BTCUSDT',
      working: { type: 'LIMIT', side: 'BUY', price: '30010', quantity: '0.5', timeInForce: 'GTC' },
      pending: { type: 'LIMIT_MAKER', side: 'SELL', quantity: '0.5', pegPriceType: 'PRIMARY_PEG' },
    });
    const pending = ex.openOrders(1, 'BTCUSDT')[0];
    expect(pending?.spec.type).toBe('LIMIT_MAKER');
    expect(resultResponse(pending!, 1)).toMatchObject({ status: 'NEW', peggedPrice: '30010.00000000' });
  });
});
