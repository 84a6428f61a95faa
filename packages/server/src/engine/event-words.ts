/**
 * A command's events as numbers ("words") in one reusable buffer, decoded into EngineEvent objects
 * only when someone asks (`EventBatch.events`).
 *
 * Why: a plain order makes 3–6 events of 15–25 fields each, a good part of them BigInt amounts and
 * client-id strings; as objects they were about a fifth of the engine's time (allocation and the
 * collections it causes). As words, an event costs a few stores; the BigInts, strings and objects
 * are made by the consumer that decodes them. Amounts are numbers while they are safe integers (NaN
 * and the value in `refs` beyond); strings and the rare events (balanceUpdate, listStatus,
 * preventedMatch) go to `refs`, read back in the order they were written.
 *
 * The words are written into one reusable scratch array (a plain array of doubles), which the batch
 * reads in place: no copy. The next command overwrites them, so a batch is read before the engine's
 * next command — as the service does (it publishes and renders synchronously) — or it throws;
 * events once read stay (they are decoded into objects, kept by the batch). Why not a copy per
 * command: it was ~0.7 KB per order, half of all the engine allocated, for events that a consumer
 * reads at once or never. Its orders decode as views of the order table (their spec fields as they
 * are then: an amendment changes origQty and the client id of the order, as it did when events held
 * the order itself).
 */
import type { WorkingFloor } from './sor.js';
import {
  EXECUTION_TYPES,
  EXPIRY_REASONS,
  ORDER_STATUSES,
  type ExecutionType,
  type OrderStatus,
} from '@binance-sandbox/protocol';
import { Order } from './order.js';
import { EXTRAS, generatedId, OPEN, WORKING as ORDER_WORKING } from './order-row.js';
import type { OrderTable } from './order-table.js';
import { wideBig } from './decimal.js';
import { B_ASSET, B_FREE_HI, B_FREE_LO, B_LOCK_HI, B_LOCK_LO } from './account-store.js';
import type { CompiledSymbol } from './symbol.js';
import {
  EVENT_KIND,
  type AccountEvent,
  type BalanceSnapshot,
  type EngineEvent,
  type ExecutionEvent,
  type Fill,
  type TradeEvent,
} from './types.js';

const MAX_SAFE_N = BigInt(Number.MAX_SAFE_INTEGER);

const EXECUTION = 1;
const TRADE = 2;
const DEPTH = 3;
const ACCOUNT = 4;
const FIRST_FILL = 5;
const OBJECT = 6;

/** Words of an execution event and of a trade (fixed sizes). */
const EXECUTION_WORDS = 24;
const TRADE_WORDS = 14;

const EXEC_CODE = new Map<ExecutionType, number>(EXECUTION_TYPES.map((v, i) => [v, i]));
const TRADE_EXECUTION = EXEC_CODE.get('TRADE') as number;
const WORKING = 1;
const MAKER = 2;
const TRAILING = 4;
const PEGGED = 8;

/** The commission asset of an execution: none, the symbol's base, its quote. */
export const NO_ASSET = 0;
export const BASE_ASSET = 1;
export const QUOTE_ASSET = 2;

/** Asset names by code (interned once per process: an account event carries codes, not strings). */
const ASSET_NAMES: string[] = [];
const ASSET_CODES = new Map<string, number>();
export function assetCode(asset: string): number {
  let c = ASSET_CODES.get(asset);
  if (c === undefined) {
    c = ASSET_NAMES.push(asset) - 1;
    ASSET_CODES.set(asset, c);
  }
  return c;
}

const NO_REFS: readonly unknown[] = [];
const NO_FILLS: readonly Fill[] = Object.freeze([]);

export class EventWriter {
  /** The current command's words: w[0 … n) (a plain array of doubles, grown as needed). */
  readonly w: number[] = new Array<number>(4096).fill(0.5);
  private n = 0;
  /** Commands begun: a batch reads the words while this is still its own command's. */
  generation = 0;
  private refs: unknown[] = [];
  /** TRADE events of the current command (a batch without any has no fills to look for). */
  private trades = 0;
  /** EVENT_KIND bits of the current command's events. */
  private kinds = 0;

