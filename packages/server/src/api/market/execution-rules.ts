/**
 * The price-range execution rule's endpoints (faqs/price_range_execution_rules.md): GET
 * executionRules, referencePrice and referencePrice/calculation.
 */
import { Err, ErrorCode, ErrorMessage } from '@binance-sandbox/protocol';
import type { ApiCall, EndpointImpl } from '../../context.js';
import { PRICE_RANGE_MULTIPLIERS, type PriceRangeRule } from '../../engine/index.js';
import { formatReferencePrice } from '../../market/reference-price-format.js';
import { oneSymbol, selectSymbols } from './common.js';

/** A multiplier as Binance renders it: 4 decimals ("1.0001", "0.5000"). */
export function formatMultiplier(v: string): string {
  const [int = '0', frac = ''] = v.split('.');
  return `${String(Number(int))}.${frac.padEnd(4, '0')}`;
}

function renderRule(rule: PriceRangeRule): Record<string, string> {
  const out: Record<string, string> = { ruleType: 'PRICE_RANGE' };
  for (const k of PRICE_RANGE_MULTIPLIERS) {
    const v = rule[k];
    if (v !== undefined) out[k] = formatMultiplier(v);
  }
  return out;
}

/**
 * GET /api/v3/executionRules: `{symbolRules: [{symbol, rules}]}` for `symbol`, `symbols`, the symbols
 * of a `symbolStatus`, or every symbol (choice: a symbol without a rule is listed with `rules: []`).
 */
export const executionRules: EndpointImpl = (call) => {
  const { params } = call;
  if (params['symbolStatus'] !== undefined && (params['symbol'] !== undefined || params['symbols'] !== undefined))
    throw Err.of(ErrorCode.OPTIONAL_PARAMS_BAD_COMBO, ErrorMessage.OPTIONAL_PARAMS_BAD_COMBO);
  const engine = call.ctx.exchange.engine;
  return {
    symbolRules: selectSymbols(call).names.map((symbol) => {
      const rule = engine.priceRangeRule(symbol);
      return { symbol, rules: rule === undefined ? [] : [renderRule(rule)] };
    }),
  };
};

function noReferencePrice(): never {
  throw Err.of(ErrorCode.NO_REFERENCE_PRICE, ErrorMessage.NO_REFERENCE_PRICE);
}

/**
 * GET /api/v3/referencePrice: `{symbol, referencePrice, timestamp}` (referencePrice null when there is
 * none now, e.g. no trade within the window); -2043 when the symbol never had one.
 */
export const referencePrice: EndpointImpl = (call: ApiCall) => {
  const symbol = oneSymbol(call, call.params['symbol'] as string);
  const engine = call.ctx.exchange.engine;
  const v = engine.referencePrice(symbol, call.now);
  if (v === undefined) noReferencePrice();
  return { symbol, referencePrice: v === null ? null : formatReferencePrice(engine, symbol, v), timestamp: call.now };
};

/** GET /api/v3/referencePrice/calculation: ARITHMETIC_MEAN or EXTERNAL; -2043 without a calculation. */
export const referencePriceCalculation: EndpointImpl = (call) => {
  const symbol = oneSymbol(call, call.params['symbol'] as string);
  const calc = call.ctx.exchange.engine.referencePriceCalculation(symbol);
  if (calc === undefined) noReferencePrice();
  return { symbol, ...calc };
};
