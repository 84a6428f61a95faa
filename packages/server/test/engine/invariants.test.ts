import { describe, expect, it } from 'vitest';
import { ApiError, type SelfTradePreventionMode } from '@binance-sandbox/protocol';
import { Exchange, renderEvent, type EngineEvent, type EngineOptions } from '../../src/engine/index.js';
import { BTC, mulberry32 } from './helpers.js';

const STP: SelfTradePreventionMode[] = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT', 'TRANSFER'];

/** A seeded stream of every kind of command over 6 accounts; returns the engine and its event log. */
function simulate(
  seed: number,
  steps: number,
  check?: (ex: Exchange) => void,
  retainHistory = true,
  options: EngineOptions = {},
): { ex: Exchange; log: EngineEvent[]; rejects: Map<string, number> } {
  const r = mulberry32(seed);
  const ex = new Exchange([BTC], { seed, retainHistory, ...options });
  const log: EngineEvent[] = [];
  const rejects = new Map<string, number>();
  for (let a = 1; a <= 6; a++) {
    log.push(...ex.deposit({ now: 0, accountId: a, asset: 'USDT', amount: '500000.12345678' }));
    log.push(...ex.deposit({ now: 0, accountId: a, asset: 'BTC', amount: '20.00000001' }));
    if (a % 2 === 0) ex.setCommission(a, { maker: '0.00075', taker: '0.00123' });
  }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const lastPrice = () => ex.lastPrice('BTCUSDT') / 1e8 || 30000;
  /** Prices `gap` to `gap` + 30 above and below the last price. */
  const band = (gap: number): [string, string] => {
    const last = lastPrice();
    return [(last + gap + Math.floor(r() * 30)).toFixed(2), (last - gap - Math.floor(r() * 30)).toFixed(2)];
  };
  for (let i = 0; i < steps; i++) {
    const now = 1_700_000_000_000 + i * 250;
    const accountId = 1 + Math.floor(r() * 6);
    const side = r() < 0.5 ? 'BUY' : 'SELL';
    const price = (30000 + (Math.floor((r() - 0.5) * 400) / 100) * 10).toFixed(2);
    const qty = ((1 + Math.floor(r() * 3000)) / 100000).toFixed(5);
    const stp = pick(STP);
    const k = r();
    try {
      let evs: readonly EngineEvent[];
      if (k < 0.4) {
        evs = ex.placeOrder({
          now,
          accountId,
          symbol: 'BTCUSDT',
          side,
          type: 'LIMIT',
          timeInForce: pick(['GTC', 'GTC', 'IOC', 'FOK'] as const),
          price,
          quantity: qty,
          selfTradePreventionMode: stp,
        }).events;
      } else if (k < 0.5) {
        const ice = r() < 0.5;
        evs = ex.placeOrder({
          now,
          accountId,
          symbol: 'BTCUSDT',
          side,
          type: ice ? 'LIMIT' : 'LIMIT_MAKER',
          ...(ice ? { timeInForce: 'GTC' as const, icebergQty: (Number(qty) / 3).toFixed(5) } : {}),
          price,
          quantity: qty,
          selfTradePreventionMode: stp,
        }).events;
      } else if (k < 0.6) {
        const quote = r() < 0.5;
        evs = ex.placeOrder({
          now,
          accountId,
          symbol: 'BTCUSDT',
          side,
          type: 'MARKET',
          ...(quote ? { quoteOrderQty: (Number(qty) * 30000).toFixed(2) } : { quantity: qty }),
          selfTradePreventionMode: stp,
        }).events;
      } else if (k < 0.7) {
        const last = lastPrice();
        const up = r() < 0.5;
        const stopPrice = (last + (up ? 1 : -1) * (1 + Math.floor(r() * 50))).toFixed(2);
        const type = pick(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const);
        const limitType = type.endsWith('LIMIT');
        evs = ex.placeOrder({
          now,
          accountId,
          symbol: 'BTCUSDT',
          side,
          type,
          stopPrice,
          quantity: qty,
          ...(limitType ? { price: stopPrice, timeInForce: 'GTC' as const } : {}),
          selfTradePreventionMode: stp,
        }).events;
      } else if (k < 0.75) {
        const [hi, lo] = band(5);
        evs =
          side === 'SELL'
            ? ex.placeOco({
                now,
                accountId,
                symbol: 'BTCUSDT',
                side,
                quantity: qty,
                above: { type: 'LIMIT_MAKER', price: hi },
                below: { type: 'STOP_LOSS_LIMIT', stopPrice: lo, price: lo, timeInForce: 'GTC' },
              }).events
            : ex.placeOco({
                now,
                accountId,
                symbol: 'BTCUSDT',
                side,
                quantity: qty,
                above: { type: 'STOP_LOSS', stopPrice: hi },
                below: { type: 'LIMIT_MAKER', price: lo },
              }).events;
      } else if (k < 0.79) {
        // keep-priority amendment of one of the account's open orders (lists' legs included)
        const open = ex.openOrders(accountId, 'BTCUSDT');
        const o = open[Math.floor(r() * open.length)];
        const steps = o ? Math.floor(o.spec.origQty / 1000) : 1;
        const newQty = ((1 + Math.floor(r() * Math.max(1, steps - 1))) / 100000).toFixed(5);
        evs = ex.amendOrder({ now, accountId, symbol: 'BTCUSDT', orderId: o ? o.spec.orderId : 999999, newQty }).events;
      } else if (k < 0.825) {
        // OTO: a working limit order; the pending one (the other side) goes live once it is filled
        const pendingSide = side === 'BUY' ? 'SELL' : 'BUY';
        const last = lastPrice();
        const pendingType = pick(['LIMIT', 'LIMIT_MAKER', 'STOP_LOSS', 'STOP_LOSS_LIMIT'] as const);
        const away = (pendingSide === 'SELL') === pendingType.startsWith('LIMIT') ? 1 : -1;
        const pendingPrice = (last + away * (20 + Math.floor(r() * 40))).toFixed(2);
        evs = ex.placeOto({
          now,
          accountId,
          symbol: 'BTCUSDT',
          working: { type: 'LIMIT', side, price, quantity: qty, timeInForce: 'GTC' },
          pending: {
            type: pendingType,
            side: pendingSide,
            quantity: qty,
            ...(pendingType === 'LIMIT' ? { timeInForce: 'GTC' as const } : {}),
            ...(pendingType.startsWith('STOP') ? { stopPrice: pendingPrice } : {}),
            ...(pendingType !== 'STOP_LOSS' ? { price: pendingPrice } : {}),
            ...(pendingType === 'STOP_LOSS_LIMIT' ? { timeInForce: 'GTC' as const } : {}),
          },
          selfTradePreventionMode: stp,
        }).events;
      } else if (k < 0.845) {
        // OPO: the pending order sells (or buys with) what the working order receives
        const pendingSide = side === 'BUY' ? 'SELL' : 'BUY';
        const last = lastPrice();
        const pendingPrice = (last + (pendingSide === 'SELL' ? 1 : -1) * (20 + Math.floor(r() * 40))).toFixed(2);
        evs = ex.placeOpo({
          now,
          accountId,
          symbol: 'BTCUSDT',
          working: { type: 'LIMIT', side, price, quantity: qty, timeInForce: 'GTC' },
          pending: { type: 'LIMIT', side: pendingSide, price: pendingPrice, timeInForce: 'GTC' },
          selfTradePreventionMode: stp,
        }).events;
      } else if (k < 0.86) {
        // OTOCO: a working limit order; the pending OCO pair (the other side) goes live once it is filled
        const [hi, lo] = band(20);
        const pendingSide = side === 'BUY' ? 'SELL' : 'BUY';
        evs = ex.placeOtoco({
          now,
          accountId,
          symbol: 'BTCUSDT',
          working: { type: 'LIMIT', side, price, quantity: qty, timeInForce: 'GTC' },
          pendingSide,
          pendingQuantity: qty,
          ...(pendingSide === 'SELL'
            ? {
                pendingAbove: { type: 'LIMIT_MAKER', price: hi },
                pendingBelow: { type: 'STOP_LOSS_LIMIT', stopPrice: lo, price: lo, timeInForce: 'GTC' },
              }
            : {
                pendingAbove: { type: 'STOP_LOSS_LIMIT', stopPrice: hi, price: hi, timeInForce: 'GTC' },
                pendingBelow: { type: 'LIMIT_MAKER', price: lo },
              }),
          selfTradePreventionMode: stp,
        }).events;
      } else if (k < 0.89) {
        // trailing stops, without a stop price (they track from the next trade)
        const type = pick(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const);
        evs = ex.placeOrder({
          now,
          accountId,
          symbol: 'BTCUSDT',
          side,
          type,
          trailingDelta: 10 + Math.floor(r() * 100),
          quantity: qty,
          ...(type.endsWith('LIMIT') ? { price, timeInForce: 'GTC' as const } : {}),
          selfTradePreventionMode: stp,
        }).events;
      } else if (k < 0.91) {
        // pegged limit orders: priced from the book when they enter it
        evs = ex.placeOrder({
          now,
          accountId,
          symbol: 'BTCUSDT',
          side,
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: qty,
          pegPriceType: pick(['PRIMARY_PEG', 'MARKET_PEG'] as const),
          pegOffsetType: 'PRICE_LEVEL',
          pegOffsetValue: Math.floor(r() * 3),
          selfTradePreventionMode: stp,
        }).events;
      } else if (k < 0.97) {
        const open = ex.openOrders(accountId, 'BTCUSDT');
        const o = open[Math.floor(r() * open.length)];
        evs = ex.cancelOrder({ now, accountId, symbol: 'BTCUSDT', orderId: o ? o.spec.orderId : 999999 }).events;
      } else {
        evs = ex.cancelOpenOrders({ now, accountId, symbol: 'BTCUSDT' }).events;
      }
      log.push(...evs);
      for (const e of evs)
        if (e.type === 'trade') {
          const [taker, maker] = e.isBuyerMaker
            ? [
                ex.getOrder(e.sellerAccountId, 'BTCUSDT', { orderId: e.sellerOrderId }),
                ex.getOrder(e.buyerAccountId, 'BTCUSDT', { orderId: e.buyerOrderId }),
              ]
            : [
                ex.getOrder(e.buyerAccountId, 'BTCUSDT', { orderId: e.buyerOrderId }),
                ex.getOrder(e.sellerAccountId, 'BTCUSDT', { orderId: e.sellerOrderId }),
              ];
          const at = `trade ${e.tradeId}`;
          // a LIMIT_MAKER never takes liquidity (wherever it came from: placed, or a list's pending order)
          expect(taker.spec.type, at).not.toBe('LIMIT_MAKER');
          // no self-trade (the symbol does not allow STP NONE)
          expect(e.buyerAccountId, at).not.toBe(e.sellerAccountId);
          // at the maker's price, within the taker's limit
          const priceOf = (o: typeof maker) => (o.spec.peg ? o.spec.peg.peggedPrice : o.spec.price);
          expect(e.price, at).toBe(priceOf(maker));
          const limit = priceOf(taker);
          if (limit > 0) expect(taker.spec.side === 'BUY' ? e.price <= limit : e.price >= limit, at).toBe(true);
        }
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      rejects.set(e.msg, (rejects.get(e.msg) ?? 0) + 1);
    }
    check?.(ex);
  }
  return { ex, log, rejects };
}

