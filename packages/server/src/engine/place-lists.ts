/**
 * Order lists: OCO, OTO, OPO, OTOCO, OPOCO placement, and cancelling a list.
 */

import { EngineMessage, Err, ErrorCode, type Side } from '@binance-sandbox/protocol';
import { Account, type SymbolAccount } from './account.js';
import { Order } from './order.js';
import { type ListHead, type ListKind, listLegCommand, listView, OrderList } from './order-list.js';
import { checkPaidList, checkWorkingOrder, rejected } from './order-rules.js';
import { type OcoResult, type OrderListView } from './results.js';
import { SymbolState } from './symbol-state.js';
import {
  type CancelOrderListCommand,
  type EngineEvent,
  type OcoLeg,
  type PlaceOcoCommand,
  type PlaceOpoCommand,
  type PlaceOpocoCommand,
  type PlaceOtoCommand,
  type PlaceOtocoCommand,
} from './types.js';
import type { EngineCore } from './engine-core.js';
import { settleTriggers } from './triggers.js';
import { prepare, type Draft } from './validate-order.js';

/** POST /api/v3/orderList/oco: an above and a below leg; one executing expires the other. */
/**
 * The checks of an OCO pair (of an OCO, or an OTOCO's pending orders), nothing changed: leg types
 * and places, each leg's filters and rules, the price relationship; and the one reservation the
 * pair will share (the larger of the legs' needs).
 */
