/**
 * The one source of user data events: a per-account fan-out of the engine's events, each rendered
 * once (per time unit, lazily) however many streams of the account listen. Both the legacy
 * listenKey streams (ws/streams/user-data.ts) and the WS API's `userDataStream.subscribe` (a later
 * issue) subscribe here.
 *
 * Payloads (reference notes §10.2), in the engine's event order within a command:
 * - executionReport: engine/responses.ts `executionReport` (E = the execution's transactTime);
 * - outboundAccountPosition: `outboundAccountPosition` (E = u = the command's time);
 * - balanceUpdate: `{e, E, a, d, T}` (E = T = the deposit/withdrawal time);
 * - listStatus: `{e, E, s, g, c, l, L, r, C, T, O:[{s, i, c}]}` (E = T).
 * Time fields (E, T, O, W, D, u) are multiplied by 1000 for `timeUnit=MICROSECOND` connections
 * (a trailing stop's `D` of -1, not yet activated, stays -1).
 */
import type {
  AccountEvent,
  BalanceUpdateEvent,
  EngineEvent,
  ExecutionEvent,
  ListStatusEvent,
} from '../engine/types.js';
import { formatUnits } from '../engine/decimal.js';
import { executionReport, outboundAccountPosition } from '../engine/responses.js';
import { EVENT_KIND } from '../engine/types.js';
import type { ExchangeService } from '../exchange/service.js';

const USER_EVENT_KINDS = EVENT_KIND.execution | EVENT_KIND.account | EVENT_KIND.balanceUpdate | EVENT_KIND.listStatus;

/** Renders the event's JSON; `timeScale` 1 (ms) or 1000 (µs). Cached per scale. */
export type UserEventRender = (timeScale: 1 | 1000) => string;

export interface UserEvent {
  readonly accountId: number;
  /** `executionReport`, `outboundAccountPosition`, `balanceUpdate` or `listStatus`. */
  readonly kind: string;
  readonly render: UserEventRender;
}

export type UserEventListener = (event: UserEvent) => void;

type Obj = Record<string, unknown>;

/** Keys holding times in each payload (multiplied for µs). */
const TIME_KEYS: Readonly<Record<string, readonly string[]>> = {
  executionReport: ['E', 'T', 'O', 'W', 'D'],
  outboundAccountPosition: ['E', 'u'],
  balanceUpdate: ['E', 'T'],
  listStatus: ['E', 'T'],
  listenKeyExpired: ['E'],
};

/** A render function that serializes `payload` once per time scale. */
export function cachedRender(payload: Obj): UserEventRender {
  let ms: string | undefined;
  let us: string | undefined;
  return (scale) => {
    if (scale === 1) return (ms ??= JSON.stringify(payload));
    if (us === undefined) {
      const scaled: Obj = { ...payload };
      for (const k of TIME_KEYS[payload.e as string] ?? ['E']) {
        const v = scaled[k];
        if (typeof v === 'number' && v > 0) scaled[k] = v * 1000;
      }
      us = JSON.stringify(scaled);
    }
    return us;
  };
}

export function balanceUpdatePayload(e: BalanceUpdateEvent): Obj {
  return { e: 'balanceUpdate', E: e.time, a: e.asset, d: formatUnits(e.delta), T: e.time };
}

export function listStatusPayload(e: ListStatusEvent): Obj {
  return {
    e: 'listStatus',
    E: e.transactionTime,
    s: e.symbol,
    g: e.orderListId,
    c: e.contingencyType,
    l: e.listStatusType,
    L: e.listOrderStatus,
    r: e.listRejectReason,
    C: e.listClientOrderId,
    T: e.transactionTime,
    O: e.orders.map((o) => ({ s: o.symbol, i: o.orderId, c: o.clientOrderId })),
  };
}

/** The user-data payload of an engine event, or null when it is not a user data event. */
export function userPayload(e: EngineEvent): { accountId: number; payload: Obj } | null {
  switch (e.type) {
    case 'execution':
      return { accountId: e.accountId, payload: executionReport(e as ExecutionEvent) as Obj };
    case 'account':
      return { accountId: e.accountId, payload: outboundAccountPosition(e as AccountEvent) as Obj };
    case 'balanceUpdate':
      return { accountId: e.accountId, payload: balanceUpdatePayload(e) };
    case 'listStatus':
      return { accountId: e.accountId, payload: listStatusPayload(e) };
    default:
      return null;
  }
}

export class UserEvents {
  private readonly byAccount = new Map<number, Set<UserEventListener>>();
  /**
   * Unsubscribes from the exchange's events; null while no account is listened to (commands then
   * have nothing decoded for user data).
   */
  private off: (() => void) | null = null;

  constructor(private readonly exchange: ExchangeService) {}

  /** Listens to one account's events; returns the unsubscribe function. */
  subscribe(accountId: number, listener: UserEventListener): () => void {
    let set = this.byAccount.get(accountId);
    if (set === undefined) {
      set = new Set();
      this.byAccount.set(accountId, set);
    }
    set.add(listener);
    this.off ??= this.exchange.onEvents(this.onEvents, USER_EVENT_KINDS);
    return () => {
      const s = this.byAccount.get(accountId);
      if (s === undefined) return;
      s.delete(listener);
      if (s.size === 0) this.byAccount.delete(accountId);
      if (this.byAccount.size === 0) this.stopListening();
    };
  }

  listeners(accountId: number): number {
    return this.byAccount.get(accountId)?.size ?? 0;
  }

  private readonly onEvents = (events: readonly EngineEvent[]): void => {
    for (const e of events) {
      if (e.type !== 'execution' && e.type !== 'account' && e.type !== 'balanceUpdate' && e.type !== 'listStatus')
        continue;
      const subs = this.byAccount.get(e.accountId);
      if (subs === undefined) continue;
      const p = userPayload(e);
      if (p === null) continue;
      const event: UserEvent = { accountId: p.accountId, kind: p.payload.e as string, render: cachedRender(p.payload) };
      for (const l of [...subs]) l(event);
    }
  };

  private stopListening(): void {
    this.off?.();
    this.off = null;
  }

  close(): void {
    this.stopListening();
    this.byAccount.clear();
  }
}
