/**
 * A reference model of one symbol's spot matching, for differential tests of the engine: written
 * from Binance's rules as plainly as possible — every amount a BigInt in units of 1e-8, the book a
 * list of resting orders scanned for the best one, nothing shared with the engine's code.
 *
 * What it covers: LIMIT GTC / IOC / FOK, LIMIT_MAKER, MARKET by quantity and by quoteOrderQty,
 * icebergs, cancels and keep-priority amends; price-time priority (an iceberg's refilled tip goes to
 * the back of its level); self-trade prevention EXPIRE_TAKER / EXPIRE_MAKER / EXPIRE_BOTH /
 * DECREMENT (TRANSFER within one account behaves as DECREMENT); maker and taker commissions in the
 * asset received, rounded down; reservations (a BUY limit order holds price × remaining quantity,
 * rounded down; a SELL its remaining quantity); the refusals a valid order can meet (insufficient
 * balance, LIMIT_MAKER that would take, a quote amount below one lot step, unknown orders).
 */
import type { SelfTradePreventionMode } from '@binance-sandbox/protocol';

export const UNIT = 100_000_000n;

export type RefType = 'LIMIT' | 'LIMIT_MAKER' | 'MARKET';
export type RefTif = 'GTC' | 'IOC' | 'FOK';

export interface RefSymbol {
  readonly base: string;
  readonly quote: string;
  /** Tick and lot step in units. */
  readonly tick: bigint;
  readonly step: bigint;
  /** LOT_SIZE minQty in units. */
  readonly minQty: bigint;
  readonly defaultStp: SelfTradePreventionMode;
  readonly maxAmends: number;
}

export interface RefOrder {
  readonly id: number;
  readonly acct: number;
  readonly buy: boolean;
  readonly type: RefType;
  readonly tif: RefTif | undefined;
  /** Limit price in units (0: MARKET). */
  readonly price: bigint;
  readonly ice: bigint;
  readonly stp: SelfTradePreventionMode;
  qty: bigint;
  rem: bigint;
  vis: bigint;
  exec: bigint;
  cumQuote: bigint;
  prevented: bigint;
  status: string;
  /** A MARKET BUY's reservation while it matches. */
  lock: bigint;
  amends: number;
  /** Resting in the book; `seq` orders it within its level. */
  booked: boolean;
  seq: number;
}

export interface RefTrade {
  tradeId: number;
  price: bigint;
  qty: bigint;
  quoteQty: bigint;
  buyerOrderId: number;
  sellerOrderId: number;
  buyerCommission: bigint;
  sellerCommission: bigint;
  isBuyerMaker: boolean;
}

export interface RefPrevented {
  takerOrderId: number;
  makerOrderId: number;
  price: bigint;
  takerPreventedQuantity: bigint;
  makerPreventedQuantity: bigint;
}

/** What one command did: a refusal (code + message), or the trades, prevented matches and orders it changed. */
export interface RefOutcome {
  error?: { code: number; msg: string };
  orderId?: number;
  trades: RefTrade[];
  prevented: RefPrevented[];
  /** Orders the command changed, in the state it left them. */
  changed: Map<number, RefOrder>;
}

export interface RefPlace {
  acct: number;
  buy: boolean;
  type: RefType;
  tif?: RefTif;
  price?: bigint;
  qty?: bigint;
  quoteQty?: bigint;
  ice?: bigint;
  stp?: SelfTradePreventionMode;
}

const notional = (price: bigint, qty: bigint): bigint => (price * qty) / UNIT;

export class ReferenceModel {
  readonly orders = new Map<number, RefOrder>();
  private readonly totals = new Map<string, bigint>();
  private readonly rates = new Map<number, { maker: bigint; taker: bigint }>();
  private nextOrderId = 1;
  private nextTradeId = 1;
  private seq = 0;
  private out: RefOutcome = { trades: [], prevented: [], changed: new Map() };

  constructor(readonly sym: RefSymbol) {}

