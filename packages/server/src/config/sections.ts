/**
 * Validators of the config file's fields, one per section (rateLimits, banPolicy, waf, ws, simulator,
 * symbols, filters, executionRules, sors, …).
 */
import {
  SYMBOL_FIELDS,
  DEFAULT_SYMBOLS,
  FILTER_FIELDS,
  ORDER_TYPES,
  SELF_TRADE_PREVENTION_MODES,
  SYMBOL_STATUSES,
  type ExchangeFilter,
  type AssetFilter,
  type RateLimit,
  type SorDefinition,
  type SymbolDefinition,
} from '@binance-sandbox/protocol';
import { type BanPolicy } from '../limits/types.js';
import { compileUserAgentRules, parseIpRule } from '../waf/rules.js';
import { type WafConfig } from '../waf/waf.js';
import {
  PRICE_RANGE_MULTIPLIERS,
  type PriceRangeRule,
  type ReferencePriceCalculation,
  type SymbolExecutionRules,
} from '../engine/index.js';
import {
  LOG_LEVELS,
  type SandboxConfig,
  type SimulatorSymbolConfig,
  type SimulatorInput,
  type WsConfig,
  DEFAULT_WS_CONFIG,
  type ConfigInput,
  ConfigError,
} from './model.js';
import {
  type Json,
  fail,
  isObject,
  object,
  array,
  string,
  nullableString,
  boolean,
  integer,
  oneOf,
  listOf,
  decimal,
} from './json-fields.js';

const RATE_LIMIT_TYPES = ['REQUEST_WEIGHT', 'ORDERS', 'RAW_REQUESTS'] as const;
const RATE_LIMIT_INTERVALS = ['SECOND', 'MINUTE', 'HOUR', 'DAY'] as const;

function rateLimits(path: string, v: Json): RateLimit[] {
  const out = array(path, v).map((entry, i): RateLimit => {
    const p = `${path}[${i}]`;
    const o = object(
      p,
      entry,
      ['rateLimitType', 'interval', 'intervalNum', 'limit'],
      ['rateLimitType', 'interval', 'intervalNum', 'limit'],
    );
    return {
      rateLimitType: oneOf(`${p}.rateLimitType`, o['rateLimitType'], RATE_LIMIT_TYPES),
      interval: oneOf(`${p}.interval`, o['interval'], RATE_LIMIT_INTERVALS),
      intervalNum: integer(`${p}.intervalNum`, o['intervalNum'], 1, 1_000_000),
      limit: integer(`${p}.limit`, o['limit'], 1),
    };
  });
  out.forEach((a, i) => {
    const j = out.findIndex(
      (b) => b.rateLimitType === a.rateLimitType && b.interval === a.interval && b.intervalNum === a.intervalNum,
    );
    if (j !== i)
      fail(
        `${path}[${i}]`,
        `repeats ${path}[${j}] (${a.rateLimitType} per ${a.intervalNum} ${a.interval}): each type may list an interval once`,
      );
  });
  return out;
}

const BAN_POLICY_KEYS = ['rejectionsBeforeBan', 'firstBanMs', 'maxBanMs', 'banCountDecayMs'] as const;

function banPolicy(path: string, v: Json): Partial<BanPolicy> {
  const o = object(path, v, BAN_POLICY_KEYS);
  const out: { -readonly [K in keyof BanPolicy]?: number } = {};
  if ('rejectionsBeforeBan' in o)
    out.rejectionsBeforeBan = integer(`${path}.rejectionsBeforeBan`, o['rejectionsBeforeBan'], 0);
  if ('firstBanMs' in o) out.firstBanMs = integer(`${path}.firstBanMs`, o['firstBanMs'], 1);
  if ('maxBanMs' in o) out.maxBanMs = integer(`${path}.maxBanMs`, o['maxBanMs'], 1);
  if ('banCountDecayMs' in o) out.banCountDecayMs = integer(`${path}.banCountDecayMs`, o['banCountDecayMs'], 0);
  return out;
}