  /** Starts a command's events. */
  begin(): void {
    this.generation++;
    this.n = 0;
    this.trades = 0;
    this.kinds = 0;
    if (this.refs.length !== 0) this.refs = [];
  }

  /** Room for `k` more words. */
  private room(k: number): number[] {
    const w = this.w;
    if (this.n + k > w.length) for (let i = w.length, end = 2 * (this.n + k); i < end; i++) w.push(0.5);
    return w;
  }

  /** A bigint-valued amount: as a number when safe, else NaN and the value in refs. */
  private amount(v: number | bigint): number {
    if (typeof v === 'number') return v;
    if (v <= MAX_SAFE_N && v >= -MAX_SAFE_N) return Number(v);
    this.refs.push(v);
    return NaN;
  }

  /**
   * An executionReport of order `o`. `clientOrderId` undefined: the order's own (its generated
   * sequence, or its client-given id); `cumQuote` as number when the order's overflow part is 0.
   */
  execution(
    o: Order,
    executionType: ExecutionType,
    executionId: number,
    lastQty: number,
    lastPrice: number,
    lastQuoteQty: number | bigint,
    commission: number | bigint,
    commissionAsset: number,
    tradeId: number,
    isMaker: boolean,
    clientOrderId: string | undefined,
    origClientOrderId: string,
    lastPreventedQty: number,
    counterOrderId: number,
  ): void {
    const w = this.room(EXECUTION_WORDS);
    this.kinds |= EVENT_KIND.execution;
    const t = o.t;
    const id = o.orderId;
    let k = this.n;
    w[k++] = EXECUTION;
    w[k++] = id;
    const seq = t.cidSeq[id] as number;
    if (clientOrderId === undefined && seq > 0) w[k++] = seq;
    else {
      this.refs.push(clientOrderId ?? o.clientOrderId);
      w[k++] = -1;
    }
    if (origClientOrderId === '') w[k++] = 0;
    else {
      this.refs.push(origClientOrderId);
      w[k++] = -1;
    }
    w[k++] = EXEC_CODE.get(executionType) as number;
    w[k++] = t.status[id] as number;
    w[k++] = executionId;
    w[k++] = lastQty;
    w[k++] = lastPrice;
    w[k++] = this.amount(lastQuoteQty);
    w[k++] = (t.execS[id] as number) * t.sym.qUnit;
    const f = t.flags[id] as number;
    const x = (f & EXTRAS) !== 0 ? t.extras.get(id) : undefined;
    const cumB = x === undefined ? 0n : x.cumB;
    w[k++] = cumB === 0n ? (t.cumN[id] as number) : this.amount(cumB + BigInt(t.cumN[id] as number));
    w[k++] = this.amount(commission);
    w[k++] = commissionAsset;
    w[k++] = tradeId;
    const trail = x === undefined ? null : x.trail;
    const peg = x === undefined ? null : x.peg;
    const pegged = peg !== null && peg.peggedPrice > 0;
    const working = (f & (ORDER_WORKING | OPEN)) === (ORDER_WORKING | OPEN);
    w[k++] = (working ? WORKING : 0) | (isMaker ? MAKER : 0) | (trail !== null ? TRAILING : 0) | (pegged ? PEGGED : 0);
    w[k++] = t.workingTime[id] as number;
    w[k++] = x === undefined ? -1 : x.preventedMatchId;
    w[k++] = x === undefined ? 0 : x.preventedS * t.sym.qUnit;
    w[k++] = lastPreventedQty;
    w[k++] = counterOrderId;
    w[k++] = t.expiry[id] as number;
    w[k++] = trail !== null ? trail.time : 0;
    w[k++] = pegged ? peg.peggedPrice : 0;
    this.n = k;
  }

