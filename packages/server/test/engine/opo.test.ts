/**
 * OPO / OPOCO lists (faqs/opo.md): the working BUY pays the pending SELL order(s). What it receives
 * is locked for them as it fills (commission from free funds when they cover it, else out of what was
 * received); when it is fully filled that amount, rounded down to the lot step, becomes their
 * quantity and reservation and the rest is given back; a list that ends first gives it all back.
 */
import { ErrorCode, EngineMessage, ErrorMessage, type SymbolDefinition } from '@binance-sandbox/protocol';
import { describe, expect, it } from 'vitest';
import { Exchange, type OcoLeg, type OtoLeg } from '../../src/engine/index.js';
import { BTC, bal, btcWith, err, limit } from './helpers.js';

function funded(btc: string, symbols: SymbolDefinition[] = [BTC]): Exchange {
  const ex = new Exchange(symbols);
  ex.deposit({ now: 0, accountId: 1, asset: 'USDT', amount: '100000' });
  if (btc !== '0') ex.deposit({ now: 0, accountId: 1, asset: 'BTC', amount: btc });
  ex.deposit({ now: 0, accountId: 2, asset: 'BTC', amount: '10' });
  ex.deposit({ now: 0, accountId: 3, asset: 'USDT', amount: '100000' });
  return ex;
}

const working: OtoLeg = { type: 'LIMIT', side: 'BUY', price: '30000', quantity: '0.1', timeInForce: 'GTC' };
const opo = (
  ex: Exchange,
  pending: OcoLeg & { side: 'BUY' | 'SELL' } = { type: 'LIMIT', side: 'SELL', price: '33000', timeInForce: 'GTC' },
) => ex.placeOpo({ now: 10, accountId: 1, symbol: 'BTCUSDT', working, pending });
const pendingOf = (ex: Exchange) => ex.openOrders(1, 'BTCUSDT').find((o) => o.spec.side === 'SELL');

