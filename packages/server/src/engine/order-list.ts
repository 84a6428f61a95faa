/**
 * Order lists (OCO, OTO, OTOCO, OPO, OPOCO): the list and its legs, its view, the order command of
 * each of its legs, and the reservation its live legs share.
 */
import type { Side } from '@binance-sandbox/protocol';
import type { Order } from './order.js';
import type { OrderListView } from './results.js';
import type { AccountId, OcoLeg, PlaceOcoCommand, PlaceOrderCommand } from './types.js';

export type ListKind = 'OCO' | 'OTO' | 'OTOCO' | 'OPO' | 'OPOCO';

export class OrderList {
  status: 'EXECUTING' | 'ALL_DONE' = 'EXECUTING';
  /** A leg's client order id changed while the list executes: its last listStatus was UPDATED. */
  updated = false;
  updateTime: number;
  /**
   * OPO / OPOCO: what the working order has received so far (base units), locked for the pending
   * order(s) until they go live with it as their quantity, or given back when the list ends first.
   */
  received = 0n;
  constructor(
    readonly symbol: string,
    readonly orderListId: number,
    readonly listClientOrderId: string,
    readonly accountId: AccountId,
    /**
     * OCO: the two legs; OTO / OPO: the working order, then the pending one; OTOCO / OPOCO: the
     * working order, then the pending pair.
     */
    readonly legs: Order[],
    readonly time: number,
    readonly kind: ListKind = 'OCO',
  ) {
    this.updateTime = time;
  }
  /** What Binance calls it: OCO, or OTO (for OTOCO, OPO and OPOCO lists too). */
  get contingencyType(): 'OCO' | 'OTO' {
    return this.kind === 'OCO' ? 'OCO' : 'OTO';
  }
  /** OPO / OPOCO: the working order pays the pending order(s) (their quantity is what it buys). */
  get pays(): boolean {
    return this.kind === 'OPO' || this.kind === 'OPOCO';
  }
  /**
   * Whether `o` is one of the legs that share one quantity and one reservation, the start of one
   * ending the others: the legs of an OCO, and the pending pair of an OTOCO once it is live.
   */
  inOcoGroup(o: Order): boolean {
    if (this.kind === 'OCO') return true;
    const working = this.legs[0] as Order;
    return (this.kind === 'OTOCO' || this.kind === 'OPOCO') && o.orderId !== working.orderId && !working.open;
  }
}

/** What every list command shares. */
export type ListHead = Pick<
  PlaceOcoCommand,
  'now' | 'accountId' | 'symbol' | 'listClientOrderId' | 'selfTradePreventionMode'
>;

/** The order command of one order of a list (the list's account, symbol, time and STP mode). */
export function listLegCommand(list: ListHead, l: OcoLeg, side: Side, quantity: string | undefined): PlaceOrderCommand {
  return {
    now: list.now,
    accountId: list.accountId,
    symbol: list.symbol,
    side,
    type: l.type,
    ...(quantity !== undefined ? { quantity } : {}),
    ...(l.price !== undefined ? { price: l.price } : {}),
    ...(l.stopPrice !== undefined ? { stopPrice: l.stopPrice } : {}),
    ...(l.icebergQty !== undefined ? { icebergQty: l.icebergQty } : {}),
    ...(l.timeInForce !== undefined ? { timeInForce: l.timeInForce } : {}),
    ...(l.clientOrderId !== undefined ? { newClientOrderId: l.clientOrderId } : {}),
    ...(l.strategyId !== undefined ? { strategyId: l.strategyId } : {}),
    ...(l.strategyType !== undefined ? { strategyType: l.strategyType } : {}),
    ...(l.pegPriceType !== undefined ? { pegPriceType: l.pegPriceType } : {}),
    ...(l.pegOffsetType !== undefined ? { pegOffsetType: l.pegOffsetType } : {}),
    ...(l.pegOffsetValue !== undefined ? { pegOffsetValue: l.pegOffsetValue } : {}),
    ...(l.trailingDelta !== undefined ? { trailingDelta: l.trailingDelta } : {}),
    ...(list.selfTradePreventionMode !== undefined ? { selfTradePreventionMode: list.selfTradePreventionMode } : {}),
  };
}

/** Moves the reservations of an order's open list siblings onto it (they share one reservation). */
export function takeListLock(o: Order): void {
  for (const leg of (o.list as OrderList).legs) {
    if (leg.orderId === o.orderId || !leg.open) continue;
    o.locked += leg.locked;
    leg.locked = 0n;
  }
}

export function listView(l: OrderList): OrderListView {
  return {
    symbol: l.symbol,
    orderListId: l.orderListId,
    listClientOrderId: l.listClientOrderId,
    contingencyType: l.contingencyType,
    status: l.status,
    updated: l.updated,
    time: l.time,
    updateTime: l.updateTime,
    orders: l.legs,
  };
}
