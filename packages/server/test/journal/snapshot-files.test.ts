/**
 * Snapshot files end to end (in process): taken through the sandbox's Snapshotter, loaded on
 * restart with only the journal records after them replayed; a corrupt or partial newest snapshot
 * is skipped for the older one, or for a full replay.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { defaultConfig, type SandboxConfig } from '../../src/config.js';
import { ExchangeService } from '../../src/exchange/service.js';
import { JournaledAccountRegistry } from '../../src/journal/accounts.js';
import { JournaledClock } from '../../src/journal/clock.js';
import { FileJournal, JOURNAL_FILE, JournalCorruptError, listSegments } from '../../src/journal/file-journal.js';
import { recoverInto, type DurableState } from '../../src/journal/recovery.js';
import { randomBytes } from 'node:crypto';
import { crc32 } from '../../src/journal/crc32.js';
import {
  frameSnapshot,
  listSnapshots,
  readSnapshot,
  readSnapshotMeta,
  SNAPSHOT_MAGIC,
  snapshotFingerprint,
  type SnapshotMeta,
} from '../../src/journal/snapshot.js';
import { serialize } from 'node:v8';
import { MarketData } from '../../src/market/market-data.js';
import { queryKlines } from '../../src/market/klines.js';
import { createSandbox } from '../../src/sandbox.js';

const T0 = 1_767_225_600_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'bsbx-snap-'));
  dirs.push(d);
  return d;
}

type Sandbox = Awaited<ReturnType<typeof createSandbox>>;

async function trade(sb: Sandbox, from: number, n: number, accounts: readonly number[]): Promise<void> {
  const orders: Promise<unknown>[] = [];
  for (let i = from; i < from + n; i++) {
    orders.push(
      sb.ctx.exchange
        .submit('placeOrder', {
          now: T0 + i * 1000,
          accountId: accounts[i % accounts.length] as number,
          symbol: 'BTCUSDT',
          side: i % 2 ? 'BUY' : 'SELL',
          type: 'LIMIT',
          timeInForce: 'GTC',
          price: (30_000 + ((i * 7) % 13) - 6).toFixed(2),
          quantity: '0.01000',
        })
        .catch((e: unknown) => e),
    );
  }
  await Promise.all(orders);
}

/** What the API would answer, as JSON. */
function answers(exchange: ExchangeService, market: MarketData, accounts: readonly number[]): string {
  const e = exchange.engine;
  const m = market.market('BTCUSDT');
  return JSON.stringify(
    {
      accounts: accounts.map((a) => [
        e.accountView(a),
        e.openOrders(a),
        e.allOrders(a, 'BTCUSDT', { limit: 1000 }),
        e.myTrades(a, 'BTCUSDT', { limit: 1000 }),
      ]),
      book: e.book('BTCUSDT', 1000),
      trades: m.trades.recent(1000),
      aggTrades: m.aggTrades.query({ limit: 1000 }),
      klines: queryKlines(m.candles, { interval: '1m', tz: 0, limit: 1000, now: T0 + 1e7 }),
      ticker: market.tickerInput('BTCUSDT', T0, T0, T0 + 1e7, T0 + 1e7),
    },
    (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v),
  );
}

function durableState(): DurableState & { market: MarketData } {
  const exchange = new ExchangeService(defaultConfig().symbols);
  return {
    exchange,
    market: new MarketData(exchange),
    accounts: new JournaledAccountRegistry('other-seed'),
    clock: new JournaledClock(new ManualClock(T0)),
  };
}

/**
 * Builds a data dir: keys, a clock advance, trades, two snapshots with trades between and after.
 * Journal segments: journal.log until the first snapshot, one until the second, one after it; by
 * default the second snapshot deletes journal.log (the older snapshot covers it).
 */
