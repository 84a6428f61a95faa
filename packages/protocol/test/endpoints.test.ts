import { describe, it, expect } from 'vitest';
import {
  ENDPOINTS,
  ErrorCode,
  findEndpoint,
  findEndpointById,
  weightOf,
  type EndpointSpec,
  type RawParams,
} from '@binance-sandbox/protocol';

function byId(id: string): EndpointSpec {
  const e = findEndpointById(id);
  if (e === undefined) throw new Error(`no endpoint ${id}`);
  return e;
}

const w = (id: string, raw: Record<string, string> = {}) => weightOf(byId(id), raw);
const symbolsList = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `SYM${i}USDT`));
const isSigned = (e: EndpointSpec) => e.security === 'TRADE' || e.security === 'USER_DATA';

describe('endpoint table', () => {
  it('declares every /api/v3 endpoint of the notes once', () => {
    const routes = ENDPOINTS.map((e) => `${e.method} ${e.path}`);
    expect(new Set(routes).size).toBe(routes.length);
    expect(new Set(ENDPOINTS.map((e) => e.id)).size).toBe(ENDPOINTS.length);
    expect(routes.sort()).toEqual(
      [
        'GET /api/v3/ping',
        'GET /api/v3/time',
        'GET /api/v3/exchangeInfo',
        'GET /api/v3/executionRules',
        'GET /api/v3/depth',
        'GET /api/v3/trades',
        'GET /api/v3/historicalTrades',
        'GET /api/v3/historicalBlockTrades',
        'GET /api/v3/aggTrades',
        'GET /api/v3/klines',
        'GET /api/v3/uiKlines',
        'GET /api/v3/avgPrice',
        'GET /api/v3/ticker/24hr',
        'GET /api/v3/ticker/tradingDay',
        'GET /api/v3/ticker/price',
        'GET /api/v3/ticker/bookTicker',
        'GET /api/v3/ticker',
        'GET /api/v3/referencePrice',
        'GET /api/v3/referencePrice/calculation',
        'POST /api/v3/order',
        'POST /api/v3/order/test',
        'DELETE /api/v3/order',
        'DELETE /api/v3/openOrders',
        'POST /api/v3/order/cancelReplace',
        'PUT /api/v3/order/amend/keepPriority',
        'POST /api/v3/order/oco',
        'POST /api/v3/orderList/oco',
        'POST /api/v3/orderList/oto',
        'POST /api/v3/orderList/otoco',
        'POST /api/v3/orderList/opo',
        'POST /api/v3/orderList/opoco',
        'DELETE /api/v3/orderList',
        'POST /api/v3/sor/order',
        'POST /api/v3/sor/order/test',
        'GET /api/v3/account',
        'GET /api/v3/order',
        'GET /api/v3/openOrders',
        'GET /api/v3/allOrders',
        'GET /api/v3/orderList',
        'GET /api/v3/allOrderList',
        'GET /api/v3/openOrderList',
        'GET /api/v3/myTrades',
        'GET /api/v3/rateLimit/order',
        'GET /api/v3/myPreventedMatches',
        'GET /api/v3/myAllocations',
        'GET /api/v3/account/commission',
        'GET /api/v3/order/amendments',
        'GET /api/v3/myFilters',
        'POST /api/v3/userDataStream',
        'PUT /api/v3/userDataStream',
        'DELETE /api/v3/userDataStream',
      ].sort(),
    );
  });

  it('finds endpoints by method and path, and by id', () => {
    for (const e of ENDPOINTS) {
      expect(findEndpoint(e.method, e.path)).toBe(e);
      expect(findEndpointById(e.id)).toBe(e);
    }
    expect(findEndpoint('GET', '/api/v3/order')?.id).toBe('order.status');
    expect(findEndpoint('DELETE', '/api/v3/order')?.id).toBe('order.cancel');
    expect(findEndpoint('PATCH', '/api/v3/order')).toBeUndefined();
    expect(findEndpoint('GET', '/api/v3/nope')).toBeUndefined();
    expect(findEndpoint('GET', '/api/v3/ping?x=1')).toBeUndefined();
  });

  it('uses the WS API method names as ids', () => {
    const ids: Record<string, string> = {
      'GET /api/v3/ping': 'ping',
      'GET /api/v3/exchangeInfo': 'exchangeInfo',
      'GET /api/v3/depth': 'depth',
      'GET /api/v3/trades': 'trades.recent',
      'GET /api/v3/historicalTrades': 'trades.historical',
      'GET /api/v3/aggTrades': 'trades.aggregate',
      'GET /api/v3/ticker/24hr': 'ticker.24hr',
      'GET /api/v3/ticker/bookTicker': 'ticker.book',
      'POST /api/v3/order': 'order.place',
      'POST /api/v3/order/test': 'order.test',
      'DELETE /api/v3/order': 'order.cancel',
      'DELETE /api/v3/openOrders': 'openOrders.cancelAll',
      'POST /api/v3/order/oco': 'orderList.place',
      'POST /api/v3/orderList/otoco': 'orderList.place.otoco',
      'POST /api/v3/sor/order': 'sor.order.place',
      'GET /api/v3/account': 'account.status',
      'GET /api/v3/openOrderList': 'openOrderLists.status',
      'GET /api/v3/allOrderList': 'allOrderLists',
      'GET /api/v3/rateLimit/order': 'account.rateLimits.orders',
      'POST /api/v3/userDataStream': 'userDataStream.start',
    };
    for (const [route, id] of Object.entries(ids)) {
      const [method = '', path = ''] = route.split(' ');
      expect(findEndpoint(method, path)?.id, route).toBe(id);
    }
  });

  it('gives every signed endpoint timestamp (LONG, required) and recvWindow (DECIMAL, optional), never signature', () => {
    for (const e of ENDPOINTS) {
      const ts = e.params.find((p) => p.name === 'timestamp');
      const rw = e.params.find((p) => p.name === 'recvWindow');
      expect(
        e.params.some((p) => p.name === 'signature'),
        e.id,
      ).toBe(false);
      if (isSigned(e)) {
        expect(ts, e.id).toEqual({ name: 'timestamp', type: 'LONG', required: true });
        expect(rw, e.id).toEqual({ name: 'recvWindow', type: 'DECIMAL' });
      } else {
        expect(ts, e.id).toBeUndefined();
        expect(rw, e.id).toBeUndefined();
      }
    }
  });

  it('assigns security by section', () => {
    const security = (id: string) => byId(id).security;
    expect(security('depth')).toBe('NONE');
    expect(security('trades.historical')).toBe('NONE');
    expect(security('order.place')).toBe('TRADE');
    expect(security('order.test')).toBe('TRADE');
    expect(security('order.amend.keepPriority')).toBe('TRADE');
    expect(security('account.status')).toBe('USER_DATA');
    expect(security('account.commission')).toBe('USER_DATA');
    expect(security('userDataStream.start')).toBe('USER_STREAM');
    expect(byId('userDataStream.ping').params).toEqual([{ name: 'listenKey', type: 'STRING', required: true }]);
  });

  it('declares parameters consistently', () => {
    for (const e of ENDPOINTS) {
      const names = e.params.map((p) => p.name);
      expect(new Set(names).size, e.id).toBe(names.length);
      for (const p of e.params) {
        if (p.type === 'ENUM') expect(p.values?.length, `${e.id} ${p.name}`).toBeGreaterThan(0);
        if (p.name === 'symbol') expect(p.type, e.id).toBe('SYMBOL');
        if (p.name === 'symbols') expect(p.type, e.id).toBe('SYMBOLS');
      }
    }
    const permissions = byId('exchangeInfo').params.find((p) => p.name === 'permissions');
    expect(permissions?.type).toBe('STRING_ARRAY');
    expect(permissions?.values).toContain('SPOT');
  });

  it('uses the dedicated enum error codes', () => {
    const code = (name: string): number | undefined => {
      if (/(^p|P)egPriceType$/.test(name)) return ErrorCode.INVALID_PEG_PRICE_TYPE;
      if (/(^p|P)egOffsetType$/.test(name)) return ErrorCode.INVALID_PEG_OFFSET_TYPE;
      if (name === 'newOrderRespType') return undefined;
      if (/(^s|S)ide$/.test(name)) return ErrorCode.INVALID_SIDE;
      if (/(^t|T)ype$/.test(name)) return ErrorCode.INVALID_ORDER_TYPE;
      if (/(^t|T)imeInForce$/.test(name)) return ErrorCode.INVALID_TIF;
      if (name === 'interval') return ErrorCode.BAD_INTERVAL;
      if (name === 'symbolStatus') return ErrorCode.INVALID_SYMBOLSTATUS;
      if (name === 'cancelRestrictions') return ErrorCode.INVALID_CANCEL_RESTRICTIONS;
      return undefined;
    };
    let checked = 0;
    for (const e of ENDPOINTS) {
      for (const p of e.params) {
        if (p.type !== 'ENUM') continue;
        const isTickerType = p.name === 'type' && e.id.startsWith('ticker');
        const expected = isTickerType ? ErrorCode.INVALID_TICKER_TYPE : code(p.name);
        expect(p.enumErrorCode, `${e.id} ${p.name}`).toBe(expected);
        if (expected !== undefined) checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
    expect(byId('klines').params.find((p) => p.name === 'interval')?.values).toContain('1M');
  });

  it('marks order entry, unfilled order counts and data-api endpoints', () => {
    const orderEntry = ENDPOINTS.filter((e) => e.orderEntry === true).map((e) => e.id);
    expect(orderEntry.sort()).toEqual(
      [
        'order.place',
        'sor.order.place',
        'order.cancel',
        'openOrders.cancelAll',
        'order.cancelReplace',
        'orderList.place',
        'orderList.place.oco',
        'orderList.place.oto',
        'orderList.place.otoco',
        'orderList.place.opo',
        'orderList.place.opoco',
        'orderList.cancel',
        // free on success only when the amendment expires the order: the handler charges it otherwise
        'order.amend.keepPriority',
      ].sort(),
    );
    const uoc = Object.fromEntries(
      ENDPOINTS.filter((e) => e.unfilledOrderCount !== undefined).map((e) => [e.id, e.unfilledOrderCount]),
    );
    expect(uoc).toEqual({
      'order.place': 1,
      'order.cancelReplace': 1,
      'orderList.place': 2,
      'orderList.place.oco': 2,
      'orderList.place.oto': 2,
      'orderList.place.opo': 2,
      'orderList.place.otoco': 3,
      'orderList.place.opoco': 3,
      'sor.order.place': 1,
    });
    const dataApi = ENDPOINTS.filter((e) => e.marketDataOnly === true).map((e) => e.path.slice('/api/v3/'.length));
    expect(dataApi.sort()).toEqual(
      [
        'aggTrades',
        'avgPrice',
        'depth',
        'exchangeInfo',
        'klines',
        'ping',
        'ticker',
        'ticker/24hr',
        'ticker/bookTicker',
        'ticker/price',
        'time',
        'trades',
        'uiKlines',
      ].sort(),
    );
    for (const e of ENDPOINTS) if (e.marketDataOnly) expect(e.security, e.id).toBe('NONE');
  });

  it('lists the order-list leg parameters', () => {
    const names = (id: string) => byId(id).params.map((p) => p.name);
    expect(names('orderList.place.oto')).toContain('pendingQuantity');
    expect(names('orderList.place.opo')).not.toContain('pendingQuantity');
    expect(names('orderList.place.opoco')).not.toContain('pendingQuantity');
    expect(names('orderList.place.otoco')).toEqual(
      expect.arrayContaining(['pendingAboveType', 'pendingBelowPegOffsetValue']),
    );
    const required = (id: string) =>
      byId(id)
        .params.filter((p) => p.required)
        .map((p) => p.name);
    expect(required('orderList.place.oco')).toEqual([
      'symbol',
      'side',
      'quantity',
      'aboveType',
      'belowType',
      'timestamp',
    ]);
    expect(required('orderList.place.otoco')).toEqual([
      'symbol',
      'workingType',
      'workingSide',
      'workingPrice',
      'workingQuantity',
      'pendingSide',
      'pendingQuantity',
      'pendingAboveType',
      'timestamp',
    ]);
    expect(required('order.place')).toEqual(['symbol', 'side', 'type', 'timestamp']);
    expect(required('order.cancelReplace')).toEqual(['symbol', 'side', 'type', 'cancelReplaceMode', 'timestamp']);
    expect(names('order.test')).toContain('computeCommissionRates');
    expect(names('order.place')).not.toContain('computeCommissionRates');
  });
});

describe('weights', () => {
  it('charges the documented fixed weights', () => {
    const fixed: Record<string, number> = {
      ping: 1,
      time: 1,
      exchangeInfo: 20,
      'trades.recent': 25,
      'trades.historical': 25,
      'blockTrades.historical': 25,
      'trades.aggregate': 4,
      klines: 2,
      uiKlines: 2,
      avgPrice: 2,
      referencePrice: 2,
      'order.place': 1,
      'order.cancel': 1,
      'order.amend.keepPriority': 4,
      'orderList.place.otoco': 1,
      'account.status': 20,
      'order.status': 4,
      allOrders: 20,
      'orderList.status': 4,
      allOrderLists: 20,
      'openOrderLists.status': 6,
      'account.rateLimits.orders': 40,
      myAllocations: 20,
      'account.commission': 20,
      'order.amendments': 4,
      myFilters: 40,
      'userDataStream.start': 2,
    };
    for (const [id, weight] of Object.entries(fixed)) expect(w(id), id).toBe(weight);
  });

  it('depth: by limit, default 100, above 5000 as 5000', () => {
    const depth = (limit?: string) =>
      w('depth', limit === undefined ? { symbol: 'BTCUSDT' } : { symbol: 'BTCUSDT', limit });
    expect(depth()).toBe(5);
    expect(depth('1')).toBe(5);
    expect(depth('100')).toBe(5);
    expect(depth('101')).toBe(25);
    expect(depth('500')).toBe(25);
    expect(depth('501')).toBe(50);
    expect(depth('1000')).toBe(50);
    expect(depth('1001')).toBe(250);
    expect(depth('5000')).toBe(250);
    expect(depth('5001')).toBe(250);
    expect(depth('99999999999999999999999')).toBe(250);
    for (const bad of ['', '0', '-1', 'abc', '10.5', ' 200', '1e3']) expect(depth(bad), bad).toBe(5);
  });

  it('ticker/24hr: by number of symbols', () => {
    expect(w('ticker.24hr', { symbol: 'BTCUSDT' })).toBe(2);
    expect(w('ticker.24hr')).toBe(80);
    expect(w('ticker.24hr', { symbols: symbolsList(1) })).toBe(2);
    expect(w('ticker.24hr', { symbols: symbolsList(20) })).toBe(2);
    expect(w('ticker.24hr', { symbols: symbolsList(21) })).toBe(40);
    expect(w('ticker.24hr', { symbols: symbolsList(100) })).toBe(40);
    expect(w('ticker.24hr', { symbols: symbolsList(101) })).toBe(80);
    expect(w('ticker.24hr', { symbols: '["BTCUSDT"' })).toBe(80);
    expect(w('ticker.24hr', { symbols: '[]' })).toBe(80);
  });

  it('ticker/price and bookTicker: symbol 2, otherwise 4', () => {
    for (const id of ['ticker.price', 'ticker.book']) {
      expect(w(id, { symbol: 'BTCUSDT' })).toBe(2);
      expect(w(id, { symbols: symbolsList(3) })).toBe(4);
      expect(w(id)).toBe(4);
    }
  });

  it('ticker and tradingDay: 4 per symbol, capped at 200', () => {
    for (const id of ['ticker', 'ticker.tradingDay']) {
      expect(w(id, { symbol: 'BTCUSDT' })).toBe(4);
      expect(w(id, { symbols: symbolsList(1) })).toBe(4);
      expect(w(id, { symbols: symbolsList(10) })).toBe(40);
      expect(w(id, { symbols: symbolsList(49) })).toBe(196);
      expect(w(id, { symbols: symbolsList(50) })).toBe(200);
      expect(w(id, { symbols: symbolsList(51) })).toBe(200);
      expect(w(id, { symbols: symbolsList(100) })).toBe(200);
      expect(w(id)).toBe(4);
    }
  });

  it('executionRules: symbol 2, symbols 2 each capped at 40, otherwise 40', () => {
    expect(w('executionRules', { symbol: 'BTCUSDT' })).toBe(2);
    expect(w('executionRules', { symbols: symbolsList(3) })).toBe(6);
    expect(w('executionRules', { symbols: symbolsList(20) })).toBe(40);
    expect(w('executionRules', { symbols: symbolsList(21) })).toBe(40);
    expect(w('executionRules', { symbolStatus: 'TRADING' })).toBe(40);
    expect(w('executionRules')).toBe(40);
  });

  it('myTrades: 5 with orderId, else 20', () => {
    expect(w('myTrades', { symbol: 'BTCUSDT' })).toBe(20);
    expect(w('myTrades', { symbol: 'BTCUSDT', orderId: '12' })).toBe(5);
    expect(w('myTrades', { symbol: 'BTCUSDT', orderId: '' })).toBe(20);
  });

  it('order/test and sor/order/test: 20 with computeCommissionRates=true', () => {
    for (const id of ['order.test', 'sor.order.test']) {
      expect(w(id)).toBe(1);
      expect(w(id, { computeCommissionRates: 'false' })).toBe(1);
      expect(w(id, { computeCommissionRates: 'true' })).toBe(20);
      expect(w(id, { computeCommissionRates: 'yes' })).toBe(1);
    }
  });

  it('openOrders: 6 with symbol, 80 without', () => {
    expect(w('openOrders.status', { symbol: 'BTCUSDT' })).toBe(6);
    expect(w('openOrders.status')).toBe(80);
  });

  it('myPreventedMatches: 2 by preventedMatchId, 20 by orderId', () => {
    expect(w('myPreventedMatches', { symbol: 'BTCUSDT', preventedMatchId: '1' })).toBe(2);
    expect(w('myPreventedMatches', { symbol: 'BTCUSDT', orderId: '1' })).toBe(20);
    expect(w('myPreventedMatches', { symbol: 'BTCUSDT', orderId: '1', fromPreventedMatchId: '3' })).toBe(20);
    expect(w('myPreventedMatches', { symbol: 'BTCUSDT' })).toBe(2);
  });

  it('never throws and always answers a positive integer on garbage', () => {
    const garbage: unknown[] = [
      {},
      { symbol: '', symbols: '', limit: '', orderId: '' },
      { symbols: '[[[', limit: 'NaN', computeCommissionRates: '\u0000' },
      { symbols: '{"a":1}', limit: '-5000' },
      { symbols: 'null', symbol: null, limit: null },
      { symbols: ['A', 'B', 'C'], limit: 1000, computeCommissionRates: true },
      { symbols: 42, limit: { toString: 'no' }, orderId: Symbol('x'), computeCommissionRates: { toString: 'no' } },
      Object.create(null),
      { ['__proto__']: { symbol: 'X' } },
      { constructor: 'x', hasOwnProperty: 'y' },
      null,
      undefined,
      'symbol=BTCUSDT',
    ];
    for (const e of ENDPOINTS) {
      for (const [i, raw] of garbage.entries()) {
        const weight = weightOf(e, raw as RawParams);
        expect(Number.isInteger(weight) && weight > 0, `${e.id} garbage #${i}`).toBe(true);
      }
    }
  });

  it('counts WS API style array and number values too', () => {
    expect(weightOf(byId('ticker.24hr'), { symbols: ['A', 'B'] } as unknown as RawParams)).toBe(2);
    expect(weightOf(byId('depth'), { symbol: 'BTCUSDT', limit: 1000 } as unknown as RawParams)).toBe(50);
  });
});
