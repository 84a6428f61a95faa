import { describe, expect, it } from 'vitest';
import { ApiError, DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { Exchange } from '../../src/engine/index.js';

const report = (ex: Exchange, price: string, qty: string, now = 1) =>
  ex.reportBlockTrade({ now, symbol: 'ETHBTC', price, qty, isBuyerMaker: false });

describe('block trades in the engine', () => {
  it('numbers them per symbol from 1, with the exact quote quantity (8 decimals, rounded down), and touches nothing else', () => {
    const ex = new Exchange(DEFAULT_SYMBOLS);
    const before = JSON.stringify(ex.book('ETHBTC'));
    const [e] = report(ex, '0.05123456', '0.3');
    expect(e).toEqual({
      type: 'blockTrade',
      symbol: 'ETHBTC',
      id: 1,
      price: 5_123_456,
      qty: 30_000_000,
      quoteQty: 1_537_036n, // 0.015370368 rounded down
      time: 1,
      isBuyerMaker: false,
    });
    report(ex, '0.06', '1', 2);
    expect(ex.blockTrades('ETHBTC', 1, 10).map((t) => t.id)).toEqual([1, 2]);
    expect(ex.blockTrades('ETHBTC', 2, 10).map((t) => t.id)).toEqual([2]);
    expect(ex.blockTrades('ETHBTC', 1, 1).map((t) => t.id)).toEqual([1]);
    expect(ex.blockTrades('BTCUSDT', 1, 10)).toEqual([]);
    expect(JSON.stringify(ex.book('ETHBTC'))).toBe(before);
    expect(ex.trades('ETHBTC')).toEqual([]);
    // snapshots keep them
    const copy = new Exchange(DEFAULT_SYMBOLS);
    copy.importState(structuredClone(ex.exportState()));
    expect(copy.blockTrades('ETHBTC', 1, 10)).toEqual(ex.blockTrades('ETHBTC', 1, 10));
    expect(
      copy.reportBlockTrade({ now: 3, symbol: 'ETHBTC', price: '1', qty: '1', isBuyerMaker: true })[0],
    ).toMatchObject({ id: 3 });
  });

  it('refuses what is not a positive amount of at most 8 decimals, and unknown symbols', () => {
    const ex = new Exchange(DEFAULT_SYMBOLS);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        if (e instanceof ApiError) return e.code;
        throw e;
      }
      return 'accepted';
    };
    expect(code(() => report(ex, 'x', '1'))).toBe(-1102);
    expect(code(() => report(ex, '1', '0.000000001'))).toBe(-1111);
    expect(code(() => report(ex, '0', '1'))).toBe(-1013);
    expect(code(() => ex.reportBlockTrade({ now: 1, symbol: 'NOPE', price: '1', qty: '1', isBuyerMaker: true }))).toBe(
      -1121,
    );
    expect(ex.blockTrades('ETHBTC', 1, 10)).toEqual([]);
  });
});
