/**
 * The official connector `@binance/spot` (REST), unpatched, with only `basePath` pointed at the sandbox.
 */
import { BadRequestError, Spot, SpotRestAPI } from '@binance/spot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAgents } from '../helpers/http.js';
import { seedBtcUsdt, startCompatSandbox, startSorSandbox, type CompatSandbox, type Keys } from './sandbox.js';

let sb: CompatSandbox;
let keys: Keys;
let rest: SpotRestAPI.RestAPI;

function spotRest(k: { apiKey: string; secretKey: string }, basePath = sb.url): SpotRestAPI.RestAPI {
  return new Spot({ configurationRestAPI: { apiKey: k.apiKey, apiSecret: k.secretKey, basePath } }).restAPI;
}

beforeAll(async () => {
  sb = await startCompatSandbox();
  await seedBtcUsdt(sb);
  keys = await sb.createAccount({ USDT: '100000', BTC: '2' });
  rest = spotRest(keys);
});
afterAll(async () => {
  await sb?.close();
  closeAgents();
});

const { NewOrderSideEnum: Side, NewOrderTypeEnum: Type, NewOrderTimeInForceEnum: Tif } = SpotRestAPI;

/** A LIMIT GTC buy on BTCUSDT: quantity, then price or peg. */
const limitBuy = (quantity: number, more: Partial<SpotRestAPI.NewOrderRequest>): SpotRestAPI.NewOrderRequest => ({
  symbol: 'BTCUSDT',
  side: Side.BUY,
  type: Type.LIMIT,
  timeInForce: Tif.GTC,
  quantity,
  ...more,
});

describe('@binance/spot REST: general and market data', () => {
  it('ping, time, exchangeInfo', async () => {
    expect(await (await rest.ping()).data()).toEqual({});
    const { serverTime } = await (await rest.time()).data();
    expect(Math.abs(Number(serverTime) - Date.now())).toBeLessThan(5_000);
    const info = await (await rest.exchangeInfo({ symbol: 'BTCUSDT' })).data();
    expect(info.symbols?.map((s) => s.symbol)).toEqual(['BTCUSDT']);
    expect(info.symbols?.[0]?.filters?.find((f) => f.filterType === 'PRICE_FILTER')).toMatchObject({
      tickSize: '0.01000000',
    });
    const all = await (await rest.exchangeInfo()).data();
    expect(all.symbols?.map((s) => s.symbol).sort()).toEqual(['BNBUSDT', 'BTCUSDT', 'ETHBTC', 'ETHUSDT']);
  });

  it('historicalBlockTrades, after a block trade reported through the admin API', async () => {
    const admin = await fetch(`${sb.url}/sandbox/v1/blockTrades`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'ETHBTC', price: '0.052', qty: '5838', isBuyerMaker: true }),
    });
    expect(admin.status).toBe(200);
    const blocks = await (await rest.historicalBlockTrades({ symbol: 'ETHBTC', fromId: 1 })).data();
    expect(blocks).toEqual([
      { id: 1, price: '0.052', qty: '5838', quoteQty: '303.576', time: expect.any(Number), isBuyerMaker: true },
    ]);
  });

  it('depth, and rate-limit headers parsed into rateLimits', async () => {
    const res = await rest.depth({ symbol: 'BTCUSDT', limit: 5 });
    expect(await res.data()).toMatchObject({
      bids: [
        ['29990.00000000', '0.50000000'],
        ['29980.00000000', '0.50000000'],
      ],
      asks: [
        ['30010.00000000', '0.50000000'],
        ['30020.00000000', '0.50000000'],
      ],
    });
    expect(res.rateLimits).toContainEqual(
      expect.objectContaining({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1 }),
    );
  });

  it('getTrades, aggTrades, klines', async () => {
    const trades = await (await rest.getTrades({ symbol: 'BTCUSDT' })).data();
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({
      price: '30000.00000000',
      qty: '0.10000000',
      quoteQty: '3000.00000000',
      isBuyerMaker: false,
    });
    const agg = await (await rest.aggTrades({ symbol: 'BTCUSDT' })).data();
    expect(agg[0]).toMatchObject({ p: '30000.00000000', q: '0.10000000', T: trades[0]!.time, m: false });
    const klines = await (
      await rest.klines({ symbol: 'BTCUSDT', interval: SpotRestAPI.KlinesIntervalEnum.INTERVAL_1m })
    ).data();
    const minute = Math.floor(Number(trades[0]!.time) / 60_000) * 60_000;
    // Later minutes (if the wall clock crossed one) are flat candles without volume, as on Binance.
    expect(klines.slice(1).every((k) => k[5] === '0.00000000')).toBe(true);
    expect(klines[0]?.slice(0, 6)).toEqual([
      minute,
      '30000.00000000',
      '30000.00000000',
      '30000.00000000',
      '30000.00000000',
      '0.10000000',
    ]);
  });

  it('ticker24hr, tickerPrice, tickerBookTicker, avgPrice', async () => {
    expect(await (await rest.ticker24hr({ symbol: 'BTCUSDT' })).data()).toMatchObject({
      symbol: 'BTCUSDT',
      lastPrice: '30000.00000000',
      bidPrice: '29990.00000000',
      askPrice: '30010.00000000',
      volume: '0.10000000',
      count: 1,
    });
    expect(await (await rest.tickerPrice({ symbol: 'BTCUSDT' })).data()).toEqual({
      symbol: 'BTCUSDT',
      price: '30000.00000000',
    });
    expect(await (await rest.tickerBookTicker({ symbol: 'BTCUSDT' })).data()).toEqual({
      symbol: 'BTCUSDT',
      bidPrice: '29990.00000000',
      bidQty: '0.50000000',
      askPrice: '30010.00000000',
      askQty: '0.50000000',
    });
    expect(await (await rest.avgPrice({ symbol: 'BTCUSDT' })).data()).toMatchObject({ price: '30000.00000000' });
  });
});