function prepareOcoPair(
  core: EngineCore,
  s: SymbolState,
  list: PlaceOcoCommand | PlaceOpocoCommand,
  side: Side,
  quantity: string | undefined,
  above: OcoLeg,
  below: OcoLeg,
  newOrders: number,
  /** The pair waits for a working order (OTOCO / OPOCO). */
  entersLater: boolean,
): { dAbove: Draft; dBelow: Draft; lock: bigint } {
  const quantityLater = quantity === undefined;
  const isBuy = side === 'BUY';
  const legType = (l: OcoLeg) =>
    l.type === 'LIMIT_MAKER'
      ? 'LM'
      : l.type === 'TAKE_PROFIT' || l.type === 'TAKE_PROFIT_LIMIT'
        ? 'TP'
        : l.type === 'STOP_LOSS' || l.type === 'STOP_LOSS_LIMIT'
          ? 'SL'
          : null;
  const a = legType(above);
  const b = legType(below);
  if (a === null || b === null) throw Err.of(ErrorCode.OCO_ORDER_TYPE_REJECTED, 'Order type not supported in OCO.');
  if (a !== 'SL' && b !== 'SL')
    throw Err.of(ErrorCode.BOTH_OCO_ORDERS_CANNOT_BE_LIMIT, 'At least one OCO order must be contingent.');
  for (const [leg, name] of [
    [above, 'aboveIcebergQty'],
    [below, 'belowIcebergQty'],
  ] as const) {
    // '%s' is the parameter as the client sent it (pendingAboveIcebergQty, order/oco's stopIcebergQty)
    if (leg.icebergQty !== undefined && leg.timeInForce !== undefined && leg.timeInForce !== 'GTC')
      throw Err.of(
        ErrorCode.OCO_ICEBERGQTY_TIMEINFORCE,
        `Parameter '${leg.names?.icebergQty ?? name}' is not supported if \`aboveTimeInForce\`/\`belowTimeInForce\` is not GTC.`,
      );
  }
  // leg placement rules: SELL → limit/take-profit above, stop-loss below; BUY mirrored
  if (isBuy) {
    if (a === 'LM') throw Err.of(ErrorCode.BUY_OCO_LIMIT_MUST_BE_BELOW, 'A limit order in a buy OCO must be below.');
    if (a === 'TP')
      throw Err.of(ErrorCode.BUY_OCO_TAKE_PROFIT_MUST_BE_BELOW, 'A take profit order in a buy OCO must be below.');
    if (b === 'SL')
      throw Err.of(ErrorCode.BUY_OCO_STOP_LOSS_MUST_BE_ABOVE, 'A stop loss order in a buy OCO must be above.');
  } else {
    if (b === 'LM') throw Err.of(ErrorCode.SELL_OCO_LIMIT_MUST_BE_ABOVE, 'A limit order in a sell OCO must be above.');
    if (b === 'TP')
      throw Err.of(ErrorCode.SELL_OCO_TAKE_PROFIT_MUST_BE_ABOVE, 'A take profit order in a sell OCO must be above.');
    if (a === 'SL')
      throw Err.of(ErrorCode.SELL_OCO_STOP_LOSS_MUST_BE_BELOW, 'A stop loss order in a sell OCO must be below.');
  }
  const acct = core.accounts.get(list.accountId);
  const sa = s.accounts.get(list.accountId);
  const legCmd = (l: OcoLeg) => listLegCommand(list, l, side, quantity);
  const opts = { newOrders, sharedLock: true, quantityLater, entersLater, inList: true };
  const dAbove = prepare(core, s, legCmd(above), acct, sa, { ...opts, names: above.names });
  const dBelow = prepare(core, s, legCmd(below), acct, sa, { ...opts, names: below.names });
  if (dAbove.clientOrderId !== undefined && dAbove.clientOrderId === dBelow.clientOrderId)
    throw rejected(EngineMessage.DUPLICATE_ORDER);
  // price relationship: above value > last price > below value (a trailing leg without a stop
  // price has no trigger price yet: 0, left out of the comparisons)
  const upper = a === 'LM' || above.type === 'TAKE_PROFIT_LIMIT' ? dAbove.priceT : dAbove.stopT;
  const lower = b === 'LM' || below.type === 'TAKE_PROFIT_LIMIT' ? dBelow.priceT : dBelow.stopT;
  const aboveTrigger = dAbove.isStop ? dAbove.stopT : dAbove.priceT;
  const belowTrigger = dBelow.isStop ? dBelow.stopT : dBelow.priceT;
  const misordered = (hi: number, lo: number) => hi > 0 && lo > 0 && !(hi > lo);
  if (misordered(upper, lower) || misordered(aboveTrigger, belowTrigger)) throw rejected(EngineMessage.OCO_BAD_PRICES);
  if (s.lastT >= 0 && (misordered(aboveTrigger, s.lastT) || misordered(s.lastT, belowTrigger)))
    throw rejected(EngineMessage.OCO_BAD_PRICES);
  // one reservation for the list: the larger of the legs' needs
  const lock = dAbove.lock > dBelow.lock ? dAbove.lock : dBelow.lock;
  return { dAbove, dBelow, lock };
}

export function placeOco(core: EngineCore, cmd: PlaceOcoCommand): OcoResult {
  const s = core.sym(cmd.symbol);
  const c = s.c;
  if (!c.def.ocoAllowed) throw rejected(EngineMessage.OCO_NOT_SUPPORTED);
  const acct = core.accounts.get(cmd.accountId);
  const { dAbove, dBelow, lock } = prepareOcoPair(core, s, cmd, cmd.side, cmd.quantity, cmd.above, cmd.below, 2, false);
  const bal = acct?.balances.get(cmd.side === 'BUY' ? c.quote : c.base);
  if (lock > 0n && (!bal || bal.free < lock)) throw rejected(EngineMessage.INSUFFICIENT_BALANCE);

  core.begin(cmd.now);
  const listId = s.nextListId++;
  // Binance orders the legs below first, then above (by price); the stop-loss of a SELL is below.
  const first = core.accept(s, dBelow, listId, lock);
  const second = core.accept(s, dAbove, listId, 0n);
  const list = openList(core, s, cmd, listId, [first, second], 'OCO');
  core.work(s, first);
  core.work(s, second);
  settleTriggers(core, s);
  const events = core.end(s).events;
  return { list: listView(list), events };
}

