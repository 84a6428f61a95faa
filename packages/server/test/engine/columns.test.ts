import { describe, expect, it } from 'vitest';
import { Chain, Chains } from '../../src/engine/chains.js';
import { f64, i32 } from '../../src/engine/columns.js';

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
  it('threads several lists through one pair of link columns, both ways', () => {
    const chains = new Chains();
    const a = new Chain();
    const b = new Chain();
    for (let e = 1; e <= 50_000; e++) chains.append(e % 3 === 0 ? a : b, e);
    const forward = (ch: Chain) => {
      const out: number[] = [];
      for (let e = ch.head; e !== 0; e = chains.next(e)) out.push(e);
      return out;
    };
    const backward = (ch: Chain) => {
      const out: number[] = [];
      for (let e = ch.tail; e !== 0; e = chains.prev(e)) out.push(e);
      return out.reverse();
    };
    const expectedA = Array.from({ length: 16_666 }, (_x, i) => 3 * (i + 1));
    expect(forward(a)).toEqual(expectedA);
    expect(backward(a)).toEqual(expectedA);
    expect(a.length).toBe(16_666);
    expect(forward(b)).toEqual(backward(b));
    expect(b.length).toBe(50_000 - 16_666);
  });
});