  deposit(acct: number, asset: string, amount: bigint): void {
    this.totals.set(`${acct}:${asset}`, this.total(acct, asset) + amount);
  }

  setRates(acct: number, maker: bigint, taker: bigint): void {
    this.rates.set(acct, { maker, taker });
  }

  total(acct: number, asset: string): bigint {
    return this.totals.get(`${acct}:${asset}`) ?? 0n;
  }

  /** What the account's open orders hold of `asset`. */
  locked(acct: number, asset: string): bigint {
    let sum = 0n;
    for (const o of this.open())
      if (o.acct === acct) {
        if (o.buy && asset === this.sym.quote) sum += notional(o.price, o.rem);
        if (!o.buy && asset === this.sym.base) sum += o.rem;
      }
    return sum;
  }

  free(acct: number, asset: string): bigint {
    return this.total(acct, asset) - this.locked(acct, asset);
  }

  open(): RefOrder[] {
    return [...this.orders.values()].filter((o) => isOpen(o.status));
  }

  /** Aggregated visible depth, best first: [price, quantity]. */
  depth(buy: boolean): [bigint, bigint][] {
    const levels = new Map<bigint, bigint>();
    for (const o of this.orders.values())
      if (o.booked && o.buy === buy) levels.set(o.price, (levels.get(o.price) ?? 0n) + o.vis);
    return [...levels].sort((a, b) => (buy ? cmp(b[0], a[0]) : cmp(a[0], b[0])));
  }

  place(cmd: RefPlace): RefOutcome {
    this.out = { trades: [], prevented: [], changed: new Map() };
    const { sym } = this;
    const buy = cmd.buy;
    let qty = cmd.qty ?? 0n;
    let need: bigint;
    let lock = 0n;
    if (cmd.quoteQty !== undefined) {
      // MARKET by quote amount: the quantity the book offers for it, whole steps only
      const w = this.walk(!buy, -1n, null, cmd.quoteQty);
      qty = w.qty - (w.qty % sym.step);
      const minQty = sym.minQty > sym.step ? sym.minQty : sym.step;
      if (qty < minQty)
        return this.refuse(-2010, 'Order book liquidity is less than `LOT_SIZE` filter minimum quantity.');
      if (buy) lock = this.walk(false, -1n, qty, -1n).cost;
      need = buy ? cmd.quoteQty : qty;
    } else if (cmd.type === 'MARKET') {
      if (buy) lock = this.walk(false, -1n, qty, -1n).cost;
      need = buy ? lock : qty;
    } else need = buy ? notional(cmd.price as bigint, qty) : qty;
    if (cmd.type === 'LIMIT_MAKER') {
      const best = this.best(!buy);
      if (best && (buy ? best.price <= (cmd.price as bigint) : best.price >= (cmd.price as bigint)))
        return this.refuse(-2010, 'Order would immediately match and take.');
    }
    if (need > 0n && this.free(cmd.acct, buy ? sym.quote : sym.base) < need)
      return this.refuse(-2010, 'Account has insufficient balance for requested action.');

    const ice = cmd.ice ?? 0n;
    const t: RefOrder = {
      id: this.nextOrderId++,
      acct: cmd.acct,
      buy,
      type: cmd.type,
      tif: cmd.tif,
      price: cmd.price ?? 0n,
      ice,
      stp: cmd.stp ?? sym.defaultStp,
      qty,
      rem: qty,
      vis: ice > 0n && ice < qty ? ice : qty,
      exec: 0n,
      cumQuote: 0n,
      prevented: 0n,
      status: 'NEW',
      lock,
      amends: 0,
      booked: false,
      seq: 0,
    };
    this.orders.set(t.id, t);
    this.out.orderId = t.id;
    this.changed(t);
    const limit = t.type === 'MARKET' ? -1n : t.price;
    if (t.tif === 'FOK' && this.walk(!buy, limit, t.rem, -1n).qty < t.rem) {
      t.status = 'EXPIRED';
      return this.out;
    }
    this.match(t, limit);
    if (!isOpen(t.status) || t.rem === 0n) return this.out;
    if (t.type === 'MARKET' || t.tif === 'IOC' || t.tif === 'FOK') t.status = 'EXPIRED';
    else this.book(t);
    return this.out;
  }

