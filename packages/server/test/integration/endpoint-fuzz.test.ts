/**
 * Seeded random requests to every endpoint of the protocol table over real HTTP, with parameters
 * drawn from each one's declared types: mostly plausible values (real symbols, ids and client ids
 * from earlier answers, times near the clock), sometimes wrong ones (bad enums, negative and
 * oversized numbers, malformed JSON arrays, empty values), missing required parameters, unknown and
 * duplicated ones. Whatever arrives:
 * - the answer is 200 with JSON, or a Binance error `{code, msg}` whose code is one of Binance's
 *   error codes — never a 5XX, never a stack trace;
 * - a parameter an error message names is one the endpoint declares or the request sent;
 * - `X-MBX-USED-WEIGHT-1M` grows by exactly the endpoint's weight for those parameters (a
 *   successful order entry costs none, as Binance charges it; an amendment that leaves the order
 *   open costs its weight);
 * - every amount member of a 200 answer is an 8-decimal string, every time in the unit asked for;
 * - every unit of every asset stays accounted for (balances plus collected commissions).
 * `ENDPOINT_FUZZ_SEED=<n> ENDPOINT_FUZZ_N=<requests>` explore other streams locally (outcomes printed);
 * `ENDPOINT_FUZZ_SHOW=-2011,-1013` prints the requests answered with those codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS, ErrorCode, type EndpointSpec, type ParamSpec } from '@binance-sandbox/protocol';
import { namedParameters, valueParameter } from '../helpers/error-names.js';
import { closeAgents, request } from '../helpers/http.js';
import { startTestSandbox, UNREACHABLE_LIMITS, type TestSandbox } from '../helpers/sandbox.js';
import { signedQuery, type TestAccount } from '../helpers/sign.js';
import { mulberry32, unitsHeld } from '../engine/helpers.js';

let sb: TestSandbox;
let accounts: TestAccount[] = [];
beforeAll(async () => {
  sb = await startTestSandbox({
    rateLimits: UNREACHABLE_LIMITS,
  });
  const balances = { USDT: '1000000', BTC: '100', ETH: '1000', BNB: '10000' };
  // requests signed with each key type Binance takes (the Ed25519 and RSA signatures are base64: encoded in the URL)
  accounts = [
    await sb.createAccount(balances),
    await sb.createAccount(balances, { keyType: 'ED25519' }),
    await sb.createAccount(balances, { keyType: 'RSA' }),
  ];
  await restOrders();
});

/**
 * Resting orders on both sides, for queries, cancels, amendments and cancel-replaces to find; and a
 * trade between two accounts, for the trade lists, klines and tickers.
 */
async function restOrders(): Promise<void> {
  const cross = { symbol: 'BTCUSDT', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '30000' };
  await sb.signed(accounts[0] as TestAccount, 'POST', '/order', { ...cross, side: 'SELL' });
  await sb.signed(accounts[1] as TestAccount, 'POST', '/order', { ...cross, side: 'BUY' });
  for (const account of accounts)
    for (let i = 1; i <= 8; i++) {
      const side = i % 2 === 0 ? 'BUY' : 'SELL';
      const price = String(side === 'BUY' ? 30000 - 10 * i : 30000 + 10 * i);
      const params = { symbol: 'BTCUSDT', side, type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price };
      const res = await sb.signed(account, 'POST', '/order', params);
      // refused once the account has its maximum of open orders
      if (res.status === 200) remember(seenOf(account), res.json());
    }
}
afterAll(async () => {
  await sb.close();
  closeAgents();
});

let freshIds = 0;
const rnd = mulberry32(Number(process.env.ENDPOINT_FUZZ_SEED ?? 20261125));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const maybe = (p: number) => rnd() < p;