/**
 * POST /api/v3/orderList/oto: the working order (LIMIT or LIMIT_MAKER) goes to the book; the pending
 * order waits as PENDING_NEW, reserves nothing, and goes live once the working order is fully
 * filled (its funds are reserved then; without them it expires). Expiry of the working order
 * expires the pending one; cancelling either cancels both. Both count as open orders.
 */
export function placeOto(core: EngineCore, cmd: PlaceOtoCommand): OcoResult {
  return placeWorkingAndPending(core, cmd, cmd.pending, 'OTO');
}

/**
 * POST /api/v3/orderList/opo: an OTO whose working order is a BUY and whose pending SELL has no
 * quantity: what the working order receives is locked for it as it fills (the commission paid from
 * free funds when they cover it, else out of what was received), and becomes its quantity — rounded
 * down to the lot step, the rest given back — when it goes live.
 */
export function placeOpo(core: EngineCore, cmd: PlaceOpoCommand): OcoResult {
  return placeWorkingAndPending(core, cmd, cmd.pending, 'OPO');
}

function placeWorkingAndPending(
  core: EngineCore,
  cmd: PlaceOtoCommand | PlaceOpoCommand,
  pendingLeg: OcoLeg & { readonly side: Side; readonly quantity?: string },
  kind: 'OTO' | 'OPO',
): OcoResult {
  const s = core.sym(cmd.symbol);
  checkWorkingOrder(s.c, cmd.working);
  if (kind === 'OPO') checkPaidList(s.c, cmd.working, pendingLeg.side);
  const acct = core.accounts.get(cmd.accountId);
  const sa = s.accounts.get(cmd.accountId);
  const dWorking = prepareWorking(core, s, cmd, acct, sa, 2);
  const dPending = prepare(core, s, listLegCommand(cmd, pendingLeg, pendingLeg.side, pendingLeg.quantity), acct, sa, {
    newOrders: 2,
    inList: true,
    sharedLock: true,
    names: pendingLeg.names,
    quantityLater: kind === 'OPO',
    entersLater: true,
  });
  if (dWorking.clientOrderId !== undefined && dWorking.clientOrderId === dPending.clientOrderId)
    throw rejected(EngineMessage.DUPLICATE_ORDER);

  return startWorkingList(core, s, cmd, dWorking, [dPending], kind);
}

/**
 * Places a checked OTO-style list: its working order, which goes to work at once, and its pending
 * order(s) (an OCO pair: below, then above), which wait as PENDING_NEW and reserve nothing yet.
 */
function startWorkingList(
  core: EngineCore,
  s: SymbolState,
  cmd: ListHead,
  dWorking: Draft,
  dPending: readonly Draft[],
  kind: ListKind,
): OcoResult {
  core.begin(cmd.now);
  const listId = s.nextListId++;
  const working = core.accept(s, dWorking, listId);
  const legs = [working, ...dPending.map((d) => core.accept(s, d, listId, 0n, true))];
  const list = openList(core, s, cmd, listId, legs, kind);
  core.work(s, working);
  settleTriggers(core, s);
  const events = core.end(s).events;
  return { list: listView(list), events };
}

/** The working order of an OTO-style list (it enters the book at once). */
function prepareWorking(
  core: EngineCore,
  s: SymbolState,
  cmd: PlaceOtoCommand | PlaceOpoCommand | PlaceOpocoCommand,
  acct: Account | undefined,
  sa: SymbolAccount | undefined,
  newOrders: number,
): Draft {
  const w = cmd.working;
  return prepare(core, s, listLegCommand(cmd, w, w.side, w.quantity), acct, sa, {
    newOrders,
    inList: true,
    names: w.names,
  });
}

/**
 * POST /api/v3/orderList/otoco: an OTO whose pending order is an OCO pair. The pair waits as
 * PENDING_NEW (the OCO checks made now), and goes live as an OCO when the working order fills,
 * reserving then what its larger leg needs.
 */
export function placeOtoco(core: EngineCore, cmd: PlaceOtocoCommand): OcoResult {
  return placeWorkingAndPair(core, cmd, cmd.pendingQuantity, 'OTOCO');
}