async function dataDir(
  keepJournal = false,
): Promise<{ dir: string; expected: string; accounts: number[]; apiKey: string }> {
  const dir = tmp();
  const config: SandboxConfig = {
    ...defaultConfig(),
    port: 0,
    logLevel: 'silent',
    dataDir: dir,
    snapshotEvery: 0,
    keepJournal,
  };
  const sb = await createSandbox(config, { clock: new ManualClock(T0) });
  const alice = sb.ctx.accounts.create({ balances: { USDT: '100000', BTC: '10' } });
  const bob = sb.ctx.accounts.create({ keyType: 'ED25519' });
  const accounts = [alice.accountId, bob.accountId];
  for (const id of accounts)
    for (const [asset, amount] of [
      ['USDT', '100000'],
      ['BTC', '10'],
    ] as const)
      await sb.ctx.exchange.submit('deposit', { now: T0, accountId: id, asset, amount });
  sb.ctx.clock.advance(90_000);
  await trade(sb, 0, 150, accounts);
  expect((await sb.snapshotter!.snapshot())?.records).toBeGreaterThan(150);
  await trade(sb, 150, 100, accounts);
  sb.ctx.accounts.setTradePermission(alice.apiKey, false);
  expect(await sb.snapshotter!.snapshot()).not.toBeNull();
  await trade(sb, 250, 60, accounts); // after the newest snapshot: only in the journal
  const expected = answers(sb.ctx.exchange, sb.ctx.market, accounts);
  await sb.ctx.exchange.close(); // as a crash would: no snapshot at exit
  await sb.ctx.limits.close();
  expect(listSnapshots(dir)).toHaveLength(2);
  expect(listSegments(dir).map((s) => s.name)).toEqual([
    ...(keepJournal ? [JOURNAL_FILE] : []),
    // engine records: the simulator accounts' markTransient, 4 deposits, 150 orders; then 100
    'journal-000000000155-000000000003.log',
    'journal-000000000255-000000000004.log',
  ]);
  return { dir, expected, accounts, apiKey: alice.apiKey };
}

function restart(dir: string) {
  const state = durableState();
  const warnings: string[] = [];
  const journal = new FileJournal(dir);
  const info = recoverInto(journal, state, {
    dir,
    fingerprint: snapshotFingerprint(defaultConfig().symbols),
    warn: (path, why) => warnings.push(`${path}: ${why}`),
  });
  return { state, info, warnings, journal };
}

