/**
 * A reference model of one symbol's spot matching, for differential tests of the engine: written
 * from Binance's rules as plainly as possible — every amount a BigInt in units of 1e-8, the book a
 * list of resting orders scanned for the best one, nothing shared with the engine's code.
 *
 * What it covers:
 * - LIMIT GTC / IOC / FOK, LIMIT_MAKER, MARKET by quantity and by quoteOrderQty, icebergs (a
 *   refilled tip goes to the back of its level), cancels, keep-priority amends; price-time priority.
 * - STOP_LOSS / TAKE_PROFIT and their _LIMIT forms, triggered by the last price once the command's
 *   trades are done (the one waiting longest first, until none triggers), and their trailing forms
 *   (trailing-stop FAQ: tracking from the last price at placement — scenario E — or from the first
 *   trade that reaches the stop price; every trade moves the extreme; a move of `trailingDelta` BIPS
 *   against it, equality included, fires the order, which then triggers as a stop).
 * - OCO lists (legs below then above; one reservation, the larger of the legs' needs; a leg's first
 *   fill or trigger expires the other, a cancel cancels both, an amendment changes both; a leg that
 *   expires without executing takes the other along) and OTO lists (the pending order goes live,
 *   reserving then, when the working order fills; expires with it).
 * - Self-trade prevention EXPIRE_TAKER / EXPIRE_MAKER / EXPIRE_BOTH / DECREMENT (TRANSFER within one
 *   account behaves as DECREMENT); maker and taker commissions in the asset received, rounded down.
 * - Reservations: a BUY limit order holds price × remaining quantity, rounded down; a SELL its
 *   remaining quantity; a BUY stop-market nothing until it triggers, then what the book asks for its
 *   quantity, as far as free funds go.
 * - The refusals a valid order can meet: insufficient balance, LIMIT_MAKER that would take, a stop
 *   that would trigger immediately, MAX_NUM_ALGO_ORDERS / MAX_NUM_ORDER_LISTS, a quote amount below
 *   one lot step, the relationship of an OCO's prices, unknown orders.
 */
import type { SelfTradePreventionMode } from '@binance-sandbox/protocol';

export const UNIT = 100_000_000n;

export type RefType =
  'LIMIT' | 'LIMIT_MAKER' | 'MARKET' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT';
export type RefTif = 'GTC' | 'IOC' | 'FOK';

export interface RefSymbol {
  readonly base: string;
  readonly quote: string;
  /** Tick and lot step in units. */
  readonly tick: bigint;
  readonly step: bigint;
  /** LOT_SIZE minQty in units. */
  readonly minQty: bigint;
  /** NOTIONAL minNotional in units (checked here only where an OPO's pending quantity becomes known). */
  readonly minNotional: bigint;
  readonly defaultStp: SelfTradePreventionMode;
  readonly maxAmends: number;
  /** MAX_NUM_ALGO_ORDERS: open stop orders per account. */
  readonly maxAlgo: number;
  /** MAX_NUM_ORDER_LISTS: lists still executing per account. */
  readonly maxLists: number;
  /** A price-range execution rule with an ARITHMETIC_MEAN reference price (quote precision 8). */
  readonly range?: RefPriceRange;
}

export interface RefPriceRange {
  /** Multipliers in units (1e-8); −1n: that end is open. */
  readonly bidUp: bigint;
  readonly bidDown: bigint;
  readonly askUp: bigint;
  readonly askDown: bigint;
  readonly bucketCount: number;
  readonly bucketWidthMs: number;
}

export interface RefOrder {
  readonly id: number;
  readonly acct: number;
  readonly buy: boolean;
  readonly type: RefType;
  readonly tif: RefTif | undefined;
  /** Limit price in units (0: market types). */
  readonly price: bigint;
  /** Stop price in units (0: not a stop type). */
  readonly stop: bigint;
  /** A stop order that has not triggered yet; since when (a sequence: the longest waiting triggers first). */
  waiting: boolean;
  waitSeq: number;
  /** Trailing stops: BIPS (0: not trailing); tracking since, the extreme price, fired. */
  readonly delta: number;
  tracking: boolean;
  extreme: bigint;
  fired: boolean;
  readonly ice: bigint;
  readonly stp: SelfTradePreventionMode;
  qty: bigint;
  rem: bigint;
  vis: bigint;
  exec: bigint;
  cumQuote: bigint;
  prevented: bigint;
  status: string;
  /** Expired by the price-range execution rule. */
  rangeExpired?: boolean;
  /** A market BUY's reservation while it matches. */
  lock: bigint;
  amends: number;
  /** The OCO list it belongs to. */
  list: RefList | null;
  /** Resting in the book; `seq` orders it within its level. */
  booked: boolean;
  seq: number;
}

