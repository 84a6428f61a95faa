/** POST/DELETE/GET /api/v3/order and POST /api/v3/order/test. */
import { ApiError } from '@binance-sandbox/protocol';
import type { ApiCall, EndpointImpl } from '../../context.js';
import {
  cancelResponse,
  defaultRespType,
  formatUnits,
  orderResponseJson,
  queryOrderResponse,
  type OrderRef,
} from '../../engine/index.js';
import { JsonText } from '../../http/json-text.js';
import { accountOf, bool, int, placeCommand, refundOrders, respTypeOf, str, symbolOf } from './params.js';

/** POST /api/v3/order — ACK/RESULT/FULL (default FULL for MARKET and LIMIT, ACK otherwise). */
export const placeOrder: EndpointImpl = (call) => {
  const orders = call.endpoint.unfilledOrderCount ?? 1;
  try {
    const symbol = symbolOf(call);
    const cmd = placeCommand(call, symbol);
    const respType = respTypeOf(call.params) ?? defaultRespType(cmd.type);
    return call.ctx.exchange
      .submit(
        'placeOrder',
        cmd,
        ({ order, fills }) => new JsonText(orderResponseJson(order, fills, respType, call.now)),
      )
      .catch((err: unknown) => refundAndRethrow(call, orders, err));
  } catch (err) {
    return refundAndRethrow(call, orders, err);
  }
};

/** Only successful placements add to the unfilled order count (Binance FAQ). */
export async function refundAndRethrow(call: ApiCall, orders: number, err: unknown): Promise<never> {
  if (err instanceof ApiError) await refundOrders(call, orders);
  throw err;
}

/** Commission rates of an order/test with computeCommissionRates=true (rest-api.md shape). */
export function commissionForOrder(call: ApiCall) {
  const view = call.ctx.exchange.engine.accountView(accountOf(call));
  const zero = formatUnits(0);
  return {
    standardCommissionForOrder: { maker: formatUnits(view.makerRate), taker: formatUnits(view.takerRate) },
    specialCommissionForOrder: { maker: zero, taker: zero },
    taxCommissionForOrder: { maker: zero, taker: zero },
    discount: DISCOUNT,
  };
}

/** The sandbox applies no BNB discount (enabledForAccount false); the rate shown is Binance's standard 25 %. */
export const DISCOUNT = Object.freeze({
  enabledForAccount: false,
  enabledForSymbol: false,
  discountAsset: 'BNB',
  discount: '0.25000000',
});

/**
 * POST /api/v3/order/test — every check of POST /order except the balance (Binance's test endpoint does
 * not reach the matching engine, where balances live); nothing changes. `{}` or the commission rates.
 */
export const testOrder: EndpointImpl = (call) => {
  const symbol = symbolOf(call);
  call.ctx.exchange.engine.testOrder(placeCommand(call, symbol));
  return bool(call.params, 'computeCommissionRates') === true ? commissionForOrder(call) : {};
};

function orderRef(call: ApiCall, idName = 'orderId', clientName = 'origClientOrderId'): OrderRef {
  const orderId = int(call.params, idName);
  const origClientOrderId = str(call.params, clientName);
  return {
    ...(orderId !== undefined ? { orderId } : {}),
    ...(origClientOrderId !== undefined ? { origClientOrderId } : {}),
  };
}

/** DELETE /api/v3/order — -2011 "Unknown order sent." for unknown, closed or mismatching ids. */
export const cancelOrder: EndpointImpl = async (call) => {
  const symbol = symbolOf(call);
  const restrictions = str(call.params, 'cancelRestrictions') as 'ONLY_NEW' | 'ONLY_PARTIALLY_FILLED' | undefined;
  const newClientOrderId = str(call.params, 'newClientOrderId');
  return call.ctx.exchange.submit(
    'cancelOrder',
    {
      now: call.now,
      accountId: accountOf(call),
      symbol,
      ...orderRef(call),
      ...(newClientOrderId !== undefined ? { newClientOrderId } : {}),
      ...(restrictions !== undefined ? { cancelRestrictions: restrictions } : {}),
    },
    (r) => cancelResponse(r.order, r.cancelClientOrderId, call.now),
  );
};

/** GET /api/v3/order — -2013 unknown, -2039 orderId/origClientOrderId mismatch, -2026 archived. */
export const queryOrder: EndpointImpl = (call) => {
  const symbol = symbolOf(call);
  return queryOrderResponse(call.ctx.exchange.engine.getOrder(accountOf(call), symbol, orderRef(call), call.now));
};

export { orderRef };
