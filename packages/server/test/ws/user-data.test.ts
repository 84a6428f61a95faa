import { describe, expect, it } from 'vitest';
import { ListenKeyStore, LISTEN_KEY_VALIDITY_MS } from '../../src/user-data/listen-keys.js';
import { cachedRender, userPayload } from '../../src/user-data/user-events.js';
import { parseStreamName } from '../../src/ws/streams/index.js';

describe('ListenKeyStore', () => {
  it('one key per account, extended by POST and PUT, expired by sweep at exactly 60 minutes', () => {
    const s = new ListenKeyStore();
    const expired: string[] = [];
    s.onExpire((k) => expired.push(k.key));
    const k = s.start(1, 0);
    expect(k.key).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(s.start(1, 1000).key).toBe(k.key);
    expect(k.expiresAt).toBe(1000 + LISTEN_KEY_VALIDITY_MS);
    expect(s.keepAlive(k.key, 2, 1000)).toBe(false); // another account
    expect(s.keepAlive(k.key, 1, 5000)).toBe(true);
    s.sweep(5000 + LISTEN_KEY_VALIDITY_MS - 1);
    expect(expired).toEqual([]);
    s.sweep(5000 + LISTEN_KEY_VALIDITY_MS);
    expect(expired).toEqual([k.key]);
    expect(s.get(k.key, 0)).toBeUndefined();
    expect(s.size).toBe(0);
  });

  it('stop invalidates without an expiry event', () => {
    const s = new ListenKeyStore();
    let fired = 0;
    s.onExpire(() => fired++);
    const k = s.start(7, 0);
    expect(s.stop(k.key, 7, 1)).toBe(true);
    expect(s.stop(k.key, 7, 1)).toBe(false);
    s.sweep(10 * LISTEN_KEY_VALIDITY_MS);
    expect(fired).toBe(0);
  });
});

describe('user event rendering', () => {
  it('balanceUpdate and listStatus payloads; µs scales only the time fields', () => {
    const bu = userPayload({ type: 'balanceUpdate', accountId: 3, asset: 'BTC', delta: -150000000n, time: 1000 });
    expect(bu?.payload).toEqual({ e: 'balanceUpdate', E: 1000, a: 'BTC', d: '-1.50000000', T: 1000 });
    const ls = userPayload({
      type: 'listStatus',
      accountId: 3,
      symbol: 'BTCUSDT',
      orderListId: 4,
      contingencyType: 'OCO',
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
      listRejectReason: 'NONE',
      listClientOrderId: 'L1',
      transactionTime: 2000,
      orders: [{ symbol: 'BTCUSDT', orderId: 9, clientOrderId: 'a' }],
    });
    const r = cachedRender(ls!.payload);
    expect(JSON.parse(r(1))).toEqual({
      e: 'listStatus',
      E: 2000,
      s: 'BTCUSDT',
      g: 4,
      c: 'OCO',
      l: 'EXEC_STARTED',
      L: 'EXECUTING',
      r: 'NONE',
      C: 'L1',
      T: 2000,
      O: [{ s: 'BTCUSDT', i: 9, c: 'a' }],
    });
    expect(JSON.parse(r(1000))).toMatchObject({ E: 2_000_000, T: 2_000_000, g: 4 });
    expect(r(1)).toBe(r(1)); // cached
    // a trailing stop's D: its activation time, or -1 (not activated) whatever the unit
    const report = (D: number) => JSON.parse(cachedRender({ e: 'executionReport', E: 7, T: 7, O: 5, d: 50, D })(1000));
    expect(report(6)).toMatchObject({ E: 7000, T: 7000, O: 5000, d: 50, D: 6000 });
    expect(report(-1)).toMatchObject({ D: -1 });
  });

  it('stream names: listenKeys are 64 alphanumerics; kline intervals and the +08:00 variant; tickers', () => {
    expect(parseStreamName('a'.repeat(64))?.module.id).toBe('userData');
    expect(parseStreamName('a'.repeat(63))).toBeNull();
    expect(parseStreamName('btcusdt@kline_1M@+08:00')?.params).toEqual({ interval: '1M', tz: 8 * 3_600_000 });
    expect(parseStreamName('btcusdt@kline_2d')).toBeNull();
    expect(parseStreamName('btcusdt@kline_1m@+09:00')).toBeNull();
    expect(parseStreamName('btcusdt@ticker_4h')?.module.id).toBe('ticker');
    expect(parseStreamName('btcusdt@ticker_2h')).toBeNull();
    expect(parseStreamName('!ticker_1d@arr')?.module.id).toBe('tickerArr');
    expect(parseStreamName('!ticker@arr')?.module.id).toBe('tickerArr');
    expect(parseStreamName('!bookTicker')).toBeNull();
    expect(parseStreamName('btcusdt@avgPrice')?.module.id).toBe('avgPrice');
    expect(parseStreamName('btcusdt@referencePrice')?.module.id).toBe('referencePrice');
    expect(parseStreamName('btcusdt@blockTrade')?.module.id).toBe('blockTrade');
  });
});
