/**
 * Commands into the engine and events out of it. Amounts in events are integer "units" of 1e-8
 * (see decimal.ts): prices and quantities as numbers (always < 2^53), quote amounts, commissions
 * and balances as bigint. `formatUnits` renders them as Binance does; `renderEvent` (render.ts)
 * turns a whole event into plain JSON.
 */
import type { WorkingFloor } from './sor.js';
import type {
  ContingencyType,
  ExecutionType,
  ExpiryReason,
  ListOrderStatus,
  ListStatusType,
  OrderRejectReason,
  OrderStatus,
  OrderType,
  PegOffsetType,
  PegPriceType,
  SelfTradePreventionMode,
  Side,
  TimeInForce,
} from '@binance-sandbox/protocol';

export type AccountId = number;

// ---- commands -----------------------------------------------------------------------------------

interface Timed {
  /** Engine time of the command in ms (the journal records it; replay gives the same result). */
  readonly now: number;
}

export interface PlaceOrderCommand extends Timed {
  readonly accountId: AccountId;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce?: TimeInForce;
  readonly quantity?: string;
  readonly quoteOrderQty?: string;
  readonly price?: string;
  /** Trailing stop: BIPS (stop types only; stopPrice then optional). */
  readonly trailingDelta?: number;
  readonly stopPrice?: string;
  readonly icebergQty?: string;
  readonly newClientOrderId?: string;
  readonly selfTradePreventionMode?: SelfTradePreventionMode;
  readonly strategyId?: number;
  readonly strategyType?: number;
  /** A pegged order: its limit price comes from the book (see Peg). */
  readonly pegPriceType?: PegPriceType;
  readonly pegOffsetType?: PegOffsetType;
  readonly pegOffsetValue?: number;
}

/**
 * A pegged order's instructions (faqs/pegged_orders.md): its limit price is the best price on its
 * own side of the book (PRIMARY_PEG) or the other side (MARKET_PEG), `offset` price levels deeper;
 * set when it enters the book (at once, at its trigger, or when its list makes it live).
 */
export interface Peg {
  readonly orderId: number;
  readonly priceType: PegPriceType;
  /** PRICE_LEVEL offset, −1 when none was given. */
  readonly offset: number;
  /** The price it was pegged at, units; 0 until then. */
  peggedPrice: number;
}

export interface OrderRef {
  readonly orderId?: number;
  readonly origClientOrderId?: string;
}

export interface CancelOrderCommand extends Timed, OrderRef {
  readonly accountId: AccountId;
  readonly symbol: string;
  /** Client id of the cancel itself (generated when absent). */
  readonly newClientOrderId?: string;
  readonly cancelRestrictions?: 'ONLY_NEW' | 'ONLY_PARTIALLY_FILLED';
}

/** PUT /api/v3/order/amend/keepPriority. */
export interface AmendOrderCommand extends Timed, OrderRef {
  readonly accountId: AccountId;
  readonly symbol: string;
  /** The order's client id after the amendment (generated when absent; the current one keeps it). */
  readonly newClientOrderId?: string;
  /** Decimal string, less than the order's quantity. */
  readonly newQty: string;
}

/** One amendment of an order (GET /api/v3/order/amendments); quantities in units of 1e-8. */
export interface Amendment {
  readonly orderId: number;
  readonly executionId: number;
  readonly origClientOrderId: string;
  readonly newClientOrderId: string;
  readonly origQty: number;
  readonly newQty: number;
  readonly time: number;
}

export interface CancelOpenOrdersCommand extends Timed {
  readonly accountId: AccountId;
  readonly symbol: string;
}

/** One leg of `POST /api/v3/orderList/oco`. */
export interface OcoLeg {
  readonly type: OrderType;
  readonly clientOrderId?: string;
  readonly price?: string;
  readonly stopPrice?: string;
  readonly icebergQty?: string;
  readonly timeInForce?: TimeInForce;
  readonly strategyId?: number;
  readonly strategyType?: number;
  /** A trailing stop leg: BIPS (its stopPrice is then optional). */
  readonly trailingDelta?: number;
  readonly pegPriceType?: PegPriceType;
  readonly pegOffsetType?: PegOffsetType;
  readonly pegOffsetValue?: number;
  /**
   * The request's names of this leg's parameters (price → "abovePrice", …), so that a missing or
   * malformed one is named as the client sent it; plain order parameter names when absent.
   */
  readonly names?: LegParamNames;
}