  cancel(acct: number, orderId: number): RefOutcome {
    this.out = { trades: [], prevented: [], changed: new Map() };
    const o = this.orders.get(orderId);
    if (o === undefined || o.acct !== acct || !isOpen(o.status)) return this.refuse(-2011, 'Unknown order sent.');
    o.booked = false;
    o.status = 'CANCELED';
    this.changed(o);
    return this.out;
  }

  /** Keep-priority amend to `qty` (less than the order's quantity). */
  amend(acct: number, orderId: number, qty: bigint): RefOutcome {
    this.out = { trades: [], prevented: [], changed: new Map() };
    const o = this.orders.get(orderId);
    if (o === undefined || o.acct !== acct || !isOpen(o.status)) throw new Error('amend: generate open orders only');
    if (o.amends >= this.sym.maxAmends) return this.refuse(-2038, 'Filter failure: MAX_NUM_ORDER_AMENDS');
    o.amends++;
    o.qty = qty;
    this.changed(o);
    const rem = qty - o.exec - o.prevented;
    if (rem <= 0n) {
      o.booked = false;
      o.rem = 0n;
      o.status = 'EXPIRED';
      return this.out;
    }
    o.rem = rem;
    if (o.vis > rem) o.vis = rem;
    return this.out;
  }

  private refuse(code: number, msg: string): RefOutcome {
    this.out.error = { code, msg };
    return this.out;
  }

  private changed(o: RefOrder): void {
    this.out.changed.set(o.id, o);
  }

  private book(o: RefOrder): void {
    o.booked = true;
    o.seq = ++this.seq;
  }

  /** The first order in time of the best level on a side. */
  private best(buy: boolean): RefOrder | undefined {
    let b: RefOrder | undefined;
    for (const o of this.orders.values()) {
      if (!o.booked || o.buy !== buy) continue;
      if (b === undefined || (buy ? o.price > b.price : o.price < b.price) || (o.price === b.price && o.seq < b.seq))
        b = o;
    }
    return b;
  }

  /**
   * Walks a side's levels best first up to `maxQty` (null: no limit), the limit price (−1: none) and a
   * quote budget (−1: none): the quantity found and its cost (price × quantity rounded down per level).
   */
  private walk(buy: boolean, limit: bigint, maxQty: bigint | null, budget: bigint): { qty: bigint; cost: bigint } {
    const levels = new Map<bigint, bigint>();
    for (const o of this.orders.values())
      if (o.booked && o.buy === buy) levels.set(o.price, (levels.get(o.price) ?? 0n) + o.rem);
    const sorted = [...levels].sort((a, b) => (buy ? cmp(b[0], a[0]) : cmp(a[0], b[0])));
    let qty = 0n;
    let cost = 0n;
    for (const [price, total] of sorted) {
      if (maxQty !== null && qty >= maxQty) break;
      if (limit >= 0n && (buy ? price < limit : price > limit)) break;
      let take = maxQty !== null && maxQty - qty < total ? maxQty - qty : total;
      const n = notional(price, take);
      if (budget >= 0n && cost + n > budget) {
        take = (((budget - cost) * UNIT) / (price * this.sym.step)) * this.sym.step;
        if (take > total) take = total;
        qty += take;
        cost += notional(price, take);
        break;
      }
      qty += take;
      cost += n;
    }
    return { qty, cost };
  }