describe('snapshot files', () => {
  it('restart loads the newest snapshot and replays only the records after it, to the same answers', async () => {
    const { dir, expected, accounts, apiKey } = await dataDir();
    const { state, info, warnings, journal } = restart(dir);
    try {
      expect(warnings).toEqual([]);
      expect(info.snapshot?.path).toBe(join(dir, listSnapshots(dir)[0]!.name));
      expect(info.replayed).toBe(60);
      expect(answers(state.exchange, state.market, accounts)).toBe(expected);
      expect(state.accounts.byApiKey(apiKey)?.permissions.trade).toBe(false);
      expect(state.clock.now()).toBe(T0 + 90_000);
    } finally {
      await journal.close();
    }
  });

  it('a corrupt newest snapshot is skipped for the older one, whose records the compacted journal still holds', async () => {
    const { dir, expected, accounts } = await dataDir();
    const [newest, older] = listSnapshots(dir).map((s) => join(dir, s.name));
    corrupt(newest!);
    const r = restart(dir);
    expect(r.warnings).toEqual([`${newest}: body CRC mismatch`]);
    expect(r.info.snapshot?.path).toBe(older);
    expect(r.info.segments).toBe(2);
    expect(r.info.replayed).toBe(100 + 1 + 60);
    expect(answers(r.state.exchange, r.state.market, accounts)).toBe(expected);
    await r.journal.close();
  });

  it('with the whole journal kept: both snapshots bad, or taken with another configuration, means a full replay', async () => {
    const { dir, expected, accounts } = await dataDir(true);
    const [newest, older] = listSnapshots(dir).map((s) => join(dir, s.name));
    corrupt(newest!);
    truncateSync(older!, 1000); // a partial file
    const r = restart(dir);
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[1]).toMatch(/body is \d+ bytes, expected/);
    expect(r.info.snapshot).toBeNull();
    expect(r.info.segments).toBe(3);
    expect(r.info.replayed).toBe(r.info.records);
    expect(answers(r.state.exchange, r.state.market, accounts)).toBe(expected);
    await r.journal.close();

    const { dir: dir2 } = await dataDir(true);
    const state = durableState();
    const warnings: string[] = [];
    const journal = new FileJournal(dir2);
    const info = recoverInto(journal, state, {
      dir: dir2,
      fingerprint: 'other',
      warn: (_p, why) => warnings.push(why),
    });
    expect(info.snapshot).toBeNull();
    expect(warnings[0]).toMatch(/another configuration/);
    expect(answers(state.exchange, state.market, accounts)).toBe(expected);
    await journal.close();
  });

  it('a snapshot in the previous format (version 1: the whole state through v8.serialize) still loads', async () => {
    const { dir, expected, accounts } = await dataDir();
    const newest = join(dir, listSnapshots(dir)[0]!.name);
    const { data, meta } = readSnapshot(newest, snapshotFingerprint(defaultConfig().symbols));
    const body = serialize(data);
    const header = Buffer.from(
      JSON.stringify({ ...meta, version: 1, bodyBytes: body.length, bodyCrc: crc32(body) } satisfies SnapshotMeta),
    );
    const prefix = Buffer.alloc(16);
    SNAPSHOT_MAGIC.copy(prefix);
    prefix.writeUInt32LE(header.length, 8);
    prefix.writeUInt32LE(crc32(header), 12);
    writeFileSync(newest, Buffer.concat([prefix, header, body]));
    expect(readSnapshotMeta(newest).version).toBe(1);
    const r = restart(dir);
    expect(r.warnings).toEqual([]);
    expect(r.info.snapshot?.path).toBe(newest);
    expect(answers(r.state.exchange, r.state.market, accounts)).toBe(expected);
    await r.journal.close();
  });

  it('compacted journal: without a usable snapshot the state cannot be rebuilt, and recovery says so', async () => {
    const { dir } = await dataDir();
    for (const s of listSnapshots(dir)) corrupt(join(dir, s.name));
    expect(() => restart(dir)).toThrow(JournalCorruptError);
    expect(() => restart(dir)).toThrow(
      /starts after 155 engine and 3 registry\/clock records .* no usable snapshot is left/,
    );
    const journal = new FileJournal(dir);
    expect(() => recoverInto(journal, durableState(), { dir, fingerprint: 'other', warn: () => undefined })).toThrow(
      /no usable snapshot is left/,
    );
  });
});

describe('snapshot framing', () => {
  it('the body CRC, computed in slices with the event loop running between them, is the whole body CRC', async () => {
    const body = randomBytes(20 << 20); // three slices
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const [prefix, header, framed] = await frameSnapshot(body, { engineRecords: 7, adminRecords: 2 }, 'fp');
    clearInterval(ticker);
    const meta = JSON.parse(header!.toString('utf8')) as SnapshotMeta;
    expect(meta).toMatchObject({ engineRecords: 7, adminRecords: 2, fingerprint: 'fp', bodyBytes: body.length });
    expect(meta.bodyCrc).toBe(crc32(body));
    expect(framed).toBe(body);
    expect(prefix!.readUInt32LE(8)).toBe(header!.length);
    expect((prefix!.length + header!.length) % 8).toBe(0); // the body's sections can be read in place
    expect(turns).toBeGreaterThan(0);
  });
});

/** Flips bits in a snapshot's body. */
function corrupt(path: string): void {
  const bytes = readFileSync(path);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 100) ^ 0xff, bytes.length - 100);
  writeFileSync(path, bytes);
}
