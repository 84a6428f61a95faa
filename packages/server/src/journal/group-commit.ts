/**
 * Group commit: appends that arrive while a write+fdatasync is in flight wait together and go to
 * disk as the next single write+fdatasync. Each append's promise settles only after the fdatasync of
 * the batch that carried it (resolve) or after it failed (reject). Batches preserve append order.
 */

/** Where batches go: one write of the concatenated frames, then one durability barrier. */
export interface CommitSink {
  write(data: Buffer): Promise<void>;
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

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/** A journal that failed to write or sync: every later append fails with this. */
export class JournalFailedError extends Error {
  override readonly name = 'JournalFailedError';
}

export class GroupCommitter {
  private frames: Buffer[] = [];
  private waiters: Waiter[] = [];
  private running = false;
  private scheduled = false;
  private failure: Error | null = null;
  private idle: (() => void)[] = [];
  readonly stats: GroupCommitStats = { appends: 0, batches: 0, bytes: 0, maxBatch: 0 };

  /**
   * @param maxBatchBytes a batch takes frames while it stays within this size (always at least one
   *   frame); 0 = one record per write+sync (the no-group-commit baseline).
   */
  constructor(
    private readonly sink: CommitSink,
    private readonly maxBatchBytes = 4 << 20,
  ) {}

  /** Queues a frame; resolves once it is durable. */
  append(frame: Buffer): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    this.stats.appends++;
    return new Promise<void>((resolve, reject) => {
      this.frames.push(frame);
      this.waiters.push({ resolve, reject });
      if (!this.running && !this.scheduled) {
        // Start on the next macrotask: appends made by the requests of the same event-loop turn
        // share the first write too.
        this.scheduled = true;
        setImmediate(this.kick);
      }
    });
  }

  /** Resolves when nothing is queued or in flight (rejects if the journal has failed). */
  drain(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (!this.running && !this.scheduled && this.frames.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idle.push(resolve)).then(() => {
      if (this.failure !== null) throw this.failure;
    });
  }

  get failed(): Error | null {
    return this.failure;
  }

  private readonly kick = (): void => {
    this.scheduled = false;
    if (!this.running) void this.loop();
  };

  private async loop(): Promise<void> {
    this.running = true;
    while (this.frames.length > 0) {
      let n = 0;
      let size = 0;
      const frames = this.frames;
      while (n < frames.length && (n === 0 || size + frames[n]!.length <= this.maxBatchBytes))
        size += frames[n++]!.length;
      let batch: Buffer[];
      let waiters: Waiter[];
      if (n === frames.length) {
        batch = frames;
        waiters = this.waiters;
        this.frames = [];
        this.waiters = [];
      } else {
        batch = frames.splice(0, n);
        waiters = this.waiters.splice(0, n);
      }
      try {
        await this.sink.write(n === 1 ? batch[0]! : Buffer.concat(batch, size));
        await this.sink.sync();
      } catch (err) {
        this.fail(err, waiters);
        break;
      }
      this.stats.batches++;
      this.stats.bytes += size;
      if (n > this.stats.maxBatch) this.stats.maxBatch = n;
      for (const w of waiters) w.resolve();
    }
    this.running = false;
    const idle = this.idle;
    this.idle = [];
    for (const done of idle) done();
  }

  private fail(err: unknown, inFlight: Waiter[]): void {
    const why = err instanceof Error ? err.message : String(err);
    // After a failed write or fsync the page cache can no longer be trusted: stop for good.
    this.failure = new JournalFailedError(`journal write failed, nothing more can be made durable: ${why}`);
    const rest = this.waiters;
    this.frames = [];
    this.waiters = [];
    for (const w of inFlight) w.reject(this.failure);
    for (const w of rest) w.reject(this.failure);
  }
}
