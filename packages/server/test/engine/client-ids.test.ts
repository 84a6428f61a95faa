import { describe, expect, it } from 'vitest';
import { ClientIds, type PackedClientIds } from '../../src/engine/client-ids.js';
import { mulberry32 } from './helpers.js';

/** The packed form of a plain map, in its order: what every export must equal. */
function reference(m: ReadonlyMap<number, string>): { text: string; lengths: number[]; orders: number[] } {
  return { text: [...m.values()].join(''), lengths: [...m.values()].map((s) => s.length), orders: [...m.keys()] };
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
        } else if (r < 0.72) {
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
  });
});
