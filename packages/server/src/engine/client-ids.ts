/**
 * Client-given order ids by orderId (the order table's rare part), with their packed form for
 * snapshots kept from one export to the next.
 *
 * Why: packing a million ids (one string, a length column, the orderIds: packed-strings.ts) took a
 * good part of a snapshot's event-loop pause, and nearly all of them were packed the time before
 * too. Orders receive their ids in orderId order and keep them, so the packed form of the last
 * export stays right and only the ids given since are packed and appended. Any other change — an
 * order renamed, or an id taken away — drops it and the next export packs everything again (rare:
 * only an amendment renames an open order).
 */
import { appendTyped, packStrings, unpackStrings } from './packed-strings.js';

/** `text`: every id one after the other; `lengths`: their lengths; `orders`: their orderIds. */
export interface PackedClientIds {
  readonly text: string;
  readonly lengths: Uint32Array;
  readonly orders: Float64Array;
}

/** Ids per chunk of consecutive orderIds: a chunk exists once one of its orders has an id. */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

export class ClientIds {
  /**
   * The ids by orderId, in chunks of CHUNK orderIds (undefined: none). OrderIds are the table's rows,
   * given in order: a Map of a million numbers cost the replay of a journal whose orders all carry ids
   * ~6 % in insertion and rehashing alone, and one flat array would hold a slot for every order of a
   * symbol once one of them had an id (the simulator's have generated ones).
   */
  private readonly chunks: ((string | undefined)[] | undefined)[] = [];
  private count = 0;
  /** The last export's packed form (entries in orderId order), while it is still right. */
  private packed: PackedClientIds | null = null;
  /** OrderIds given an id since `packed`, in order (kept only while there is a `packed`). */
  private added: number[] = [];

  get(orderId: number): string | undefined {
    return this.chunks[orderId >>> CHUNK_BITS]?.[orderId & (CHUNK - 1)];
  }

  get size(): number {
    return this.count;
  }

  /** Gives `orderId` the id `cid` (a new order's, or a rename). */
  set(orderId: number, cid: string): void {
    const c = orderId >>> CHUNK_BITS;
    const chunks = this.chunks;
    while (chunks.length <= c) chunks.push(undefined);
    const chunk = (chunks[c] ??= new Array<string | undefined>(CHUNK).fill(undefined));
    const i = orderId & (CHUNK - 1);
    if (chunk[i] !== undefined) this.forget();
    else {
      this.count++;
      // the packed form stays right while ids arrive in orderId order (an older order renamed: not)
      if (this.packed !== null) {
        const last = this.added.length > 0 ? (this.added[this.added.length - 1] as number) : this.packedLast;
        if (orderId > last) this.added.push(orderId);
        else this.forget();
      }
    }
    chunk[i] = cid;
  }

  delete(orderId: number): void {
    const chunk = this.chunks[orderId >>> CHUNK_BITS];
    const i = orderId & (CHUNK - 1);
    if (chunk?.[i] === undefined) return;
    chunk[i] = undefined;
    this.count--;
    this.forget();
  }

  private forget(): void {
    this.packed = null;
    this.added = [];
  }

  /** The highest orderId in `packed` (0: none). */
  private get packedLast(): number {
    const orders = this.packed?.orders;
    return orders === undefined || orders.length === 0 ? 0 : (orders[orders.length - 1] as number);
  }

  /** Every id in orderId order, packed — from the last export's form plus the ids added since. */
  pack(): PackedClientIds {
    let out: PackedClientIds;
    const prev = this.packed;
    if (prev === null) {
      out = packAll(this.chunks, this.count);
    } else {
      const ids = this.added.map((id) => this.get(id) as string);
      const tail = packStrings(ids);
      out = {
        text: prev.text + tail.text,
        lengths: appendTyped(new Uint32Array(prev.lengths.length + ids.length), prev.lengths, tail.lengths),
        orders: appendTyped(new Float64Array(prev.orders.length + ids.length), prev.orders, this.added),
      };
    }
    this.packed = out;
    this.added = [];
    return out;
  }

  /** Loads packed ids (in any order) into this (empty) map; that form stands for the next export when sorted. */
  load(p: PackedClientIds): void {
    let sorted = true;
    unpackStrings(p.text, p.lengths, (cid, i) => {
      const id = p.orders[i] as number;
      if (i > 0 && id <= (p.orders[i - 1] as number)) sorted = false;
      this.set(id, cid);
    });
    this.packed = sorted ? p : null;
    this.added = [];
  }
}

function packAll(chunks: readonly ((string | undefined)[] | undefined)[], count: number): PackedClientIds {
  const orders = new Float64Array(count);
  const ids = new Array<string>(count);
  let n = 0;
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c];
    if (chunk === undefined) continue;
    for (let i = 0; i < CHUNK; i++) {
      const cid = chunk[i];
      if (cid === undefined) continue;
      orders[n] = c * CHUNK + i;
      ids[n++] = cid;
    }
  }
  const { text, lengths } = packStrings(ids);
  return { text, lengths, orders };
}
