/**
 * The closed-order archive of engine snapshots of version 2 (read only: snapshot-v2.ts turns its rows
 * into order-table rows). Row = orderId; common fields are dense columns, the six enums and two flags
 * one packed int; the rarely set fields (stop, iceberg, strategy, quote quantity, self-trade
 * prevention, a working time other than the creation time) live in a second, sparse table.
 */
import {
  EXPIRY_REASONS,
  ORDER_STATUSES,
  ORDER_TYPES,
  SELF_TRADE_PREVENTION_MODES,
  SIDES,
  TIME_IN_FORCES,
  type ExpiryReason,
  type OrderStatus,
  type OrderType,
  type SelfTradePreventionMode,
  type Side,
  type TimeInForce,
} from '@binance-sandbox/protocol';
import { type Chunks, type Column, columns, f64, getBig, i32 } from './columns.js';
import { clientOrderId } from './ids.js';
import { specOf, type AccountId, type OrderSpec, type OrderView, type Peg } from './types.js';

const DENSE_COLUMNS = [
  'accountId',
  'price',
  'origQty',
  'executedQty',
  'cumQuote',
  'time',
  'updateTime',
  'cidSeq',
] as const;
const RARE_COLUMNS = [
  'origQuoteOrderQty',
  'stopPrice',
  'icebergQty',
  'strategyId',
  'strategyType',
  'preventedQty',
  'preventedMatchId',
  'workingTime',
] as const;
type DenseColumn = (typeof DENSE_COLUMNS)[number];
type RareColumn = (typeof RARE_COLUMNS)[number];

/** The packed enums, in bit order; code 0 of expiryReason is "none". */
const ENUMS = {
  side: SIDES,
  type: ORDER_TYPES,
  timeInForce: TIME_IN_FORCES,
  stp: SELF_TRADE_PREVENTION_MODES,
  status: ORDER_STATUSES,
  expiryReason: [undefined, ...EXPIRY_REASONS],
} as const;
type EnumField = keyof typeof ENUMS;
const ENUM_FIELDS = Object.keys(ENUMS) as EnumField[];
const SHIFT = {} as Record<EnumField, number>;
const MASK = {} as Record<EnumField, number>;
let bitsUsed = 0;
for (const f of ENUM_FIELDS) {
  const bits = Math.ceil(Math.log2(ENUMS[f].length));
  SHIFT[f] = bitsUsed;
  MASK[f] = (1 << bits) - 1;
  bitsUsed += bits;
}
const ARCHIVED = 1 << bitsUsed;
const WORKING = 2 << bitsUsed;
/** workingTime === time (else it is in the rare table). */
const WORKING_SINCE_CREATION = 4 << bitsUsed;

/** Overflow keys: row · 2 + column (dense cumQuote; rare origQuoteOrderQty). */
const CUM_QUOTE = 0;
const ORIG_QUOTE = 1;

export interface OrderArchiveState {
  /** Rows exported (row i = orderId i). */
  readonly rows: number;
  /** The enum value lists the packed codes index (a snapshot of another version is refused). */
  readonly enums: string;
  readonly dense: Readonly<Record<DenseColumn, Chunks<Float64Array>>>;
  readonly packed: Chunks<Int32Array>;
  /** Per orderId its row in the rare table (0: none). */
  readonly rareRow: Chunks<Int32Array>;
  readonly rareRows: number;
  readonly rare: Readonly<Record<RareColumn, Chunks<Float64Array>>>;
  /** Client-given ids (generated ones come back from cidSeq): their orderIds, and the ids concatenated. */
  readonly clientIdOrders: Float64Array;
  readonly clientIdLengths: Uint32Array;
  readonly clientIds: string;
  readonly bigs: readonly (readonly [number, bigint])[];
  readonly rareBigs: readonly (readonly [number, bigint])[];
}

const ENUM_LAYOUT = JSON.stringify(ENUMS);

export class OrderArchive {
  private readonly dense: Readonly<Record<DenseColumn, Column<Float64Array>>>;
  private readonly packed: Column<Int32Array>;
  private readonly rareRow: Column<Int32Array>;
  private readonly rare: Readonly<Record<RareColumn, Column<Float64Array>>>;
  /** Rare rows used (row 0 is never used). */
  private rareRows = 1;
  private rareWritable = 0;
  /** Client-given ids by orderId. */
  private readonly clientIds = new Map<number, string>();
  private readonly bigs: Map<number, bigint>;
  private readonly rareBigs: Map<number, bigint>;
  /** One past the highest orderId archived. */
  private end = 0;
  /** Rows below this are writable in every dense column. */
  private writable = 0;

  constructor(
    readonly symbol: string,
    private readonly seed: number,
    state?: OrderArchiveState,
    /** The symbol's trailing stops by orderId (their trailingDelta / trailingTime). */
    readonly trails: ReadonlyMap<number, { readonly delta: number; readonly time: number }> = new Map(),
    /** The symbol's pegged orders by orderId. */
    readonly pegs: ReadonlyMap<number, Peg> = new Map(),
  ) {
    if (state !== undefined && state.enums !== ENUM_LAYOUT)
      throw new Error('order archive: the snapshot was taken with other enum values');
    this.dense = columns(DENSE_COLUMNS, (k) => f64(state?.dense[k]));
    this.packed = i32(state?.packed);
    this.rareRow = i32(state?.rareRow);
    this.rare = columns(RARE_COLUMNS, (k) => f64(state?.rare[k]));
    this.bigs = new Map(state?.bigs);
    this.rareBigs = new Map(state?.rareBigs);
    if (state === undefined) return;
    this.end = state.rows;
    this.rareRows = state.rareRows;
    let at = 0;
    for (let i = 0; i < state.clientIdOrders.length; i++) {
      const len = state.clientIdLengths[i] as number;
      this.clientIds.set(state.clientIdOrders[i] as number, state.clientIds.slice(at, at + len));
      at += len;
    }
  }

