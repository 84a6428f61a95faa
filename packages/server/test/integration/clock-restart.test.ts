/**
 * A restart on a data dir whose last command is later than the machine's clock (the clock was set
 * back, or the data dir came from a machine whose clock was ahead): the sandbox clock goes on from
 * the last recovered time, so new trades keep ascending times and ids — from a snapshot and from the
 * journal alone.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SandboxClock } from '../../src/clock.js';
import { defaultConfig, type SandboxConfig } from '../../src/config.js';
import { startSandbox, type Sandbox } from '../../src/sandbox.js';
import { closeAgents, request } from '../helpers/http.js';

afterAll(closeAgents);

const HOUR = 3_600_000;
const T = Date.UTC(2026, 0, 1, 12);

function config(dataDir: string): SandboxConfig {
  const base = defaultConfig();
  return {
    ...base,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'error',
    dataDir,
    simulator: { ...base.simulator, enabled: false },
  };
}

/** A sandbox whose wall clock reads `wall` (then runs with real time). */
function start(dataDir: string, wall: number): Promise<Sandbox> {
  const t0 = Date.now();
  return startSandbox(config(dataDir), { clock: new SandboxClock(() => wall + (Date.now() - t0)) });
}

async function trade(sb: Sandbox, price: string): Promise<void> {
  const ex = sb.ctx.exchange;
  const order = { symbol: 'BTCUSDT', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price } as const;
  await ex.submit('placeOrder', { now: sb.ctx.clock.now(), accountId: 1, side: 'SELL', ...order });
  await ex.submit('placeOrder', { now: sb.ctx.clock.now(), accountId: 2, side: 'BUY', ...order });
}

const trades = async (sb: Sandbox) =>
  (await request(`${sb.url}/api/v3/trades?symbol=BTCUSDT`)).json<{ id: number; time: number }[]>();

describe('restart behind the last recovered time', () => {
  for (const from of ['a snapshot', 'the journal alone'] as const) {
    it(`keeps time ascending after a restart from ${from} with the wall clock an hour back`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bsbx-clock-'));
      try {
        let sb = await start(dir, T);
        for (const a of [1, 2])
          for (const [asset, amount] of [
            ['USDT', '100000'],
            ['BTC', '1'],
          ] as const)
            await sb.ctx.exchange.submit('deposit', { now: sb.ctx.clock.now(), accountId: a, asset, amount });
        await trade(sb, '30000');
        const before = await trades(sb);
        await sb.close(); // writes a snapshot
        if (from === 'the journal alone')
          for (const f of readdirSync(dir)) if (f.startsWith('snapshot')) rmSync(join(dir, f));

        sb = await start(dir, T - HOUR);
        try {
          const lastTime = before[before.length - 1]!.time;
          const { serverTime } = (await request(`${sb.url}/api/v3/time`)).json<{ serverTime: number }>();
          expect(serverTime).toBeGreaterThanOrEqual(lastTime);
          expect(serverTime - lastTime).toBeLessThan(HOUR / 2);
          await trade(sb, '30100');
          const after = await trades(sb);
          expect(after.map((t) => t.id)).toEqual([1, 2]);
          expect(after[1]!.time).toBeGreaterThanOrEqual(after[0]!.time);
        } finally {
          await sb.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
