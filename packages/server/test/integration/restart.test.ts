/**
 * Durability end to end: the real server process with --data-dir, a stream of signed orders cut
 * by SIGKILL, a restart on the same data dir — and nothing acknowledged is missing. Snapshots every
 * 40 records run meanwhile, each followed by a journal rotation and compaction, so the restart goes
 * through a snapshot and journal segments rather than one whole journal.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAgents, request } from '../helpers/http.js';
import { serverProcessesOfTest, type ServerProcess } from '../helpers/process.js';
import {
  expectBalancesFromHistory,
  serverClient,
  streamPrice,
  units,
  writeUnlimitedConfig,
  type OrderJson,
} from '../helpers/server-client.js';
import { limitParams } from '../helpers/sandbox.js';
import type { TestAccount } from '../helpers/sign.js';
import { JOURNAL_FILE, listSegments } from '../../src/journal/file-journal.js';
import { listSnapshots } from '../../src/journal/snapshot.js';

type Json = Record<string, unknown>;

const processes = serverProcessesOfTest();
afterAll(closeAgents);

function start(dataDir: string, config: string): Promise<ServerProcess> {
  return processes.start(['--data-dir', dataDir, '--snapshot-every', '40', '--config', config, '--log-level', 'error']);
}

describe('restart after SIGKILL', () => {
  it('keeps every acknowledged order, every balance, the API keys and the clock offset', async () => {
    const dir = processes.tempDir('bsbx-restart-');
    const dataDir = join(dir, 'data');
    const config = join(dir, 'config.json');
    // Limits out of the way: this test is about durability, not the ORDERS limiter.
    writeUnlimitedConfig(config);

    let server = await start(dataDir, config);
    let c = serverClient(server.url);
    const deposits = { USDT: '1000000', BTC: '100' };
    const buyer = (await c.admin('POST', '/sandbox/v1/accounts', { balances: deposits })).json<TestAccount>();
    const seller = (
      await c.admin('POST', '/sandbox/v1/accounts', { balances: deposits, keyType: 'ED25519' })
    ).json<TestAccount>();
    const idle = (await c.admin('POST', '/sandbox/v1/accounts', { keyType: 'RSA' })).json<TestAccount>(); // no balances
    expect(buyer.accountId).toBe(1);
    expect(idle.privateKey).toContain('PRIVATE KEY');
    expect((await c.admin('POST', '/sandbox/v1/clock/advance', { ms: 90_000 })).status).toBe(200);
    await c.syncClock();

    // The stream: 6 concurrent clients, the buyer only buys and the seller only sells (no self-trades),
    // around 30000 so that some orders cross and trade; SIGKILL once 200 are acknowledged.
    const acked = new Map<string, OrderJson>();
    let seq = 0;
    let killed = false;
    let cut = 0; // requests in flight when the process died, or sent after: none acknowledged
    // Every worker keeps sending until a request fails, so each ends with one cut request.
    const stream = async (w: number) => {
      for (;;) {
        const i = seq++;
        const buy = i % 2 === 0;
        const res = await c
          .api(
            buy ? buyer : seller,
            'POST',
            '/order',
            limitParams(buy ? 'BUY' : 'SELL', '0.01000', streamPrice(i), {
              timeInForce: i % 5 === 0 ? 'IOC' : 'GTC',
              newClientOrderId: `w${w}-${i}`,
              newOrderRespType: 'RESULT',
            }),
          )
          .catch(() => null); // cut by the kill: unknown outcome, not acknowledged
        if (res === null) {
          cut++;
          return;
        }
        expect(res.status, res.text).toBe(200);
        const o = res.json<OrderJson>();
        acked.set(o.clientOrderId, o);
        if (acked.size >= 200 && !killed) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, (_, w) => stream(w)));
    await new Promise<void>((r) =>
      server.child.exitCode !== null || server.child.signalCode !== null ? r() : server.child.once('exit', () => r()),
    );
    expect(server.child.signalCode).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(200);
    expect(cut).toBeGreaterThan(0);

    // Restart on the same data dir.
    server = await start(dataDir, config);
    c = serverClient(server.url);
    await c.syncClock();
    const { serverTime } = (await request(`${server.url}/api/v3/time`)).json<{ serverTime: number }>();
    expect(serverTime - Date.now()).toBeGreaterThan(85_000); // the clock advance survived

    // Every acknowledged order is there, with its id; a final state at ack time is unchanged.
    const all = new Map<string, OrderJson>();
    for (const acct of [buyer, seller]) {
      const res = await c.api(acct, 'GET', '/allOrders', { symbol: 'BTCUSDT', limit: 1000 });
      expect(res.status, res.text).toBe(200); // the keys (HMAC, Ed25519) still authenticate
      for (const o of res.json<OrderJson[]>()) all.set(o.clientOrderId, o);
    }
    for (const [id, ack] of acked) {
      const o = all.get(id);
      expect(o, `acknowledged order ${id} lost`).toBeDefined();
      expect(o!.orderId).toBe(ack.orderId);
      expect(units(o!.executedQty) >= units(ack.executedQty)).toBe(true);
      if (ack.status !== 'NEW' && ack.status !== 'PARTIALLY_FILLED') expect(o!.status).toBe(ack.status);
    }
    // Every balance is exactly what the recovered deposits, trades, commissions and open orders say.
    await expectBalancesFromHistory(c, [buyer, seller], deposits);

    // The RSA key (random, so only the journal knows its public key) works; trading continues with new ids.
    const idleAccount = await c.api(idle, 'GET', '/account');
    expect(idleAccount.status, idleAccount.text).toBe(200);
    const next = await c.api(buyer, 'POST', '/order', limitParams('BUY', '0.01000', '29000.00'));
    expect(next.status, next.text).toBe(200);
    expect(next.json<Json>().orderId).toBeGreaterThan(Math.max(...[...all.values()].map((o) => o.orderId)));
    // New accounts continue the sequence.
    expect((await c.admin('POST', '/sandbox/v1/accounts', {})).json<TestAccount>().accountId).toBe(4);

    expect(await server.stop('SIGTERM')).toBe(0);
    // Compaction happened: the first segment is gone, two snapshots and the segments after the older remain.
    expect(listSnapshots(dataDir)).toHaveLength(2);
    expect(existsSync(join(dataDir, JOURNAL_FILE))).toBe(false);
    expect(listSegments(dataDir).length).toBeGreaterThanOrEqual(1);
  });
});
