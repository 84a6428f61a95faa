/**
 * Snapshots are exact: a seeded random stream of every command kind the service journals runs once
 * uninterrupted, and again with the state exported, serialised, and imported into a fresh engine and
 * fresh read models at several cut points. Every response, every event and the final state must be
 * byte-identical.
 */
import { deserialize, serialize } from 'node:v8';
import { ApiError, DEFAULT_SYMBOLS, type KlineInterval, type SelfTradePreventionMode } from '@binance-sandbox/protocol';
import { describe, expect, it } from 'vitest';
import {
  Order,
  accountResponse,
  amendmentResponse,
  clientOrderId,
  depthResponse,
  myTradeResponse,
  queryOrderResponse,
  renderEvent,
  type EngineEvent,
} from '../../src/engine/index.js';
import type { ExchangeCommand } from '../../src/exchange/commands.js';
import { ExchangeService } from '../../src/exchange/service.js';
import { queryKlines } from '../../src/market/klines.js';
import { MarketData, type MarketState } from '../../src/market/market-data.js';
import type { EngineState } from '../../src/engine/snapshot.js';
import type { PlaceOpocoCommand } from '../../src/engine/index.js';
import { mulberry32 } from '../engine/helpers.js';

const SYMBOLS = DEFAULT_SYMBOLS.filter((s) => s.symbol === 'BTCUSDT' || s.symbol === 'ETHUSDT');
const ACCOUNTS = 3;
const ENGINE_SEED = 0x5eed;
const STP: SelfTradePreventionMode[] = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT', 'TRANSFER'];
const T0 = 1_767_225_600_000;

