/**
 * The journal: (1) append throughput with group commit vs one fdatasync per record (same appends,
 * same concurrency, same file system), and (2) restart: replay time of a journal of 1,000,000
 * orders (the engine benchmark's stream: 70 % resting LIMIT, 20 % crossing IOC, 10 % cancels, plus
 * the deposits of its 10,000 accounts) into a fresh ExchangeService — read, CRC check, JSON parse
 * and apply, exactly what `serve --data-dir` does at startup (target < 5 s).
 * Run: `npx tsx bench/journal.ts [orders] [baselineAppends]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import type { ExchangeCommand } from '../packages/server/dist/exchange/commands.js';
import { ExchangeService } from '../packages/server/dist/exchange/service.js';
import { FileJournal } from '../packages/server/dist/journal/file-journal.js';
import type { JournalRecord } from '../packages/server/dist/journal/records.js';
import { generate } from './engine-stream.js';

const ACCOUNTS = 10_000;
const T0 = 1_700_000_000_000;

/** The engine benchmark's stream as journal records (cancels by client order id, as a client would). */
export function commands(orders: number): ExchangeCommand[] {
  const out: ExchangeCommand[] = [];
  for (let a = 1; a <= ACCOUNTS; a++) {
    out.push({ kind: 'deposit', cmd: { now: T0, accountId: a, asset: 'USDT', amount: '1000000000' } });
    out.push({ kind: 'deposit', cmd: { now: T0, accountId: a, asset: 'BTC', amount: '100000' } });
  }
  const ops = generate(orders);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const now = T0 + i;
    if (op.kind === 2) {
      out.push({
        kind: 'cancelOrder',
        cmd: { now, accountId: op.account, symbol: 'BTCUSDT', origClientOrderId: `o${op.ref}` },
      });
    } else {
      out.push({
        kind: 'placeOrder',
        cmd: {
          now,
          accountId: op.account,
          symbol: 'BTCUSDT',
          side: op.side,
          type: 'LIMIT',
          timeInForce: op.kind === 0 ? 'GTC' : 'IOC',
          price: op.price,
          quantity: op.qty,
          newClientOrderId: `o${i}`,
        },
      });
    }
  }
  return out;
}

/** Appends `records` with `concurrency` appends outstanding (rounds of Promise.all); returns appends/s. */
async function appendAll(dir: string, records: readonly JournalRecord[], concurrency: number, maxBatchBytes?: number) {
  const journal = new FileJournal(dir, maxBatchBytes === undefined ? {} : { maxBatchBytes });
  journal.recover(() => undefined);
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += concurrency) {
    const round: Promise<void>[] = [];
    for (let j = i; j < Math.min(i + concurrency, records.length); j++) round.push(journal.append(records[j]!));
    await Promise.all(round);
  }
  const seconds = (performance.now() - t0) / 1000;
  const stats = { ...journal.stats };
  await journal.close();
  return { rate: records.length / seconds, seconds, stats };
}

export interface ReplayResult {
  seconds: number;
  /** Reading, CRC-checking and JSON-parsing every record, without applying it. */
  readOnlySeconds: number;
  records: number;
  bytes: number;
  engineOnlySeconds: number;
  snapshot: SnapshotBench;
}

export interface SnapshotBench {
  /** Restart with a snapshot covering the whole journal: load + check + import, then scan the journal. */
  restartSeconds: number;
  /** Of which: reading, checking and importing the snapshot. */
  loadSeconds: number;
  /** Event-loop pause of taking it: state export + serialisation into fresh memory (the first snapshot). */
  captureSeconds: number;
  /** The same for the next snapshot, into the buffer the previous one left (Snapshotter reuseBufferMs). */
  recaptureSeconds: number;
  /** Asynchronous part: write, fsync, rename, directory fsync. */
  writeSeconds: number;
  bytes: number;
}