const TOTAL_USDT = 6n * 50_000_012_345_678n;
const TOTAL_BTC = 6n * 2_000_000_001n;

function conserved(ex: Exchange): void {
  const t = ex.totals();
  const fees = ex.feesCollected();
  expect((t.get('USDT') ?? 0n) + (fees.get('USDT') ?? 0n)).toBe(TOTAL_USDT);
  expect((t.get('BTC') ?? 0n) + (fees.get('BTC') ?? 0n)).toBe(TOTAL_BTC);
  for (let a = 1; a <= 6; a++)
    for (const b of ex.accountView(a).balances) {
      expect(b.free >= 0n && b.locked >= 0n).toBe(true);
    }
}

/**
 * What each account has locked is exactly what its open orders still need: a priced BUY its price ×
 * remaining quantity (rounded down), a SELL its remaining quantity, a BUY stop-market nothing until it
 * triggers (a pegged order at its pegged price); an OTO's pending order nothing until it goes live;
 * the two legs of an OCO still executing (and an OTOCO's live pending pair) share one reservation, the
 * larger of their needs.
 */
const isOpen = (o: { status: string }) =>
  o.status === 'NEW' || o.status === 'PARTIALLY_FILLED' || o.status === 'PENDING_NEW';

function reserved(ex: Exchange): void {
  for (let a = 1; a <= 6; a++) {
    const need = { USDT: 0n, BTC: 0n };
    // an OPO's pending order before its working order filled: what the working order received so far
    // is held for it (less a commission taken out of it when free funds did not cover the commission)
    const received = { USDT: 0n, BTC: 0n };
    const lists = new Map<number, { asset: 'USDT' | 'BTC'; n: bigint }>();
    for (const o of ex.openOrders(a, 'BTCUSDT')) {
      if (o.status === 'PENDING_NEW') {
        const working = ex.orderLists(a, 'BTCUSDT').find((l) => l.orderListId === o.spec.orderListId)?.orders[0];
        if (o.quantityPending && working !== undefined) {
          if (working.spec.side === 'BUY') received.BTC += BigInt(working.executedQty);
          else received.USDT += working.cumQuote;
        }
        continue;
      }
      const rem = BigInt(o.spec.origQty - o.executedQty - o.preventedQty);
      const buy = o.spec.side === 'BUY';
      const price = o.spec.peg ? o.spec.peg.peggedPrice : o.spec.price;
      const n = buy ? (BigInt(price) * rem) / 100_000_000n : rem;
      const asset = buy ? 'USDT' : 'BTC';
      const list = ex.orderLists(a, 'BTCUSDT').find((l) => l.orderListId === o.spec.orderListId);
      // an OTOCO's pending pair, once live (its working order closed), shares one reservation as an OCO
      const working = list?.orders[0];
      const livePair =
        list?.orders.length === 3 &&
        working !== undefined &&
        working.spec.orderId !== o.spec.orderId &&
        !isOpen(working);
      if (list?.status === 'EXECUTING' && (list.contingencyType === 'OCO' || livePair)) {
        const shared = lists.get(list.orderListId);
        if (shared === undefined || n > shared.n) lists.set(list.orderListId, { asset, n });
      } else need[asset] += n;
    }
    for (const { asset, n } of lists.values()) need[asset] += n;
    const locked = Object.fromEntries(ex.accountView(a).balances.map((b) => [b.asset, b.locked]));
    for (const asset of ['USDT', 'BTC'] as const) {
      const got = locked[asset] ?? 0n;
      const ok =
        received[asset] === 0n ? got === need[asset] : got >= need[asset] && got <= need[asset] + received[asset];
      expect(
        ok,
        `account ${a}: ${asset} locked ${got}, its open orders need ${need[asset]} (+ up to ${received[asset]} received)`,
      ).toBe(true);
    }
  }
}

