import { generateKeyPairSync, pbkdf2 } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { defaultConfig, type SandboxConfig } from '../../src/config.js';
import type { ExchangeCommand } from '../../src/exchange/commands.js';
import { ExchangeService } from '../../src/exchange/service.js';
import {
  FileJournal,
  JOURNAL_FILE,
  JournalCorruptError,
  JournaledAccountRegistry,
  JournaledClock,
  MAGIC,
  encodeFrame,
  recoverInto,
  type JournalRecord,
} from '../../src/journal/index.js';
import { createSandbox } from '../../src/sandbox.js';
import { mulberry32 } from '../engine/helpers.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'bsbx-journal-'));
  dirs.push(d);
  return d;
}
const open: FileJournal[] = [];
afterEach(async () => {
  for (const j of open.splice(0)) await j.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function openJournal(
  dir: string,
  opts = {},
): { journal: FileJournal; records: JournalRecord[]; info: ReturnType<FileJournal['recover']> } {
  const journal = new FileJournal(dir, opts);
  const records: JournalRecord[] = [];
  const info = journal.recover((r) => records.push(r));
  open.push(journal);
  return { journal, records, info };
}

const deposit = (i: number): ExchangeCommand => ({
  kind: 'deposit',
  cmd: { now: 1_767_225_600_000 + i, accountId: 1 + (i % 7), asset: 'USDT', amount: `${i}.5` },
});

describe('FileJournal', () => {
  it('creates the journal with its header, appends durably, and replays in order after reopening', async () => {
    const dir = tmp();
    const a = openJournal(dir);
    expect(a.info).toMatchObject({ records: 0, created: true, truncatedBytes: 0 });
    expect(readFileSync(join(dir, JOURNAL_FILE))).toEqual(MAGIC);
    const recs = Array.from({ length: 100 }, (_, i) => deposit(i));
    await Promise.all(recs.map((r) => a.journal.append(r)));
    await a.journal.close();
    const b = openJournal(dir);
    expect(b.info).toMatchObject({ records: 100, created: false, truncatedBytes: 0 });
    expect(b.records).toEqual(recs);
  });

  it('group commit on a real file: 2000 concurrent appends take a handful of fdatasyncs', async () => {
    const { journal } = openJournal(tmp());
    await Promise.all(Array.from({ length: 2000 }, (_, i) => journal.append(deposit(i))));
    expect(journal.stats.appends).toBe(2000);
    expect(journal.stats.batches).toBeLessThanOrEqual(3);
    expect(journal.stats.batches).toBeGreaterThanOrEqual(1);
  });

  it('cuts off a torn tail on recovery, and keeps appending after it', async () => {
    const dir = tmp();
    const a = openJournal(dir);
    for (let i = 0; i < 5; i++) await a.journal.append(deposit(i));
    await a.journal.close();
    const path = join(dir, JOURNAL_FILE);
    const good = statSync(path).size;
    const torn = encodeFrame(deposit(5)).subarray(0, 20);
    appendFileSync(path, torn);
    const b = openJournal(dir);
    expect(b.info).toMatchObject({ records: 5, truncatedBytes: 20, problem: 'short payload' });
    expect(statSync(path).size).toBe(good);
    await b.journal.append(deposit(6));
    await b.journal.close();
    const c = openJournal(dir);
    expect(c.records).toEqual([0, 1, 2, 3, 4, 6].map(deposit));
  });

  it('refuses to start when damage is followed by more than a batch of data (not a torn tail)', async () => {
    const dir = tmp();
    const a = openJournal(dir, { maxBatchBytes: 1024 });
    await Promise.all(Array.from({ length: 200 }, (_, i) => a.journal.append(deposit(i))));
    await a.journal.close();
    const path = join(dir, JOURNAL_FILE);
    const bytes = readFileSync(path);
    bytes[MAGIC.length + 20] = bytes[MAGIC.length + 20]! ^ 1; // inside the first record
    writeFileSync(path, bytes);
    const j = new FileJournal(dir, { maxBatchBytes: 1024 });
    appendFileSync(path, Buffer.alloc(j.maxTornBytes, 0x41));
    expect(() => j.recover(() => undefined)).toThrow(JournalCorruptError);
    expect(() => j.recover(() => undefined)).toThrow(/truncate -s 8 /);
    expect(existsSync(join(dir, 'LOCK'))).toBe(false); // released after the failed open
    expect(statSync(path).size).toBe(bytes.length + j.maxTornBytes); // nothing cut
  });

  it('refuses a file that is not a journal, and a record it cannot replay', () => {
    const dir = tmp();
    writeFileSync(join(dir, JOURNAL_FILE), 'hello world, not a journal');
    expect(() => new FileJournal(dir).recover(() => undefined)).toThrow(/not a binance-sandbox journal/);
    writeFileSync(join(dir, JOURNAL_FILE), Buffer.concat([MAGIC, encodeFrame({ kind: 'mystery' })]));
    expect(() =>
      new FileJournal(dir).recover(() => {
        throw new Error('unknown kind');
      }),
    ).toThrow(/record #1 \(mystery\) cannot be replayed: unknown kind/);
  });

  it('a torn header (crash while creating the file) is recreated', () => {
    const dir = tmp();
    writeFileSync(join(dir, JOURNAL_FILE), MAGIC.subarray(0, 3));
    expect(openJournal(dir).info).toMatchObject({ created: true, records: 0 });
  });

  it('one data dir, one sandbox: a second open is refused while the first holds it', async () => {
    const dir = tmp();
    const a = openJournal(dir);
    expect(() => new FileJournal(dir).recover(() => undefined)).toThrow(/already in use/);
    await a.journal.close();
    writeFileSync(join(dir, 'LOCK'), '999999999\n'); // a dead process's lock (e.g. after SIGKILL)
    expect(() => openJournal(dir)).not.toThrow();
  });

  it('after close, appends are refused', async () => {
    const { journal } = openJournal(tmp());
    await journal.close();
    await expect(journal.append(deposit(0))).rejects.toThrow(/closed/);
  });
});

const clockRecord = (ms: number): JournalRecord => ({ kind: 'clock.advance', ms });

/** The data dir as a crash would leave it: its files as they are now, the journal still open. */
function crashCopy(dir: string): string {
  const copy = tmp();
  cpSync(dir, copy, { recursive: true });
  return copy;
}

const framesLength = (records: readonly JournalRecord[]) =>
  MAGIC.length + records.reduce((n, r) => n + encodeFrame(r).length, 0);

function writeAt(path: string, bytes: Buffer, at: number): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, at);
  closeSync(fd);
}

describe('FileJournal pre-zeroed space', () => {
  it('frames go into space zero-filled ahead of them; after a crash the zeros read as the end', async () => {
    const dir = tmp();
    const a = openJournal(dir);
    const recs = Array.from({ length: 50 }, (_, i) => deposit(i));
    for (const r of recs) await a.journal.append(r);
    const frames = framesLength(recs);
    const crashed = crashCopy(dir);
    const path = join(crashed, JOURNAL_FILE);
    expect(statSync(path).size).toBeGreaterThan(frames);
    expect(
      readFileSync(path)
        .subarray(frames)
        .every((b) => b === 0),
    ).toBe(true);
    const b = openJournal(crashed);
    expect(b.info).toMatchObject({ records: 50, truncatedBytes: 0 });
    expect(b.records).toEqual(recs);
    await b.journal.append(deposit(50));
    await b.journal.close();
    expect(statSync(path).size).toBe(frames + encodeFrame(deposit(50)).length); // close trims the zeros
    expect(openJournal(crashed).records).toEqual([...recs, deposit(50)]);
  });

  it('a torn write inside the zeros is cut off; non-zero bytes further than one batch are refused', async () => {
    const dir = tmp();
    const a = openJournal(dir, { maxBatchBytes: 1024 });
    const recs = Array.from({ length: 5 }, (_, i) => deposit(i));
    for (const r of recs) await a.journal.append(r);
    const frames = framesLength(recs);
    const torn = crashCopy(dir);
    writeAt(join(torn, JOURNAL_FILE), encodeFrame(deposit(5)).subarray(0, 30), frames);
    const b = openJournal(torn, { maxBatchBytes: 1024 });
    expect(b.info.truncatedBytes).toBeGreaterThan(30); // the zeros after it go too
    expect(b.info).toMatchObject({ records: 5, problem: 'bad crc' });
    expect(statSync(join(torn, JOURNAL_FILE)).size).toBe(frames);
    const far = crashCopy(dir);
    const j = new FileJournal(far, { maxBatchBytes: 1024 });
    writeAt(join(far, JOURNAL_FILE), Buffer.from('A'), frames + j.maxTornBytes + 1);
    expect(() => j.recover(() => undefined)).toThrow(new RegExp(`truncate -s ${frames} `));
  });

  it('zeros after the last frame of an earlier segment (a crash during rotation) are its end', async () => {
    const dir = tmp();
    const a = openJournal(dir);
    const recs = Array.from({ length: 3 }, (_, i) => deposit(i));
    for (const r of recs) await a.journal.append(r);
    const crashed = crashCopy(dir);
    writeFileSync(
      join(crashed, 'journal-000000000003-000000000000.log'),
      Buffer.concat([MAGIC, encodeFrame(deposit(3))]),
    );
    const b = openJournal(crashed);
    expect(b.info).toMatchObject({ records: 4, segments: 2, truncatedBytes: 0 });
    expect(b.records).toEqual([...recs, deposit(3)]);
  });

  it('crash copies taken at random moments recover every acknowledged record, in order, and nothing else out of order', async () => {
    const rnd = mulberry32(5);
    const dir = tmp();
    const a = openJournal(dir, { maxBatchBytes: 600 }); // rounds of a few records: many rounds, many extensions
    const engine: JournalRecord[] = []; // appended, in order
    const admin: JournalRecord[] = [];
    let ackedEngine = 0; // the first n of `engine` are acknowledged (rounds resolve in order)
    const inFlight: Promise<void>[] = [];
    let checked = 0;
    for (let step = 0; step < 400; step++) {
      const r = rnd();
      if (r < 0.55) {
        const rec = deposit(engine.length);
        const n = engine.push(rec);
        inFlight.push(a.journal.append(rec).then(() => void (ackedEngine = Math.max(ackedEngine, n))));
      } else if (r < 0.65) {
        const rec = clockRecord(admin.length + 1);
        a.journal.appendSync(rec);
        admin.push(rec);
      } else if (r < 0.7) a.journal.rotate();
      else if (r < 0.85) await new Promise((ok) => setImmediate(ok));
      else {
        const copy = crashCopy(dir);
        const acked = ackedEngine;
        const got = openJournal(copy).records;
        const gotEngine = got.filter((x) => x.kind !== 'clock.advance');
        const gotAdmin = got.filter((x) => x.kind === 'clock.advance');
        expect(gotEngine.length).toBeGreaterThanOrEqual(acked);
        expect(gotEngine).toEqual(engine.slice(0, gotEngine.length));
        expect(gotAdmin).toEqual(admin);
        checked++;
      }
    }
    await Promise.all(inFlight);
    expect(checked).toBeGreaterThan(30);
  });

  it('a synchronous record written while a batch write is in flight lands after that batch, which is on disk with it', async () => {
    const dir = tmp();
    const a = openJournal(dir);
    await a.journal.append(deposit(0));
    // keep the thread pool busy so that the batch's own write cannot have run yet
    const busy = Array.from({ length: 8 }, () => new Promise((ok) => pbkdf2('x', 'y', 200_000, 32, 'sha256', ok)));
    const batch = a.journal.append(deposit(1));
    await new Promise((ok) => setImmediate(ok)); // the round has started: its write is queued
    a.journal.appendSync(clockRecord(5));
    const crashed = crashCopy(dir);
    expect(openJournal(crashed).records).toEqual([deposit(0), deposit(1), clockRecord(5)]);
    await Promise.all([batch, ...busy]);
  });
});

describe('FileJournal segments', () => {
  it('rotation starts a segment named after the records before it; recovery reads them all, in order', async () => {
    const dir = tmp();
    const a = openJournal(dir);
    const written: JournalRecord[] = [];
    const add = (r: JournalRecord) => {
      written.push(r);
      return a.journal.append(r);
    };
    for (let i = 0; i < 3; i++) await add(deposit(i));
    a.journal.appendSync(clockRecord(1000));
    written.push(clockRecord(1000));
    a.journal.rotate(); // idle: at once
    await add(deposit(3));
    // requested while a batch is queued: it takes effect before that batch is written
    const queued = [add(deposit(4)), add(deposit(5))];
    a.journal.rotate();
    expect(a.journal.segmentNames).toHaveLength(2);
    await Promise.all(queued);
    a.journal.rotate();
    a.journal.rotate(); // the active segment is empty: nothing happens
    expect(a.journal.segmentNames).toEqual([
      JOURNAL_FILE,
      'journal-000000000003-000000000001.log',
      'journal-000000000004-000000000001.log',
      'journal-000000000006-000000000001.log',
    ]);
    await a.journal.close();
    const b = openJournal(dir);
    expect(b.info).toMatchObject({ records: 7, segments: 4, truncatedBytes: 0 });
    expect(b.info.path).toBe(join(dir, 'journal-000000000006-000000000001.log'));
    expect(b.records).toEqual(written);
    await b.journal.append(deposit(6)); // appends continue in the last segment
    expect(b.journal.segmentNames).toHaveLength(4);
    expect(readFileSync(join(dir, 'journal-000000000004-000000000001.log')).length).toBe(
      MAGIC.length + encodeFrame(deposit(4)).length + encodeFrame(deposit(5)).length,
    );
  });

  it('compaction deletes the oldest segments only while the covered records include all of theirs', async () => {
    const dir = tmp();
    const a = openJournal(dir);
    for (let i = 0; i < 10; i++) {
      await a.journal.append(deposit(i));
      if (i % 3 === 2) a.journal.rotate(); // segments start at 0, 3, 6, 9
    }
    expect(a.journal.compact({ engineRecords: 5, adminRecords: 0 })).toEqual([JOURNAL_FILE]);
    expect(a.journal.compact({ engineRecords: 5, adminRecords: 0 })).toEqual([]);
    expect(a.journal.compact({ engineRecords: 100, adminRecords: 0 })).toEqual([
      'journal-000000000003-000000000000.log',
      'journal-000000000006-000000000000.log',
    ]);
    expect(a.journal.segmentNames).toEqual(['journal-000000000009-000000000000.log']); // the active one stays
    await a.journal.close();
    const b = new FileJournal(dir);
    expect(b.start()).toEqual({ engineRecords: 9, adminRecords: 0 });
    const records: JournalRecord[] = [];
    b.recover((r) => records.push(r));
    open.push(b);
    expect(records).toEqual([deposit(9)]);
  });

  it('damage inside an earlier segment, or a missing one, is refused; a torn tail of the last is cut', async () => {
    const dir = tmp();
    const a = openJournal(dir);
    for (let i = 0; i < 6; i++) {
      await a.journal.append(deposit(i));
      if (i % 2 === 1) a.journal.rotate(); // 0, 2, 4 (and an empty 6)
    }
    await a.journal.close();
    const last = join(dir, 'journal-000000000006-000000000000.log');
    appendFileSync(last, encodeFrame(deposit(6)).subarray(0, 10)); // a torn write in the last segment
    const middle = join(dir, 'journal-000000000002-000000000000.log');
    const good = readFileSync(middle);
    writeFileSync(middle, good.subarray(0, good.length - 3)); // cut inside a segment later ones follow
    expect(() => new FileJournal(dir).recover(() => undefined)).toThrow(/later segments follow/);
    writeFileSync(middle, good);
    const b = openJournal(dir);
    expect(b.info).toMatchObject({ records: 6, segments: 4, truncatedBytes: 10, path: last });
    await b.journal.close();
    open.splice(0);
    rmSync(middle);
    expect(() => new FileJournal(dir).recover(() => undefined)).toThrow(
      /journal-000000000004-000000000000.log starts after 4 engine and 0 registry\/clock records, but the segments before it end after 2 and 0/,
    );
  });

  it('a crash right after a rotation created the new segment: its torn header is recreated', async () => {
    const dir = tmp();
    const a = openJournal(dir);
    await a.journal.append(deposit(0));
    await a.journal.close();
    writeFileSync(join(dir, 'journal-000000000001-000000000000.log'), MAGIC.subarray(0, 5));
    const b = openJournal(dir);
    expect(b.info).toMatchObject({ records: 1, segments: 2 });
    await b.journal.append(deposit(1));
    await b.journal.close();
    expect(openJournal(dir).records).toEqual([deposit(0), deposit(1)]);
  });
});

describe('recovery of accounts, keys, clock and engine', () => {
  function state(dir: string, clock = new ManualClock(0)) {
    const journal = new FileJournal(dir);
    open.push(journal);
    const exchange = new ExchangeService(DEFAULT_SYMBOLS, journal);
    const accounts = new JournaledAccountRegistry('seed-a');
    const jclock = new JournaledClock(clock);
    const info = recoverInto(journal, { exchange, accounts, clock: jclock });
    return { journal, exchange, accounts, clock: jclock, inner: clock, info };
  }

  it('rebuilds every key identically (HMAC, Ed25519, random RSA, imported) and the clock offset', async () => {
    const dir = tmp();
    const a = state(dir);
    const hmac = a.accounts.create({ balances: { USDT: '100' } });
    const ed = a.accounts.create({ keyType: 'ED25519' });
    const rsa = a.accounts.create({ keyType: 'RSA' });
    const imported = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    a.accounts.importKey({
      apiKey: 'A'.repeat(64),
      keyType: 'ED25519',
      publicKey: imported,
      accountId: hmac.accountId,
    });
    a.accounts.importKey({
      apiKey: 'B'.repeat(64),
      keyType: 'HMAC_SHA256',
      secretKey: 'my-secret',
      balances: { BTC: '1' },
    });
    const extra = a.accounts.addKey(ed.accountId, { canTrade: false });
    a.accounts.setTradePermission(rsa.apiKey, false);
    a.clock.advance(60_000);
    a.clock.advance(5);
    await a.exchange.submit('deposit', { now: 1, accountId: hmac.accountId, asset: 'USDT', amount: '100' });
    await a.exchange.close();
    const before = [...a.accounts.accounts()].map((acc) => ({
      ...acc,
      keys: acc.apiKeys.map((k) => a.accounts.byApiKey(k)),
    }));

    // A different seed: keys come from the journal, not from regeneration.
    const journal = new FileJournal(dir);
    open.push(journal);
    const exchange = new ExchangeService(DEFAULT_SYMBOLS, journal);
    const accounts = new JournaledAccountRegistry('another-seed');
    const clock = new JournaledClock(new ManualClock(0));
    expect(recoverInto(journal, { exchange, accounts, clock }).records).toBe(10);
    const after = [...accounts.accounts()].map((acc) => ({
      ...acc,
      keys: acc.apiKeys.map((k) => accounts.byApiKey(k)),
    }));
    expect(after.length).toBe(4);
    for (let i = 0; i < before.length; i++) {
      expect(after[i]!.id).toBe(before[i]!.id);
      expect(after[i]!.balances).toEqual(before[i]!.balances);
      expect(after[i]!.apiKeys).toEqual(before[i]!.apiKeys);
      after[i]!.keys.forEach((k, j) => {
        const b = before[i]!.keys[j]!;
        expect(k!.keyType).toBe(b.keyType);
        expect(k!.permissions).toEqual(b.permissions);
        if (b.verifier.kind === 'HMAC_SHA256') expect(k!.verifier).toEqual(b.verifier);
        else if (k!.verifier.kind !== 'HMAC_SHA256')
          expect(k!.verifier.publicKey.equals(b.verifier.publicKey)).toBe(true);
      });
    }
    expect(accounts.byApiKey(extra.apiKey)?.permissions.trade).toBe(false);
    expect(accounts.byApiKey(rsa.apiKey)?.permissions.trade).toBe(false);
    expect(clock.now()).toBe(60_005);
    expect(exchange.engine.accountView(hmac.accountId)).toEqual(a.exchange.engine.accountView(hmac.accountId));
    // Creation continues where it stopped, with the new seed's keys for new accounts.
    expect(accounts.create().accountId).toBe(5);
  });

  it('createSandbox with dataDir: orders and balances survive, the engine state is identical', async () => {
    const dir = tmp();
    const config: SandboxConfig = { ...defaultConfig(), port: 0, logLevel: 'silent', dataDir: dir };
    const { ctx } = await createSandbox(config, { clock: new ManualClock(1_767_225_600_000) });
    const alice = ctx.accounts.create({ balances: { USDT: '100000', BTC: '10' } });
    const bob = ctx.accounts.create({ balances: { USDT: '100000', BTC: '10' } });
    for (const id of [alice.accountId, bob.accountId]) {
      await ctx.exchange.submit('deposit', { now: 1_767_225_600_000, accountId: id, asset: 'USDT', amount: '100000' });
      await ctx.exchange.submit('deposit', { now: 1_767_225_600_000, accountId: id, asset: 'BTC', amount: '10' });
    }
    const orders: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const cmd = {
        now: 1_767_225_600_000 + i,
        accountId: i % 2 ? alice.accountId : bob.accountId,
        symbol: 'BTCUSDT',
        side: i % 2 ? ('BUY' as const) : ('SELL' as const),
        type: 'LIMIT' as const,
        timeInForce: 'GTC' as const,
        price: (30_000 + ((i * 7) % 13) - 6).toFixed(2),
        quantity: '0.01000',
      };
      orders.push(ctx.exchange.submit('placeOrder', cmd).catch((e: unknown) => e));
    }
    await Promise.all(orders);
    // Compared as the JSON the API would send (engine views hold references into the engine).
    const views = (e: typeof ctx.exchange.engine) =>
      JSON.stringify(
        {
          a: e.accountView(alice.accountId),
          b: e.accountView(bob.accountId),
          open: e.openOrders(alice.accountId),
          all: e.allOrders(bob.accountId, 'BTCUSDT'),
          trades: e.myTrades(alice.accountId, 'BTCUSDT'),
          book: e.book('BTCUSDT'),
        },
        (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v),
      );
    const before = views(ctx.exchange.engine);
    expect(ctx.exchange.engine.myTrades(alice.accountId, 'BTCUSDT').length).toBeGreaterThan(0);
    await ctx.exchange.close();

    const again = await createSandbox(config, { clock: new ManualClock(1_767_225_600_000) });
    try {
      expect(views(again.ctx.exchange.engine)).toEqual(before);
      expect(again.ctx.accounts.byApiKey(alice.apiKey)?.accountId).toBe(alice.accountId);
    } finally {
      await again.ctx.exchange.close();
    }
  });
});
