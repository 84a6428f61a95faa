/**
 * Stops and trailing stops, and OTO-style pending orders going live.
 */

import { notionalUnits, safeInt } from './decimal.js';
import { settle } from './account.js';
import { Order } from './order.js';
import { OrderList } from './order-list.js';
import { icebergPartsFail, triggers, walk } from './order-rules.js';
import { SymbolState, type Trail } from './symbol-state.js';
import type { EngineCore } from './engine-core.js';
import { pegNow, notionalFails, wouldTake } from './validate-order.js';

/** A trailing stop of order `orderId`, waiting until armed. */
export function newTrail(s: SymbolState, orderId: number, delta: number): Trail {
  const trail: Trail = { orderId, delta, time: -1, extremeT: -1, fired: false };
  s.trails.set(orderId, trail);
  return trail;
}

/**
 * A trailing stop starts waiting (placed, or an OTO pending order gone live): without a stop price,
 * or with one the last price already reached, it tracks from the last price at once (from the next
 * trade before any); otherwise from the first trade that reaches its stop price.
 */
export function armTrail(core: EngineCore, s: SymbolState, o: Order): void {
  const trail = o.trail as Trail;
  if (s.lastT >= 0 && (o.stopT === 0 || triggers(o.type, o.isBuy, o.stopT, s.lastT))) {
    trail.time = core.now;
    trail.extremeT = s.lastT;
  }
  s.trailing++;
}

/** Every trade price moves the waiting trailing stops (trailing-stop FAQ): start, follow, fire. */
export function trackTrails(core: EngineCore, s: SymbolState, p: number): void {
  for (let i = 0; i < s.stops.length; i++) {
    const o = s.stops[i] as Order;
    const t = o.trail;
    if (t === null || t.fired) continue;
    if (t.time < 0) {
      if (o.stopT === 0 || triggers(o.type, o.isBuy, o.stopT, p)) {
        t.time = core.now;
        t.extremeT = p;
        o.updateTime = core.now;
      }
      continue;
    }
    // BUY: a rise of delta BIPS from the lowest price since; SELL: a fall from the highest
    if (o.isBuy) {
      if (p < t.extremeT) t.extremeT = p;
      else if (p * 10000 >= t.extremeT * (10000 + t.delta)) t.fired = true;
    } else if (p > t.extremeT) t.extremeT = p;
    else if (p * 10000 <= t.extremeT * (10000 - t.delta)) t.fired = true;
  }
}

/** Stops the command's trades triggered, and OTO pending orders whose working order filled, until none. */
export function settleTriggers(core: EngineCore, s: SymbolState): void {
  runTriggers(core, s);
  for (let list = core.activations.shift(); list !== undefined; list = core.activations.shift()) {
    activate(core, s, list);
    // a stop that has just gone live triggers if the last price already reached it (this did not
    // depend on whether other stops were waiting)
    core.traded = true;
    runTriggers(core, s);
  }
}

/**
 * An OTO's pending order (an OTOCO's pending pair, as an OCO) goes live: its funds are reserved
 * now — it may spend what the working order just bought; a pair reserves what its larger leg
 * needs — and without them it expires. An OPO's pending order(s) are paid by the working order.
 */
function activate(core: EngineCore, s: SymbolState, list: OrderList): void {
  const pending = list.legs.filter((o) => o.open && o.status === 'PENDING_NEW');
  if (pending.length === 0) return;
  // pegged limit orders take their price now: before their reservation, after an OPO's quantity
  const pegAll = () => pending.every((o) => o.peg === null || o.isStop || pegNow(core, s, o));
  const live = list.pays
    ? payPending(core, s, list, pending) && pegAll()
    : pegAll() && reservePending(core, s, pending);
  if (!live) {
    for (const o of pending) if (o.open) core.expire(s, o, 'EXPIRED', undefined);
    return;
  }
  for (const o of pending) {
    o.status = 'NEW';
    o.updateTime = core.now;
    if (!o.isStop) {
      o.isWorking = true;
      o.workingTime = core.now;
    }
    if (o.trail !== null) armTrail(core, s, o);
    core.exec(o, 'NEW');
  }
  for (const o of pending) {
    if (!o.open) continue;
    // a LIMIT_MAKER never takes: one the book has reached since it was placed expires (with its pair)
    if (o.type === 'LIMIT_MAKER' && wouldTake(o.isBuy ? s.asks : s.bids, o.isBuy, o.priceT)) {
      core.expire(s, o, 'EXPIRED', undefined);
      core.expireOcoPartners(s, o);
    } else core.work(s, o);
  }
}

