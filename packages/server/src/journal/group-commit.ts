/**
 * Group commit: appends that arrive while a write+fdatasync is in flight wait together and go to
 * disk as the next single write+fdatasync. Each append's promise settles only after the fdatasync of
 * the batch that carried it (resolve) or after it failed (reject). Batches preserve append order.
 */

import { FRAME_HEADER_BYTES, MAX_RECORD_BYTES, maxFrameBytes, writeFrame } from './frame.js';

/** A batch's first buffer; it doubles when more frames arrive before the batch is written. */
const BATCH_START_BYTES = 16 << 10;

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

/** Frames that go to disk in one write + sync (encoded one after the other into one buffer), and the one promise all their appends share. */
class Batch {
  private buf = Buffer.allocUnsafe(BATCH_START_BYTES);
  size = 0;
  records = 0;
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
    this.room(frame.length);
    frame.copy(this.buf, this.size);
    this.size += frame.length;
    this.records++;
  }

  /** Encodes a record's JSON as the next frame (no buffer of its own, no copy at write time). */
  addJson(json: string): void {
    this.room(maxFrameBytes(json));
    this.size += writeFrame(this.buf, this.size, json);
    this.records++;
  }

  private room(bytes: number): void {
    if (this.size + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.size + bytes));
    this.buf.copy(grown, 0, 0, this.size);
    this.buf = grown;
  }

  data(): Buffer {
    return this.buf.subarray(0, this.size);
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
  private failure: JournalFailedError | null = null;
  private idleWaiters: (() => void)[] = [];
  readonly stats: GroupCommitStats = { appends: 0, batches: 0, bytes: 0, maxBatch: 0 };

  /**
   * @param maxBatchBytes a batch takes frames while it stays within this size (always at least one
   *   frame); 0 = one record per write+sync (the no-group-commit baseline).
   */
  constructor(
    private readonly sink: CommitSink,
    private readonly maxBatchBytes = 4 << 20,
    /** Called once, when the journal fails for good. */
    private readonly onFail?: (failure: JournalFailedError) => void,
  ) {}

  /**
   * Queues a frame; resolves once it is durable. Appends of the same batch share one promise (one
   * allocation and one settlement per batch rather than per record).
   */
  append(frame: Buffer): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    this.batchWithRoomFor(frame.length).add(frame);
    return this.appended();
  }

  /**
   * Queues one record given as its JSON text, framed straight into the batch (see frame.ts);
   * resolves once it is durable. Throws (before queuing anything) when the record is too large.
   */
  appendJson(json: string): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (json.length > MAX_RECORD_BYTES)
      throw new RangeError(`journal record of ${json.length} characters is too large`);
    // ASCII (every engine command but exotic client ids): the frame's exact size
    this.batchWithRoomFor(FRAME_HEADER_BYTES + json.length).addJson(json);
    return this.appended();
  }

  private appended(): Promise<void> {
    this.stats.appends++;
    const batch = this.queue[this.queue.length - 1] as Batch;
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

  get failed(): JournalFailedError | null {
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
        await this.sink.write(batch.data(), batch.records);
        await this.sink.sync();
      } catch (err) {
        this.fail(err, batch);
        break;
      }
      if (this.failure !== null) {
        // a synchronous write failed meanwhile (failWith): what this batch wrote is no more trusted
        batch.reject(this.failure);
        break;
      }
      const n = batch.records;
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

  /**
   * Stops the journal for good because a write to its file outside the batches failed (a
   * synchronous record): every queued and later append rejects. Returns the journal's failure.
   */
  failWith(err: unknown): JournalFailedError {
    return this.fail(err, null);
  }

  private fail(err: unknown, inFlight: Batch | null): JournalFailedError {
    if (this.failure !== null) return this.failure;
    const why = err instanceof Error ? err.message : String(err);
    // After a failed write or fsync the page cache can no longer be trusted: stop for good.
    const failure = new JournalFailedError(`journal write failed, nothing more can be made durable: ${why}`);
    this.failure = failure;
    const rest = this.queue;
    this.queue = [];
    inFlight?.reject(failure);
    for (const batch of rest) batch.reject(failure);
    this.onFail?.(failure);
    return failure;
  }
}
