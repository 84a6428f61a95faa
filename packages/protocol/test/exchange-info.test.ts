import { describe, it, expect } from 'vitest';
import {
  ApiError,
  DEFAULT_EXCHANGE_FILTERS,
  DEFAULT_RATE_LIMITS,
  DEFAULT_SYMBOLS,
  SYMBOL_FIELDS,
  buildExchangeInfo,
  type ExchangeFilter,
  type ExchangeInfoSource,
  type SymbolDefinition,
  type TypedParams,
} from '@binance-sandbox/protocol';

const NOW = 1_700_000_000_000;

function symbolLike(base: SymbolDefinition, symbol: string, patch: Partial<SymbolDefinition>): SymbolDefinition {
  return { ...base, symbol, ...patch };
}

const btc = DEFAULT_SYMBOLS[0] as SymbolDefinition;
const SOURCE: ExchangeInfoSource = {
  serverTime: NOW,
  rateLimits: DEFAULT_RATE_LIMITS,
  exchangeFilters: DEFAULT_EXCHANGE_FILTERS,
  symbols: [
    ...DEFAULT_SYMBOLS,
    symbolLike(btc, 'HALTUSDT', { status: 'HALT', permissionSets: [['SPOT']] }),
    symbolLike(btc, 'GRPUSDT', { permissionSets: [['TRD_GRP_002']] }),
    symbolLike(btc, 'MARGUSDT', { permissionSets: [['MARGIN']] }),
  ],
};