/** Order parameters that a list names per leg. */
export type LegParam =
  | 'price'
  | 'stopPrice'
  | 'quantity'
  | 'timeInForce'
  | 'icebergQty'
  | 'trailingDelta'
  | 'pegPriceType'
  | 'pegOffsetType'
  | 'pegOffsetValue';
export type LegParamNames = { readonly [P in LegParam]?: string };

/** One order of an OTO list (its own side and quantity). */
export interface OtoLeg extends OcoLeg {
  readonly side: Side;
  readonly quantity: string;
}

/**
 * POST /api/v3/orderList/oto: a working LIMIT / LIMIT_MAKER order, and a pending order placed only
 * once the working one is fully filled.
 */
export interface PlaceOtoCommand extends Timed {
  readonly accountId: AccountId;
  readonly symbol: string;
  readonly working: OtoLeg;
  readonly pending: OtoLeg;
  readonly listClientOrderId?: string;
  readonly selfTradePreventionMode?: SelfTradePreventionMode;
}

/**
 * POST /api/v3/orderList/otoco: a working order, and a pending OCO pair (same side and quantity)
 * placed once the working order is fully filled.
 */
export interface PlaceOtocoCommand extends Timed {
  readonly accountId: AccountId;
  readonly symbol: string;
  readonly working: OtoLeg;
  readonly pendingSide: Side;
  readonly pendingQuantity: string;
  readonly pendingAbove: OcoLeg;
  readonly pendingBelow: OcoLeg;
  readonly listClientOrderId?: string;
  readonly selfTradePreventionMode?: SelfTradePreventionMode;
}

/**
 * POST /api/v3/orderList/opo: an OTO whose pending SELL order has no quantity of its own — it sells
 * what the working BUY order receives (locked for it as the working order fills).
 */
export interface PlaceOpoCommand extends Omit<PlaceOtoCommand, 'pending'> {
  readonly pending: OcoLeg & { readonly side: Side };
}

/** POST /api/v3/orderList/opoco: an OTOCO whose pending pair sells what the working order receives. */
export type PlaceOpocoCommand = Omit<PlaceOtocoCommand, 'pendingQuantity'>;

export interface PlaceOcoCommand extends Timed {
  readonly accountId: AccountId;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: string;
  readonly above: OcoLeg;
  readonly below: OcoLeg;
  readonly listClientOrderId?: string;
  readonly selfTradePreventionMode?: SelfTradePreventionMode;
}

export interface CancelOrderListCommand extends Timed {
  readonly accountId: AccountId;
  readonly symbol: string;
  readonly orderListId?: number;
  readonly listClientOrderId?: string;
  readonly newClientOrderId?: string;
}

// ---- orders -------------------------------------------------------------------------------------

/** The immutable part of an order, shared by all its events. Amounts in units (1e-8). */
export interface OrderSpec {
  readonly symbol: string;
  readonly orderId: number;
  readonly orderListId: number;
  readonly clientOrderId: string;
  readonly accountId: AccountId;
  readonly side: Side;
  readonly type: OrderType;
  /** MARKET and untimed types report GTC, as Binance does. */
  readonly timeInForce: TimeInForce;
  /** 0 for MARKET / STOP_LOSS / TAKE_PROFIT. */
  readonly price: number;
  /** For a quoteOrderQty MARKET order: the quantity the engine computed from the book. */
  readonly origQty: number;
  readonly origQuoteOrderQty: bigint;
  /** 0 when none. */
  readonly stopPrice: number;
  /** 0 when none. */
  readonly icebergQty: number;
  readonly selfTradePreventionMode: SelfTradePreventionMode;
  readonly strategyId: number | undefined;
  readonly strategyType: number | undefined;
  /** Creation time. */
  readonly time: number;
  /** Trailing stops only: the delta in BIPS. */
  readonly trailingDelta?: number;
  /** Pegged orders only. */
  readonly peg?: Peg | null;
}

/** The spec fields of an order as a plain object (what an order serialises to as JSON). */
export function specOf(o: OrderSpec): OrderSpec {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    accountId: o.accountId,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    price: o.price,
    origQty: o.origQty,
    origQuoteOrderQty: o.origQuoteOrderQty,
    stopPrice: o.stopPrice,
    icebergQty: o.icebergQty,
    selfTradePreventionMode: o.selfTradePreventionMode,
    strategyId: o.strategyId,
    strategyType: o.strategyType,
    time: o.time,
    ...(o.trailingDelta ? { trailingDelta: o.trailingDelta } : {}),
    ...(o.peg ? { peg: { ...o.peg } } : {}),
  };
}

