import { describe, expect, it } from 'vitest';
import { Chains, historyWindow } from '../../src/engine/chains.js';
import { f64, i32 } from '../../src/engine/columns.js';
import { mulberry32 } from './helpers.js';

describe('chunked columns', () => {
  it('grows across chunk boundaries and keeps every value', () => {
    const c = f64();
    const rows = 100_000; // three chunks and a partial one
    for (let i = 0; i < rows; i++) {
      c.ensure(i);
      c.set(i, i * 1.5);
    }
    for (let i = 0; i < rows; i += 977) expect(c.get(i)).toBe(i * 1.5);
    expect(c.writableEnd()).toBeGreaterThanOrEqual(rows);
  });

  it('exports its chunks and continues from them after an import', () => {
    const c = i32();
    for (let i = 0; i < 70_000; i++) {
      c.ensure(i);
      c.set(i, i);
    }
    const chunks = structuredClone(c.chunksUpTo(70_000));
    expect(chunks.reduce((n, x) => n + x.length, 0)).toBe(70_000);
    const d = i32(chunks);
    for (let i = 70_000; i < 140_000; i++) {
      d.ensure(i);
      d.set(i, i);
    }
    for (let i = 0; i < 140_000; i += 1013) expect(d.get(i)).toBe(i);
    expect(d.get(69_999)).toBe(69_999);
    expect(d.get(70_000)).toBe(70_000);
  });

  it('refuses exported chunks of the wrong size', () => {
    expect(() => i32([new Int32Array(5), new Int32Array(5)])).toThrow(/wrong size/);
  });
});

describe('chains', () => {
  it('threads several lists through one link column, each entry to the one before it', () => {
    const chains = new Chains();
    const last = [0, 0];
    for (let e = 1; e <= 50_000; e++) {
      const k = e % 3 === 0 ? 0 : 1;
      chains.link(e, last[k]!);
      last[k] = e;
    }
    const backward = (tail: number) => {
      const out: number[] = [];
      for (let e = tail; e !== 0; e = chains.prev(e)) out.push(e);
      return out.reverse();
    };
    expect(backward(last[0]!)).toEqual(Array.from({ length: 16_666 }, (_x, i) => 3 * (i + 1)));
    expect(backward(last[1]!)).toEqual(Array.from({ length: 50_000 }, (_x, i) => i + 1).filter((e) => e % 3 !== 0));
    // a list continues after its links went through a snapshot
    const restored = new Chains(structuredClone(chains.exportState(50_001)));
    restored.link(50_001, last[0]!);
    expect(restored.prev(50_001)).toBe(49_998);
    expect(restored.prev(3)).toBe(0);
  });
});

describe('historyWindow (allOrders / myTrades selection)', () => {
  /** The definition, on the list as an array (oldest first). */
  function model(
    list: number[],
    fromId: number | undefined,
    q: { startTime?: number; endTime?: number; limit?: number },
    time: (e: number) => number,
    keep: (e: number) => boolean,
  ): number[] {
    const limit = Math.min(Math.max(q.limit ?? 500, 1), 1000);
    const ok = (e: number) => keep(e) && time(e) >= (q.startTime ?? -Infinity) && time(e) <= (q.endTime ?? Infinity);
    const selected = list.filter((e) => ok(e) && (fromId === undefined || e >= fromId));
    return fromId !== undefined || q.startTime !== undefined ? selected.slice(0, limit) : selected.slice(-limit);
  }

  it('selects what the definition selects, over random lists and queries', () => {
    const rnd = mulberry32(7);
    for (let round = 0; round < 40; round++) {
      const chains = new Chains();
      const last = [0, 0, 0];
      const arrays: number[][] = [[], [], []];
      const n = 1 + Math.floor(rnd() * 3000);
      for (let e = 1; e <= n; e++) {
        const k = Math.floor(rnd() * 3);
        chains.link(e, last[k]!);
        last[k] = e;
        arrays[k]!.push(e);
      }
      const time = (e: number) => 1000 + Math.floor(e / 3); // non-decreasing, with ties
      const parity = Math.floor(rnd() * 3);
      const keep = (e: number) => parity === 2 || e % 2 === parity;
      for (let k = 0; k < 3; k++)
        for (let i = 0; i < 20; i++) {
          const pick = (p: number) => (rnd() < p ? Math.floor(rnd() * (n + 10)) : undefined);
          const fromId = pick(0.4);
          const startTime = rnd() < 0.4 ? 1000 + Math.floor((rnd() * n) / 3) : undefined;
          const endTime = rnd() < 0.4 ? 1000 + Math.floor((rnd() * n) / 3) : undefined;
          const limit = rnd() < 0.8 ? 1 + Math.floor(rnd() * (rnd() < 0.5 ? 10 : 1200)) : undefined;
          const q = { startTime, endTime, limit };
          expect(historyWindow(last[k]!, chains, fromId, q, (e) => e, time, keep)).toEqual(
            model(arrays[k]!, fromId, q, time, keep),
          );
        }
    }
  });
});