  private match(t: RefOrder, limit: bigint): void {
    while (t.rem > 0n) {
      const m = this.best(!t.buy);
      if (m === undefined) return;
      if (limit >= 0n && (t.buy ? m.price > limit : m.price < limit)) return;
      if (m.acct === t.acct && t.stp !== 'NONE') {
        if (this.prevent(t, m)) return;
        continue;
      }
      let q = t.rem < m.vis ? t.rem : m.vis;
      if (t.type === 'MARKET' && t.buy && notional(m.price, q) > t.lock) {
        q = ((t.lock * UNIT) / (m.price * this.sym.step)) * this.sym.step;
        if (q <= 0n) return;
      }
      this.fill(t, m, q);
    }
  }

  /** Self-trade prevention between taker `t` and maker `m`; true when the taker is done. */
  private prevent(t: RefOrder, m: RefOrder): boolean {
    const mode = t.stp === 'TRANSFER' ? 'DECREMENT' : t.stp;
    const q = t.rem < m.rem ? t.rem : m.rem;
    const tn = mode === 'EXPIRE_TAKER' || mode === 'EXPIRE_BOTH' ? t.rem : mode === 'DECREMENT' ? q : 0n;
    const mn = mode === 'EXPIRE_MAKER' || mode === 'EXPIRE_BOTH' ? m.rem : mode === 'DECREMENT' ? q : 0n;
    this.out.prevented.push({
      takerOrderId: t.id,
      makerOrderId: m.id,
      price: m.price,
      takerPreventedQuantity: tn,
      makerPreventedQuantity: mn,
    });
    this.reduce(m, mn);
    this.reduce(t, tn);
    return !isOpen(t.status) || t.rem === 0n;
  }

  private reduce(o: RefOrder, n: bigint): void {
    if (n === 0n) return;
    this.changed(o);
    o.prevented += n;
    if (n >= o.rem) {
      o.booked = false;
      o.rem = 0n;
      o.vis = 0n;
      o.status = 'EXPIRED_IN_MATCH';
      return;
    }
    o.vis -= n < o.vis ? n : o.vis;
    o.rem -= n;
    if (o.booked && o.vis === 0n) this.refill(o);
    else if (o.vis > o.rem) o.vis = o.rem;
  }

  /** An iceberg's next tip, at the back of its level. */
  private refill(o: RefOrder): void {
    o.vis = o.ice < o.rem ? o.ice : o.rem;
    o.seq = ++this.seq;
  }

  private fill(t: RefOrder, m: RefOrder, q: bigint): void {
    const { sym } = this;
    const price = m.price;
    const n = notional(price, q);
    const buyer = t.buy ? t : m;
    const seller = t.buy ? m : t;
    const rate = (o: RefOrder) => {
      const r = this.rates.get(o.acct) ?? { maker: UNIT / 1000n, taker: UNIT / 1000n };
      return o === t ? r.taker : r.maker;
    };
    const cb = (q * rate(buyer)) / UNIT;
    const cs = (n * rate(seller)) / UNIT;
    this.deposit(buyer.acct, sym.base, q - cb);
    this.deposit(buyer.acct, sym.quote, -n);
    this.deposit(seller.acct, sym.base, -q);
    this.deposit(seller.acct, sym.quote, n - cs);
    if (t.type === 'MARKET' && t.buy) t.lock -= n;
    for (const o of [m, t]) {
      o.rem -= q;
      o.exec += q;
      o.cumQuote += n;
      o.status = o.rem === 0n ? 'FILLED' : 'PARTIALLY_FILLED';
      this.changed(o);
    }
    m.vis -= q;
    if (t.vis > t.rem) t.vis = t.rem;
    this.out.trades.push({
      tradeId: this.nextTradeId++,
      price,
      qty: q,
      quoteQty: n,
      buyerOrderId: buyer.id,
      sellerOrderId: seller.id,
      buyerCommission: cb,
      sellerCommission: cs,
      isBuyerMaker: !t.buy,
    });
    if (m.rem === 0n) m.booked = false;
    else if (m.vis === 0n) this.refill(m);
  }
}

export function isOpen(status: string): boolean {
  return status === 'NEW' || status === 'PARTIALLY_FILLED';
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
