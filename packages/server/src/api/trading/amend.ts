/** PUT /api/v3/order/amend/keepPriority and GET /api/v3/order/amendments. */
import type { EndpointImpl } from '../../context.js';
import { amendmentResponse, amendResponse } from '../../engine/index.js';
import { orderRef } from './order.js';
import { accountOf, int, limitOf, str, symbolOf } from './params.js';

/**
 * Reduces an open order's quantity, keeping its priority. Free of weight (like every order entry)
 * only when the amendment expires the order; otherwise its 4 are charged after it succeeded.
 */
export const amendOrder: EndpointImpl = (call) => {
  const symbol = symbolOf(call);
  const newClientOrderId = str(call.params, 'newClientOrderId');
  return call.ctx.exchange.submit(
    'amendOrder',
    {
      now: call.now,
      accountId: accountOf(call),
      symbol,
      ...orderRef(call),
      ...(newClientOrderId !== undefined ? { newClientOrderId } : {}),
      newQty: str(call.params, 'newQty') as string,
    },
    (r) => {
      if (!r.expired) call.chargeWeightOnSuccess = true;
      return amendResponse(r);
    },
  );
};

/** The amendments of one order, oldest first (-2013 for an order the account does not have). */
export const orderAmendments: EndpointImpl = (call) => {
  const symbol = symbolOf(call);
  const list = call.ctx.exchange.engine.orderAmendments(
    accountOf(call),
    symbol,
    int(call.params, 'orderId') as number,
    int(call.params, 'fromExecutionId') ?? 0,
    limitOf(call.params, 500, 1000),
  );
  return list.map((a) => amendmentResponse(symbol, a));
};
