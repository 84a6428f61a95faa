/**
 * The memory a snapshot body is written into, kept from one snapshot to the next.
 *
 * Writing a body into fresh memory costs the event-loop pause more in page faults than in copying
 * (on this kind of machine, writing 100 MiB takes ~55 ms into new memory, ~10 ms into memory already
 * written: bench/RESULTS.md). So the buffer of the last body is kept for `keepMs` — while snapshots
 * come often, the next one fits in it (it has a quarter more room than the body) — and given back
 * to the allocator when they do not. Before a snapshot that is due soon, `prepare` allocates a
 * buffer of the size the caller expects (when the one kept is smaller) and touches its pages a slice
 * per event-loop turn, off the pause.
 */

/** Bytes touched per event-loop turn while preparing (a few ms of page faults). */
const PREPARE_SLICE_BYTES = 4 << 20;

export class SpareBuffer {
  private kept: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private preparing: Buffer | undefined;
  private closed = false;

  constructor(private readonly keepMs: number) {}

  /** The kept buffer — or the one being prepared, as far as it got — now the caller's alone. */
  take(): Buffer | undefined {
    const buffer = this.kept ?? this.preparing;
    this.kept = undefined;
    this.preparing = undefined;
    clearTimeout(this.timer);
    return buffer;
  }

  /** Keeps `buffer` (which the caller no longer uses) for the next `take`, for keepMs. */
  keep(buffer: Buffer): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.kept = buffer;
    this.timer = setTimeout(() => (this.kept = undefined), this.keepMs);
    this.timer.unref();
  }

  /**
   * Starts preparing a buffer of `bytes` unless one at least that large is kept or on its way (a
   * smaller one kept is given back: the next body would not fit).
   */
  prepare(bytes: number): void {
    if (this.closed || bytes <= 0) return;
    if ((this.kept?.length ?? this.preparing?.length ?? 0) >= bytes) return;
    this.take();
    const buffer = Buffer.allocUnsafeSlow(bytes);
    this.preparing = buffer;
    const step = (from: number): void => {
      if (this.preparing !== buffer) return; // taken, or closed, meanwhile
      const to = Math.min(from + PREPARE_SLICE_BYTES, buffer.length);
      buffer.fill(0, from, to);
      if (to < buffer.length) {
        setImmediate(step, to);
        return;
      }
      this.preparing = undefined;
      this.keep(buffer);
    };
    setImmediate(step, 0);
  }

  /** Whether a buffer is kept (ready for the next `take`). */
  get ready(): boolean {
    return this.kept !== undefined;
  }

  /** Drops what it holds and keeps nothing more. */
  close(): void {
    this.take();
    this.closed = true;
  }
}