  trade(
    tradeId: number,
    price: number,
    qty: number,
    quoteQty: number | bigint,
    isBuyerMaker: boolean,
    buyer: Order,
    seller: Order,
    buyerCommission: number | bigint,
    sellerCommission: number | bigint,
  ): void {
    const w = this.room(TRADE_WORDS);
    this.trades++;
    this.kinds |= EVENT_KIND.trade;
    let k = this.n;
    w[k++] = TRADE;
    w[k++] = tradeId;
    w[k++] = price;
    w[k++] = qty;
    w[k++] = this.amount(quoteQty);
    w[k++] = isBuyerMaker ? 1 : 0;
    w[k++] = buyer.orderId;
    w[k++] = seller.orderId;
    w[k++] = buyer.accountId;
    w[k++] = seller.accountId;
    w[k++] = buyer.orderListId;
    w[k++] = seller.orderListId;
    w[k++] = this.amount(buyerCommission);
    w[k++] = this.amount(sellerCommission);
    this.n = k;
  }

  /** A diff-depth update: the first `nb` of `bids` and `na` of `asks`, [price, qty] pairs flattened. */
  depth(
    firstUpdateId: number,
    lastUpdateId: number,
    bids: readonly number[],
    nb: number,
    asks: readonly number[],
    na: number,
  ): void {
    const w = this.room(5 + nb + na);
    this.kinds |= EVENT_KIND.depth;
    let k = this.n;
    w[k++] = DEPTH;
    w[k++] = firstUpdateId;
    w[k++] = lastUpdateId;
    w[k++] = nb;
    w[k++] = na;
    for (let i = 0; i < nb; i++) w[k++] = bids[i] as number;
    for (let i = 0; i < na; i++) w[k++] = asks[i] as number;
    this.n = k;
  }

  /** outboundAccountPosition: `n` balances, each written with `balance`. */
  account(accountId: number, n: number): void {
    const w = this.room(3 + 5 * n);
    this.kinds |= EVENT_KIND.account;
    w[this.n++] = ACCOUNT;
    w[this.n++] = accountId;
    w[this.n++] = n;
  }
  /** One balance of the account event (room made by `account`). */
  balance(b: Float64Array, row: number): void {
    const w = this.w;
    let k = this.n;
    w[k++] = b[row + B_ASSET] as number;
    w[k++] = b[row + B_FREE_HI] as number;
    w[k++] = b[row + B_FREE_LO] as number;
    w[k++] = b[row + B_LOCK_HI] as number;
    w[k++] = b[row + B_LOCK_LO] as number;
    this.n = k;
  }

  firstFill(accountId: number, orderId: number): void {
    const w = this.room(3);
    this.kinds |= EVENT_KIND.firstFill;
    w[this.n++] = FIRST_FILL;
    w[this.n++] = accountId;
    w[this.n++] = orderId;
  }

  /** A rare event, kept as it is. */
  object(e: EngineEvent): void {
    this.room(1)[this.n++] = OBJECT;
    this.refs.push(e);
    this.kinds |= EVENT_KIND[e.type];
  }

  /** The command's events (its words, read in place); `table`: the command's symbol (none for deposits). */
  finish(table: OrderTable | undefined, now: number, seed: number): EventBatch {
    const refs = this.refs.length === 0 ? NO_REFS : this.refs;
    return new EventBatch(this, this.generation, this.n, refs, table, now, seed, this.trades, this.kinds);
  }
}

export class EventBatch {
  private decoded: EngineEvent[] | null = null;
  constructor(
    private readonly writer: EventWriter,
    private readonly generation: number,
    /** Its words: writer.w[0 … n). */
    private readonly n: number,
    private readonly refs: readonly unknown[],
    private readonly table: OrderTable | undefined,
    private readonly now: number,
    private readonly seed: number,
    private readonly trades: number,
    /** EVENT_KIND bits of its events. */
    readonly kinds: number,
  ) {}

  get events(): EngineEvent[] {
    if (this.decoded === null) this.decoded = this.decode();
    return this.decoded;
  }

  /** The words, while they are still this command's. */
  private words(): readonly number[] {
    if (this.writer.generation !== this.generation)
      throw new Error("engine result read after the engine's next command: read its events or fills before");
    return this.writer.w;
  }