export interface RefList {
  readonly id: number;
  readonly kind: 'OCO' | 'OTO' | 'OTOCO' | 'OPO' | 'OPOCO';
  /** OCO: below leg, then above leg; OTO / OPO: working order, then pending order; OTOCO / OPOCO: working order, then the pending pair (below, above). */
  readonly legs: RefOrder[];
  /** OCO: neither leg started yet; OTO: some order still open; OTOCO: both, the pair's start ending it. */
  executing: boolean;
  /**
   * OPO / OPOCO (the working BUY pays the pending SELL): the base it received so far, held for the
   * pending order(s) until they go live with it as their quantity, or given back when the list ends.
   */
  received: bigint;
}

const pays = (list: RefList): boolean => list.kind === 'OPO' || list.kind === 'OPOCO';

/**
 * The legs that share one quantity and one reservation, the start or expiry of one ending the other:
 * an OCO's, and an OTOCO's pending pair once its working order is done.
 */
function paired(list: RefList, o: RefOrder): boolean {
  if (list.kind === 'OCO') return true;
  return (
    (list.kind === 'OTOCO' || list.kind === 'OPOCO') && o !== list.legs[0] && !isOpen((list.legs[0] as RefOrder).status)
  );
}

export interface RefLeg {
  type: RefType;
  price?: bigint;
  stop?: bigint;
  tif?: RefTif;
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
  stop?: bigint;
  trailingDelta?: number;
  qty?: bigint;
  quoteQty?: bigint;
  ice?: bigint;
  stp?: SelfTradePreventionMode;
}

const notional = (price: bigint, qty: bigint): bigint => (price * qty) / UNIT;
const isMarket = (type: RefType): boolean => type === 'MARKET' || type === 'STOP_LOSS' || type === 'TAKE_PROFIT';
const isStop = (type: RefType): boolean => type.startsWith('STOP_LOSS') || type.startsWith('TAKE_PROFIT');

/** Whether a stop order triggers at `last`: STOP_LOSS BUY and TAKE_PROFIT SELL above the market, the others below. */
function triggers(o: { type: RefType; buy: boolean; stop: bigint }, last: bigint): boolean {
  if (last < 0n) return false;
  return o.type.startsWith('STOP_LOSS') === o.buy ? last >= o.stop : last <= o.stop;
}

export class ReferenceModel {
  readonly orders = new Map<number, RefOrder>();
  private readonly totals = new Map<string, bigint>();
  private readonly rates = new Map<number, { maker: bigint; taker: bigint }>();
  private nextOrderId = 1;
  private nextTradeId = 1;
  private seq = 0;
  /** The last trade's price (−1: none yet). */
  private last = -1n;
  /** Set by a fill: stops are looked at after the command. */
  private traded = false;
  /** Stop orders triggered so far. */
  triggered = 0;
  /** OPO pending orders gone live with what their working order received, and expired for too little. */
  paidLive = 0;
  paidTooLittle = 0;
  /** OPO fills whose commission came out of what the working order received (free base fell short). */
  paidFromFill = 0;
  /** OTO lists whose working order filled in the current command, in that order. */
  private readonly activations: RefList[] = [];
  private nextListId = 1;
  private out: RefOutcome = { trades: [], prevented: [], changed: new Map() };
  /** The time of the current command (trades are dated with it). */
  now = 0;
  /** Every trade's time and price (the reference price is recomputed from them). */
  private readonly tape: { time: number; price: bigint }[] = [];
  /** The current taker phase's allowed prices in units (inclusive; −1n / null: open). */
  private phase: { lo: bigint; hi: bigint | null } = { lo: -1n, hi: null };

  constructor(readonly sym: RefSymbol) {}

