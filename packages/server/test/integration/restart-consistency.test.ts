/**
 * Restart to the identical state under the order fuzz's random mix (lists of every kind, amends,
 * cancel-replaces, pegs, trailing stops, icebergs, self-trade prevention, SOR orders across two
 * books): a sandbox with a data dir answers every account and market query; restarted from its
 * snapshot, then from the journal alone (snapshots deleted), it answers every one of them the same,
 * byte for byte. `RESTART_SEED=<n> RESTART_N=<requests>` explore other streams locally.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../engine/helpers.js';
import { closeAgents } from '../helpers/http.js';
import { MIX_SANDBOX, mixAccounts, orderMix, runMix, seedMixBooks } from '../helpers/order-mix.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import type { TestAccount } from '../helpers/sign.js';

type Json = Record<string, unknown>;

const SYMBOLS = ['BTCUSDT', 'BTCUSDC'] as const;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  closeAgents();
});

/** Every query's answer text, in a fixed order (not rateLimit/order: limiter windows live in the limit store, not the journal). */
async function answers(sb: TestSandbox, accounts: readonly TestAccount[]): Promise<string[]> {
  const out: string[] = [];
  const now = sb.clock.now();
  const pub = async (path: string) => {
    const res = await sb.call(`/api/v3${path}`);
    out.push(`${path} ${res.status} ${res.text}`);
  };
  const priv = async (acct: TestAccount, path: string, params: Record<string, string | number> = {}) => {
    const res = await sb.signed(acct, 'GET', path, params);
    out.push(`${acct.accountId} ${path} ${JSON.stringify(params)} ${res.status} ${res.text}`);
    return res;
  };
  for (const symbol of SYMBOLS) {
    await pub(`/depth?symbol=${symbol}&limit=5000`);
    await pub(`/trades?symbol=${symbol}&limit=1000`);
    await pub(`/aggTrades?symbol=${symbol}&limit=1000`);
    await pub(`/klines?symbol=${symbol}&interval=1m&endTime=${now}&limit=1000`);
    await pub(`/ticker/24hr?symbol=${symbol}`);
    await pub(`/avgPrice?symbol=${symbol}`);
    await pub(`/ticker/bookTicker?symbol=${symbol}`);
  }
  for (const acct of accounts) {
    await priv(acct, '/account');
    await priv(acct, '/allOrderList', { limit: 1000 });
    await priv(acct, '/openOrderList');
    for (const symbol of SYMBOLS) {
      await priv(acct, '/openOrders', { symbol });
      const all = await priv(acct, '/allOrders', { symbol, limit: 1000 });
      await priv(acct, '/myTrades', { symbol, limit: 1000 });
      await priv(acct, '/myAllocations', { symbol, limit: 1000 });
      await priv(acct, '/myPreventedMatches', { symbol, fromPreventedMatchId: 0, limit: 1000 });
      for (const o of all.json<Json[]>())
        if (o.type !== 'MARKET') await priv(acct, '/order/amendments', { symbol, orderId: o.orderId as number });
    }
  }
  return out;
}

describe('restart under the order mix', () => {
  it('answers every query identically after a restart from its snapshot, and from the journal alone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bsbx-restart-mix-'));
    dirs.push(dataDir);
    const config = {
      ...MIX_SANDBOX,
      dataDir,
      keepJournal: true, // the journal alone must still hold everything after the snapshots
    };
    let sb = await startTestSandbox(config);
    const accounts = await mixAccounts(sb);
    const mix = orderMix(mulberry32(Number(process.env.RESTART_SEED ?? 20261127)));
    await seedMixBooks(sb, accounts[0]!, accounts[1]!);
    const ok = await runMix(sb, accounts, mix, Number(process.env.RESTART_N ?? 300));
    expect(ok).toBeGreaterThan(0);
    const now = sb.clock.now();
    const before = await answers(sb, accounts);
    await sb.close(); // writes a snapshot

    const snapshots = () => readdirSync(dataDir).filter((f) => f.startsWith('snapshot-'));
    expect(snapshots().length).toBeGreaterThan(0);
    sb = await startTestSandbox(config, now);
    const fromSnapshot = await answers(sb, accounts);
    await sb.close();
    for (const f of snapshots()) rmSync(join(dataDir, f));
    sb = await startTestSandbox(config, now);
    const fromJournal = await answers(sb, accounts);
    await sb.close();
    for (const [label, after] of [
      ['snapshot', fromSnapshot],
      ['journal', fromJournal],
    ] as const) {
      expect(after.length, label).toBe(before.length);
      for (let i = 0; i < before.length; i++) expect(after[i], `${label}: ${before[i]}`).toBe(before[i]);
    }
  });
});
