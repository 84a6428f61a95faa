/**
 * End to end: signed POST /api/v3/order (HMAC, journal on: --data-dir, each order durable before the
 * answer) vs GET /api/v3/ping on the same server, alternating rounds, 100 connections (autocannon,
 * separate process from the server). Orders are LIMIT IOC bids far below the market: each one is a
 * full journaled engine command that expires at once, so books and balances stay flat whatever the
 * run length. The same signed request may be repeated within recvWindow (Binance has no nonce), so
 * each round signs once with a fresh timestamp.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, startProcess, type BenchResult } from './lib.js';

const CLI = fileURLToPath(new URL('../packages/server/dist/cli.js', import.meta.url));
const HUGE = 1e12;

async function load(opts: autocannon.Options): Promise<{ rps: number; non2xx: number }> {
  const r = await autocannon({ connections: 100, pipelining: 1, ...opts });
  return { rps: r.requests.average, non2xx: r.non2xx };
}

export async function run(opts: { rounds?: number; seconds?: number } = {}): Promise<BenchResult> {
  const rounds = opts.rounds ?? 5;
  const seconds = opts.seconds ?? 4;
  const dir = mkdtempSync(join(tmpdir(), 'bsbx-e2e-'));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: HUGE },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: HUGE },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: HUGE },
        { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: HUGE },
      ],
    }),
  );
  const server = await startProcess(process.execPath, [
    CLI,
    'serve',
    '--port',
    '0',
    '--config',
    config,
    '--data-dir',
    join(dir, 'data'),
    '--no-simulator',
    '--log-level',
    'error',
  ]);
  try {
    const created = await fetch(`${server.url}/sandbox/v1/accounts`, {
      method: 'POST',
      body: JSON.stringify({ balances: { USDT: '1000000000' } }),
    });
    const { apiKey, secretKey } = (await created.json()) as { apiKey: string; secretKey: string };
    const signedOrder = () => {
      const query =
        'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.01000&price=1000.00' +
        `&newOrderRespType=RESULT&recvWindow=60000&timestamp=${Date.now()}`;
      const signature = createHmac('sha256', secretKey).update(query).digest('hex');
      return `${server.url}/api/v3/order?${query}&signature=${signature}`;
    };
    const order = () =>
      load({ url: signedOrder(), method: 'POST', headers: { 'X-MBX-APIKEY': apiKey }, duration: seconds });
    const ping = () => load({ url: `${server.url}/api/v3/ping`, duration: seconds });
    await load({ url: signedOrder(), method: 'POST', headers: { 'X-MBX-APIKEY': apiKey }, duration: 1 });
    await load({ url: `${server.url}/api/v3/ping`, duration: 1 });
    const a: number[] = [];
    const b: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const x = await order();
      const y = await ping();
      if (x.non2xx > 0) throw new Error(`${x.non2xx} order requests were refused during the bench`);
      a.push(x.rps);
      b.push(y.rps);
      ratios.push(x.rps / y.rps);
    }
    return {
      name: 'signed POST /api/v3/order, HMAC, journal on (req/s)',
      unit: 'req/s',
      ours: median(a),
      baseline: median(b),
      baselineName: 'GET /api/v3/ping on the same server',
      ratio: median(ratios),
      target: 0.5,
      rounds,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
