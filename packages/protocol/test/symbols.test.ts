import { describe, it, expect } from 'vitest';
import {
  DEFAULT_EXCHANGE_FILTERS,
  DEFAULT_SYMBOLS,
  FILTER_FIELDS,
  ORDER_TYPES,
  SELF_TRADE_PREVENTION_MODES,
  SYMBOL_FIELDS,
  SYMBOL_STATUSES,
  findFilter,
  type FilterOf,
  type SymbolDefinition,
  type SymbolFilterType,
} from '@binance-sandbox/protocol';

/** Exact decimal as an integer count of 1e-8 units (Binance's 8-decimal grid). */
function units(decimal: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,8}))?$/.exec(decimal);
  if (m === null) throw new Error(`not a decimal with at most 8 places: ${decimal}`);
  return BigInt(m[1] ?? '0') * 100_000_000n + BigInt((m[2] ?? '').padEnd(8, '0'));
}
const ONE = units('1');
const divides = (step: string, value: string) => units(value) % units(step) === 0n;

const PADDED_8 = /^\d+\.\d{8}$/;
/** Binance renders PERCENT_PRICE_BY_SIDE multipliers without trailing zeros ("5", "0.2"). */
const UNPADDED = /^(0|[1-9]\d*)(\.\d*[1-9])?$/;

function filter<T extends SymbolFilterType>(s: SymbolDefinition, type: T): FilterOf<T> {
  const f = findFilter(s, type);
  if (f === undefined) throw new Error(`${s.symbol} has no ${type}`);
  return f;
}

