/**
 * The sandbox's configuration: defaults, the JSON config file (validated field by field, with
 * messages that name the file and the exact path of the bad value), and the merge of
 * defaults ← file ← command-line flags.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  SYMBOL_FIELDS,
  DEFAULT_EXCHANGE_FILTERS,
  DEFAULT_RATE_LIMITS,
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
  DEFAULT_SORS,
} from '@binance-sandbox/protocol';
import { DEFAULT_BAN_POLICY, type BanPolicy } from './limits/types.js';
import { compileUserAgentRules, parseIpRule } from './waf/rules.js';
import { DEFAULT_WAF_CONFIG, type WafConfig } from './waf/waf.js';
import { whyUnreadable } from './file-problem.js';
import {
  PRICE_RANGE_MULTIPLIERS,
  type PriceRangeRule,
  type ReferencePriceCalculation,
  type SymbolExecutionRules,
} from './engine/index.js';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface SandboxConfig {
  /** Interface to listen on (default 127.0.0.1; "0.0.0.0" or "::" for every interface). */
  readonly host: string;
  /** TCP port (default 8090); 0 = an ephemeral port, printed on start. */
  readonly port: number;
  /** Seed of every random choice (keys, simulated markets): the same seed replays the same sandbox. */
  readonly seed: string;
  /** Directory for the journal and snapshots; null = in memory only. */
  readonly dataDir: string | null;
  /**
   * With dataDir: a snapshot of the whole state every this many journal records (and on clean
   * shutdown), so a restart replays only the records after it; 0 = on shutdown only.
   */
  readonly snapshotEvery: number;
  /**
   * With dataDir: keep every journal segment. By default the segments that the kept snapshots make
   * unnecessary are deleted after each snapshot (disk use stays bounded).
   */
  readonly keepJournal: boolean;
  /** redis:// or rediss:// URL: limits and bans shared by every gateway on the same Redis; null = in memory. */
  readonly redisUrl: string | null;
  /** Prefix of every Redis key (default "bsbx:"); gateways that share limits use the same prefix. */
  readonly redisKeyPrefix: string;
  /** Take the client IP from X-Forwarded-For (only behind a trusted reverse proxy). */
  readonly trustProxy: boolean;
  /** Token the admin API (/sandbox/v1) requires from non-loopback clients; null = loopback only. */
  readonly adminToken: string | null;
  /** The rate-limit table, as exchangeInfo shows it. A config file's table replaces the default one. */
  readonly rateLimits: readonly RateLimit[];
  readonly banPolicy: BanPolicy;
  readonly symbols: readonly SymbolDefinition[];
  readonly exchangeFilters: readonly ExchangeFilter[];
  /**
   * Asset filters for every account (none by default): `[{"filterType": "MAX_ASSET", "asset": "USDC",
   * "limit": "42"}]` caps one order's quantity (base asset) or notional (quote asset) in that asset.
   */
  readonly assetFilters: readonly AssetFilter[];
  /**
   * The price-range execution rule and the reference price calculation, by symbol (none by default):
   * `{"BTCUSDT": {"priceRange": {"bidLimitMultUp": "1.05", …}, "referencePrice": {"calculationType":
   * "ARITHMETIC_MEAN", "bucketCount": 10, "bucketWidthMs": 1000}}}`. A config file's map replaces it.
   */
  readonly executionRules: Readonly<Record<string, SymbolExecutionRules>>;
  /**
   * Smart order routing configurations (exchangeInfo `sors`): `[{"baseAsset": "BTC", "symbols":
   * ["BTCUSDT", "BTCUSDC"]}]`, symbols of that base asset with interchangeable quote assets and the
   * same tick and step sizes. A config file's list replaces the default one ([] turns SOR off).
   */
  readonly sors: readonly SorDefinition[];
  readonly waf: WafConfig;
  /** Largest recvWindow accepted, ms (Binance: 60000). */
  readonly recvWindowMax: number;
  readonly logLevel: LogLevel;
  /** WebSocket market streams: heartbeat, limits, lifetime (Binance's values by default). */
  readonly ws: WsConfig;
  /** The liquidity simulator: seeded market makers and takers on the symbols it knows a price for. */
  readonly simulator: SimulatorConfig;
}

