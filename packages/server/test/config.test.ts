import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EXCHANGE_FILTERS, DEFAULT_RATE_LIMITS, DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONFIG_KEYS,
  ConfigError,
  defaultConfig,
  loadConfigFile,
  resolveConfig,
  symbolTemplate,
  validateConfig,
} from '../src/config.js';
import { DEFAULT_BAN_POLICY } from '../src/limits/types.js';
import { DEFAULT_WAF_CONFIG } from '../src/waf/waf.js';

const dir = mkdtempSync(join(tmpdir(), 'bsbx-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: unknown): string {
  const path = join(dir, `c${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** The message loadConfigFile throws for `content`. */
function errorOf(content: unknown): string {
  const path = file(content);
  try {
    loadConfigFile(path);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const msg = (e as Error).message;
    expect(msg.startsWith(`config file ${path}: `)).toBe(true);
    expect(msg).not.toContain('\n');
    return msg.slice(`config file ${path}: `.length);
  }
  throw new Error('expected a ConfigError');
}

const limit = (over: object = {}) => ({
  rateLimitType: 'REQUEST_WEIGHT',
  interval: 'MINUTE',
  intervalNum: 1,
  limit: 10,
  ...over,
});

describe('defaultConfig', () => {
  it('holds the documented defaults', () => {
    const c = defaultConfig();
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8090,
      seed: 'binance-sandbox',
      dataDir: null,
      redisUrl: null,
      redisKeyPrefix: 'bsbx:',
      trustProxy: false,
      adminToken: null,
      recvWindowMax: 60000,
      logLevel: 'warn',
    });
    expect(c.rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect(c.banPolicy).toEqual(DEFAULT_BAN_POLICY);
    expect(c.waf).toEqual(DEFAULT_WAF_CONFIG);
    expect(c.symbols).toEqual(DEFAULT_SYMBOLS);
    expect(c.exchangeFilters).toEqual(DEFAULT_EXCHANGE_FILTERS);
    expect(Object.keys(c).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('returns a fresh copy each time', () => {
    const a = defaultConfig();
    (a.rateLimits as unknown as { limit: number }[])[0]!.limit = 1;
    (a.waf.blockedIps as string[]).push('1.2.3.4');
    expect(defaultConfig().rateLimits[0]!.limit).toBe(6000);
    expect(defaultConfig().waf.blockedIps).toEqual([]);
    expect(DEFAULT_WAF_CONFIG.blockedIps).toEqual([]);
  });
});

describe('loadConfigFile', () => {
  it('loads a complete, valid file', () => {
    const cfg = loadConfigFile(
      file({
        $schema: './config.schema.json',
        host: '::1',
        port: 0,
        seed: 'abc',
        dataDir: '/tmp/x',
        redisUrl: 'redis://127.0.0.1:6379/2',
        redisKeyPrefix: 'test:',
        trustProxy: true,
        adminToken: 'tok',
        rateLimits: [limit(), limit({ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 5 })],
        banPolicy: { rejectionsBeforeBan: 2 },
        symbols: [{ symbol: 'SOLUSDT', baseAsset: 'SOL', quoteAsset: 'USDT' }],
        exchangeFilters: [{ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 1000 }],
        waf: { maxUrlBytes: 4096, blockedIps: ['10.0.0.0/8', '::1'], blockedUserAgents: ['sqlmap'] },
        recvWindowMax: 10000,
        logLevel: 'debug',
      }),
    );
    expect(cfg).toMatchObject({
      host: '::1',
      port: 0,
      redisUrl: 'redis://127.0.0.1:6379/2',
      banPolicy: { rejectionsBeforeBan: 2 },
      waf: { maxUrlBytes: 4096, blockedIps: ['10.0.0.0/8', '::1'], blockedUserAgents: ['sqlmap'] },
      logLevel: 'debug',
    });
    expect(cfg).not.toHaveProperty('$schema');
    expect(cfg.banPolicy).toEqual({ rejectionsBeforeBan: 2 }); // only what the file sets
    expect(cfg.rateLimits).toHaveLength(2);
  });

  it('returns only the keys the file sets', () => {
    expect(loadConfigFile(file({}))).toEqual({});
    expect(loadConfigFile(file({ port: 1234 }))).toEqual({ port: 1234 });
  });

  it('reports unreadable files and bad JSON in one line with the position', () => {
    expect(() => loadConfigFile(join(dir, 'missing.json'))).toThrow(
      `config file ${join(dir, 'missing.json')}: cannot read it (no such file)`,
    );
    expect(() => loadConfigFile(dir)).toThrow('cannot read it (is a directory)');
    expect(errorOf('{\n  "port": 1,\n  "host": }\n')).toBe('not valid JSON: unexpected "}" at line 3, column 11');
    expect(errorOf('{\n  "port": 1,\n}')).toBe(
      'not valid JSON: expected double-quoted property name at line 3, column 1',
    );
    expect(errorOf('{\n  "port": 1 "host": "x"}')).toBe(
      "not valid JSON: expected ',' or '}' after property value at line 2, column 13",
    );
    expect(errorOf('{"port": 1')).toBe('not valid JSON: unexpected end of the file at line 1, column 11');
    expect(errorOf('')).toBe('not valid JSON: unexpected end of the file at line 1, column 1');
    expect(errorOf('// comment\n{}')).toBe('not valid JSON: unexpected "/" at line 1, column 1');
    expect(errorOf('[1,2]')).toBe('the top level must be a JSON object (got an array)');
    expect(errorOf('null')).toBe('the top level must be a JSON object (got null)');
  });

  it('accepts a UTF-8 byte-order mark', () => {
    expect(loadConfigFile(file('\ufeff{"port": 1}'))).toEqual({ port: 1 });
  });

  it('rejects unknown top-level keys, with a suggestion and the allowed list', () => {
    const msg = errorOf({ rateLimit: [] });
    expect(msg).toMatch(/^unknown key "rateLimit" \(did you mean "rateLimits"\?\); allowed keys: host, port, seed, /);
    expect(errorOf({ redisURL: 'redis://x' })).toMatch(/^unknown key "redisURL" \(did you mean "redisUrl"\?\)/);
    expect(errorOf({ zzzzzzzz: 1 })).toMatch(/^unknown key "zzzzzzzz"; allowed keys: /);
  });

  it.each([
    [{ host: '' }, 'host must not be empty'],
    [{ host: 1 }, 'host must be a string (got number 1)'],
    [{ port: 70000 }, 'port must be from 0 to 65535 (got number 70000)'],
    [{ port: '80' }, 'port must be an integer (got the string "80")'],
    [{ port: 1.5 }, 'port must be an integer (got number 1.5)'],
    [{ seed: '' }, 'seed must not be empty'],
    [{ dataDir: 3 }, 'dataDir must be a non-empty string or null (got number 3)'],
    [{ redisUrl: 'http://x' }, 'redisUrl must start with redis:// or rediss:// (got the string "http://x")'],
    [{ redisUrl: 'nonsense' }, 'redisUrl must be a URL such as "redis://127.0.0.1:6379" (got the string "nonsense")'],
    [{ trustProxy: 'yes' }, 'trustProxy must be true or false (got the string "yes")'],
    [{ keepJournal: 1 }, 'keepJournal must be true or false (got number 1)'],
    [{ adminToken: '' }, 'adminToken must be a non-empty string or null (got the string "")'],
    [{ recvWindowMax: 0 }, 'recvWindowMax must be at least 1 (got number 0)'],
    [{ logLevel: 'verbose' }, 'logLevel must be one of silent, error, warn, info, debug (got the string "verbose")'],
    [
      { logLevel: 'debg' },
      'logLevel must be one of silent, error, warn, info, debug (did you mean "debug"?) (got the string "debg")',
    ],
  ])('validates scalar fields: %j', (content, message) => {
    expect(errorOf(content)).toBe(message);
  });

  it.each([
    [{ rateLimits: {} }, 'rateLimits must be an array (got an object)'],
    [
      { rateLimits: [limit(), limit({ interval: 'WEEK' })] },
      'rateLimits[1].interval must be one of SECOND, MINUTE, HOUR, DAY (got the string "WEEK")',
    ],
    [
      { rateLimits: [limit({ rateLimitType: 'WEIGHT' })] },
      'rateLimits[0].rateLimitType must be one of REQUEST_WEIGHT, ORDERS, RAW_REQUESTS (got the string "WEIGHT")',
    ],
    [{ rateLimits: [limit({ intervalNum: 0 })] }, 'rateLimits[0].intervalNum must be from 1 to 1000000 (got number 0)'],
    [{ rateLimits: [limit({ limit: -1 })] }, 'rateLimits[0].limit must be at least 1 (got number -1)'],
    [{ rateLimits: [limit({ limit: '10' })] }, 'rateLimits[0].limit must be an integer (got the string "10")'],
    [{ rateLimits: [{ rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1 }] }, 'rateLimits[0].limit is required'],
    [
      { rateLimits: [limit({ limt: 5 })] },
      'rateLimits[0] has an unknown field "limt" (did you mean "limit"?); allowed: rateLimitType, interval, intervalNum, limit',
    ],
    [
      { rateLimits: [limit(), limit({ limit: 20 })] },
      'rateLimits[1] repeats rateLimits[0] (REQUEST_WEIGHT per 1 MINUTE): each type may list an interval once',
    ],
  ])('validates rateLimits: %j', (content, message) => {
    expect(errorOf(content)).toBe(message);
  });

  it.each([
    [{ banPolicy: [] }, 'banPolicy must be an object (got an array)'],
    [{ banPolicy: { firstBanMs: 0 } }, 'banPolicy.firstBanMs must be at least 1 (got number 0)'],
    [{ banPolicy: { rejectionsBeforeBan: -1 } }, 'banPolicy.rejectionsBeforeBan must be at least 0 (got number -1)'],
    [
      { banPolicy: { maxBan: 1 } },
      'banPolicy has an unknown field "maxBan" (did you mean "maxBanMs"?); allowed: rejectionsBeforeBan, firstBanMs, maxBanMs, banCountDecayMs',
    ],
    [
      { banPolicy: { firstBanMs: 10, maxBanMs: 5 } },
      'banPolicy.maxBanMs (5) must not be less than banPolicy.firstBanMs (10)',
    ],
  ])('validates banPolicy: %j', (content, message) => {
    expect(errorOf(content)).toBe(message);
  });

  it.each([
    [{ waf: { enabled: 1 } }, 'waf.enabled must be true or false (got number 1)'],
    [{ waf: { maxUrlBytes: 0 } }, 'waf.maxUrlBytes must be at least 1 (got number 0)'],
    [{ waf: { blockedIps: '10.0.0.0/8' } }, 'waf.blockedIps must be an array (got the string "10.0.0.0/8")'],
    [
      { waf: { blockedIps: ['10.0.0.0/8', '10.0.0.0/40'] } },
      'waf.blockedIps[1] is not usable: "10.0.0.0/40": the prefix length must be an integer from 0 to 32',
    ],
    [
      { waf: { blockedIps: ['example.com'] } },
      'waf.blockedIps[0] is not usable: "example.com" is not an IPv4/IPv6 address or CIDR range',
    ],
    [
      { waf: { blockedUserAgents: ['curl', '(bad'] } },
      /^waf\.blockedUserAgents\[1\] is not usable: "\(bad" is not a valid regular expression/,
    ],
    [
      { waf: { blockSQLInjection: true } },
      /^waf has an unknown field "blockSQLInjection" \(did you mean "blockSqlInjection"\?\)/,
    ],
  ])('validates waf: %j', (content, message) => {
    if (typeof message === 'string') expect(errorOf(content)).toBe(message);
    else expect(errorOf(content)).toMatch(message);
  });

  describe('symbols', () => {
    const price = {
      filterType: 'PRICE_FILTER',
      minPrice: '0.01000000',
      maxPrice: '1000.00000000',
      tickSize: '0.01000000',
    };
    const lot = { filterType: 'LOT_SIZE', minQty: '0.01000000', maxQty: '9000.00000000', stepSize: '0.01000000' };

    it('fills fields left out from the spot template (no filters), keeps filters in wire order', () => {
      const cfg = loadConfigFile(
        file({
          symbols: [
            {
              symbol: 'SOLUSDT',
              baseAsset: 'SOL',
              quoteAsset: 'USDT',
              filters: [{ tickSize: '0.01', maxPrice: '1000', minPrice: '0.01', filterType: 'PRICE_FILTER' }, lot],
            },
            {
              symbol: 'XRPUSDT',
              baseAsset: 'XRP',
              quoteAsset: 'USDT',
              status: 'HALT',
              baseAssetPrecision: 6,
              orderTypes: ['LIMIT', 'MARKET'],
              ocoAllowed: false,
            },
          ],
        }),
      );
      const [sol, xrp] = cfg.symbols!;
      expect(sol).toEqual({
        ...symbolTemplate(),
        symbol: 'SOLUSDT',
        baseAsset: 'SOL',
        quoteAsset: 'USDT',
        filters: sol!.filters,
      });
      expect(Object.keys(sol!)).toEqual(Object.keys(DEFAULT_SYMBOLS[0]!));
      expect(Object.keys(sol!.filters[0]!)).toEqual(['filterType', 'minPrice', 'maxPrice', 'tickSize']);
      expect(sol!.filters[1]).toEqual(lot);
      expect(xrp).toMatchObject({
        status: 'HALT',
        baseAssetPrecision: 6,
        orderTypes: ['LIMIT', 'MARKET'],
        ocoAllowed: false,
        otoAllowed: true,
        filters: [],
      });
    });

    it('accepts the default symbols written out in full (a copy of exchangeInfo)', () => {
      const cfg = loadConfigFile(file({ symbols: DEFAULT_SYMBOLS }));
      expect(cfg.symbols).toEqual(DEFAULT_SYMBOLS);
    });

    it('accepts non-ASCII symbol names (CL 2025-12-02)', () => {
      expect(
        loadConfigFile(file({ symbols: [{ symbol: '币安人生USDT', baseAsset: '币安人生', quoteAsset: 'USDT' }] }))
          .symbols![0]!.symbol,
      ).toBe('币安人生USDT');
    });

    it.each([
      [{ symbols: [{ baseAsset: 'SOL', quoteAsset: 'USDT' }] }, 'symbols[0].symbol is required'],
      [
        { symbols: [{ symbol: 'SOL USDT', baseAsset: 'SOL', quoteAsset: 'USDT' }] },
        'symbols[0].symbol must be 1–20 characters without spaces, quotes, commas, brackets, slashes or @ (got the string "SOL USDT")',
      ],
      [
        { symbols: [{ symbol: 'SOLUSDT', baseAsset: 5, quoteAsset: 'USDT' }] },
        'symbols[0].baseAsset must be a string (got number 5)',
      ],
      [
        { symbols: [{ symbol: 'SOLSOL', baseAsset: 'SOL', quoteAsset: 'SOL' }] },
        'symbols[0].quoteAsset must differ from baseAsset (got the string "SOL")',
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', status: 'OPEN' }] },
        'symbols[0].status must be one of TRADING, END_OF_DAY, HALT, BREAK, CANCEL_ONLY (got the string "OPEN")',
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', orderTypes: ['LIMIT', 'LIMIT'] }] },
        'symbols[0].orderTypes lists "LIMIT" twice',
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', orderTypes: ['LIMT'] }] },
        /^symbols\[0\]\.orderTypes\[0\] must be one of LIMIT, .* \(did you mean "LIMIT"\?\) \(got the string "LIMT"\)$/,
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', icebergAllowed: 'true' }] },
        'symbols[0].icebergAllowed must be true or false (got the string "true")',
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', baseAssetPrecision: 19 }] },
        'symbols[0].baseAssetPrecision must be from 0 to 18 (got number 19)',
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', permissionSets: [['SPOT', 3]] }] },
        'symbols[0].permissionSets[0][1] must be a string (got number 3)',
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', tickSize: '0.01' }] },
        /^symbols\[0\] has an unknown field "tickSize"; allowed: symbol, status, /,
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', filters: {} }] },
        'symbols[0].filters must be an array (got an object)',
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', filters: [{ minPrice: '1' }] }] },
        /^symbols\[0\]\.filters\[0\]\.filterType is required \(one of PRICE_FILTER, PERCENT_PRICE, .*MAX_NUM_ORDER_LISTS\)$/,
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', filters: [{ filterType: 'LOT_SIZES' }] }] },
        /^symbols\[0\]\.filters\[0\]\.filterType must be one of .* \(did you mean "LOT_SIZE"\?\) \(got the string "LOT_SIZES"\)$/,
      ],
      [
        {
          symbols: [
            {
              symbol: 'A',
              baseAsset: 'A',
              quoteAsset: 'B',
              filters: [{ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 1 }],
            },
          ],
        },
        /^symbols\[0\]\.filters\[0\]\.filterType must be one of /,
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', filters: [{ ...price, tickSize: 0.01 }] }] },
        'symbols[0].filters[0].tickSize must be a non-negative decimal string such as "0.01000000" (got number 0.01)',
      ],
      [
        {
          symbols: [
            {
              symbol: 'A',
              baseAsset: 'A',
              quoteAsset: 'B',
              filters: [{ filterType: 'PRICE_FILTER', minPrice: '1', maxPrice: '2' }],
            },
          ],
        },
        'symbols[0].filters[0].tickSize is required',
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', filters: [{ ...lot, tickSize: '1' }] }] },
        'symbols[0].filters[0] has an unknown field "tickSize"; allowed: filterType, minQty, maxQty, stepSize',
      ],
      [
        {
          symbols: [
            { symbol: 'A', baseAsset: 'A', quoteAsset: 'B', filters: [{ filterType: 'ICEBERG_PARTS', limit: 1.5 }] },
          ],
        },
        'symbols[0].filters[0].limit must be an integer (got number 1.5)',
      ],
      [
        {
          symbols: [
            {
              symbol: 'A',
              baseAsset: 'A',
              quoteAsset: 'B',
              filters: [{ filterType: 'MIN_NOTIONAL', minNotional: '1', applyToMarket: 1, avgPriceMins: 5 }],
            },
          ],
        },
        'symbols[0].filters[0].applyToMarket must be true or false (got number 1)',
      ],
      [
        { symbols: [{ symbol: 'A', baseAsset: 'A', quoteAsset: 'B', filters: [price, lot, price] }] },
        'symbols[0].filters[2] repeats the PRICE_FILTER filter of symbols[0].filters[0]',
      ],
      [
        {
          symbols: [
            { symbol: 'A', baseAsset: 'A', quoteAsset: 'B' },
            { symbol: 'A', baseAsset: 'A', quoteAsset: 'C' },
          ],
        },
        'symbols[1].symbol repeats symbols[0].symbol "A"',
      ],
      [
        {
          symbols: [
            {
              symbol: 'A',
              baseAsset: 'A',
              quoteAsset: 'B',
              defaultSelfTradePreventionMode: 'DECREMENT',
              allowedSelfTradePreventionModes: ['EXPIRE_TAKER'],
            },
          ],
        },
        'symbols[0].defaultSelfTradePreventionMode must be NONE or one of allowedSelfTradePreventionModes (EXPIRE_TAKER) (got the string "DECREMENT")',
      ],
    ])('validates symbols: %j', (content, message) => {
      if (typeof message === 'string') expect(errorOf(content)).toBe(message);
      else expect(errorOf(content)).toMatch(message);
    });
  });

  it.each([
    [
      { exchangeFilters: [{ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: -1 }] },
      'exchangeFilters[0].maxNumOrders must be at least 0 (got number -1)',
    ],
    [
      { exchangeFilters: [{ filterType: 'PRICE_FILTER', minPrice: '1', maxPrice: '1', tickSize: '1' }] },
      /^exchangeFilters\[0\]\.filterType must be one of EXCHANGE_MAX_NUM_ORDERS, EXCHANGE_MAX_NUM_ALGO_ORDERS, EXCHANGE_MAX_NUM_ICEBERG_ORDERS, EXCHANGE_MAX_NUM_ORDER_LISTS \(got/,
    ],
  ])('validates exchangeFilters: %j', (content, message) => {
    if (typeof message === 'string') expect(errorOf(content)).toBe(message);
    else expect(errorOf(content)).toMatch(message);
  });

  it.each([
    [{ executionRules: [] }, 'executionRules must be an object of symbols (got an array)'],
    [
      { executionRules: { BTCUSDT: { range: {} } } },
      'executionRules.BTCUSDT has an unknown field "range"; allowed: priceRange, referencePrice',
    ],
    [
      { executionRules: { BTCUSDT: { priceRange: { bidLimitMultUp: '1.00001' } } } },
      'executionRules.BTCUSDT.priceRange.bidLimitMultUp must be a positive decimal string with at most 4 decimals, such as "1.0500" (got the string "1.00001")',
    ],
    [
      { executionRules: { BTCUSDT: { priceRange: { askLimitMultDown: '0.0000' } } } },
      /^executionRules\.BTCUSDT\.priceRange\.askLimitMultDown must be a positive decimal/,
    ],
    [
      { executionRules: { BTCUSDT: { priceRange: { bidMultiplierUp: '1' } } } },
      'executionRules.BTCUSDT.priceRange has an unknown field "bidMultiplierUp"; allowed: bidLimitMultUp, bidLimitMultDown, askLimitMultUp, askLimitMultDown',
    ],
    [
      { executionRules: { BTCUSDT: { referencePrice: { bucketCount: 1 } } } },
      'executionRules.BTCUSDT.referencePrice.calculationType is required',
    ],
    [
      { executionRules: { BTCUSDT: { referencePrice: { calculationType: 'ARITHMETIC_MEAN', bucketCount: 10 } } } },
      'executionRules.BTCUSDT.referencePrice.bucketWidthMs is required with ARITHMETIC_MEAN',
    ],
    [
      {
        executionRules: {
          BTCUSDT: { referencePrice: { calculationType: 'EXTERNAL', externalCalculationId: 1, bucketCount: 10 } },
        },
      },
      'executionRules.BTCUSDT.referencePrice.bucketCount is not a field of EXTERNAL',
    ],
    [
      {
        executionRules: {
          BTCUSDT: { referencePrice: { calculationType: 'ARITHMETIC_MEAN', bucketCount: 0, bucketWidthMs: 1000 } },
        },
      },
      'executionRules.BTCUSDT.referencePrice.bucketCount must be from 1 to 1000 (got number 0)',
    ],
    [
      { executionRules: { BTCUSDT: { referencePrice: { calculationType: 'SMA' } } } },
      /^executionRules\.BTCUSDT\.referencePrice\.calculationType must be one of ARITHMETIC_MEAN, EXTERNAL/,
    ],
  ])('validates executionRules: %j', (content, message) => {
    if (typeof message === 'string') expect(errorOf(content)).toBe(message);
    else expect(errorOf(content)).toMatch(message);
  });

  it.each([
    [{ sors: {} }, 'sors must be an array (got an object)'],
    [{ sors: [{ baseAsset: 'BTC' }] }, 'sors[0].symbols is required'],
    [{ sors: [{ baseAsset: 'BTC', symbols: ['BTCUSDT'] }] }, 'sors[0].symbols must list at least 2 symbols'],
    [
      { sors: [{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC', 'BTCUSDT'] }] },
      'sors[0].symbols[2] repeats "BTCUSDT"',
    ],
    [
      { sors: [{ base: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] }] },
      'sors[0] has an unknown field "base"; allowed: baseAsset, symbols',
    ],
  ])('validates sors: %j', (content, message) => {
    expect(errorOf(content)).toBe(message);
  });

  it.each([
    [{ assetFilters: {} }, 'assetFilters must be an array (got an object)'],
    [
      { assetFilters: [{ filterType: 'MAX_POSITION', maxPosition: '1' }] },
      /^assetFilters\[0\]\.filterType must be one of MAX_ASSET/,
    ],
    [{ assetFilters: [{ filterType: 'MAX_ASSET', asset: 'BTC' }] }, 'assetFilters[0].limit is required'],
    [
      { assetFilters: [{ filterType: 'MAX_ASSET', asset: 'BTC', limit: '0' }] },
      'assetFilters[0].limit must be greater than 0 (got the string "0")',
    ],
    [
      {
        assetFilters: [
          { filterType: 'MAX_ASSET', asset: 'BTC', limit: '1' },
          { filterType: 'MAX_ASSET', asset: 'BTC', limit: '2' },
        ],
      },
      'assetFilters[1].asset repeats assetFilters[0].asset "BTC"',
    ],
  ])('validates assetFilters: %j', (content, message) => {
    if (typeof message === 'string') expect(errorOf(content)).toBe(message);
    else expect(errorOf(content)).toMatch(message);
  });

  it('validateConfig names its source', () => {
    expect(() => validateConfig({ port: -1 }, 'env')).toThrow('env: port must be from 0 to 65535 (got number -1)');
  });
});

describe('resolveConfig', () => {
  it('defaults ← file ← CLI flags', () => {
    const c = resolveConfig({ port: 1000, seed: 'file', host: '0.0.0.0' }, { port: 2000, trustProxy: true });
    expect(c).toMatchObject({ port: 2000, seed: 'file', host: '0.0.0.0', trustProxy: true, logLevel: 'warn' });
  });

  it('ignores undefined values (flags that were not given)', () => {
    const c = resolveConfig({ port: 1000 }, { port: undefined, seed: undefined });
    expect(c.port).toBe(1000);
    expect(c.seed).toBe('binance-sandbox');
  });

  it('a CLI flag may clear what the file set', () => {
    expect(resolveConfig({ trustProxy: true }, { trustProxy: false }).trustProxy).toBe(false);
  });

  it('rateLimits, symbols and exchangeFilters from the file replace the defaults', () => {
    const rateLimits = [
      { rateLimitType: 'REQUEST_WEIGHT' as const, interval: 'SECOND' as const, intervalNum: 1, limit: 5 },
    ];
    const c = resolveConfig({
      rateLimits,
      symbols: [],
      exchangeFilters: [{ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 5 }],
    });
    expect(c.rateLimits).toEqual(rateLimits);
    expect(c.symbols).toEqual([]);
    expect(c.exchangeFilters).toEqual([{ filterType: 'EXCHANGE_MAX_NUM_ORDERS', maxNumOrders: 5 }]);
  });

  it('banPolicy and waf merge field by field', () => {
    const c = resolveConfig(
      { banPolicy: { rejectionsBeforeBan: 2 }, waf: { blockedIps: ['10.0.0.0/8'] } },
      { waf: { enabled: false } },
    );
    expect(c.banPolicy).toEqual({ ...DEFAULT_BAN_POLICY, rejectionsBeforeBan: 2 });
    expect(c.waf).toEqual({ ...DEFAULT_WAF_CONFIG, blockedIps: ['10.0.0.0/8'], enabled: false });
  });

  it('with nothing given equals the defaults', () => {
    expect(resolveConfig()).toEqual(defaultConfig());
  });

  it('checks the merged ban policy', () => {
    expect(() => resolveConfig({ banPolicy: { maxBanMs: 60_000 } })).toThrow(ConfigError);
    expect(() => resolveConfig({ banPolicy: { maxBanMs: 60_000 } })).toThrow(
      'banPolicy.maxBanMs (60000) must not be less than banPolicy.firstBanMs (120000)',
    );
  });

  it('a loaded file resolves end to end', () => {
    const c = resolveConfig(
      loadConfigFile(file({ rateLimits: [limit()], banPolicy: { rejectionsBeforeBan: 2 }, redisKeyPrefix: 'p:' })),
      { port: 0 },
    );
    expect(c.rateLimits).toEqual([limit()]);
    expect(c.banPolicy.rejectionsBeforeBan).toBe(2);
    expect(c.banPolicy.firstBanMs).toBe(120_000);
    expect(c.redisKeyPrefix).toBe('p:');
    expect(c.port).toBe(0);
  });
});

describe('simulator section', () => {
  it('defaults: on, 1 s ticks, 10 levels, BTC/ETH/BNB prices (ETHBTC derived)', () => {
    expect(defaultConfig().simulator).toEqual({
      enabled: true,
      tickMs: 1000,
      levels: 10,
      takersPerSecond: 2,
      blockTradesPerHour: 2,
      replaySpeed: 1,
      symbols: {
        BTCUSDT: { startPrice: '90000.00', volatility: 0.03 },
        ETHUSDT: { startPrice: '3000.00', volatility: 0.04 },
        BNBUSDT: { startPrice: '600.00', volatility: 0.035 },
      },
    });
  });

  it('a file sets fields and symbols; they merge field by field over the defaults', () => {
    const c = resolveConfig(
      loadConfigFile(
        file({
          simulator: {
            tickMs: 250,
            symbols: { BTCUSDT: { startPrice: '100000' }, ETHBTC: { startPrice: '0.04', volatility: 0.02 } },
          },
        }),
      ),
    );
    expect(c.simulator.enabled).toBe(true);
    expect(c.simulator.tickMs).toBe(250);
    expect(c.simulator.levels).toBe(10);
    expect(c.simulator.symbols['BTCUSDT']).toEqual({ startPrice: '100000', volatility: 0.03 });
    expect(c.simulator.symbols['ETHBTC']).toEqual({ startPrice: '0.04', volatility: 0.02 });
    expect(c.simulator.symbols['ETHUSDT']).toEqual({ startPrice: '3000.00', volatility: 0.04 });
  });

  it('flags override the file (--no-simulator)', () => {
    const c = resolveConfig({ simulator: { enabled: true, levels: 3 } }, { simulator: { enabled: false } });
    expect(c.simulator.enabled).toBe(false);
    expect(c.simulator.levels).toBe(3);
  });

  it.each([
    [{ simulator: 1 }, 'simulator must be an object (got number 1)'],
    [{ simulator: { enabled: 'no' } }, 'simulator.enabled must be true or false (got the string "no")'],
    [{ simulator: { tickMs: 5 } }, 'simulator.tickMs must be from 10 to 3600000 (got number 5)'],
    [{ simulator: { levels: 0 } }, 'simulator.levels must be from 1 to 50 (got number 0)'],
    [{ simulator: { takersPerSecond: -1 } }, 'simulator.takersPerSecond must be from 0 to 100 (got number -1)'],
    [{ simulator: { takersPerSecond: '2' } }, 'simulator.takersPerSecond must be a number (got the string "2")'],
    [
      { simulator: { blockTradesPerHour: 3601 } },
      'simulator.blockTradesPerHour must be from 0 to 3600 (got number 3601)',
    ],
    [
      { simulator: { tickMS: 5 } },
      'simulator has an unknown field "tickMS" (did you mean "tickMs"?); allowed: enabled, tickMs, levels, takersPerSecond, blockTradesPerHour, replaySpeed, symbols',
    ],
    [
      { simulator: { symbols: [] } },
      'simulator.symbols must be an object like {"BTCUSDT": {"startPrice": "90000", "volatility": 0.03}} (got an array)',
    ],
    [
      { simulator: { symbols: { BTCUSDT: { startPrice: 90000 } } } },
      'simulator.symbols.BTCUSDT.startPrice must be a non-negative decimal string such as "0.01000000" (got number 90000)',
    ],
    [
      { simulator: { symbols: { BTCUSDT: { startPrice: '0' } } } },
      'simulator.symbols.BTCUSDT.startPrice must be greater than 0 (got the string "0")',
    ],
    [
      { simulator: { symbols: { BTCUSDT: { volatility: 11 } } } },
      'simulator.symbols.BTCUSDT.volatility must be from 0 to 10 (got number 11)',
    ],
    [
      { simulator: { symbols: { BTCUSDT: { price: '1' } } } },
      'simulator.symbols.BTCUSDT has an unknown field "price"; allowed: startPrice, volatility, replay',
    ],
    [
      { simulator: { replaySpeed: 0 } },
      'simulator.replaySpeed must be greater than 0 and at most 1000000 (got number 0)',
    ],
    [
      { simulator: { replaySpeed: -60 } },
      'simulator.replaySpeed must be greater than 0 and at most 1000000 (got number -60)',
    ],
    [
      { simulator: { replaySpeed: 1e7 } },
      'simulator.replaySpeed must be greater than 0 and at most 1000000 (got number 10000000)',
    ],
    [{ simulator: { replaySpeed: '60' } }, 'simulator.replaySpeed must be a number (got the string "60")'],
    [
      { simulator: { symbols: { BTCUSDT: { replay: 1 } } } },
      'simulator.symbols.BTCUSDT.replay must be a string (got number 1)',
    ],
    [{ simulator: { symbols: { BTCUSDT: { replay: '' } } } }, 'simulator.symbols.BTCUSDT.replay must not be empty'],
    [
      { simulator: { symbols: { BTCUSDT: { replays: 'x.csv' } } } },
      'simulator.symbols.BTCUSDT has an unknown field "replays" (did you mean "replay"?); allowed: startPrice, volatility, replay',
    ],
  ])('validates %j', (content, message) => {
    expect(errorOf(content)).toBe(message);
  });

  it('replaySpeed and replay files: a file sets them; a replayed symbol needs no startPrice', () => {
    const c = resolveConfig(
      loadConfigFile(
        file({
          simulator: {
            replaySpeed: 60,
            symbols: { ETHBTC: { replay: '/data/ETHBTC-trades-2025-01-01.csv' }, BTCUSDT: { replay: '/b.csv' } },
          },
        }),
      ),
    );
    expect(c.simulator.replaySpeed).toBe(60);
    expect(c.simulator.symbols['ETHBTC']).toEqual({ volatility: 0.03, replay: '/data/ETHBTC-trades-2025-01-01.csv' });
    // A default symbol keeps its default start price next to the replay (unused while it replays).
    expect(c.simulator.symbols['BTCUSDT']).toEqual({ startPrice: '90000.00', volatility: 0.03, replay: '/b.csv' });
    expect(resolveConfig({ simulator: { replaySpeed: 0.5 } }).simulator.replaySpeed).toBe(0.5);
  });

  it('a relative replay path in a config file is relative to the config file’s directory', () => {
    const sub = mkdtempSync(join(dir, 'sub-'));
    const path = join(sub, 'sandbox.json');
    writeFileSync(
      path,
      JSON.stringify({
        simulator: {
          symbols: {
            BTCUSDT: { replay: 'BTCUSDT-trades-2025-01-01.csv' },
            ETHUSDT: { replay: '../data/ETHUSDT-aggTrades-2025-01-01.csv' },
            BNBUSDT: { replay: '/abs/BNBUSDT.csv' },
          },
        },
      }),
    );
    for (const given of [path, relative(process.cwd(), path)]) {
      const symbols = loadConfigFile(given).simulator!.symbols!;
      expect(symbols['BTCUSDT']!.replay).toBe(join(sub, 'BTCUSDT-trades-2025-01-01.csv'));
      expect(symbols['ETHUSDT']!.replay).toBe(join(dir, 'data', 'ETHUSDT-aggTrades-2025-01-01.csv'));
      expect(symbols['BNBUSDT']!.replay).toBe('/abs/BNBUSDT.csv');
    }
    // Without a file (validateConfig alone) a path is left as given: relative to the working directory.
    const v = validateConfig({ simulator: { symbols: { BTCUSDT: { replay: 'x.csv' } } } });
    expect(v.simulator!.symbols!['BTCUSDT']!.replay).toBe('x.csv');
  });

  it('execution rules must name symbols of the sandbox', () => {
    const rules = { priceRange: { bidLimitMultUp: '1.1' } };
    expect(resolveConfig({ executionRules: { ETHBTC: rules } }).executionRules).toEqual({ ETHBTC: rules });
    expect(() => resolveConfig({ executionRules: { BTCUSDX: rules } })).toThrow(
      'executionRules.BTCUSDX is not a symbol of the sandbox (did you mean "BTCUSDT"?); symbols: BTCUSDT, ETHUSDT, BNBUSDT, ETHBTC',
    );
    expect(() => resolveConfig({ symbols: [DEFAULT_SYMBOLS[1]!], executionRules: { BTCUSDT: rules } })).toThrow(
      /^executionRules\.BTCUSDT is not a symbol of the sandbox/,
    );
  });

  it('examples/sor.json loads: the default symbols, a BTCUSDC twin and their SOR configuration', () => {
    const file = fileURLToPath(new URL('../../../examples/sor.json', import.meta.url));
    const config = resolveConfig(loadConfigFile(file));
    expect(config.symbols.map((s) => s.symbol)).toEqual([...DEFAULT_SYMBOLS.map((s) => s.symbol), 'BTCUSDC']);
    expect(config.sors).toEqual([{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] }]);
  });

  it('SOR configurations must name symbols of their base asset that trade in the same ticks and steps', () => {
    const BTC = DEFAULT_SYMBOLS[0]!;
    const usdc = { ...BTC, symbol: 'BTCUSDC', quoteAsset: 'USDC' };
    const symbols = [...DEFAULT_SYMBOLS, usdc];
    const sors = [{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] }];
    expect(resolveConfig({ symbols, sors }).sors).toEqual(sors);
    expect(() => resolveConfig({ sors })).toThrow(
      'sors[0]: BTCUSDC is not a symbol of the sandbox; symbols: BTCUSDT, ETHUSDT, BNBUSDT, ETHBTC',
    );
    expect(() => resolveConfig({ symbols, sors: [{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'ETHBTC'] }] })).toThrow(
      'sors[0]: ETHBTC has base asset ETH, not BTC',
    );
    expect(() =>
      resolveConfig({ symbols, sors: [...sors, { baseAsset: 'BTC', symbols: ['BTCUSDC', 'BTCUSDT'] }] }),
    ).toThrow('sors[1]: BTCUSDC is in sors[0] too');
    const coarse = {
      ...usdc,
      filters: BTC.filters.map((f) => (f.filterType === 'LOT_SIZE' ? { ...f, stepSize: '0.00100000' } : f)),
    };
    expect(() => resolveConfig({ symbols: [...DEFAULT_SYMBOLS, coarse], sors })).toThrow(
      'sors[0]: BTCUSDC (tickSize 0.01000000, stepSize 0.00100000) must trade in the same ticks and steps as BTCUSDT (tickSize 0.01000000, stepSize 0.00001000)',
    );
  });

  it('a simulated symbol must be a symbol of the sandbox and have a start price', () => {
    expect(() => resolveConfig({ simulator: { symbols: { BTCUSDX: { startPrice: '1' } } } })).toThrow(
      /^simulator\.symbols\.BTCUSDX is not a symbol of the sandbox \(did you mean "BTCUSDT"\?\)/,
    );
    expect(() => resolveConfig({ simulator: { symbols: { ETHBTC: { volatility: 0.1 } } } })).toThrow(
      'simulator.symbols.ETHBTC.startPrice is required (ETHBTC has no default price)',
    );
    expect(() => resolveConfig({ simulator: { symbols: { ETHBTC: { volatility: 0.1 } } } })).toThrow(
      'simulator.symbols.ETHBTC.startPrice is required (ETHBTC has no default price), or a replay file',
    );
    // Default prices of symbols a file's symbol list leaves out are dropped, not errors.
    const only = resolveConfig({ symbols: [DEFAULT_SYMBOLS[1]!] });
    expect(Object.keys(only.simulator.symbols)).toEqual(['ETHUSDT']);
  });
});