describe('@binance/spot REST: trading', () => {
  let orderId = 0;

  it('newOrder LIMIT, getOrder, getOpenOrders, deleteOrder', async () => {
    const res = await rest.newOrder(limitBuy(0.01, { price: 29000 }));
    expect(res.rateLimits).toContainEqual(
      expect.objectContaining({ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, count: 1 }),
    );
    const placed = await res.data();
    expect(placed).toMatchObject({
      symbol: 'BTCUSDT',
      status: 'NEW',
      price: '29000.00000000',
      origQty: '0.01000000',
      type: 'LIMIT',
    });
    orderId = Number(placed.orderId);
    expect(await (await rest.getOrder({ symbol: 'BTCUSDT', orderId })).data()).toMatchObject({
      orderId,
      status: 'NEW',
    });
    const open = await (await rest.getOpenOrders({ symbol: 'BTCUSDT' })).data();
    expect(open.map((o) => o.orderId)).toEqual([orderId]);
    const canceled = await (await rest.deleteOrder({ symbol: 'BTCUSDT', orderId })).data();
    expect(canceled).toMatchObject({ orderId, status: 'CANCELED', origClientOrderId: placed.clientOrderId });
    expect(await (await rest.getOpenOrders({ symbol: 'BTCUSDT' })).data()).toEqual([]);
  });

  it('newOrder MARKET by quantity and by quoteOrderQty, with fills', async () => {
    const sell = await (
      await rest.newOrder({ symbol: 'BTCUSDT', side: Side.SELL, type: Type.MARKET, quantity: 0.01 })
    ).data();
    expect(sell).toMatchObject({ status: 'FILLED', executedQty: '0.01000000', cummulativeQuoteQty: '299.90000000' });
    expect(sell.fills).toEqual([
      { price: '29990.00000000', qty: '0.01000000', commission: '0.29990000', commissionAsset: 'USDT', tradeId: 2 },
    ]);
    const buy = await (
      await rest.newOrder({ symbol: 'BTCUSDT', side: Side.BUY, type: Type.MARKET, quoteOrderQty: 100 })
    ).data();
    expect(buy).toMatchObject({
      status: 'FILLED',
      executedQty: '0.00333000',
      cummulativeQuoteQty: '99.93330000',
      origQuoteOrderQty: '100.00000000',
    });
  });

  it('orderTest', async () => {
    expect(
      await (
        await rest.orderTest({
          symbol: 'BTCUSDT',
          side: SpotRestAPI.OrderTestSideEnum.BUY,
          type: SpotRestAPI.OrderTestTypeEnum.MARKET,
          quantity: 0.01,
        })
      ).data(),
    ).toEqual({});
  });

  it('getAccount, myTrades, allOrders, accountCommission, rateLimitOrder', async () => {
    const account = await (await rest.getAccount({ omitZeroBalances: true })).data();
    expect(account.balances).toEqual([
      // 100000 + 299.9 − 0.2999 − 99.9333 ; 2 − 0.01 + 0.00333 − 0.00000333
      { asset: 'USDT', free: '100199.66680000', locked: '0.00000000' },
      { asset: 'BTC', free: '1.99332667', locked: '0.00000000' },
    ]);
    const mine = await (await rest.myTrades({ symbol: 'BTCUSDT' })).data();
    expect(mine.map((t) => [t.price, t.qty, t.isBuyer, t.isMaker, t.commissionAsset])).toEqual([
      ['29990.00000000', '0.01000000', false, false, 'USDT'],
      ['30010.00000000', '0.00333000', true, false, 'BTC'],
    ]);
    const all = await (await rest.allOrders({ symbol: 'BTCUSDT' })).data();
    expect(all.map((o) => [o.type, o.side, o.status])).toEqual([
      ['LIMIT', 'BUY', 'CANCELED'],
      ['MARKET', 'SELL', 'FILLED'],
      ['MARKET', 'BUY', 'FILLED'],
    ]);
    expect(await (await rest.accountCommission({ symbol: 'BTCUSDT' })).data()).toMatchObject({
      symbol: 'BTCUSDT',
      standardCommission: { maker: '0.00100000', taker: '0.00100000' },
    });
    const counts = await (await rest.rateLimitOrder()).data();
    expect(counts.map((c) => c.rateLimitType)).toEqual(['ORDERS', 'ORDERS']);
  });

  it('errors surface as the connector error classes with the Binance code', async () => {
    const err = await rest.newOrder(limitBuy(10, { price: 29000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err).toMatchObject({ code: -2010, message: 'Account has insufficient balance for requested action.' });
    await expect(rest.getOrder({ symbol: 'BTCUSDT', orderId: 987654 })).rejects.toMatchObject({
      code: -2013,
      message: 'Order does not exist.',
    });
  });
});

describe('@binance/spot REST: pegged orders and OPO lists', () => {
  it('newOrder with pegPriceType, orderListOpo and orderListOpoco', async () => {
    const own = await sb.createAccount({ USDT: '100000' });
    const trade = spotRest(own);
    const pegged = await (
      await trade.newOrder(
        limitBuy(0.01, {
          pegPriceType: SpotRestAPI.NewOrderPegPriceTypeEnum.PRIMARY_PEG,
          pegOffsetType: SpotRestAPI.NewOrderPegOffsetTypeEnum.PRICE_LEVEL,
          pegOffsetValue: 1,
        }),
      )
    ).data();
    expect(pegged).toMatchObject({ status: 'NEW', pegPriceType: 'PRIMARY_PEG', peggedPrice: '29980.00000000' });

    const opo = await (
      await trade.orderListOpo({
        symbol: 'BTCUSDT',
        workingType: SpotRestAPI.OrderListOpoWorkingTypeEnum.LIMIT,
        workingSide: SpotRestAPI.OrderListOpoWorkingSideEnum.BUY,
        workingPrice: 29000,
        workingQuantity: 0.01,
        workingTimeInForce: SpotRestAPI.OrderListOpoWorkingTimeInForceEnum.GTC,
        pendingType: SpotRestAPI.OrderListOpoPendingTypeEnum.LIMIT_MAKER,
        pendingSide: SpotRestAPI.OrderListOpoPendingSideEnum.SELL,
        pendingPrice: 31000,
      })
    ).data();
    expect(opo.orderReports?.map((o) => [o.side, o.status])).toEqual([
      ['BUY', 'NEW'],
      ['SELL', 'PENDING_NEW'],
    ]);

    const opoco = await (
      await trade.orderListOpoco({
        symbol: 'BTCUSDT',
        workingType: SpotRestAPI.OrderListOpocoWorkingTypeEnum.LIMIT,
        workingSide: SpotRestAPI.OrderListOpocoWorkingSideEnum.BUY,
        workingPrice: 29000,
        workingQuantity: 0.01,
        workingTimeInForce: SpotRestAPI.OrderListOpocoWorkingTimeInForceEnum.GTC,
        pendingSide: SpotRestAPI.OrderListOpocoPendingSideEnum.SELL,
        pendingAboveType: SpotRestAPI.OrderListOpocoPendingAboveTypeEnum.LIMIT_MAKER,
        pendingAbovePrice: 31000,
        pendingBelowType: SpotRestAPI.OrderListOpocoPendingBelowTypeEnum.STOP_LOSS,
        pendingBelowStopPrice: 28000,
      })
    ).data();
    expect(opoco.orderReports?.map((o) => o.status)).toEqual(['NEW', 'PENDING_NEW', 'PENDING_NEW']);
  });
});

describe('@binance/spot REST: the price-range execution rule', () => {
  it('executionRules, referencePrice, referencePriceCalculation', async () => {
    const ruled = await startCompatSandbox({
      executionRules: {
        BTCUSDT: {
          priceRange: { bidLimitMultUp: '1.01', askLimitMultDown: '0.99' },
          // one hour of one-minute buckets: the seeded trade stays in the window during the test
          referencePrice: { calculationType: 'ARITHMETIC_MEAN', bucketCount: 60, bucketWidthMs: 60_000 },
        },
      },
    });
    try {
      await seedBtcUsdt(ruled);
      const client = spotRest(await ruled.createAccount({}), ruled.url);
      expect(await (await client.executionRules({ symbol: 'BTCUSDT' })).data()).toEqual({
        symbolRules: [
          {
            symbol: 'BTCUSDT',
            rules: [{ ruleType: 'PRICE_RANGE', bidLimitMultUp: '1.0100', askLimitMultDown: '0.9900' }],
          },
        ],
      });
      expect(await (await client.referencePrice({ symbol: 'BTCUSDT' })).data()).toMatchObject({
        symbol: 'BTCUSDT',
        referencePrice: '30000.00000000',
      });
      expect(await (await client.referencePriceCalculation({ symbol: 'BTCUSDT' })).data()).toEqual({
        symbol: 'BTCUSDT',
        calculationType: 'ARITHMETIC_MEAN',
        bucketCount: 60,
        bucketWidthMs: 60_000,
      });
      await expect(client.referencePrice({ symbol: 'ETHUSDT' })).rejects.toMatchObject({
        name: 'BadRequestError',
        message: "This symbol doesn't have a reference price.",
      });
    } finally {
      await ruled.close();
    }
  });
});

describe('@binance/spot REST: smart order routing', () => {
  it('sorOrder, sorOrderTest, myAllocations, exchangeInfo sors', async () => {
    const routed = await startSorSandbox();
    try {
      const client = spotRest(await routed.createAccount({ USDT: '10000' }), routed.url);
      expect((await (await client.exchangeInfo()).data()).sors).toEqual([
        { baseAsset: 'BTC', symbols: ['BTCUSDT', 'BTCUSDC'] },
      ]);
      const order = {
        symbol: 'BTCUSDT',
        side: SpotRestAPI.SorOrderSideEnum.BUY,
        type: SpotRestAPI.SorOrderTypeEnum.LIMIT,
        timeInForce: SpotRestAPI.SorOrderTimeInForceEnum.GTC,
        quantity: 0.1,
        price: 30100,
      };
      const test = {
        ...order,
        side: SpotRestAPI.SorOrderTestSideEnum.BUY,
        type: SpotRestAPI.SorOrderTestTypeEnum.LIMIT,
        timeInForce: SpotRestAPI.SorOrderTestTimeInForceEnum.GTC,
      };
      expect(await (await client.sorOrderTest(test)).data()).toEqual({});
      const placed = await (await client.sorOrder(order)).data();
      expect(placed).toMatchObject({
        status: 'FILLED',
        workingFloor: 'SOR',
        usedSor: true,
        cummulativeQuoteQty: '3000.00000000',
      });
      expect(placed.fills).toEqual([
        expect.objectContaining({
          matchType: 'ONE_PARTY_TRADE_REPORT',
          price: '30000.00000000',
          tradeId: -1,
          allocId: 0,
        }),
      ]);
      const allocations = await (await client.myAllocations({ symbol: 'BTCUSDT' })).data();
      expect(allocations).toEqual([
        expect.objectContaining({ allocationId: 0, allocationType: 'SOR', orderId: placed.orderId, qty: '0.10000000' }),
      ]);
      await expect(client.sorOrder({ ...order, symbol: 'ETHBTC', price: 0.05 })).rejects.toMatchObject({
        name: 'BadRequestError',
        message: 'This symbol has no SOR.',
      });
    } finally {
      await routed.close();
    }
  });
});

describe('@binance/spot REST: cancelReplace, OCO, amend, bulk cancel', () => {
  let trade: SpotRestAPI.RestAPI;
  beforeAll(async () => {
    const own = await sb.createAccount({ USDT: '100000', BTC: '1' });
    trade = spotRest(own);
  });

  it('orderCancelReplace STOP_ON_FAILURE replaces a resting order', async () => {
    const placed = await (await trade.newOrder(limitBuy(0.01, { price: 28000 }))).data();
    const replaced = await (
      await trade.orderCancelReplace({
        symbol: 'BTCUSDT',
        side: SpotRestAPI.OrderCancelReplaceSideEnum.BUY,
        type: SpotRestAPI.OrderCancelReplaceTypeEnum.LIMIT,
        cancelReplaceMode: SpotRestAPI.OrderCancelReplaceCancelReplaceModeEnum.STOP_ON_FAILURE,
        timeInForce: SpotRestAPI.OrderCancelReplaceTimeInForceEnum.GTC,
        quantity: 0.02,
        price: 28100,
        cancelOrderId: Number(placed.orderId),
      })
    ).data();
    expect(replaced).toMatchObject({
      cancelResult: 'SUCCESS',
      newOrderResult: 'SUCCESS',
      cancelResponse: { orderId: placed.orderId, status: 'CANCELED' },
      newOrderResponse: { status: 'NEW', price: '28100.00000000', origQty: '0.02000000' },
    });
  });

  it('orderAmendKeepPriority lowers the quantity in place; orderAmendments lists it', async () => {
    const [open] = await (await trade.getOpenOrders({ symbol: 'BTCUSDT' })).data();
    const amended = await (
      await trade.orderAmendKeepPriority({ symbol: 'BTCUSDT', orderId: Number(open!.orderId), newQty: 0.015 })
    ).data();
    expect(amended.amendedOrder).toMatchObject({ orderId: open!.orderId, qty: '0.01500000', status: 'NEW' });
    const history = await (await trade.orderAmendments({ symbol: 'BTCUSDT', orderId: Number(open!.orderId) })).data();
    expect(history.map((a) => [a.origQty, a.newQty])).toEqual([['0.02000000', '0.01500000']]);
  });

  it('orderListOco, openOrderList, deleteOrderList, allOrderList', async () => {
    const oco = await (
      await trade.orderListOco({
        symbol: 'BTCUSDT',
        side: SpotRestAPI.OrderListOcoSideEnum.SELL,
        quantity: 0.01,
        aboveType: SpotRestAPI.OrderListOcoAboveTypeEnum.LIMIT_MAKER,
        abovePrice: 32000,
        belowType: SpotRestAPI.OrderListOcoBelowTypeEnum.STOP_LOSS_LIMIT,
        belowStopPrice: 27000,
        belowPrice: 26900,
        belowTimeInForce: SpotRestAPI.OrderListOcoBelowTimeInForceEnum.GTC,
      })
    ).data();
    expect(oco).toMatchObject({ contingencyType: 'OCO', listStatusType: 'EXEC_STARTED', listOrderStatus: 'EXECUTING' });
    expect(oco.orderReports?.map((o) => [o.type, o.status])).toEqual([
      ['STOP_LOSS_LIMIT', 'NEW'],
      ['LIMIT_MAKER', 'NEW'],
    ]);
    const open = await (await trade.openOrderList()).data();
    expect(open.map((l) => l.orderListId)).toEqual([oco.orderListId]);
    const gone = await (
      await trade.deleteOrderList({ symbol: 'BTCUSDT', orderListId: Number(oco.orderListId) })
    ).data();
    expect(gone).toMatchObject({ listStatusType: 'ALL_DONE', listOrderStatus: 'ALL_DONE' });
    expect(gone.orderReports?.every((o) => o.status === 'CANCELED')).toBe(true);
    expect(await (await trade.openOrderList()).data()).toEqual([]);
    const all = await (await trade.allOrderList()).data();
    expect(all.map((l) => [l.orderListId, l.listOrderStatus])).toEqual([[oco.orderListId, 'ALL_DONE']]);
  });

  it('deleteOpenOrders cancels what is left', async () => {
    const canceled = await (await trade.deleteOpenOrders({ symbol: 'BTCUSDT' })).data();
    expect(canceled.map((o) => [o.price, o.status])).toEqual([['28100.00000000', 'CANCELED']]);
    expect(await (await trade.getOpenOrders({ symbol: 'BTCUSDT' })).data()).toEqual([]);
  });

  it('uiKlines, ticker (rolling window), tickerTradingDay', async () => {
    const ui = await (
      await trade.uiKlines({ symbol: 'BTCUSDT', interval: SpotRestAPI.UiKlinesIntervalEnum.INTERVAL_1d })
    ).data();
    const rolling = (await (
      await trade.ticker({ symbol: 'BTCUSDT', windowSize: SpotRestAPI.TickerWindowSizeEnum.WINDOW_SIZE_1h })
    ).data()) as { symbol?: string; openPrice?: string; lastPrice?: string; count?: number };
    expect(rolling).toMatchObject({ symbol: 'BTCUSDT', openPrice: '30000.00000000', count: expect.any(Number) });
    expect(ui).toHaveLength(1);
    // open, high, low, close of the day: the seeded trade, then this file's market orders
    expect(ui[0]?.slice(1, 5)).toEqual(['30000.00000000', '30010.00000000', '29990.00000000', rolling.lastPrice]);
    expect(await (await trade.tickerTradingDay({ symbol: 'BTCUSDT' })).data()).toMatchObject({
      symbol: 'BTCUSDT',
      openPrice: '30000.00000000',
    });
  });
});
