/** GET/DELETE /api/v3/openOrders and GET /api/v3/allOrders. */
import type { EndpointImpl } from '../../context.js';
import { cancelResponse, orderListResponse, queryOrderResponse } from '../../engine/index.js';
import { accountOf, int, limitOf, str, symbolOf, timeWindow } from './params.js';

/** GET /api/v3/openOrders — one symbol, or every symbol when `symbol` is absent. */
export const openOrders: EndpointImpl = (call) => {
  const symbol = str(call.params, 'symbol') === undefined ? undefined : symbolOf(call);
  return call.ctx.exchange.engine.openOrders(accountOf(call), symbol).map(queryOrderResponse);
};

/** DELETE /api/v3/openOrders — every open order and order list of the symbol; -2011 when none. */
export const cancelOpenOrders: EndpointImpl = async (call) => {
  const symbol = symbolOf(call);
  return call.ctx.exchange.submit(
    'cancelOpenOrders',
    { now: call.now, accountId: accountOf(call), symbol },
    ({ items }) =>
      items.map((item) =>
        item.kind === 'order'
          ? cancelResponse(item.order, item.cancelClientOrderId, call.now)
          : orderListResponse(item.list, 'ALL_DONE', call.now, (o) =>
              cancelResponse(o, item.cancelClientOrderId, call.now),
            ),
      ),
  );
};

/** GET /api/v3/allOrders — from `orderId` up, else the most recent; startTime–endTime at most 24 h. */
export const allOrders: EndpointImpl = (call) => {
  const symbol = symbolOf(call);
  const orderId = int(call.params, 'orderId');
  const window = timeWindow(call.params);
  return call.ctx.exchange.engine
    .allOrders(accountOf(call), symbol, {
      ...window,
      ...(orderId !== undefined ? { orderId } : {}),
      limit: limitOf(call.params),
      now: call.now,
    })
    .map(queryOrderResponse);
};
