/**
 * What a bot rebuilds from its user data stream is what REST says: four accounts, each listening on
 * its own `/ws/<listenKey>`, send the order fuzz's random requests (every order endpoint, lists,
 * amends, cancel-replaces, SOR orders); then, per account, the state folded from the stream alone —
 * orders from their executionReports, balances from outboundAccountPosition, trades and SOR
 * allocations from the TRADE reports, lists from listStatus — must equal GET allOrders, openOrders,
 * account, myTrades, myAllocations and allOrderList. Every executionReport also adds up on its own:
 * `z` grows by exactly `l` and `Z` by exactly `Y` = floor(`l` × `L`), and only on a TRADE.
 * `USERDATA_SEED=<n> USERDATA_N=<requests>` explore other streams locally.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../engine/helpers.js';
import { MIX_BALANCES, MIX_SANDBOX, mixAccounts, orderMix, runMix, seedMixBooks } from '../helpers/order-mix.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import type { TestAccount } from '../helpers/sign.js';
import { closeAfterAll, connectWs, type Client } from '../ws/client.js';

type Json = Record<string, unknown>;

const SYMBOLS = ['BTCUSDT', 'BTCUSDC'] as const;
const MARKER = '0.00000001';
const STOP_TYPES = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);

let sb: TestSandbox;
const sockets = closeAfterAll(() => sb as TestSandbox | undefined);
beforeAll(async () => {
  sb = await startTestSandbox(MIX_SANDBOX);
});

/** An 8-decimal amount as units of 1e-8 (exact). */
const units = (s: unknown): bigint => {
  const [whole, frac = ''] = String(s).split('.');
  return BigInt(whole as string) * 100_000_000n + BigInt(frac.padEnd(8, '0').slice(0, 8));
};

async function get<T>(acct: TestAccount, path: string, params: Record<string, string | number> = {}): Promise<T> {
  const res = await sb.signed(acct, 'GET', path, params);
  expect(res.status, `${path} ${res.text}`).toBe(200);
  return res.json<T>();
}

/** Everything the stream of one account says, folded as a bot would. */
class StreamState {
  readonly orders = new Map<string, Json>();
  readonly trades = new Map<string, Json>();
  readonly allocations = new Map<string, Json>();
  readonly lists = new Map<string, Json>();
  readonly balances = new Map<string, { free: bigint; locked: bigint }>();

  constructor(initial: Record<string, string>) {
    for (const [a, v] of Object.entries(initial)) this.balances.set(a, { free: units(v), locked: 0n });
  }

  apply(m: Json): void {
    switch (m.e) {
      case 'executionReport':
        this.execution(m);
        break;
      case 'outboundAccountPosition':
        for (const b of m.B as { a: string; f: string; l: string }[])
          this.balances.set(b.a, { free: units(b.f), locked: units(b.l) });
        break;
      case 'listStatus':
        this.lists.set(`${String(m.s)} ${String(m.g)}`, m);
        break;
    }
  }

  private execution(m: Json): void {
    const key = `${String(m.s)} ${String(m.i)}`;
    const what = JSON.stringify(m);
    const prev = this.orders.get(key);
    const [z0, q0] = prev === undefined ? [0n, 0n] : [units(prev.z), units(prev.Z)];
    if (m.x === 'TRADE') {
      expect(units(m.l), what).toBeGreaterThan(0n);
      expect(units(m.z), what).toBe(z0 + units(m.l));
      expect(units(m.Y), what).toBe((units(m.l) * units(m.L)) / 100_000_000n);
      expect(units(m.Z), what).toBe(q0 + units(m.Y));
      const row = {
        orderId: m.i,
        price: m.L,
        qty: m.l,
        quoteQty: m.Y,
        commission: m.n,
        commissionAsset: m.N,
        time: m.T,
        isBuyer: m.S === 'BUY',
        isMaker: m.m,
      };
      if (m.a !== undefined) this.allocations.set(`${String(m.s)} ${String(m.a)}`, row);
      else this.trades.set(`${String(m.s)} ${String(m.t)}`, row);
    } else {
      expect(units(m.l), what).toBe(0n);
      expect(units(m.z), what).toBe(z0);
      expect(units(m.Z), what).toBe(q0);
    }
    this.orders.set(key, m);
  }
}

