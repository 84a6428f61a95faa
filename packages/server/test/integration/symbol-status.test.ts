/**
 * A symbol's trading status changed at run time through the admin API: new orders refused with
 * "Market is closed." while not TRADING, cancels still served, exchangeInfo and the symbolStatus
 * filters follow, SOR leaves the book out, and the status survives a restart.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { closeAgents } from '../helpers/http.js';
import { limitParams, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
afterEach(async () => {
  await sb?.close();
});
afterAll(closeAgents);

type Json = Record<string, unknown>;
const setStatus = (symbol: string, status: string) =>
  sb.admin('POST', '/sandbox/v1/symbols/status', { symbol, status });
const statusOf = async (symbol: string) =>
  (await sb.call(`/api/v3/exchangeInfo?symbol=${symbol}`)).json<{ symbols: { status: string }[] }>().symbols[0]?.status;

describe('symbol status at run time', () => {
  it('HALT refuses new orders, serves cancels, shows in exchangeInfo and the symbolStatus filters; TRADING again trades', async () => {
    sb = await startTestSandbox();
    const a = await sb.createAccount({ USDT: '100000', BTC: '1' });
    const rest = await sb.signed(a, 'POST', '/order', limitParams('BUY', '0.1', '29000'));
    expect(rest.status, rest.text).toBe(200);
    const set = await setStatus('BTCUSDT', 'HALT');
    expect([set.status, set.json()]).toEqual([200, { symbol: 'BTCUSDT', status: 'HALT' }]);
    expect(await statusOf('BTCUSDT')).toBe('HALT');
    const halted = (await sb.call('/api/v3/exchangeInfo?symbolStatus=HALT')).json<{ symbols: { symbol: string }[] }>();
    expect(halted.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT']);
    const ticker = await sb.call('/api/v3/ticker/price?symbol=BTCUSDT&symbolStatus=TRADING');
    expect([ticker.status, ticker.json()]).toEqual([
      400,
      { code: -1220, msg: "The symbol's status does not match the requested symbolStatus." },
    ]);
    const refused = await sb.signed(a, 'POST', '/order', limitParams('BUY', '0.1', '29000'));
    expect([refused.status, refused.json()]).toEqual([400, { code: -1013, msg: 'Market is closed.' }]);
    const cancel = await sb.signed(a, 'DELETE', '/order', {
      symbol: 'BTCUSDT',
      orderId: rest.json<Json>().orderId as number,
    });
    expect([cancel.status, cancel.json<Json>().status]).toEqual([200, 'CANCELED']);
    // other symbols trade on
    expect(
      (await sb.signed(a, 'POST', '/order', { ...limitParams('BUY', '0.01', '3000'), symbol: 'ETHUSDT' })).status,
    ).toBe(200);
    await setStatus('BTCUSDT', 'TRADING');
    expect((await sb.signed(a, 'POST', '/order', limitParams('BUY', '0.1', '29000'))).status).toBe(200);
    expect(await statusOf('BTCUSDT')).toBe('TRADING');
  });

  it('answers 400 for an unknown symbol or status', async () => {
    sb = await startTestSandbox();
    expect((await setStatus('NOPE', 'HALT')).json()).toEqual({
      error: expect.stringMatching(/^symbol must be one of/),
    });
    const bad = await setStatus('BTCUSDT', 'CLOSED');
    expect([bad.status, bad.json()]).toEqual([
      400,
      { error: 'status must be one of TRADING, END_OF_DAY, HALT, BREAK, CANCEL_ONLY' },
    ]);
  });

  it('SOR leaves a book that is not trading out', async () => {
    const btc = DEFAULT_SYMBOLS[0]!;
    sb = await startTestSandbox({
      symbols: [...DEFAULT_SYMBOLS, { ...btc, symbol: 'BTCUSDC', quoteAsset: 'USDC' }],
      sors: [{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] }],
    });
    const maker = await sb.createAccount({ BTC: '1' });
    await sb.signed(maker, 'POST', '/order', { ...limitParams('SELL', '0.1', '30000'), symbol: 'BTCUSDC' });
    await sb.signed(maker, 'POST', '/order', limitParams('SELL', '0.1', '30050'));
    await setStatus('BTCUSDC', 'CANCEL_ONLY');
    const taker = await sb.createAccount({ USDT: '100000' });
    const res = await sb.signed(taker, 'POST', '/sor/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'IOC',
      quantity: '0.2',
      price: '30100',
    });
    expect(res.json<{ fills: { price: string }[] }>().fills.map((f) => f.price)).toEqual(['30050.00000000']);
  });

  it('keeps the status across a restart (shutdown snapshot, and the journal alone)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'status-'));
    try {
      const dataDir = join(dir, 'data');
      const crashDir = join(dir, 'crash');
      sb = await startTestSandbox({ dataDir });
      await setStatus('ETHBTC', 'BREAK');
      cpSync(dataDir, crashDir, { recursive: true });
      await sb.close();
      for (const d of [dataDir, crashDir]) {
        sb = await startTestSandbox({ dataDir: d });
        expect(await statusOf('ETHBTC'), d).toBe('BREAK');
        await sb.close();
      }
      sb = await startTestSandbox();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
