import type { ExchangeService } from '../exchange/service.js';
import type { MarketData } from '../market/market-data.js';
import type { JournaledAccountRegistry } from './accounts.js';
import type { JournaledClock } from './clock.js';
import { JournalCorruptError, type FileJournal, type RecoveryInfo } from './file-journal.js';
import { isAdminRecord, type JournalRecord } from './records.js';
import { loadNewestSnapshot, type LoadedSnapshot } from './snapshot.js';

/** What a journal rebuilds: the engine (through its service), its read models, the API keys, the clock offset. */
export interface DurableState {
  readonly exchange: ExchangeService;
  /** The market read models (absent: only the engine, registry and clock are rebuilt). */
  readonly market?: MarketData;
  readonly accounts: JournaledAccountRegistry;
  readonly clock: JournaledClock;
}

export interface SnapshotSource {
  /** The data dir holding `snapshot-*.bin`. */
  readonly dir: string;
  readonly fingerprint: string;
  /** A snapshot that failed a check and was skipped. */
  readonly warn: (path: string, why: string) => void;
}

export interface DurableRecovery extends RecoveryInfo {
  /** The snapshot loaded, or null (full replay). */
  readonly snapshot: {
    readonly path: string;
    readonly records: number;
    readonly bytes: number;
    readonly ms: number;
  } | null;
  readonly engineRecords: number;
  readonly adminRecords: number;
  /** Records applied after the snapshot (all of them without one). */
  readonly replayed: number;
}

/**
 * Loads the newest valid snapshot (if any), then replays the journal records it does not cover
 * (engine commands through `exchange.replay`, so read models subscribed to its events are rebuilt
 * too), then starts journaling registry and clock changes (`onAdminRecord` is told of each).
 * Call before the sandbox accepts traffic.
 */
export function recoverInto(
  journal: FileJournal,
  state: DurableState,
  snapshots: SnapshotSource | null = null,
  onAdminRecord: () => void = () => undefined,
): DurableRecovery {
  const t0 = performance.now();
  const loaded = snapshots === null ? null : loadNewestSnapshot(snapshots.dir, snapshots.fingerprint, snapshots.warn);
  if (loaded !== null) applySnapshot(loaded, state);
  const snapshotMs = performance.now() - t0;
  const skipEngine = loaded?.meta.engineRecords ?? 0;
  const skipAdmin = loaded?.meta.adminRecords ?? 0;
  // Segments compacted away after snapshots: the journal on disk starts after these.
  const start = journal.start();
  if (start.engineRecords > skipEngine || start.adminRecords > skipAdmin) {
    throw new JournalCorruptError(
      `the journal in ${journal.dir} starts after ${start.engineRecords} engine and ${start.adminRecords} ` +
        `registry/clock records (older segments were compacted once snapshots covered them), but ` +
        (loaded === null
          ? 'no usable snapshot is left'
          : `the newest usable snapshot, ${loaded.path}, covers only ${skipEngine} and ${skipAdmin}`) +
        `: the state cannot be rebuilt; refusing to start (restore the snapshot files, or the configuration and ` +
        `sandbox version they were taken with; --keep-journal keeps every segment so that a full replay stays possible)`,
    );
  }
  let engineRecords = start.engineRecords;
  let adminRecords = start.adminRecords;
  let replayed = 0;
  // Covered records are recognised by the kind their first bytes show (the journal reads it);
  // anything else is parsed and counted below.
  const covered = (admin: boolean): boolean => {
    if (admin ? adminRecords >= skipAdmin : engineRecords >= skipEngine) return false;
    if (admin) adminRecords++;
    else engineRecords++;
    return true;
  };
  // the time of the latest command recovered: the clock goes on from there at least
  let latest = loaded?.data.clockNow ?? -Infinity;
  const apply = (record: JournalRecord): void => {
    if (isAdminRecord(record)) {
      if (++adminRecords <= skipAdmin) return;
      if (record.kind === 'clock.advance') state.clock.restore(record);
      else state.accounts.restore(record);
    } else {
      if (++engineRecords <= skipEngine) return;
      state.exchange.replay(record);
      if (record.cmd.now > latest) latest = record.cmd.now;
    }
    replayed++;
  };
  const info = journal.recover(apply, loaded === null ? undefined : covered);
  if (loaded !== null && (engineRecords < skipEngine || adminRecords < skipAdmin)) {
    throw new JournalCorruptError(
      `${loaded.path} covers ${skipEngine} engine and ${skipAdmin} registry/clock records, but ${info.path} holds only ` +
        `${engineRecords} and ${adminRecords}: the journal was truncated or replaced; refusing to start ` +
        `(move the snapshot files away to start from the journal alone)`,
    );
  }
  if (latest > -Infinity) state.clock.notBefore(latest);
  state.accounts.attach((record) => {
    journal.appendSync(record);
    onAdminRecord();
  });
  state.clock.attach((record) => {
    journal.appendSync(record);
    onAdminRecord();
  });
  return {
    ...info,
    ms: performance.now() - t0,
    snapshot:
      loaded === null
        ? null
        : { path: loaded.path, records: skipEngine + skipAdmin, bytes: loaded.bytes, ms: snapshotMs },
    engineRecords,
    adminRecords,
    replayed,
  };
}

/** Loads a snapshot into fresh state: engine, read models, registry, clock offset. */
function applySnapshot(loaded: LoadedSnapshot, state: DurableState): void {
  const { data } = loaded;
  state.exchange.engine.importState(data.engine);
  state.market?.importState(data.market);
  for (const record of data.accounts) state.accounts.restore(record);
  if (data.clockAdvancedMs > 0) state.clock.restore({ kind: 'clock.advance', ms: data.clockAdvancedMs });
}
