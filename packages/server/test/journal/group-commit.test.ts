import { describe, expect, it } from 'vitest';
import { encodeFrame, scanFrames } from '../../src/journal/frame.js';
import { GroupCommitter, JournalFailedError, type CommitSink } from '../../src/journal/group-commit.js';

/** A sink whose fsyncs complete only when the test says so. */
class ManualSink implements CommitSink {
  readonly writes: Buffer[] = [];
  readonly durable: Buffer[] = [];
  syncs = 0;
  private pending: { resolve(): void; reject(e: Error): void }[] = [];
  private unsynced: Buffer[] = [];
  write(data: Buffer): Promise<void> {
    this.writes.push(data);
    this.unsynced.push(data);
    return Promise.resolve();
  }
  sync(): Promise<void> {
    this.syncs++;
    return new Promise((resolve, reject) =>
      this.pending.push({
        resolve: () => {
          this.durable.push(...this.unsynced.splice(0));
          resolve();
        },
        reject,
      }),
    );
  }
  get waiting(): number {
    return this.pending.length;
  }
  complete(): void {
    this.pending.shift()?.resolve();
  }
  failNext(err: Error): void {
    this.pending.shift()?.reject(err);
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await tick();
  expect(cond()).toBe(true);
}
const frame = (i: number) => Buffer.from(`r${i};`);

describe('group commit', () => {
  it('batches appends that arrive while a write+fsync is in flight; each resolves after its own fsync', async () => {
    const sink = new ManualSink();
    const gc = new GroupCommitter(sink);
    const done: number[] = [];
    const first = gc.append(frame(0)).then(() => done.push(0));
    await until(() => sink.waiting === 1);
    // 1000 concurrent appends while the first fsync is in flight
    const rest = Array.from({ length: 1000 }, (_, i) => gc.append(frame(i + 1)).then(() => done.push(i + 1)));
    await tick();
    expect(sink.writes).toHaveLength(1);
    expect(done).toEqual([]);
    sink.complete();
    await first;
    expect(done).toEqual([0]);
    await until(() => sink.waiting === 1);
    expect(sink.writes).toHaveLength(2); // all 1000 in the second write
    expect(sink.writes[1]!.toString()).toBe(Array.from({ length: 1000 }, (_, i) => `r${i + 1};`).join(''));
    expect(done).toEqual([0]); // written but not durable: nobody acknowledged
    sink.complete();
    await Promise.all(rest);
    expect(done).toHaveLength(1001);
    expect(sink.syncs).toBe(2);
    expect(gc.stats).toMatchObject({ appends: 1001, batches: 2, maxBatch: 1000 });
  });

  it('appends of the same event-loop turn share the first write', async () => {
    const sink = new ManualSink();
    const gc = new GroupCommitter(sink);
    const all = Array.from({ length: 50 }, (_, i) => gc.append(frame(i)));
    await until(() => sink.waiting === 1);
    expect(sink.writes).toHaveLength(1);
    sink.complete();
    await Promise.all(all);
    expect(sink.syncs).toBe(1);
  });

  it('caps a batch at maxBatchBytes, keeping order; 0 = one fsync per record', async () => {
    for (const [max, batches] of [
      [8, 5],
      [0, 10],
    ] as const) {
      const sink = new ManualSink();
      const gc = new GroupCommitter(sink, max);
      const all = Promise.all(Array.from({ length: 10 }, (_, i) => gc.append(frame(i)))); // 3 bytes each
      while (gc.stats.batches < batches) {
        await until(() => sink.waiting === 1);
        sink.complete();
        await tick();
      }
      await all;
      expect(sink.syncs).toBe(batches);
      expect(Buffer.concat(sink.durable).toString()).toBe(Array.from({ length: 10 }, (_, i) => `r${i};`).join(''));
    }
  });

  it('a failed fsync rejects its batch and everything after it, for good', async () => {
    const sink = new ManualSink();
    const gc = new GroupCommitter(sink);
    const a = gc.append(frame(0));
    await until(() => sink.waiting === 1);
    const b = gc.append(frame(1));
    sink.failNext(new Error('EIO'));
    await expect(a).rejects.toBeInstanceOf(JournalFailedError);
    await expect(b).rejects.toThrow(/EIO/);
    await expect(gc.append(frame(2))).rejects.toThrow(/EIO/);
    await expect(gc.drain()).rejects.toThrow(/EIO/);
  });

  it('tells its owner once when it fails, and with the same failure every append gets', async () => {
    const sink = new ManualSink();
    const seen: JournalFailedError[] = [];
    const gc = new GroupCommitter(sink, undefined, (f) => seen.push(f));
    const a = gc.append(frame(0));
    await until(() => sink.waiting === 1);
    sink.failNext(new Error('ENOSPC: no space left on device'));
    await expect(a).rejects.toThrow(/ENOSPC/);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(gc.failed);
    await expect(gc.append(frame(1))).rejects.toBe(seen[0]);
    expect(gc.failWith(new Error('EIO'))).toBe(seen[0]); // the first cause stays; no second call
    expect(seen).toHaveLength(1);
  });

  it('failWith (a write outside the batches failed) rejects the batch in flight, what is queued and what comes later', async () => {
    const sink = new ManualSink();
    const seen: JournalFailedError[] = [];
    const gc = new GroupCommitter(sink, undefined, (f) => seen.push(f));
    const inFlight = gc.append(frame(0));
    await until(() => sink.waiting === 1);
    const queued = gc.append(frame(1));
    const failure = gc.failWith(new Error('EFBIG: file too large, write'));
    expect(failure).toBeInstanceOf(JournalFailedError);
    expect(failure.message).toMatch(/nothing more can be made durable: EFBIG/);
    expect(seen).toEqual([failure]);
    await expect(queued).rejects.toBe(failure);
    // its fsync then succeeds, yet what it wrote is not trusted any more
    sink.complete();
    await expect(inFlight).rejects.toBe(failure);
    await expect(gc.append(frame(2))).rejects.toBe(failure);
    await expect(gc.appendJson('{}')).rejects.toBe(failure);
    await expect(gc.drain()).rejects.toBe(failure);
    expect(sink.writes).toHaveLength(1);
  });

  it('drain waits for queued appends', async () => {
    const sink = new ManualSink();
    const gc = new GroupCommitter(sink);
    void gc.append(frame(0));
    let drained = false;
    const d = gc.drain().then(() => (drained = true));
    await until(() => sink.waiting === 1);
    expect(drained).toBe(false);
    sink.complete();
    await d;
    expect(drained).toBe(true);
  });

  it('appendJson frames records straight into the batch: the same bytes as encodeFrame, any size, any text', async () => {
    const sink = new ManualSink();
    const gc = new GroupCommitter(sink);
    const records = [
      { kind: 'placeOrder', cmd: { symbol: 'BTCUSDT', newClientOrderId: 'é€😀"\\' } },
      ...Array.from({ length: 300 }, (_, i) => ({ kind: 'deposit', n: i, pad: 'x'.repeat(i * 3) })),
    ];
    const all = Promise.all(records.map((r) => gc.appendJson(JSON.stringify(r))));
    await until(() => sink.waiting === 1);
    sink.complete();
    await all;
    const written = Buffer.concat(sink.durable);
    expect(written.length).toBeGreaterThan(16 << 10); // the batch buffer had to grow
    expect(written.equals(Buffer.concat(records.map((r) => encodeFrame(r))))).toBe(true);
    const seen: unknown[] = [];
    const scan = scanFrames(written, 0, written.length, (buf, from, to) =>
      seen.push(JSON.parse(buf.toString('utf8', from, to))),
    );
    expect(scan.count).toBe(records.length);
    expect(seen).toEqual(records);
    expect(() => gc.appendJson('x'.repeat((1 << 20) + 1))).toThrow(RangeError);
  });
});