/** The stream depends on the seed only (never on the engine's answers), so both runs get the same one. */
function commandStream(seed: number, steps: number): ExchangeCommand[] {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const out: ExchangeCommand[] = [];
  let now = T0;
  for (let a = 1; a <= ACCOUNTS; a++)
    for (const [asset, amount] of [
      ['USDT', '900000.12345678'],
      ['BTC', '30.00000001'],
      ['ETH', '400'],
    ] as const)
      out.push({ kind: 'deposit', cmd: { now, accountId: a, asset, amount } });
  for (let i = 0; i < steps; i++) {
    const jump = r();
    now += jump < 0.9 ? Math.floor(r() * 800) : jump < 0.98 ? 61_000 + Math.floor(r() * 300_000) : 3_700_000;
    const accountId = 1 + Math.floor(r() * ACCOUNTS);
    const eth = r() < 0.3;
    const symbol = eth ? 'ETHUSDT' : 'BTCUSDT';
    const mid = eth ? 2000 : 30000;
    const side = r() < 0.5 ? ('BUY' as const) : ('SELL' as const);
    // mostly away from the other side (books fill up), sometimes across it (trades)
    const away = (side === 'BUY' ? -1 : 1) * (r() < 0.25 ? -1 : 1);
    const price = (mid + away * Math.floor(r() * 30) * (eth ? 0.5 : 5)).toFixed(2);
    const qty = eth
      ? ((1 + Math.floor(r() * 500)) / 1000).toFixed(4)
      : ((1 + Math.floor(r() * 3000)) / 100000).toFixed(5);
    const stp = r() < 0.5 ? undefined : pick(STP);
    const base = { now, accountId, symbol, side, ...(stp ? { selfTradePreventionMode: stp } : {}) };
    const cid = r() < 0.3 ? { newClientOrderId: `c${Math.floor(r() * 40)}` } : {};
    const k = r();
    if (k < 0.3) {
      const tif = pick(['GTC', 'GTC', 'GTC', 'IOC', 'FOK'] as const);
      out.push({ kind: 'placeOrder', cmd: { ...base, ...cid, type: 'LIMIT', timeInForce: tif, price, quantity: qty } });
    } else if (k < 0.36) {
      const ice = (Number(qty) / (2 + Math.floor(r() * 3))).toFixed(eth ? 4 : 5);
      out.push({
        kind: 'placeOrder',
        cmd: { ...base, ...cid, type: 'LIMIT', timeInForce: 'GTC', price, quantity: qty, icebergQty: ice },
      });
    } else if (k < 0.41) {
      // a post-only order, sometimes pegged to its side's best price (or a level deeper)
      const peg =
        r() < 0.3
          ? {
              pegPriceType: 'PRIMARY_PEG' as const,
              ...(r() < 0.5 ? { pegOffsetType: 'PRICE_LEVEL' as const, pegOffsetValue: 1 } : {}),
            }
          : null;
      out.push({
        kind: 'placeOrder',
        cmd: { ...base, ...cid, type: 'LIMIT_MAKER', quantity: qty, ...(peg ?? { price }) },
      });
    } else if (k < 0.48) {
      const byQuote = r() < 0.4;
      out.push({
        kind: 'placeOrder',
        cmd: {
          ...base,
          type: 'MARKET',
          ...(byQuote ? { quoteOrderQty: (Number(qty) * mid).toFixed(2) } : { quantity: qty }),
        },
      });
    } else if (k < 0.55) {
      const type = pick(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const);
      const stopPrice = (Number(price) + (r() < 0.5 ? 1 : -1) * (eth ? 3 : 40)).toFixed(2);
      out.push({
        kind: 'placeOrder',
        cmd: {
          ...base,
          ...cid,
          type,
          stopPrice,
          quantity: qty,
          ...(type.endsWith('LIMIT') ? { timeInForce: 'GTC' as const } : {}),
          // a stop-limit's price: its own, or pegged when it triggers
          ...(type.endsWith('LIMIT')
            ? r() < 0.25
              ? { pegPriceType: pick(['PRIMARY_PEG', 'MARKET_PEG'] as const) }
              : { price: stopPrice }
            : {}),
        },
      });
    } else if (k < 0.6) {
      const hi = (mid + (eth ? 10 : 150) + Math.floor(r() * 20)).toFixed(2);
      const lo = (mid - (eth ? 10 : 150) - Math.floor(r() * 20)).toFixed(2);
      out.push({
        kind: 'placeOco',
        cmd: {
          now,
          accountId,
          symbol,
          side,
          quantity: qty,
          ...(r() < 0.3 ? { listClientOrderId: `l${i}` } : {}),
          ...(side === 'SELL'
            ? {
                above: { type: 'LIMIT_MAKER' as const, price: hi },
                below: { type: 'STOP_LOSS_LIMIT' as const, stopPrice: lo, price: lo, timeInForce: 'GTC' as const },
              }
            : {
                above: { type: 'STOP_LOSS' as const, stopPrice: hi },
                below: { type: 'LIMIT_MAKER' as const, price: lo },
              }),
        },
      });
    } else if (k < 0.72) {
      // by orderId, by a client id of ours, or by a generated one (the engine decodes those)
      const how = r();
      const ref =
        how < 0.5
          ? { orderId: Math.max(1, Math.floor(i * (eth ? 0.2 : 0.45)) - Math.floor(r() * 60)) }
          : how < 0.75
            ? { origClientOrderId: `c${Math.floor(r() * 40)}` }
            : { origClientOrderId: clientOrderId(ENGINE_SEED, 1 + Math.floor(r() * (i + 1))) };
      const cmd = { now, accountId, symbol, ...ref };
      if (r() < 0.3) {
        // amend keep priority: a smaller quantity, sometimes a client id of ours
        const newQty = eth
          ? ((1 + Math.floor(r() * 200)) / 1000).toFixed(4)
          : ((1 + Math.floor(r() * 1500)) / 100000).toFixed(5);
        out.push({ kind: 'amendOrder', cmd: { ...cmd, ...cid, newQty } });
        continue;
      }
      out.push({ kind: 'cancelOrder', cmd });
      // cancelReplace = cancel + new order, as the API runs it
      if (r() < 0.3)
        out.push({ kind: 'placeOrder', cmd: { ...base, type: 'LIMIT', timeInForce: 'GTC', price, quantity: qty } });
    } else if (k < 0.75) {
      out.push({ kind: 'cancelOrderList', cmd: { now, accountId, symbol, orderListId: 1 + Math.floor(r() * 30) } });
    } else if (k < 0.77) {
      out.push({ kind: 'cancelOpenOrders', cmd: { now, accountId, symbol } });
    } else if (k < 0.8) {
      const asset = pick(['USDT', 'BTC', 'ETH']);
      const amount = (r() * 1000).toFixed(8);
      out.push({ kind: r() < 0.6 ? 'deposit' : 'withdraw', cmd: { now, accountId, asset, amount } });
    } else if (k < 0.82) {
      out.push({
        kind: 'setCommission',
        cmd: { now, accountId, maker: (Math.floor(r() * 150) / 100000).toFixed(5), taker: '0.00123' },
      });
    } else if (k < 0.84) {
      // OTO: a working limit order near the market, a pending order on the other side
      const other = side === 'BUY' ? ('SELL' as const) : ('BUY' as const);
      const step = (side === 'BUY' ? 1 : -1) * (eth ? 1 : 10);
      const pendingPrice = (Number(price) + step * (1 + Math.floor(r() * 5))).toFixed(2);
      if (r() < 0.6) {
        // OTOCO: the pending pair on the other side, a limit maker beyond and a stop-loss behind
        // (an OPOCO's pair further out: it goes live later, after the working order filled)
        const paid = side === 'BUY' && r() < 0.5;
        const spread = paid ? 25 : 3;
        const far = (Number(price) + step * (spread + Math.floor(r() * 5))).toFixed(2);
        const behind = (Number(price) - step * (spread + Math.floor(r() * 5))).toFixed(2);
        const [abovePx, belowPx] = other === 'SELL' ? [far, behind] : [behind, far];
        const list: PlaceOpocoCommand = {
          now,
          accountId,
          symbol,
          working: { type: 'LIMIT', side, quantity: qty, price, timeInForce: 'GTC' },
          pendingSide: other,
          pendingAbove:
            other === 'SELL' ? { type: 'LIMIT_MAKER', price: abovePx } : { type: 'STOP_LOSS', stopPrice: abovePx },
          pendingBelow:
            other === 'SELL' ? { type: 'STOP_LOSS', stopPrice: belowPx } : { type: 'LIMIT_MAKER', price: belowPx },
        };
        // OPOCO (a BUY paying the pair what it receives) or OTOCO (the pair's own quantity)
        if (paid) out.push({ kind: 'placeOpoco', cmd: list });
        else out.push({ kind: 'placeOtoco', cmd: { ...list, pendingQuantity: qty } });
        continue;
      }
      if (side === 'BUY' && r() < 0.4) {
        // OPO: the pending SELL sells what the working BUY receives
        out.push({
          kind: 'placeOpo',
          cmd: {
            now,
            accountId,
            symbol,
            working: { type: 'LIMIT', side, quantity: qty, price, timeInForce: pick(['GTC', 'GTC', 'IOC'] as const) },
            pending: { type: 'LIMIT', side: other, price: pendingPrice, timeInForce: 'GTC' },
          },
        });
        continue;
      }
      out.push({
        kind: 'placeOto',
        cmd: {
          now,
          accountId,
          symbol,
          ...(r() < 0.3 ? { listClientOrderId: `l${Math.floor(r() * 10)}` } : {}),
          working: { type: 'LIMIT', side, quantity: qty, price, timeInForce: pick(['GTC', 'GTC', 'IOC'] as const) },
          pending:
            r() < 0.7
              ? { type: 'LIMIT', side: other, quantity: qty, price: pendingPrice, timeInForce: 'GTC' }
              : { type: 'STOP_LOSS', side: other, quantity: qty, trailingDelta: 50 },
        },
      });
    } else if (k < 0.86) {
      // trailing stops: with or without a stop price, market or limit
      const limitLeg =
        r() < 0.5
          ? { type: 'STOP_LOSS_LIMIT' as const, timeInForce: 'GTC' as const, price }
          : { type: 'STOP_LOSS' as const };
      const stop = r() < 0.5 ? { stopPrice: price } : {};
      out.push({
        kind: 'placeOrder',
        cmd: { ...base, ...cid, ...limitLeg, ...stop, quantity: qty, trailingDelta: 10 + Math.floor(r() * 150) },
      });
    } else {
      out.push({
        kind: 'placeOrder',
        cmd: {
          ...base,
          ...cid,
          type: 'LIMIT',
          timeInForce: 'GTC',
          price,
          quantity: qty,
          strategyId: i,
          strategyType: 1000001,
        },
      });
    }
  }
  return out;
}