export interface SimulatorSymbolConfig {
  /**
   * Fair price at start, and the level the mean-reverting walk returns to (decimal string, quote
   * asset). Required unless the symbol has a `replay`.
   */
  readonly startPrice?: string;
  /** Daily volatility of the fair price, as a fraction (0.03 = 3 % a day). */
  readonly volatility: number;
  /**
   * A trades or aggTrades CSV file in Binance's public-data format: the fair price follows its
   * recorded prices instead of a walk (simulator/replay.ts). A relative path in a config file is
   * relative to the config file's directory.
   */
  readonly replay?: string;
}

export interface SimulatorConfig {
  /** Run the simulator (default true; `--no-simulator` turns it off). */
  readonly enabled: boolean;
  /** One tick (quotes refreshed, takers sent) every this many ms. */
  readonly tickMs: number;
  /** Price levels the market maker keeps on each side of every simulated book. */
  readonly levels: number;
  /** Average number of marketable taker orders per second on each simulated symbol. */
  readonly takersPerSecond: number;
  /** Average number of block trades reported per hour (of sandbox time) on each simulated symbol. */
  readonly blockTradesPerHour: number;
  /**
   * Recorded time per sandbox time of a replayed symbol (1 = the recording's pace, one recorded
   * tickMs per tick; 60 = one recorded minute per second).
   */
  readonly replaySpeed: number;
  /**
   * Symbols with their own price walk. A listed symbol that is not configured is still simulated
   * when its price follows from two walks with the same quote (ETHBTC = ETHUSDT / BTCUSDT).
   */
  readonly symbols: Readonly<Record<string, SimulatorSymbolConfig>>;
}

export const DEFAULT_SIMULATOR_SYMBOLS: Readonly<Record<string, SimulatorSymbolConfig>> = {
  BTCUSDT: { startPrice: '90000.00', volatility: 0.03 },
  ETHUSDT: { startPrice: '3000.00', volatility: 0.04 },
  BNBUSDT: { startPrice: '600.00', volatility: 0.035 },
};

export function defaultSimulatorConfig(): SimulatorConfig {
  return {
    enabled: true,
    tickMs: 1000,
    levels: 10,
    takersPerSecond: 2,
    blockTradesPerHour: 2,
    replaySpeed: 1,
    symbols: Object.fromEntries(Object.entries(DEFAULT_SIMULATOR_SYMBOLS).map(([k, v]) => [k, { ...v }])),
  };
}

/** The simulator section as a config file or the command line gives it (any field may be left out). */
export type SimulatorInput = {
  -readonly [K in Exclude<keyof SimulatorConfig, 'symbols'>]?: SimulatorConfig[K];
} & { symbols?: Record<string, Partial<SimulatorSymbolConfig>> };