const SYMBOLS = ['BTCUSDT', 'BTCUSDT', 'BTCUSDT', 'BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'ETHBTC'];
/** What earlier answers to an account named, to refer back to (mostly its own; sometimes another's). */
interface Seen {
  orderIds: number[];
  clientIds: string[];
  listIds: number[];
  listenKeys: string[];
}
const seenBy = new Map<TestAccount, Seen>();
const seenOf = (account: TestAccount): Seen => {
  let s = seenBy.get(account);
  if (s === undefined) seenBy.set(account, (s = { orderIds: [1], clientIds: ['x'], listIds: [1], listenKeys: ['k'] }));
  return s;
};

const PRICES: Record<string, readonly string[]> = {
  BTCUSDT: ['29990', '30000', '30010', '29000', '31000'],
  ETHUSDT: ['2000', '2001.5'],
  BNBUSDT: ['300', '300.1'],
  ETHBTC: ['0.06', '0.05999'],
};
const wrongDecimal = () => pick(['0', '-1', '1e5', '0.000000001', '99999999999999999999', '1.', '.5', 'NaN', 'abc']);
const wrongInteger = () => pick(['-1', '0', '1.5', 'abc', '99999999999999999999', '2147483648', '1e3']);

/** A plausible value for parameter `p` (named after Binance's conventions), or a wrong one. */
function value(p: ParamSpec, symbol: string, seen: Seen): string {
  const n = p.name.toLowerCase();
  const wrong = maybe(0.08);
  switch (p.type) {
    case 'SYMBOL':
      return wrong ? pick(['NOPE', 'btcusdt', 'A'.repeat(30), 'BTC USDT']) : symbol;
    case 'SYMBOLS':
    case 'STRING_ARRAY': {
      if (wrong) return pick(['[]', '[', '["BTCUSDT","BTCUSDT"]', '[1,2]', 'BTCUSDT', '["nope"]']);
      const pool = p.values ?? SYMBOLS;
      return JSON.stringify([...new Set([pick(pool), pick(pool)])]);
    }
    case 'ENUM':
      return wrong || p.values === undefined ? pick(['BOGUS', 'gtc', '']) : pick(p.values);
    case 'BOOLEAN':
      return wrong ? pick(['yes', '1', '']) : pick(['true', 'false', 'TRUE']);
    case 'DECIMAL':
      if (wrong) return wrongDecimal();
      if (n.includes('price')) return pick(PRICES[symbol] ?? ['1']);
      if (n.includes('quoteorderqty')) return pick(['10', '100.5']);
      if (n.includes('trailingdelta')) return pick(['50', '500']);
      return pick(['0.001', '0.01', '0.1', '1']);
    case 'LONG':
    case 'INT': {
      if (wrong) return wrongInteger();
      const now = sb.clock.now();
      if (n.endsWith('time')) return String(now - pick([0, 1000, 60_000, 3_600_000, 86_400_000 * 2]));
      if (n === 'recvwindow') return pick(['5000', '60000', '60001']);
      if (n === 'orderlistid') return String(pick(seen.listIds));
      if (n.includes('orderid') || n === 'fromid')
        return String(maybe(0.8) ? pick(seen.orderIds) : 1 + Math.floor(rnd() * 50));
      if (n === 'limit') return pick(['1', '5', '100', '500', '1000', '5000', '6000']);
      if (n.includes('trailingdelta')) return pick(['50', '500']);
      if (n.includes('strategytype')) return pick(['1000000', '999999']);
      if (n.includes('pegoffsetvalue')) return pick(['0', '1', '101']);
      return String(Math.floor(rnd() * 100));
    }
    case 'CLIENT_ORDER_ID':
      return wrong ? pick(['', 'é', 'a.b', 'x'.repeat(37)]) : maybe(0.8) ? pick(seen.clientIds) : `c-${++freshIds}`;
    case 'STRING':
      if (n === 'listenkey') return pick(seen.listenKeys);
      if (n === 'interval') return pick(['1m', '1h', '1d', '2m']);
      if (n === 'windowsize') return pick(['1m', '1h', '1d', '8d', '61m']);
      if (n === 'timezone') return pick(['0', '+08:00', '-5', '15', 'abc']);
      if (n === 'type') return pick(['FULL', 'MINI', 'HUGE']);
      return wrong ? pick(['', 'x'.repeat(300), '%00']) : pick(['abc', 'x1', 'ABC_123']);
  }
}

/** The request's parameters as [name, value] pairs, in order (duplicates possible). */
function paramsFor(e: EndpointSpec, account: TestAccount): [string, string][] {
  const symbol = pick(SYMBOLS);
  const seen = seenOf(maybe(0.9) ? account : pick(accounts));
  const out: [string, string][] = [];
  for (const p of e.params) {
    if (p.name === 'timestamp' || p.name === 'signature') continue;
    if (p.required ? maybe(0.95) : maybe(0.3)) out.push([p.name, value(p, symbol, seen)]);
  }
  if (maybe(0.03)) out.push(['unknownParam', '1']);
  if (maybe(0.03) && out.length > 0) out.push(pick(out));
  return out;
}

const SIGNED = new Set(['TRADE', 'USER_DATA']);
const KEYED = new Set(['TRADE', 'USER_DATA', 'USER_STREAM', 'MARKET_DATA']);
const CODES = new Set<number>(Object.values(ErrorCode));
/** Members that hold amounts: Binance renders them as strings with 8 decimals ("0.01000000"). */
const AMOUNTS = new Set(
  `price qty quoteQty origQty executedQty cummulativeQuoteQty cumulativeQuoteQty origQuoteOrderQty stopPrice
  icebergQty preventedQty newQty free locked commission maker taker buyer seller discount bidPrice bidQty askPrice
  askQty lastPrice lastQty openPrice highPrice lowPrice prevClosePrice priceChange weightedAvgPrice volume
  quoteVolume minPrice maxPrice tickSize minQty maxQty stepSize bids asks`.split(/\s+/),
);
const AMOUNT = /^-?[0-9]+\.[0-9]{8}$/;

/** Where in `v` an amount member is not an 8-decimal string (block trades render theirs trimmed). */
function misrendered(v: unknown, key = '', out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) misrendered(x, key, out);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) misrendered(x, k, out);
  else if (AMOUNTS.has(key) && !(typeof v === 'string' && AMOUNT.test(v))) out.push(`${key}: ${JSON.stringify(v)}`);
  return out;
}
/** Members that hold times: milliseconds, or microseconds with X-MBX-TIME-UNIT: MICROSECOND. */
const TIMES = new Set(
  'time transactTime transactionTime updateTime workingTime trailingTime openTime closeTime serverTime timestamp T'.split(
    ' ',
  ),
);