/** A read-only view of an order's state (GET order, openOrders, allOrders, responses). */
export interface OrderView {
  readonly spec: OrderSpec;
  readonly status: OrderStatus;
  /** Executed quantity in units. */
  readonly executedQty: number;
  readonly cumQuote: bigint;
  readonly isWorking: boolean;
  /** −1 until the order works (an untriggered stop). */
  readonly workingTime: number;
  readonly updateTime: number;
  /** Quantity prevented by self-trade prevention, units. */
  readonly preventedQty: number;
  readonly preventedMatchId: number;
  readonly expiryReason: ExpiryReason | undefined;
  /** Trailing stops only: when it started tracking the price (−1 before). */
  readonly trailingTime?: number;
  /**
   * A pending order of an OPO list before its working order filled: its quantity is not known yet
   * (answers leave `origQty` out, as Binance does).
   */
  readonly quantityPending?: boolean;
  /** SOR orders only: where the order last worked (`workingFloor`; `usedSor` true). */
  readonly workingFloor?: WorkingFloor;
}

/** One fill of the taker order, for the FULL response. */
export interface Fill {
  readonly price: number;
  readonly qty: number;
  readonly commission: bigint;
  readonly commissionAsset: string;
  readonly tradeId: number;
  /** An allocation (SOR): its id (`allocId`; matchType ONE_PARTY_TRADE_REPORT, tradeId −1). */
  readonly allocId?: number;
}

// ---- events -------------------------------------------------------------------------------------

/** Everything executionReport needs (reference notes §10.2). */
export interface ExecutionEvent {
  readonly type: 'execution';
  readonly accountId: AccountId;
  readonly order: OrderSpec;
  /** `c`: the order's client id; for a cancel, the cancel request's client id. */
  readonly clientOrderId: string;
  /** `C`: the canceled order's client id; "" otherwise. */
  readonly origClientOrderId: string;
  readonly executionType: ExecutionType;
  readonly status: OrderStatus;
  readonly rejectReason: OrderRejectReason;
  readonly transactTime: number;
  readonly executionId: number;
  readonly lastQty: number;
  readonly lastPrice: number;
  readonly lastQuoteQty: bigint;
  readonly cumQty: number;
  readonly cumQuoteQty: bigint;
  readonly commission: bigint;
  readonly commissionAsset: string | null;
  /** −1 when not a trade. */
  readonly tradeId: number;
  readonly isWorking: boolean;
  readonly isMaker: boolean;
  readonly workingTime: number;
  /** −1 unless self-trade prevention touched the order. */
  readonly preventedMatchId: number;
  readonly preventedQty: number;
  readonly lastPreventedQty: number;
  readonly counterOrderId: number;
  readonly expiryReason: ExpiryReason | undefined;
  /** `D`, trailing stops only: when it started tracking the price (−1 before). */
  readonly trailingTime?: number;
  /** `gp`, pegged orders only: the price it is pegged at (absent before it is set). */
  readonly peggedPrice?: number;
  /** SOR orders: `k` (and `uS` true), as the order's working floor was when the event happened. */
  readonly workingFloor?: WorkingFloor;
  /** `Cs` of a TRADE_PREVENTION with an order of another symbol (SOR); the order's own symbol otherwise. */
  readonly counterSymbol?: string;
  /** `a`: a fill by an allocation (`b` ONE_PARTY_TRADE_REPORT). */
  readonly allocId?: number;
}

/** A trade, for market data (trade/aggTrade/klines/tickers) and myTrades. */
export interface TradeEvent {
  readonly type: 'trade';
  readonly symbol: string;
  readonly tradeId: number;
  readonly price: number;
  readonly qty: number;
  readonly quoteQty: bigint;
  readonly time: number;
  readonly isBuyerMaker: boolean;
  readonly buyerOrderId: number;
  readonly sellerOrderId: number;
  readonly buyerAccountId: AccountId;
  readonly sellerAccountId: AccountId;
  readonly buyerOrderListId: number;
  readonly sellerOrderListId: number;
  /** Buyer pays commission in the base asset, seller in the quote asset. */
  readonly buyerCommission: bigint;
  readonly sellerCommission: bigint;
  readonly baseAsset: string;
  readonly quoteAsset: string;
}

