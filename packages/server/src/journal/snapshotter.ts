/**
 * When snapshots are taken: every `every` journal records and on clean shutdown.
 *
 * The journal holds two ordered streams — engine commands (group commit, in apply order) and
 * registry/clock records (written synchronously, so they may land before engine commands still
 * queued) — so a snapshot covers a prefix of each: the counts of both at the moment the state was
 * captured. A snapshot is captured synchronously (state export + v8.serialize: the only pause of
 * the event loop; the body's CRC is computed afterwards, in slices), and written only after every
 * engine command it covers is durable (the last append's promise: group commit resolves in order),
 * so it never holds anything the journal could still lose. Writing is asynchronous; one snapshot at
 * a time.
 *
 * After each snapshot the journal starts a new segment, and (unless the whole journal is kept) the
 * segments that the oldest snapshot kept covers entirely are deleted: disk use stays bounded by two
 * snapshots and the records since the older one, and a damaged newest snapshot still has its fallback.
 */
import type { ExchangeCommand } from '../exchange/commands.js';
import type { Journal } from '../exchange/service.js';
import { join } from 'node:path';
import type { RecordCounts } from './file-journal.js';
import { HEADROOM } from './packed-body.js';
import { SpareBuffer } from './spare-buffer.js';
import {
  frameSnapshot,
  KEEP_SNAPSHOTS,
  listSnapshots,
  pruneSnapshots,
  readSnapshotMeta,
  serializeSnapshot,
  snapshotName,
  writeSnapshotFile,
  type SnapshotData,
} from './snapshot.js';

