/**
 * The order fuzz's random requests (test/integration/order-fuzz.test.ts, user-data-consistency.test.ts):
 * every order endpoint with random mixes of parameters — types, sides, prices near and far from the
 * book, quantities, icebergs, stops, trailing deltas, pegs, list legs, OPO lists, amends,
 * cancel-replaces, SOR orders across BTCUSDT and a BTCUSDC twin — mostly valid, sometimes not.
 */
import { expect } from 'vitest';
import { DEFAULT_SYMBOLS } from '@binance-sandbox/protocol';
import type { SandboxConfig } from '../../src/config.js';
import type { HttpResponse } from './http.js';
import { UNREACHABLE_LIMITS, type TestSandbox } from './sandbox.js';
import type { TestAccount } from './sign.js';

export type Params = Record<string, string | number>;

/** The sandbox the mix runs on: BTCUSDT and a BTCUSDC twin in one SOR group, limits out of reach. */
export const MIX_SANDBOX: Partial<SandboxConfig> = {
  rateLimits: UNREACHABLE_LIMITS,
  symbols: [...DEFAULT_SYMBOLS, { ...DEFAULT_SYMBOLS[0]!, symbol: 'BTCUSDC', quoteAsset: 'USDC' }],
  sors: [{ baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] }],
};

/** What every account of the mix starts with. */
export const MIX_BALANCES = { USDT: '1000000', USDC: '1000000', BTC: '50' } as const;

/** The four accounts the mix trades between. */
export async function mixAccounts(sb: TestSandbox): Promise<TestAccount[]> {
  const accounts: TestAccount[] = [];
  for (let i = 0; i < 4; i++) accounts.push(await sb.createAccount({ ...MIX_BALANCES }));
  return accounts;
}

export interface OrderMix {
  pick<T>(xs: readonly T[]): T;
  maybe(p: number): boolean;
  /** A random request: method, path under /api/v3, parameters (orderIds to cancel or amend from `openOrderIds`). */
  request(openOrderIds: readonly number[]): [string, string, Params];
}

