import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { describe, expect, it } from 'vitest';
import { EVENT_KIND, type EngineEvent } from '../../src/engine/index.js';
import { ExchangeService, type Journal } from '../../src/exchange/service.js';
import { UserEvents, type UserEvent } from '../../src/user-data/user-events.js';

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

  it('executes nothing once the journal has failed for good: 503 -1016, before the engine, nothing journaled', async () => {
    const appended: unknown[] = [];
    let failure: Error | null = null;
    const journal: Journal = {
      append: (c) => (appended.push(c), failure === null ? Promise.resolve() : Promise.reject(failure)),
      close: () => Promise.resolve(),
      get failure() {
        return failure;
      },
    };
    const svc = new ExchangeService(DEFAULT_SYMBOLS, journal);
    await svc.submit('deposit', { now: T, accountId: 1, asset: 'USDT', amount: '100000' });
    expect(svc.halted).toBe(false);
    failure = new Error('journal write failed, nothing more can be made durable: ENOSPC');
    expect(svc.halted).toBe(true);
    const before = svc.engine.accountView(1);
    const order = { now: T, accountId: 1, symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC' } as const;
    const refusal = { code: -1016, msg: 'This service is no longer available.', httpStatus: 503 };
    await expect(svc.submit('placeOrder', { ...order, quantity: '0.01', price: '30000' })).rejects.toMatchObject(
      refusal,
    );
    await expect(svc.submit('deposit', { now: T, accountId: 1, asset: 'BTC', amount: '1' })).rejects.toMatchObject(
      refusal,
    );
    const applied = svc.apply('cancelOrder', { now: T, accountId: 1, symbol: 'BTCUSDT', orderId: 1 });
    expect(applied).toMatchObject({ ok: false, error: refusal });
    await expect(applied.durable).rejects.toMatchObject(refusal);
    expect(appended).toHaveLength(1); // the first deposit only
    expect(svc.engine.accountView(1)).toEqual(before);
    expect(svc.engine.openOrders(1, 'BTCUSDT')).toEqual([]);
  });

  it('keeps the engine refusal when a refused command cannot be journaled either', async () => {
    const svc = new ExchangeService(DEFAULT_SYMBOLS, brokenJournal);
    const refused = svc.submit('cancelOrder', { now: T, accountId: 1, symbol: 'BTCUSDT', orderId: 42 });
    await expect(refused).rejects.toMatchObject({ code: -2011 });
  });

  it('calls a listener only for commands that produced one of its kinds, and decodes nothing for none', async () => {
    const svc = new ExchangeService(DEFAULT_SYMBOLS);
    for (const a of [1, 2]) await svc.submit('deposit', { now: T, accountId: a, asset: 'USDT', amount: '100000' });
    await svc.submit('deposit', { now: T, accountId: 2, asset: 'BTC', amount: '1' });
    const trades: EngineEvent[][] = [];
    const all: string[][] = [];
    svc.onEvents((events) => trades.push([...events]), EVENT_KIND.trade);
    svc.onEvents((events) => all.push(events.map((e) => e.type)));
    const order = { now: T, symbol: 'BTCUSDT', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01' } as const;
    await svc.submit('placeOrder', { ...order, accountId: 1, side: 'BUY', price: '30000' });
    expect(trades).toHaveLength(0);
    expect(all).toEqual([['execution', 'depth', 'account']]);
    await svc.submit('placeOrder', { ...order, accountId: 2, side: 'SELL', price: '30000' });
    expect(trades).toHaveLength(1);
    expect(trades[0]?.map((e) => e.type)).toContain('trade');
    expect(all).toHaveLength(2);
    // nobody reads executions: a place that only rests leaves its events undecoded
    const quiet = new ExchangeService(DEFAULT_SYMBOLS);
    await quiet.submit('deposit', { now: T, accountId: 1, asset: 'USDT', amount: '100000' });
    quiet.onEvents(() => undefined, EVENT_KIND.trade);
    const rendered = await quiet.submit(
      'placeOrder',
      { ...order, accountId: 1, side: 'BUY', price: '30000' },
      (r) => r,
    );
    expect((rendered as unknown as { batch: { decoded: unknown } }).batch.decoded).toBeNull();
  });

  it('resolves a command submitted without a renderer with a result still readable after later commands', async () => {
    const svc = new ExchangeService(DEFAULT_SYMBOLS);
    for (const a of [1, 2]) await svc.submit('deposit', { now: T, accountId: a, asset: 'USDT', amount: '100000' });
    await svc.submit('deposit', { now: T, accountId: 2, asset: 'BTC', amount: '1' });
    const order = { now: T, symbol: 'BTCUSDT', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01' } as const;
    await svc.submit('placeOrder', { ...order, accountId: 2, side: 'SELL', price: '30000' });
    const taken = svc.submit('placeOrder', { ...order, accountId: 1, side: 'BUY', price: '30000' });
    const later = svc.submit('placeOrder', { ...order, accountId: 1, side: 'BUY', price: '29000' });
    const [result] = await Promise.all([taken, later]);
    expect(result.fills.map((f) => [f.price, f.qty])).toEqual([[3_000_000_000_000, 1_000_000]]);
    expect(result.events.map((e) => e.type)).toContain('trade');
  });

  it('user data: listens to the exchange only while some account is subscribed', async () => {
    const svc = new ExchangeService(DEFAULT_SYMBOLS);
    const users = new UserEvents(svc);
    const got: UserEvent[] = [];
    await svc.submit('deposit', { now: T, accountId: 1, asset: 'USDT', amount: '100000' });
    const place = (price: string) =>
      svc.submit(
        'placeOrder',
        {
          now: T,
          accountId: 1,
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          price,
          quantity: '0.01',
        },
        (r) => r as unknown as { batch: { decoded: unknown } },
      );
    const off = users.subscribe(1, (e) => got.push(e));
    expect((await place('30000')).batch.decoded).not.toBeNull();
    expect(got.map((e) => e.kind)).toEqual(['executionReport', 'outboundAccountPosition']);
    off();
    expect((await place('30001')).batch.decoded).toBeNull();
    expect(got).toHaveLength(2);
    users.subscribe(1, (e) => got.push(e));
    await place('30002');
    expect(got).toHaveLength(4);
    users.close();
    expect((await place('30003')).batch.decoded).toBeNull();
    expect(got).toHaveLength(4);
  });
});
