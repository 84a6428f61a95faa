/**
 * Restart time for a journal of 1,000,000 orders (target < 5 s), as bench/run.ts entries: the
 * restart as the server does it (newest snapshot + the records after it) and, for information, a
 * full replay without snapshot (`baseline` there = the engine alone on the same commands from memory). Run: `npx tsx bench/journal-replay.ts [orders]`.
 */
import { pathToFileURL } from 'node:url';
import { run as runJournal } from './journal.js';

/** Both journal figures from one run: group-commit appends (vs one fsync per record) and replay time. */
export async function run(opts: { orders?: number } = {}) {
  const orders = opts.orders ?? 1_000_000;
  const { replay: r, ...appends } = await runJournal({ orders, rounds: 1, baselineAppends: 1000 });
  return [
    appends,
    {
      name: `full journal replay (no snapshot), ${r.records.toLocaleString('en-US')} records (${orders.toLocaleString('en-US')} orders)`,
      unit: 's',
      ours: r.seconds,
      baseline: r.engineOnlySeconds,
      baselineName: 'the engine alone on the same commands, from memory',
      ratio: r.seconds / r.engineOnlySeconds,
      // The restart target applies to the next row: a restart loads the newest snapshot first.
      target: null,
      rounds: 1,
    },
    {
      name: `restart: snapshot of that state + the journal after it (${(r.snapshot.bytes / 2 ** 20).toFixed(0)} MiB; taking it paused ${(r.snapshot.captureSeconds * 1000).toFixed(0)} ms, the next one ${(r.snapshot.recaptureSeconds * 1000).toFixed(0)} ms)`,
      unit: 's',
      ours: r.snapshot.restartSeconds,
      baseline: r.seconds,
      baselineName: 'full journal replay',
      ratio: r.snapshot.restartSeconds / r.seconds,
      target: 5,
      targetIsMaximum: true,
      rounds: 1,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [, ...rows] = await run(process.argv[2] ? { orders: Number(process.argv[2]) } : {});
  for (const r of rows)
    console.log(
      `${r.name}: ${r.ours.toFixed(2)} ${r.unit}${r.target === null ? '' : ` (target < ${r.target} s)`}; ${r.baselineName}: ${r.baseline.toFixed(2)} s`,
    );
}
