/**
 * Seeded random order entry over real HTTP: every order endpoint gets random mixes of parameters
 * (types, sides, prices near and far from the book, quantities, icebergs, stops, trailing deltas,
 * pegs, list legs, OPO lists, amends, cancel-replaces, SOR orders across BTCUSDT and a BTCUSDC twin). Whatever the mix, the answer is 200 with a
 * JSON object or a documented {code, msg} error — never a 5XX, never a stack trace — and every unit
 * stays accounted for (balances plus collected commissions): nothing is created or lost.
 * `FUZZ_SEED=<n> FUZZ_N=<requests>` explore other streams locally (the outcomes are then printed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS } from '@binance-sandbox/protocol';
import { namedParameters, valueParameter } from '../helpers/error-names.js';
import { closeAgents } from '../helpers/http.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { mulberry32, unitsHeld } from '../engine/helpers.js';
import { MIX_SANDBOX, mixAccounts, orderMix, runMix, seedMixBooks } from '../helpers/order-mix.js';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox(MIX_SANDBOX);
});
afterAll(async () => {
  await sb.close();
  closeAgents();
});

const mix = orderMix(mulberry32(Number(process.env.FUZZ_SEED ?? 20261124)));

describe('random order entry', () => {
  it('answers every mix with 200 or a documented error, and conserves balances', async () => {
    const accounts = await mixAccounts(sb);
    await seedMixBooks(sb, accounts[0]!, accounts[1]!);
    // every unit is somewhere: on an account (free or locked) or collected as commission
    const engine = sb.ctx.exchange.engine;
    // (what SOR orders paid in USDT the exchange's allocator paid in USDC on the other book)
    const held = () => unitsHeld(engine);
    const before = held();
    const seen = new Map<string, number>();
    await runMix(sb, accounts, mix, Number(process.env.FUZZ_N ?? 400), {
      answer([method, path, params], res) {
        const what = `${method} ${path} ${JSON.stringify(params)} → ${res.status} ${res.text.slice(0, 300)}`;
        expect(res.text, what).not.toMatch(/at .+\.(js|ts):\d+/);
        const body = res.json<Record<string, unknown>>();
        if (res.status === 200) expect(typeof body, what).toBe('object');
        else {
          expect(body, what).toMatchObject({ code: expect.any(Number), msg: expect.any(String) });
          // only cancelReplace adds `data` (its partial results: -2021 / -2022)
          const keys =
            path === '/order/cancelReplace' && body.data !== undefined ? ['code', 'data', 'msg'] : ['code', 'msg'];
          expect(Object.keys(body).sort(), what).toEqual(keys);
          // the parameters the message names are the endpoint's, an error about a value one the request sent
          const declared = ENDPOINTS.find((e) => e.method === method && e.path === `/api/v3${path}`)?.params ?? [];
          for (const name of namedParameters(body.msg as string))
            expect(name in params || declared.some((p) => p.name === name), what).toBe(true);
          const valued = valueParameter(body.msg as string);
          if (valued !== undefined) expect(Object.keys(params), what).toContain(valued);
        }
        const key = res.status === 200 ? `${path} ok` : `${path} ${String(body.code)}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      },
    });
    if (process.env.FUZZ_SEED) console.log(JSON.stringify([...seen].sort()));
    // the mix reached the engine, not only the parameter checks
    for (const path of [
      '/order',
      '/orderList/oco',
      '/orderList/oto',
      '/orderList/opo',
      '/orderList/opoco',
      '/sor/order',
    ])
      expect(seen.get(`${path} ok`) ?? 0, `${path}: ${JSON.stringify([...seen])}`).toBeGreaterThan(0);
    expect(held()).toEqual(before);
    expect(engine.feesCollected().get('USDT') ?? 0n).toBeGreaterThan(0n);
  });
});