export interface SnapshotLog {
  info(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface SnapshotterOptions {
  readonly dir: string;
  /** Records between snapshots; 0 = only on shutdown. */
  readonly every: number;
  readonly fingerprint: string;
  readonly capture: () => SnapshotData;
  readonly log: SnapshotLog;
  /** The journal's segments: rotated after each snapshot, and compacted unless `keepJournal`. */
  readonly segments?: { rotate(): void; compact(covered: RecordCounts): string[] };
  /** Keep every journal segment (default false: delete those the kept snapshots make unnecessary). */
  readonly keepJournal?: boolean;
  /**
   * How long the last snapshot's buffer is kept for the next one (ms; default 5 minutes). Writing
   * into memory already in use takes a fraction of the pause that fresh memory does, at the cost of
   * holding one snapshot's size meanwhile: worth it while snapshots come often (under load), and
   * given back when they do not.
   */
  readonly reuseBufferMs?: number;
}

const DEFAULT_REUSE_BUFFER_MS = 5 * 60_000;
/** A buffer for the next snapshot is prepared from this fraction of `every` records on. */
const PREPARE_AT = 0.9;

export interface SnapshotResult {
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
  /** Event-loop pause: state export + serialisation. */
  readonly captureMs: number;
  /** Asynchronous part: waiting for durability, CRC, writing, fsync, rename. */
  readonly writeMs: number;
  /** Journal segments deleted after it. */
  readonly compacted: readonly string[];
  /** The body was written into memory kept or prepared for it (SpareBuffer), not fresh memory. */
  readonly reusedBuffer: boolean;
}

export class Snapshotter {
  private engineRecords = 0;
  private adminRecords = 0;
  /** Records since the newest snapshot (or since the start without one). */
  private sinceLast = 0;
  private lastEngineAppend: Promise<void> = Promise.resolve();
  private running: Promise<SnapshotResult | null> | null = null;
  private scheduled = false;
  private closed = false;
  /** The journal wrapped (its failure rules out a last snapshot). */
  private journal: Journal | null = null;
  /** The previous body's buffer, for the next capture (see reuseBufferMs). */
  private readonly spare: SpareBuffer;
  /**
   * Body size and records (engine + admin) of the last snapshot written or loaded: the next body's
   * size is predicted from them.
   */
  private last = { bodyBytes: 0, records: 0 };

  constructor(private readonly options: SnapshotterOptions) {
    this.spare = new SpareBuffer(options.reuseBufferMs ?? DEFAULT_REUSE_BUFFER_MS);
  }

  /** Wraps the engine's journal: every append is counted (and may schedule a snapshot). */
  wrap(inner: Journal): Journal {
    this.journal = inner;
    return {
      append: (command: ExchangeCommand) => {
        const p = inner.append(command);
        this.engineRecords++;
        this.lastEngineAppend = p;
        this.recorded();
        return p;
      },
      close: () => inner.close(),
      get failure() {
        return inner.failure;
      },
    };
  }

  /** A registry or clock record was written (synchronously durable). */
  adminRecorded(): void {
    this.adminRecords++;
    this.recorded();
  }

  /**
   * After recovery: the records the journal holds, how many of them no snapshot covers, and the
   * snapshot it started from (if any), which the next one's size is predicted from.
   */
  recovered(
    engineRecords: number,
    adminRecords: number,
    uncovered: number,
    snapshot?: { readonly bytes: number; readonly records: number },
  ): void {
    this.engineRecords = engineRecords;
    this.adminRecords = adminRecords;
    this.sinceLast = uncovered;
    if (snapshot !== undefined) this.last = { bodyBytes: snapshot.bytes, records: snapshot.records };
    this.maybeSchedule();
  }

  /** Takes a snapshot now (after the one in progress, if any); null when it failed (logged). */
  snapshot(): Promise<SnapshotResult | null> {
    const previous = this.running ?? Promise.resolve(null);
    const next: Promise<SnapshotResult | null> = previous.then(() => this.take());
    this.running = next;
    void next.finally(() => {
      if (this.running === next) this.running = null;
    });
    return next;
  }

  /**
   * Clean shutdown: waits for a running snapshot, then takes a last one if records came since —
   * unless the journal failed (memory then holds commands the disk does not: no snapshot of them).
   */
  async close(): Promise<SnapshotResult | null> {
    this.closed = true;
    await this.running;
    const failed = this.journal?.failure;
    const last = this.sinceLast === 0 || (failed !== undefined && failed !== null) ? null : await this.snapshot();
    this.spare.close();
    return last;
  }

  private recorded(): void {
    this.sinceLast++;
    this.maybeSchedule();
    const every = this.options.every;
    // not while one is being taken: its own buffer is kept for the next when it is done
    if (every > 0 && this.running === null && this.sinceLast >= every * PREPARE_AT && this.last.records > 0) {
      // the state grows with the records (history): the next body, in proportion, with room to spare
      const next = this.engineRecords + this.adminRecords + Math.max(0, every - this.sinceLast);
      this.spare.prepare(Math.ceil(((this.last.bodyBytes * next) / this.last.records) * HEADROOM));
    }
  }

  private maybeSchedule(): void {
    const every = this.options.every;
    if (every <= 0 || this.closed || this.scheduled || this.running !== null || this.sinceLast < every) return;
    this.scheduled = true;
    // Not inside the request that crossed the threshold: at the next turn of the event loop.
    setImmediate(() => {
      this.scheduled = false;
      if (!this.closed) void this.snapshot();
    });
  }

  private async take(): Promise<SnapshotResult | null> {
    const t0 = performance.now();
    const counts = { engineRecords: this.engineRecords, adminRecords: this.adminRecords };
    const durable = this.lastEngineAppend;
    const covered = this.sinceLast;
    const spare = this.spare.take();
    let body: Buffer;
    let buffer: Buffer;
    try {
      ({ body, buffer } = serializeSnapshot(this.options.capture(), spare));
    } catch (err) {
      this.options.log.error({ err }, 'snapshot capture failed');
      return null;
    }
    const captureMs = performance.now() - t0;
    const records = counts.engineRecords + counts.adminRecords;
    try {
      await durable;
      const parts = await frameSnapshot(body, counts, this.options.fingerprint);
      const path = await writeSnapshotFile(this.options.dir, snapshotName(records), parts);
      await pruneSnapshots(this.options.dir);
      this.sinceLast -= Math.min(covered, this.sinceLast);
      const compacted = this.compactJournal();
      const bytes = parts.reduce((n, p) => n + p.length, 0);
      this.last = { bodyBytes: body.length, records };
      const writeMs = performance.now() - t0 - captureMs;
      const reusedBuffer = buffer === spare;
      const result = { path, records, bytes, captureMs, writeMs, compacted, reusedBuffer };
      this.options.log.info(
        {
          snapshot: path,
          records,
          bytes,
          captureMs: Math.round(captureMs),
          reusedBuffer,
          writeMs: Math.round(writeMs),
          ...(compacted.length > 0 ? { journalSegmentsDeleted: compacted } : {}),
        },
        'snapshot written',
      );
      this.maybeSchedule();
      return result;
    } catch (err) {
      this.options.log.error({ err, records }, 'snapshot not written (the journal still holds everything)');
      return null;
    } finally {
      this.spare.keep(buffer);
    }
  }

  /**
   * A new journal segment, then (unless the whole journal is kept) deletion of the segments the
   * oldest kept snapshot covers — only once there are KEEP_SNAPSHOTS of this configuration, so a
   * damaged newest snapshot always has an older one and the journal after it to fall back on.
   */
  private compactJournal(): string[] {
    const segments = this.options.segments;
    if (segments === undefined) return [];
    try {
      segments.rotate();
      if (this.options.keepJournal === true) return [];
      const kept = listSnapshots(this.options.dir);
      if (kept.length < KEEP_SNAPSHOTS) return [];
      const oldest = readSnapshotMeta(join(this.options.dir, kept[kept.length - 1]!.name));
      if (oldest.fingerprint !== this.options.fingerprint) return [];
      return segments.compact(oldest);
    } catch (err) {
      this.options.log.error({ err }, 'journal segment rotation or compaction failed (every record is still kept)');
      return [];
    }
  }
}