  has(id: number): boolean {
    return id > 0 && id < this.end && (this.packed.get(id) & ARCHIVED) !== 0;
  }

  accountOf(id: number): AccountId {
    return this.dense.accountId.get(id);
  }

  timeOf(id: number): number {
    return this.dense.time.get(id);
  }

  numberOf(col: Exclude<DenseColumn, 'cumQuote'>, id: number): number {
    return this.dense[col].get(id);
  }

  /** A rare field of an archived order (its default when the order has no rare row). */
  rareOf(col: Exclude<RareColumn, 'origQuoteOrderQty' | 'workingTime'>, id: number): number {
    const r = this.rareRow.get(id);
    if (r !== 0) return this.rare[col].get(r);
    return col === 'preventedMatchId' ? -1 : col === 'strategyId' || col === 'strategyType' ? NaN : 0;
  }

  origQuoteOrderQtyOf(id: number): bigint {
    const r = this.rareRow.get(id);
    return r === 0 ? 0n : getBig(this.rare.origQuoteOrderQty, r, this.rareBigs, r * 2 + ORIG_QUOTE);
  }

  cumQuoteOf(id: number): bigint {
    return getBig(this.dense.cumQuote, id, this.bigs, id * 2 + CUM_QUOTE);
  }

  workingTimeOf(id: number): number {
    if ((this.packed.get(id) & WORKING_SINCE_CREATION) !== 0) return this.dense.time.get(id);
    return this.rare.workingTime.get(this.rareRow.get(id));
  }

  enumOf(f: EnumField, id: number): string | undefined {
    return ENUMS[f][(this.packed.get(id) >>> SHIFT[f]) & MASK[f]];
  }

  isWorking(id: number): boolean {
    return (this.packed.get(id) & WORKING) !== 0;
  }

  clientOrderIdOf(id: number): string {
    const seq = this.dense.cidSeq.get(id);
    return seq > 0 ? clientOrderId(this.seed, seq) : (this.clientIds.get(id) as string);
  }

  view(id: number): ArchivedOrderView {
    return new ArchivedOrderView(this, id);
  }
}

/** An archived order as an OrderView (and its own spec), reading the archive's row. */
export class ArchivedOrderView implements OrderView, OrderSpec {
  constructor(
    private readonly a: OrderArchive,
    readonly orderId: number,
  ) {}
  get spec(): OrderSpec {
    return this;
  }
  get symbol(): string {
    return this.a.symbol;
  }
  get orderListId(): number {
    return -1;
  }
  get clientOrderId(): string {
    return this.a.clientOrderIdOf(this.orderId);
  }
  get accountId(): AccountId {
    return this.a.accountOf(this.orderId);
  }
  get side(): Side {
    return this.a.enumOf('side', this.orderId) as Side;
  }
  get type(): OrderType {
    return this.a.enumOf('type', this.orderId) as OrderType;
  }
  get timeInForce(): TimeInForce {
    return this.a.enumOf('timeInForce', this.orderId) as TimeInForce;
  }
  get price(): number {
    return this.a.numberOf('price', this.orderId);
  }
  get origQty(): number {
    return this.a.numberOf('origQty', this.orderId);
  }
  get origQuoteOrderQty(): bigint {
    return this.a.origQuoteOrderQtyOf(this.orderId);
  }
  get stopPrice(): number {
    return this.a.rareOf('stopPrice', this.orderId);
  }
  get trailingDelta(): number | undefined {
    return this.a.trails.get(this.orderId)?.delta;
  }
  get trailingTime(): number | undefined {
    return this.a.trails.get(this.orderId)?.time;
  }
  get peg(): Peg | null {
    return this.a.pegs.get(this.orderId) ?? null;
  }
  get icebergQty(): number {
    return this.a.rareOf('icebergQty', this.orderId);
  }
  get selfTradePreventionMode(): SelfTradePreventionMode {
    return this.a.enumOf('stp', this.orderId) as SelfTradePreventionMode;
  }
  get strategyId(): number | undefined {
    const v = this.a.rareOf('strategyId', this.orderId);
    return v === v ? v : undefined;
  }
  get strategyType(): number | undefined {
    const v = this.a.rareOf('strategyType', this.orderId);
    return v === v ? v : undefined;
  }
  get time(): number {
    return this.a.timeOf(this.orderId);
  }
  get status(): OrderStatus {
    return this.a.enumOf('status', this.orderId) as OrderStatus;
  }
  get executedQty(): number {
    return this.a.numberOf('executedQty', this.orderId);
  }
  get cumQuote(): bigint {
    return this.a.cumQuoteOf(this.orderId);
  }
  get isWorking(): boolean {
    return this.a.isWorking(this.orderId);
  }
  get workingTime(): number {
    return this.a.workingTimeOf(this.orderId);
  }
  get updateTime(): number {
    return this.a.numberOf('updateTime', this.orderId);
  }
  get preventedQty(): number {
    return this.a.rareOf('preventedQty', this.orderId);
  }
  get preventedMatchId(): number {
    return this.a.rareOf('preventedMatchId', this.orderId);
  }
  get expiryReason(): ExpiryReason | undefined {
    return this.a.enumOf('expiryReason', this.orderId) as ExpiryReason | undefined;
  }
  /** JSON of the spec only, as Order renders. */
  toJSON(): OrderSpec {
    return specOf(this);
  }
}
