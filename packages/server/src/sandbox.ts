import type { FastifyInstance } from 'fastify';
import { SandboxClock } from './clock.js';
import type { SandboxConfig } from './config.js';
import type { AdvanceableClock, SandboxContext } from './context.js';
import { buildApp } from './http/app.js';
import { MemoryLimitStore } from './limits/memory-store.js';
import { RedisLimitStore } from './limits/redis-store.js';
import type { LimitStore } from './limits/types.js';
import { splitLimitTable } from './limits/windows.js';
import { ExchangeService, MEMORY_JOURNAL } from './exchange/service.js';
import { FileJournal, JournaledAccountRegistry, JournaledClock, recoverInto } from './journal/index.js';
import { exportRegistry } from './journal/snapshot-accounts.js';
import { snapshotFingerprint, type SnapshotData } from './journal/snapshot.js';
import { Snapshotter } from './journal/snapshotter.js';
import { MarketData } from './market/market-data.js';
import { FaultInjector } from './sandbox/faults.js';
import { AccountRegistry } from './security/accounts.js';
import { trackFirstFills } from './api/trading/order-count.js';
import { SIM_MAKER_ACCOUNT_ID, SIM_TAKER_ACCOUNT_ID, Simulator } from './simulator/index.js';
import { attachWebSockets } from './ws/index.js';

export interface Sandbox {
  /** http://HOST:PORT the sandbox listens on. */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly ctx: SandboxContext;
  /** The liquidity simulator, or null with simulator.enabled false (--no-simulator). */
  readonly simulator: Simulator | null;
  /**
   * Settles (with the cause) if the sandbox stops by itself: its journal (--data-dir) failed to
   * write or sync, so nothing more can be made durable. It then refuses every command and closes
   * (`close()` waits for that); every command it acknowledged is in the data dir, and a restart
   * recovers them. Never settles otherwise.
   */
  readonly failed: Promise<Error>;
  /** Stops the sandbox (once; later calls wait for the same close). */
  close(): Promise<void>;
}

export interface SandboxOverrides {
  /** A clock of the caller's (tests pass a ManualClock). */
  readonly clock?: AdvanceableClock;
  /** A limit store of the caller's (otherwise memory, or Redis with config.redisUrl). */
  readonly limits?: LimitStore;
  /** Tests: the simulator runs its first tick at start but no timer; the test calls simulator.tick(). */
  readonly manualSimulator?: boolean;
}