/** POST /api/v3/orderList/opoco: an OTOCO whose pending pair sells what the working order buys (see placeOpo). */
export function placeOpoco(core: EngineCore, cmd: PlaceOpocoCommand): OcoResult {
  return placeWorkingAndPair(core, cmd, undefined, 'OPOCO');
}

function placeWorkingAndPair(
  core: EngineCore,
  cmd: PlaceOpocoCommand,
  pendingQuantity: string | undefined,
  kind: 'OTOCO' | 'OPOCO',
): OcoResult {
  const s = core.sym(cmd.symbol);
  const c = s.c;
  checkWorkingOrder(c, cmd.working);
  if (kind === 'OPOCO') checkPaidList(c, cmd.working, cmd.pendingSide);
  if (!c.def.ocoAllowed) throw rejected(EngineMessage.OCO_NOT_SUPPORTED);
  const acct = core.accounts.get(cmd.accountId);
  const sa = s.accounts.get(cmd.accountId);
  const dWorking = prepareWorking(core, s, cmd, acct, sa, 3);
  const { dAbove, dBelow } = prepareOcoPair(
    core,
    s,
    cmd,
    cmd.pendingSide,
    pendingQuantity,
    cmd.pendingAbove,
    cmd.pendingBelow,
    3,
    true,
  );
  const cid = dWorking.clientOrderId;
  if (cid !== undefined && (cid === dAbove.clientOrderId || cid === dBelow.clientOrderId))
    throw rejected(EngineMessage.DUPLICATE_ORDER);

  // the pair below first, then above, as an OCO
  return startWorkingList(core, s, cmd, dWorking, [dBelow, dAbove], kind);
}

/** Registers a new list of accepted orders and reports them (NEW, then EXEC_STARTED). */
function openList(
  core: EngineCore,
  s: SymbolState,
  cmd: ListHead,
  listId: number,
  legs: Order[],
  type: ListKind,
): OrderList {
  const id = cmd.listClientOrderId ?? core.nextClientOrderId();
  const list = new OrderList(s.c.name, listId, id, cmd.accountId, legs, cmd.now, type);
  for (const leg of legs) leg.list = list;
  s.lists.set(listId, list);
  const sa = s.account(core.account(cmd.accountId));
  sa.lists.push(list);
  sa.openLists++;
  sa.acct.openLists++;
  for (const leg of legs) core.exec(leg, 'NEW');
  core.listEvent(s, list, 'EXEC_STARTED');
  return list;
}

export function cancelOrderList(
  core: EngineCore,
  cmd: CancelOrderListCommand,
): {
  list: OrderListView;
  cancelClientOrderId: string;
  events: readonly EngineEvent[];
} {
  const s = core.sym(cmd.symbol);
  const sa = s.accounts.get(cmd.accountId);
  if (cmd.orderListId === undefined && cmd.listClientOrderId === undefined)
    throw Err.eitherParam('orderListId', 'listClientOrderId');
  let list: OrderList | undefined;
  if (cmd.orderListId !== undefined) {
    list = s.lists.get(cmd.orderListId);
    if (list && cmd.listClientOrderId !== undefined && list.listClientOrderId !== cmd.listClientOrderId)
      list = undefined;
  } else if (sa) {
    for (let i = sa.lists.length - 1; i >= 0; i--)
      if ((sa.lists[i] as OrderList).listClientOrderId === cmd.listClientOrderId) {
        list = sa.lists[i];
        break;
      }
  }
  if (!list || list.accountId !== cmd.accountId || list.status !== 'EXECUTING')
    throw Err.of(ErrorCode.CANCEL_REJECTED, EngineMessage.UNKNOWN_ORDER);
  core.begin(cmd.now);
  const cancelId = cmd.newClientOrderId ?? core.nextClientOrderId();
  core.cancelList(s, list, cancelId);
  const events = core.end(s).events;
  return { list: listView(list), cancelClientOrderId: cancelId, events };
}
