/**
 * Child process of bench/journal.ts (a restart is a fresh process, with a fresh heap):
 *   snapshot DIR — replays the journal in DIR, then takes a snapshot of that state (timed);
 *   restart DIR  — restarts from the newest snapshot in DIR plus the journal after it (timed).
 * Prints one JSON line of timings.
 */
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { ManualClock } from '../packages/server/dist/clock.js';
import { ExchangeService } from '../packages/server/dist/exchange/service.js';
import { JournaledAccountRegistry } from '../packages/server/dist/journal/accounts.js';
import { JournaledClock } from '../packages/server/dist/journal/clock.js';
import { FileJournal } from '../packages/server/dist/journal/file-journal.js';
import { recoverInto, type DurableState } from '../packages/server/dist/journal/recovery.js';
import { exportRegistry } from '../packages/server/dist/journal/snapshot-accounts.js';
import {
  frameSnapshot,
  serializeSnapshot,
  snapshotFingerprint,
  snapshotName,
  writeSnapshotFile,
} from '../packages/server/dist/journal/snapshot.js';
import { MarketData } from '../packages/server/dist/market/market-data.js';

function durableState(): DurableState {
  const exchange = new ExchangeService(DEFAULT_SYMBOLS);
  return {
    exchange,
    market: new MarketData(exchange),
    accounts: new JournaledAccountRegistry('bench'),
    clock: new JournaledClock(new ManualClock()),
  };
}

const [mode, dir] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: journal-restart.ts snapshot|restart DIR');
const fingerprint = snapshotFingerprint(DEFAULT_SYMBOLS);
const state = durableState();
const journal = new FileJournal(dir);
const t0 = performance.now();
if (mode === 'snapshot') {
  const info = recoverInto(journal, state);
  const t1 = performance.now();
  // The event-loop pause, as the Snapshotter takes it: export + serialise; the CRC comes after. The
  // first capture writes into fresh memory; the next one (under load, within reuseBufferMs) into
  // the buffer the first one left.
  const capture = (spare?: Buffer) =>
    serializeSnapshot(
      {
        engine: state.exchange.engine.exportState(),
        market: state.market!.exportState(),
        accounts: exportRegistry(state.accounts),
        clockAdvancedMs: state.clock.advanced,
      },
      spare,
    );
  const first = capture();
  const t2 = performance.now();
  const again = capture(first.buffer);
  const t3 = performance.now();
  const parts = await frameSnapshot(
    again.body,
    { engineRecords: info.engineRecords, adminRecords: info.adminRecords },
    fingerprint,
  );
  await writeSnapshotFile(dir, snapshotName(info.records), parts);
  const t4 = performance.now();
  const bytes = parts.reduce((n, p) => n + p.length, 0);
  console.log(JSON.stringify({ replayMs: t1 - t0, captureMs: t2 - t1, recaptureMs: t3 - t2, writeMs: t4 - t3, bytes }));
} else {
  const info = recoverInto(journal, state, { dir, fingerprint, warn: (p, why) => console.error(p, why) });
  if (info.snapshot === null) throw new Error('no snapshot was loaded');
  console.log(JSON.stringify({ restartMs: performance.now() - t0, loadMs: info.snapshot.ms, replayed: info.replayed }));
}
await journal.close();
