/**
 * `<symbol>@referencePrice` over real WebSockets, driven by the sandbox's manual clock: silent for a
 * symbol without a reference price, then one message per 1000 ms of sandbox time with the engine's
 * reference price (ARITHMETIC_MEAN moving, prorated and running dry to `r: null`; EXTERNAL set and
 * cleared through the admin API), equal to GET referencePrice at the same time.
 *
 * Absence is shown without waiting on real time: the streams of one connection are served by the
 * same scheduler pass, so when the messages of a round are exactly the expected ones (the next
 * round's are checked just as exactly), a symbol that should be silent was silent.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig, type SandboxConfig } from '../../src/config.js';
import { limitParams, startTestSandbox, T0, type SignedParams, type TestSandbox } from '../helpers/sandbox.js';
import { closeAfterEachTest, connectWs, type Client } from '../ws/client.js';

let sb: TestSandbox;
const sockets = closeAfterEachTest(() => sb);

type Json = Record<string, unknown>;
interface Wrapped {
  stream: string;
  data: Json;
}

/** The config file's section, through the config validation. */
const { executionRules } = validateConfig({
  executionRules: {
    BTCUSDT: {
      priceRange: {
        bidLimitMultUp: '1.05',
        bidLimitMultDown: '0.95',
        askLimitMultUp: '1.05',
        askLimitMultDown: '0.95',
      },
      referencePrice: { calculationType: 'ARITHMETIC_MEAN', bucketCount: 10, bucketWidthMs: 1000 },
    },
    ETHUSDT: { referencePrice: { calculationType: 'EXTERNAL', externalCalculationId: 0 } },
    // BNBUSDT, ETHBTC: no reference price
  },
}) as Pick<SandboxConfig, 'executionRules'>;

async function start(): Promise<TestSandbox> {
  sb = await startTestSandbox({ executionRules });
  return sb;
}

const connect = (path: string): Promise<Client> => connectWs(sb.url, path, sockets);

/** Connects and also records each message's exact text. */
async function connectRaw(path: string): Promise<{ c: Client; raw: string[] }> {
  const c = await connect(path);
  const raw: string[] = [];
  c.ws.on('message', (d) => raw.push(d.toString()));
  return { c, raw };
}

/** One trade of 0.01 at `price`: a resting SELL, then a crossing BUY, both over HTTP. */
async function trade(symbol: string, price: string): Promise<void> {
  const base = symbol.replace(/USDT$/, '');
  const seller = await sb.createAccount({ [base]: '100' });
  const buyer = await sb.createAccount({ USDT: '10000000' });
  const order = (side: 'BUY' | 'SELL'): SignedParams => ({ ...limitParams(side, '0.01', price), symbol });
  const sell = await sb.signed(seller, 'POST', '/order', order('SELL'));
  expect(sell.status, sell.text).toBe(200);
  const buy = await sb.signed(buyer, 'POST', '/order', order('BUY'));
  expect(buy.status, buy.text).toBe(200);
  expect(buy.json<Json>()).toMatchObject({ status: 'FILLED' });
}

async function setExternal(body: Json): Promise<Json> {
  const res = await sb.admin('POST', '/sandbox/v1/referencePrice', body);
  expect(res.status, res.text).toBe(200);
  return res.json<Json>();
}

/** The next `n` messages of a combined connection, by stream name. */
async function round(c: Client, n: number): Promise<Record<string, Json>> {
  await c.until(() => c.messages.length >= n);
  const got = c.messages.splice(0, n) as Wrapped[];
  const out: Record<string, Json> = {};
  for (const m of got) {
    expect(out[m.stream], `two messages of ${m.stream} in one round`).toBeUndefined();
    out[m.stream] = m.data;
  }
  return out;
}

const msg = (s: string, r: string | null, t: number): Json => ({ e: 'referencePrice', s, r, t });

async function restReferencePrice(symbol: string): Promise<Json> {
  const res = await sb.call(`/api/v3/referencePrice?symbol=${symbol}`);
  expect(res.status, res.text).toBe(200);
  return res.json<Json>();
}

