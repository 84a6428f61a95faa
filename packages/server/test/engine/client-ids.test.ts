import { describe, expect, it } from 'vitest';
import { ClientIdIndexLog } from '../../src/engine/client-id-index.js';
import { ClientIds, type PackedClientIds } from '../../src/engine/client-ids.js';
import { mulberry32 } from './helpers.js';

/** The packed form of a plain map, in orderId order: what every export must equal. */
function reference(m: ReadonlyMap<number, string>): { text: string; lengths: number[]; orders: number[] } {
  const entries = [...m].sort((a, b) => a[0] - b[0]);
  return {
    text: entries.map(([, s]) => s).join(''),
    lengths: entries.map(([, s]) => s.length),
    orders: entries.map(([id]) => id),
  };
}
const plain = (p: PackedClientIds) => ({ text: p.text, lengths: [...p.lengths], orders: [...p.orders] });

describe('ClientIds', () => {
  it('packs exactly what a full pack of the same map gives, whatever happened between exports', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = mulberry32(seed);
      const ids = new ClientIds();
      const model = new Map<number, string>();
      let next = 1;
      let reused = 0;
      const generated: number[] = [];
      for (let step = 0; step < 600; step++) {
        const r = rnd();
        const known = [...model.keys()];
        if (r < 0.6 || known.length === 0) {
          // a new order, with an id of its own (orderIds only grow)
          next += 1 + Math.floor(rnd() * 3);
          const cid = `c${seed}-${step}${rnd() < 0.1 ? 'é"\\' : ''}`;
          ids.set(next, cid);
          model.set(next, cid);
        } else if (r < 0.66) {
          const id = known[Math.floor(rnd() * known.length)]!; // renamed
          ids.set(id, `r${step}`);
          model.set(id, `r${step}`);
        } else if (r < 0.7) {
          const id = known[Math.floor(rnd() * known.length)]!; // a generated id instead
          ids.delete(id);
          model.delete(id);
          generated.push(id);
        } else if (r < 0.72 && generated.length > 0) {
          const id = generated.splice(Math.floor(rnd() * generated.length), 1)[0]!; // an older order given an id again
          ids.set(id, `g${step}`);
          model.set(id, `g${step}`);
        } else if (r < 0.74) {
          ids.delete(next + 100); // not there: nothing changes
        } else if (r < 0.85) {
          const before = ids.size;
          expect(plain(ids.pack())).toEqual(reference(model));
          expect(ids.size).toBe(before);
          reused++;
        } else {
          expect(ids.get(known[0]!)).toBe(model.get(known[0]!));
        }
      }
      expect(plain(ids.pack())).toEqual(reference(model));
      expect(reused).toBeGreaterThan(10);
    }
  });

  it('after loading a packed form it packs the same again, then only appends', () => {
    const ids = new ClientIds();
    ids.load({ text: 'abcdef', lengths: Uint32Array.of(1, 2, 3), orders: Float64Array.of(3, 5, 9) });
    expect(ids.get(5)).toBe('bc');
    expect(plain(ids.pack())).toEqual({ text: 'abcdef', lengths: [1, 2, 3], orders: [3, 5, 9] });
    ids.set(12, 'xy');
    expect(plain(ids.pack())).toEqual({ text: 'abcdefxy', lengths: [1, 2, 3, 2], orders: [3, 5, 9, 12] });
    ids.set(5, 'zz'); // a rename keeps the entry's place
    expect(plain(ids.pack())).toEqual({ text: 'azzdefxy', lengths: [1, 2, 3, 2], orders: [3, 5, 9, 12] });
    ids.set(7, 'q'); // an older order given an id: in its place by orderId
    expect(plain(ids.pack())).toEqual({ text: 'azzqdefxy', lengths: [1, 2, 1, 3, 2], orders: [3, 5, 7, 9, 12] });
    expect(ids.size).toBe(5);
  });

  it('keeps ids of orderIds far apart (across chunks) in orderId order', () => {
    const ids = new ClientIds();
    const at = [4095, 4096, 1, 9_000_001, 8191, 8192];
    at.forEach((id, i) => ids.set(id, `c${i}`));
    expect(at.map((id) => ids.get(id))).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
    expect(ids.get(4097)).toBeUndefined();
    expect(ids.get(20_000_000)).toBeUndefined();
    expect(plain(ids.pack())).toEqual({
      text: 'c2c0c1c4c5c3',
      lengths: [2, 2, 2, 2, 2, 2],
      orders: [1, 4095, 4096, 8191, 8192, 9_000_001],
    });
    ids.delete(4096);
    ids.delete(4097); // none: nothing changes
    expect(ids.size).toBe(5);
    expect(ids.get(4096)).toBeUndefined();
    expect(plain(ids.pack()).orders).toEqual([1, 4095, 8191, 8192, 9_000_001]);
  });

  it('loads a packed form of any order (an older snapshot) and packs it in orderId order', () => {
    const ids = new ClientIds();
    ids.load({ text: 'ccbba', lengths: Uint32Array.of(2, 2, 1), orders: Float64Array.of(9, 4, 2) });
    expect(ids.get(4)).toBe('bb');
    expect(plain(ids.pack())).toEqual({ text: 'abbcc', lengths: [1, 2, 2], orders: [2, 4, 9] });
  });
});