/** Runs bench/journal-restart.ts in a fresh process (a restart has a fresh heap) and returns its timings. */
function child<T>(mode: 'snapshot' | 'restart', dir: string): T {
  const script = fileURLToPath(new URL('./journal-restart.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, mode, dir], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() ?? '') as T;
}

/** A snapshot of the fully replayed journal (timed), then restarts from it (timed), each in a fresh process. */
function snapshotRestart(dir: string, rounds: number): SnapshotBench {
  const taken = child<{ captureMs: number; recaptureMs: number; writeMs: number; bytes: number }>('snapshot', dir);
  const restarts = Array.from({ length: rounds }, () => child<{ restartMs: number; loadMs: number }>('restart', dir));
  const mid = restarts.sort((a, b) => a.restartMs - b.restartMs)[restarts.length >> 1]!;
  return {
    restartSeconds: mid.restartMs / 1000,
    loadSeconds: mid.loadMs / 1000,
    captureSeconds: taken.captureMs / 1000,
    recaptureSeconds: taken.recaptureMs / 1000,
    writeSeconds: taken.writeMs / 1000,
    bytes: taken.bytes,
  };
}

/** Replays the journal in `dir` into a fresh ExchangeService, as startup does. */
async function replay(dir: string, apply = true): Promise<{ seconds: number; records: number }> {
  const service = new ExchangeService(DEFAULT_SYMBOLS);
  const journal = new FileJournal(dir);
  const t0 = performance.now();
  const info = journal.recover(apply ? (r) => service.replay(r as ExchangeCommand) : () => undefined);
  const seconds = (performance.now() - t0) / 1000;
  await journal.close();
  return { seconds, records: info.records };
}

function engineOnly(records: readonly ExchangeCommand[]): number {
  const service = new ExchangeService(DEFAULT_SYMBOLS);
  const t0 = performance.now();
  for (const r of records) service.replay(r);
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function run(
  opts: { orders?: number; baselineAppends?: number; concurrency?: number; rounds?: number } = {},
): Promise<{
  name: string;
  unit: string;
  ours: number;
  baseline: number;
  baselineName: string;
  ratio: number;
  target: number;
  rounds: number;
  replay: ReplayResult;
}> {
  const orders = opts.orders ?? 1_000_000;
  const nBase = opts.baselineAppends ?? 5_000;
  const concurrency = opts.concurrency ?? 1_000;
  const rounds = opts.rounds ?? 3;
  const records = commands(orders);
  const root = mkdtempSync(join(tmpdir(), 'bsbx-bench-journal-'));
  try {
    // 1. Appends: group commit (all records, this also writes the journal replayed below) vs one
    //    fdatasync per record (a prefix: it is slow), same concurrency, per round.
    const ours: number[] = [];
    const base: number[] = [];
    const ratios: number[] = [];
    let full = '';
    for (let r = 0; r < rounds; r++) {
      const dir = join(root, `gc-${r}`);
      const n = r === 0 ? records.length : Math.min(records.length, 200_000);
      const g = await appendAll(dir, records.slice(0, n), concurrency);
      if (r === 0) full = dir;
      else rmSync(dir, { recursive: true, force: true });
      const b = await appendAll(join(root, `base-${r}`), records.slice(0, nBase), concurrency, 0);
      rmSync(join(root, `base-${r}`), { recursive: true, force: true });
      ours.push(g.rate);
      base.push(b.rate);
      ratios.push(g.rate / b.rate);
      console.log(
        `  appends: group commit ${n} records in ${g.seconds.toFixed(2)} s (${Math.round(g.rate)}/s, ${g.stats.batches} fdatasyncs, ` +
          `largest batch ${g.stats.maxBatch}) · one fdatasync per record ${nBase} in ${b.seconds.toFixed(2)} s (${Math.round(b.rate)}/s)`,
      );
    }
    // 2. Replay of the full journal.
    const bytes = statSync(join(full, 'journal.log')).size;
    const replays: number[] = [];
    let count = 0;
    for (let r = 0; r < rounds; r++) {
      const x = await replay(full);
      replays.push(x.seconds);
      count = x.records;
    }
    const readOnly: number[] = [];
    for (let r = 0; r < rounds; r++) readOnly.push((await replay(full, false)).seconds);
    const engineSeconds = median(Array.from({ length: rounds }, () => engineOnly(records)));
    const snapshot = snapshotRestart(full, rounds);
    const replayResult = {
      seconds: median(replays),
      readOnlySeconds: median(readOnly),
      records: count,
      bytes,
      engineOnlySeconds: engineSeconds,
      snapshot,
    };
    console.log(
      `  replay: ${count} records (${orders} orders + ${count - orders} deposits, ${(bytes / 2 ** 20).toFixed(0)} MiB) in ` +
        `${replayResult.seconds.toFixed(2)} s (target < 5 s) = journal read+CRC+parse ${replayResult.readOnlySeconds.toFixed(2)} s + engine; ` +
        `the engine alone on the same commands in memory: ${engineSeconds.toFixed(2)} s`,
    );
    console.log(
      `  restart with a snapshot of that state: ${snapshot.restartSeconds.toFixed(2)} s (snapshot ${(snapshot.bytes / 2 ** 20).toFixed(0)} MiB ` +
        `loaded + imported in ${snapshot.loadSeconds.toFixed(2)} s, the rest is scanning the journal it covers); taking it: ` +
        `${(snapshot.captureSeconds * 1000).toFixed(0)} ms event-loop pause (export + serialise; ` +
        `${(snapshot.recaptureSeconds * 1000).toFixed(0)} ms for the next one, into the buffer the first one left) + ` +
        `${(snapshot.writeSeconds * 1000).toFixed(0)} ms asynchronous write+fsync`,
    );
    return {
      name: `journal appends, group commit, ${concurrency} concurrent appenders`,
      unit: 'appends/s',
      ours: median(ours),
      baseline: median(base),
      baselineName: `one fdatasync per record (first ${nBase})`,
      ratio: median(ratios),
      target: 10,
      rounds,
      replay: replayResult,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const orders = process.argv[2] ? Number(process.argv[2]) : undefined;
  const baselineAppends = process.argv[3] ? Number(process.argv[3]) : undefined;
  const r = await run({ ...(orders ? { orders } : {}), ...(baselineAppends ? { baselineAppends } : {}) });
  console.log(
    `${r.name}\n  ours ${Math.round(r.ours).toLocaleString('en-US')} ${r.unit} · ${r.baselineName} ${Math.round(r.baseline).toLocaleString('en-US')} ${r.unit} · ratio ${r.ratio.toFixed(1)}× (target ≥ ${r.target}×)\n` +
      `journal replay, ${r.replay.records.toLocaleString('en-US')} records: ${r.replay.seconds.toFixed(2)} s (target < 5 s)`,
  );
}