  /**
   * The FULL answer's fills: order `orderId`'s TRADE executions as the taker, in order (read from
   * the words: no other event is decoded).
   */
  fills(orderId: number): readonly Fill[] {
    if (this.trades === 0) return NO_FILLS;
    if (this.decoded !== null) return fillsOf(this.decoded, orderId);
    const w = this.words();
    const n = this.n;
    const refs = this.refs;
    const c = this.table?.sym as CompiledSymbol;
    const out: Fill[] = [];
    let r = 0; // refs read by the events before k
    for (let k = 0; k < n; k += eventSize(w, k)) {
      const kind = w[k] as number;
      if (kind === TRADE) r += nan(w[k + 4] as number) + nan(w[k + 12] as number) + nan(w[k + 13] as number);
      else if (kind === OBJECT) r += 1;
      else if (kind === EXECUTION) {
        r += (w[k + 2] as number) > 0 ? 0 : 1;
        r += w[k + 3] === 0 ? 0 : 1;
        r += nan(w[k + 9] as number) + nan(w[k + 11] as number);
        const commission = w[k + 12] as number;
        if (w[k + 1] === orderId && w[k + 4] === TRADE_EXECUTION && ((w[k + 15] as number) & MAKER) === 0)
          out.push({
            price: w[k + 8] as number,
            qty: w[k + 7] as number,
            commission: commission === commission ? BigInt(commission) : (refs[r] as bigint),
            commissionAsset: w[k + 13] === BASE_ASSET ? c.base : c.quote,
            tradeId: w[k + 14] as number,
          });
        r += nan(commission);
      }
    }
    return out;
  }