/** Where in `v` a time is not in the unit asked for (kline rows hold theirs at 0 and 6; -1: none). */
function misdated(v: unknown, micro: boolean, key = '', out: string[] = []): string[] {
  const wrong = (t: unknown) => typeof t !== 'number' || (t > 0 && (micro ? t < 1e15 : t >= 1e14));
  if (Array.isArray(v)) {
    if (v.length === 12 && typeof v[0] === 'number') {
      if (wrong(v[0]) || wrong(v[6])) out.push(`kline ${JSON.stringify(v)}`);
    } else for (const x of v) misdated(x, micro, key, out);
  } else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) misdated(x, micro, k, out);
  else if (TIMES.has(key) && wrong(v)) out.push(`${key}: ${JSON.stringify(v)}`);
  return out;
}
/** Lists Binance serves oldest first, and the member that orders them (kline rows: their open time). */
const ASCENDING: Readonly<Record<string, string | number>> = {
  trades: 'id',
  historicalTrades: 'id',
  aggTrades: 'a',
  klines: 0,
  uiKlines: 0,
  myTrades: 'id',
  allOrders: 'orderId',
  'order/amendments': 'executionId',
  historicalBlockTrades: 'id',
};
function ascending(body: unknown, key: string | number): boolean {
  const list = (body as { allocations?: unknown[] }).allocations ?? (body as unknown[]);
  const keys = list.map((x) => (x as Record<string | number, number>)[key] as number);
  return keys.every((k, i) => i === 0 || k > (keys[i - 1] as number));
}
const SHOW = process.env.ENDPOINT_FUZZ_SHOW?.split(',') ?? [];

/** The request: parameters in the query string, or (sometimes, not for GET) as a form body. */
async function send(e: EndpointSpec, params: [string, string][], account: TestAccount, unit: string | undefined) {
  const q = new URLSearchParams(params);
  if (SIGNED.has(e.security)) q.append('timestamp', String(sb.clock.now()));
  const query = SIGNED.has(e.security) ? signedQuery(account, q.toString()) : q.toString();
  const headers: Record<string, string> = KEYED.has(e.security) ? { 'X-MBX-APIKEY': account.apiKey } : {};
  if (unit !== undefined) headers['X-MBX-TIME-UNIT'] = unit;
  if (e.method !== 'GET' && query !== '' && maybe(0.3)) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return request(`${sb.url}${e.path}`, { method: e.method, headers, body: query });
  }
  return request(`${sb.url}${e.path}${query === '' ? '' : `?${query}`}`, { method: e.method, headers });
}

/** Ids an answer names, for later requests to refer to. */
function remember(seen: Seen, body: unknown): void {
  if (body === null || typeof body !== 'object') return;
  if (Array.isArray(body)) {
    for (const x of body.slice(0, 5)) remember(seen, x);
    return;
  }
  const o = body as Record<string, unknown>;
  if (typeof o.orderId === 'number') seen.orderIds.push(o.orderId);
  if (typeof o.clientOrderId === 'string') seen.clientIds.push(o.clientOrderId);
  if (typeof o.listClientOrderId === 'string') seen.clientIds.push(o.listClientOrderId);
  if (typeof o.orderListId === 'number' && o.orderListId >= 0) seen.listIds.push(o.orderListId);
  if (typeof o.listenKey === 'string') seen.listenKeys.push(o.listenKey);
  for (const k of ['orders', 'orderReports', 'newOrderResponse', 'amendedOrder', 'cancelResult'] as const)
    if (o[k] !== undefined) remember(seen, o[k]);
  for (const list of [seen.orderIds, seen.clientIds, seen.listIds, seen.listenKeys])
    if (list.length > 200) list.splice(0, list.length - 100);
}