export interface WsConfig {
  /** Server PING every this many ms of sandbox time (Binance before 2025-02: 180000; now 20000). */
  readonly pingIntervalMs: number;
  /** Disconnect when a PING stays unanswered this long, ms (Binance before 2025-02: 600000; now 60000). */
  readonly pongTimeoutMs: number;
  /** Incoming messages (PING, PONG, text) per second per connection; one more disconnects (1008). */
  readonly maxMessagesPerSecond: number;
  /** Streams per connection (URL + SUBSCRIBE). */
  readonly maxStreamsPerConnection: number;
  /** Connection attempts per IP per maxConnectionAttemptsWindowMs (shared limit store). */
  readonly maxConnectionAttempts: number;
  readonly maxConnectionAttemptsWindowMs: number;
  /** Connections are closed this long after they opened, ms (24 h). */
  readonly maxConnectionLifetimeMs: number;
  /** A client with more than this many bytes waiting to be sent is disconnected (slow consumer). */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_WS_CONFIG: WsConfig = {
  pingIntervalMs: 180_000,
  pongTimeoutMs: 600_000,
  maxMessagesPerSecond: 5,
  maxStreamsPerConnection: 1024,
  maxConnectionAttempts: 300,
  maxConnectionAttemptsWindowMs: 300_000,
  maxConnectionLifetimeMs: 86_400_000,
  maxBufferedBytes: 4 * 1024 * 1024,
};

/**
 * A partial configuration, as a config file or the command line gives it: any field may be left
 * out; banPolicy and waf may name only the fields they change.
 */
export type ConfigInput = {
  -readonly [K in Exclude<keyof SandboxConfig, 'banPolicy' | 'waf' | 'ws' | 'simulator'>]?: SandboxConfig[K];
} & {
  banPolicy?: Partial<BanPolicy>;
  waf?: Partial<WafConfig>;
  ws?: Partial<WsConfig>;
  simulator?: SimulatorInput;
};

export const DEFAULT_PORT = 8090;
export const DEFAULT_SNAPSHOT_EVERY = 200_000;

/** A fresh copy of the defaults (safe to mutate). */
export function defaultConfig(): SandboxConfig {
  return {
    host: '127.0.0.1',
    port: DEFAULT_PORT,
    seed: 'binance-sandbox',
    dataDir: null,
    snapshotEvery: DEFAULT_SNAPSHOT_EVERY,
    keepJournal: false,
    redisUrl: null,
    redisKeyPrefix: 'bsbx:',
    trustProxy: false,
    adminToken: null,
    rateLimits: DEFAULT_RATE_LIMITS.map((l) => ({ ...l })),
    banPolicy: { ...DEFAULT_BAN_POLICY },
    symbols: [...DEFAULT_SYMBOLS],
    exchangeFilters: DEFAULT_EXCHANGE_FILTERS.map((f) => ({ ...f })),
    assetFilters: [],
    executionRules: {},
    sors: DEFAULT_SORS.map((s) => ({ baseAsset: s.baseAsset, symbols: [...s.symbols] })),
    waf: { ...DEFAULT_WAF_CONFIG, blockedIps: [], blockedUserAgents: [] },
    recvWindowMax: 60_000,
    logLevel: 'warn',
    ws: { ...DEFAULT_WS_CONFIG },
    simulator: defaultSimulatorConfig(),
  };
}

/** A configuration problem; the message is one line, ready for the user. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

// ---------------------------------------------------------------------------------------------
// Validation helpers. Each throws a ConfigError "<path> <problem>"; the caller prefixes the source.
// ---------------------------------------------------------------------------------------------

type Json = unknown;

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** Throws "<path> <problem>", plus " (got <value>)" when a value is passed. */
function fail(path: string, problem: string, ...got: [Json] | []): never {
  throw new ConfigError(`${path} ${problem}${got.length === 0 ? '' : ` (got ${describe(got[0])})`}`);
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(
        dp[j]! + 1,
        dp[j - 1]! + 1,
        prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** "did you mean …" for a misspelt name, or ''. */
export function suggest(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : '';
}

function object(
  path: string,
  v: Json,
  allowed: readonly string[],
  required: readonly string[] = [],
): Record<string, Json> {
  if (!isObject(v)) fail(path, 'must be an object', v);
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) {
      const hint = suggest(key, allowed);
      fail(
        path,
        `has an unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}`,
      );
    }
  }
  for (const key of required) if (!(key in v)) fail(`${path}.${key}`, 'is required');
  return v;
}

function array(path: string, v: Json): readonly Json[] {
  if (!Array.isArray(v)) fail(path, 'must be an array', v);
  return v;
}

function string(path: string, v: Json, opts: { nonEmpty?: boolean } = {}): string {
  if (typeof v !== 'string') fail(path, 'must be a string', v);
  if (opts.nonEmpty && v.length === 0) fail(path, 'must not be empty');
  return v;
}

function nullableString(path: string, v: Json): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || v.length === 0) fail(path, 'must be a non-empty string or null', v);
  return v;
}

function boolean(path: string, v: Json): boolean {
  if (typeof v !== 'boolean') fail(path, 'must be true or false', v);
  return v;
}

