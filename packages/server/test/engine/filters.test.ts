import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { ApiError, DEFAULT_SYMBOLS, type SymbolDefinition } from '@binance-sandbox/protocol';
import { BTC, btcWith, err, exchange, limit, market } from './helpers.js';
import { Exchange, type PlaceOrderCommand } from '../../src/engine/index.js';
import type { EngineState } from '../../src/engine/snapshot.js';

function msg(ex: ReturnType<typeof exchange>, cmd: PlaceOrderCommand): string {
  try {
    ex.placeOrder(cmd);
  } catch (e) {
    if (e instanceof ApiError) return `${e.code} ${e.msg}`;
    throw e;
  }
  return 'accepted';
}
const F = (name: string) => `-1013 Filter failure: ${name}`;

describe('filters', () => {
  const ex = exchange();
  it('PRICE_FILTER: tick, min, max (also on stopPrice)', () => {
    expect(msg(ex, limit(1, 'BUY', '100.001', '0.1'))).toBe(F('PRICE_FILTER'));
    expect(msg(ex, limit(1, 'BUY', '1000000.01', '0.001'))).toBe(F('PRICE_FILTER'));
    expect(msg(ex, { ...limit(1, 'BUY', '100', '0.1'), type: 'STOP_LOSS_LIMIT', stopPrice: '100.005' })).toBe(
      F('PRICE_FILTER'),
    );
  });
  it('-1111 when a value has more decimals than the asset precision (8)', () => {
    expect(msg(ex, limit(1, 'BUY', '100.000000001', '0.1'))).toBe("-1111 Parameter 'price' has too much precision.");
    expect(msg(ex, limit(1, 'BUY', '100', '0.000000001'))).toBe("-1111 Parameter 'quantity' has too much precision.");
    expect(msg(ex, limit(1, 'BUY', '100.010000000', '0.1'))).toBe('accepted'); // trailing zeros are not significant
  });
  it('LOT_SIZE: step, min, max; also icebergQty', () => {
    expect(msg(ex, limit(1, 'BUY', '100', '0.000011'))).toBe(F('LOT_SIZE'));
    expect(msg(ex, limit(1, 'BUY', '100', '0.000001'))).toBe(F('LOT_SIZE'));
    expect(msg(ex, limit(1, 'SELL', '100000', '9000.00001'))).toBe(F('LOT_SIZE'));
    expect(msg(ex, limit(1, 'BUY', '100', '1', { icebergQty: '0.000015' }))).toBe(F('LOT_SIZE'));
  });
  it('MARKET_LOT_SIZE on market orders', () => {
    expect(msg(ex, market(2, 'SELL', '119.24'))).toBe(F('MARKET_LOT_SIZE'));
  });
  it('NOTIONAL min and max; MIN_NOTIONAL', () => {
    expect(msg(ex, limit(1, 'BUY', '100', '0.04'))).toBe(F('NOTIONAL')); // 4 < 5
    expect(msg(ex, limit(1, 'BUY', '100', '0.05'))).toBe('accepted');
    const big = exchange([
      btcWith([
        {
          filterType: 'NOTIONAL',
          minNotional: '5',
          applyMinToMarket: true,
          maxNotional: '1000',
          applyMaxToMarket: false,
          avgPriceMins: 5,
        },
      ]),
    ]);
    expect(msg(big, limit(1, 'BUY', '100', '10.00001'))).toBe(F('NOTIONAL'));
    const mn = exchange([
      btcWith([{ filterType: 'MIN_NOTIONAL', minNotional: '10', applyToMarket: true, avgPriceMins: 5 }]),
    ]);
    expect(msg(mn, limit(1, 'BUY', '100', '0.09'))).toBe(F('MIN_NOTIONAL'));
  });
  it('PERCENT_PRICE_BY_SIDE and PERCENT_PRICE against the average price (skipped before the first trade)', () => {
    const e = exchange();
    expect(msg(e, limit(1, 'BUY', '1000', '0.01'))).toBe('accepted'); // no reference yet
    e.placeOrder(limit(2, 'SELL', '30000', '0.01'));
    e.placeOrder(limit(1, 'BUY', '30000', '0.01'));
    expect(e.avgPrice('BTCUSDT', 1_000_000)).toBe(3_000_000_000_000);
    expect(msg(e, limit(1, 'BUY', '5999.99', '0.01'))).toBe(F('PERCENT_PRICE_BY_SIDE')); // < 0.2 × 30000
    expect(msg(e, limit(1, 'BUY', '6000', '0.01'))).toBe('accepted');
    expect(msg(e, limit(2, 'SELL', '150000.01', '0.01'))).toBe(F('PERCENT_PRICE_BY_SIDE'));
    const pp = exchange([
      btcWith([{ filterType: 'PERCENT_PRICE', multiplierUp: '1.1', multiplierDown: '0.9', avgPriceMins: 5 }]),
    ]);
    pp.placeOrder(limit(2, 'SELL', '100', '1'));
    pp.placeOrder(limit(1, 'BUY', '100', '1'));
    expect(msg(pp, limit(1, 'BUY', '110.01', '1'))).toBe(F('PERCENT_PRICE'));
    expect(msg(pp, limit(1, 'BUY', '89.99', '1'))).toBe(F('PERCENT_PRICE'));
  });
  it('ICEBERG_PARTS', () => {
    const e = exchange([btcWith([{ filterType: 'ICEBERG_PARTS', limit: 10 }])]);
    expect(msg(e, limit(1, 'BUY', '100', '1', { icebergQty: '0.1' }))).toBe('accepted');
    expect(msg(e, limit(1, 'BUY', '100', '1', { icebergQty: '0.09' }))).toBe(F('ICEBERG_PARTS'));
  });
  it('MAX_NUM_ORDERS, MAX_NUM_ALGO_ORDERS, MAX_NUM_ICEBERG_ORDERS', () => {
    const e = exchange([
      btcWith([
        { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 3 },
        { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 1 },
        { filterType: 'MAX_NUM_ICEBERG_ORDERS', maxNumIcebergOrders: 1 },
      ]),
    ]);
    expect(msg(e, limit(1, 'BUY', '100', '1', { icebergQty: '0.5' }))).toBe('accepted');
    expect(msg(e, limit(1, 'BUY', '100', '1', { icebergQty: '0.5' }))).toBe(F('MAX_NUM_ICEBERG_ORDERS'));
    const stop = { ...limit(1, 'BUY', '100', '1'), type: 'STOP_LOSS_LIMIT' as const, stopPrice: '100' };
    expect(msg(e, stop)).toBe('accepted');
    expect(msg(e, stop)).toBe(F('MAX_NUM_ALGO_ORDERS'));
    expect(msg(e, limit(1, 'BUY', '100', '1'))).toBe('accepted');
    expect(msg(e, limit(1, 'BUY', '100', '1'))).toBe(F('MAX_NUM_ORDERS'));
    expect(msg(e, limit(2, 'BUY', '100', '1'))).toBe('accepted'); // per account
  });
  it('parameter and engine rules', () => {
    expect(msg(ex, { ...limit(1, 'BUY', '100', '1'), timeInForce: undefined })).toBe(
      "-1102 Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
    );
    expect(msg(ex, { ...market(1, 'BUY', '1'), quantity: undefined })).toBe(
      "-1102 Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
    );
    expect(msg(ex, limit(1, 'BUY', '0', '1'))).toBe('-1013 Price * QTY is zero or less.');
    expect(msg(ex, limit(1, 'BUY', '100', '1', { icebergQty: '2' }))).toBe('-2010 IcebergQty exceeds QTY.');
    expect(msg(ex, limit(1, 'BUY', '100', '1', { icebergQty: '0.5', timeInForce: 'IOC' }))).toBe(
      '-1014 Unsupported order combination.',
    );
    expect(msg(ex, { ...limit(1, 'BUY', '100', '1'), symbol: 'NOPE' })).toBe('-1121 Invalid symbol.');
    const halted = exchange([btcWith([], { status: 'HALT' })]);
    expect(msg(halted, limit(1, 'BUY', '100', '1'))).toBe('-1013 Market is closed.');
    const noMarket = exchange([btcWith([], { orderTypes: ['LIMIT'] })]);
    expect(msg(noMarket, market(1, 'BUY', '1'))).toBe('-1013 Market orders are not supported for this symbol.');
  });
});

