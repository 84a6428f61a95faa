/**
 * The packed form, for snapshots, of a symbol's per-account client order id indexes
 * (SymbolAccount.byClientId: client id → latest orderId), kept from one export to the next.
 *
 * An export is one entry (account, client id, orderId) per index entry, in an order that replays
 * each account's index in its own order. Indexes mostly grow by new ids, each added at the end of
 * its account's index, so the last export's entries followed by the ones added since are such an
 * order: only the new ones are packed. An id given again (its entry now names a later order) or
 * removed drops the packed form; the next export then packs every index again, account by account.
 * Same reason as ClientIds (client-ids.ts): packing a million ids was a good part of the pause.
 */
import { appendTyped, packStrings } from './packed-strings.js';

/** One entry per index entry: `accounts[i]` names `orders[i]` with the i-th id packed in `text`. */
export interface PackedIndex {
  readonly text: string;
  readonly lengths: Uint32Array;
  readonly orders: Float64Array;
  readonly accounts: Float64Array;
}

/** An account's index, as the export walks it. */
export interface AccountIndex {
  readonly accountId: number;
  readonly byClientId: ReadonlyMap<string, number>;
}

export class ClientIdIndexLog {
  private packed: PackedIndex | null = null;
  // the entries added since `packed` (kept only while there is one)
  private accounts: number[] = [];
  private cids: string[] = [];
  private orders: number[] = [];

  /** `cid` entered `accountId`'s index (new to it), naming `orderId`. */
  added(accountId: number, cid: string, orderId: number): void {
    if (this.packed === null) return;
    this.accounts.push(accountId);
    this.cids.push(cid);
    this.orders.push(orderId);
  }

  /** An entry named another order, or left its index. */
  changed(): void {
    this.packed = null;
    this.accounts = [];
    this.cids = [];
    this.orders = [];
  }

  /** Every entry of `indexes`: the last export's plus the ones added since, or all packed afresh. */
  pack(indexes: Iterable<AccountIndex>): PackedIndex {
    const prev = this.packed;
    let out: PackedIndex;
    if (prev === null) {
      const list = [...indexes];
      let n = 0;
      for (const x of list) n += x.byClientId.size;
      const cids = new Array<string>(n);
      const orders = new Float64Array(n);
      const accounts = new Float64Array(n);
      let i = 0;
      for (const { accountId, byClientId } of list)
        for (const [cid, orderId] of byClientId) {
          accounts[i] = accountId;
          cids[i] = cid;
          orders[i++] = orderId;
        }
      const { text, lengths } = packStrings(cids);
      out = { text, lengths, orders, accounts };
    } else {
      const tail = packStrings(this.cids);
      out = {
        text: prev.text + tail.text,
        lengths: appendTyped(new Uint32Array(prev.lengths.length + this.cids.length), prev.lengths, tail.lengths),
        orders: appendTyped(new Float64Array(prev.orders.length + this.orders.length), prev.orders, this.orders),
        accounts: appendTyped(
          new Float64Array(prev.accounts.length + this.accounts.length),
          prev.accounts,
          this.accounts,
        ),
      };
    }
    this.changed();
    this.packed = out;
    return out;
  }

  /** After an import of `p` (the indexes hold exactly its entries): it stands for the next export. */
  loaded(p: PackedIndex): void {
    this.changed();
    this.packed = p;
  }
}