  /**
   * The FAQ's moving average from the whole tape: trades grouped into buckets by aligned open
   * time; buckets closed by the cutoff left out, the one straddling it prorated; Σsum / Σcount with
   * counts ×1e4 and sums ×1e4 (truncating). undefined before the first trade, null for an empty window.
   */
  referencePrice(): bigint | null | undefined {
    const range = this.sym.range;
    if (range === undefined || this.tape.length === 0) return undefined;
    const w = range.bucketWidthMs;
    const cutoff = this.now - range.bucketCount * w;
    const buckets = new Map<number, { count: bigint; sum: bigint }>();
    for (const t of this.tape) {
      const open = t.time - (t.time % w);
      const b = buckets.get(open) ?? { count: 0n, sum: 0n };
      b.count += 10_000n;
      b.sum += t.price * 10_000n;
      buckets.set(open, b);
    }
    let count = 0n;
    let sum = 0n;
    for (const [open, b] of buckets) {
      if (open + w <= cutoff) continue;
      const gone = open < cutoff ? BigInt(cutoff - open) : 0n;
      count += b.count - (b.count * gone) / BigInt(w);
      sum += b.sum - (b.sum * gone) / BigInt(w);
    }
    return count === 0n ? null : sum / count;
  }

  /** The limits of a taker phase starting now: [ref·down, ref·up] of its side, whole units inside. */
  private startPhase(t: RefOrder): void {
    this.phase = { lo: -1n, hi: null };
    const range = this.sym.range;
    const ref = this.referencePrice();
    if (range === undefined || ref === undefined || ref === null) return;
    const up = t.buy ? range.bidUp : range.askUp;
    const down = t.buy ? range.bidDown : range.askDown;
    if (up >= 0n) this.phase.hi = (ref * up) / UNIT;
    if (down >= 0n) this.phase.lo = (ref * down + UNIT - 1n) / UNIT;
  }

  private outOfRange(price: bigint): boolean {
    const { lo, hi } = this.phase;
    return price < lo || (hi !== null && price > hi);
  }

