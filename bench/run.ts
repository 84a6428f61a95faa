/**
 * `npm run bench`: every benchmark side by side with its baseline, in one run, printing a table of
 * medians and ratios with each target beside it. Results also go to bench/out/latest.json.
 * Select some with `npm run bench -- http-ping limiter-memory`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { formatRate, machine } from './lib.js';

interface AnyResult {
  name: string;
  unit: string;
  ours: number;
  baseline: number;
  baselineName?: string;
  ratio: number;
  /** A minimum ratio ours/baseline, or with targetIsMaximum an upper bound on `ours` itself; null: for information. */
  target: number | null;
  targetIsMaximum?: boolean;
}

const verdict = (r: AnyResult) => {
  if (r.target === null) return '';
  return (r.targetIsMaximum ? r.ours <= r.target : r.ratio >= r.target) ? 'met' : 'NOT MET';
};
const targetText = (r: AnyResult) => {
  if (r.target === null) return '—';
  return r.targetIsMaximum ? `ours ≤ ${formatRate(r.target)} ${r.unit}` : `≥ ${r.target}×`;
};

const BENCHES: Record<string, () => Promise<{ run: () => Promise<AnyResult | AnyResult[]> }>> = {
  'http-ping': () => import('./http-ping.js'),
  'order-e2e': () => import('./order-e2e.js'),
  'limiter-memory': () => import('./limiter-memory.js'),
  'limiter-redis': () => import('./limiter-redis.js'),
  engine: () => import('./engine.js'),
  'engine-floor': () => import('./engine-floor.js'),
  'ws-fanout': () => import('./ws-fanout.js'),
  journal: () => import('./journal-replay.js'),
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(BENCHES);
const results: AnyResult[] = [];
console.log(`binance-sandbox benchmarks — ${new Date().toISOString()}\n${machine()}\n`);
for (const name of names) {
  const load = BENCHES[name];
  if (!load) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.stdout.write(`running ${name} …\n`);
  const { run } = await load();
  const out = await run();
  results.push(...(Array.isArray(out) ? out : [out]));
}

const rows = results.map((r) => [
  r.name,
  `${formatRate(r.ours)} ${r.unit}`,
  `${formatRate(r.baseline)} ${r.unit}${r.baselineName ? ` (${r.baselineName})` : ''}`,
  `${r.ratio.toFixed(2)}×`,
  targetText(r),
  verdict(r),
]);
const header = ['benchmark', 'ours (median)', 'baseline (median)', 'ratio', 'target', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
console.log(`\n${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of rows) console.log(line(r));
mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./out/latest.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), machine: machine(), results }, null, 2),
);