describe('OPO', () => {
  it('locks what the working order buys, then sells exactly that (commission paid from free funds)', () => {
    const ex = funded('1');
    const placed = opo(ex);
    expect(placed.list.contingencyType).toBe('OTO');
    expect(placed.list.orders.map((o) => [o.spec.side, o.status, o.quantityPending ?? false])).toEqual([
      ['BUY', 'NEW', false],
      ['SELL', 'PENDING_NEW', true],
    ]);
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '97000.00000000', locked: '3000.00000000' });
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '1.00000000', locked: '0.00000000' });

    ex.placeOrder(limit(2, 'SELL', '30000', '0.04'));
    // 0.04 received and locked for the pending order; its 0.00004 commission came out of free BTC
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '0.99996000', locked: '0.04000000' });
    expect(pendingOf(ex)?.status).toBe('PENDING_NEW');

    const done = ex.placeOrder(limit(2, 'SELL', '30000', '0.06'));
    const pending = pendingOf(ex);
    expect(pending).toMatchObject({ status: 'NEW', isWorking: true, quantityPending: false });
    expect(pending?.spec.origQty).toBe(0.1e8);
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '0.99990000', locked: '0.10000000' });
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '97000.00000000', locked: '0.00000000' });
    expect(done.events.filter((e) => e.type === 'execution').map((e) => [e.order.side, e.executionType])).toEqual([
      ['SELL', 'NEW'],
      ['BUY', 'TRADE'],
      ['SELL', 'TRADE'],
      ['SELL', 'NEW'],
    ]);
    // the pending order sells it: everything bought is gone, nothing is left locked
    ex.placeOrder(limit(3, 'BUY', '33000', '0.1'));
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '0.99990000', locked: '0.00000000' });
    expect(ex.allOrders(1, 'BTCUSDT').map((o) => o.status)).toEqual(['FILLED', 'FILLED']);
  });

  it('without free funds for the commission, sells what was received net of it', () => {
    const ex = funded('0');
    opo(ex);
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1'));
    expect(pendingOf(ex)?.spec.origQty).toBe(0.0999e8);
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '0.00000000', locked: '0.09990000' });
  });

  it('rounds the quantity down to the lot step and gives the rest back', () => {
    const coarse = btcWith([{ filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '9000', stepSize: '0.001' }]);
    const ex = funded('0', [coarse]);
    opo(ex);
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1'));
    expect(pendingOf(ex)?.spec.origQty).toBe(0.099e8);
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '0.00090000', locked: '0.09900000' });
  });

  it('expires the pending order when its quantity fails a filter, giving everything back', () => {
    const ex = funded('0');
    ex.placeOpo({
      now: 10,
      accountId: 1,
      symbol: 'BTCUSDT',
      working: { ...working, quantity: '0.0002' }, // 6 USDT
      pending: { type: 'LIMIT', side: 'SELL', price: '20000', timeInForce: 'GTC' }, // 0.0001998 × 20000 < 5
    });
    ex.placeOrder(limit(2, 'SELL', '30000', '0.0002'));
    expect(ex.allOrders(1, 'BTCUSDT').map((o) => o.status)).toEqual(['FILLED', 'EXPIRED']);
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '0.00019980', locked: '0.00000000' });
    expect(ex.orderLists(1, 'BTCUSDT')[0]).toMatchObject({ status: 'ALL_DONE' });
  });

  it('gives back what was received when the list is cancelled before the working order filled', () => {
    const ex = funded('1');
    const { list } = opo(ex);
    ex.placeOrder(limit(2, 'SELL', '30000', '0.03'));
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '0.99997000', locked: '0.03000000' });
    ex.cancelOrderList({ now: 20, accountId: 1, symbol: 'BTCUSDT', orderListId: list.orderListId });
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '1.02997000', locked: '0.00000000' });
    expect(bal(ex, 1, 'USDT')).toEqual({ free: '99100.00000000', locked: '0.00000000' });
  });

  it('refuses what Binance refuses', () => {
    const ex = funded('1');
    const place = (w: Partial<OtoLeg>, pendingSide: 'BUY' | 'SELL' = 'SELL') =>
      err(() =>
        ex.placeOpo({
          now: 10,
          accountId: 1,
          symbol: 'BTCUSDT',
          working: { ...working, ...w },
          pending: { type: 'LIMIT', side: pendingSide, price: '33000', timeInForce: 'GTC' },
        }),
      );
    expect(place({ side: 'SELL' })).toEqual({
      code: ErrorCode.OPO_WORKING_MUST_BE_BUY,
      msg: ErrorMessage.OPO_WORKING_MUST_BE_BUY,
    });
    expect(place({}, 'BUY')).toEqual({
      code: ErrorCode.OPO_PENDING_MUST_BE_SELL,
      msg: ErrorMessage.OPO_PENDING_MUST_BE_SELL,
    });
    const closed = funded('1', [{ ...BTC, opoAllowed: false }]);
    expect(err(() => opo(closed))).toEqual({ code: -2010, msg: EngineMessage.OPO_NOT_SUPPORTED });
    // the pending order's quantity cannot be amended before it has one
    const { list } = opo(ex);
    const pendingId = list.orders[1]?.spec.orderId as number;
    expect(
      err(() => ex.amendOrder({ now: 20, accountId: 1, symbol: 'BTCUSDT', orderId: pendingId, newQty: '0.05' })),
    ).toEqual({ code: -2038, msg: EngineMessage.AMEND_PENDING_OPO });
  });
});

describe('OPOCO', () => {
  it('the pending pair sells what the working order bought, as an OCO', () => {
    const ex = funded('0');
    ex.placeOpoco({
      now: 10,
      accountId: 1,
      symbol: 'BTCUSDT',
      working,
      pendingSide: 'SELL',
      pendingAbove: { type: 'LIMIT_MAKER', price: '33000' },
      pendingBelow: { type: 'STOP_LOSS_LIMIT', price: '27000', stopPrice: '27500', timeInForce: 'GTC' },
    });
    expect(ex.openOrders(1, 'BTCUSDT').map((o) => [o.spec.type, o.status, o.quantityPending])).toEqual([
      ['LIMIT', 'NEW', false],
      ['STOP_LOSS_LIMIT', 'PENDING_NEW', true],
      ['LIMIT_MAKER', 'PENDING_NEW', true],
    ]);
    ex.placeOrder(limit(2, 'SELL', '30000', '0.1'));
    expect(ex.openOrders(1, 'BTCUSDT').map((o) => [o.spec.type, o.status, o.spec.origQty])).toEqual([
      ['STOP_LOSS_LIMIT', 'NEW', 0.0999e8],
      ['LIMIT_MAKER', 'NEW', 0.0999e8],
    ]);
    // one reservation for the pair: what was received
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '0.00000000', locked: '0.09990000' });
    ex.placeOrder(limit(3, 'BUY', '33000', '0.0999'));
    expect(ex.allOrders(1, 'BTCUSDT').map((o) => o.status)).toEqual(['FILLED', 'EXPIRED', 'FILLED']);
    expect(bal(ex, 1, 'BTC')).toEqual({ free: '0.00000000', locked: '0.00000000' });
  });
});