/**
 * A tight price-range execution rule (±0.03 % around a 5 × 1 s average: ±9 USDT, where the stream's
 * prices spread ±20 around the last price and stops and lists ±30 beyond): takers of every kind are
 * stopped by it, and the reference price also moves the PERCENT_PRICE_BY_SIDE and NOTIONAL bounds.
 */
const TIGHT_RANGE: EngineOptions = {
  executionRules: {
    BTCUSDT: {
      priceRange: {
        bidLimitMultUp: '1.0003',
        bidLimitMultDown: '0.9997',
        askLimitMultUp: '1.0003',
        askLimitMultDown: '0.9997',
      },
      referencePrice: { calculationType: 'ARITHMETIC_MEAN', bucketCount: 5, bucketWidthMs: 1000 },
    },
  },
};

describe('invariants over a long seeded random stream', () => {
  it.each<[number, string, EngineOptions]>([
    [1234, 'no execution rule', {}],
    [3, 'no execution rule', {}],
    [5, 'a tight price range', TIGHT_RANGE],
  ])(
    'seed %i, %s: balances conserved to the last unit and reservations exact after every command; a LIMIT_MAKER never takes; nothing stays locked once all is canceled',
    (seed, _rules, options) => {
      const { ex, log, rejects } = simulate(
        seed,
        4000,
        (e) => {
          conserved(e);
          reserved(e);
        },
        true,
        options,
      );
      if (options.executionRules) {
        const reasons = log.filter(
          (e) => e.type === 'execution' && e.expiryReason === 'EXECUTION_RULE_PRICE_RANGE_EXCEEDED',
        );
        expect(reasons.length).toBeGreaterThan(50);
      }
      expect(log.filter((e) => e.type === 'trade').length).toBeGreaterThan(300);
      expect(log.some((e) => e.type === 'preventedMatch')).toBe(true);
      expect(log.some((e) => e.type === 'listStatus' && e.listStatusType === 'ALL_DONE')).toBe(true);
      expect(rejects.size).toBeGreaterThan(0);
      // every order agrees with its trades and its status with its quantities
      let checked = 0;
      for (let a = 1; a <= 6; a++)
        for (const o of ex.allOrders(a, 'BTCUSDT', { limit: 1_000_000 })) {
          const at = `order ${o.spec.orderId} ${o.status}: ${o.executedQty} + ${o.preventedQty} of ${o.spec.origQty}`;
          const trades = ex.myTrades(a, 'BTCUSDT', { orderId: o.spec.orderId, limit: 1_000_000 }).map((t) => t.trade);
          expect(o.executedQty, at).toBe(trades.reduce((n, t) => n + t.qty, 0));
          expect(o.cumQuote, at).toBe(trades.reduce((n, t) => n + t.quoteQty, 0n));
          const left = o.spec.origQty - o.executedQty - o.preventedQty;
          // (an amendment below what was executed or prevented expires the order with that quantity)
          if (o.quantityPending || o.status === 'EXPIRED') continue;
          expect(left >= 0, at).toBe(true);
          if (o.status === 'FILLED') expect(left, at).toBe(0);
          if (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED' || o.status === 'PENDING_NEW')
            expect(left > 0, at).toBe(true);
          if (o.status === 'NEW' || o.status === 'PENDING_NEW') expect(o.executedQty, at).toBe(0);
          if (o.status === 'PARTIALLY_FILLED') expect(o.executedQty > 0, at).toBe(true);
          checked++;
        }
      expect(checked).toBeGreaterThan(1000);
      // the reservation of every open order adds up to the locked balances
      for (let a = 1; a <= 6; a++) {
        try {
          ex.cancelOpenOrders({ now: 2e12, accountId: a, symbol: 'BTCUSDT' });
        } catch {
          /* none open */
        }
        for (const b of ex.accountView(a).balances) expect(b.locked).toBe(0n);
      }
      conserved(ex);
      expect(ex.book('BTCUSDT')).toMatchObject({ bids: [], asks: [] });
    },
  );

  it('book is never crossed and depth events replay to the book', () => {
    const depth = new Map<string, number>();
    const { ex, log } = simulate(99, 2500, (e) => {
      const b = e.book('BTCUSDT', 1);
      if (b.bids[0] && b.asks[0]) expect(b.bids[0][0]).toBeLessThan(b.asks[0][0]);
    });
    let last = 0;
    for (const e of log) {
      if (e.type !== 'depth') continue;
      expect(e.firstUpdateId).toBe(last + 1);
      last = e.lastUpdateId;
      for (const [p, q] of e.bids)
        if (q === 0) depth.delete(`b${p}`);
        else depth.set(`b${p}`, q);
      for (const [p, q] of e.asks)
        if (q === 0) depth.delete(`a${p}`);
        else depth.set(`a${p}`, q);
    }
    const b = ex.book('BTCUSDT', 10000);
    const expected = new Map<string, number>([
      ...b.bids.map(([p, q]) => [`b${p}`, q] as const),
      ...b.asks.map(([p, q]) => [`a${p}`, q] as const),
    ]);
    expect(new Map([...depth].sort())).toEqual(new Map([...expected].sort()));
    expect(b.lastUpdateId).toBe(last);
  });

  it('is deterministic: the same stream gives byte-identical events and state', () => {
    const a = simulate(777, 3000);
    const b = simulate(777, 3000);
    const ja = JSON.stringify(a.log.map(renderEvent));
    expect(ja).toBe(JSON.stringify(b.log.map(renderEvent)));
    expect(ja.length).toBeGreaterThan(100_000);
    const state = (ex: Exchange) =>
      JSON.stringify(
        [1, 2, 3, 4, 5, 6].map((x) => ex.accountView(x)),
        (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v),
      );
    expect(state(a.ex)).toBe(state(b.ex));
    // history retention changes memory, never matching
    const lean = simulate(777, 3000, conserved, false);
    expect(JSON.stringify(lean.log.map(renderEvent))).toBe(ja);
    expect(state(lean.ex)).toBe(state(a.ex));
    const c = simulate(778, 3000);
    expect(JSON.stringify(c.log.map(renderEvent))).not.toBe(ja);
  });
});
