/**
 * Amend keep priority: reducing an open order's quantity where it stands.
 */

import { EngineMessage, Err, ErrorCode } from '@binance-sandbox/protocol';
import { NO_ASSET } from './event-words.js';
import { clientOrderId } from './ids.js';
import { Order } from './order.js';
import { listView, OrderList } from './order-list.js';
import { amendRejected, fail, lotOk, num } from './order-rules.js';
import { type AmendResult } from './results.js';
import { isOpen, refId, SymbolState } from './symbol-state.js';
import { type AmendOrderCommand } from './types.js';
import type { EngineCore } from './engine-core.js';

/**
 * PUT /api/v3/order/amend/keepPriority: reduces an open order's quantity in place — same orderId,
 * same place in its price level's queue — under a new client order id (generated unless given; the
 * current one may be given to keep it). The legs of an OCO share one quantity, so amending either
 * amends every open leg (only the named leg changes its client id). An amendment that leaves
 * nothing to execute (newQty ≤ executedQty) expires the order. Every check comes before any change.
 */
export function amendOrder(core: EngineCore, cmd: AmendOrderCommand): AmendResult {
  const s = core.sym(cmd.symbol);
  const c = s.c;
  if (cmd.orderId === undefined && cmd.origClientOrderId === undefined)
    throw Err.eitherParam('orderId', 'origClientOrderId');
  if (!c.def.amendAllowed) throw amendRejected(EngineMessage.AMEND_NOT_SUPPORTED);
  const newU = num(cmd.newQty, 'newQty', c.qtyDecimals);
  const o = core.find(s, cmd.accountId, cmd);
  if (o === undefined || typeof o === 'number' || !o.open) throw amendRejected(EngineMessage.UNKNOWN_ORDER);
  if (o.quantityPending) throw amendRejected(EngineMessage.AMEND_PENDING_OPO);
  if (cmd.orderId !== undefined && cmd.origClientOrderId !== undefined && o.clientOrderId !== cmd.origClientOrderId)
    throw amendRejected(EngineMessage.UNKNOWN_ORDER);
  if (newU === o.origQty) throw amendRejected(EngineMessage.NO_STATE_CHANGE);
  if (newU > o.origQty) throw amendRejected(EngineMessage.AMEND_QTY_INCREASE);
  const newS = newU / c.qUnit;
  const lot = o.isMarket ? (c.marketLot ?? c.lot) : c.lot;
  if (newU <= 0 || !Number.isInteger(newS) || (lot !== undefined && !lotOk(lot, newS)))
    throw fail(lot === c.marketLot && lot !== undefined ? 'MARKET_LOT_SIZE' : 'LOT_SIZE');
  if ((s.amendments.get(o.orderId)?.length ?? 0) >= c.maxAmends)
    throw amendRejected('Filter failure: MAX_NUM_ORDER_AMENDS');
  const cid = cmd.newClientOrderId;
  if (cid !== undefined) {
    if (cid.length === 0) throw Err.of(ErrorCode.EMPTY_NEW_CL_ORD_ID, 'New client order ID was empty.');
    const other = core.byCid(s, cmd.accountId, o.sa, cid);
    if (other !== undefined && refId(other) !== o.orderId && isOpen(other))
      throw amendRejected(EngineMessage.DUPLICATE_ORDER);
  }

  core.begin(cmd.now);
  const origClientOrderId = o.clientOrderId;
  const origQty = o.origQty;
  const list = o.list;
  // OCO legs share one quantity; so does an OTOCO's pending pair (not its working order)
  const working = list !== null && list.kind !== 'OCO' ? list.legs[0] : null;
  const shared =
    list !== null &&
    (list.kind === 'OCO' || ((list.kind === 'OTOCO' || list.kind === 'OPOCO') && o.orderId !== working?.orderId));
  const legs = shared ? (list as OrderList).legs.filter((l) => l.open && l.orderId !== working?.orderId) : [o];
  if (cid !== origClientOrderId) renameOrder(core, s, o, cid);
  let executionId = -1;
  for (const leg of legs) {
    reduceOrder(core, s, leg, newU, newS);
    const named = leg.orderId === o.orderId;
    const orig = named ? origClientOrderId : leg.clientOrderId;
    core.exec(leg, 'REPLACED', 0, 0, 0, 0, NO_ASSET, -1, false, undefined, orig);
    if (named) executionId = core.executionId;
  }
  if (list !== null) {
    // a leg the amendment expired (what self-trade prevention took exceeds the new quantity) ends its pair
    const expired = legs.find((l) => !l.open);
    if (expired !== undefined) core.expireOcoPartners(s, expired);
    if (list.inOcoGroup(o)) core.releaseListExcess(list);
    if (cid !== origClientOrderId && list.status === 'EXECUTING') core.listUpdated(s, list);
  }
  let history = s.amendments.get(o.orderId);
  if (history === undefined) s.amendments.set(o.orderId, (history = []));
  history.push({
    orderId: o.orderId,
    executionId,
    origClientOrderId,
    newClientOrderId: o.clientOrderId,
    origQty,
    newQty: newU,
    time: cmd.now,
  });
  const events = core.end(s).events;
  return {
    order: o,
    origClientOrderId,
    executionId,
    transactTime: cmd.now,
    list: list === null ? undefined : listView(list),
    expired: o.status === 'EXPIRED',
    events,
  };
}

/** Gives an open order another client order id (`cid`, or a generated one). */
function renameOrder(core: EngineCore, s: SymbolState, o: Order, cid: string | undefined): void {
  const sa = o.sa;
  if (o.cidSeq > 0) core.genIds.clear(o.cidSeq);
  else sa.unindexClientId(o.clientOrderId, o.orderId);
  if (cid === undefined) {
    const seq = ++core.cidSeq;
    if (seq < 4294967296) {
      o.generatedId(seq);
      core.genIds.set(seq, s.index, o.orderId);
      return;
    }
    cid = clientOrderId(core.seed, seq);
  }
  o.clientOrderId = cid;
  sa.indexClientId(cid, o.orderId);
}

/**
 * Lowers an open order's quantity to `newU` (newS steps) where it stands; expires it when nothing is
 * left. What self-trade prevention took (DECREMENT) is gone for good, as what was executed.
 */
function reduceOrder(core: EngineCore, s: SymbolState, o: Order, newU: number, newS: number): void {
  o.origQty = newU;
  o.updateTime = core.now;
  const remS = newS - o.execS - o.preventedS;
  if (remS <= 0) {
    core.detach(s, o);
    o.remS = 0;
    o.status = 'EXPIRED';
    core.close(s, o);
    return;
  }
  const cut = o.remS - remS;
  const visS = o.visS < remS ? o.visS : remS;
  const lvl = o.level;
  if (lvl !== null) {
    lvl.qty -= o.visS - visS;
    lvl.total -= cut;
    core.touchLevel(s, lvl);
  }
  o.remS = remS;
  o.visS = visS;
  if (!o.list?.inOcoGroup(o) || o.list.status !== 'EXECUTING') {
    if (o.isBuy) core.tighten(o);
    else core.shrinkSellLock(o);
  }
}