/** Reserves what the pending order(s) need from free funds; false when they are not there. */
function reservePending(core: EngineCore, s: SymbolState, pending: Order[]): boolean {
  const first = pending[0] as Order;
  let need = 0n;
  for (const o of pending) {
    const n = reservationAtActivation(s, o);
    if (n > need) need = n;
  }
  const b = first.isBuy ? first.quoteBal : first.baseBal;
  settle(b);
  if (need > b.free) return false;
  if (need > 0n) {
    b.free -= need;
    b.locked += need;
    first.locked = need;
    core.touch(b);
  }
  return true;
}

/**
 * OPO: the pending order(s) take what the working order received as their quantity, rounded down
 * to the lot step (and to the largest lot), and its lock as their reservation; the rest is given
 * back. False when that quantity fails a filter (everything received is given back when they
 * expire and the list ends).
 */
function payPending(core: EngineCore, s: SymbolState, list: OrderList, pending: Order[]): boolean {
  const c = s.c;
  let step = 1;
  let min = 1;
  let max = Infinity;
  for (const o of pending) {
    for (const lot of o.isMarket ? [c.lot, c.marketLot] : [c.lot]) {
      if (lot === undefined) continue;
      if (lot.stepS > step) step = lot.stepS;
      if (lot.minS > min) min = lot.minS;
      if (lot.maxS > 0 && lot.maxS < max) max = lot.maxS;
    }
  }
  let qtyS = safeInt(list.received / BigInt(c.qUnit));
  if (qtyS > max) qtyS = max;
  qtyS -= qtyS % step;
  if (qtyS < min) return false;
  for (const o of pending) {
    if (o.icebergS > qtyS) return false;
    for (const f of c.filters) {
      if (f.kind === 'ICEBERG_PARTS' && icebergPartsFail(f, qtyS, o.icebergS)) return false;
      if ((f.kind === 'NOTIONAL' || f.kind === 'MIN_NOTIONAL') && notionalFails(core, s, f, o, qtyS, -1n)) return false;
    }
  }
  const qtyU = qtyS * c.qUnit;
  for (const o of pending) {
    o.origQty = qtyU;
    o.remS = qtyS;
    o.visS = o.icebergS > 0 && o.icebergS < qtyS ? o.icebergS : qtyS;
  }
  (pending[0] as Order).locked = BigInt(qtyU);
  core.releaseReceived(list, list.received - BigInt(qtyU));
  list.received = 0n;
  return true;
}

/** What a pending order reserves when it goes live (a BUY stop-market: nothing until it triggers). */
function reservationAtActivation(s: SymbolState, o: Order): bigint {
  const c = s.c;
  if (!o.isBuy) return BigInt(o.remS * c.qUnit);
  if (!o.isMarket) return notionalUnits(o.priceT, o.remS, c.fn, c.fd);
  return o.isStop ? 0n : walk(c, s.asks, -1, o.remS, -1n).cost;
}

function runTriggers(core: EngineCore, s: SymbolState): void {
  while (core.traded && s.stops.length > 0) {
    core.traded = false;
    for (let i = 0; i < s.stops.length; i++) {
      const o = s.stops[i] as Order;
      const trail = o.trail;
      if (trail !== null ? !trail.fired : !triggers(o.type, o.isBuy, o.stopT, s.lastT)) continue;
      s.stops.splice(i, 1);
      if (trail !== null) s.trailing--;
      trigger(core, s, o);
      core.traded = true;
      break; // rescan: the trigger may have moved the last price
    }
  }
}

function trigger(core: EngineCore, s: SymbolState, o: Order): void {
  if (o.peg !== null && !(pegNow(core, s, o) && reserveAtPeg(core, o))) {
    core.expire(s, o, 'EXPIRED', undefined);
    return;
  }
  o.isWorking = true;
  o.workingTime = core.now;
  o.updateTime = core.now;
  if (o.list?.inOcoGroup(o)) core.listStarted(s, o);
  if (o.isMarket && o.isBuy) {
    const cost = walk(s.c, s.asks, -1, o.remS, -1n).cost;
    if (cost > o.locked) {
      const b = o.quoteBal;
      settle(b);
      const extra = cost - o.locked < b.free ? cost - o.locked : b.free;
      if (extra > 0n) {
        b.free -= extra;
        b.locked += extra;
        o.locked += extra;
        core.touch(b);
      }
    }
  }
  core.work(s, o);
  if (o.open && o.isBuy) core.tighten(o);
}

/** A BUY pegged when triggered reserves what its price needs beyond what it holds (false: not there). */
function reserveAtPeg(core: EngineCore, o: Order): boolean {
  if (!o.isBuy) return true;
  const need = notionalUnits(o.priceT, o.remS, o.sym.fn, o.sym.fd) - o.locked;
  if (need <= 0n) return true;
  const b = o.quoteBal;
  settle(b);
  if (need > b.free) return false;
  b.free -= need;
  b.locked += need;
  o.locked += need;
  core.touch(b);
  return true;
}
