/**
 * The simulator's accounts are transient (engine: markTransient): a fresh sandbox journals that as
 * its first command, so its orders reuse their orderIds and leave no history rows — across restarts
 * (journal replay, snapshot) — while a data dir written before this existed replays as it was.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { defaultConfig, type SandboxConfig } from '../../src/config.js';
import { FileJournal } from '../../src/journal/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox.js';
import { SIM_MAKER_ACCOUNT_ID, SIM_TAKER_ACCOUNT_ID } from '../../src/simulator/index.js';
import { T0 } from '../helpers/sandbox.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC'];

function config(over: Partial<SandboxConfig> = {}): SandboxConfig {
  return { ...defaultConfig(), host: '127.0.0.1', port: 0, logLevel: 'silent', seed: 'sim-memory', ...over };
}

let open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

async function start(cfg: SandboxConfig, clock: ManualClock): Promise<Sandbox> {
  const sb = await startSandbox(cfg, { clock, manualSimulator: true });
  open.push(sb);
  return sb;
}

async function ticks(sb: Sandbox, clock: ManualClock, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    clock.advance(1000);
    await sb.simulator!.tick();
  }
}

/** What the engine shows of the simulator's accounts and the books. */
function state(sb: Sandbox): string {
  const e = sb.ctx.exchange.engine;
  return JSON.stringify(
    SYMBOLS.map((symbol) => ({
      book: e.book(symbol, 20),
      maker: e.openOrders(SIM_MAKER_ACCOUNT_ID, symbol).map((o) => [o.spec.orderId, o.spec.price, o.executedQty]),
      balances: [SIM_MAKER_ACCOUNT_ID, SIM_TAKER_ACCOUNT_ID].map((id) => e.accountView(id).balances),
    })),
    (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v),
  );
}

/** A user's order on BTCUSDT: its orderId shows how many rows the symbol's orders took. */
async function userOrderId(sb: Sandbox, clock: ManualClock): Promise<number> {
  const { accountId } = sb.ctx.accounts.create({});
  await sb.ctx.exchange.submit('deposit', { now: clock.now(), accountId, asset: 'USDT', amount: '1000' });
  const r = await sb.ctx.exchange.submit('placeOrder', {
    now: clock.now(),
    accountId,
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    price: '50000.00',
    quantity: '0.00100',
  });
  return r.order.spec.orderId;
}

describe('the simulator keeps no order rows', () => {
  it('its orders reuse their orderIds: hundreds of ticks of trading take a few dozen rows', async () => {
    const clock = new ManualClock(T0);
    const sb = await start(config(), clock);
    await ticks(sb, clock, 400);
    const trades = sb.ctx.exchange.engine.myTrades(SIM_TAKER_ACCOUNT_ID, 'BTCUSDT');
    expect(trades).toEqual([]); // no history of its own
    const submitted = (sb.simulator as unknown as { submitted: number }).submitted;
    expect(submitted).toBeGreaterThan(2000);
    const e = sb.ctx.exchange.engine;
    expect(e.tradeCount('BTCUSDT')).toBeGreaterThan(100);
    expect(e.trades('BTCUSDT')).toEqual([]); // trades with itself: no archive rows
    expect(e.exportState().counters.cidSeq).toBe(0); // its client ids took no number of users' sequence
    expect(await userOrderId(sb, clock)).toBeLessThan(100);
  });

  it('a restart — journal replay, or snapshot — rebuilds the same state and keeps reusing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-memory-'));
    const clock = new ManualClock(T0);
    const cfg = config({ dataDir: dir, snapshotEvery: 0 });
    const a = await start(cfg, clock);
    await ticks(a, clock, 150);
    const expected = state(a);
    // as a crash would: no snapshot at exit, the journal is all there is
    await a.simulator!.stop();
    await a.app.close();
    await a.ctx.exchange.close();
    await a.ctx.limits.close();
    open = open.filter((s) => s !== a);
    // (restarted without the simulator first: it would tick at start)
    const quiet = { ...cfg, simulator: { ...cfg.simulator, enabled: false } };
    const b = await start(quiet, clock);
    expect(state(b)).toBe(expected);
    await b.close(); // a clean close: a last snapshot, loaded next
    open = open.filter((s) => s !== b);
    const c = await start(quiet, clock);
    expect(state(c)).toBe(expected);
    await c.close();
    open = open.filter((s) => s !== c);
    const d = await start(cfg, clock);
    await ticks(d, clock, 150);
    expect(d.ctx.exchange.engine.exportState().counters.cidSeq).toBe(0);
    expect(await userOrderId(d, clock)).toBeLessThan(100);
  });

  it('a data dir written before: its simulator orders replay with the orderIds they had, as history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-memory-old-'));
    const old = new FileJournal(dir);
    old.recover(() => undefined);
    const sim = SIM_MAKER_ACCOUNT_ID;
    const order = (i: number) => ({
      kind: 'placeOrder' as const,
      cmd: {
        now: T0 + i,
        accountId: sim,
        symbol: 'BTCUSDT',
        side: 'SELL' as const,
        type: 'LIMIT' as const,
        timeInForce: 'GTC' as const,
        price: '95000.00',
        quantity: '0.01000',
      },
    });
    await old.append({ kind: 'deposit', cmd: { now: T0, accountId: sim, asset: 'BTC', amount: '1' } });
    await old.append(order(1));
    await old.append({ kind: 'cancelOrder', cmd: { now: T0 + 2, accountId: sim, symbol: 'BTCUSDT', orderId: 1 } });
    await old.append(order(3));
    await old.close();
    const clock = new ManualClock(T0 + 10);
    const sb = await start(
      config({ dataDir: dir, simulator: { ...defaultConfig().simulator, enabled: false } }),
      clock,
    );
    const e = sb.ctx.exchange.engine;
    expect(e.allOrders(sim, 'BTCUSDT').map((o) => [o.spec.orderId, o.status])).toEqual([
      [1, 'CANCELED'],
      [2, 'NEW'],
    ]);
    const next = await sb.ctx.exchange.submit('placeOrder', { ...order(11).cmd, now: T0 + 11 });
    expect(next.order.spec.orderId).toBe(3);
  });
});
