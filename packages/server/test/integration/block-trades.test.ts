/**
 * Block trades: reported through the admin API (market data only), listed by GET
 * historicalBlockTrades (shape, weight 25, fromId, limit, errors) and pushed on
 * `<symbol>@blockTrade`; kept across a restart.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { closeAfterEachTest, connectWs } from '../ws/client.js';

let sb: TestSandbox;
const sockets = closeAfterEachTest(() => sb);

type Json = Record<string, unknown>;

let ipSeq = 10;
/** A GET from a fresh client IP, so X-MBX-USED-WEIGHT-1M is exactly this request's weight. */
async function get(path: string) {
  const res = await sb.call(path, { localAddress: `127.0.3.${ipSeq++}` });
  return { status: res.status, weight: Number(res.headers['x-mbx-used-weight-1m']), body: res.json<unknown>() };
}

const report = (body: unknown) => sb.admin('POST', '/sandbox/v1/blockTrades', body);

describe('block trades', () => {
  it('reported through the admin API, listed by historicalBlockTrades, pushed on @blockTrade', async () => {
    sb = await startTestSandbox();
    const ws = await connectWs(sb.url, '/stream?streams=ethbtc@blockTrade', sockets);
    expect((await get('/api/v3/historicalBlockTrades?symbol=ETHBTC&fromId=1')).body).toEqual([]);
    const first = await report({ symbol: 'ETHBTC', price: '0.052', qty: '5838', isBuyerMaker: true });
    expect(first.status, first.text).toBe(200);
    const time = sb.clock.now();
    expect(first.json()).toEqual({
      symbol: 'ETHBTC',
      id: 1,
      price: '0.052',
      qty: '5838',
      quoteQty: '303.576',
      time,
      isBuyerMaker: true,
    });
    expect(await ws.next()).toEqual({
      stream: 'ethbtc@blockTrade',
      data: { e: 'blockTrade', E: time, s: 'ETHBTC', t: 1, p: '0.052', q: '5838', T: time, m: true },
    });
    sb.clock.advance(1000);
    await report({ symbol: 'ETHBTC', price: '0.05123456', qty: '0.3' });
    expect((await ws.next<{ data: Json }>()).data).toMatchObject({ t: 2, p: '0.05123456', q: '0.3', m: false });
    const all = await get('/api/v3/historicalBlockTrades?symbol=ETHBTC&fromId=1');
    expect(all.status).toBe(200);
    expect(all.weight).toBe(25);
    expect(all.body).toEqual([
      { id: 1, price: '0.052', qty: '5838', quoteQty: '303.576', time, isBuyerMaker: true },
      { id: 2, price: '0.05123456', qty: '0.3', quoteQty: '0.01537036', time: time + 1000, isBuyerMaker: false },
    ]);
    expect(
      ((await get('/api/v3/historicalBlockTrades?symbol=ETHBTC&fromId=2')).body as Json[]).map((t) => t.id),
    ).toEqual([2]);
    expect(
      ((await get('/api/v3/historicalBlockTrades?symbol=ETHBTC&fromId=1&limit=1')).body as Json[]).map((t) => t.id),
    ).toEqual([1]);
    expect((await get('/api/v3/historicalBlockTrades?symbol=ETHBTC&fromId=3')).body).toEqual([]);
    // no book, trade or balance moved
    expect((await get('/api/v3/trades?symbol=ETHBTC')).body).toEqual([]);
    expect((await get('/api/v3/historicalBlockTrades?symbol=BTCUSDT&fromId=1')).body).toEqual([]);
  });

  it('answers the documented errors', async () => {
    sb = await startTestSandbox();
    const noFrom = await get('/api/v3/historicalBlockTrades?symbol=ETHBTC');
    expect([noFrom.status, noFrom.body]).toEqual([
      400,
      { code: -1102, msg: "Mandatory parameter 'fromId' was not sent, was empty/null, or malformed." },
    ]);
    const unknown = await get('/api/v3/historicalBlockTrades?symbol=NOPE&fromId=1');
    expect([unknown.status, unknown.body]).toEqual([400, { code: -1121, msg: 'Invalid symbol.' }]);
    for (const [body, msg] of [
      [{ symbol: 'NOPE', price: '1', qty: '1' }, /^symbol must be one of BTCUSDT/],
      [{ symbol: 'ETHBTC', price: '0', qty: '1' }, /^price must be a positive decimal string/],
      [{ symbol: 'ETHBTC', price: '1', qty: '0.000000001' }, /^qty must be a positive decimal string/],
      [{ symbol: 'ETHBTC', price: '1', qty: '1', isBuyerMaker: 'yes' }, /^isBuyerMaker must be true or false/],
      [{ symbol: 'ETHBTC', price: '1', qty: '1', side: 'BUY' }, /side/],
    ] as const) {
      const res = await report(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json<{ error: string }>().error).toMatch(msg);
    }
  });

  it('keeps block trades across a restart (shutdown snapshot, and the journal alone)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'block-'));
    try {
      const dataDir = join(dir, 'data');
      const crashDir = join(dir, 'crash');
      sb = await startTestSandbox({ dataDir });
      await report({ symbol: 'BTCUSDT', price: '65000.5', qty: '12.5' });
      const before = (await get('/api/v3/historicalBlockTrades?symbol=BTCUSDT&fromId=1')).body;
      expect(before).toHaveLength(1);
      cpSync(dataDir, crashDir, { recursive: true }); // what a kill -9 would leave: the journal, no snapshot
      await sb.close();
      for (const d of [dataDir, crashDir]) {
        sb = await startTestSandbox({ dataDir: d });
        expect((await get('/api/v3/historicalBlockTrades?symbol=BTCUSDT&fromId=1')).body, d).toEqual(before);
        await report({ symbol: 'BTCUSDT', price: '65001', qty: '1' });
        const ids = ((await get('/api/v3/historicalBlockTrades?symbol=BTCUSDT&fromId=1')).body as Json[]).map(
          (t) => t.id,
        );
        expect(ids, d).toEqual([1, 2]);
        await sb.close();
      }
      sb = await startTestSandbox();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
