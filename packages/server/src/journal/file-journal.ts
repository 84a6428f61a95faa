/**
 * The embedded journal: one append-only file, `<data-dir>/journal.log`, of CRC-framed JSON records
 * (see frame.ts), written with group commit (group-commit.ts).
 *
 * Recovery (`recover`, before the sandbox accepts traffic):
 *   1. take `<data-dir>/LOCK` (refused while another live process holds it);
 *   2. a missing or empty file (or one holding only a torn MAGIC) is (re)created with MAGIC,
 *      fsynced, and the directory fsynced;
 *   3. otherwise the file must start with MAGIC, and every valid frame is handed, in order, to the
 *      caller; at the first invalid frame (short header, bad length, short payload, bad CRC) the
 *      rest is a torn tail: if it is no longer than one batch can be, the file is truncated there
 *      and fsynced; a longer "tail" means corruption inside acknowledged data, and recovery refuses
 *      to start rather than silently drop it. A valid frame whose JSON cannot be replayed is an
 *      error too (never skipped).
 */
import {
  closeSync,
  constants,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  unlinkSync,
  write,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { Journal } from '../exchange/service.js';
import { FRAME_HEADER_BYTES, MAGIC, MAX_RECORD_BYTES, encodeFrame, scanFile, type TailProblem } from './frame.js';
import { fsyncDir } from './fsync-dir.js';
import { GroupCommitter, type CommitSink, type GroupCommitStats } from './group-commit.js';
import type { JournalRecord } from './records.js';

export const JOURNAL_FILE = 'journal.log';
export const LOCK_FILE = 'LOCK';

/**
 * Where the platform has O_DSYNC (Linux, macOS), the journal is opened with it: each write(2) then
 * returns only once its data is durable — what write + fdatasync give — in one thread-pool round
 * trip instead of two. Elsewhere: O_APPEND, and an fdatasync after each batch write.
 */
const DSYNC_APPEND =
  constants.O_DSYNC === undefined
    ? null
    : constants.O_APPEND | constants.O_CREAT | constants.O_WRONLY | constants.O_DSYNC;

export interface FileJournalOptions {
  /** Largest group-commit batch (default 4 MiB); 0 = one fdatasync per record. */
  readonly maxBatchBytes?: number;
}

export interface RecoveryInfo {
  readonly path: string;
  /** Records replayed. */
  readonly records: number;
  /** Bytes of torn tail cut off (0 normally). */
  readonly truncatedBytes: number;
  readonly problem?: TailProblem;
  /** The journal file did not exist (or was empty) and was created. */
  readonly created: boolean;
  readonly ms: number;
}

export class JournalCorruptError extends Error {
  override readonly name = 'JournalCorruptError';
}

/** Data dirs held by this process (a second sandbox in the same process must not share one). */
const heldHere = new Set<string>();

/** Whether process `pid` still runs (a zombie — killed, not yet reaped — does not). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Linux: field 3 of /proc/PID/stat is the state; Z = zombie, X = dead.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no procfs: trust kill(0)
  }
}

export class FileJournal implements Journal {
  readonly dir: string;
  readonly path: string;
  private fd = -1;
  private committer: GroupCommitter | null = null;
  private locked = false;
  private closed = false;

  constructor(
    dir: string,
    private readonly options: FileJournalOptions = {},
  ) {
    this.dir = resolve(dir);
    this.path = join(this.dir, JOURNAL_FILE);
  }

  /** The largest torn tail recovery will cut off: one whole batch plus its last record. */
  get maxTornBytes(): number {
    return (this.options.maxBatchBytes ?? 4 << 20) + MAX_RECORD_BYTES + FRAME_HEADER_BYTES;
  }

  /**
   * Opens the journal: locks the data dir, replays every valid record through `onRecord` (in append
   * order, synchronously), cuts off a torn tail, and makes the journal ready for appends.
   */
  recover(onRecord: (record: JournalRecord) => void, skip?: (json: string) => boolean): RecoveryInfo {
    if (this.committer !== null || this.closed) throw new Error('journal already opened');
    const t0 = performance.now();
    mkdirSync(this.dir, { recursive: true });
    this.lock();
    try {
      let created = false;
      let size = existsSync(this.path) ? fstatSize(this.path) : 0;
      if (size < MAGIC.length) {
        const head = size > 0 ? readFileSync(this.path) : Buffer.alloc(0);
        if (!MAGIC.subarray(0, head.length).equals(head))
          throw new JournalCorruptError(`${this.path} is not a binance-sandbox journal`);
        const fd = openSync(this.path, 'w', 0o600);
        try {
          writeSync(fd, MAGIC);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        fsyncDir(this.dir);
        created = true;
        size = MAGIC.length;
      } else {
        const head = Buffer.alloc(MAGIC.length);
        const fd = openSync(this.path, 'r');
        try {
          readSync(fd, head, 0, MAGIC.length, 0);
        } finally {
          closeSync(fd);
        }
        if (!head.equals(MAGIC))
          throw new JournalCorruptError(`${this.path} is not a binance-sandbox journal (bad header)`);
      }
      let index = 0;
      const scan = scanFile(this.path, MAGIC.length, (json) => {
        // A record a snapshot already covers (CRC-checked, never parsed: JSON.parse is most of a scan).
        if (skip !== undefined && skip(json)) {
          index++;
          return;
        }
        let record: JournalRecord;
        try {
          record = JSON.parse(json) as JournalRecord;
        } catch (err) {
          throw new JournalCorruptError(
            `${this.path}: record #${index + 1} has a valid CRC but is not JSON: ${String(err)}`,
          );
        }
        try {
          onRecord(record);
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          throw new JournalCorruptError(
            `${this.path}: record #${index + 1} (${String(record.kind)}) cannot be replayed: ${why}`,
          );
        }
        index++;
      });
      const truncatedBytes = scan.fileSize - scan.validEnd;
      this.fd = openSync(this.path, DSYNC_APPEND ?? 'a', 0o600);
      if (truncatedBytes > 0) {
        if (truncatedBytes > this.maxTornBytes) {
          throw new JournalCorruptError(
            `${this.path}: ${scan.problem ?? 'invalid frame'} at byte ${scan.validEnd}, followed by ${truncatedBytes} bytes — ` +
              `more than a torn last write can leave (${this.maxTornBytes}), so acknowledged data may be damaged; ` +
              `refusing to start (to accept the loss: truncate -s ${scan.validEnd} ${this.path})`,
          );
        }
        ftruncateSync(this.fd, scan.validEnd);
        fsyncSync(this.fd);
      }
      const sink = durableSink(this.fd, DSYNC_APPEND !== null);
      this.committer = new GroupCommitter(sink, this.options.maxBatchBytes);
      return {
        path: this.path,
        records: scan.records,
        truncatedBytes,
        ...(scan.problem !== undefined && truncatedBytes > 0 ? { problem: scan.problem } : {}),
        created,
        ms: performance.now() - t0,
      };
    } catch (err) {
      if (this.fd >= 0) closeSync(this.fd);
      this.fd = -1;
      this.unlock();
      throw err;
    }
  }

  /** Group-committed append: resolves once the record is durable. */
  append(record: JournalRecord): Promise<void> {
    if (this.committer === null)
      return Promise.reject(new Error(this.closed ? 'journal is closed' : 'journal is not open'));
    let frame: Buffer;
    try {
      frame = encodeFrame(record);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.committer.append(frame);
  }

  /**
   * Writes and fdatasyncs one record before returning, bypassing the batch queue (for rare admin
   * changes made by synchronous APIs: accounts, keys, the clock). The file is opened O_APPEND, so
   * this write lands whole before or after an in-flight batch write, and the fdatasync covers both.
   * Such records never depend on queued-but-undurable engine commands, so their relative order does
   * not matter for replay.
   */
  appendSync(record: JournalRecord): void {
    if (this.committer === null) throw new Error(this.closed ? 'journal is closed' : 'journal is not open');
    const failed = this.committer.failed;
    if (failed !== null) throw failed;
    const frame = encodeFrame(record);
    const n = writeSync(this.fd, frame);
    if (n !== frame.length) throw new Error(`short journal write (${n} of ${frame.length} bytes)`);
    fdatasyncSync(this.fd);
    this.committer.stats.appends++;
    this.committer.stats.batches++;
    this.committer.stats.bytes += frame.length;
  }

  /** Counters of the group commit (appends, fdatasyncs, bytes, largest batch). */
  get stats(): GroupCommitStats {
    return this.committer?.stats ?? { appends: 0, batches: 0, bytes: 0, maxBatch: 0 };
  }

  /** Waits for queued appends to be durable, then closes the file and releases the data dir. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const committer = this.committer;
    this.committer = null;
    try {
      if (committer !== null) await committer.drain().catch(() => undefined);
    } finally {
      if (this.fd >= 0) closeSync(this.fd);
      this.fd = -1;
      this.unlock();
    }
  }

  private lock(): void {
    const lockPath = join(this.dir, LOCK_FILE);
    if (heldHere.has(this.dir)) throw new Error(`data dir ${this.dir} is already in use by this process`);
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) {
        throw new Error(`data dir ${this.dir} is in use by process ${pid} (remove ${lockPath} if that is wrong)`);
      }
      writeFileSync(lockPath, `${process.pid}\n`); // stale lock of a dead process (e.g. after SIGKILL)
    }
    heldHere.add(this.dir);
    this.locked = true;
  }

  private unlock(): void {
    if (!this.locked) return;
    this.locked = false;
    heldHere.delete(this.dir);
    try {
      unlinkSync(join(this.dir, LOCK_FILE));
    } catch {
      // already gone
    }
  }
}

function fstatSize(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** Batch writes; `dsync`: the fd is O_DSYNC, so a completed write is already durable. */
function durableSink(fd: number, dsync: boolean): CommitSink {
  return {
    write: (data) => writeAll(fd, data),
    sync: dsync
      ? () => Promise.resolve()
      : () => new Promise<void>((ok, fail) => fdatasync(fd, (err) => (err ? fail(err) : ok()))),
  };
}

/** write(2) until every byte is out (O_APPEND: position null). */
function writeAll(fd: number, data: Buffer): Promise<void> {
  return new Promise<void>((ok, fail) => {
    const step = (offset: number) => {
      write(fd, data, offset, data.length - offset, null, (err, n) => {
        if (err) return fail(err);
        if (offset + n < data.length) return step(offset + n);
        ok();
      });
    };
    step(0);
  });
}
