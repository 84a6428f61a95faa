/**
 * What a bot rebuilds from the market streams is what REST says, under the order fuzz's random mix
 * (icebergs, amends, self-trade prevention, lists, stops, pegs, SOR orders across two books): one
 * combined connection, open before the first order, follows trade, aggTrade, kline_1m, bookTicker
 * diff depth, 24hr ticker and avgPrice of BTCUSDT and BTCUSDC; afterwards the depth folded from the diffs (update ids
 * contiguous from 1) equals GET depth, every trade and aggTrade pushed equals historicalTrades /
 * aggTrades (ids contiguous, nothing missing), the last push of every kline equals GET klines, and
 * the last bookTicker, ticker and avgPrice equal GET ticker/bookTicker, ticker/24hr and avgPrice.
 * `MARKETDATA_SEED=<n> MARKETDATA_N=<requests>` explore other streams locally.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../engine/helpers.js';
import { MIX_SANDBOX, mixAccounts, orderMix, runMix, seedMixBooks } from '../helpers/order-mix.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { closeAfterAll, connectWs } from '../ws/client.js';

type Json = Record<string, unknown>;
type Levels = [string, string][];

const SYMBOLS = ['BTCUSDT', 'BTCUSDC'] as const;
const KINDS = ['trade', 'aggTrade', 'kline_1m', 'bookTicker', 'depth@100ms', 'ticker', 'avgPrice'] as const;

let sb: TestSandbox;
const sockets = closeAfterAll(() => sb as TestSandbox | undefined);
beforeAll(async () => {
  sb = await startTestSandbox(MIX_SANDBOX);
});

async function get<T>(path: string): Promise<T> {
  const res = await sb.call(`/api/v3${path}`);
  expect(res.status, `${path} ${res.text}`).toBe(200);
  return res.json<T>();
}

/** Every row of a list endpoint paged by `fromId` (1000 a page). */
async function allFrom<T extends Json>(path: string, idOf: (row: T) => number): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const next = out.length === 0 ? 0 : idOf(out[out.length - 1] as T) + 1;
    const page = await get<T[]>(`${path}&fromId=${next}&limit=1000`);
    out.push(...page);
    if (page.length < 1000) return out;
  }
}

/** A side of the book folded from diffs: price → quantity (0 removes the level). */
function fold(side: Map<string, string>, changes: Levels): void {
  for (const [p, q] of changes)
    if (Number(q) === 0) side.delete(p);
    else side.set(p, q);
}

