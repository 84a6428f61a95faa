/**
 * What the Exchange's commands return: placed, cancelled and amended orders, order lists, bulk
 * cancels, history queries. Placed and Canceled decode their events from the command's event words
 * when first read.
 */
import type { EventBatch } from './event-words.js';
import type { Order } from './order.js';
import type { EngineEvent, Fill, OrderView, TradeEvent } from './types.js';

export interface PlaceResult {
  readonly order: OrderView;
  /** Fills of this order in this command (FULL response). */
  readonly fills: readonly Fill[];
  readonly events: readonly EngineEvent[];
}

/**
 * placeOrder's result: fills and events decoded from the command's event words when first read
 * (getters; `toJSON` gives the plain shape) — before the engine's next command, which reuses the
 * words (a later first read throws; what was read once stays).
 */
export class Placed implements PlaceResult {
  private fillList: readonly Fill[] | null = null;
  constructor(
    readonly order: Order,
    private readonly batch: EventBatch,
  ) {}
  get fills(): readonly Fill[] {
    if (this.fillList === null) this.fillList = this.batch.fills(this.order.orderId);
    return this.fillList;
  }
  get events(): readonly EngineEvent[] {
    return this.batch.events;
  }
  /** EVENT_KIND bits of `events` (known without decoding them). */
  get eventKinds(): number {
    return this.batch.kinds;
  }
  toJSON(): PlaceResult {
    return { order: this.order, fills: this.fills, events: this.events };
  }
}

export interface CancelResult {
  readonly order: OrderView;
  /** The cancel request's client order id (given or generated). */
  readonly cancelClientOrderId: string;
  /** Set when the order belonged to a list: cancelling one leg cancels the list. */
  readonly list: OrderListView | undefined;
  readonly events: readonly EngineEvent[];
}

export class Canceled implements CancelResult {
  constructor(
    readonly order: OrderView,
    readonly cancelClientOrderId: string,
    readonly list: OrderListView | undefined,
    private readonly batch: EventBatch,
  ) {}
  get events(): readonly EngineEvent[] {
    return this.batch.events;
  }
  get eventKinds(): number {
    return this.batch.kinds;
  }
  toJSON(): CancelResult {
    return { order: this.order, cancelClientOrderId: this.cancelClientOrderId, list: this.list, events: this.events };
  }
}

export interface AmendResult {
  /** The order the request named, as amended. */
  readonly order: OrderView;
  readonly origClientOrderId: string;
  readonly executionId: number;
  readonly transactTime: number;
  /** Set when the order belongs to a list (an OCO amendment changes both legs). */
  readonly list: OrderListView | undefined;
  /** The amendment left nothing to execute: the order expired (and the request costs no weight). */
  readonly expired: boolean;
  readonly events: readonly EngineEvent[];
}

export interface OrderListView {
  readonly symbol: string;
  readonly orderListId: number;
  readonly listClientOrderId: string;
  readonly contingencyType: 'OCO' | 'OTO';
  readonly status: 'EXECUTING' | 'ALL_DONE';
  /** Its last listStatus was UPDATED (a leg's client order id changed). */
  readonly updated: boolean;
  readonly time: number;
  readonly updateTime: number;
  readonly orders: readonly OrderView[];
}

export interface OcoResult {
  readonly list: OrderListView;
  readonly events: readonly EngineEvent[];
}

export type CancelOpenOrdersItem =
  | { readonly kind: 'order'; readonly order: OrderView; readonly cancelClientOrderId: string }
  | { readonly kind: 'list'; readonly list: OrderListView; readonly cancelClientOrderId: string };

export interface CancelOpenOrdersResult {
  readonly items: readonly CancelOpenOrdersItem[];
  readonly events: readonly EngineEvent[];
}

export interface HistoryQuery {
  /** The time the query is made at: orders archived by then are left out (unset: none are). */
  readonly now?: number;
  readonly orderId?: number;
  readonly fromId?: number;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit?: number;
}

/** A trade from one account's point of view (GET myTrades). */
export interface AccountTrade {
  readonly trade: TradeEvent;
  readonly isBuyer: boolean;
}