/** Changed price levels of one command (diff-depth). Quantities are the new totals (0 = removed). */
export interface DepthEvent {
  readonly type: 'depth';
  readonly symbol: string;
  readonly time: number;
  readonly firstUpdateId: number;
  readonly lastUpdateId: number;
  /** [price units, quantity units]. */
  readonly bids: readonly (readonly [number, number])[];
  readonly asks: readonly (readonly [number, number])[];
}

export interface BalanceSnapshot {
  readonly asset: string;
  readonly free: bigint;
  readonly locked: bigint;
}

/** outboundAccountPosition: the assets of one account that changed in one command. */
export interface AccountEvent {
  readonly type: 'account';
  readonly accountId: AccountId;
  readonly time: number;
  readonly balances: readonly BalanceSnapshot[];
}

/** balanceUpdate: deposit / withdrawal. */
export interface BalanceUpdateEvent {
  readonly type: 'balanceUpdate';
  readonly accountId: AccountId;
  readonly asset: string;
  readonly delta: bigint;
  readonly time: number;
}

/** The first fill of an order (partial or full): the ORDERS limiter decrements its count. */
export interface FirstFillEvent {
  readonly type: 'firstFill';
  readonly accountId: AccountId;
  readonly symbol: string;
  readonly orderId: number;
  readonly time: number;
}

export interface ListStatusEvent {
  readonly type: 'listStatus';
  readonly accountId: AccountId;
  readonly symbol: string;
  readonly orderListId: number;
  readonly contingencyType: ContingencyType;
  readonly listStatusType: ListStatusType;
  readonly listOrderStatus: ListOrderStatus;
  readonly listRejectReason: 'NONE';
  readonly listClientOrderId: string;
  readonly transactionTime: number;
  readonly orders: readonly { readonly symbol: string; readonly orderId: number; readonly clientOrderId: string }[];
}

/** A match that self-trade prevention stopped (GET myPreventedMatches). */
export interface PreventedMatchEvent {
  readonly type: 'preventedMatch';
  readonly symbol: string;
  readonly preventedMatchId: number;
  readonly takerOrderId: number;
  readonly makerOrderId: number;
  readonly accountId: AccountId;
  readonly tradeGroupId: number;
  readonly selfTradePreventionMode: SelfTradePreventionMode;
  readonly price: number;
  readonly takerPreventedQuantity: number;
  readonly makerPreventedQuantity: number;
  readonly transactTime: number;
  /** The maker's symbol when it is not `symbol` (an SOR order and an order on another book of its group). */
  readonly makerSymbol?: string;
}

/**
 * A block trade (Binance's block trading desk: negotiated off the book, published as market data):
 * reported through the admin API, it touches no book and no balance.
 */
export interface BlockTradeEvent {
  readonly type: 'blockTrade';
  readonly symbol: string;
  /** Per symbol, from 1. */
  readonly id: number;
  /** units of 1e-8 */
  readonly price: number;
  readonly qty: number;
  /** price × qty, rounded down to 8 decimals. */
  readonly quoteQty: bigint;
  readonly time: number;
  readonly isBuyerMaker: boolean;
}

export type EngineEvent =
  | ExecutionEvent
  | TradeEvent
  | DepthEvent
  | AccountEvent
  | BalanceUpdateEvent
  | FirstFillEvent
  | ListStatusEvent
  | PreventedMatchEvent
  | BlockTradeEvent;

/**
 * One bit per event type: what a command's events contain (`eventKinds` of its result), and what a
 * listener reads (ExchangeService.onEvents) — a listener is not called, and nothing is decoded for
 * it, when the command produced none of its kinds.
 */
export const EVENT_KIND: Readonly<Record<EngineEvent['type'], number>> = {
  execution: 1,
  trade: 2,
  depth: 4,
  account: 8,
  balanceUpdate: 16,
  firstFill: 32,
  listStatus: 64,
  preventedMatch: 128,
  blockTrade: 256,
};
export const ALL_EVENT_KINDS = 511;

/** The kinds of `events` (for results whose events are already objects). */
export function eventKinds(events: readonly EngineEvent[]): number {
  let k = 0;
  for (let i = 0; i < events.length; i++) k |= EVENT_KIND[(events[i] as EngineEvent).type];
  return k;
}
