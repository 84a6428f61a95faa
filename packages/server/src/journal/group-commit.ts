/**
 * Group commit: appends that arrive while a write+fdatasync is in flight wait together and go to
 * disk as the next single write+fdatasync. Each append's promise settles only after the fdatasync of
 * the batch that carried it (resolve) or after it failed (reject). Batches preserve append order.
 */

/** Where batches go: one write of the concatenated frames, then one durability barrier. */
export interface CommitSink {
  /** `records`: how many frames `data` holds. */
  write(data: Buffer, records: number): Promise<void>;
  /** fdatasync (or an equivalent); resolves once everything written before it is durable. */
  sync(): Promise<void>;
}

export interface GroupCommitStats {
  /** Records appended. */
  appends: number;
  /** write+sync rounds completed (= fdatasyncs). */
  batches: number;
  /** Bytes made durable. */
  bytes: number;
  /** Largest batch, in records. */
  maxBatch: number;
}

/** Frames that go to disk in one write + sync, and the one promise all their appends share. */
class Batch {
  readonly frames: Buffer[] = [];
  size = 0;
  readonly durable: Promise<void>;
  resolve: () => void = () => undefined;
  reject: (err: Error) => void = () => undefined;

  constructor() {
    this.durable = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  add(frame: Buffer): void {
    this.frames.push(frame);
    this.size += frame.length;
  }

  /** The frames as one buffer (no copy for a single frame). */
  data(): Buffer {
    return this.frames.length === 1 ? (this.frames[0] as Buffer) : Buffer.concat(this.frames, this.size);
  }
}

/** A journal that failed to write or sync: every later append fails with this. */
export class JournalFailedError extends Error {
  override readonly name = 'JournalFailedError';
}

export class GroupCommitter {
  /** Batches not started yet, in append order; appends go to the last one while it has room. */
  private queue: Batch[] = [];
  private running = false;
  private scheduled = false;
  private failure: Error | null = null;
  private idleWaiters: (() => void)[] = [];
  readonly stats: GroupCommitStats = { appends: 0, batches: 0, bytes: 0, maxBatch: 0 };

  /**
   * @param maxBatchBytes a batch takes frames while it stays within this size (always at least one
   *   frame); 0 = one record per write+sync (the no-group-commit baseline).
   */
  constructor(
    private readonly sink: CommitSink,
    private readonly maxBatchBytes = 4 << 20,
  ) {}

  /**
   * Queues a frame; resolves once it is durable. Appends of the same batch share one promise (one
   * allocation and one settlement per batch rather than per record).
   */
  append(frame: Buffer): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    this.stats.appends++;
    const batch = this.batchWithRoomFor(frame.length);
    batch.add(frame);
    if (!this.running && !this.scheduled) {
      // Start on the next macrotask: appends made by the requests of the same event-loop turn
      // share the first write too.
      this.scheduled = true;
      setImmediate(this.kick);
    }
    return batch.durable;
  }

  /** Resolves when nothing is queued or in flight (rejects if the journal has failed). */
  drain(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.idle) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve)).then(() => {
      if (this.failure !== null) throw this.failure;
    });
  }

  get failed(): Error | null {
    return this.failure;
  }

  /** Nothing queued, scheduled or being written. */
  get idle(): boolean {
    return !this.running && !this.scheduled && this.queue.length === 0;
  }

  private batchWithRoomFor(bytes: number): Batch {
    const last = this.queue[this.queue.length - 1];
    if (last !== undefined && last.size + bytes <= this.maxBatchBytes) return last;
    const batch = new Batch();
    this.queue.push(batch);
    return batch;
  }

  private readonly kick = (): void => {
    this.scheduled = false;
    if (!this.running) void this.loop();
  };

  private async loop(): Promise<void> {
    this.running = true;
    for (let batch = this.queue.shift(); batch !== undefined; batch = this.queue.shift()) {
      try {
        await this.sink.write(batch.data(), batch.frames.length);
        await this.sink.sync();
      } catch (err) {
        this.fail(err, batch);
        break;
      }
      const n = batch.frames.length;
      this.stats.batches++;
      this.stats.bytes += batch.size;
      if (n > this.stats.maxBatch) this.stats.maxBatch = n;
      batch.resolve();
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const done of waiters) done();
  }

  private fail(err: unknown, inFlight: Batch): void {
    const why = err instanceof Error ? err.message : String(err);
    // After a failed write or fsync the page cache can no longer be trusted: stop for good.
    this.failure = new JournalFailedError(`journal write failed, nothing more can be made durable: ${why}`);
    const rest = this.queue;
    this.queue = [];
    inFlight.reject(this.failure);
    for (const batch of rest) batch.reject(this.failure);
  }
}