const WAF_KEYS = [
  'enabled',
  'maxUrlBytes',
  'maxBodyBytes',
  'blockedIps',
  'blockedUserAgents',
  'blockMalformedEncoding',
  'blockSqlInjection',
] as const;

const WS_KEYS = Object.keys(DEFAULT_WS_CONFIG) as (keyof WsConfig)[];

function ws(path: string, v: Json): Partial<WsConfig> {
  const o = object(path, v, WS_KEYS);
  const out: { -readonly [K in keyof WsConfig]?: number } = {};
  for (const key of WS_KEYS) {
    if (key in o) out[key] = integer(`${path}.${key}`, o[key], 1);
  }
  return out;
}

const SIMULATOR_KEYS = [
  'enabled',
  'tickMs',
  'levels',
  'takersPerSecond',
  'blockTradesPerHour',
  'replaySpeed',
  'symbols',
] as const;
const SIMULATOR_SYMBOL_KEYS = ['startPrice', 'volatility', 'replay'] as const;
/** At most this many recorded ms per ms (a day of trades in under a tenth of a second). */
const MAX_REPLAY_SPEED = 1_000_000;

function finite(path: string, v: Json, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, 'must be a number', v);
  if (v < min || v > max) fail(path, `must be from ${min} to ${max}`, v);
  return v;
}

function simulator(path: string, v: Json): SimulatorInput {
  const o = object(path, v, SIMULATOR_KEYS);
  const out: SimulatorInput = {};
  if ('enabled' in o) out.enabled = boolean(`${path}.enabled`, o['enabled']);
  if ('tickMs' in o) out.tickMs = integer(`${path}.tickMs`, o['tickMs'], 10, 3_600_000);
  if ('levels' in o) out.levels = integer(`${path}.levels`, o['levels'], 1, 50);
  if ('takersPerSecond' in o) out.takersPerSecond = finite(`${path}.takersPerSecond`, o['takersPerSecond'], 0, 100);
  if ('blockTradesPerHour' in o)
    out.blockTradesPerHour = finite(`${path}.blockTradesPerHour`, o['blockTradesPerHour'], 0, 3600);
  if ('replaySpeed' in o) {
    const p = `${path}.replaySpeed`;
    const v = o['replaySpeed'];
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(p, 'must be a number', v);
    if (!(v > 0 && v <= MAX_REPLAY_SPEED)) fail(p, `must be greater than 0 and at most ${MAX_REPLAY_SPEED}`, v);
    out.replaySpeed = v;
  }
  if ('symbols' in o) {
    const p = `${path}.symbols`;
    const syms = o['symbols'];
    if (!isObject(syms))
      fail(p, 'must be an object like {"BTCUSDT": {"startPrice": "90000", "volatility": 0.03}}', syms);
    const symbolsOut: Record<string, Partial<SimulatorSymbolConfig>> = {};
    for (const [sym, entry] of Object.entries(syms)) {
      const sp = `${p}.${sym}`;
      name(sp, sym);
      const e = object(sp, entry, SIMULATOR_SYMBOL_KEYS);
      const s: { -readonly [K in keyof SimulatorSymbolConfig]?: SimulatorSymbolConfig[K] } = {};
      if ('startPrice' in e) {
        s.startPrice = decimal(`${sp}.startPrice`, e['startPrice']);
        if (!/[1-9]/.test(s.startPrice)) fail(`${sp}.startPrice`, 'must be greater than 0', e['startPrice']);
      }
      if ('volatility' in e) s.volatility = finite(`${sp}.volatility`, e['volatility'], 0, 10);
      if ('replay' in e) s.replay = string(`${sp}.replay`, e['replay'], { nonEmpty: true });
      symbolsOut[sym] = s;
    }
    out.symbols = symbolsOut;
  }
  return out;
}

