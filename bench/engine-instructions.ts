/**
 * Instructions per operation of the engine benchmark's stream, for the engine and for the floor
 * (bench/engine-floor.ts), counted by valgrind (cachegrind without its cache model). A
 * deterministic measure where wall time is not: on this shared VM runs of one build differ by
 * ±8 %, so a change worth 2–5 % cannot be seen in ops/s, while two counts of one build agree
 * within ~0.5 %. Instructions are not time (cache misses and allocation are not counted), so a
 * change is still judged by `bench/engine.ts`; this says whether it removed work at all.
 * Needs `valgrind` (Debian package); not part of `npm run bench`.
 *
 * Each count is a whole process under `node --single-threaded` (no compiler or collector threads)
 * with a fixed young generation (scavenges then depend on bytes allocated only, not on timing):
 * a warm-up run of `n` operations, then a run of the first `m` on a new engine. Subtracting the
 * count with m = 1 from the count with m = n leaves n − 1 operations of a warmed-up engine (the
 * stream, the setup and the warm-up are the same in both). Each count is the median of 3 processes
 * (two at a time); what still varies is when old-generation collections start (±0.2 % a count).
 * `--cache`: cachegrind's cache model on (its D1 is the host's, 48 KiB here): level-1 data misses
 * per operation beside the instructions — the part of the wall-time gap instructions do not show
 * (~6.5 min instead of ~5). Its misses vary ±5 % between processes (collections start at different
 * moments), the instructions stay within ~1 %.
 * Run: `npm run build && npx tsx bench/engine-instructions.ts [ops] [--cache]` (default 100,000: ~5 min).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runOurs } from './engine.js';
import { runFloor } from './engine-floor.js';
import { opStream } from './engine-stream.js';
import { median } from './lib.js';

type Subject = 'engine' | 'floor';

const NODE_FLAGS = ['--single-threaded', '--min-semi-space-size=32', '--max-semi-space-size=32'];

/** What a process counted: instructions, and level-1 data-cache misses (reads + writes) under `--cache`. */
interface Counts {
  readonly instructions: number;
  readonly d1Misses: number;
}

/** Counts of a child process that warms `subject` up on `n` ops, then runs `m` of them. */
function count(subject: Subject, n: number, m: number, cache: boolean): Promise<Counts> {
  const self = fileURLToPath(import.meta.url);
  const args = [process.execPath, ...NODE_FLAGS, '--import', 'tsx', self, '--child', subject, String(n), String(m)];
  const child = spawn(
    'valgrind',
    ['--tool=cachegrind', `--cache-sim=${cache ? 'yes' : 'no'}`, '--cachegrind-out-file=/dev/null', ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      const read = (re: RegExp) => {
        const hit = re.exec(stderr);
        return hit === null ? NaN : Number((hit[1] as string).replaceAll(',', ''));
      };
      const instructions = read(/I\s+refs:\s+([\d,]+)/);
      const d1Misses = cache ? read(/D1\s+misses:\s+([\d,]+)/) : 0;
      if (status !== 0 || Number.isNaN(instructions) || Number.isNaN(d1Misses))
        reject(new Error(`valgrind ${subject} ${n} ${m} failed (${status}): ${stderr}`));
      else resolve({ instructions, d1Misses });
    });
  });
}

/** Runs `jobs` two at a time (the machine's cores), results in order. */
async function twoAtATime<T>(jobs: readonly (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += 2) out.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => j()))));
  return out;
}

async function perOperation(subject: Subject, n: number, cache: boolean): Promise<Counts> {
  const job = (m: number) => () => count(subject, n, m, cache);
  const counts = await twoAtATime([job(1), job(n), job(1), job(n), job(1), job(n)]);
  const per = (pick: (c: Counts) => number) =>
    (median(counts.filter((_, i) => i % 2 === 1).map(pick)) - median(counts.filter((_, i) => i % 2 === 0).map(pick))) /
    (n - 1);
  return { instructions: per((c) => c.instructions), d1Misses: per((c) => c.d1Misses) };
}

if (process.argv[2] === '--child') {
  const subject = process.argv[3] as Subject;
  const n = Number(process.argv[4]);
  const m = Number(process.argv[5]);
  const ops = opStream(n);
  const run = subject === 'engine' ? (k: number) => runOurs(ops, true, false, k) : (k: number) => runFloor(ops, k);
  run(n);
  run(m);
} else {
  const args = process.argv.slice(2);
  const cache = args.includes('--cache');
  const n = Number(args.find((a) => a !== '--cache') ?? 100_000);
  const engine = await perOperation('engine', n, cache);
  const floor = await perOperation('floor', n, cache);
  const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
  const line = (what: string, e: number, f: number, show: (v: number) => string) =>
    `${what}: engine ${show(e)} · floor ${show(f)} · engine/floor ${(e / f).toFixed(2)}×`;
  console.log(`per operation (${n.toLocaleString('en-US')} ops of bench/engine.ts's stream, warmed up)`);
  console.log(`  ${line('instructions', engine.instructions, floor.instructions, fmt)}`);
  if (cache) console.log(`  ${line('D1 misses', engine.d1Misses, floor.d1Misses, (v) => v.toFixed(1))}`);
}