/** The weight this request must add to the 1-minute count. */
function expectedWeight(e: EndpointSpec, params: [string, string][], status: number, body: unknown): number {
  if (e.orderEntry && status === 200) {
    // an amendment is charged unless it expired the order (CL 2026-04-02)
    const amended = (body as { amendedOrder?: { status?: string } }).amendedOrder;
    return amended !== undefined && amended.status !== 'EXPIRED' ? nominal(e, params) : 0;
  }
  return nominal(e, params);
}
const nominal = (e: EndpointSpec, params: [string, string][]) =>
  typeof e.weight === 'number' ? e.weight : e.weight(Object.fromEntries(params));

describe('every endpoint of the table with random parameters (real HTTP)', () => {
  it('answers JSON or a documented error, charges the exact weight, and loses nothing', async () => {
    const engine = sb.ctx.exchange.engine;
    const held = () => unitsHeld(engine);
    const before = held();
    const outcomes = new Map<string, number>();
    const reached = new Set<EndpointSpec>();
    const succeeded = new Set<EndpointSpec>();
    let used = -1;
    for (let i = 0; i < Number(process.env.ENDPOINT_FUZZ_N ?? 2000); i++) {
      if (i % 150 === 149) {
        sb.clock.advance(61_000); // a new minute: the weight count starts again
        await restOrders();
        used = -1;
      }
      const e = pick(ENDPOINTS);
      const account = pick(accounts);
      const params = paramsFor(e, account);
      const unit = maybe(0.1) ? pick(['MICROSECOND', 'microsecond', 'MILLISECOND', 'SECOND']) : undefined;
      const res = await send(e, params, account, unit);
      const what = `${e.method} ${e.path} ${new URLSearchParams(params).toString()} → ${res.status} ${res.text.slice(0, 300)}`;
      expect(res.status, what).toBeLessThan(500);
      expect(res.text, what).not.toMatch(/at .+\.(js|ts):\d+/);
      expect(res.headers['content-type'], what).toBe('application/json;charset=UTF-8');
      const body = res.json<unknown>();
      if (res.status === 200) {
        remember(seenOf(account), body);
        if (e.path !== '/api/v3/historicalBlockTrades') expect(misrendered(body), what).toEqual([]);
        expect(misdated(body, unit?.toUpperCase() === 'MICROSECOND'), what).toEqual([]);
        const order = ASCENDING[e.path.slice('/api/v3/'.length)];
        if (order !== undefined) expect(ascending(body, order), what).toBe(true);
      } else {
        const err = body as { code: number; msg: string };
        expect(
          Object.keys(err)
            .filter((k) => k !== 'data')
            .sort(),
          what,
        ).toEqual(['code', 'msg']);
        expect(CODES.has(err.code), what).toBe(true);
        expect(err.msg.length, what).toBeGreaterThan(0);
        for (const name of namedParameters(err.msg))
          expect(e.params.some((p) => p.name === name) || params.some(([k]) => k === name), what).toBe(true);
        // an error about a value names a parameter the request sent
        const valued = valueParameter(err.msg);
        if (valued !== undefined && valued !== 'timestamp')
          expect(
            params.some(([k]) => k === valued),
            what,
          ).toBe(true);
      }
      const header = Number(res.headers['x-mbx-used-weight-1m']);
      const duplicated = new Set(params.map(([k]) => k)).size !== params.length;
      if (used >= 0 && !duplicated) expect(header - used, what).toBe(expectedWeight(e, params, res.status, body));
      used = header;
      const outcome = res.status === 200 ? 'ok' : String((body as { code: number }).code);
      if (SHOW.includes(outcome)) console.log(what);
      const key = `${e.method} ${e.path} ${outcome}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      reached.add(e);
      if (outcome === 'ok') succeeded.add(e);
    }
    if (process.env.ENDPOINT_FUZZ_SEED) console.log(JSON.stringify([...outcomes].sort()));
    // every endpoint was reached, and most answered 200 at least once (the mix is not all refusals)
    expect(ENDPOINTS.filter((e) => !reached.has(e)).map((e) => e.id)).toEqual([]);
    expect(succeeded.size, JSON.stringify([...outcomes].sort())).toBeGreaterThan(ENDPOINTS.length * 0.6);
    expect(held()).toEqual(before);
    expect((await sb.call('/api/v3/ping')).status).toBe(200);
  });
});
