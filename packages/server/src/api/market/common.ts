/** Helpers shared by the market-data endpoints: symbol selection, limits, the top of the book. */
import { ApiError, Err, ErrorCode, ErrorMessage, type TypedParams } from '@binance-sandbox/protocol';
import type { ApiCall } from '../../context.js';
import type { BookTop } from '../../market/ticker-format.js';

/**
 * `limit` (notes §1.2): absent or 0 → the default (0 as the weight rule reads it), above the maximum
 * → the maximum (docs: depth ">5000 returns 5000"; choice: the same clamp everywhere).
 */
export function limitParam(params: TypedParams, def: number, max: number): number {
  const v = params['limit'];
  if (typeof v !== 'number' || v <= 0) return def;
  return Math.min(v, max);
}

export function numParam(params: TypedParams, name: string): number | undefined {
  const v = params[name];
  return typeof v === 'number' ? v : undefined;
}

/** A known symbol, checked against `symbolStatus` (-1121 unknown; -1220 status mismatch). */
export function oneSymbol(call: ApiCall, name: string): string {
  const engine = call.ctx.exchange.engine;
  const status = engine.symbolStatus(name); // throws -1121
  const wanted = call.params['symbolStatus'];
  if (typeof wanted === 'string' && status !== wanted) {
    throw Err.of(ErrorCode.SYMBOL_DOES_NOT_MATCH_STATUS, ErrorMessage.SYMBOL_DOES_NOT_MATCH_STATUS);
  }
  return name;
}

export interface Selection {
  /** `symbol` was sent: answer an object, not an array. */
  readonly single: boolean;
  readonly names: readonly string[];
}

/**
 * `symbol` XOR `symbols` (choice: both → -1128 "Combination of optional parameters invalid.", as
 * exchangeInfo). Neither: every symbol, or -1102 "Param 'symbol' or 'symbols' must be sent…" where
 * one is required. An unknown symbol in `symbols` → -1121. `symbolStatus` excludes non-matching
 * symbols of a list silently (may give []), -1220 for a single one. More than `max` symbols → -1101
 * "Too many values sent for parameter 'symbols', max allowed is N." (choice: docs name no code).
 * Lists come back in exchange (configuration) order, as exchangeInfo.
 */
export function selectSymbols(call: ApiCall, opts: { required?: boolean; max?: number } = {}): Selection {
  const { params } = call;
  const symbol = params['symbol'];
  const symbols = params['symbols'];
  if (typeof symbol === 'string' && symbols !== undefined) {
    throw Err.of(ErrorCode.OPTIONAL_PARAMS_BAD_COMBO, ErrorMessage.OPTIONAL_PARAMS_BAD_COMBO);
  }
  if (typeof symbol === 'string') return { single: true, names: [oneSymbol(call, symbol)] };
  const engine = call.ctx.exchange.engine;
  const all = engine.symbolNames();
  let names: string[];
  if (Array.isArray(symbols)) {
    const list = symbols as readonly string[];
    if (opts.max !== undefined && list.length > opts.max) {
      throw new ApiError(
        ErrorCode.TOO_MANY_PARAMETERS,
        `Too many values sent for parameter 'symbols', max allowed is ${opts.max}.`,
      );
    }
    const known = new Set(all);
    for (const s of list) if (!known.has(s)) throw Err.badSymbol();
    const wanted = new Set(list);
    names = all.filter((s) => wanted.has(s));
  } else {
    if (opts.required === true) throw Err.eitherParam('symbol', 'symbols');
    names = all;
  }
  const status = params['symbolStatus'];
  if (typeof status === 'string') names = names.filter((s) => engine.symbolStatus(s) === status);
  return { single: false, names };
}

/** One object for `symbol`, an array otherwise. */
export function answer<T>(sel: Selection, render: (symbol: string) => T): T | T[] {
  if (sel.single) return render(sel.names[0] as string);
  return sel.names.map(render);
}

export function bookTop(call: ApiCall, symbol: string): BookTop {
  return call.ctx.market.bookTop(symbol);
}
