/**
 * The embedded journal: append-only segment files of CRC-framed JSON records (see frame.ts), written
 * with group commit (group-commit.ts). The first segment is `<data-dir>/journal.log`; `rotate()`
 * (after each snapshot) starts `journal-<E>-<A>.log`, named after the engine commands (E) and
 * registry/clock records (A) written before it, and `compact()` deletes the oldest segments once
 * snapshots cover every record in them. Records are classified by their kind (records.ts).
 *
 * Recovery (`recover`, before the sandbox accepts traffic):
 *   1. take `<data-dir>/LOCK` (refused while another live process holds it);
 *   2. a missing or empty file (or one holding only a torn MAGIC) is (re)created with MAGIC,
 *      fsynced, and the directory fsynced;
 *   3. otherwise the file must start with MAGIC, and every valid frame is handed, in order, to the
 *      caller; at the first invalid frame (short header, bad length, short payload, bad CRC) the
 *      rest is pre-zeroed space (segment-file.ts), kept, or a torn tail (up to its last non-zero
 *      byte): if that is no longer than one batch can be, the file is truncated there and fsynced;
 *      a longer "tail" means corruption inside acknowledged data, and recovery refuses to start
 *      rather than silently drop it. A valid frame whose JSON cannot be replayed is an error too
 *      (never skipped). Only the last segment may end in a torn tail; earlier ones must be whole
 *      (zeros after their last frame allowed), and each must start exactly where the ones before it
 *      end (by its name's counts).
 */
