/** GET /api/v3/exchangeInfo (and WS `exchangeInfo`): the response for a validated query. */
import { DEFAULT_EXCHANGE_INFO_PERMISSIONS } from './enums.js';
import { Err, ErrorCode, ErrorMessage } from './errors.js';
import {
  FILTER_FIELDS,
  SYMBOL_FIELDS,
  type ExchangeFilter,
  type SymbolDefinition,
  type SymbolFilter,
} from './symbols.js';
import type { ParamValue, RateLimit, TypedParams } from './types.js';

export interface ExchangeInfoSource {
  readonly serverTime: number;
  readonly rateLimits: readonly RateLimit[];
  readonly exchangeFilters: readonly ExchangeFilter[];
  readonly symbols: readonly SymbolDefinition[];
  /** Smart order routing configurations (`sors`, left out when there is none). */
  readonly sors?: readonly SorDefinition[];
}

/** One SOR configuration: symbols of one base asset whose quote assets are interchangeable. */
export interface SorDefinition {
  readonly baseAsset: string;
  readonly symbols: readonly string[];
}

export interface ExchangeInfo {
  readonly timezone: 'UTC';
  readonly serverTime: number;
  readonly rateLimits: readonly RateLimit[];
  readonly exchangeFilters: readonly ExchangeFilter[];
  readonly symbols: readonly SymbolDefinition[];
  readonly sors?: readonly SorDefinition[];
}

/**
 * Query semantics (rest-api.md, web-socket-api.md):
 * - `symbol` / `symbols`: exactly those symbols, whatever their permissions; an unknown one → -1121.
 * - otherwise symbols having any of `permissions` (default SPOT, MARGIN, LEVERAGED) in any permission
 *   set, narrowed to `symbolStatus` when sent.
 * - `showPermissionSets=false` empties every `permissionSets`.
 * Only one of symbol, symbols, permissions may be sent, and symbolStatus not with symbol(s). Binance does
 * not document the code of these combination errors: we answer -1128 "Combination of optional
 * parameters invalid.", the documented code for invalid combinations of optional parameters.
 * Symbols come back in the configured (exchange) order, not the order asked for (docs silent).
 */
export function buildExchangeInfo(source: ExchangeInfoSource, query: TypedParams): ExchangeInfo {
  const symbol = text(query['symbol']);
  const symbols = list(query['symbols']);
  const permissions = list(query['permissions']);
  const symbolStatus = text(query['symbolStatus']);
  const named = symbol !== undefined || symbols !== undefined;
  const given = [symbol !== undefined, symbols !== undefined, permissions !== undefined].filter(Boolean).length;
  if (given > 1 || (named && symbolStatus !== undefined)) {
    throw Err.of(ErrorCode.OPTIONAL_PARAMS_BAD_COMBO, ErrorMessage.OPTIONAL_PARAMS_BAD_COMBO);
  }

  let selected: readonly SymbolDefinition[];
  if (named) {
    const wanted = new Set(symbol !== undefined ? [symbol] : symbols);
    const known = new Set(source.symbols.map((s) => s.symbol));
    for (const name of wanted) if (!known.has(name)) throw Err.badSymbol();
    selected = source.symbols.filter((s) => wanted.has(s.symbol));
  } else {
    const wanted = new Set<string>(permissions ?? DEFAULT_EXCHANGE_INFO_PERMISSIONS);
    selected = source.symbols.filter(
      (s) =>
        s.permissionSets.some((set) => set.some((p) => wanted.has(p))) &&
        (symbolStatus === undefined || s.status === symbolStatus),
    );
  }

  const showPermissionSets = query['showPermissionSets'] !== false;
  return {
    timezone: 'UTC',
    serverTime: source.serverTime,
    rateLimits: source.rateLimits.map(({ rateLimitType, interval, intervalNum, limit }) => ({
      rateLimitType,
      interval,
      intervalNum,
      limit,
    })),
    exchangeFilters: source.exchangeFilters.map(renderFilter),
    symbols: selected.map((s) => renderSymbol(s, showPermissionSets)),
    ...(source.sors !== undefined && source.sors.length > 0
      ? { sors: source.sors.map(({ baseAsset, symbols }) => ({ baseAsset, symbols: [...symbols] })) }
      : {}),
  };
}

/** The symbol object with exactly Binance's fields in Binance's order, whatever the configured object holds. */
export function renderSymbol(def: SymbolDefinition, showPermissionSets = true): SymbolDefinition {
  const out: Record<string, unknown> = {};
  for (const field of SYMBOL_FIELDS) out[field] = def[field];
  out['filters'] = def.filters.map(renderFilter);
  out['permissions'] = [...def.permissions];
  out['permissionSets'] = showPermissionSets ? def.permissionSets.map((set) => [...set]) : [];
  return out as unknown as SymbolDefinition;
}

/** A filter with its fields in Binance's order; a filter type we do not know passes through unchanged. */
export function renderFilter<F extends SymbolFilter | ExchangeFilter>(filter: F): F {
  const fields = (FILTER_FIELDS as Readonly<Record<string, readonly string[] | undefined>>)[filter.filterType];
  if (fields === undefined) return { ...filter };
  const source = filter as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field] = source[field];
  return out as F;
}

function text(value: ParamValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** SYMBOLS / STRING_ARRAY values arrive as arrays; a bare string (single permission) is tolerated. */
function list(value: ParamValue | undefined): readonly string[] | undefined {
  if (Array.isArray(value)) return value as readonly string[];
  return typeof value === 'string' ? [value] : undefined;
}