  private decode(): EngineEvent[] {
    const w = this.words();
    const n = this.n;
    const refs = this.refs;
    const { table, now, seed } = this;
    const c = table?.sym as CompiledSymbol;
    let r = 0;
    const amount = (v: number): bigint => (v === v ? BigInt(v) : (refs[r++] as bigint));
    const out: EngineEvent[] = [];
    for (let k = 0; k < n; k += eventSize(w, k)) {
      switch (w[k] as number) {
        case EXECUTION: {
          const order = new Order(table as OrderTable, w[k + 1] as number);
          const seq = w[k + 2] as number;
          const clientOrderId = seq > 0 ? generatedId(seed, seq) : (refs[r++] as string);
          const origClientOrderId = w[k + 3] === 0 ? '' : (refs[r++] as string);
          const flags = w[k + 15] as number;
          const assetCode = w[k + 13] as number;
          const expiry = w[k + 21] as number;
          const e: ExecutionEvent = {
            type: 'execution',
            accountId: order.accountId,
            order,
            clientOrderId,
            origClientOrderId,
            executionType: EXECUTION_TYPES[w[k + 4] as number] as ExecutionType,
            status: ORDER_STATUSES[w[k + 5] as number] as OrderStatus,
            rejectReason: 'NONE',
            transactTime: now,
            executionId: w[k + 6] as number,
            lastQty: w[k + 7] as number,
            lastPrice: w[k + 8] as number,
            lastQuoteQty: amount(w[k + 9] as number),
            cumQty: w[k + 10] as number,
            cumQuoteQty: amount(w[k + 11] as number),
            commission: amount(w[k + 12] as number),
            commissionAsset: assetCode === NO_ASSET ? null : assetCode === BASE_ASSET ? c.base : c.quote,
            tradeId: w[k + 14] as number,
            isWorking: (flags & WORKING) !== 0,
            isMaker: (flags & MAKER) !== 0,
            workingTime: w[k + 16] as number,
            preventedMatchId: w[k + 17] as number,
            preventedQty: w[k + 18] as number,
            lastPreventedQty: w[k + 19] as number,
            counterOrderId: w[k + 20] as number,
            expiryReason: expiry === 0 ? undefined : EXPIRY_REASONS[expiry - 1],
          };
          if ((flags & TRAILING) !== 0) (e as { trailingTime?: number }).trailingTime = w[k + 22] as number;
          if ((flags & PEGGED) !== 0) (e as { peggedPrice?: number }).peggedPrice = w[k + 23] as number;
          const floor = order.t.floors?.get(order.orderId);
          if (floor !== undefined) (e as { workingFloor?: WorkingFloor }).workingFloor = floor;
          out.push(e);
          break;
        }
        case TRADE: {
          const e: TradeEvent = {
            type: 'trade',
            symbol: c.name,
            tradeId: w[k + 1] as number,
            price: w[k + 2] as number,
            qty: w[k + 3] as number,
            quoteQty: amount(w[k + 4] as number),
            time: now,
            isBuyerMaker: w[k + 5] === 1,
            buyerOrderId: w[k + 6] as number,
            sellerOrderId: w[k + 7] as number,
            buyerAccountId: w[k + 8] as number,
            sellerAccountId: w[k + 9] as number,
            buyerOrderListId: w[k + 10] as number,
            sellerOrderListId: w[k + 11] as number,
            buyerCommission: amount(w[k + 12] as number),
            sellerCommission: amount(w[k + 13] as number),
            baseAsset: c.base,
            quoteAsset: c.quote,
          };
          out.push(e);
          break;
        }
        case DEPTH: {
          const nb = w[k + 3] as number;
          const na = w[k + 4] as number;
          const pairs = (from: number, n: number): [number, number][] => {
            const ps: [number, number][] = [];
            for (let i = from; i < from + n; i += 2) ps.push([w[i] as number, w[i + 1] as number]);
            return ps;
          };
          out.push({
            type: 'depth',
            symbol: c.name,
            time: now,
            firstUpdateId: w[k + 1] as number,
            lastUpdateId: w[k + 2] as number,
            bids: pairs(k + 5, nb),
            asks: pairs(k + 5 + nb, na),
          });
          break;
        }
        case ACCOUNT: {
          const n = w[k + 2] as number;
          const balances: BalanceSnapshot[] = [];
          for (let i = k + 3; i < k + 3 + 5 * n; i += 5) {
            const asset = ASSET_NAMES[w[i] as number] as string;
            const free = wideBig(w[i + 1] as number, w[i + 2] as number);
            const locked = wideBig(w[i + 3] as number, w[i + 4] as number);
            balances.push({ asset, free, locked });
          }
          const e: AccountEvent = { type: 'account', accountId: w[k + 1] as number, time: now, balances };
          out.push(e);
          break;
        }
        case FIRST_FILL:
          out.push({
            type: 'firstFill',
            accountId: w[k + 1] as number,
            symbol: c.name,
            orderId: w[k + 2] as number,
            time: now,
          });
          break;
        case OBJECT:
          out.push(refs[r++] as EngineEvent);
          break;
      }
    }
    return out;
  }
}

/** Order `orderId`'s TRADE executions as the taker, from decoded events. */
function fillsOf(events: readonly EngineEvent[], orderId: number): Fill[] {
  const out: Fill[] = [];
  for (const e of events)
    if (e.type === 'execution' && e.order.orderId === orderId && e.executionType === 'TRADE' && !e.isMaker)
      out.push({
        price: e.lastPrice,
        qty: e.lastQty,
        commission: e.commission,
        commissionAsset: e.commissionAsset as string,
        tradeId: e.tradeId,
      });
  return out;
}

/** 1 for an amount kept in refs (NaN in the words), else 0. */
function nan(v: number): number {
  return v === v ? 0 : 1;
}

/** The number of words of the event at `k`. */
function eventSize(w: readonly number[], k: number): number {
  switch (w[k] as number) {
    case EXECUTION:
      return EXECUTION_WORDS;
    case TRADE:
      return TRADE_WORDS;
    case DEPTH:
      return 5 + (w[k + 3] as number) + (w[k + 4] as number);
    case ACCOUNT:
      return 3 + 5 * (w[k + 2] as number);
    case FIRST_FILL:
      return 3;
    case OBJECT:
      return 1;
    default:
      throw new Error(`event words: unknown kind ${String(w[k])} at ${k}`);
  }
}