const info = (query: TypedParams = {}, source: ExchangeInfoSource = SOURCE) => buildExchangeInfo(source, query);
const names = (query: TypedParams = {}) => info(query).symbols.map((s) => s.symbol);

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('buildExchangeInfo', () => {
  it('answers the top-level shape, passing rate limits and exchange filters through', () => {
    const filters: ExchangeFilter[] = [{ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 1000 }];
    const result = info({}, { ...SOURCE, exchangeFilters: filters });
    expect(Object.keys(result)).toEqual(['timezone', 'serverTime', 'rateLimits', 'exchangeFilters', 'symbols']);
    expect(result.timezone).toBe('UTC');
    expect(result.serverTime).toBe(NOW);
    expect(result.rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    for (const l of result.rateLimits)
      expect(Object.keys(l)).toEqual(['rateLimitType', 'interval', 'intervalNum', 'limit']);
    expect(result.exchangeFilters).toEqual(filters);
    expect(info().exchangeFilters).toEqual([]);
  });

  it('shows SPOT, MARGIN and LEVERAGED symbols by default, in exchange order', () => {
    expect(names()).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC', 'HALTUSDT', 'MARGUSDT']);
  });

  it('selects by symbol and symbols, whatever their permissions', () => {
    expect(names({ symbol: 'ETHBTC' })).toEqual(['ETHBTC']);
    expect(names({ symbol: 'GRPUSDT' })).toEqual(['GRPUSDT']);
    expect(names({ symbols: ['ETHBTC', 'BTCUSDT'] })).toEqual(['BTCUSDT', 'ETHBTC']);
  });

  it('answers -1121 for an unknown symbol', () => {
    const queries: Array<Record<string, string | string[]>> = [
      { symbol: 'NOPE' },
      { symbols: ['BTCUSDT', 'NOPE'] },
      { symbol: 'btcusdt' },
    ];
    for (const query of queries) {
      const err = apiError(() => info(query));
      expect(err.toJSON()).toEqual({ code: -1121, msg: 'Invalid symbol.' });
      expect(err.httpStatus).toBe(400);
    }
  });

  it('refuses combinations with -1128', () => {
    const combos: TypedParams[] = [
      { symbol: 'BTCUSDT', symbols: ['ETHBTC'] },
      { symbol: 'BTCUSDT', symbolStatus: 'TRADING' },
      { symbols: ['BTCUSDT'], symbolStatus: 'TRADING' },
      { symbol: 'BTCUSDT', permissions: ['SPOT'] },
      { symbols: ['BTCUSDT'], permissions: ['SPOT'] },
    ];
    for (const query of combos) {
      const err = apiError(() => info(query));
      expect(err.toJSON(), JSON.stringify(query)).toEqual({
        code: -1128,
        msg: 'Combination of optional parameters invalid.',
      });
      expect(err.httpStatus).toBe(400);
    }
  });

  it('filters by permissions, single or several', () => {
    expect(names({ permissions: ['TRD_GRP_002'] })).toEqual(['GRPUSDT']);
    expect(names({ permissions: 'TRD_GRP_002' })).toEqual(['GRPUSDT']);
    expect(names({ permissions: ['MARGIN'] })).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC', 'MARGUSDT']);
    expect(names({ permissions: ['SPOT', 'TRD_GRP_002'] })).toEqual([
      'BTCUSDT',
      'ETHUSDT',
      'BNBUSDT',
      'ETHBTC',
      'HALTUSDT',
      'GRPUSDT',
    ]);
    expect(names({ permissions: ['LEVERAGED'] })).toEqual([]);
  });

  it('filters by symbolStatus, alone or with permissions', () => {
    expect(names({ symbolStatus: 'HALT' })).toEqual(['HALTUSDT']);
    expect(names({ symbolStatus: 'TRADING' })).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC', 'MARGUSDT']);
    expect(names({ symbolStatus: 'BREAK' })).toEqual([]);
    expect(names({ symbolStatus: 'TRADING', permissions: ['TRD_GRP_002'] })).toEqual(['GRPUSDT']);
    expect(names({ symbolStatus: 'HALT', permissions: ['TRD_GRP_002'] })).toEqual([]);
  });

  it('empties permissionSets only when showPermissionSets=false', () => {
    const sets = (query: TypedParams) => info({ symbol: 'BTCUSDT', ...query }).symbols[0]?.permissionSets;
    expect(sets({})).toEqual(btc.permissionSets);
    expect(sets({ showPermissionSets: true })).toEqual(btc.permissionSets);
    expect(sets({ showPermissionSets: false })).toEqual([]);
    expect(btc.permissionSets.length).toBeGreaterThan(0);
  });

  it('renders the symbol object in Binance field order, with only Binance fields', () => {
    const scrambled = Object.fromEntries(Object.entries(btc).reverse()) as unknown as SymbolDefinition;
    const extra = {
      ...scrambled,
      secret: 1,
      filters: btc.filters.map((f) => Object.fromEntries(Object.entries(f).reverse())),
    } as unknown as SymbolDefinition;
    const rendered = info({}, { ...SOURCE, symbols: [extra] }).symbols[0];
    expect(Object.keys(rendered ?? {})).toEqual([...SYMBOL_FIELDS]);
    expect(rendered).toEqual(btc);
    expect(JSON.stringify(rendered?.filters[0])).toBe(
      '{"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"}',
    );
    expect(
      JSON.stringify(rendered).startsWith(
        '{"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","baseAssetPrecision":8,"quoteAsset":"USDT",' +
          '"quotePrecision":8,"quoteAssetPrecision":8,"baseCommissionPrecision":8,"quoteCommissionPrecision":8,' +
          '"orderTypes":["LIMIT","LIMIT_MAKER","MARKET","STOP_LOSS","STOP_LOSS_LIMIT","TAKE_PROFIT","TAKE_PROFIT_LIMIT"],' +
          '"icebergAllowed":true,"ocoAllowed":true,"otoAllowed":true,"opoAllowed":true,"quoteOrderQtyMarketAllowed":true,' +
          '"allowTrailingStop":true,"cancelReplaceAllowed":true,"amendAllowed":true,"pegInstructionsAllowed":true,' +
          '"isSpotTradingAllowed":true,"isMarginTradingAllowed":true,"filters":[',
      ),
    ).toBe(true);
    expect(
      JSON.stringify(rendered).endsWith(
        '"permissions":[],"permissionSets":' +
          JSON.stringify(btc.permissionSets) +
          ',"defaultSelfTradePreventionMode":"EXPIRE_MAKER","allowedSelfTradePreventionModes":' +
          '["EXPIRE_TAKER","EXPIRE_MAKER","EXPIRE_BOTH","DECREMENT","TRANSFER"]}',
      ),
    ).toBe(true);
  });

  it('does not share mutable state with its source', () => {
    const result = info({ symbol: 'BTCUSDT' });
    const rendered = result.symbols[0] as unknown as { permissionSets: string[][]; filters: object[] };
    rendered.permissionSets.push(['X']);
    rendered.filters.pop();
    expect(info({ symbol: 'BTCUSDT' }).symbols[0]).toEqual(btc);
  });
});
