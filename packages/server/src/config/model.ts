/**
 * The sandbox's configuration as the server uses it (SandboxConfig), what a file or flags may set
 * (ConfigInput), and the defaults.
 */
import {
  DEFAULT_EXCHANGE_FILTERS,
  DEFAULT_RATE_LIMITS,
  DEFAULT_SYMBOLS,
  type ExchangeFilter,
  type AssetFilter,
  type RateLimit,
  type SorDefinition,
  type SymbolDefinition,
  DEFAULT_SORS,
} from '@binance-sandbox/protocol';
import { DEFAULT_BAN_POLICY, type BanPolicy } from '../limits/types.js';
import { DEFAULT_WAF_CONFIG, type WafConfig } from '../waf/waf.js';
import { type SymbolExecutionRules } from '../engine/index.js';

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