function integer(path: string, v: Json, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(path, 'must be an integer', v);
  if (v < min || v > max)
    fail(path, max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be from ${min} to ${max}`, v);
  return v;
}

function oneOf<T extends string>(path: string, v: Json, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    const hint = typeof v === 'string' ? suggest(v, values) : '';
    fail(path, `must be one of ${values.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`, v);
  }
  return v as T;
}

function listOf<T extends string>(path: string, v: Json, values: readonly T[]): T[] {
  const out = array(path, v).map((x, i) => oneOf(`${path}[${i}]`, x, values));
  const dup = out.find((x, i) => out.indexOf(x) !== i);
  if (dup !== undefined) fail(path, `lists "${dup}" twice`);
  return out;
}

const DECIMAL_RE = /^\d{1,20}(\.\d{1,20})?$/;

function decimal(path: string, v: Json): string {
  if (typeof v !== 'string' || !DECIMAL_RE.test(v))
    fail(path, 'must be a non-negative decimal string such as "0.01000000"', v);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Field validators
// ---------------------------------------------------------------------------------------------

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
function checkSors(config: SandboxConfig): void {
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

const FIELD_VALIDATORS: { readonly [K in keyof SandboxConfig]-?: (path: string, v: Json) => ConfigInput[K] } = {
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
/** Keys a config file may hold without meaning anything (for editors and humans). */
const IGNORED_KEYS = ['$schema', '$comment'];

/**
 * Validate a parsed config object. Throws a ConfigError "<source>: <path> <problem>" at the first
 * problem; returns only the fields the object sets.
 */
export function validateConfig(value: Json, source = 'config'): ConfigInput {
  try {
    if (!isObject(value)) fail('the top level', 'must be a JSON object', value);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (IGNORED_KEYS.includes(key)) continue;
      const validate = (FIELD_VALIDATORS as Record<string, ((p: string, v: Json) => unknown) | undefined>)[key];
      if (validate === undefined) {
        const hint = suggest(key, CONFIG_KEYS);
        throw new ConfigError(
          `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed keys: ${CONFIG_KEYS.join(', ')}`,
        );
      }
      out[key] = validate(key, v);
    }
    const ban = out['banPolicy'] as Partial<BanPolicy> | undefined;
    if (ban?.firstBanMs !== undefined && ban.maxBanMs !== undefined && ban.maxBanMs < ban.firstBanMs) {
      throw new ConfigError(
        `banPolicy.maxBanMs (${ban.maxBanMs}) must not be less than banPolicy.firstBanMs (${ban.firstBanMs})`,
      );
    }
    return out as ConfigInput;
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${source}: ${e.message}`);
    throw e;
  }
}

/** Where JSON.parse gives up: the length of the longest prefix of `text` that is still valid JSON so far. */
function jsonErrorOffset(text: string): number {
  const validPrefix = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return true;
    } catch (e) {
      const m = (e as Error).message;
      return m.includes('Unexpected end of JSON input') || m.includes(`at position ${k}`);
    }
  };
  if (validPrefix(text.length)) return text.length; // truncated
  let lo = 0; // valid
  let hi = text.length; // invalid
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (validPrefix(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** A one-line description of a JSON syntax error, with line and column. */
function jsonProblem(text: string, err: Error): string {
  const offset = jsonErrorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const v8 = (err.message.split('\n')[0] ?? '').replace(/ in JSON at position \d+.*$/, '');
  const what =
    offset >= text.trimEnd().length
      ? 'unexpected end of the file'
      : v8 === '' || v8.startsWith('Unexpected token') || v8.includes('is not valid JSON')
        ? `unexpected ${JSON.stringify(text[offset])}`
        : v8.charAt(0).toLowerCase() + v8.slice(1);
  return `not valid JSON: ${what} at line ${line}, column ${column}`;
}

/** Read and validate a JSON config file. Every problem is a one-line ConfigError naming the file. */
export function loadConfigFile(path: string): ConfigInput {
  const source = `config file ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${source}: cannot read it (${whyUnreadable(e)})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: Json;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: ${jsonProblem(text, e as Error)}`);
  }
  return replayPathsFrom(dirname(path), validateConfig(value, source));
}

