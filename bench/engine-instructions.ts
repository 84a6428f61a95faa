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
 * Run: `npm run build && npx tsx bench/engine-instructions.ts [ops]` (default 100,000: ~5 min).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runOurs } from './engine.js';
import { runFloor } from './engine-floor.js';
import { opStream } from './engine-stream.js';
import { median } from './lib.js';

type Subject = 'engine' | 'floor';

const NODE_FLAGS = ['--single-threaded', '--min-semi-space-size=32', '--max-semi-space-size=32'];

/** Instructions of a child process that warms `subject` up on `n` ops, then runs `m` of them. */
function count(subject: Subject, n: number, m: number): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const args = [process.execPath, ...NODE_FLAGS, '--import', 'tsx', self, '--child', subject, String(n), String(m)];
  const child = spawn('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
      if (status !== 0 || refs === null)
        reject(new Error(`valgrind ${subject} ${n} ${m} failed (${status}): ${stderr}`));
      else resolve(Number((refs[1] as string).replaceAll(',', '')));
    });
  });
}

/** Runs `jobs` two at a time (the machine's cores), results in order. */
async function twoAtATime<T>(jobs: readonly (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += 2) out.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => j()))));
  return out;
}

async function perOperation(subject: Subject, n: number): Promise<number> {
  const job = (m: number) => () => count(subject, n, m);
  const counts = await twoAtATime([job(1), job(n), job(1), job(n), job(1), job(n)]);
  return (median(counts.filter((_, i) => i % 2 === 1)) - median(counts.filter((_, i) => i % 2 === 0))) / (n - 1);
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
  const n = Number(process.argv[2] ?? 100_000);
  const engine = await perOperation('engine', n);
  const floor = await perOperation('floor', n);
  const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
  console.log(
    `instructions an operation (${n.toLocaleString('en-US')} ops of bench/engine.ts's stream, warmed up): engine ${fmt(engine)} · floor ${fmt(floor)} · engine/floor ${(engine / floor).toFixed(2)}×`,
  );
}
