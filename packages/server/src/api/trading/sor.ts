/** POST /api/v3/sor/order and /api/v3/sor/order/test: orders placed with smart order routing. */
import type { EndpointImpl } from '../../context.js';
import { orderResponse, type PlaceOrderCommand } from '../../engine/index.js';
import { commissionForOrder, refundAndRethrow } from './order.js';
import { bool, placeCommand, respTypeOf, symbolOf } from './params.js';
import type { ApiCall } from '../../context.js';

/** The SOR order parameters (LIMIT or MARKET by quantity: no quoteOrderQty, stop, trailing or peg). */
function sorCommand(call: ApiCall): PlaceOrderCommand {
  const {
    quoteOrderQty: _q,
    stopPrice: _s,
    trailingDelta: _t,
    pegPriceType: _p,
    pegOffsetType: _o,
    pegOffsetValue: _v,
    ...cmd
  } = placeCommand(call, symbolOf(call));
  return cmd;
}

/** POST /api/v3/sor/order — RESULT / FULL (the default) / ACK, with `workingFloor` and `usedSor`. */
export const placeSorOrder: EndpointImpl = (call) => {
  const orders = call.endpoint.unfilledOrderCount ?? 1;
  try {
    const cmd = sorCommand(call);
    const respType = respTypeOf(call.params) ?? 'FULL';
    return call.ctx.exchange
      .submit('placeSorOrder', cmd, ({ order, fills }) => orderResponse(order, fills, respType, call.now))
      .catch((err: unknown) => refundAndRethrow(call, orders, err));
  } catch (err) {
    return refundAndRethrow(call, orders, err);
  }
};

/** POST /api/v3/sor/order/test — every check of sor/order but the balance; `{}` or the commission rates. */
export const testSorOrder: EndpointImpl = (call) => {
  call.ctx.exchange.engine.testSorOrder(sorCommand(call));
  if (bool(call.params, 'computeCommissionRates') !== true) return {};
  const { specialCommissionForOrder: _special, ...rates } = commissionForOrder(call);
  return rates;
};
