/**
 * One symbol's state: its order table and books, stops, order lists, the state of each account
 * trading it (SymbolAccount), amendments, trailing stops and pegs by orderId, ids, trade history
 * and the average price window.
 */
import type { SymbolStatus } from '@binance-sandbox/protocol';
import { BookSide, type Level } from './book.js';
import { ById } from './by-id.js';
import { type Account, SymbolAccount } from './account.js';
import { Chains } from './chains.js';
import type { OrderList } from './order-list.js';
import type { Order } from './order.js';
import { OrderTable } from './order-table.js';
import type { CompiledPriceRange } from './price-range.js';
import { PriceWindow } from './price-window.js';
import type { ReferencePrice } from './reference-price.js';
import type { SorLedger } from './sor.js';
import type { CompiledSymbol } from './symbol.js';
import { TradeArchive } from './trade-archive.js';
import type { Amendment, BlockTradeEvent, Peg } from './types.js';

/**
 * A trailing stop's tracking: it starts once the stop price condition holds (at once without a stop
 * price), follows the most favourable trade price since (`extremeT`, ticks), and fires on a move of
 * `delta` BIPS against the order from there. Kept per symbol by orderId for the order's history too.
 */
export interface Trail {
  readonly orderId: number;
  readonly delta: number;
  /** When tracking started (−1 before): the orders' `trailingTime`. */
  time: number;
  extremeT: number;
  fired: boolean;
}

/** An order found by id: its view (open, or an order-list leg), or the orderId of a closed one (history). */
export type FoundOrder = Order | number;

export const refId = (r: FoundOrder): number => (typeof r === 'number' ? r : r.orderId);
export const isOpen = (r: FoundOrder | undefined): boolean => r !== undefined && typeof r !== 'number' && r.open;

/** One symbol's state (the engine keeps one per symbol). */
export class SymbolState {
  /** Every order by orderId: open ones, list legs, closed ones (history; forgotten rows when lean). */
  readonly table: OrderTable;
  readonly bids: BookSide;
  readonly asks: BookSide;
  readonly accounts = new ById<SymbolAccount>();
  readonly stops: Order[] = [];
  readonly lists = new Map<number, OrderList>();
  /** Amendments by orderId, oldest first (kept for closed orders too: GET order/amendments). */
  readonly amendments = new Map<number, Amendment[]>();
  /** Trailing stops by orderId (kept for closed orders too: their trailingDelta / trailingTime). */
  readonly trails = new Map<number, Trail>();
  /** Pegged orders' instructions by orderId (kept for closed orders too). */
  readonly pegs = new Map<number, Peg>();
  /** Trailing stops waiting in `stops` (trades only look at them when there are some). */
  trailing = 0;
  /** Trades, with retained history. */
  tradeArchive: TradeArchive;
  /** Links of the per-account history lists (SymbolAccount.orders / trades). */
  orderChains = new Chains();
  tradeChains = new Chains();
  nextOrderId = 1;
  /**
   * OrderIds of transient accounts' closed orders, for their next orders to reuse (last first), and
   * those closed by the current command (free from the next one: its events still read their rows).
   */
  readonly freeIds: number[] = [];
  readonly releasing: number[] = [];
  nextTradeId = 1;
  nextListId = 1;
  nextPreventedId = 1;
  updateId = 0;
  /** Last trade price in ticks, −1 before the first trade. */
  lastT = -1;
  /** Per-minute trade volume: the reference price of PERCENT_PRICE filters and avgPrice. */
  readonly window: PriceWindow;
  /** Levels the current command changed: the first `touchedCount` (kept allocated between commands). */
  readonly touched: Level[] = [];
  touchedCount = 0;
  /**
   * Commissions not yet in Exchange.fees (numbers < 2^53), added there when they would pass 2^53 and
   * whenever the fees are read; after the first commands that took each (which add the asset to
   * Exchange.fees: its entries keep their first-seen order).
   */
  feeB = 0;
  feeQ = 0;
  feeBSeen = false;
  feeQSeen = false;
  /** The price-range execution rule and the reference price (execution rules configured for the symbol). */
  priceRange: CompiledPriceRange | null = null;
  referencePrice: ReferencePrice | null = null;
  /** A MAX_ASSET filter caps its base or its quote asset (orders take the general path). */
  assetCapped = false;
  /** Its trading status now: the definition's, until the admin API changes it (`setSymbolStatus`). */
  status: SymbolStatus;
  /** Block trades reported on the symbol, oldest first (ids 1, 2, …). */
  readonly blockTrades: BlockTradeEvent[] = [];
  /** Allocations and SOR orders' working floors (the symbol is in an SOR configuration). */
  sor: SorLedger | null = null;
  /** PERCENT_PRICE bounds cache: per filter [ref, bidLo, bidHi, askLo, askHi] in units. */
  readonly pctBounds: number[];
  constructor(
    readonly c: CompiledSymbol,
    /** Position in the engine's symbol list (GeneratedIds). */
    readonly index: number,
    readonly seed: number,
  ) {
    this.status = c.def.status;
    this.table = new OrderTable(c);
    this.bids = this.table.bids = new BookSide(true, this.table);
    this.asks = this.table.asks = new BookSide(false, this.table);
    this.pctBounds = new Array<number>(c.fPercent.length * 5).fill(-1);
    this.tradeArchive = new TradeArchive(c.name, c.base, c.quote);
    this.window = new PriceWindow(c.maxAvgPriceMins);
  }
  account(acct: Account): SymbolAccount {
    let a = this.accounts.get(acct.id);
    if (a === undefined) {
      const t = this.table;
      const index = t.accounts.length;
      a = new SymbolAccount(acct, acct.balance(this.c.base), acct.balance(this.c.quote), this.seed, index, t);
      t.accounts.push(a);
      this.accounts.set(acct.id, a);
      acct.symbolAccounts.push(a);
    }
    return a;
  }
  /** An open order or a list leg by orderId. */
  order(id: number): Order | undefined {
    return this.table.order(id);
  }
}
