import { describe, expect, it } from 'vitest';
import { ApiError, type SymbolDefinition } from '@binance-sandbox/protocol';
import {
  Exchange,
  executionReport,
  formatUnits,
  fullResponse,
  queryOrderResponse,
  SOR_ALLOCATOR,
  type EngineEvent,
  type EngineOptions,
  type ExecutionEvent,
  type PlaceOrderCommand,
  type TradeEvent,
} from '../../src/engine/index.js';
import { BTC, mulberry32, unitsHeld } from './helpers.js';

/** BTCUSDT's twin quoted in another stablecoin. */
const twin = (quote: string): SymbolDefinition => ({ ...BTC, symbol: `BTC${quote}`, quoteAsset: quote });
const SYMBOLS = [BTC, twin('USDC'), twin('USDP')];
const SORS: EngineOptions['sors'] = [{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC', 'BTCUSDP'] }];
const QUOTES = ['USDT', 'USDC', 'USDP'];

const TAKER = 1;
const MAKER = 2;

let now = 1_000;
function order(symbol: string, side: 'BUY' | 'SELL', type: 'LIMIT' | 'MARKET', quantity: string, price?: string) {
  return {
    now: ++now,
    accountId: side === 'BUY' ? TAKER : MAKER,
    symbol,
    side,
    type,
    quantity,
    ...(price !== undefined ? { price, timeInForce: 'GTC' as const } : {}),
  } satisfies PlaceOrderCommand;
}

/** The FAQ's books, without commission (as the FAQ's examples). */
function faqExchange(side: 'asks' | 'bids', opts: EngineOptions = {}): Exchange {
  const ex = new Exchange(SYMBOLS, { sors: SORS, makerCommission: '0', takerCommission: '0', ...opts });
  for (const a of [TAKER, MAKER, 3]) {
    for (const q of QUOTES) ex.deposit({ now: 0, accountId: a, asset: q, amount: '10000000' });
    ex.deposit({ now: 0, accountId: a, asset: 'BTC', amount: '100' });
  }
  const rest = (symbol: string, qty: string, price: string) =>
    ex.placeOrder({
      ...order(symbol, side === 'asks' ? 'SELL' : 'BUY', 'LIMIT', qty, price),
      accountId: MAKER,
    });
  if (side === 'asks') {
    rest('BTCUSDT', '3', '30800');
    rest('BTCUSDT', '3', '30500');
    rest('BTCUSDC', '1', '30000');
    rest('BTCUSDC', '1', '28000');
    rest('BTCUSDP', '1', '35000');
    rest('BTCUSDP', '1', '29000');
  } else {
    rest('BTCUSDT', '5', '29500');
    rest('BTCUSDC', '5', '35000');
    rest('BTCUSDC', '5', '30000');
    rest('BTCUSDP', '5', '28000');
  }
  return ex;
}

const fillsOf = (r: { fills: readonly { price: number; qty: number; allocId?: number; tradeId: number }[] }) =>
  r.fills.map((f) => [formatUnits(f.price), formatUnits(f.qty), f.allocId, f.tradeId]);

/** Σ balances + fees + what the allocator holds, per asset: what was deposited. */
function conserved(ex: Exchange, deposited: Record<string, bigint>): void {
  const sum = unitsHeld(ex);
  for (const [a, v] of Object.entries(deposited)) expect(sum.get(a), a).toBe(v);
}
const DEPOSITED = { BTC: 300n * 10n ** 8n, USDT: 3n * 10n ** 15n, USDC: 3n * 10n ** 15n, USDP: 3n * 10n ** 15n };

const executions = (events: readonly EngineEvent[], accountId: number) =>
  events.filter((e): e is ExecutionEvent => e.type === 'execution' && e.accountId === accountId);

describe('smart order routing (faqs/sor_faq.md)', () => {
  it('example 2: a LIMIT BUY takes the best prices of all books, filled by allocations paid in its own quote', () => {
    const ex = faqExchange('asks');
    const r = ex.placeSorOrder(order('BTCUSDT', 'BUY', 'LIMIT', '5', '31000'));
    expect(fillsOf(r)).toEqual([
      ['28000.00000000', '1.00000000', 0, -1],
      ['29000.00000000', '1.00000000', 1, -1],
      ['30000.00000000', '1.00000000', 2, -1],
      ['30500.00000000', '2.00000000', 3, -1],
    ]);
    const json = fullResponse(r.order, r.fills, 1) as Record<string, unknown>;
    expect(json).toMatchObject({
      status: 'FILLED',
      executedQty: '5.00000000',
      cummulativeQuoteQty: '148000.00000000',
      workingFloor: 'SOR',
      usedSor: true,
    });
    expect((json.fills as object[])[0]).toEqual({
      matchType: 'ONE_PARTY_TRADE_REPORT',
      price: '28000.00000000',
      qty: '1.00000000',
      commission: '0.00000000',
      commissionAsset: 'BTC',
      tradeId: -1,
      allocId: 0,
    });
    // paid in USDT only; the makers of BTCUSDC and BTCUSDP were paid in their own quote
    const v = (a: number, asset: string) => ex.accountView(a).balances.find((b) => b.asset === asset);
    expect(v(TAKER, 'USDT')).toEqual({ asset: 'USDT', free: (10_000_000n - 148_000n) * 10n ** 8n, locked: 0n });
    expect(v(TAKER, 'USDC')?.free).toBe(10_000_000n * 10n ** 8n);
    expect(v(TAKER, 'BTC')?.free).toBe(105n * 10n ** 8n);
    expect(v(MAKER, 'USDC')?.free).toBe((10_000_000n + 58_000n) * 10n ** 8n);
    expect(v(MAKER, 'USDP')?.free).toBe((10_000_000n + 29_000n) * 10n ** 8n);
    expect(ex.allocatorHoldings()).toEqual(
      new Map([
        ['USDC', -58_000n * 10n ** 8n],
        ['BTC', 0n],
        ['USDT', 87_000n * 10n ** 8n], // 148,000 from the order, 61,000 to the BTCUSDT maker
        ['USDP', -29_000n * 10n ** 8n],
      ]),
    );
    conserved(ex, DEPOSITED);
    // real trades on each book, the allocator on the other side; the books lost those levels
    const trades = r.events.filter((e): e is TradeEvent => e.type === 'trade');
    expect(trades.map((t) => [t.symbol, formatUnits(t.price), formatUnits(t.qty), t.buyerAccountId])).toEqual([
      ['BTCUSDC', '28000.00000000', '1.00000000', SOR_ALLOCATOR],
      ['BTCUSDP', '29000.00000000', '1.00000000', SOR_ALLOCATOR],
      ['BTCUSDC', '30000.00000000', '1.00000000', SOR_ALLOCATOR],
      ['BTCUSDT', '30500.00000000', '2.00000000', SOR_ALLOCATOR],
    ]);
    expect(ex.book('BTCUSDT').asks).toEqual([
      [30500e8, 1e8],
      [30800e8, 3e8],
    ]);
    expect(ex.book('BTCUSDC').asks).toEqual([]);
    // nothing of the allocator reaches listeners
    expect(r.events.some((e) => 'accountId' in e && e.accountId === SOR_ALLOCATOR)).toBe(false);
  });

  it('example 3: a MARKET BUY sweeps every book and expires what none can fill', () => {
    const ex = faqExchange('asks');
    const r = ex.placeSorOrder(order('BTCUSDT', 'BUY', 'MARKET', '11'));
    expect(r.order.status).toBe('EXPIRED');
    expect(formatUnits(r.order.executedQty)).toBe('10.00000000');
    expect(formatUnits(r.order.cumQuote)).toBe('305900.00000000');
    expect(fillsOf(r).map((f) => f[0])).toEqual([
      '28000.00000000',
      '29000.00000000',
      '30000.00000000',
      '30500.00000000',
      '30800.00000000',
      '35000.00000000',
    ]);
    expect(ex.accountView(TAKER).balances.find((b) => b.asset === 'USDT')?.locked).toBe(0n);
    conserved(ex, DEPOSITED);
  });

  it('example 4: a LIMIT SELL sells on the best bids of other books, receiving its own quote asset', () => {
    const ex = faqExchange('bids');
    const r = ex.placeSorOrder({ ...order('BTCUSDT', 'SELL', 'LIMIT', '10', '29000'), accountId: TAKER });
    expect(fillsOf(r)).toEqual([
      ['35000.00000000', '5.00000000', 0, -1],
      ['30000.00000000', '5.00000000', 1, -1],
    ]);
    expect(formatUnits(r.order.cumQuote)).toBe('325000.00000000');
    const usdt = ex.accountView(TAKER).balances.find((b) => b.asset === 'USDT');
    expect(usdt?.free).toBe((10_000_000n + 325_000n) * 10n ** 8n);
    conserved(ex, DEPOSITED);
  });

  it('a GTC remainder rests on its own book (working floor EXCHANGE) and later trades there as a maker', () => {
    const ex = faqExchange('asks');
    const r = ex.placeSorOrder(order('BTCUSDT', 'BUY', 'LIMIT', '4', '29500'));
    expect(fillsOf(r)).toEqual([
      ['28000.00000000', '1.00000000', 0, -1],
      ['29000.00000000', '1.00000000', 1, -1],
    ]);
    const id = r.order.spec.orderId;
    const view = queryOrderResponse(ex.getOrder(TAKER, 'BTCUSDT', { orderId: id }));
    expect(view).toMatchObject({ status: 'PARTIALLY_FILLED', workingFloor: 'EXCHANGE', usedSor: true });
    expect(ex.book('BTCUSDT').bids).toEqual([[29500e8, 2e8]]);
    // the reservation follows what is left at its price: 2 × 29,500
    expect(ex.accountView(TAKER).balances.find((b) => b.asset === 'USDT')?.locked).toBe(59_000n * 10n ** 8n);
    const [nw] = executions(r.events, TAKER);
    expect(executionReport(nw as ExecutionEvent)).toMatchObject({ x: 'NEW', k: 'SOR', uS: true });
    const reports = executions(r.events, TAKER).map((e) => executionReport(e));
    expect(reports.filter((e) => e.x === 'TRADE').map((e) => [e.t, e.b, e.a, e.k])).toEqual([
      [-1, 'ONE_PARTY_TRADE_REPORT', 0, 'SOR'],
      [-1, 'ONE_PARTY_TRADE_REPORT', 1, 'SOR'],
    ]);
    // a seller meets it on BTCUSDT: a trade of its own symbol, worked on the exchange
    const sell = ex.placeOrder({ ...order('BTCUSDT', 'SELL', 'LIMIT', '2', '29500'), accountId: 3 });
    const maker = executions(sell.events, TAKER).map((e) => executionReport(e));
    expect(maker).toHaveLength(1);
    expect(maker[0]).toMatchObject({ x: 'TRADE', X: 'FILLED', m: true, k: 'EXCHANGE', uS: true });
    expect((maker[0] as { t: number }).t).toBeGreaterThan(0);
    expect(maker[0]).not.toHaveProperty('a');
    conserved(ex, DEPOSITED);
  });

  it("equal prices on several books: the order's own book first, then the configuration's order", () => {
    const ex = new Exchange(SYMBOLS, { sors: SORS, makerCommission: '0', takerCommission: '0' });
    for (const a of [TAKER, MAKER]) {
      for (const q of QUOTES) ex.deposit({ now: 0, accountId: a, asset: q, amount: '10000000' });
      ex.deposit({ now: 0, accountId: a, asset: 'BTC', amount: '100' });
    }
    for (const symbol of ['BTCUSDT', 'BTCUSDC', 'BTCUSDP'])
      ex.placeOrder({ ...order(symbol, 'SELL', 'LIMIT', '1', '30000'), accountId: MAKER });
    const on = (symbol: string) =>
      ex
        .placeSorOrder(order(symbol, 'BUY', 'LIMIT', '1', '30000'))
        .events.filter((e): e is TradeEvent => e.type === 'trade')
        .map((t) => t.symbol);
    expect(on('BTCUSDP')).toEqual(['BTCUSDP']);
    expect(on('BTCUSDT')).toEqual(['BTCUSDT']);
    expect(on('BTCUSDT')).toEqual(['BTCUSDC']); // its own book is empty now: the first other in the configuration
  });

  it('IOC and FOK: IOC expires its remainder; FOK fills whole across books or not at all', () => {
    const ex = faqExchange('asks');
    const fok = ex.placeSorOrder({ ...order('BTCUSDT', 'BUY', 'LIMIT', '4', '30000'), timeInForce: 'FOK' });
    expect(fok.order.status).toBe('EXPIRED');
    expect(fok.order.expiryReason).toBe('UNFILLED_FOK_ORDER_EXPIRED');
    expect(fok.fills).toEqual([]);
    const ok = ex.placeSorOrder({ ...order('BTCUSDT', 'BUY', 'LIMIT', '3', '30000'), timeInForce: 'FOK' });
    expect(ok.order.status).toBe('FILLED');
    const ioc = ex.placeSorOrder({ ...order('BTCUSDT', 'BUY', 'LIMIT', '2', '30500'), timeInForce: 'IOC' });
    expect(ioc.order.status).toBe('FILLED');
    expect(formatUnits(ioc.order.executedQty)).toBe('2.00000000');
    const rest = ex.placeSorOrder({ ...order('BTCUSDT', 'BUY', 'LIMIT', '5', '30500'), timeInForce: 'IOC' });
    expect(rest.order.status).toBe('EXPIRED');
    expect(rest.order.expiryReason).toBe('UNFILLED_IOC_QUANTITY_EXPIRED');
    expect(formatUnits(rest.order.executedQty)).toBe('1.00000000');
    conserved(ex, DEPOSITED);
  });

  it('commissions: the order pays its taker rate on each allocation, makers their maker rate on their trades', () => {
    const ex = faqExchange('asks', { makerCommission: '0.001', takerCommission: '0.002' });
    const r = ex.placeSorOrder(order('BTCUSDT', 'BUY', 'LIMIT', '1', '28000'));
    expect(r.fills.map((f) => [formatUnits(f.commission), f.commissionAsset])).toEqual([['0.00200000', 'BTC']]);
    expect(ex.feesCollected().get('BTC')).toBe(200_000n);
    expect(ex.feesCollected().get('USDC')).toBe(28n * 10n ** 8n); // the BTCUSDC maker's 0.1 % of 28,000
    conserved(ex, DEPOSITED);
  });

  it("self-trade prevention reaches the other books: the first own order in a queue meets the order's STP mode", () => {
    const ex = faqExchange('asks');
    // behind the account's own 1 @ 28,000 on BTCUSDC, another account's
    ex.placeOrder({ ...order('BTCUSDC', 'SELL', 'LIMIT', '1', '28000'), accountId: 3 });
    const own = ex.book('BTCUSDC').asks;
    expect(own[0]).toEqual([28000e8, 2e8]);
    const r = ex.placeSorOrder({
      ...order('BTCUSDT', 'BUY', 'LIMIT', '3', '28000'),
      accountId: MAKER,
      selfTradePreventionMode: 'EXPIRE_MAKER',
    });
    const reports = executions(r.events, MAKER).map((e) => executionReport(e));
    const prevention = reports.filter((e) => e.x === 'TRADE_PREVENTION');
    expect(prevention.map((e) => [e.s, e.X, e.Cs])).toEqual([['BTCUSDC', 'EXPIRED_IN_MATCH', 'BTCUSDT']]);
    expect(fillsOf(r)).toEqual([['28000.00000000', '1.00000000', 0, -1]]); // account 3's
    expect(r.order.status).toBe('PARTIALLY_FILLED');
    const pm = ex.preventedMatches(MAKER, 'BTCUSDT');
    expect(
      pm.map((m) => [m.symbol, m.makerSymbol, m.selfTradePreventionMode, formatUnits(m.makerPreventedQuantity)]),
    ).toEqual([['BTCUSDT', 'BTCUSDC', 'EXPIRE_MAKER', '1.00000000']]);
    conserved(ex, DEPOSITED);
    // another account's order ahead of the own one: taken first, then the own one meets the STP mode
    const ex3 = faqExchange('bids');
    ex3.placeOrder({ ...order('BTCUSDC', 'BUY', 'LIMIT', '1', '36000'), accountId: 3 });
    ex3.placeOrder({ ...order('BTCUSDC', 'BUY', 'LIMIT', '1', '36000'), accountId: TAKER });
    const s3 = ex3.placeSorOrder({
      ...order('BTCUSDT', 'SELL', 'LIMIT', '2', '36000'),
      accountId: TAKER,
      selfTradePreventionMode: 'EXPIRE_MAKER',
    });
    expect(fillsOf(s3)).toEqual([['36000.00000000', '1.00000000', 0, -1]]);
    const sellers = s3.events.filter((e): e is TradeEvent => e.type === 'trade').map((e) => e.buyerAccountId);
    expect(sellers).toEqual([3]);
    expect(ex3.preventedMatches(TAKER, 'BTCUSDT')).toHaveLength(1);
    expect(ex3.book('BTCUSDC').bids[0]).toEqual([35000e8, 5e8]);
    // EXPIRE_TAKER: the order ends there, the own order stays
    const ex2 = faqExchange('asks');
    const t = ex2.placeSorOrder({
      ...order('BTCUSDT', 'BUY', 'LIMIT', '1', '28000'),
      accountId: MAKER,
      selfTradePreventionMode: 'EXPIRE_TAKER',
    });
    expect(t.order.status).toBe('EXPIRED_IN_MATCH');
    expect(t.fills).toEqual([]);
    expect(ex2.book('BTCUSDC').asks[0]).toEqual([28000e8, 1e8]);
    const tr = executions(t.events, MAKER)
      .map((e) => executionReport(e))
      .filter((e) => e.x === 'TRADE_PREVENTION');
    expect(tr.map((e) => [e.s, e.Cs, e.U])).toEqual([['BTCUSDT', 'BTCUSDC', expect.any(Number)]]);
    conserved(ex2, DEPOSITED);
  });

  it('refuses symbols without SOR (-1013), other order types (-1014) and what it cannot pay (-2010)', () => {
    const ex = new Exchange([...SYMBOLS, { ...BTC, symbol: 'ETHBTC', baseAsset: 'ETH', quoteAsset: 'BTC' }], {
      sors: SORS,
    });
    const refusal = (cmd: PlaceOrderCommand) => {
      try {
        ex.placeSorOrder(cmd);
      } catch (e) {
        if (e instanceof ApiError) return [e.code, e.message];
        throw e;
      }
      return 'placed';
    };
    expect(refusal(order('ETHBTC', 'BUY', 'LIMIT', '1', '0.05'))).toEqual([-1013, 'This symbol has no SOR.']);
    expect(refusal({ ...order('BTCUSDT', 'BUY', 'LIMIT', '1', '30000'), type: 'LIMIT_MAKER' })).toEqual([
      -1014,
      'Unsupported order combination.',
    ]);
    expect(refusal({ ...order('BTCUSDT', 'SELL', 'MARKET', '1'), stopPrice: '1' })).toEqual([
      -1014,
      'Unsupported order combination.',
    ]);
    expect(refusal(order('BTCUSDT', 'BUY', 'LIMIT', '1', '30000'))).toEqual([
      -2010,
      'Account has insufficient balance for requested action.',
    ]);
    expect(() => ex.testSorOrder(order('ETHBTC', 'BUY', 'LIMIT', '1', '0.05'))).toThrow('This symbol has no SOR.');
    expect(() => ex.testSorOrder(order('BTCUSDT', 'BUY', 'LIMIT', '1', '30000'))).not.toThrow();
  });

  it('refuses configurations it cannot route: unknown symbols, another base asset, other ticks or steps', () => {
    const build =
      (sors: EngineOptions['sors'], symbols = SYMBOLS) =>
      () =>
        new Exchange(symbols, { sors });
    expect(build([{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCDAI'] }])).toThrow('BTCDAI is not a symbol');
    expect(build([{ baseAsset: 'ETH', symbols: ['BTCUSDT', 'BTCUSDC'] }])).toThrow('another base asset');
    const coarse = {
      ...twin('USDC'),
      filters: BTC.filters.map((f) => (f.filterType === 'PRICE_FILTER' ? { ...f, tickSize: '0.10000000' } : f)),
    };
    expect(build([{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] }], [BTC, coarse])).toThrow('tick or step');
  });

  it('myAllocations: by order, from an id, by time (newest until endTime)', () => {
    const ex = faqExchange('asks');
    const a = ex.placeSorOrder(order('BTCUSDT', 'BUY', 'LIMIT', '2', '29000'));
    const b = ex.placeSorOrder(order('BTCUSDT', 'BUY', 'LIMIT', '2', '30500'));
    const ids = (q: Parameters<Exchange['allocations']>[2]) =>
      ex.allocations(TAKER, 'BTCUSDT', q).allocations.map((x) => [x.allocationId, x.orderId]);
    const [ia, ib] = [a.order.spec.orderId, b.order.spec.orderId];
    expect(ids({ limit: 500 })).toEqual([
      [0, ia],
      [1, ia],
      [2, ib],
      [3, ib],
    ]);
    expect(ids({ orderId: ib, limit: 500 })).toEqual([
      [2, ib],
      [3, ib],
    ]);
    expect(ids({ fromAllocationId: 1, limit: 2 })).toEqual([
      [1, ia],
      [2, ib],
    ]);
    expect(ids({ endTime: now, limit: 1 })).toEqual([[3, ib]]);
    expect(ids({ startTime: now + 1, limit: 10 })).toEqual([]);
    expect(ex.allocations(MAKER, 'BTCUSDT', { limit: 10 }).allocations).toEqual([]);
    expect(ex.allocations(TAKER, 'BTCUSDC', { limit: 10 }).allocations).toEqual([]);
  });

  it('snapshots keep allocations, working floors and the allocator holdings', () => {
    const ex = faqExchange('asks');
    const r = ex.placeSorOrder(order('BTCUSDT', 'BUY', 'LIMIT', '4', '29500'));
    const copy = new Exchange(SYMBOLS, { sors: SORS, makerCommission: '0', takerCommission: '0' });
    copy.importState(structuredClone(ex.exportState()));
    expect(copy.allocatorHoldings()).toEqual(ex.allocatorHoldings());
    expect(copy.allocations(TAKER, 'BTCUSDT', { limit: 10 })).toEqual(ex.allocations(TAKER, 'BTCUSDT', { limit: 10 }));
    const q = (e: Exchange) => queryOrderResponse(e.getOrder(TAKER, 'BTCUSDT', { orderId: r.order.spec.orderId }));
    expect(q(copy)).toEqual(q(ex));
    expect(q(copy).workingFloor).toBe('EXCHANGE');
    // and go on alike
    const next = order('BTCUSDT', 'BUY', 'MARKET', '3');
    const x = ex.placeSorOrder(next);
    const y = copy.placeSorOrder(next);
    expect(fillsOf(y)).toEqual(fillsOf(x));
    expect(JSON.stringify(y.events.map((e) => (e.type === 'execution' ? executionReport(e) : e.type)))).toBe(
      JSON.stringify(x.events.map((e) => (e.type === 'execution' ? executionReport(e) : e.type))),
    );
  });
});

/**
 * An SOR order took the group's best prices first, within its limit; and once its taker phase ended
 * with quantity left (resting or expired), no trading book of the group still offered a price within
 * its limit. Returns 1 when that last check applied. (Not checked: FOK, a MARKET BUY — its
 * reservation may run out first — and an order that met self-trade prevention.)
 */
function bestFirst(ex: Exchange, cmd: PlaceOrderCommand, r: ReturnType<Exchange['placeSorOrder']>): number {
  const buy = cmd.side === 'BUY';
  const limitU = cmd.price === undefined ? -1 : Math.round(Number(cmd.price) * 1e8);
  const prices = r.fills.map((f) => f.price);
  prices.forEach((p, i) => {
    if (i > 0) expect(buy ? p >= (prices[i - 1] as number) : p <= (prices[i - 1] as number), 'best first').toBe(true);
    if (limitU >= 0) expect(buy ? p <= limitU : p >= limitU, 'within the limit').toBe(true);
  });
  const left = r.order.executedQty + r.order.preventedQty < r.order.spec.origQty;
  if (!left || cmd.timeInForce === 'FOK' || (buy && cmd.type === 'MARKET')) return 0;
  if (r.events.some((e) => e.type === 'preventedMatch')) return 0;
  for (const s of SYMBOLS) {
    if (ex.symbolStatus(s.symbol) !== 'TRADING') continue;
    const top = ex.book(s.symbol, 1);
    const best = (buy ? top.asks : top.bids)[0]?.[0];
    if (best === undefined) continue;
    expect(
      limitU >= 0 && (buy ? best > limitU : best < limitU),
      `${s.symbol} still offers ${best} within ${limitU}`,
    ).toBe(true);
  }
  return 1;
}

describe('smart order routing over a long seeded random stream', () => {
  // SOR_SEEDS=<n> runs n other seeds (locally, to explore): 1000, 1001, … or from SOR_SEED_FROM
  it.each(
    process.env.SOR_SEEDS
      ? Array.from({ length: Number(process.env.SOR_SEEDS) }, (_, i) => Number(process.env.SOR_SEED_FROM ?? 1000) + i)
      : [7, 42],
  )(
    'seed %i: balances conserved with the allocator, reservations exact, no book crossed after every command; SOR orders best price first, leaving nothing within their limit',
    (seed) => {
      const rnd = mulberry32(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
      const ex = new Exchange(SYMBOLS, { sors: SORS, makerCommission: '0.001', takerCommission: '0.002' });
      const accounts = [1, 2, 3, 4];
      for (const a of accounts) {
        for (const q of QUOTES) ex.deposit({ now: 0, accountId: a, asset: q, amount: '10000000' });
        ex.deposit({ now: 0, accountId: a, asset: 'BTC', amount: '100' });
      }
      const deposited = { BTC: 400n * 10n ** 8n, USDT: 4n * 10n ** 15n, USDC: 4n * 10n ** 15n, USDP: 4n * 10n ** 15n };
      let allocations = 0;
      let swept = 0;
      let refusals = 0;
      let prevented = 0;
      for (let i = 0; i < 1500; i++) {
        const accountId = pick(accounts);
        const symbol = pick(SYMBOLS).symbol;
        const side = rnd() < 0.5 ? 'BUY' : 'SELL';
        const price = (30000 + Math.floor(rnd() * 200 - 100) * 5).toFixed(2);
        const quantity = (0.001 * (1 + Math.floor(rnd() * 400))).toFixed(5);
        const stp = pick(['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT'] as const);
        const cmd: PlaceOrderCommand =
          rnd() < 0.2
            ? { now: ++now, accountId, symbol, side, type: 'MARKET', quantity, selfTradePreventionMode: stp }
            : {
                now: ++now,
                accountId,
                symbol,
                side,
                type: 'LIMIT',
                timeInForce: pick(['GTC', 'GTC', 'IOC', 'FOK'] as const),
                price,
                quantity,
                selfTradePreventionMode: stp,
                ...(rnd() < 0.15 ? { icebergQty: (Number(quantity) / 4).toFixed(5) } : {}),
              };
        try {
          const sor = rnd() < 0.25;
          const r = sor ? ex.placeSorOrder(cmd) : rnd() < 0.8 ? ex.placeOrder(cmd) : null;
          if (r !== null && sor) swept += bestFirst(ex, cmd, r);
          if (r === null) {
            const open = ex.openOrders(accountId);
            const o = open[Math.floor(rnd() * open.length)];
            if (o !== undefined)
              ex.cancelOrder({ now: ++now, accountId, symbol: o.spec.symbol, orderId: o.spec.orderId });
          } else {
            allocations += r.fills.filter((f) => f.allocId !== undefined).length;
            prevented += r.events.filter((e) => e.type === 'preventedMatch').length;
          }
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          refusals++;
        }
        conserved(ex, deposited);
        for (const a of accounts) {
          const need = new Map<string, bigint>();
          for (const o of ex.openOrders(a)) {
            const rem = BigInt(o.spec.origQty - o.executedQty - o.preventedQty);
            const quote = (SYMBOLS.find((s) => s.symbol === o.spec.symbol) as SymbolDefinition).quoteAsset;
            const [asset, n] = o.spec.side === 'BUY' ? [quote, (BigInt(o.spec.price) * rem) / 10n ** 8n] : ['BTC', rem];
            need.set(asset, (need.get(asset) ?? 0n) + n);
          }
          for (const b of ex.accountView(a).balances) {
            expect(b.free >= 0n, `${a} ${b.asset}`).toBe(true);
            expect(b.locked, `step ${i}: account ${a} ${b.asset} locked`).toBe(need.get(b.asset) ?? 0n);
          }
        }
        for (const s of SYMBOLS) {
          const b = ex.book(s.symbol, 1);
          if (b.bids[0] && b.asks[0])
            expect(b.bids[0][0], `${s.symbol} crossed at step ${i}`).toBeLessThan(b.asks[0][0]);
        }
      }
      // the stream reached every path it is meant to check (on the seeds CI runs; explored seeds vary)
      if (process.env.SOR_SEEDS) return;
      expect(allocations).toBeGreaterThan(100);
      expect(swept).toBeGreaterThan(20);
      expect(prevented).toBeGreaterThan(10);
      expect(refusals).toBeGreaterThan(0);
      expect([...ex.allocatorHoldings().values()].some((v) => v !== 0n)).toBe(true);
    },
  );
});