import {
  closeSync,
  constants,
  existsSync,
  fdatasync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { Journal } from '../exchange/service.js';
import {
  FRAME_HEADER_BYTES,
  MAGIC,
  MAX_RECORD_BYTES,
  encodeFrame,
  recordJson,
  scanFile,
  type TailProblem,
} from './frame.js';
import { fsyncDir } from './fsync-dir.js';
import { GroupCommitter, type CommitSink, type GroupCommitStats, type JournalFailedError } from './group-commit.js';
import { dataEnd, SegmentFile } from './segment-file.js';
import { isAdminJson, isAdminRecord, type JournalRecord } from './records.js';

export const JOURNAL_FILE = 'journal.log';
export const LOCK_FILE = 'LOCK';
const SEGMENT_RE = /^journal-(\d{12})-(\d{12})\.log$/;

/** Engine commands and registry/clock records, counted from the start of the journal. */
export interface RecordCounts {
  readonly engineRecords: number;
  readonly adminRecords: number;
}

/** One journal file and the record counts before its first record. */
export interface Segment extends RecordCounts {
  readonly name: string;
}

export function segmentName(c: RecordCounts): string {
  if (c.engineRecords === 0 && c.adminRecords === 0) return JOURNAL_FILE;
  const pad = (n: number) => String(n).padStart(12, '0');
  return `journal-${pad(c.engineRecords)}-${pad(c.adminRecords)}.log`;
}

/** The journal segments of `dir`, oldest first (both counts only grow). */
export function listSegments(dir: string): Segment[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: Segment[] = [];
  for (const name of names) {
    if (name === JOURNAL_FILE) out.push({ name, engineRecords: 0, adminRecords: 0 });
    const m = SEGMENT_RE.exec(name);
    if (m) out.push({ name, engineRecords: Number(m[1]), adminRecords: Number(m[2]) });
  }
  return out.sort((a, b) => a.engineRecords - b.engineRecords || a.adminRecords - b.adminRecords);
}

/**
 * Where the platform has O_DSYNC (Linux, macOS), the journal is opened with it: each write(2) then
 * returns only once its data is durable — what write + fdatasync give — in one thread-pool round
 * trip instead of two. Elsewhere: an fdatasync after each batch write. Writes are positional (into
 * pre-zeroed space, segment-file.ts), so no O_APPEND.
 */
const DSYNC = constants.O_DSYNC === undefined ? null : constants.O_CREAT | constants.O_RDWR | constants.O_DSYNC;
const OPEN_SEGMENT = DSYNC ?? 'r+';
/** A new segment: the same, but never over an existing file. */
const NEW_SEGMENT = DSYNC === null ? 'wx+' : DSYNC | constants.O_EXCL;

export interface FileJournalOptions {
  /** Largest group-commit batch (default 4 MiB); 0 = one fdatasync per record. */
  readonly maxBatchBytes?: number;
}

export interface RecoveryInfo {
  /** The segment appends go to. */
  readonly path: string;
  /** Segment files read. */
  readonly segments: number;
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
  private file: SegmentFile | null = null;
  private committer: GroupCommitter | null = null;
  private locked = false;
  private closed = false;
  /** Oldest first; the last one takes the appends. */
  private segments: Segment[] = [];
  /** Records written so far (engine: in completed batch writes), counted from the journal's start. */
  private engineRecords = 0;
  private adminRecords = 0;
  /** Records written to the active segment. */
  private segmentRecords = 0;
  private rotatePending = false;
  private readonly failureListeners: ((failure: JournalFailedError) => void)[] = [];

  constructor(
    dir: string,
    private readonly options: FileJournalOptions = {},
  ) {
    this.dir = resolve(dir);
  }

  /** The segment appends go to (before recovery: the first one). */
  get path(): string {
    return join(this.dir, this.segments[this.segments.length - 1]?.name ?? JOURNAL_FILE);
  }

  /** Where the journal on disk begins: the counts before the oldest segment's first record. */
  start(): RecordCounts {
    const first = listSegments(this.dir)[0];
    return { engineRecords: first?.engineRecords ?? 0, adminRecords: first?.adminRecords ?? 0 };
  }

  /** The largest torn tail recovery will cut off: one whole batch plus its last record. */
  get maxTornBytes(): number {
    return (this.options.maxBatchBytes ?? 4 << 20) + MAX_RECORD_BYTES + FRAME_HEADER_BYTES;
  }

  /**
   * Opens the journal: locks the data dir, replays every valid record of every segment through
   * `onRecord` (in append order, synchronously), cuts off a torn tail, and makes the journal ready
   * for appends. `skip(admin)` true: a record (of that kind, read from its first bytes) the caller
   * already has — counted, not parsed.
   */
  recover(onRecord: (record: JournalRecord) => void, skip?: (admin: boolean) => boolean): RecoveryInfo {
    if (this.committer !== null || this.closed) throw new Error('journal already opened');
    const t0 = performance.now();
    mkdirSync(this.dir, { recursive: true });
    this.lock();
    let fd = -1;
    try {
      const segments = listSegments(this.dir);
      if (segments.length === 0) segments.push({ name: JOURNAL_FILE, engineRecords: 0, adminRecords: 0 });
      this.engineRecords = segments[0]!.engineRecords;
      this.adminRecords = segments[0]!.adminRecords;
      let created = false;
      let records = 0;
      let tail: {
        path: string;
        validEnd: number;
        fileSize: number;
        truncatedBytes: number;
        problem?: TailProblem;
      } | null = null;
      for (let k = 0; k < segments.length; k++) {
        const seg = segments[k]!;
        const last = k === segments.length - 1;
        const path = join(this.dir, seg.name);
        if (seg.engineRecords !== this.engineRecords || seg.adminRecords !== this.adminRecords)
          throw new JournalCorruptError(
            `${path} starts after ${seg.engineRecords} engine and ${seg.adminRecords} registry/clock records, but the ` +
              `segments before it end after ${this.engineRecords} and ${this.adminRecords}: a segment is missing or ` +
              `damaged; refusing to start`,
          );
        if (this.openSegment(path, last)) created = segments.length === 1;
        const scan = this.scanSegment(path, onRecord, skip);
        records += scan.records;
        this.segmentRecords = scan.records;
        // after the last frame: pre-zeroed space (segment-file.ts), possibly after a torn write
        const truncatedBytes = scan.validEnd < scan.fileSize ? dataEndOf(path, scan) - scan.validEnd : 0;
        if (truncatedBytes > 0 && !last)
          throw new JournalCorruptError(
            `${path}: ${scan.problem ?? 'invalid frame'} at byte ${scan.validEnd} of a segment that later segments ` +
              `follow, so acknowledged data is damaged; refusing to start`,
          );
        if (last)
          tail = {
            path,
            validEnd: scan.validEnd,
            fileSize: scan.fileSize,
            truncatedBytes,
            ...(scan.problem ? { problem: scan.problem } : {}),
          };
      }
      const { path, validEnd, fileSize, truncatedBytes, problem } = tail!;
      this.segments = segments;
      fd = openSync(path, OPEN_SEGMENT, 0o600);
      if (truncatedBytes > 0) {
        if (truncatedBytes > this.maxTornBytes) {
          throw new JournalCorruptError(
            `${path}: ${problem ?? 'invalid frame'} at byte ${validEnd}, followed by ${truncatedBytes} bytes — ` +
              `more than a torn last write can leave (${this.maxTornBytes}), so acknowledged data may be damaged; ` +
              `refusing to start (to accept the loss: truncate -s ${validEnd} ${path})`,
          );
        }
        ftruncateSync(fd, validEnd);
        fsyncSync(fd);
      }
      this.file = new SegmentFile(fd, validEnd, truncatedBytes > 0 ? validEnd : fileSize, DSYNC !== null);
      this.committer = new GroupCommitter(this.sink(DSYNC !== null), this.options.maxBatchBytes, (failure) => {
        for (const listener of this.failureListeners) listener(failure);
      });
      return {
        path,
        segments: segments.length,
        records,
        truncatedBytes: truncatedBytes > 0 ? fileSize - validEnd : 0,
        ...(problem !== undefined && truncatedBytes > 0 ? { problem } : {}),
        created,
        ms: performance.now() - t0,
      };
    } catch (err) {
      if (fd >= 0) closeSync(fd);
      this.unlock();
      throw err;
    }
  }

  /**
   * Checks a segment's header. The last segment, when missing, empty or holding only part of the
   * header (a crash while creating it), is (re)created; returns whether it was.
   */
  private openSegment(path: string, last: boolean): boolean {
    const size = existsSync(path) ? fstatSize(path) : 0;
    if (size >= MAGIC.length) {
      const head = Buffer.alloc(MAGIC.length);
      reading(path, (fd) => readSync(fd, head, 0, MAGIC.length, 0));
      if (!head.equals(MAGIC)) throw new JournalCorruptError(`${path} is not a binance-sandbox journal (bad header)`);
      return false;
    }
    const head = size > 0 ? readFileSync(path) : Buffer.alloc(0);
    if (!MAGIC.subarray(0, head.length).equals(head))
      throw new JournalCorruptError(`${path} is not a binance-sandbox journal`);
    if (!last) throw new JournalCorruptError(`${path} has no complete header but later segments follow it`);
    const fd = openSync(path, 'w', 0o600);
    try {
      writeSync(fd, MAGIC);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    fsyncDir(this.dir);
    return true;
  }

  /** Hands every valid record of one segment to the caller, counting them by kind. */
  private scanSegment(
    path: string,
    onRecord: (record: JournalRecord) => void,
    skip?: (admin: boolean) => boolean,
  ): ReturnType<typeof scanFile> {
    let index = 0;
    return scanFile(path, MAGIC.length, (json) => {
      index++;
      // A record a snapshot already covers (CRC-checked, never parsed: JSON.parse is most of a scan),
      // told by the kind its first bytes show.
      if (skip !== undefined) {
        const admin = isAdminJson(json);
        if (admin !== null && skip(admin)) {
          this.count(admin, 1);
          return;
        }
      }
      let record: JournalRecord;
      try {
        record = JSON.parse(json) as JournalRecord;
      } catch (err) {
        throw new JournalCorruptError(`${path}: record #${index} has a valid CRC but is not JSON: ${String(err)}`);
      }
      this.count(isAdminRecord(record), 1);
      try {
        onRecord(record);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new JournalCorruptError(`${path}: record #${index} (${String(record.kind)}) cannot be replayed: ${why}`);
      }
    });
  }

  private count(admin: boolean, n: number): void {
    if (admin) this.adminRecords += n;
    else this.engineRecords += n;
  }

  /** Set once a write or sync failed: nothing more can be made durable (every append rejects). */
  get failure(): JournalFailedError | null {
    return this.committer?.failed ?? null;
  }

  /** Calls `listener` once, when the journal fails for good. */
  onFailure(listener: (failure: JournalFailedError) => void): void {
    this.failureListeners.push(listener);
  }

  /** Group-committed append of an engine command: resolves once the record is durable. */
  append(record: JournalRecord): Promise<void> {
    if (this.committer === null)
      return Promise.reject(new Error(this.closed ? 'journal is closed' : 'journal is not open'));
    try {
      return this.committer.appendJson(recordJson(record));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Writes and fdatasyncs one registry or clock record before returning, bypassing the batch queue
   * (for rare admin changes made by synchronous APIs: accounts, keys, the clock). It goes after a
   * batch write in flight, which is written again with it (segment-file.ts), so no gap can precede
   * it. Such records never depend on queued-but-undurable engine commands, so their relative order
   * does not matter for replay.
   */
  appendSync(record: JournalRecord): void {
    if (this.committer === null) throw new Error(this.closed ? 'journal is closed' : 'journal is not open');
    const failed = this.committer.failed;
    if (failed !== null) throw failed;
    const frame = encodeFrame(record);
    try {
      this.file!.writeSync(frame);
    } catch (err) {
      // part of the frame (or of a batch written again with it) may be on disk: nothing after it
      // could be trusted to replay, so the journal stops here
      throw this.committer.failWith(err);
    }
    this.count(true, 1);
    this.segmentRecords++;
    this.committer.stats.appends++;
    this.committer.stats.batches++;
    this.committer.stats.bytes += frame.length;
  }

  /**
   * Starts a new segment for the records that follow (once the batch being written, if any, is
   * done). Nothing happens while the active segment is empty.
   */
  rotate(): void {
    if (this.committer === null) return;
    if (this.committer.idle) this.rotateNow();
    else this.rotatePending = true;
  }

  /**
   * Deletes the oldest segments while every record in them is among `covered` (the oldest snapshot
   * kept); never the active one. Returns the names deleted.
   */
  compact(covered: RecordCounts): string[] {
    const removed: string[] = [];
    if (this.committer === null) return removed; // not open (or closed: the data dir is no longer ours)
    while (this.segments.length > 1) {
      const next = this.segments[1]!;
      if (next.engineRecords > covered.engineRecords || next.adminRecords > covered.adminRecords) break;
      const oldest = this.segments.shift()!;
      unlinkSync(join(this.dir, oldest.name));
      removed.push(oldest.name);
    }
    if (removed.length > 0) fsyncDir(this.dir);
    return removed;
  }

  /** The segment files, oldest first. */
  get segmentNames(): string[] {
    return this.segments.map((s) => s.name);
  }

  private rotateNow(): void {
    this.rotatePending = false;
    if (this.segmentRecords === 0 || this.file === null) return;
    const counts = { engineRecords: this.engineRecords, adminRecords: this.adminRecords };
    const seg: Segment = { name: segmentName(counts), ...counts };
    const path = join(this.dir, seg.name);
    const fd = openSync(path, NEW_SEGMENT, 0o600);
    try {
      writeSync(fd, MAGIC);
      fsyncSync(fd);
      fsyncDir(this.dir);
    } catch (err) {
      closeSync(fd);
      unlinkSync(path);
      throw err;
    }
    const old = this.file;
    this.file = new SegmentFile(fd, MAGIC.length, MAGIC.length, DSYNC !== null);
    this.segments.push(seg);
    this.segmentRecords = 0;
    try {
      old.close(true);
    } catch {
      // its pre-zeroed space stays: recovery reads zeros after the last frame as the end
    }
  }

  /** Batch writes to the active segment (rotating first when asked); with O_DSYNC a completed write is durable. */
  private sink(dsync: boolean): CommitSink {
    return {
      write: async (data, records) => {
        if (this.rotatePending) {
          try {
            this.rotateNow();
          } catch {
            // The batch still goes to the old segment; the next rotation tries again.
          }
        }
        await this.file!.write(data);
        this.count(false, records);
        this.segmentRecords += records;
      },
      sync: dsync
        ? () => Promise.resolve()
        : () => new Promise<void>((ok, fail) => fdatasync(this.file!.fd, (err) => (err ? fail(err) : ok()))),
    };
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
      const file = this.file;
      this.file = null;
      try {
        // a failed journal's file is left as it is: recovery decides what it holds
        file?.close(committer !== null && committer.failed === null);
      } finally {
        this.unlock();
      }
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

/** `read` of the file opened for reading, closed afterwards. */
function reading<T>(path: string, read: (fd: number) => T): T {
  const fd = openSync(path, 'r');
  try {
    return read(fd);
  } finally {
    closeSync(fd);
  }
}

/** The offset after the last non-zero byte of a segment file at or after its last valid frame. */
function dataEndOf(path: string, scan: { validEnd: number; fileSize: number }): number {
  return reading(path, (fd) => dataEnd(fd, scan.validEnd, scan.fileSize));
}

function fstatSize(path: string): number {
  return reading(path, (fd) => fstatSync(fd).size);
}
