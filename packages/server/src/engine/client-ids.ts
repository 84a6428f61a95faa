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

export class ClientIds {
  private readonly byOrder = new Map<number, string>();
  /** The last export's packed form (entries in the map's order), while it is still right. */
  private packed: PackedClientIds | null = null;
  /** OrderIds given an id since `packed`, in order (kept only while there is a `packed`). */
  private added: number[] = [];

  get(orderId: number): string | undefined {
    return this.byOrder.get(orderId);
  }

  get size(): number {
    return this.byOrder.size;
  }

  /** Gives `orderId` the id `cid` (a new order's, or a rename). */
  set(orderId: number, cid: string): void {
    if (this.byOrder.has(orderId)) this.forget();
    else if (this.packed !== null) this.added.push(orderId);
    this.byOrder.set(orderId, cid);
  }

  delete(orderId: number): void {
    if (this.byOrder.delete(orderId)) this.forget();
  }

  private forget(): void {
    this.packed = null;
    this.added = [];
  }

  /** Every id in the map's order, packed — from the last export's form plus the ids added since. */
  pack(): PackedClientIds {
    let out: PackedClientIds;
    const prev = this.packed;
    if (prev === null) {
      out = packMap(this.byOrder);
    } else {
      const ids = this.added.map((id) => this.byOrder.get(id) as string);
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

  /** Loads packed ids into this (empty) map; that form stands for the next export. */
  load(p: PackedClientIds): void {
    unpackStrings(p.text, p.lengths, (cid, i) => this.byOrder.set(p.orders[i] as number, cid));
    this.packed = p;
    this.added = [];
  }
}

function packMap(byOrder: ReadonlyMap<number, string>): PackedClientIds {
  const orders = new Float64Array(byOrder.size);
  const ids = new Array<string>(byOrder.size);
  let i = 0;
  for (const [id, cid] of byOrder) {
    orders[i] = id;
    ids[i++] = cid;
  }
  const { text, lengths } = packStrings(ids);
  return { text, lengths, orders };
}
