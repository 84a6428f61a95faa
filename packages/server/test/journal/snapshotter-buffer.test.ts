/**
 * The Snapshotter writes each body into the previous body's buffer while it is kept (reuseBufferMs),
 * prepares one ahead of a snapshot that is due, and every file it writes that way reads back as the
 * state it captured.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExchangeCommand } from '../../src/exchange/commands.js';
import type { Journal } from '../../src/exchange/service.js';
import { readSnapshot, type SnapshotData } from '../../src/journal/snapshot.js';
import { Snapshotter, type SnapshotResult } from '../../src/journal/snapshotter.js';
import { SpareBuffer } from '../../src/journal/spare-buffer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const NO_JOURNAL: Journal = { append: () => Promise.resolve(), close: () => Promise.resolve() };
const COMMAND = { kind: 'deposit', cmd: { now: 0, accountId: 1, asset: 'USDT', amount: '1' } } as ExchangeCommand;
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A state whose size and contents change with `n` (a column as large as real ones, and a marker). */
function stateOf(n: number): SnapshotData {
  return {
    engine: { column: new Float64Array(20_000 + n).fill(n), n } as never,
    market: { symbols: [] },
    accounts: [],
    clockAdvancedMs: n,
  };
}

function setup(reuseBufferMs: number, every = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'bsbx-spare-'));
  dirs.push(dir);
  let n = 0;
  const snapshotter = new Snapshotter({
    dir,
    every,
    fingerprint: 'fp',
    capture: () => stateOf(n),
    log: { info: () => undefined, error: (f) => expect.fail(JSON.stringify(f)) },
    reuseBufferMs,
  });
  const journal = snapshotter.wrap(NO_JOURNAL);
  const read = (r: SnapshotResult | null) => readSnapshot(r!.path, 'fp').data;
  return { snapshotter, journal, read, set: (v: number) => (n = v) };
}

describe('snapshot buffers', () => {
  it('the next body goes into the last one’s buffer while it is kept, larger or smaller, and reads back right', async () => {
    const { snapshotter, journal, read, set } = setup(60_000);
    const results: SnapshotResult[] = [];
    for (const n of [4000, 4100, 10, 4500, 90_000]) {
      set(n);
      void journal.append(COMMAND);
      const r = (await snapshotter.snapshot())!;
      results.push(r);
      const data = read(r);
      expect(data.clockAdvancedMs).toBe(n);
      expect((data.engine as unknown as { column: Float64Array }).column).toEqual(new Float64Array(20_000 + n).fill(n));
    }
    // fresh memory first; then the kept buffer (a quarter larger) until a body outgrows it
    expect(results.map((r) => r.reusedBuffer)).toEqual([false, true, true, true, false]);
    await snapshotter.close();
  });

  it('gives the buffer back after reuseBufferMs, and prepares one again before the next snapshot is due', async () => {
    const { snapshotter, journal } = setup(200, 20);
    for (let i = 0; i < 20; i++) void journal.append(COMMAND); // the 20th schedules a snapshot
    await turn();
    await snapshotter.snapshot(); // after the scheduled one
    await new Promise((resolve) => setTimeout(resolve, 300)); // reuseBufferMs = 200: given back
    for (let i = 0; i < 17; i++) void journal.append(COMMAND); // 17 of 20: not yet preparing
    for (let i = 0; i < 10; i++) await turn();
    const cold = await snapshotter.snapshot();
    expect(cold?.reusedBuffer).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 18; i++) void journal.append(COMMAND); // 90 % of 20: prepare (the size predicted)
    for (let i = 0; i < 10; i++) await turn();
    const warm = await snapshotter.snapshot();
    expect(warm?.reusedBuffer).toBe(true);
    await snapshotter.close();
  });

  it('after a startup from a snapshot, prepares the first buffer from that snapshot’s size', async () => {
    for (const loaded of [{ bytes: 170_000, records: 100 }, undefined]) {
      const { snapshotter, journal } = setup(60_000, 20);
      snapshotter.recovered(100, 0, 0, loaded);
      for (let i = 0; i < 18; i++) void journal.append(COMMAND);
      for (let i = 0; i < 10; i++) await turn();
      expect((await snapshotter.snapshot())?.reusedBuffer).toBe(loaded !== undefined);
      await snapshotter.close();
    }
  });
});

describe('SpareBuffer', () => {
  it('prepares a buffer slice by slice unless a large enough one is kept; a take meanwhile stops it; nothing is kept after close', async () => {
    const spare = new SpareBuffer(60_000);
    const MiB = 1 << 20;
    spare.prepare(0);
    expect(spare.take()).toBeUndefined();
    const kept = Buffer.alloc(20 * MiB, 1);
    spare.keep(kept);
    spare.prepare(10 * MiB); // the one kept is large enough
    expect(spare.ready).toBe(true);
    expect(spare.take()).toBe(kept);
    spare.keep(kept);
    spare.prepare(30 * MiB); // too small: given back, a larger one prepared
    expect(spare.ready).toBe(false);
    await turn();
    const half = spare.take()!; // mid-way: handed out as far as it got, and no longer written
    expect(half.length).toBe(30 * MiB);
    half.fill(9);
    for (let i = 0; i < 12; i++) await turn();
    expect(half.every((b) => b === 9)).toBe(true);
    expect(spare.ready).toBe(false);
    spare.prepare(12 * MiB);
    spare.prepare(8 * MiB); // the one on its way is large enough
    for (let i = 0; i < 12; i++) await turn();
    expect(spare.ready).toBe(true);
    expect(spare.take()?.length).toBe(12 * MiB);
    spare.close();
    spare.keep(Buffer.alloc(10));
    spare.prepare(10);
    expect(spare.take()).toBeUndefined();
  });
});