function waf(path: string, v: Json): Partial<WafConfig> {
  const o = object(path, v, WAF_KEYS);
  const out: { -readonly [K in keyof WafConfig]?: WafConfig[K] } = {};
  if ('enabled' in o) out.enabled = boolean(`${path}.enabled`, o['enabled']);
  if ('maxUrlBytes' in o) out.maxUrlBytes = integer(`${path}.maxUrlBytes`, o['maxUrlBytes'], 1);
  if ('maxBodyBytes' in o) out.maxBodyBytes = integer(`${path}.maxBodyBytes`, o['maxBodyBytes'], 1);
  if ('blockMalformedEncoding' in o)
    out.blockMalformedEncoding = boolean(`${path}.blockMalformedEncoding`, o['blockMalformedEncoding']);
  if ('blockSqlInjection' in o) out.blockSqlInjection = boolean(`${path}.blockSqlInjection`, o['blockSqlInjection']);
  if ('blockedIps' in o) {
    out.blockedIps = array(`${path}.blockedIps`, o['blockedIps']).map((x, i) => {
      const p = `${path}.blockedIps[${i}]`;
      const s = string(p, x, { nonEmpty: true });
      try {
        parseIpRule(s.trim());
      } catch (e) {
        fail(p, `is not usable: ${(e as Error).message}`);
      }
      return s;
    });
  }
  if ('blockedUserAgents' in o) {
    out.blockedUserAgents = array(`${path}.blockedUserAgents`, o['blockedUserAgents']).map((x, i) => {
      const p = `${path}.blockedUserAgents[${i}]`;
      const s = string(p, x, { nonEmpty: true });
      try {
        compileUserAgentRules([s]);
      } catch (e) {
        fail(p, `is not usable: ${(e as Error).message}`);
      }
      return s;
    });
  }
  return out;
}

// Filters: the kind of every field (everything not listed is a decimal string).
const INT_FILTER_FIELDS = new Set([
  'avgPriceMins',
  'limit',
  'maxNumOrders',
  'maxNumAlgoOrders',
  'maxNumIcebergOrders',
  'minTrailingAboveDelta',
  'maxTrailingAboveDelta',
  'minTrailingBelowDelta',
  'maxTrailingBelowDelta',
  'maxNumOrderAmends',
  'maxNumOrderLists',
]);
const BOOL_FILTER_FIELDS = new Set(['applyToMarket', 'applyMinToMarket', 'applyMaxToMarket']);
type FilterType = keyof typeof FILTER_FIELDS;
const ALL_FILTER_TYPES = Object.keys(FILTER_FIELDS) as FilterType[];
const EXCHANGE_FILTER_TYPES = ALL_FILTER_TYPES.filter((t) => t.startsWith('EXCHANGE_'));
const SYMBOL_FILTER_TYPES = ALL_FILTER_TYPES.filter((t) => !t.startsWith('EXCHANGE_') && t !== 'MAX_ASSET');

function filter(path: string, v: Json, types: readonly FilterType[]): Record<string, Json> {
  if (!isObject(v)) fail(path, 'must be an object', v);
  if (!('filterType' in v)) fail(`${path}.filterType`, `is required (one of ${types.join(', ')})`);
  const type = oneOf(`${path}.filterType`, v['filterType'], types);
  const fields = FILTER_FIELDS[type] as readonly string[];
  const o = object(path, v, fields, fields);
  const out: Record<string, Json> = {};
  // Wire order is the documented one, whatever the order in the file.
  for (const f of fields) {
    const p = `${path}.${f}`;
    if (f === 'filterType') out[f] = type;
    else if (f === 'asset') out[f] = name(p, o[f] as Json);
    else if (INT_FILTER_FIELDS.has(f) && type !== 'MAX_ASSET')
      out[f] = integer(p, o[f], 0); // (MAX_ASSET's limit: a decimal)
    else if (BOOL_FILTER_FIELDS.has(f)) out[f] = boolean(p, o[f]);
    else out[f] = decimal(p, o[f]);
  }
  return out;
}