  private expireOutOfRange(t: RefOrder): void {
    t.status = 'EXPIRED';
    t.rangeExpired = true;
    this.changed(t);
    this.closed(t);
  }

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
    const lists = new Map<RefList, bigint>();
    for (const o of this.open())
      if (o.acct === acct && (o.buy ? asset === this.sym.quote : asset === this.sym.base)) {
        const n = this.need(o);
        if (o.list?.executing && paired(o.list, o))
          lists.set(o.list, n > (lists.get(o.list) ?? 0n) ? n : (lists.get(o.list) ?? 0n));
        else sum += n;
      }
    for (const n of lists.values()) sum += n;
    if (asset === this.sym.base) {
      const held = new Set<RefList>();
      for (const o of this.orders.values())
        if (o.acct === acct && o.list !== null && o.list.received > 0n) held.add(o.list);
      for (const list of held) sum += list.received;
    }
    return sum;
  }

  /** What an open order holds: a priced BUY its price × remaining (0 for a waiting stop-market), a SELL its remaining. */
  private need(o: RefOrder): bigint {
    if (o.status === 'PENDING_NEW') return 0n; // an OTO's pending order reserves when it goes live
    return o.buy ? notional(o.price, o.rem) : o.rem;
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
    this.traded = false;
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
    } else need = buy ? notional(cmd.price ?? 0n, qty) : qty;
    const stop = { type: cmd.type, buy, stop: cmd.stop ?? 0n };
    const refused = this.ruleRefusal(cmd.acct, cmd, false);
    if (refused) return refused;
    if (need > 0n && this.free(cmd.acct, buy ? sym.quote : sym.base) < need)
      return this.refuse(-2010, 'Account has insufficient balance for requested action.');

    const ice = cmd.ice ?? 0n;
    const t = this.newOrder(cmd.acct, buy, cmd.type, qty, {
      tif: cmd.tif,
      price: cmd.price ?? 0n,
      stop: stop.stop,
      waiting: isStop(cmd.type),
      delta: cmd.trailingDelta ?? 0,
      // without a stop price, or with one the last price has reached: tracking from the last price
      tracking: this.last >= 0n && (stop.stop === 0n || triggers(stop, this.last)),
      extreme: this.last,
      ice,
      vis: ice > 0n && ice < qty ? ice : qty,
      stp: cmd.stp ?? sym.defaultStp,
      lock,
    });
    this.out.orderId = t.id;
    if (!t.waiting) this.work(t);
    this.settle();
    return this.out;
  }

  /** A working order takes what it can, then rests or expires. */
  private work(t: RefOrder): void {
    const limit = isMarket(t.type) ? -1n : t.price;
    if (t.tif === 'FOK' && this.walk(!t.buy, limit, t.rem, -1n).qty < t.rem) {
      t.status = 'EXPIRED';
      this.changed(t);
      this.closed(t);
      return;
    }
    this.startPhase(t);
    if (t.tif === 'FOK') {
      // it fills at its price; within the range too? (the first maker in range, enough before its end)
      const best = this.best(!t.buy);
      const { lo, hi } = this.phase;
      const end = t.buy ? (hi !== null && hi < limit ? hi : limit) : lo > limit ? lo : limit;
      if (best !== undefined && (this.outOfRange(best.price) || this.walk(!t.buy, end, t.rem, -1n).qty < t.rem)) {
        this.expireOutOfRange(t);
        return;
      }
    }
    this.match(t, limit);
    if (!isOpen(t.status) || t.rem === 0n) return;
    if (isMarket(t.type) || t.tif === 'IOC' || t.tif === 'FOK') {
      t.status = 'EXPIRED';
      this.changed(t);
      this.closed(t);
    } else this.book(t);
  }

  /** After a command that traded: the waiting stop the last price triggers that waited longest, again and again. */
  private runTriggers(): void {
    while (this.traded) {
      this.traded = false;
      let o: RefOrder | undefined;
      for (const x of this.orders.values())
        if (x.waiting && isOpen(x.status) && (x.delta > 0 ? x.fired : triggers(x, this.last)))
          if (o === undefined || x.waitSeq < o.waitSeq) o = x;
      if (o === undefined) return;
      o.waiting = false;
      this.triggered++;
      // an OCO leg takes over the list's reservation (free funds stay what they are)
      const held = o.list?.executing && paired(o.list, o) ? this.listNeed(o.list) : 0n;
      const free = this.free(o.acct, this.sym.quote);
      this.endPair(o);
      if (isMarket(o.type) && o.buy) {
        // a BUY stop-market reserves now what the book asks, as far as its free funds go
        const cost = this.walk(false, -1n, o.rem, -1n).cost;
        o.lock = cost > held ? held + (cost - held < free ? cost - held : free) : held;
      }
      this.work(o);
      this.traded = true;
    }
  }

  /** An OCO list: the refusals a list of valid leg types can meet, then its legs (below first). */
  placeOco(
    acct: number,
    buy: boolean,
    qty: bigint,
    above: RefLeg,
    below: RefLeg,
    stp?: SelfTradePreventionMode,
  ): RefOutcome {
    this.out = { trades: [], prevented: [], changed: new Map() };
    this.traded = false;
    const { sym } = this;
    const refused = this.pairRefusal(acct, buy, above, below);
    if (refused) return refused;
    const legs = [above, below];
    const needs = legs.map((l) => (buy ? notional(l.price ?? 0n, qty) : qty));
    const need = needs[0]! > needs[1]! ? needs[0]! : needs[1]!;
    if (need > 0n && this.free(acct, buy ? sym.quote : sym.base) < need)
      return this.refuse(-2010, 'Account has insufficient balance for requested action.');
    const list: RefList = { id: this.nextListId++, kind: 'OCO', legs: [], executing: true, received: 0n };
    for (const leg of [below, above]) {
      const o = this.newOrder(acct, buy, leg.type, qty, {
        tif: leg.tif,
        price: leg.price ?? 0n,
        stop: leg.stop ?? 0n,
        waiting: isStop(leg.type),
        stp: stp ?? sym.defaultStp,
        list,
      });
      list.legs.push(o);
    }
    this.out.orderId = list.legs[0]!.id;
    for (const o of list.legs) if (!o.waiting) this.book(o); // a limit-maker leg rests (it cannot take)
    return this.out;
  }

  /** The refusals an OCO pair of valid leg types can meet (but the balance). */
  private pairRefusal(acct: number, buy: boolean, above: RefLeg, below: RefLeg): RefOutcome | null {
    for (const leg of [above, below]) {
      const refused = this.ruleRefusal(acct, { ...leg, buy }, true);
      if (refused) return refused;
    }
    // above value > last price > below value (limit price of a limit-maker or take-profit-limit leg,
    // else the stop price), and above trigger > below trigger
    const value = (l: RefLeg) => (l.type === 'LIMIT_MAKER' || l.type === 'TAKE_PROFIT_LIMIT' ? l.price : l.stop) ?? 0n;
    const trigger = (l: RefLeg) => (isStop(l.type) ? l.stop : l.price) ?? 0n;
    const bad =
      !(value(above) > value(below)) ||
      !(trigger(above) > trigger(below)) ||
      (this.last >= 0n && !(trigger(above) > this.last && this.last > trigger(below)));
    return bad ? this.refuse(-2010, 'The relationship of the prices for the orders is not correct.') : null;
  }

  /**
   * Leg `o` of a list still executing started (first fill, trigger) or expired (self-trade
   * prevention, an amendment): the list ends and its other open legs expire.
   */
  private endPair(o: RefOrder): void {
    const list = o.list;
    if (list === null || !list.executing || !paired(list, o)) return;
    list.executing = false;
    this.expireOthers(list, o);
  }

  /** The list's open orders but `o` expire (they leave the book and the stops). */
  private expireOthers(list: RefList, o: RefOrder): void {
    for (const leg of list.legs)
      if (leg !== o && isOpen(leg.status)) {
        leg.booked = false;
        leg.waiting = false;
        leg.status = 'EXPIRED';
        this.changed(leg);
      }
  }

  /**
   * An OTO list: the working order (LIMIT / LIMIT_MAKER) works at once; the pending order waits as
   * PENDING_NEW, reserving nothing, until the working order is filled — then it reserves what it needs
   * (or expires without it) and works like a new order (a LIMIT_MAKER the book has reached expires; a
   * stop the last price has reached triggers).
   * The working order expiring takes the pending one along; cancelling either cancels both.
   */
  placeOto(acct: number, working: RefPlace, pending: RefPlace, stp?: SelfTradePreventionMode): RefOutcome {
    return this.placeWorkingAnd(acct, working, [pending], () => this.ruleRefusal(acct, pending, true), stp);
  }

  /**
   * An OTOCO list: an OTO whose pending order is an OCO pair (below, then above; side `buy`,
   * quantity `qty`), checked as an OCO's legs are. Once the working order is filled the pair goes
   * live with one reservation, the larger of its legs' (or expires without it); then it behaves as an
   * OCO.
   */
  placeOtoco(
    acct: number,
    working: RefPlace,
    buy: boolean,
    qty: bigint,
    above: RefLeg,
    below: RefLeg,
    stp?: SelfTradePreventionMode,
  ): RefOutcome {
    const leg = (l: RefLeg): RefPlace => ({ ...l, acct, buy, qty });
    return this.placeWorkingAnd(
      acct,
      working,
      [leg(below), leg(above)],
      () => this.pairRefusal(acct, buy, above, below),
      stp,
    );
  }

  /**
   * An OPO list: a working BUY whose fills pay the pending SELL; the pending order's quantity is
   * what the working order received (its commission paid from free base when that covers it, else
   * out of what was received), rounded down to the lot step, known once the working order filled.
   */
  placeOpo(acct: number, working: RefPlace, pending: RefPlace, stp?: SelfTradePreventionMode): RefOutcome {
    return this.placeWorkingAnd(
      acct,
      working,
      [{ ...pending, qty: 0n }],
      () => this.ruleRefusal(acct, pending, true),
      stp,
      true,
    );
  }

  /** An OPOCO list: an OPO whose pending order is an OCO pair (SELL: below, then above). */
  placeOpoco(acct: number, working: RefPlace, above: RefLeg, below: RefLeg, stp?: SelfTradePreventionMode): RefOutcome {
    const leg = (l: RefLeg): RefPlace => ({ ...l, acct, buy: false, qty: 0n });
    return this.placeWorkingAnd(
      acct,
      working,
      [leg(below), leg(above)],
      () => this.pairRefusal(acct, false, above, below),
      stp,
      true,
    );
  }

  private placeWorkingAnd(
    acct: number,
    working: RefPlace,
    pending: RefPlace[],
    pendingRefusal: () => RefOutcome | null,
    stp: SelfTradePreventionMode | undefined,
    paid = false,
  ): RefOutcome {
    this.out = { trades: [], prevented: [], changed: new Map() };
    this.traded = false;
    const { sym } = this;
    if (paid && !working.buy) return this.refuse(-1222, 'Working order in an OPO list must be a bid.');
    if (paid && pending.some((p) => p.buy)) return this.refuse(-1223, 'Pending orders in an OPO list must be asks.');
    let refused = this.ruleRefusal(acct, working, true);
    if (refused) return refused;
    const need = working.buy ? notional(working.price as bigint, working.qty as bigint) : (working.qty as bigint);
    if (this.free(acct, working.buy ? sym.quote : sym.base) < need)
      return this.refuse(-2010, 'Account has insufficient balance for requested action.');
    refused = pendingRefusal();
    if (refused) return refused;
    const list: RefList = {
      id: this.nextListId++,
      kind: paid ? (pending.length > 1 ? 'OPOCO' : 'OPO') : pending.length > 1 ? 'OTOCO' : 'OTO',
      legs: [],
      executing: true,
      received: 0n,
    };
    for (const c of [working, ...pending]) {
      const o = this.newOrder(acct, c.buy, c.type, c.qty as bigint, {
        tif: c.tif,
        price: c.price ?? 0n,
        stop: c.stop ?? 0n,
        stp: stp ?? sym.defaultStp,
        status: list.legs.length === 0 ? 'NEW' : 'PENDING_NEW',
        list,
      });
      list.legs.push(o);
    }
    this.out.orderId = list.legs[0]!.id;
    this.work(list.legs[0]!);
    this.settle();
    return this.out;
  }

  /** A new order (the next orderId), not yet in the book; `fields` override the plain defaults. */
  private newOrder(acct: number, buy: boolean, type: RefType, qty: bigint, fields: Partial<RefOrder>): RefOrder {
    const o: RefOrder = {
      id: this.nextOrderId++,
      acct,
      buy,
      type,
      tif: undefined,
      price: 0n,
      stop: 0n,
      waiting: false,
      waitSeq: ++this.seq,
      delta: 0,
      tracking: false,
      extreme: -1n,
      fired: false,
      ice: 0n,
      stp: this.sym.defaultStp,
      qty,
      rem: qty,
      vis: qty,
      exec: 0n,
      cumQuote: 0n,
      prevented: 0n,
      status: 'NEW',
      lock: 0n,
      amends: 0,
      list: null,
      booked: false,
      seq: 0,
      ...fields,
    };
    this.orders.set(o.id, o);
    this.changed(o);
    return o;
  }

  /**
   * The refusals an order meets by its own rules, in the engine's order: the account's lists still
   * executing, its open stop orders, a LIMIT_MAKER that would take, a stop that would trigger at once.
   */
  private ruleRefusal(
    acct: number,
    o: Pick<RefPlace, 'type' | 'buy' | 'price' | 'stop' | 'trailingDelta'>,
    inList: boolean,
  ): RefOutcome | null {
    const open = this.open().filter((x) => x.acct === acct);
    if (inList && new Set(open.filter((x) => x.list?.executing).map((x) => x.list)).size >= this.sym.maxLists)
      return this.refuse(-1013, 'Filter failure: MAX_NUM_ORDER_LISTS');
    if (isStop(o.type) && open.filter((x) => isStop(x.type)).length >= this.sym.maxAlgo)
      return this.refuse(-1013, 'Filter failure: MAX_NUM_ALGO_ORDERS');
    if (o.type === 'LIMIT_MAKER' && this.wouldTake(o.buy, o.price as bigint))
      return this.refuse(-2010, 'Order would immediately match and take.');
    if (isStop(o.type) && !o.trailingDelta && triggers({ type: o.type, buy: o.buy, stop: o.stop ?? 0n }, this.last))
      return this.refuse(-2010, 'Order would trigger immediately.');
    return null;
  }

  private wouldTake(buy: boolean, price: bigint): boolean {
    const best = this.best(!buy);
    return best !== undefined && (buy ? best.price <= price : best.price >= price);
  }

  /** After a command's matching: triggered stops, then the OTO pending orders whose working order filled. */
  private settle(): void {
    this.runTriggers();
    for (let list = this.activations.shift(); list !== undefined; list = this.activations.shift()) {
      this.activate(list);
      this.traded = true; // a stop gone live triggers if the last price already reached it
      this.runTriggers();
    }
  }

  private activate(list: RefList): void {
    const pending = list.legs.slice(1).filter((o) => o.status === 'PENDING_NEW');
    const first = pending[0];
    if (first === undefined) return;
    if (pays(list)) this.pay(list, pending);
    else this.reserve(pending);
    for (const o of pending) {
      if (!isOpen(o.status)) continue; // (the other of a pair that expired)
      if (o.type === 'LIMIT_MAKER' && this.wouldTake(o.buy, o.price)) {
        o.status = 'EXPIRED';
        this.closed(o);
        this.endPair(o);
      } else if (isStop(o.type)) {
        o.waiting = true;
        o.waitSeq = ++this.seq;
      } else this.work(o);
    }
  }

  /**
   * OPO: the pending order(s) go live with what the working order received, down to the lot step
   * (the rest given back), or expire (everything given back) when that fails the lot or NOTIONAL.
   */
  private pay(list: RefList, pending: RefOrder[]): void {
    const { sym } = this;
    const qty = (list.received / sym.step) * sym.step;
    for (const o of pending) this.changed(o);
    if (qty < sym.minQty || qty === 0n || pending.some((o) => notional(o.price, qty) < sym.minNotional)) {
      this.paidTooLittle++;
      for (const o of pending) {
        o.status = 'EXPIRED';
        this.closed(o);
      }
      return;
    }
    list.received = 0n;
    this.paidLive++;
    for (const o of pending) {
      o.qty = o.rem = o.vis = qty;
      o.status = 'NEW';
    }
  }

  /** OTO: what the pending order(s) reserve (one pair: the larger need), from free funds, or they expire without it. */
  private reserve(pending: RefOrder[]): void {
    const first = pending[0] as RefOrder;
    let need = 0n;
    const costs = pending.map((o) => {
      const cost = o.buy && isMarket(o.type) && !isStop(o.type) ? this.walk(false, -1n, o.rem, -1n).cost : 0n;
      const n = !o.buy ? o.rem : o.price > 0n ? notional(o.price, o.rem) : cost;
      if (n > need) need = n;
      return cost;
    });
    for (const o of pending) this.changed(o);
    if (need > this.free(first.acct, first.buy ? this.sym.quote : this.sym.base)) {
      for (const o of pending) {
        o.status = 'EXPIRED';
        this.closed(o);
      }
      return;
    }
    pending.forEach((o, i) => {
      o.status = 'NEW';
      o.lock = costs[i] as bigint;
    });
  }

  /** Order `o` has just closed: an OTO's filled working order sends its pending one live, an expired one takes it along. */
  private closed(o: RefOrder): void {
    const list = o.list;
    if (list === null || list.kind === 'OCO' || !list.executing) return;
    if (list.legs[0] === o) {
      if (o.status === 'FILLED') this.activations.push(list);
      else if (o.status !== 'CANCELED') this.expireOthers(list, o);
    }
    if (list.legs.every((l) => !isOpen(l.status))) {
      list.executing = false;
      list.received = 0n; // what an OPO's working order received and its pending order did not take: given back
    }
  }

  cancel(acct: number, orderId: number): RefOutcome {
    this.out = { trades: [], prevented: [], changed: new Map() };
    const o = this.orders.get(orderId);
    if (o === undefined || o.acct !== acct || !isOpen(o.status)) return this.refuse(-2011, 'Unknown order sent.');
    for (const x of o.list ? o.list.legs : [o])
      if (isOpen(x.status)) {
        x.booked = false;
        x.waiting = false;
        x.status = 'CANCELED';
        this.changed(x);
      }
    if (o.list) {
      o.list.executing = false;
      o.list.received = 0n;
    }
    return this.out;
  }

  /** Keep-priority amend to `qty` (less than the order's quantity). */
  amend(acct: number, orderId: number, qty: bigint): RefOutcome {
    this.out = { trades: [], prevented: [], changed: new Map() };
    const o = this.orders.get(orderId);
    if (o === undefined || o.acct !== acct || !isOpen(o.status)) throw new Error('amend: generate open orders only');
    if (o.amends >= this.sym.maxAmends) return this.refuse(-2038, 'Filter failure: MAX_NUM_ORDER_AMENDS');
    o.amends++;
    // an OCO pair has one quantity: an OCO's legs, an OTOCO's pending pair (pending or live)
    const list = o.list;
    const pair =
      list !== null &&
      list.executing &&
      (list.kind === 'OCO' || ((list.kind === 'OTOCO' || list.kind === 'OPOCO') && o !== list.legs[0]));
    const group = pair ? list.legs.filter((l) => l !== list.legs[0] || list.kind === 'OCO') : [o];
    for (const x of group.filter((l) => isOpen(l.status))) {
      x.qty = qty;
      this.changed(x);
      const rem = qty - x.exec - x.prevented;
      if (rem <= 0n) {
        x.booked = false;
        x.waiting = false;
        x.rem = 0n;
        x.status = 'EXPIRED';
        this.closed(x);
        continue;
      }
      x.rem = rem;
      if (x.vis > rem) x.vis = rem;
    }
    const expired = group.find((l) => !isOpen(l.status));
    if (expired !== undefined) this.endPair(expired);
    return this.out;
  }

  private refuse(code: number, msg: string): RefOutcome {
    this.out.error = { code, msg };
    return this.out;
  }

  private changed(o: RefOrder): void {
    this.out.changed.set(o.id, o);
  }

  private listNeed(list: RefList): bigint {
    let n = 0n;
    for (const leg of list.legs) if (isOpen(leg.status) && this.need(leg) > n) n = this.need(leg);
    return n;
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
      if (this.outOfRange(m.price)) {
        this.expireOutOfRange(t);
        return;
      }
      if (m.acct === t.acct && t.stp !== 'NONE') {
        if (this.prevent(t, m)) return;
        continue;
      }
      let q = t.rem < m.vis ? t.rem : m.vis;
      if (isMarket(t.type) && t.buy && notional(m.price, q) > t.lock) {
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
      this.endPair(o);
      this.closed(o);
      return;
    }
    o.vis -= n < o.vis ? n : o.vis;
    o.rem -= n;
    if (o.booked && o.vis === 0n) this.refill(o);
    else if (o.vis > o.rem) o.vis = o.rem;
  }

  /** A trade at `p` moves the waiting trailing stops: starts them, moves their extreme, fires them. */
  private trail(p: bigint): void {
    for (const o of this.orders.values()) {
      if (!o.waiting || o.delta === 0 || o.fired || !isOpen(o.status)) continue;
      if (!o.tracking) {
        if (o.stop === 0n || triggers(o, p)) {
          o.tracking = true;
          o.extreme = p;
        }
        continue;
      }
      const d = BigInt(o.delta);
      if (o.buy) {
        if (p < o.extreme) o.extreme = p;
        else if (p * 10000n >= o.extreme * (10000n + d)) o.fired = true;
      } else if (p > o.extreme) o.extreme = p;
      else if (p * 10000n <= o.extreme * (10000n - d)) o.fired = true;
    }
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
    if (isMarket(t.type) && t.buy) t.lock -= n;
    this.last = price;
    this.tape.push({ time: this.now, price });
    this.traded = true;
    this.trail(price);
    for (const o of [m, t]) {
      o.rem -= q;
      o.exec += q;
      o.cumQuote += n;
      o.status = o.rem === 0n ? 'FILLED' : 'PARTIALLY_FILLED';
      this.changed(o);
      if (o.rem === 0n) this.closed(o);
    }
    m.vis -= q;
    if (t.vis > t.rem) t.vis = t.rem;
    // an OPO's working order: what it bought is held for its pending order, its commission paid from
    // free base when that covers the whole quantity, else out of what it received
    const payer = buyer.list;
    if (payer !== null && pays(payer) && payer.legs[0] === buyer) {
      const covered = this.free(buyer.acct, sym.base) >= q;
      if (!covered && cb > 0n) this.paidFromFill++;
      payer.received += covered ? q : q - cb;
    }
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
    this.endPair(m);
  }
}

export function isOpen(status: string): boolean {
  return status === 'NEW' || status === 'PARTIALLY_FILLED' || status === 'PENDING_NEW';
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
