/**
 * The active journal segment: frames written at known positions into space that was zero-filled and
 * made durable beforehand.
 *
 * Why: a durable write that extends a file must also commit the file's new size and blocks — on ext4
 * a filesystem-journal commit, which waits for a kernel thread: ~0.2 ms on an idle machine, 1–4 ms
 * on a busy one. A durable write into blocks that already exist on disk only flushes its own data
 * (~0.1 ms, busy or not). With the commit latency of the journal's rounds, the event loop went idle
 * waiting (a quarter of the time under order load on 2 cores). So the file is extended ahead of the
 * writes, a zero-filled chunk at a time (synchronously: 64 KiB doubling to 1 MiB, about a
 * millisecond each), as PostgreSQL pre-zeroes its WAL segments.
 *
 * Invariants: every byte a write may touch lies below `size` before the write is issued, and an
 * extension only ever writes at or beyond `size`; so extensions never race a write. Zeros after the
 * last frame read as "no frame" (length 0), see recovery in file-journal.ts.
 */
import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, readSync, write, writeSync } from 'node:fs';

const FIRST_CHUNK = 64 << 10;
const MAX_CHUNK = 1 << 20;
const ZEROS = Buffer.alloc(MAX_CHUNK);

export class SegmentFile {
  /** Where the next frame goes: after every frame written or being written. */
  private end: number;
  /** The file's size: [end, size) is zero-filled and durable. */
  private size: number;
  private chunk = FIRST_CHUNK;
  /** The batch whose write is in flight, if any. */
  private inFlight: { at: number; data: Buffer } | null = null;

  /**
   * @param end the file's logical end (after its last valid frame)
   * @param size its size on disk, zeros from `end` on
   * @param dsync opened with O_DSYNC: a completed write is durable (else fdatasync after each)
   */
  constructor(
    readonly fd: number,
    end: number,
    size: number,
    private readonly dsync: boolean,
  ) {
    this.end = end;
    this.size = size;
  }

  /** Bytes of frames in the file (its logical end). */
  get length(): number {
    return this.end;
  }

  /** Writes `data` after everything before it; durable when it resolves (with `dsync`; else call `sync`). */
  async write(data: Buffer): Promise<void> {
    const at = this.reserve(data.length);
    this.inFlight = { at, data };
    try {
      await writeAt(this.fd, data, at);
    } finally {
      this.inFlight = null;
    }
    // Between rounds: extend ahead so that the next writes land in existing blocks. This round is
    // durable whatever happens here: a failure (disk full) is left to the next round's own extension.
    if (this.size - this.end < this.chunk / 2) {
      try {
        this.extend(this.end + this.chunk);
      } catch {
        // the zeros written so far are rewritten by the next attempt
      }
    }
  }

  /**
   * Writes one frame and makes it durable before returning. A batch write in flight is written
   * again first (the same bytes at the same place), so this frame never lands durably after a gap.
   */
  writeSync(frame: Buffer): void {
    const pending = this.inFlight;
    const at = this.reserve(frame.length);
    if (pending !== null) writeAllSync(this.fd, pending.data, pending.at);
    writeAllSync(this.fd, frame, at);
    fdatasyncSync(this.fd);
  }

  /** fdatasync (for files opened without O_DSYNC). */
  sync(): void {
    fdatasyncSync(this.fd);
  }

  /** Cuts the zero-filled space off (on rotation and close) and closes the file. */
  close(trim: boolean): void {
    try {
      if (trim && this.size > this.end) {
        ftruncateSync(this.fd, this.end);
        fsyncSync(this.fd);
      }
    } finally {
      closeSync(this.fd);
    }
  }

  private reserve(bytes: number): number {
    const at = this.end;
    if (at + bytes > this.size) this.extend(at + bytes);
    this.end = at + bytes;
    return at;
  }

  /** Zero-fills the file from its size to at least `to` (whole chunks) and makes that durable. */
  private extend(to: number): void {
    let target = this.size;
    while (target < to) {
      target += this.chunk;
      if (this.chunk < MAX_CHUNK) this.chunk *= 2;
    }
    for (let at = this.size; at < target; at += MAX_CHUNK)
      writeAllSync(this.fd, ZEROS.subarray(0, Math.min(MAX_CHUNK, target - at)), at);
    if (!this.dsync) fdatasyncSync(this.fd);
    this.size = target;
  }
}

/**
 * Where the file's data ends: the offset after its last non-zero byte in [from, size), or `from`
 * when that range is all zeros (pre-zeroed space). Read backwards, so the zeros are read once.
 */
export function dataEnd(fd: number, from: number, size: number): number {
  const buf = Buffer.allocUnsafe(Math.min(MAX_CHUNK, Math.max(size - from, 0)));
  let to = size;
  while (to > from) {
    const start = Math.max(from, to - buf.length);
    const n = readAllSync(fd, buf, to - start, start);
    for (let i = n - 1; i >= 0; i--) if (buf[i] !== 0) return start + i + 1;
    to = start;
  }
  return from;
}

function readAllSync(fd: number, buf: Buffer, length: number, at: number): number {
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, at + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

function writeAllSync(fd: number, data: Buffer, at: number): void {
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done, at + done);
}

/** pwrite(2) until every byte is out. */
function writeAt(fd: number, data: Buffer, at: number): Promise<void> {
  return new Promise<void>((ok, fail) => {
    const step = (offset: number) => {
      write(fd, data, offset, data.length - offset, at + offset, (err, n) => {
        if (err) return fail(err);
        if (offset + n < data.length) return step(offset + n);
        ok();
      });
    };
    step(0);
  });
}
