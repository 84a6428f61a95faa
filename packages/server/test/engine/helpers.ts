import { ApiError, DEFAULT_SYMBOLS, type SymbolDefinition, type SymbolFilter } from '@binance-sandbox/protocol';
import { Exchange, type EngineOptions, type PlaceOrderCommand } from '../../src/engine/index.js';

export const BTC = DEFAULT_SYMBOLS.find((s) => s.symbol === 'BTCUSDT') as SymbolDefinition;

/** BTCUSDT with some filters replaced / added. */
export function btcWith(filters: SymbolFilter[], extra: Partial<SymbolDefinition> = {}): SymbolDefinition {
  const types = new Set(filters.map((f) => f.filterType));
  return { ...BTC, ...extra, filters: [...BTC.filters.filter((f) => !types.has(f.filterType)), ...filters] };
}

export function exchange(symbols: SymbolDefinition[] = [BTC], opts: EngineOptions = {}): Exchange {
  const ex = new Exchange(symbols, opts);
  for (const a of [1, 2, 3]) {
    ex.deposit({ now: 0, accountId: a, asset: 'USDT', amount: '1000000' });
    ex.deposit({ now: 0, accountId: a, asset: 'BTC', amount: '100' });
  }
  return ex;
}

let t = 1000;
export function limit(
  accountId: number,
  side: 'BUY' | 'SELL',
  price: string,
  quantity: string,
  extra: Partial<PlaceOrderCommand> = {},
): PlaceOrderCommand {
  return { now: ++t, accountId, symbol: 'BTCUSDT', side, type: 'LIMIT', timeInForce: 'GTC', price, quantity, ...extra };
}
export function market(
  accountId: number,
  side: 'BUY' | 'SELL',
  quantity: string,
  extra: Partial<PlaceOrderCommand> = {},
): PlaceOrderCommand {
  return { now: ++t, accountId, symbol: 'BTCUSDT', side, type: 'MARKET', quantity, ...extra };
}

/** Book as decimal strings, best first. */
export function book(ex: Exchange, symbol = 'BTCUSDT'): { bids: string[]; asks: string[] } {
  const b = ex.book(symbol, 50);
  const s = (l: [number, number][]) => l.map(([p, q]) => `${p / 1e8}x${q / 1e8}`);
  return { bids: s(b.bids), asks: s(b.asks) };
}

/**
 * Every unit of every asset, wherever it is: on accounts (free and locked), collected as commission,
 * or held (negative: owed) by the SOR allocator. Per asset, what was deposited.
 */
export function unitsHeld(ex: Exchange): Map<string, bigint> {
  const sum = new Map<string, bigint>();
  for (const m of [ex.totals(), ex.feesCollected(), ex.allocatorHoldings()])
    for (const [asset, v] of m) sum.set(asset, (sum.get(asset) ?? 0n) + v);
  return sum;
}

export function bal(ex: Exchange, accountId: number, asset: string): { free: string; locked: string } {
  const b = ex.accountView(accountId).balances.find((x) => x.asset === asset);
  const f = (v: bigint) => (Number(v) / 1e8).toFixed(8);
  return { free: f(b?.free ?? 0n), locked: f(b?.locked ?? 0n) };
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ApiError `fn` throws, as code and message (fails the test when it throws nothing). */
export function err(fn: () => unknown): { code: number; msg: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return { code: e.code, msg: e.msg };
    throw e;
  }
  throw new Error('no error');
}
