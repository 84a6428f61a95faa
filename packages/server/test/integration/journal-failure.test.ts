/**
 * A journal that can no longer write (a full disk, played by the process's file-size limit: writes
 * past it fail with EFBIG as they would with ENOSPC): the real server process stops executing at
 * once, answers what executed without becoming durable with 5XX -1007 and anything later with 503
 * -1016 (not executed), stops by itself with exit code 3 and a line that names the cause — and a
 * restart on the same data dir has every acknowledged command.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAgents, type HttpResponse } from '../helpers/http.js';
import { serverProcessesOfTest, type ServerProcess } from '../helpers/process.js';
import {
  expectBalancesFromHistory,
  serverClient,
  streamPrice,
  writeUnlimitedConfig,
  type OrderJson,
} from '../helpers/server-client.js';
import { limitParams } from '../helpers/sandbox.js';
import type { TestAccount } from '../helpers/sign.js';

const processes = serverProcessesOfTest();
afterAll(closeAgents);

const UNKNOWN = {
  code: -1007,
  msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
};
const STOPPED = { code: -1016, msg: 'This service is no longer available.' };
/**
 * The journal's first pre-zeroed chunk is 64 KiB and the next extension would reach 192 KiB: with
 * this limit the disk is "full" after about 64 KiB of records.
 */
const LIMIT_KIB = 100;

function start(dataDir: string, config: string, fileSizeLimitKiB?: number): Promise<ServerProcess> {
  const args = ['--data-dir', dataDir, '--snapshot-every', '0', '--config', config, '--log-level', 'error'];
  return processes.start(args, fileSizeLimitKiB === undefined ? {} : { fileSizeLimitKiB });
}

function setUp(prefix: string): { dataDir: string; config: string } {
  const dir = processes.tempDir(prefix);
  const config = join(dir, 'config.json');
  writeUnlimitedConfig(config);
  return { dataDir: join(dir, 'data'), config };
}

/** The process stops by itself: exit code 3, and one line on stderr naming the journal and the cause. */
async function expectStoppedByJournal(server: ServerProcess): Promise<void> {
  const timeout = new Promise<string>((r) => setTimeout(() => r('still running after 15 s'), 15_000).unref());
  expect(await Promise.race([server.exited, timeout])).toBe(3);
  const { stderr } = server.output();
  expect(stderr).toMatch(/^binance-sandbox: journal write failed, nothing more can be made durable: EFBIG/m);
  expect(stderr).toMatch(/every acknowledged command is in .*data: fix the disk and start again/);
  // the log says why once, and tries no last snapshot of state the disk does not have
  const { stdout } = server.output();
  expect(stdout).toContain('journal failed: the sandbox stops');
  expect(stdout).not.toContain('snapshot');
}

describe('a journal that fails to write (disk full)', () => {
  it('stops the sandbox: nothing acknowledged is lost, nothing refused was executed', async () => {
    const { dataDir, config } = setUp('bsbx-journal-full-');
    let server = await start(dataDir, config, LIMIT_KIB);
    let c = serverClient(server.url);
    await c.syncClock();
    const deposits = { USDT: '1000000', BTC: '100' };
    const buyer = (await c.admin('POST', '/sandbox/v1/accounts', { balances: deposits })).json<TestAccount>();
    const seller = (await c.admin('POST', '/sandbox/v1/accounts', { balances: deposits })).json<TestAccount>();

    // Four concurrent clients until each has had an answer other than 200 (or no answer).
    const acked = new Map<string, OrderJson>();
    const unknown: string[] = [];
    const refused: string[] = [];
    let cut = 0;
    let seq = 0;
    const stream = async (w: number) => {
      for (;;) {
        const i = seq++;
        const buy = i % 2 === 0;
        const id = `w${w}-${i}`;
        const res: HttpResponse | null = await c
          .api(
            buy ? buyer : seller,
            'POST',
            '/order',
            limitParams(buy ? 'BUY' : 'SELL', '0.01000', streamPrice(i), {
              newClientOrderId: id,
              newOrderRespType: 'RESULT',
            }),
          )
          .catch(() => null); // the connection closed as the sandbox stopped: no answer
        if (res === null) {
          cut++;
          return;
        }
        if (res.status === 200) {
          acked.set(id, res.json<OrderJson>());
          continue;
        }
        expect(res.status, res.text).toBe(503);
        const body = res.json<{ code: number; msg: string }>();
        if (body.code === UNKNOWN.code) {
          expect(body).toEqual(UNKNOWN);
          unknown.push(id);
        } else {
          expect(body).toEqual(STOPPED);
          refused.push(id);
        }
        return;
      }
    };
    await Promise.all([0, 1, 2, 3].map(stream));
    await expectStoppedByJournal(server);
    expect(acked.size).toBeGreaterThan(50);
    // the batch that could not be written held at least one executed order
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown.length + refused.length + cut).toBe(4);

    // A restart without the limit: every acknowledged order, nothing the sandbox refused.
    server = await start(dataDir, config);
    c = serverClient(server.url);
    await c.syncClock();
    const all = new Map<string, OrderJson>();
    for (const acct of [buyer, seller]) {
      const res = await c.api(acct, 'GET', '/allOrders', { symbol: 'BTCUSDT', limit: 1000 });
      expect(res.status, res.text).toBe(200);
      for (const o of res.json<OrderJson[]>()) all.set(o.clientOrderId, o);
    }
    for (const [id, ack] of acked) expect(all.get(id)?.orderId, `acknowledged order ${id}`).toBe(ack.orderId);
    for (const id of refused) expect(all.has(id), `refused order ${id}`).toBe(false);
    // (an order answered -1007 may or may not be there: its execution status is unknown)
    expect(all.size).toBeLessThanOrEqual(acked.size + unknown.length + cut);
    await expectBalancesFromHistory(c, [buyer, seller], deposits);
    const next = await c.api(buyer, 'POST', '/order', limitParams('BUY', '0.01000', '29000.00'));
    expect(next.status, next.text).toBe(200);
    expect(await server.stop('SIGTERM')).toBe(0);
  });

  it('stops it too when a registry record is what cannot be written', async () => {
    const { dataDir, config } = setUp('bsbx-journal-full-admin-');
    let server = await start(dataDir, config, LIMIT_KIB);
    let c = serverClient(server.url);
    // Accounts without balances: each is one synchronously written registry record, no engine command.
    const created: TestAccount[] = [];
    let failed: HttpResponse | null = null;
    for (let i = 0; i < 5_000 && failed === null; i++) {
      const res = await c.admin('POST', '/sandbox/v1/accounts', {});
      if (res.status === 201) created.push(res.json<TestAccount>());
      else failed = res;
    }
    expect(failed?.status, failed?.text).toBe(503);
    expect(failed?.json<{ error: string }>().error).toMatch(
      /^journal write failed, nothing more can be made durable: EFBIG/,
    );
    await expectStoppedByJournal(server);
    expect(created.length).toBeGreaterThan(50);

    server = await start(dataDir, config);
    c = serverClient(server.url);
    await c.syncClock();
    for (const acct of [created[0]!, created[created.length - 1]!]) {
      const res = await c.api(acct, 'GET', '/account');
      expect(res.status, res.text).toBe(200);
    }
    const next = (await c.admin('POST', '/sandbox/v1/accounts', {})).json<TestAccount>();
    expect(next.accountId).toBe(created.length + 1);
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});