describe('market streams vs REST', () => {
  it('depth, trades, aggTrades, klines, bookTicker, ticker and avgPrice pushed are what REST answers', async () => {
    const streams = SYMBOLS.flatMap((s) => KINDS.map((k) => `${s.toLowerCase()}@${k}`));
    const c = await connectWs(sb.url, `/stream?streams=${streams.join('/')}`, sockets);
    const accounts = await mixAccounts(sb);
    await seedMixBooks(sb, accounts[0]!, accounts[1]!);
    const mix = orderMix(mulberry32(Number(process.env.MARKETDATA_SEED ?? 20261126)));
    await runMix(sb, accounts, mix, Number(process.env.MARKETDATA_N ?? 300));
    sb.clock.advance(61_000); // the last minute closes too: every traded kline is then pushed final

    const of = (symbol: string, kind: string) =>
      c.messages
        .map((m) => m as { stream: string; data: Json })
        .filter((m) => m.stream === `${symbol.toLowerCase()}@${kind}`)
        .map((m) => m.data);
    await new Promise((r) => setTimeout(r, 1100)); // one more ticker / avgPrice cadence at the final clock
    let trades = 0;
    for (const symbol of SYMBOLS) {
      // caught up: the last diff reaches the book's update id, the last trade the newest trade
      const book = await get<{ lastUpdateId: number; bids: Levels; asks: Levels }>(
        `/depth?symbol=${symbol}&limit=5000`,
      );
      const newest = await get<Json[]>(`/trades?symbol=${symbol}&limit=1`);
      await c.until(() => {
        const diffs = of(symbol, 'depth@100ms');
        const pushed = of(symbol, 'trade');
        return (
          (diffs[diffs.length - 1]?.u ?? 0) === book.lastUpdateId &&
          (pushed[pushed.length - 1]?.t ?? -1) === (newest[0]?.id ?? -1)
        );
      });

      // depth: the diffs from update id 1, contiguous, fold into the book REST shows
      const bids = new Map<string, string>();
      const asks = new Map<string, string>();
      let u = 0;
      for (const d of of(symbol, 'depth@100ms')) {
        expect(d.U, `${symbol} depth ${JSON.stringify(d)}`).toBe(u + 1);
        fold(bids, d.b as Levels);
        fold(asks, d.a as Levels);
        u = d.u as number;
      }
      expect(u).toBe(book.lastUpdateId);
      const sorted = (m: Map<string, string>, dir: number) =>
        [...m].sort((x, y) => dir * (Number(x[0]) - Number(y[0])));
      expect(sorted(bids, -1), `${symbol} bids`).toEqual(book.bids);
      expect(sorted(asks, 1), `${symbol} asks`).toEqual(book.asks);

      // trades and aggTrades: every one pushed, in order, as REST lists them
      const pushedTrades = of(symbol, 'trade');
      const restTrades = await allFrom<Json>(`/historicalTrades?symbol=${symbol}`, (t) => t.id as number);
      expect(
        pushedTrades.map((t) => ({ id: t.t, price: t.p, qty: t.q, time: t.T, isBuyerMaker: t.m })),
        `${symbol} trades`,
      ).toEqual(restTrades.map(({ id, price, qty, time, isBuyerMaker }) => ({ id, price, qty, time, isBuyerMaker })));
      trades += restTrades.length;
      const restAggs = await allFrom<Json>(`/aggTrades?symbol=${symbol}`, (a) => a.a as number);
      expect(
        of(symbol, 'aggTrade').map(({ a, p, q, f, l, T, m }) => ({ a, p, q, f, l, T, m })),
        `${symbol} aggTrades`,
      ).toEqual(restAggs.map(({ a, p, q, f, l, T, m }) => ({ a, p, q, f, l, T, m })));

      // klines: every minute that traded is pushed final (a quiet one too while it was the current
      // one), each as the REST row of its open time
      const rows = await get<unknown[][]>(`/klines?symbol=${symbol}&interval=1m&limit=1000`);
      const traded = rows.filter((r) => (r[8] as number) > 0);
      const finals = () =>
        of(symbol, 'kline_1m')
          .map((e) => e.k as Json)
          .filter((k) => k.x === true)
          .map((k) => [k.t, k.o, k.h, k.l, k.c, k.v, k.T, k.q, k.n, k.V, k.Q]);
      const pushedFinal = (r: unknown[]) => finals().some((k) => k[0] === r[0]);
      await c.until(() => traded.every(pushedFinal)).catch(() => undefined);
      expect(
        traded.filter((r) => !pushedFinal(r)),
        `${symbol} traded klines never pushed final`,
      ).toEqual([]);
      const byOpen = new Map(rows.map((r) => [r[0], r.slice(0, 11)]));
      for (const k of finals()) expect(k, `${symbol} kline`).toEqual(byOpen.get(k[0]));
      // and a kline never follows a newer one
      const opens = of(symbol, 'kline_1m').map((e) => (e.k as Json).t as number);
      expect(opens, `${symbol} kline open times`).toEqual([...opens].sort((x, y) => x - y));

      // ticker and avgPrice: the last push (a full 1000 ms cadence passed at the final clock) is REST's
      // (but for O / C: a push that would change only E, O and C is not sent)
      const tickers = of(symbol, 'ticker');
      const r24 = await get<Json>(`/ticker/24hr?symbol=${symbol}`);
      const t = tickers[tickers.length - 1] ?? {};
      expect(
        [t.p, t.P, t.w, t.x, t.c, t.Q, t.b, t.B, t.a, t.A, t.o, t.h, t.l, t.v, t.q, t.F, t.L, t.n],
        `${symbol} ticker`,
      ).toEqual(
        [
          'priceChange',
          'priceChangePercent',
          'weightedAvgPrice',
          'prevClosePrice',
          'lastPrice',
          'lastQty',
          'bidPrice',
          'bidQty',
          'askPrice',
          'askQty',
          'openPrice',
          'highPrice',
          'lowPrice',
          'volume',
          'quoteVolume',
          'firstId',
          'lastId',
          'count',
        ].map((k) => r24[k]),
      );
      const avgs = of(symbol, 'avgPrice');
      const avg = await get<Json>(`/avgPrice?symbol=${symbol}`);
      const last = avgs[avgs.length - 1];
      // quiet before the symbol's first trade
      if (restTrades.length === 0) expect(avgs, `${symbol} avgPrice`).toEqual([]);
      else
        expect({ i: last?.i, w: last?.w }, `${symbol} avgPrice`).toEqual({ i: `${String(avg.mins)}m`, w: avg.price });

      // bookTicker: the last push is the best bid and ask now
      const bt = of(symbol, 'bookTicker');
      const ticker = await get<Json>(`/ticker/bookTicker?symbol=${symbol}`);
      const top = bt[bt.length - 1];
      if (top !== undefined)
        expect({ b: top.b, B: top.B, a: top.a, A: top.A }, `${symbol} bookTicker`).toEqual({
          b: ticker.bidPrice,
          B: ticker.bidQty,
          a: ticker.askPrice,
          A: ticker.askQty,
        });
    }
    expect(trades).toBeGreaterThan(0);
  });
});