/** JSON-able copy: bigints as strings, orders as the query-order response (their state at the time). */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Order) return queryOrderResponse(v);
  if (Array.isArray(v)) return v.map(plain);
  // results whose parts are decoded on demand (getters) give their plain shape
  if (v !== null && typeof v === 'object' && 'toJSON' in v && typeof v.toJSON === 'function') return plain(v.toJSON());
  if (v !== null && typeof v === 'object') {
    if ('type' in v && 'symbol' in v && typeof (v as { type: unknown }).type === 'string' && 'time' in v)
      return renderEvent(v as EngineEvent);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

interface Instance {
  service: ExchangeService;
  market: MarketData;
  log: string[];
}

function fresh(retainHistory: boolean, log: string[]): Instance {
  const service = new ExchangeService(SYMBOLS, undefined, { retainHistory, seed: ENGINE_SEED });
  const market = new MarketData(service);
  service.onEvents((events) => log.push(JSON.stringify(events.map((e) => renderEvent(e)))));
  return { service, market, log };
}

/** Export → v8 bytes → a fresh service and read models (what a snapshot file round trip does). */
function restore(from: Instance, retainHistory: boolean): Instance {
  const bytes = serialize({ engine: from.service.engine.exportState(), market: from.market.exportState() });
  const data = deserialize(bytes) as { engine: EngineState; market: MarketState };
  const to = fresh(retainHistory, from.log);
  to.service.engine.importState(data.engine);
  to.market.importState(data.market);
  return to;
}

async function run(commands: readonly ExchangeCommand[], retainHistory: boolean, cuts: ReadonlySet<number>) {
  let inst = fresh(retainHistory, []);
  const answers: string[] = [];
  const outcomes = new Map<string, number>();
  for (let i = 0; i < commands.length; i++) {
    if (cuts.has(i)) inst = restore(inst, retainHistory);
    const c = commands[i] as ExchangeCommand;
    try {
      answers.push(JSON.stringify(await inst.service.submit(c.kind, c.cmd as never, (r) => plain(r))));
      outcomes.set(`${c.kind} ok`, (outcomes.get(`${c.kind} ok`) ?? 0) + 1);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      answers.push(`${err.code} ${err.msg}`);
    }
  }
  return { inst, answers, outcomes };
}

const INTERVALS: KlineInterval[] = ['1s', '1m', '5m', '1h', '4h', '1d', '1w', '1M'];

function finalState(inst: Instance, now: number): string {
  const { service, market } = inst;
  const e = service.engine;
  const out: Record<string, unknown> = { fees: plain([...e.feesCollected()]), totals: plain([...e.totals()]) };
  for (let a = 1; a <= ACCOUNTS; a++) {
    out[`account ${a}`] = accountResponse(e.accountView(a));
    for (const { symbol } of SYMBOLS) {
      out[`${a} ${symbol}`] = {
        open: e.openOrders(a, symbol).map(queryOrderResponse),
        all: e.allOrders(a, symbol, { limit: 1000 }).map(queryOrderResponse),
        trades: e.myTrades(a, symbol, { limit: 1000 }).map(myTradeResponse),
        lists: plain(e.orderLists(a, symbol)),
        prevented: plain(e.preventedMatches(a, symbol)),
        amendments: e
          .allOrders(a, symbol, { limit: 1000 })
          .map((o) => e.orderAmendments(a, symbol, o.spec.orderId).map((x) => amendmentResponse(symbol, x))),
      };
    }
  }
  for (const { symbol } of SYMBOLS) {
    const m = market.market(symbol);
    out[symbol] = {
      depth: depthResponse(e.book(symbol, 5000)),
      avgPrice: [e.avgPrice(symbol, now), e.avgPrice(symbol, now + 90_000), e.lastPrice(symbol)],
      trades: plain(m.trades.recent(1000)),
      aggTrades: m.aggTrades.query({ limit: 1000 }),
      klines: INTERVALS.flatMap((interval) =>
        [0, 8 * 3_600_000, 345 * 60_000].map((tz) => queryKlines(m.candles, { interval, tz, limit: 1000, now })),
      ),
      tickers: [24 * 3_600_000, 3_600_000, 7 * 86_400_000].map((w) =>
        plain(market.tickerInput(symbol, now - w, now - w, now, now)),
      ),
    };
  }
  return JSON.stringify(out);
}

describe.each([true, false])('snapshot round trip (retainHistory %s)', (retainHistory) => {
  it('continuing from snapshots at several cut points answers byte-identically', async () => {
    const commands = commandStream(retainHistory ? 7 : 11, 2500);
    const straight = await run(commands, retainHistory, new Set());
    const cuts = new Set([0, 1, 57, 400, 1234, 2001, commands.length - 1]);
    const cut = await run(commands, retainHistory, cuts);
    // the stream exercises what it should
    for (const kind of ['placeOrder', 'placeOco', 'placeOto', 'cancelOpenOrders', 'withdraw', 'setCommission'])
      expect(straight.outcomes.get(`${kind} ok`) ?? 0, kind).toBeGreaterThan(5);
    for (const kind of ['cancelOrder', 'amendOrder', 'placeOtoco', 'placeOpo', 'placeOpoco'])
      expect(straight.outcomes.get(`${kind} ok`) ?? 0, kind).toBeGreaterThan(1);
    expect(straight.outcomes.get('cancelOrderList ok') ?? 0).toBeGreaterThan(0);
    const pegged = straight.inst.service.engine.exportState().symbols.flatMap((d) => d.pegs ?? []);
    expect(pegged.filter((p) => p.peggedPrice > 0).length).toBeGreaterThan(5); // pegged orders, priced

    expect(cut.answers.length).toBe(straight.answers.length);
    for (let i = 0; i < commands.length; i++) expect(cut.answers[i], `answer #${i}`).toBe(straight.answers[i]);
    expect(cut.inst.log.length).toBe(straight.inst.log.length);
    for (let i = 0; i < straight.inst.log.length; i++)
      expect(cut.inst.log[i], `events #${i}`).toBe(straight.inst.log[i]);
    const now = commands[commands.length - 1]!.cmd.now;
    expect(finalState(cut.inst, now)).toBe(finalState(straight.inst, now));
    // and so is the internal state (v8 bytes differ only in how numbers happen to be stored)
    expect(cut.inst.service.engine.exportState()).toStrictEqual(straight.inst.service.engine.exportState());
    expect(cut.inst.market.exportState()).toStrictEqual(straight.inst.market.exportState());
  });
});