describe('default symbols', () => {
  it('are BTCUSDT, ETHUSDT, BNBUSDT, ETHBTC, with no exchange filters', () => {
    expect(DEFAULT_SYMBOLS.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC']);
    expect(DEFAULT_EXCHANGE_FILTERS).toEqual([]);
  });

  it.each(DEFAULT_SYMBOLS.map((s) => [s.symbol, s] as const))('%s has the exchangeInfo shape', (_, s) => {
    expect(Object.keys(s)).toEqual([...SYMBOL_FIELDS]);
    expect(SYMBOL_STATUSES).toContain(s.status);
    expect(s.symbol).toBe(s.baseAsset + s.quoteAsset);
    expect(s.quotePrecision).toBe(s.quoteAssetPrecision);
    for (const t of s.orderTypes) expect(ORDER_TYPES).toContain(t);
    expect(s.permissions).toEqual([]);
    expect(s.permissionSets.some((set) => set.includes('SPOT'))).toBe(true);
    for (const m of s.allowedSelfTradePreventionModes) expect(SELF_TRADE_PREVENTION_MODES).toContain(m);
    expect(s.allowedSelfTradePreventionModes).toContain(s.defaultSelfTradePreventionMode);
    for (const f of s.filters) expect(Object.keys(f), f.filterType).toEqual(FILTER_FIELDS[f.filterType]);
    const types = s.filters.map((f) => f.filterType);
    expect(new Set(types).size).toBe(types.length);
  });

  it.each(DEFAULT_SYMBOLS.map((s) => [s.symbol, s] as const))('%s has internally consistent filters', (_, s) => {
    const price = filter(s, 'PRICE_FILTER');
    expect(units(price.tickSize)).toBeGreaterThan(0n);
    expect(divides(price.tickSize, price.minPrice)).toBe(true);
    expect(divides(price.tickSize, price.maxPrice)).toBe(true);
    expect(units(price.minPrice)).toBeLessThan(units(price.maxPrice));

    for (const lot of [filter(s, 'LOT_SIZE'), filter(s, 'MARKET_LOT_SIZE')]) {
      expect(units(lot.minQty)).toBeLessThan(units(lot.maxQty));
      // A zero stepSize / minQty disables the rule (MARKET_LOT_SIZE in production).
      if (units(lot.stepSize) > 0n) {
        expect(divides(lot.stepSize, lot.minQty)).toBe(true);
        expect(divides(lot.stepSize, lot.maxQty)).toBe(true);
      }
    }
    const lot = filter(s, 'LOT_SIZE');
    expect(units(lot.stepSize)).toBeGreaterThan(0n);
    expect(lot.minQty).toBe(lot.stepSize);

    const notional = filter(s, 'NOTIONAL');
    expect(units(notional.minNotional)).toBeGreaterThan(0n);
    expect(units(notional.minNotional)).toBeLessThan(units(notional.maxNotional));

    const bySide = filter(s, 'PERCENT_PRICE_BY_SIDE');
    for (const down of [bySide.bidMultiplierDown, bySide.askMultiplierDown]) expect(units(down)).toBeLessThan(ONE);
    for (const up of [bySide.bidMultiplierUp, bySide.askMultiplierUp]) expect(units(up)).toBeGreaterThan(ONE);
    expect(bySide.avgPriceMins).toBeGreaterThan(0);

    const trailing = filter(s, 'TRAILING_DELTA');
    expect(trailing).toEqual({
      filterType: 'TRAILING_DELTA',
      minTrailingAboveDelta: 10,
      maxTrailingAboveDelta: 2000,
      minTrailingBelowDelta: 10,
      maxTrailingBelowDelta: 2000,
    });
    expect(filter(s, 'ICEBERG_PARTS').limit).toBe(100);
    expect(filter(s, 'MAX_NUM_ORDERS').maxNumOrders).toBe(200);
    expect(filter(s, 'MAX_NUM_ALGO_ORDERS').maxNumAlgoOrders).toBe(5);
    expect(filter(s, 'MAX_NUM_ORDER_AMENDS').maxNumOrderAmends).toBe(10);
    expect(filter(s, 'MAX_NUM_ORDER_LISTS').maxNumOrderLists).toBe(20);
  });

  it.each(DEFAULT_SYMBOLS.map((s) => [s.symbol, s] as const))('%s renders decimals as Binance does', (_, s) => {
    for (const f of s.filters) {
      const fields = f as unknown as Record<string, unknown>;
      for (const [name, value] of Object.entries(fields)) {
        if (name === 'filterType') continue;
        if (f.filterType === 'PERCENT_PRICE_BY_SIDE' || f.filterType === 'PERCENT_PRICE') {
          if (name !== 'avgPriceMins') expect(value, `${f.filterType}.${name}`).toMatch(UNPADDED);
          else expect(Number.isInteger(value)).toBe(true);
        } else if (typeof value === 'string') {
          expect(value, `${f.filterType}.${name}`).toMatch(PADDED_8);
        } else {
          expect(['number', 'boolean'], `${f.filterType}.${name}`).toContain(typeof value);
        }
      }
    }
  });

  it('uses the production tick and step sizes', () => {
    const get = (symbol: string) => {
      const s = DEFAULT_SYMBOLS.find((d) => d.symbol === symbol);
      if (s === undefined) throw new Error(symbol);
      return {
        tick: filter(s, 'PRICE_FILTER').tickSize,
        step: filter(s, 'LOT_SIZE').stepSize,
        min: filter(s, 'NOTIONAL').minNotional,
      };
    };
    expect(get('BTCUSDT')).toEqual({ tick: '0.01000000', step: '0.00001000', min: '5.00000000' });
    expect(get('ETHUSDT')).toEqual({ tick: '0.01000000', step: '0.00010000', min: '5.00000000' });
    expect(get('BNBUSDT')).toEqual({ tick: '0.01000000', step: '0.00100000', min: '5.00000000' });
    expect(get('ETHBTC')).toEqual({ tick: '0.00001000', step: '0.00010000', min: '0.00010000' });
    const btc = DEFAULT_SYMBOLS[0];
    expect(btc && filter(btc, 'PERCENT_PRICE_BY_SIDE')).toEqual({
      filterType: 'PERCENT_PRICE_BY_SIDE',
      bidMultiplierUp: '5',
      bidMultiplierDown: '0.2',
      askMultiplierUp: '5',
      askMultiplierDown: '0.2',
      avgPriceMins: 5,
    });
  });

  it('has a test helper that can fail', () => {
    expect(divides('0.01000000', '0.01500000')).toBe(false);
    expect(() => units('1.000000001')).toThrow();
    expect('5.0').not.toMatch(UNPADDED);
    expect('5.000000').not.toMatch(PADDED_8);
  });
});
