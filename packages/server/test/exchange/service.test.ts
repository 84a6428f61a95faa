import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { describe, expect, it } from 'vitest';
import { ExchangeService, type Journal } from '../../src/exchange/service.js';

const T = Date.UTC(2026, 0, 1);

/** A journal whose disk has failed: every append rejects. */
const brokenJournal: Journal = {
  append: () => Promise.reject(new Error('EIO: fdatasync failed')),
  close: () => Promise.resolve(),
};

describe('ExchangeService', () => {
  it('answers -1007 "execution status unknown" when an executed command cannot be made durable', async () => {
    const ok = new ExchangeService(DEFAULT_SYMBOLS);
    await ok.submit('deposit', { now: T, accountId: 1, asset: 'USDT', amount: '1000' });

    const svc = new ExchangeService(DEFAULT_SYMBOLS, brokenJournal);
    const placed = svc.submit('deposit', { now: T, accountId: 1, asset: 'USDT', amount: '1000' });
    await expect(placed).rejects.toMatchObject({
      code: -1007,
      msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
      httpStatus: 503,
    });
    // It did execute: the balance is there, exactly as with a working journal.
    expect(svc.engine.accountView(1)).toEqual(ok.engine.accountView(1));
  });

  it('keeps the engine refusal when a refused command cannot be journaled either', async () => {
    const svc = new ExchangeService(DEFAULT_SYMBOLS, brokenJournal);
    const refused = svc.submit('cancelOrder', { now: T, accountId: 1, symbol: 'BTCUSDT', orderId: 42 });
    await expect(refused).rejects.toMatchObject({ code: -2011 });
  });
});
