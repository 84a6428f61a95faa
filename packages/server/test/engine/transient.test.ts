/**
 * Transient accounts (the simulator's): their closed orders leave no history and their orderIds are
 * reused, so a day of simulated trading keeps no order rows — while every other account's orders,
 * trades and history stay exactly as before.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '@binance-sandbox/protocol';
import { Exchange, type PlaceOrderCommand } from '../../src/engine/index.js';
import { BTC, exchange, limit, market, unitsHeld } from './helpers.js';

const SIM = 9;
const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));

function withSim(): Exchange {
  const ex = exchange();
  ex.deposit({ now: 0, accountId: SIM, asset: 'USDT', amount: '100000000' });
  ex.deposit({ now: 0, accountId: SIM, asset: 'BTC', amount: '1000' });
  ex.markTransient([SIM]);
  return ex;
}

const place = (ex: Exchange, cmd: PlaceOrderCommand): number => ex.placeOrder(cmd).order.spec.orderId;
const cancel = (ex: Exchange, accountId: number, orderId: number) =>
  ex.cancelOrder({ now: 5000, accountId, symbol: 'BTCUSDT', orderId });

describe('transient accounts', () => {
  it('reuse the orderIds of their closed orders from the next command on; other accounts never get one', () => {
    const ex = withSim();
    const a = place(ex, limit(SIM, 'BUY', '29000.00', '0.01000'));
    cancel(ex, SIM, a);
    expect(place(ex, limit(SIM, 'BUY', '29000.00', '0.01000'))).toBe(a);
    const user = place(ex, limit(1, 'BUY', '29000.00', '0.01000'));
    expect(user).toBe(a + 1);
    for (let i = 0; i < 5000; i++) cancel(ex, SIM, place(ex, limit(SIM, 'SELL', '31000.00', '0.01000')));
    // 5,000 orders of the transient account took one more row, not 5,000
    expect(place(ex, limit(2, 'BUY', '29000.00', '0.01000'))).toBe(user + 2);
  });

  it('keep no history of closed orders, while open ones and other accounts are unchanged', () => {
    const ex = withSim();
    const open = place(ex, limit(SIM, 'BUY', '29000.00', '0.01000'));
    const closed = place(ex, limit(SIM, 'BUY', '29000.00', '0.02000'));
    cancel(ex, SIM, closed);
    expect(ex.openOrders(SIM).map((o) => o.spec.orderId)).toEqual([open]);
    expect(ex.allOrders(SIM, 'BTCUSDT')).toEqual([]); // no history at all: its open orders are in openOrders
    expect(() => ex.getOrder(SIM, 'BTCUSDT', { orderId: closed })).toThrow(ApiError);
    expect(ex.getOrder(SIM, 'BTCUSDT', { orderId: open }).status).toBe('NEW');
  });

  it("trade with users: the user's orders, trades and history are whole; the command's answer and events read the released order", () => {
    const ex = withSim();
    const before = unitsHeld(ex);
    const sell = place(ex, limit(1, 'SELL', '30000.00', '0.50000'));
    const taker = ex.placeOrder(market(SIM, 'BUY', '0.20000'));
    // read before the next command, as the service does: the order closed (FILLED) in this command
    expect(taker.order.status).toBe('FILLED');
    expect(taker.fills.map((f) => [f.price, f.qty])).toEqual([[3_000_000_000_000, 20_000_000]]);
    const reports = taker.events.flatMap((e) =>
      e.type === 'execution' && e.accountId === SIM ? [[e.executionType, e.status, e.lastQty, e.clientOrderId]] : [],
    );
    expect(reports).toEqual([
      ['NEW', 'NEW', 0, taker.order.spec.clientOrderId],
      ['TRADE', 'FILLED', 20_000_000, taker.order.spec.clientOrderId],
    ]);
    const takerId = taker.order.spec.orderId;
    // the next transient order takes its orderId and trades against the same user order
    const again = ex.placeOrder(market(SIM, 'BUY', '0.20000'));
    expect(again.order.spec.orderId).toBe(takerId);
    expect(again.fills).toHaveLength(1);
    // a resting transient order, taken by a user
    const rest = place(ex, limit(SIM, 'BUY', '29990.00', '0.10000'));
    const userBuy = ex.placeOrder(limit(2, 'SELL', '29990.00', '0.10000'));
    expect(userBuy.order.status).toBe('FILLED');

    const userOrder = ex.getOrder(1, 'BTCUSDT', { orderId: sell });
    expect([userOrder.status, userOrder.executedQty]).toEqual(['PARTIALLY_FILLED', 40_000_000]);
    // each side as its own: orderId, quantity, buyer?, maker?
    const mine = (accountId: number) =>
      ex
        .myTrades(accountId, 'BTCUSDT')
        .map(({ trade: t, isBuyer }) => [
          isBuyer ? t.buyerOrderId : t.sellerOrderId,
          t.qty,
          isBuyer,
          t.isBuyerMaker === isBuyer,
        ]);
    expect(mine(1)).toEqual([
      [sell, 20_000_000, false, true],
      [sell, 20_000_000, false, true],
    ]);
    expect(mine(2)).toEqual([[userBuy.order.spec.orderId, 10_000_000, false, false]]);
    expect(ex.myTrades(SIM, 'BTCUSDT')).toEqual([]);
    expect(ex.allOrders(SIM, 'BTCUSDT')).toEqual([]);
    expect(() => ex.getOrder(SIM, 'BTCUSDT', { orderId: rest })).toThrow(ApiError); // filled: forgotten
    expect(unitsHeld(ex)).toEqual(before);
  });

  it("trades between transient accounts leave no archive row; users' trades keep their tradeIds, queries by fromId and time, through a snapshot", () => {
    const SIM2 = 10;
    const ex = exchange();
    for (const id of [SIM, SIM2]) {
      ex.deposit({ now: 0, accountId: id, asset: 'USDT', amount: '100000000' });
      ex.deposit({ now: 0, accountId: id, asset: 'BTC', amount: '1000' });
    }
    ex.markTransient([SIM, SIM2]);
    const before = unitsHeld(ex);
    const trade = (maker: number, taker: number, now: number) => {
      place(ex, limit(maker, 'SELL', '30000.00', '0.01000', { now }));
      expect(ex.placeOrder(market(taker, 'BUY', '0.01000', { now })).fills).toHaveLength(1);
    };
    trade(SIM, SIM2, 1000); // tradeId 1: the simulator with itself
    trade(1, SIM2, 2000); // 2
    trade(SIM2, SIM, 3000); // 3
    trade(SIM, SIM2, 4000); // 4
    trade(1, 2, 5000); // 5
    trade(SIM, 2, 6000); // 6
    expect(ex.tradeCount('BTCUSDT')).toBe(6);
    const ids = (e: Exchange, accountId: number, q: Parameters<Exchange['myTrades']>[2] = {}) =>
      e.myTrades(accountId, 'BTCUSDT', q).map(({ trade: t, isBuyer }) => [t.tradeId, isBuyer, t.time]);
    const check = (e: Exchange) => {
      expect(e.trades('BTCUSDT').map((t) => t.tradeId)).toEqual([2, 5, 6]);
      expect(ids(e, 1)).toEqual([
        [2, false, 2000],
        [5, false, 5000],
      ]);
      expect(ids(e, 2)).toEqual([
        [5, true, 5000],
        [6, true, 6000],
      ]);
      expect(ids(e, 1, { fromId: 3 })).toEqual([[5, false, 5000]]);
      expect(ids(e, 1, { fromId: 2, limit: 1 })).toEqual([[2, false, 2000]]);
      expect(ids(e, 2, { fromId: 7 })).toEqual([]);
      expect(ids(e, 2, { startTime: 5500 })).toEqual([[6, true, 6000]]);
      expect(ids(e, 1, { endTime: 4999 })).toEqual([[2, false, 2000]]);
      expect(e.myTrades(SIM, 'BTCUSDT')).toEqual([]);
      expect(e.myTrades(SIM2, 'BTCUSDT')).toEqual([]);
    };
    check(ex);
    expect(unitsHeld(ex)).toEqual(before);
    const copy = new Exchange([BTC]);
    copy.importState(structuredClone(ex.exportState()));
    check(copy);
    // both carry on alike: a transient trade, then a user's trade gets tradeId 8
    for (const e of [ex, copy]) {
      e.placeOrder(limit(SIM2, 'SELL', '30000.00', '0.01000', { now: 7000 }));
      e.placeOrder(market(SIM, 'BUY', '0.01000', { now: 7000 }));
      e.placeOrder(limit(SIM, 'SELL', '30000.00', '0.01000', { now: 8000 }));
      e.placeOrder(market(3, 'BUY', '0.01000', { now: 8000 }));
      expect(ids(e, 3)).toEqual([[8, true, 8000]]);
      expect(e.trades('BTCUSDT').map((t) => t.tradeId)).toEqual([2, 5, 6, 8]);
    }
    expect(json(copy.exportState())).toEqual(json(ex.exportState()));
  });

  it('an archive written before transient accounts (no tradeIds: row = tradeId) reads and grows as before', () => {
    const ex = exchange();
    for (let i = 0; i < 3; i++) {
      place(ex, limit(1, 'SELL', '30000.00', '0.01000', { now: 1000 * (i + 1) }));
      ex.placeOrder(market(2, 'BUY', '0.01000', { now: 1000 * (i + 1) }));
    }
    const state = structuredClone(ex.exportState());
    const archive = (state.symbols[0] as unknown as { tradeArchive: { tradeIds?: unknown } }).tradeArchive;
    expect(archive.tradeIds).toBeDefined();
    delete archive.tradeIds;
    const copy = new Exchange([BTC]);
    copy.importState(state);
    for (const e of [ex, copy]) {
      place(e, limit(2, 'SELL', '30000.00', '0.01000', { now: 9000 }));
      e.placeOrder(market(1, 'BUY', '0.01000', { now: 9000 }));
      expect(e.myTrades(1, 'BTCUSDT', { fromId: 2 }).map(({ trade: t }) => t.tradeId)).toEqual([2, 3, 4]);
      expect(e.myTrades(2, 'BTCUSDT').map(({ trade: t }) => [t.tradeId, t.time])).toEqual([
        [1, 1000],
        [2, 2000],
        [3, 3000],
        [4, 9000],
      ]);
    }
    expect(json(copy.exportState())).toEqual(json(ex.exportState()));
  });

  it('a snapshot keeps the free and just-released orderIds and the open orders in acceptance order: the same commands then give the same events', () => {
    const ex = withSim();
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const open: number[][] = [[], [], [], []];
    const accounts = [1, 2, SIM];
    const step = (e: Exchange, i: number): string => {
      const who = accounts[Math.floor(rnd() * 3)] as number;
      const mine = open[who === SIM ? 3 : who] as number[];
      if (mine.length > 0 && rnd() < 0.35) {
        const id = mine.splice(Math.floor(rnd() * mine.length), 1)[0] as number;
        try {
          return json(e.cancelOrder({ now: 10_000 + i, accountId: who, symbol: 'BTCUSDT', orderId: id }).events);
        } catch (err) {
          return String(err); // filled meanwhile
        }
      }
      const side = rnd() < 0.5 ? 'BUY' : 'SELL';
      const price = (30000 + Math.floor(rnd() * 40) - 20).toFixed(2);
      const r = e.placeOrder({ ...limit(who, side, price, '0.01000'), now: 10_000 + i });
      if (r.order.status === 'NEW' || r.order.status === 'PARTIALLY_FILLED') mine.push(r.order.spec.orderId);
      return json(r.events);
    };
    for (let i = 0; i < 600; i++) step(ex, i);
    // the last command closes a transient order: its orderId is released, not yet free
    const sim = ex.openOrders(SIM);
    expect(sim.length).toBeGreaterThan(1);
    cancel(ex, SIM, sim[0]!.spec.orderId);
    open[3] = open[3]!.filter((id) => id !== sim[0]!.spec.orderId);
    const copy = new Exchange([BTC]);
    copy.importState(structuredClone(ex.exportState()));
    expect(copy.openOrders(SIM).map((o) => o.spec.orderId)).toEqual(ex.openOrders(SIM).map((o) => o.spec.orderId));
    const saved = { seed, open: open.map((l) => [...l]) };
    const original = Array.from({ length: 600 }, (_, i) => step(ex, 600 + i));
    seed = saved.seed;
    open.splice(0, 4, ...saved.open);
    const restored = Array.from({ length: 600 }, (_, i) => step(copy, 600 + i));
    expect(restored).toEqual(original);
    expect(copy.openOrders(SIM).map((o) => o.spec.orderId)).toEqual(ex.openOrders(SIM).map((o) => o.spec.orderId));
    // the transient account's orderIds were reused (the table did not grow by its closed orders)
    expect(Math.max(...ex.openOrders(SIM).map((o) => o.spec.orderId))).toBeLessThan(1200);
  });

  it('a reused orderId carries nothing of its previous order (trailing stop, client id), through a snapshot too', () => {
    const ex = withSim();
    const stop = ex.placeOrder({
      ...limit(SIM, 'SELL', '29000.00', '0.01000'),
      type: 'STOP_LOSS_LIMIT',
      trailingDelta: 100,
      newClientOrderId: 'sim-stop',
    });
    expect(stop.order.spec.trailingDelta).toBe(100);
    cancel(ex, SIM, stop.order.spec.orderId);
    const plain = place(ex, limit(SIM, 'BUY', '29000.00', '0.01000'));
    expect(plain).toBe(stop.order.spec.orderId);
    const state = ex.exportState();
    // nothing of the forgotten order is kept: not its client id either
    expect((state.symbols[0] as unknown as { orders: { cidText: string } }).orders.cidText).not.toContain('sim-stop');
    const copy = new Exchange([BTC]);
    copy.importState(structuredClone(state));
    for (const e of [ex, copy]) {
      const o = e.getOrder(SIM, 'BTCUSDT', { orderId: plain });
      expect([o.spec.type, o.spec.trailingDelta, o.spec.clientOrderId === 'sim-stop']).toEqual([
        'LIMIT',
        undefined,
        false,
      ]);
    }
  });

  it("ownClientIds: their generated client ids come from their orderIds and leave users' sequence alone; without it (old journals) they share it", () => {
    const userIdsAfterSimTrading = (ownClientIds: boolean | null) => {
      const ex = exchange();
      ex.deposit({ now: 0, accountId: SIM, asset: 'BTC', amount: '1000' });
      if (ownClientIds !== null) ex.markTransient([SIM], ownClientIds);
      for (let i = 0; i < 50; i++) cancel(ex, SIM, place(ex, limit(SIM, 'SELL', '31000.00', '0.01000')));
      place(ex, limit(SIM, 'SELL', '31000.00', '0.01000'));
      ex.cancelOpenOrders({ now: 6000, accountId: SIM, symbol: 'BTCUSDT' });
      const copy = new Exchange([BTC]);
      copy.importState(structuredClone(ex.exportState()));
      return [ex, copy].map((e) => {
        cancel(e, SIM, place(e, limit(SIM, 'SELL', '31000.00', '0.01000'))); // after the snapshot too
        const r = e.placeOrder(limit(1, 'BUY', '29000.00', '0.01000'));
        return [r.order.spec.clientOrderId, cancel(e, 1, r.order.spec.orderId).cancelClientOrderId];
      });
    };
    const fresh = exchange();
    const first = fresh.placeOrder(limit(1, 'BUY', '29000.00', '0.01000'));
    const firstIds = [first.order.spec.clientOrderId, cancel(fresh, 1, first.order.spec.orderId).cancelClientOrderId];
    expect(userIdsAfterSimTrading(true)).toEqual([firstIds, firstIds]);
    const shared = userIdsAfterSimTrading(false);
    expect(shared[0]).not.toEqual(firstIds);
    expect(shared[1]).toEqual(shared[0]);
    expect(userIdsAfterSimTrading(null)).toEqual(shared);

    // the ids themselves: 22 characters, one per open order, found by origClientOrderId while open
    const ex = exchange();
    ex.deposit({ now: 0, accountId: SIM, asset: 'BTC', amount: '1000' });
    ex.markTransient([SIM], true);
    const a = ex.placeOrder(limit(SIM, 'SELL', '31000.00', '0.01000'));
    expect(a.events.some((e) => e.type === 'execution' && e.clientOrderId === a.order.spec.clientOrderId)).toBe(true);
    const b = ex.placeOrder(limit(SIM, 'SELL', '31000.00', '0.01000'));
    const [ca, cb] = [a.order.spec.clientOrderId, b.order.spec.clientOrderId];
    expect(ca).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(cb).not.toBe(ca);
    const gone = ex.cancelOrder({ now: 7000, accountId: SIM, symbol: 'BTCUSDT', origClientOrderId: ca });
    expect(gone.order.spec.orderId).toBe(a.order.spec.orderId);
    expect(gone.cancelClientOrderId).toMatch(/^[A-Za-z0-9]{22}$/);
    expect([ca, cb]).not.toContain(gone.cancelClientOrderId);
    expect(() => ex.getOrder(SIM, 'BTCUSDT', { origClientOrderId: ca })).toThrow(ApiError);
    expect(ex.getOrder(SIM, 'BTCUSDT', { origClientOrderId: cb }).spec.orderId).toBe(b.order.spec.orderId);
    // the next order reuses a's orderId, and so its client id: a's was released with it
    const c = ex.placeOrder(limit(SIM, 'SELL', '31000.00', '0.01000'));
    expect([c.order.spec.orderId, c.order.spec.clientOrderId]).toEqual([a.order.spec.orderId, ca]);
    expect(ex.getOrder(SIM, 'BTCUSDT', { origClientOrderId: ca }).spec.orderId).toBe(c.order.spec.orderId);
  });

  it('only an account that has not traded yet can become transient', () => {
    const ex = exchange();
    place(ex, limit(1, 'BUY', '29000.00', '0.01000'));
    expect(() => ex.markTransient([1])).toThrow(/has traded already/);
  });
});