/** Builds the sandbox (stores, registry, Fastify app) without listening. */
export async function createSandbox(config: SandboxConfig, overrides: SandboxOverrides = {}) {
  const limitTable = splitLimitTable(config.rateLimits);
  const limits =
    overrides.limits ??
    (config.redisUrl
      ? await RedisLimitStore.connect(config.redisUrl, limitTable, config.banPolicy, {
          keyPrefix: config.redisKeyPrefix,
        })
      : new MemoryLimitStore(limitTable, config.banPolicy));
  // With --data-dir: the file journal (group commit), accounts and clock advances journaled too,
  // and snapshots of the whole state (journal/snapshotter.ts).
  const journal = config.dataDir !== null ? new FileJournal(config.dataDir) : null;
  // Exchange filters and execution rules shape the engine's answers: a snapshot is only reused with
  // the same ones (and data dirs made without any keep their fingerprint).
  const engineOptions = {
    ...(config.exchangeFilters.length > 0 ? { exchangeFilters: config.exchangeFilters } : {}),
    ...(config.assetFilters.length > 0 ? { assetFilters: config.assetFilters } : {}),
    ...(Object.keys(config.executionRules).length > 0 ? { executionRules: config.executionRules } : {}),
    ...(config.sors.length > 0 ? { sors: config.sors } : {}),
  };
  const fingerprint = snapshotFingerprint(config.symbols, engineOptions);
  const snapshotter = journal
    ? new Snapshotter({
        dir: journal.dir,
        every: config.snapshotEvery,
        fingerprint,
        capture: (): SnapshotData => ({
          engine: exchange.engine.exportState(),
          market: market.exportState(),
          accounts: exportRegistry(accounts),
          clockAdvancedMs: (clock as JournaledClock).advanced,
          clockNow: clock.now(),
        }),
        log: { info: (f, m) => app.log.info(f, m), error: (f, m) => app.log.error(f, m) },
        segments: journal,
        keepJournal: config.keepJournal,
      })
    : null;
  const exchange = new ExchangeService(
    config.symbols,
    journal && snapshotter ? snapshotter.wrap(journal) : MEMORY_JOURNAL,
    engineOptions,
  );
  const baseClock = overrides.clock ?? new SandboxClock();
  const clock = journal ? new JournaledClock(baseClock) : baseClock;
  const accounts = journal ? new JournaledAccountRegistry(config.seed) : new AccountRegistry(config.seed);
  const market = new MarketData(exchange);
  const ctx: SandboxContext = {
    config,
    clock,
    limitTable,
    limits,
    accounts,
    exchange,
    market,
    faults: new FaultInjector(config.seed),
  };
  const app = buildApp(ctx, config.logLevel);
  attachWebSockets(app, ctx); // WebSocket streams on the same port; closed with the app
  let fresh = true;
  if (journal && snapshotter) {
    // Recovery: the newest valid snapshot, then the journal records after it (read models
    // subscribed to engine events rebuild too), before anything can listen; then every change is
    // journaled.
    try {
      const info = recoverInto(
        journal,
        { exchange, market, accounts: accounts as JournaledAccountRegistry, clock: clock as JournaledClock },
        {
          dir: journal.dir,
          fingerprint,
          warn: (path, why) => app.log.warn({ snapshot: path }, `snapshot skipped: ${why}`),
        },
        () => snapshotter.adminRecorded(),
      );
      snapshotter.recovered(info.engineRecords, info.adminRecords, info.replayed, info.snapshot ?? undefined);
      fresh = info.engineRecords === 0;
      app.log.info(
        {
          journal: info.path,
          segments: info.segments,
          records: info.records,
          snapshot: info.snapshot?.path ?? null,
          snapshotMs: info.snapshot ? Math.round(info.snapshot.ms) : 0,
          replayed: info.replayed,
          truncatedBytes: info.truncatedBytes,
          ms: Math.round(info.ms),
        },
        info.truncatedBytes > 0
          ? `journal recovered, torn tail of ${info.truncatedBytes} bytes cut off`
          : 'journal recovered',
      );
    } catch (err) {
      await journal.close();
      await limits.close();
      throw err;
    }
  }
  // A new exchange: the simulator's accounts (no API keys: nobody can look their orders up) become
  // transient before they trade, so their day-long trading keeps no order rows. Journaled as the
  // first command: a data dir made before this existed replays with its orderIds as they were.
  if (fresh) {
    try {
      await exchange.submit('markTransient', {
        now: clock.now(),
        accountIds: [SIM_MAKER_ACCOUNT_ID, SIM_TAKER_ACCOUNT_ID],
        ownClientIds: true,
      });
    } catch (err) {
      await journal?.close();
      await limits.close();
      throw err;
    }
  }
  // After recovery: replayed fills are history, only live first fills move the ORDERS counts.
  trackFirstFills(ctx);
  return { app, ctx, snapshotter, journal };
}

/** Builds the sandbox and listens on config.host:config.port (0 = an ephemeral port). */
export async function startSandbox(config: SandboxConfig, overrides: SandboxOverrides = {}): Promise<Sandbox> {
  const { app, ctx, snapshotter, journal } = await createSandbox(config, overrides);
  // After journal recovery and first-fill tracking (createSandbox): the first tick funds the
  // simulator's accounts and fills every book before the sandbox listens.
  let simulator: Simulator | null = null;
  try {
    // Reads the simulator's replay files, if any: a bad file is a startup error.
    simulator = config.simulator.enabled
      ? new Simulator({
          exchange: ctx.exchange,
          clock: ctx.clock,
          symbols: config.symbols,
          seed: config.seed,
          config: config.simulator,
          log: app.log,
        })
      : null;
    await simulator?.start({ timer: overrides.manualSimulator !== true });
    await app.listen({ host: config.host, port: config.port });
    // the journal may have failed on the simulator's first tick: then nothing can start durably
    const early = journal?.failure;
    if (early) throw early;
  } catch (err) {
    await simulator?.stop();
    await app.close();
    await ctx.exchange.close();
    await ctx.limits.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await simulator?.stop();
      await app.close();
      // Nothing executes any more: a last snapshot (written once the journal made it durable; none
      // after a journal failure).
      await snapshotter?.close();
      await ctx.exchange.close();
      await ctx.limits.close();
    })());
  const failed = new Promise<Error>((settle) => {
    // From the failure on, the exchange refuses every command before executing it (-1016); what
    // executed in the failed batch answers -1007. Memory now holds state the disk does not, so the
    // sandbox stops rather than serve it: a restart recovers exactly what was acknowledged.
    journal?.onFailure((failure) => {
      app.log.error(
        { err: failure, dataDir: journal.dir },
        'journal failed: the sandbox stops (every acknowledged command is in the data dir; restart to recover)',
      );
      settle(failure);
      close().catch((err: unknown) => app.log.error({ err }, 'error while stopping after the journal failed'));
    });
  });
  return { url: `http://${host}:${port}`, app, ctx, simulator, failed, close };
}