/** Asset filters (MAX_ASSET), one per asset. */
function assetFilters(path: string, v: Json): AssetFilter[] {
  const out = array(path, v).map((f, i) => filter(`${path}[${i}]`, f, ['MAX_ASSET']) as unknown as AssetFilter);
  out.forEach((f, i) => {
    const j = out.findIndex((g) => g.asset === f.asset);
    if (j !== i) fail(`${path}[${i}].asset`, `repeats ${path}[${j}].asset "${f.asset}"`);
    if (!/[1-9]/.test(f.limit)) fail(`${path}[${i}].limit`, 'must be greater than 0', f.limit);
  });
  return out;
}

function filters(path: string, v: Json, types: readonly FilterType[]): Record<string, Json>[] {
  const out = array(path, v).map((f, i) => filter(`${path}[${i}]`, f, types));
  out.forEach((f, i) => {
    const j = out.findIndex((g) => g['filterType'] === f['filterType']);
    if (j !== i) fail(`${path}[${i}]`, `repeats the ${String(f['filterType'])} filter of ${path}[${j}]`);
  });
  return out;
}

/** Names usable in symbols=["A","B"] arrays and stream names: no whitespace, quotes, commas, brackets or slashes. */
const NAME_RE = /^[^\s"',[\]/\\@]{1,20}$/u;

function name(path: string, v: Json): string {
  const s = string(path, v, { nonEmpty: true });
  if (!NAME_RE.test(s)) fail(path, 'must be 1–20 characters without spaces, quotes, commas, brackets, slashes or @', v);
  return s;
}

const SYMBOL_KEYS: readonly (keyof SymbolDefinition)[] = SYMBOL_FIELDS;
/** Which symbol fields are flags and which are precisions, read off a default symbol's JSON types. */
const fieldsOfType = (type: 'boolean' | 'number') =>
  new Set<string>(SYMBOL_FIELDS.filter((k) => typeof (DEFAULT_SYMBOLS[0] as SymbolDefinition)[k] === type));
const SYMBOL_BOOL_KEYS = fieldsOfType('boolean');
const SYMBOL_PRECISION_KEYS = fieldsOfType('number');

/**
 * Fields a config file leaves out are taken from this template: the flags, precisions, order
 * types, permission sets and self-trade-prevention modes of the default spot symbols; no filters.
 */
export function symbolTemplate(): Omit<SymbolDefinition, 'symbol' | 'baseAsset' | 'quoteAsset'> {
  const { symbol: _s, baseAsset: _b, quoteAsset: _q, ...rest } = DEFAULT_SYMBOLS[0]!;
  return { ...rest, filters: [] };
}

function symbolDefinition(path: string, v: Json): SymbolDefinition {
  const o = object(path, v, SYMBOL_KEYS, ['symbol', 'baseAsset', 'quoteAsset']);
  const template = symbolTemplate() as unknown as Record<string, Json>;
  const out: Record<string, Json> = {};
  for (const key of SYMBOL_KEYS) {
    const p = `${path}.${key}`;
    if (!(key in o)) {
      out[key] = template[key];
      continue;
    }
    const x = o[key];
    if (key === 'symbol' || key === 'baseAsset' || key === 'quoteAsset') out[key] = name(p, x);
    else if (key === 'status') out[key] = oneOf(p, x, SYMBOL_STATUSES);
    else if (SYMBOL_PRECISION_KEYS.has(key)) out[key] = integer(p, x, 0, 18);
    else if (SYMBOL_BOOL_KEYS.has(key)) out[key] = boolean(p, x);
    else if (key === 'orderTypes') out[key] = listOf(p, x, ORDER_TYPES);
    else if (key === 'filters') out[key] = filters(p, x, SYMBOL_FILTER_TYPES);
    else if (key === 'permissions') out[key] = array(p, x).map((s, i) => string(`${p}[${i}]`, s, { nonEmpty: true }));
    else if (key === 'permissionSets') {
      out[key] = array(p, x).map((set, i) =>
        array(`${p}[${i}]`, set).map((s, j) => string(`${p}[${i}][${j}]`, s, { nonEmpty: true })),
      );
    } else if (key === 'defaultSelfTradePreventionMode') out[key] = oneOf(p, x, SELF_TRADE_PREVENTION_MODES);
    else if (key === 'allowedSelfTradePreventionModes') out[key] = listOf(p, x, SELF_TRADE_PREVENTION_MODES);
  }
  if (out['baseAsset'] === out['quoteAsset'])
    fail(`${path}.quoteAsset`, 'must differ from baseAsset', out['quoteAsset']);
  const allowed = out['allowedSelfTradePreventionModes'] as readonly string[];
  const dflt = out['defaultSelfTradePreventionMode'] as string;
  if (dflt !== 'NONE' && !allowed.includes(dflt)) {
    fail(
      `${path}.defaultSelfTradePreventionMode`,
      `must be NONE or one of allowedSelfTradePreventionModes (${allowed.join(', ')})`,
      dflt,
    );
  }
  return out as unknown as SymbolDefinition;
}

function symbols(path: string, v: Json): SymbolDefinition[] {
  const out = array(path, v).map((s, i) => symbolDefinition(`${path}[${i}]`, s));
  out.forEach((s, i) => {
    const j = out.findIndex((t) => t.symbol === s.symbol);
    if (j !== i) fail(`${path}[${i}].symbol`, `repeats ${path}[${j}].symbol "${s.symbol}"`);
  });
  return out;
}

/** A multiplier: a positive decimal with at most 4 decimals (Binance renders 4: "1.0001"). */
const MULTIPLIER_RE = /^\d{1,8}(\.\d{1,4})?$/;

function priceRange(path: string, v: Json): PriceRangeRule {
  const o = object(path, v, PRICE_RANGE_MULTIPLIERS);
  const out: Record<string, string> = {};
  for (const key of PRICE_RANGE_MULTIPLIERS) {
    if (!(key in o)) continue;
    const x = o[key];
    if (typeof x !== 'string' || !MULTIPLIER_RE.test(x) || !/[1-9]/.test(x))
      fail(`${path}.${key}`, 'must be a positive decimal string with at most 4 decimals, such as "1.0500"', x);
    out[key] = x;
  }
  return out;
}

const CALCULATION_TYPES = ['ARITHMETIC_MEAN', 'EXTERNAL'] as const;

function referencePriceCalculation(path: string, v: Json): ReferencePriceCalculation {
  const o = object(
    path,
    v,
    ['calculationType', 'bucketCount', 'bucketWidthMs', 'externalCalculationId'],
    ['calculationType'],
  );
  const type = oneOf(`${path}.calculationType`, o['calculationType'] as Json, CALCULATION_TYPES);
  const only = (keys: readonly string[]): void => {
    for (const k of Object.keys(o))
      if (k !== 'calculationType' && !keys.includes(k)) fail(`${path}.${k}`, `is not a field of ${type}`);
    for (const k of keys) if (!(k in o)) fail(`${path}.${k}`, `is required with ${type}`);
  };
  if (type === 'EXTERNAL') {
    only(['externalCalculationId']);
    return {
      calculationType: type,
      externalCalculationId: integer(
        `${path}.externalCalculationId`,
        o['externalCalculationId'] as Json,
        0,
        2 ** 31 - 1,
      ),
    };
  }
  only(['bucketCount', 'bucketWidthMs']);
  return {
    calculationType: type,
    bucketCount: integer(`${path}.bucketCount`, o['bucketCount'] as Json, 1, 1000),
    bucketWidthMs: integer(`${path}.bucketWidthMs`, o['bucketWidthMs'] as Json, 1, 86_400_000),
  };
}

function executionRules(path: string, v: Json): Record<string, SymbolExecutionRules> {
  if (!isObject(v)) fail(path, 'must be an object of symbols', v);
  const out: Record<string, SymbolExecutionRules> = {};
  for (const [sym, entry] of Object.entries(v)) {
    const p = `${path}.${sym}`;
    const o = object(p, entry, ['priceRange', 'referencePrice']);
    out[name(p, sym)] = {
      ...('priceRange' in o ? { priceRange: priceRange(`${p}.priceRange`, o['priceRange'] as Json) } : {}),
      ...('referencePrice' in o
        ? { referencePrice: referencePriceCalculation(`${p}.referencePrice`, o['referencePrice'] as Json) }
        : {}),
    };
  }
  return out;
}

function sors(path: string, v: Json): SorDefinition[] {
  return array(path, v).map((entry, i) => {
    const p = `${path}[${i}]`;
    const o = object(p, entry, ['baseAsset', 'symbols'], ['baseAsset', 'symbols']);
    const symbols = array(`${p}.symbols`, o['symbols'] as Json).map((s, j) => name(`${p}.symbols[${j}]`, s));
    if (symbols.length < 2) fail(`${p}.symbols`, 'must list at least 2 symbols');
    symbols.forEach((s, j) => {
      if (symbols.indexOf(s) !== j) fail(`${p}.symbols[${j}]`, `repeats "${s}"`);
    });
    return { baseAsset: name(`${p}.baseAsset`, o['baseAsset'] as Json), symbols };
  });
}

/** The SOR configurations against the symbols: known, of the base asset, alike in tick and step, in one group. */
export function checkSors(config: SandboxConfig): void {
  const bySymbol = new Map(config.symbols.map((s) => [s.symbol, s]));
  const grouped = new Map<string, number>();
  const sizes = (d: SymbolDefinition) => {
    const f = (type: string, key: string) =>
      (d.filters.find((x) => x.filterType === type) as Record<string, unknown> | undefined)?.[key];
    return `tickSize ${String(f('PRICE_FILTER', 'tickSize'))}, stepSize ${String(f('LOT_SIZE', 'stepSize'))}`;
  };
  config.sors.forEach((sor, i) => {
    let first: SymbolDefinition | undefined;
    for (const sym of sor.symbols) {
      const at = `sors[${i}]: ${sym}`;
      const d = bySymbol.get(sym);
      if (d === undefined)
        throw new ConfigError(`${at} is not a symbol of the sandbox; symbols: ${[...bySymbol.keys()].join(', ')}`);
      if (d.baseAsset !== sor.baseAsset)
        throw new ConfigError(`${at} has base asset ${d.baseAsset}, not ${sor.baseAsset}`);
      const other = grouped.get(sym);
      if (other !== undefined) throw new ConfigError(`${at} is in sors[${other}] too`);
      grouped.set(sym, i);
      if (first === undefined) first = d;
      else if (sizes(d) !== sizes(first))
        throw new ConfigError(
          `${at} (${sizes(d)}) must trade in the same ticks and steps as ${first.symbol} (${sizes(first)})`,
        );
    }
  });
}

function redisUrl(path: string, v: Json): string | null {
  const s = nullableString(path, v);
  if (s === null) return null;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    fail(path, 'must be a URL such as "redis://127.0.0.1:6379"', v);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') fail(path, 'must start with redis:// or rediss://', v);
  return s;
}

function port(path: string, v: Json): number {
  return integer(path, v, 0, 65535);
}

export const FIELD_VALIDATORS: { readonly [K in keyof SandboxConfig]-?: (path: string, v: Json) => ConfigInput[K] } = {
  host: (p, v) => string(p, v, { nonEmpty: true }),
  port,
  seed: (p, v) => string(p, v, { nonEmpty: true }),
  dataDir: nullableString,
  snapshotEvery: (p, v) => integer(p, v, 0),
  keepJournal: boolean,
  redisUrl,
  redisKeyPrefix: (p, v) => string(p, v),
  trustProxy: boolean,
  adminToken: nullableString,
  rateLimits,
  banPolicy,
  symbols,
  exchangeFilters: (p, v) => filters(p, v, EXCHANGE_FILTER_TYPES) as unknown as ExchangeFilter[],
  assetFilters,
  executionRules,
  sors,
  waf,
  recvWindowMax: (p, v) => integer(p, v, 1),
  logLevel: (p, v) => oneOf(p, v, LOG_LEVELS),
  ws,
  simulator,
};

/** Every key a config file may hold (in the order --help and the README list them). */
export const CONFIG_KEYS = Object.keys(FIELD_VALIDATORS) as (keyof SandboxConfig)[];