/** The mix drawn from `rnd` (the same seed, the same requests). */
export function orderMix(rnd: () => number): OrderMix {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const maybe = (p: number) => rnd() < p;

  const price = () =>
    maybe(0.9)
      ? pick(['29990', '30000', '30010', '29500', '30500', '29000', '31000'])
      : pick(['30000.5', '0.01', '1000000', '30000.001', '-1', '', '1e5']);
  const qty = () =>
    maybe(0.9) ? pick(['0.001', '0.01', '0.05', '0.1']) : pick(['0.00001', '0.000001', '100', '0', 'x']);

  const PRICED = new Set(['LIMIT', 'LIMIT_MAKER', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
  const TIMED = new Set(['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
  const STOPS = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);

  /** An order's parameters for `type` (mostly right for it, sometimes not), under a prefix. */
  function orderParams(prefix: string, type: string, withType = true): Params {
    const name = (n: string) => (prefix === '' ? n : `${prefix}${n.charAt(0).toUpperCase()}${n.slice(1)}`);
    const p: Params = {};
    if (withType) p[name('type')] = type;
    const pegged = PRICED.has(type) && maybe(0.2);
    if (pegged) {
      p[name('pegPriceType')] = type === 'LIMIT_MAKER' || maybe(0.5) ? 'PRIMARY_PEG' : 'MARKET_PEG';
      if (maybe(0.3)) {
        p[name('pegOffsetType')] = 'PRICE_LEVEL';
        p[name('pegOffsetValue')] = pick([0, 1, 3, 101]);
      }
    }
    if ((PRICED.has(type) && !(pegged && maybe(0.7))) || maybe(0.05)) p[name('price')] = price();
    if (TIMED.has(type) ? maybe(0.95) : maybe(0.05)) p[name('timeInForce')] = pick(['GTC', 'GTC', 'IOC', 'FOK']);
    if (STOPS.has(type) ? maybe(0.8) : maybe(0.05)) p[name('stopPrice')] = price();
    if (STOPS.has(type) ? maybe(0.3) : maybe(0.03)) p[name('trailingDelta')] = pick([5, 50, 500, 5000]);
    if (maybe(0.1)) p[name('icebergQty')] = qty();
    return p;
  }
  const anyType = () =>
    pick([
      'LIMIT',
      'LIMIT',
      'MARKET',
      'LIMIT_MAKER',
      'STOP_LOSS',
      'STOP_LOSS_LIMIT',
      'TAKE_PROFIT',
      'TAKE_PROFIT_LIMIT',
    ]);
  const workingType = () => (maybe(0.9) ? pick(['LIMIT', 'LIMIT_MAKER']) : anyType());
  /** An OCO pair for `side` (above / below types as Binance allows them, mostly). */
  function pair(prefix: 'above' | 'below' | 'pendingAbove' | 'pendingBelow', side: string): Params {
    const up = prefix.toLowerCase().includes('above');
    const limitSide = (side === 'SELL') === up; // a SELL's limit / take-profit is above
    const type = maybe(0.9)
      ? limitSide
        ? pick(['LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'])
        : pick(['STOP_LOSS', 'STOP_LOSS_LIMIT'])
      : anyType();
    const p = orderParams(prefix, type);
    const key = `${prefix}${type === 'LIMIT_MAKER' ? 'Price' : 'StopPrice'}`;
    if (maybe(0.8)) p[key] = up ? pick(['30500', '31000']) : pick(['29000', '29500']);
    if (type.endsWith('_LIMIT') && maybe(0.8)) p[`${prefix}Price`] = p[key] ?? price();
    return p;
  }

  function request(openOrderIds: readonly number[]): [string, string, Params] {
    const side = pick(['BUY', 'SELL']);
    const other = side === 'BUY' ? 'SELL' : 'BUY';
    const symbol = 'BTCUSDT';
    const working = () => ({ ...orderParams('working', workingType()), workingSide: side, workingQuantity: qty() });
    switch (
      pick(['order', 'order', 'order', 'oco', 'oto', 'otoco', 'opo', 'opoco', 'amend', 'replace', 'cancel', 'sor'])
    ) {
      case 'sor':
        return [
          'POST',
          '/sor/order',
          { symbol, side, quantity: qty(), ...orderParams('', maybe(0.9) ? pick(['LIMIT', 'MARKET']) : anyType()) },
        ];
      case 'order': {
        const type = anyType();
        return [
          'POST',
          '/order',
          {
            symbol,
            side,
            ...(type === 'MARKET' && maybe(0.3) ? { quoteOrderQty: pick(['10', '1000']) } : { quantity: qty() }),
            ...orderParams('', type),
          },
        ];
      }
      case 'oco':
        return [
          'POST',
          '/orderList/oco',
          { symbol, side, quantity: qty(), ...pair('above', side), ...pair('below', side) },
        ];
      case 'oto':
        return [
          'POST',
          '/orderList/oto',
          { symbol, ...working(), ...orderParams('pending', anyType()), pendingSide: other, pendingQuantity: qty() },
        ];
      case 'otoco':
        return [
          'POST',
          '/orderList/otoco',
          {
            symbol,
            ...working(),
            pendingSide: other,
            pendingQuantity: qty(),
            ...pair('pendingAbove', other),
            ...pair('pendingBelow', other),
          },
        ];
      case 'opo':
        return [
          'POST',
          '/orderList/opo',
          {
            symbol,
            ...working(),
            workingSide: maybe(0.9) ? 'BUY' : 'SELL',
            ...orderParams('pending', anyType()),
            pendingSide: maybe(0.9) ? 'SELL' : 'BUY',
          },
        ];
      case 'opoco':
        return [
          'POST',
          '/orderList/opoco',
          {
            symbol,
            ...working(),
            workingSide: 'BUY',
            pendingSide: 'SELL',
            ...pair('pendingAbove', 'SELL'),
            ...pair('pendingBelow', 'SELL'),
          },
        ];
      case 'amend':
        return [
          'PUT',
          '/order/amend/keepPriority',
          { symbol, orderId: openOrderIds.length ? pick(openOrderIds) : 1, newQty: qty() },
        ];
      case 'replace': {
        const type = anyType();
        return [
          'POST',
          '/order/cancelReplace',
          {
            symbol,
            side,
            quantity: qty(),
            ...orderParams('', type),
            cancelReplaceMode: pick(['STOP_ON_FAILURE', 'ALLOW_FAILURE']),
            cancelOrderId: openOrderIds.length ? pick(openOrderIds) : 1,
          },
        ];
      }
      default:
        return ['DELETE', '/order', { symbol, orderId: openOrderIds.length ? pick(openOrderIds) : 1 }];
    }
  }

  return { pick, maybe, request };
}

/**
 * The books the mix trades against and pegs to: BTCUSDT 29 980 … 30 020, 0.5 BTC a level, one trade
 * at 30 000 (`maker` sells to `buyer`); and the same book, 5 dearer / cheaper, on BTCUSDC for SOR
 * orders to route to.
 */
export async function seedMixBooks(sb: TestSandbox, maker: TestAccount, buyer: TestAccount): Promise<void> {
  for (const [symbol, side, price] of [
    ['BTCUSDT', 'SELL', '30000'],
    ['BTCUSDT', 'BUY', '30000'],
    ['BTCUSDT', 'BUY', '29990'],
    ['BTCUSDT', 'BUY', '29980'],
    ['BTCUSDT', 'SELL', '30010'],
    ['BTCUSDT', 'SELL', '30020'],
    ['BTCUSDC', 'BUY', '29995'],
    ['BTCUSDC', 'SELL', '30005'],
    ['BTCUSDC', 'SELL', '30015'],
  ] as const) {
    const r = await sb.signed(side === 'BUY' && price === '30000' ? buyer : maker, 'POST', '/order', {
      symbol,
      side,
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.5',
      price,
    });
    expect(r.status, r.text).toBe(200);
  }
}

/** The orderIds a 200 answer placed: the order's, a cancel-replace's new order, a list's orders. */
export function placedOrderIds(body: Record<string, unknown>): number[] {
  const ids: number[] = [];
  for (const id of [
    body.orderId,
    (body.newOrderResponse as { orderId?: unknown } | undefined)?.orderId,
    ...((body.orderReports as { orderId?: unknown }[] | undefined) ?? []).map((r) => r.orderId),
  ])
    if (typeof id === 'number') ids.push(id);
  return ids;
}

export interface MixHooks {
  /** Each answer (never a 5XX: checked before). */
  answer?(request: [string, string, Params], res: HttpResponse): void;
  /** After every 100 requests, once the clock moved on a minute and a second. */
  everyHundred?(): Promise<void>;
}

/**
 * Sends `n` requests of the mix, each signed by one of `accounts`; cancels and amends pick from the
 * orders placed lately; every 100 requests the clock moves on 61 s (new minutes for the reference
 * price and klines). Returns how many were answered 200.
 */
export async function runMix(
  sb: TestSandbox,
  accounts: readonly TestAccount[],
  mix: OrderMix,
  n: number,
  hooks: MixHooks = {},
): Promise<number> {
  let orderIds: number[] = [];
  let accepted = 0;
  for (let i = 0; i < n; i++) {
    const req = mix.request(orderIds);
    const [method, path, params] = req;
    const res = await sb.signed(mix.pick(accounts), method, path, params);
    expect(
      res.status,
      `${method} ${path} ${JSON.stringify(params)} → ${res.status} ${res.text.slice(0, 300)}`,
    ).toBeLessThan(500);
    hooks.answer?.(req, res);
    if (res.status === 200) {
      accepted++;
      orderIds.push(...placedOrderIds(res.json<Record<string, unknown>>()));
    }
    if (orderIds.length > 200) orderIds = orderIds.slice(-100);
    if (i % 100 === 99) {
      sb.clock.advance(61_000);
      await hooks.everyHundred?.();
    }
  }
  return accepted;
}
