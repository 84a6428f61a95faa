/**
 * POST /api/v3/order/cancelReplace — cancel an order, then place a new one (reference notes §4.4).
 *
 * Outcome matrix: SUCCESS/SUCCESS → 200 `{cancelResult, newOrderResult, cancelResponse,
 * newOrderResponse}`; otherwise `{code, msg, data}` with that object as `data`: -2022 "Order
 * cancel-replace failed." (400) when the cancel failed and no new order was placed, else -2021 "Order
 * cancel-replace partially failed." (409). With orderRateLimitExceededMode=CANCEL_ONLY and the ORDERS
 * limit exhausted (the pipeline passes `ordersRefusal`), the cancel is still attempted, the new order
 * fails with -1015, and STOP_ON_FAILURE answers 429.
 *
 * The cancel and the new order are applied one right after the other, as one step of the engine (no
 * other command between them, as on Binance), and both answer once both are durable.
 * Parameter and filter checks of the new order run before the cancel (a plain error, nothing done);
 * engine rejections of the new order (-2010: balance, duplicate id, LIMIT_MAKER would take…) happen
 * at placement, after the cancel, and give newOrderResult FAILURE. The request adds 1 to the
 * unfilled order count whatever the outcome (FAQ: NOT_ATTEMPTED still counts).
 */
import { ApiError, Err, ErrorCode, EngineMessage, ErrorMessage } from '@binance-sandbox/protocol';
import type { EndpointImpl } from '../../context.js';
import { cancelResponse, defaultRespType, orderResponse } from '../../engine/index.js';
import type { Applied } from '../../exchange/service.js';
import { accountOf, int, placeCommand, respTypeOf, str, symbolOf } from './params.js';

type Result = 'SUCCESS' | 'FAILURE' | 'NOT_ATTEMPTED';

/** What a halfway fault makes the failing half answer. */
const FAULT_ERROR = () => Err.of(ErrorCode.SERVER_BUSY, ErrorMessage.SERVER_BUSY);

/** A half that failed before reaching the engine. */
const failed = (error: ApiError): Applied<never> => ({ ok: false, error, durable: Promise.reject(error) });

/**
 * A half's result once durable: SUCCESS with its answer, or FAILURE with the error's body (a refusal,
 * or "execution status unknown" when it could not be made durable). Anything else is a fault: thrown.
 */
async function outcome(half: Applied<unknown>): Promise<[Result, unknown]> {
  try {
    await half.durable;
    return ['SUCCESS', half.ok ? half.answer : null];
  } catch (err) {
    const error = half.ok ? Err.executionUnknown() : err;
    if (!(error instanceof ApiError)) throw error;
    return ['FAILURE', error.toJSON()];
  }
}

export const cancelReplace: EndpointImpl = async (call) => {
  const { ctx, params: p, now } = call;
  const engine = ctx.exchange.engine;
  const symbol = symbolOf(call);
  const accountId = accountOf(call);
  if (!engine.symbol(symbol).def.cancelReplaceAllowed)
    throw Err.of(ErrorCode.INVALID_MESSAGE, EngineMessage.CANCEL_REPLACE_NOT_SUPPORTED);
  const mode = str(p, 'cancelReplaceMode');
  const cancelOrderId = int(p, 'cancelOrderId');
  const cancelOrig = str(p, 'cancelOrigClientOrderId');
  if (cancelOrderId === undefined && cancelOrig === undefined)
    throw Err.eitherParam('cancelOrderId', 'cancelOrigClientOrderId');
  const place = placeCommand(call, symbol);
  try {
    engine.testOrder(place);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== ErrorCode.NEW_ORDER_REJECTED) throw err;
  }
  // a stopping sandbox refuses the whole request (not two FAILURE halves): nothing was executed
  if (ctx.exchange.halted) throw Err.serviceShuttingDown();
  const fault = ctx.faults.match(call.endpoint.method, call.endpoint.path, ['cancelReplaceHalfway'])[0];
  const failHalf = fault?.kind === 'cancelReplaceHalfway' ? fault.fail : null;

  // -- the cancel and the new order, applied together: no other command runs between them (the
  // journal records them one after the other); their answers wait for both to be durable.
  const cancelNew = str(p, 'cancelNewClientOrderId');
  const restrictions = str(p, 'cancelRestrictions') as 'ONLY_NEW' | 'ONLY_PARTIALLY_FILLED' | undefined;
  const cancel =
    failHalf === 'cancel'
      ? failed(FAULT_ERROR())
      : ctx.exchange.apply(
          'cancelOrder',
          {
            now,
            accountId,
            symbol,
            ...(cancelOrderId !== undefined ? { orderId: cancelOrderId } : {}),
            ...(cancelOrig !== undefined ? { origClientOrderId: cancelOrig } : {}),
            ...(cancelNew !== undefined ? { newClientOrderId: cancelNew } : {}),
            ...(restrictions !== undefined ? { cancelRestrictions: restrictions } : {}),
          },
          (r): unknown => cancelResponse(r.order, r.cancelClientOrderId, now),
        );
  let placed: Applied<unknown> | null = null;
  if (cancel.ok || mode !== 'STOP_ON_FAILURE') {
    const respType = respTypeOf(p) ?? defaultRespType(place.type);
    placed = call.ordersRefusal
      ? failed(call.ordersRefusal)
      : failHalf === 'new'
        ? failed(FAULT_ERROR())
        : ctx.exchange.apply('placeOrder', place, ({ order, fills }): unknown =>
            orderResponse(order, fills, respType, now),
          );
  }
  const [cancelOutcome, newOutcome] = await Promise.allSettled([outcome(cancel), placed && outcome(placed)]);
  if (cancelOutcome.status === 'rejected') throw cancelOutcome.reason;
  if (newOutcome.status === 'rejected') throw newOutcome.reason;
  const [cancelResult, cancelJson] = cancelOutcome.value;
  const [newOrderResult, newJson]: [Result, unknown] = newOutcome.value ?? ['NOT_ATTEMPTED', null];

  const data = { cancelResult, newOrderResult, cancelResponse: cancelJson, newOrderResponse: newJson };
  if (cancelResult === 'SUCCESS' && newOrderResult === 'SUCCESS') return data;
  const total = cancelResult === 'FAILURE' && newOrderResult !== 'SUCCESS';
  const code = total ? ErrorCode.CANCEL_REPLACE_FAILED : ErrorCode.CANCEL_REPLACE_PARTIALLY_FAILED;
  const msg = total ? ErrorMessage.CANCEL_REPLACE_FAILED : ErrorMessage.CANCEL_REPLACE_PARTIALLY_FAILED;
  const status = call.ordersRefusal && mode === 'STOP_ON_FAILURE' ? 429 : total ? 400 : 409;
  throw new ApiError(code, msg, status, data);
};