describe('<symbol>@referencePrice', () => {
  it('ARITHMETIC_MEAN: silent before the first trade, then every second the moving average, prorated, then null', async () => {
    const s = await start();
    const c = await connect(
      '/stream?streams=btcusdt@referencePrice/ethusdt@referencePrice/bnbusdt@referencePrice/nosuchsym@referencePrice',
    );
    const { c: single, raw } = await connectRaw('/ws/btcusdt@referencePrice');
    const micro = await connect('/ws/btcusdt@referencePrice?timeUnit=MICROSECOND');
    const BTC = 'btcusdt@referencePrice';
    const ETH = 'ethusdt@referencePrice';
    /** Advances the sandbox clock by `ms`, then expects exactly these messages (`t` = the new time). */
    const step = async (ms: number, expected: Record<string, string | null>): Promise<number> => {
      const t = s.clock.advance(ms);
      const want: Record<string, Json> = {};
      for (const [stream, r] of Object.entries(expected))
        want[stream] = msg(stream === BTC ? 'BTCUSDT' : 'ETHUSDT', r, t);
      expect(await round(c, Object.keys(want).length)).toEqual(want);
      return t;
    };

    // BNBUSDT trades but has no reference price calculation; ETHUSDT (EXTERNAL, set at T0) is the
    // metronome on the grid T0 + k·1000
    await trade('BNBUSDT', '600');
    expect(await setExternal({ symbol: 'ETHUSDT', referencePrice: '2000.5' })).toEqual({
      symbol: 'ETHUSDT',
      referencePrice: '2000.50000000',
      timestamp: T0,
    });
    const ETH_PRICE = '2000.50000000';
    expect(await round(c, 1)).toEqual({ [ETH]: msg('ETHUSDT', ETH_PRICE, T0) });
    await step(1000, { [ETH]: ETH_PRICE });
    expect(single.messages).toEqual([]);

    // the first trade, half a second later: BTCUSDT has a reference price from the next check on,
    // and its messages follow every 1000 ms from then (T0 + 500 + k·1000)
    s.clock.advance(500);
    await trade('BTCUSDT', '30000');
    const t1 = T0 + 1500;
    expect(await round(c, 1)).toEqual({ [BTC]: msg('BTCUSDT', '30000.00000000', t1) });
    await single.until(() => raw.length >= 1);
    expect(raw.splice(0)).toEqual([`{"e":"referencePrice","s":"BTCUSDT","r":"30000.00000000","t":${t1}}`]);
    expect(await micro.next()).toEqual(msg('BTCUSDT', '30000.00000000', t1 * 1000));
    expect(await restReferencePrice('BTCUSDT')).toEqual({
      symbol: 'BTCUSDT',
      referencePrice: '30000.00000000',
      timestamp: t1,
    });

    // each stream once a second, alternating; the price unchanged without a trade
    await step(500, { [ETH]: ETH_PRICE });
    await step(500, { [BTC]: '30000.00000000' });

    // a second trade (at T0 + 2500, the next bucket): the mean of the two prices at the next message
    await trade('BTCUSDT', '31000');
    await step(500, { [ETH]: ETH_PRICE });
    const t3 = await step(500, { [BTC]: '30500.00000000' });
    expect(await restReferencePrice('BTCUSDT')).toEqual({
      symbol: 'BTCUSDT',
      referencePrice: '30500.00000000',
      timestamp: t3,
    });

    // a jump of 8 s gives one message per stream, not a burst; the window (10 × 1 s, from
    // T0 + 1500) cuts the first bucket in half: (30000/2 + 31000) / 1.5 = 30666.66666666 (truncated)
    const t4 = await step(8000, { [BTC]: '30666.66666666', [ETH]: ETH_PRICE });
    expect(await restReferencePrice('BTCUSDT')).toMatchObject({ referencePrice: '30666.66666666', timestamp: t4 });

    // then each stream's next message is due on its own grid again; the first bucket is gone
    await step(500, { [ETH]: ETH_PRICE });
    await step(500, { [BTC]: '31000.00000000' });

    // no trade within the last 10 s: r is null (JSON null, not a string), and keeps coming
    await step(500, { [ETH]: ETH_PRICE });
    const t6 = await step(500, { [BTC]: null });
    expect(await restReferencePrice('BTCUSDT')).toEqual({ symbol: 'BTCUSDT', referencePrice: null, timestamp: t6 });
    await step(500, { [ETH]: ETH_PRICE });
    const t7 = await step(500, { [BTC]: null });
    await single.until(() => raw.length >= 6);
    expect(raw.slice(-2)).toEqual([
      `{"e":"referencePrice","s":"BTCUSDT","r":null,"t":${t6}}`,
      `{"e":"referencePrice","s":"BTCUSDT","r":null,"t":${t7}}`,
    ]);
    expect(raw.map((m) => (JSON.parse(m) as Json).t)).toEqual([T0 + 2500, t3, t4, T0 + 12_500, t6, t7]);
    expect([t3, t4, t6, t7]).toEqual([T0 + 3500, T0 + 11_500, T0 + 13_500, T0 + 14_500]);
  });

  it('EXTERNAL: silent until the admin API sets a price, then that price, then null once cleared', async () => {
    const s = await start();
    // BTCUSDT (ARITHMETIC_MEAN, one trade) is the metronome
    await trade('BTCUSDT', '30000.12');
    const c = await connect('/ws');
    expect(
      await c.request({ method: 'SUBSCRIBE', params: ['ethusdt@referencePrice', 'btcusdt@referencePrice'], id: 1 }),
    ).toEqual({ result: null, id: 1 });
    expect(await c.next()).toEqual(msg('BTCUSDT', '30000.12000000', T0));
    s.clock.advance(1000);
    expect(await c.next()).toEqual(msg('BTCUSDT', '30000.12000000', T0 + 1000));

    await setExternal({ symbol: 'ETHUSDT', referencePrice: '2500.01' });
    expect(await c.next()).toEqual(msg('ETHUSDT', '2500.01000000', T0 + 1000));
    s.clock.advance(1000);
    const both = [await c.next(), await c.next()];
    expect(both).toEqual(
      expect.arrayContaining([msg('ETHUSDT', '2500.01000000', T0 + 2000), msg('BTCUSDT', '30000.12000000', T0 + 2000)]),
    );

    // cleared (referencePrice absent): null from the next second on, never silent again
    expect(await setExternal({ symbol: 'ETHUSDT' })).toEqual({
      symbol: 'ETHUSDT',
      referencePrice: null,
      timestamp: T0 + 2000,
    });
    s.clock.advance(1000);
    const cleared = [await c.next(), await c.next()];
    expect(cleared).toEqual(
      expect.arrayContaining([msg('ETHUSDT', null, T0 + 3000), msg('BTCUSDT', '30000.12000000', T0 + 3000)]),
    );
    expect(await c.request({ method: 'UNSUBSCRIBE', params: ['btcusdt@referencePrice'], id: 2 })).toEqual({
      result: null,
      id: 2,
    });
    s.clock.advance(1000);
    expect(await c.next()).toEqual(msg('ETHUSDT', null, T0 + 4000));
  });
});
