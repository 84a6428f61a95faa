/**
 * GET /api/v3/ping through the whole sandbox pipeline (WAF, params, limiter, headers) vs a bare
 * Fastify hello-world. Servers and the load generator (autocannon, 100 connections) are separate
 * processes; rounds alternate A/B so drift hits both; the ratio is the median of per-round ratios.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, startProcess, type BenchResult } from './lib.js';

const CLI = fileURLToPath(new URL('../packages/server/dist/cli.js', import.meta.url));
const BARE = fileURLToPath(new URL('./servers/bare-fastify.mjs', import.meta.url));

async function load(url: string, seconds: number): Promise<{ rps: number; non2xx: number }> {
  const result = await autocannon({ url: `${url}/api/v3/ping`, connections: 100, duration: seconds, pipelining: 1 });
  return { rps: result.requests.average, non2xx: result.non2xx };
}

export async function run(opts: { rounds?: number; seconds?: number } = {}): Promise<BenchResult> {
  const rounds = opts.rounds ?? 5;
  const seconds = opts.seconds ?? 4;
  // Limits high enough that every request is admitted: we measure the cost of enforcing, not refusing.
  const dir = mkdtempSync(join(tmpdir(), 'bsbx-bench-'));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 1e12 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000 },
        { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 1e12 },
      ],
      simulator: { enabled: false },
    }),
  );
  const ours = await startProcess(process.execPath, [
    CLI,
    'serve',
    '--port',
    '0',
    '--config',
    config,
    '--log-level',
    'error',
  ]);
  const bare = await startProcess(process.execPath, [BARE]);
  try {
    await load(ours.url, 1);
    await load(bare.url, 1);
    const a: number[] = [];
    const b: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const x = await load(ours.url, seconds);
      const y = await load(bare.url, seconds);
      if (x.non2xx > 0) throw new Error(`sandbox answered ${x.non2xx} non-2xx responses during the bench`);
      a.push(x.rps);
      b.push(y.rps);
      ratios.push(x.rps / y.rps);
    }
    return {
      name: 'GET /api/v3/ping, full pipeline (req/s)',
      unit: 'req/s',
      ours: median(a),
      baseline: median(b),
      baselineName: 'bare Fastify hello-world',
      ratio: median(ratios),
      target: 0.85,
      rounds,
    };
  } finally {
    await ours.stop();
    await bare.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run();
  console.log(JSON.stringify(r, null, 2));
}