/** The config with every relative simulator replay path made absolute against `dir`. */
function replayPathsFrom(dir: string, config: ConfigInput): ConfigInput {
  const symbols = config.simulator?.symbols;
  if (symbols === undefined) return config;
  const resolved = Object.fromEntries(
    Object.entries(symbols).map(([sym, entry]) => [
      sym,
      entry.replay === undefined ? entry : { ...entry, replay: resolve(dir, entry.replay) },
    ]),
  );
  return { ...config, simulator: { ...config.simulator, symbols: resolved } };
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (o === undefined) return out;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * The simulator section: fields merge like ws; `symbols` merges symbol by symbol and field by field.
 * A symbol a file or flag names must be one of the sandbox's symbols and end up with a startPrice
 * or a replay file; default entries for symbols the sandbox does not list are dropped.
 */
function resolveSimulator(base: SandboxConfig, file: Partial<ConfigInput>, cli: Partial<ConfigInput>): SimulatorConfig {
  const known = new Set((cli.symbols ?? file.symbols ?? base.symbols).map((s) => s.symbol));
  const given: Record<string, Partial<SimulatorSymbolConfig>>[] = [];
  for (const layer of [file.simulator?.symbols, cli.simulator?.symbols]) if (layer) given.push(layer);
  const symbols: Record<string, SimulatorSymbolConfig> = {};
  for (const [sym, entry] of Object.entries(base.simulator.symbols)) if (known.has(sym)) symbols[sym] = { ...entry };
  for (const layer of given) {
    for (const [sym, entry] of Object.entries(layer)) {
      if (!known.has(sym)) {
        const hint = suggest(sym, [...known]);
        throw new ConfigError(
          `simulator.symbols.${sym} is not a symbol of the sandbox${hint ? ` (did you mean "${hint}"?)` : ''}; symbols: ${[...known].join(', ')}`,
        );
      }
      const merged = { ...base.simulator.symbols[sym], ...symbols[sym], ...definedOnly(entry) };
      if (merged.startPrice === undefined && merged.replay === undefined)
        throw new ConfigError(
          `simulator.symbols.${sym}.startPrice is required (${sym} has no default price), or a replay file`,
        );
      symbols[sym] = {
        ...(merged.startPrice !== undefined && { startPrice: merged.startPrice }),
        volatility: merged.volatility ?? 0.03,
        ...(merged.replay !== undefined && { replay: merged.replay }),
      };
    }
  }
  const { symbols: _f, ...fileRest } = file.simulator ?? {};
  const { symbols: _c, ...cliRest } = cli.simulator ?? {};
  return { ...base.simulator, ...definedOnly(fileRest), ...definedOnly(cliRest), symbols };
}

/**
 * The effective configuration: defaults, overridden by the config file, overridden by command-line
 * flags (undefined values are ignored). rateLimits, symbols and exchangeFilters replace the default
 * lists; banPolicy and waf merge field by field. Throws a ConfigError on a combination that cannot work.
 */
export function resolveConfig(fileConfig: ConfigInput = {}, cliFlags: ConfigInput = {}): SandboxConfig {
  const base = defaultConfig();
  const file = definedOnly(fileConfig);
  const cli = definedOnly(cliFlags);
  const config: SandboxConfig = {
    ...base,
    ...file,
    ...cli,
    banPolicy: { ...base.banPolicy, ...definedOnly(file.banPolicy), ...definedOnly(cli.banPolicy) },
    waf: { ...base.waf, ...definedOnly(file.waf), ...definedOnly(cli.waf) },
    ws: { ...base.ws, ...definedOnly(file.ws), ...definedOnly(cli.ws) },
    simulator: resolveSimulator(base, file, cli),
  };
  const known = config.symbols.map((s) => s.symbol);
  for (const sym of Object.keys(config.executionRules)) {
    if (!known.includes(sym)) {
      const hint = suggest(sym, known);
      throw new ConfigError(
        `executionRules.${sym} is not a symbol of the sandbox${hint ? ` (did you mean "${hint}"?)` : ''}; symbols: ${known.join(', ')}`,
      );
    }
  }
  checkSors(config);
  if (config.banPolicy.maxBanMs < config.banPolicy.firstBanMs) {
    throw new ConfigError(
      `banPolicy.maxBanMs (${config.banPolicy.maxBanMs}) must not be less than banPolicy.firstBanMs (${config.banPolicy.firstBanMs})`,
    );
  }
  return config;
}