describe('list, position and exchange filters', () => {
  const ETH = DEFAULT_SYMBOLS.find((s) => s.symbol === 'ETHUSDT') as SymbolDefinition;
  const oco = (ex: Exchange, now: number) =>
    ex.placeOco({
      now,
      accountId: 1,
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.1',
      above: { type: 'LIMIT_MAKER', price: '35000' },
      below: { type: 'STOP_LOSS', stopPrice: '25000' },
    });
  const listErr = (ex: Exchange, now: number) => err(() => oco(ex, now)).msg;

  it('MAX_NUM_ORDER_LISTS: open lists per symbol; a list that is done frees its place', () => {
    const ex = exchange([btcWith([{ filterType: 'MAX_NUM_ORDER_LISTS', maxNumOrderLists: 2 }])]);
    const first = oco(ex, 10);
    oco(ex, 11);
    expect(listErr(ex, 12)).toBe('Filter failure: MAX_NUM_ORDER_LISTS');
    expect(msg(ex, limit(1, 'SELL', '40000', '0.1'))).toBe('accepted'); // single orders are not lists
    ex.cancelOrderList({ now: 13, accountId: 1, symbol: 'BTCUSDT', orderListId: first.list.orderListId });
    oco(ex, 14);
    // and across a snapshot: the two open lists are counted again
    const restored = new Exchange([btcWith([{ filterType: 'MAX_NUM_ORDER_LISTS', maxNumOrderLists: 2 }])]);
    restored.importState(deserialize(serialize(ex.exportState())) as EngineState);
    expect(listErr(restored, 15)).toBe('Filter failure: MAX_NUM_ORDER_LISTS');
  });

  it('MAX_POSITION: a BUY may not take the base held plus open BUY orders beyond it', () => {
    const ex = exchange([btcWith([{ filterType: 'MAX_POSITION', maxPosition: '100.5' }])]); // account 1 holds 100 BTC
    expect(msg(ex, limit(1, 'BUY', '30000', '0.3'))).toBe('accepted');
    expect(msg(ex, limit(1, 'BUY', '30000', '0.2'))).toBe('accepted'); // exactly 100.5
    expect(msg(ex, limit(1, 'BUY', '30000', '0.001'))).toBe(F('MAX_POSITION'));
    expect(msg(ex, limit(1, 'SELL', '40000', '1'))).toBe('accepted'); // SELL orders are not limited
  });

  it('EXCHANGE_MAX_NUM_*: per account over every symbol', () => {
    const ex = exchange([BTC, ETH], {
      exchangeFilters: [
        { filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 4 },
        { filterType: 'EXCHANGE_MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 1 },
        { filterType: 'EXCHANGE_MAX_NUM_ICEBERG_ORDERS', maxNumIcebergOrders: 1 },
        { filterType: 'EXCHANGE_MAX_NUM_ORDER_LISTS', maxNumOrderLists: 1 },
      ],
    });
    ex.deposit({ now: 0, accountId: 1, asset: 'ETH', amount: '100' });
    const eth = (price: string, extra: Partial<PlaceOrderCommand> = {}) =>
      ({ ...limit(1, 'SELL', price, '1', extra), symbol: 'ETHUSDT' }) as PlaceOrderCommand;
    expect(msg(ex, eth('3000', { icebergQty: '0.5' }))).toBe('accepted');
    expect(msg(ex, limit(1, 'SELL', '40000', '0.1', { icebergQty: '0.05' }))).toBe(
      F('EXCHANGE_MAX_NUM_ICEBERG_ORDERS'),
    );
    expect(msg(ex, { ...eth('2000'), type: 'STOP_LOSS_LIMIT', stopPrice: '2100' })).toBe('accepted');
    expect(msg(ex, { ...limit(1, 'SELL', '20000', '0.1'), type: 'STOP_LOSS_LIMIT', stopPrice: '21000' })).toBe(
      F('EXCHANGE_MAX_NUM_ALGO_ORDERS'),
    );
    expect(msg(ex, limit(1, 'SELL', '40000', '0.1'))).toBe('accepted');
    expect(listErr(ex, 20)).toBe('Filter failure: EXCHANGE_MAX_NUM_ORDERS'); // 3 open + 2 legs > 4
    expect(msg(ex, limit(1, 'SELL', '40001', '0.1'))).toBe('accepted'); // the fourth
    expect(msg(ex, limit(1, 'SELL', '40002', '0.1'))).toBe(F('EXCHANGE_MAX_NUM_ORDERS'));
    expect(msg(ex, limit(2, 'SELL', '40002', '0.1'))).toBe('accepted'); // another account
  });

  it('MAX_ASSET: the most of an asset one order moves — a base its quantity, a quote its notional', () => {
    const base = exchange([BTC], { assetFilters: [{ filterType: 'MAX_ASSET', asset: 'BTC', limit: '0.5' }] });
    expect(msg(base, limit(1, 'SELL', '40000', '0.5'))).toBe('accepted');
    expect(msg(base, limit(1, 'SELL', '40000', '0.50001'))).toBe(F('MAX_ASSET'));
    expect(msg(base, limit(2, 'BUY', '100', '0.6'))).toBe(F('MAX_ASSET'));
    const quote = exchange([BTC], { assetFilters: [{ filterType: 'MAX_ASSET', asset: 'USDT', limit: '10000' }] });
    expect(msg(quote, limit(2, 'BUY', '20000', '0.5'))).toBe('accepted'); // 10,000 USDT
    expect(msg(quote, limit(2, 'BUY', '20000.01', '0.5'))).toBe(F('MAX_ASSET'));
    expect(msg(quote, limit(1, 'SELL', '40000', '0.26'))).toBe(F('MAX_ASSET')); // a SELL's proceeds count too
    expect(msg(quote, limit(1, 'SELL', '20001', '0.2'))).toBe('accepted'); // (above the bid: no trade)
    expect(msg(quote, market(2, 'BUY', '0', { quantity: undefined, quoteOrderQty: '10000.01' }))).toBe(F('MAX_ASSET'));
    // a MARKET order by quantity: its notional at the average price, once there is one
    expect(msg(quote, market(3, 'SELL', '0.4'))).toBe('accepted'); // no trade yet: not checked (fills at 20,000)
    expect(msg(quote, market(3, 'SELL', '0.5'))).toBe('accepted'); // 0.5 × 20,000 = 10,000
    expect(msg(quote, market(3, 'SELL', '0.50001'))).toBe(F('MAX_ASSET'));
  });
});