/** Waits until the stream has caught up: the marker deposit's balanceUpdate and the position after it. */
async function catchUp(c: Client, acct: TestAccount): Promise<void> {
  await sb.ctx.exchange.submit('deposit', {
    now: sb.clock.now(),
    accountId: acct.accountId,
    asset: 'USDT',
    amount: MARKER,
  });
  await c.until(() => {
    const i = c.messages.findIndex((m) => (m as Json).e === 'balanceUpdate' && (m as Json).d === MARKER);
    return i >= 0 && c.messages.slice(i + 1).some((m) => (m as Json).e === 'outboundAccountPosition');
  });
}

describe('user data stream vs REST', () => {
  it('orders, balances, trades, allocations and lists folded from the stream are what REST answers', async () => {
    const accounts = await mixAccounts(sb);
    const clients: Client[] = [];
    const keys: string[] = [];
    for (const acct of accounts) {
      const res = await sb.call('/api/v3/userDataStream', { method: 'POST', headers: { 'X-MBX-APIKEY': acct.apiKey } });
      expect(res.status, res.text).toBe(200);
      const key = res.json<{ listenKey: string }>().listenKey;
      keys.push(key);
      clients.push(await connectWs(sb.url, `/ws/${key}`, sockets));
    }
    const mix = orderMix(mulberry32(Number(process.env.USERDATA_SEED ?? 20261125)));
    await seedMixBooks(sb, accounts[0]!, accounts[1]!);
    const placed = await runMix(sb, accounts, mix, Number(process.env.USERDATA_N ?? 300), {
      // the listen keys stay valid
      async everyHundred() {
        for (let k = 0; k < accounts.length; k++)
          await sb.call(`/api/v3/userDataStream?listenKey=${keys[k]!}`, {
            method: 'PUT',
            headers: { 'X-MBX-APIKEY': accounts[k]!.apiKey },
          });
      },
    });
    expect(placed).toBeGreaterThan(0);

    const counts = { orders: 0, trades: 0, allocations: 0, lists: 0, events: 0 };
    for (let k = 0; k < accounts.length; k++) {
      const acct = accounts[k] as TestAccount;
      const c = clients[k] as Client;
      await catchUp(c, acct);
      const st = new StreamState(MIX_BALANCES);
      for (const m of c.messages) st.apply(m as Json);
      counts.events += c.messages.length;
      counts.orders += st.orders.size;
      counts.trades += st.trades.size;
      counts.allocations += st.allocations.size;
      counts.lists += st.lists.size;
      const who = `account ${acct.accountId}`;

      // balances
      const account = await get<{ balances: { asset: string; free: string; locked: string }[] }>(acct, '/account');
      const rest = new Map(account.balances.map((b) => [b.asset, { free: units(b.free), locked: units(b.locked) }]));
      for (const [asset, v] of st.balances) expect(rest.get(asset), `${who} ${asset}`).toEqual(v);
      for (const [asset, v] of rest)
        if (v.free !== 0n || v.locked !== 0n) expect(st.balances.get(asset), `${who} ${asset}`).toEqual(v);

      for (const symbol of SYMBOLS) {
        const mine = (m: Map<string, Json>) =>
          new Map([...m].filter(([key]) => key.startsWith(`${symbol} `)).map(([key, v]) => [key.split(' ')[1], v]));
        // orders: every order REST lists, the stream told, in the same state
        const all = await get<Json[]>(acct, '/allOrders', { symbol, limit: 1000 });
        const reported = mine(st.orders);
        expect(new Set(all.map((o) => String(o.orderId))), `${who} ${symbol} orders`).toEqual(new Set(reported.keys()));
        for (const o of all) {
          const r = reported.get(String(o.orderId)) as Json;
          const what = `${who} ${JSON.stringify(o)} vs ${JSON.stringify(r)}`;
          // what changes an order without a report (docs/binance-gaps.md): a stop triggering into the
          // book (working since then), a trailing stop starting to track (its trailingTime)
          const triggered =
            STOP_TYPES.has(o.type as string) &&
            r.w === false &&
            o.isWorking === true &&
            (o.workingTime as number) >= (r.T as number);
          const silent = triggered || (o.trailingTime !== undefined && o.updateTime === o.trailingTime);
          if (silent) expect(o.updateTime as number, what).toBeGreaterThanOrEqual(r.T as number);
          expect(
            {
              status: o.status,
              executedQty: o.executedQty,
              cummulativeQuoteQty: o.cummulativeQuoteQty,
              price: o.price,
              side: o.side,
              type: o.type,
              timeInForce: o.timeInForce,
              orderListId: o.orderListId,
              stopPrice: o.stopPrice,
              icebergQty: o.icebergQty,
              time: o.time,
              updateTime: silent ? r.T : o.updateTime,
              workingTime: triggered ? (r.W ?? -1) : o.workingTime,
              origQuoteOrderQty: o.origQuoteOrderQty,
              selfTradePreventionMode: o.selfTradePreventionMode,
            },
            what,
          ).toEqual({
            status: r.X,
            executedQty: r.z,
            cummulativeQuoteQty: r.Z,
            price: r.p,
            side: r.S,
            type: r.o,
            timeInForce: r.f,
            orderListId: r.g,
            stopPrice: r.P,
            icebergQty: r.F,
            time: r.O,
            updateTime: r.T,
            workingTime: r.W ?? -1,
            origQuoteOrderQty: r.Q,
            selfTradePreventionMode: r.V,
          });
          if (o.origQty !== undefined) expect(o.origQty, what).toBe(r.q);
          // `w` is "on the book" (false once filled), REST's isWorking "has started working": alike while open
          if (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') expect(o.isWorking, what).toBe(r.w || triggered);
          if (triggered) expect(o.updateTime, what).toBe(o.workingTime);
          // a cancel's report carries the cancel request's id in `c` and the order's in `C`
          expect(o.clientOrderId, what).toBe(r.x === 'CANCELED' && r.C !== '' ? r.C : r.c);
        }
        const open = await get<Json[]>(acct, '/openOrders', { symbol });
        expect(new Set(open.map((o) => String(o.orderId))), `${who} ${symbol} open orders`).toEqual(
          new Set(
            [...reported]
              .filter(([, r]) => r.X === 'NEW' || r.X === 'PARTIALLY_FILLED' || r.X === 'PENDING_NEW')
              .map(([id]) => id),
          ),
        );
        // trades and SOR allocations
        const sameFills = async (path: string, id: string, streamed: Map<string | undefined, Json>) => {
          const rows = await get<Json[]>(acct, path, { symbol, limit: 1000 });
          expect(new Set(rows.map((r) => String(r[id]))), `${who} ${symbol} ${path}`).toEqual(new Set(streamed.keys()));
          for (const r of rows) {
            const { orderId, price, qty, quoteQty, commission, commissionAsset, time, isBuyer, isMaker } = r;
            expect(
              { orderId, price, qty, quoteQty, commission, commissionAsset, time, isBuyer, isMaker },
              `${who} ${path} ${JSON.stringify(r)}`,
            ).toEqual(streamed.get(String(r[id])));
          }
        };
        await sameFills('/myTrades', 'id', mine(st.trades));
        await sameFills('/myAllocations', 'allocationId', mine(st.allocations));
      }
      // order lists (ids are per symbol in the sandbox: every list here is on BTCUSDT)
      const lists = await get<Json[]>(acct, '/allOrderList', { limit: 1000 });
      const streamLists = st.lists;
      expect(new Set(lists.map((l) => `${String(l.symbol)} ${String(l.orderListId)}`)), `${who} lists`).toEqual(
        new Set(streamLists.keys()),
      );
      for (const l of lists) {
        const s = streamLists.get(`${String(l.symbol)} ${String(l.orderListId)}`) as Json;
        expect(
          {
            listStatusType: l.listStatusType,
            listOrderStatus: l.listOrderStatus,
            contingencyType: l.contingencyType,
            listClientOrderId: l.listClientOrderId,
            transactionTime: l.transactionTime,
            orderIds: (l.orders as Json[]).map((o) => o.orderId),
          },
          `${who} list ${JSON.stringify(l)} vs ${JSON.stringify(s)}`,
        ).toEqual({
          listStatusType: s.l,
          listOrderStatus: s.L,
          contingencyType: s.c,
          listClientOrderId: s.C,
          transactionTime: s.T,
          orderIds: (s.O as Json[]).map((o) => o.i),
        });
      }
    }
    if (process.env.USERDATA_SEED) console.log(JSON.stringify(counts));
    expect(counts.trades).toBeGreaterThan(0);
  });
});