describe('ClientIdIndexLog', () => {
  /** Accounts' indexes changed the way SymbolAccount.indexClientId / unindexClientId change them. */
  class Indexes {
    readonly log = new ClientIdIndexLog();
    readonly byAccount = new Map<number, Map<string, number>>();
    index(accountId: number, cid: string, orderId: number): void {
      let m = this.byAccount.get(accountId);
      if (m === undefined) this.byAccount.set(accountId, (m = new Map()));
      if (m.has(cid)) this.log.changed();
      else this.log.added(accountId, cid, orderId);
      m.set(cid, orderId);
    }
    unindex(accountId: number, cid: string, orderId: number): void {
      const m = this.byAccount.get(accountId);
      if (m?.get(cid) !== orderId) return;
      m.delete(cid);
      this.log.changed();
    }
    pack() {
      return this.log.pack([...this.byAccount].map(([accountId, byClientId]) => ({ accountId, byClientId })));
    }
  }
  /** The indexes a packed form replays into (same ids, same orderIds, same order per account). */
  function replay(p: ReturnType<Indexes['pack']>): Map<number, [string, number][]> {
    const out = new Map<number, [string, number][]>();
    const maps = new Map<number, Map<string, number>>();
    let at = 0;
    p.lengths.forEach((len, i) => {
      const a = p.accounts[i] as number;
      if (!maps.has(a)) maps.set(a, new Map());
      maps.get(a)!.set(p.text.slice(at, (at += len)), p.orders[i] as number);
    });
    for (const [a, m] of maps) out.set(a, [...m]);
    return out;
  }
  const live = (x: Indexes) =>
    new Map([...x.byAccount].filter(([, m]) => m.size > 0).map(([a, m]) => [a, [...m]] as const));

  it('every export replays into the same indexes, in the same order, whatever happened between exports', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = mulberry32(seed);
      const x = new Indexes();
      let orderId = 0;
      let packs = 0;
      for (let step = 0; step < 800; step++) {
        const r = rnd();
        const account = 1 + Math.floor(rnd() * 6);
        if (r < 0.6) {
          x.index(account, `c${Math.floor(rnd() * 150)}`, ++orderId); // new or given again
        } else if (r < 0.7) {
          const m = [...(x.byAccount.get(account) ?? new Map<string, number>())];
          const e = m[Math.floor(rnd() * m.length)];
          if (e) x.unindex(account, e[0], rnd() < 0.8 ? e[1] : e[1] + 1); // names it, or another order
        } else if (r < 0.85) {
          expect(replay(x.pack())).toEqual(live(x));
          packs++;
        }
      }
      expect(replay(x.pack())).toEqual(live(x));
      expect(packs).toBeGreaterThan(50);
    }
  });

  it('after an import the loaded form stands, then grows by what is added', () => {
    const x = new Indexes();
    x.index(1, 'a', 1);
    x.index(2, 'b', 2);
    const first = x.pack();
    const y = new Indexes();
    y.byAccount.set(1, new Map([['a', 1]]));
    y.byAccount.set(2, new Map([['b', 2]]));
    y.log.loaded(first);
    y.index(1, 'c', 3);
    const next = y.pack();
    expect(next.text).toBe('abc');
    expect([...next.accounts]).toEqual([1, 2, 1]);
    expect(replay(next)).toEqual(live(y));
  });
});
