import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiError,
  Err,
  type EndpointSpec,
  type RawParams,
  type TypedParams,
  validateParams,
  weightOf,
} from '@binance-sandbox/protocol';
import type { ApiCall, EndpointImpl, SandboxContext } from '../context.js';
import { limitPerText, retryAfterSeconds } from '../limits/headers.js';
import type { AdmitResult } from '../limits/types.js';
import { withFaults } from '../sandbox/faults.js';
import { authenticate } from '../security/authenticate.js';
import type { LimitHeaderWriter } from './limit-headers.js';
import type { LimiterOutage } from './limiter-outage.js';
import { bodyValue } from './json-text.js';
import { parseRawParams } from './raw-params.js';
import { sendApiError, sendJson, type HeaderList } from './reply.js';
import { parseTimeUnit, toMicroseconds, type TimeUnit } from './time-unit.js';
import type { WafGate } from './waf-gate.js';

const EMPTY: RawParams = Object.freeze({});

/** What every route handler shares: the WAF, the limit-header writer, the limit store's outages. */
export interface Gateway {
  readonly ctx: SandboxContext;
  readonly waf: WafGate;
  readonly headers: LimitHeaderWriter;
  readonly outage: LimiterOutage;
}

/** The outcome of everything that happens before the limiter: typed params + account, or an error. */
interface Prepared {
  readonly raw: RawParams;
  readonly timeUnit: TimeUnit;
  readonly params: TypedParams | null;
  readonly accountId: number | null;
  readonly error: ApiError | null;
}

/**
 * The REST request flow (docs/architecture.md): WAF → raw params → authentication → validation → ONE
 * limiter round trip (IP weight + raw requests + the account's ORDERS) → handler → headers. Errors
 * found before the limiter are answered only if the limiter admits the request: a 429/418 always
 * wins, as on Binance, and a refused or invalid request still costs its weight.
 */
export function createRestHandler(endpoint: EndpointSpec, impl: EndpointImpl | undefined, gateway: Gateway) {
  const { ctx, waf, headers, outage } = gateway;
  const { limits, clock } = ctx;
  const ordersPerRequest = endpoint.unfilledOrderCount ?? 0;
  // Fault injection (admin API /sandbox/v1/faults) around the implementation; free while none is installed.
  const run = impl === undefined ? undefined : withFaults(endpoint, impl, ctx.faults);
  const validateOptions = { recvWindowMax: ctx.config.recvWindowMax };

  function prepare(req: FastifyRequest, now: number): Prepared {
    const url = req.url;
    const q = url.indexOf('?');
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const rawBody = typeof req.body === 'string' ? req.body : '';
    let raw: RawParams = EMPTY;
    let timeUnit: TimeUnit = 'MILLISECOND';
    try {
      // the parameters first, so that a refused time unit is still charged their weight; its error
      // comes before theirs
      const unit = headerValue(req.headers['x-mbx-time-unit']);
      let parsed: ReturnType<typeof parseRawParams>;
      try {
        parsed = parseRawParams(rawQuery, rawBody, endpoint.method);
      } catch (err) {
        parseTimeUnit(unit);
        throw err;
      }
      raw = parsed.params;
      timeUnit = parseTimeUnit(unit);
      const auth = authenticate(
        {
          security: endpoint.security,
          apiKeyHeader: headerValue(req.headers['x-mbx-apikey']),
          params: raw,
          rawQuery,
          rawBody: endpoint.method === 'GET' ? '' : rawBody,
          now,
          recvWindowMax: ctx.config.recvWindowMax,
        },
        ctx.accounts,
      );
      const params = validateParams(endpoint, raw, parsed.sentCount, validateOptions);
      return { raw, timeUnit, params, accountId: auth ? auth.account : null, error: null };
    } catch (err) {
      if (err instanceof ApiError) return { raw, timeUnit, params: null, accountId: null, error: err };
      throw err;
    }
  }

  /**
   * Synchronous whenever the limiter and the endpoint are (memory store, read endpoints): no Promise,
   * no microtask on the hot path. Returns a Promise only when something on the way is asynchronous.
   */
  return function handle(req: FastifyRequest, reply: FastifyReply): Promise<unknown> | undefined {
    const verdict = waf.check(req);
    if (verdict) return waf.block(req, reply, verdict);
    const now = clock.now();
    const prepared = prepare(req, now);
    const nominalWeight = weightOf(endpoint, prepared.raw);
    const willRun = prepared.error === null && impl !== undefined;
    // Successful order entry costs no weight; we charge it afterwards only if the request fails.
    const deferWeight = endpoint.orderEntry === true && willRun;
    const countOrders = willRun && ordersPerRequest > 0 && prepared.accountId !== null;
    const pending = limits.admit({
      ip: req.ip,
      weight: deferWeight ? 0 : nominalWeight,
      account: countOrders ? String(prepared.accountId) : undefined,
      orders: countOrders ? ordersPerRequest : 0,
      weightOnOrderReject: nominalWeight,
      now,
    });
    const call: Call = { req, reply, prepared, now, nominalWeight, deferWeight, countOrders };
    return pending instanceof Promise
      ? pending.then(
          (admitted) => afterAdmission(call, admitted),
          (err: unknown) => outage.refuse(reply, err),
        )
      : afterAdmission(call, pending);
  };

  function afterAdmission(call: Call, admitted: AdmitResult): Promise<unknown> | undefined {
    const { reply, prepared } = call;
    const refusal = limitRefusal(admitted, ctx);
    // cancelReplace with orderRateLimitExceededMode=CANCEL_ONLY still cancels when ORDERS refuses.
    const cancelOnly =
      refusal !== null &&
      admitted.outcome === 'orders-limited' &&
      prepared.params?.orderRateLimitExceededMode === 'CANCEL_ONLY';
    if (refusal && !cancelOnly) {
      sendApiError(reply, refusal.error, headers.weight([], admitted.usedWeight).concat(refusal.headers));
      return undefined;
    }
    if (prepared.error !== null) return finish(call, admitted, prepared.error, undefined);
    if (run === undefined) return finish(call, admitted, Err.of(-1020, 'This operation is not supported.'), undefined);
    let out: unknown;
    const params = prepared.params as TypedParams;
    const apiCall: ApiCall = refusal
      ? { endpoint, params, accountId: prepared.accountId, now: call.now, ctx, ordersRefusal: refusal.error }
      : { endpoint, params, accountId: prepared.accountId, now: call.now, ctx };
    try {
      out = run(apiCall);
    } catch (err) {
      return finish(call, admitted, asApiError(err), undefined);
    }
    if (out instanceof Promise) {
      return out.then(
        (body) => finish(call, admitted, null, body, apiCall.chargeWeightOnSuccess),
        (err) => finish(call, admitted, asApiError(err), undefined),
      );
    }
    return finish(call, admitted, null, out, apiCall.chargeWeightOnSuccess);
  }

  function finish(
    call: Call,
    admitted: AdmitResult,
    failure: ApiError | null,
    body: unknown,
    chargeOnSuccess = false,
  ): Promise<unknown> | undefined {
    // An ORDERS refusal (CANCEL_ONLY) was already charged its weight by the limiter.
    if ((failure !== null || chargeOnSuccess) && call.deferWeight && admitted.outcome === 'ok') {
      const charged = limits.charge(call.req.ip, call.nominalWeight, call.now);
      if (charged instanceof Promise)
        return charged.then(
          (used) => respond(call, admitted, used, failure, body),
          // executed already: its outcome is the answer, with the weight as admitted
          (err: unknown) => (outage.note(err), respond(call, admitted, admitted.usedWeight, failure, body)),
        );
      return respond(call, admitted, charged, failure, body);
    }
    return respond(call, admitted, admitted.usedWeight, failure, body);
  }

  function respond(
    call: Call,
    admitted: AdmitResult,
    usedWeight: readonly number[],
    failure: ApiError | null,
    body: unknown,
  ): undefined {
    const { reply, prepared } = call;
    const list = headers.weight([], usedWeight);
    if (failure !== null) {
      sendApiError(reply, failure, list);
      return undefined;
    }
    if (call.countOrders && admitted.orderCounts) headers.orders(list, admitted.orderCounts);
    sendJson(reply, 200, prepared.timeUnit === 'MICROSECOND' ? toMicroseconds(bodyValue(body)) : body, list);
    return undefined;
  }
}

/** Everything one request carries from admission to its answer. */
interface Call {
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
  readonly prepared: Prepared;
  readonly now: number;
  readonly nominalWeight: number;
  readonly deferWeight: boolean;
  readonly countOrders: boolean;
}

/** Endpoint failures are ApiErrors; anything else is a bug and goes to the 500 handler. */
function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  throw err;
}

/** 418 / 429 answers for a limiter decision, or null when the request was admitted. */
export function limitRefusal(
  admitted: AdmitResult,
  ctx: SandboxContext,
): { error: ApiError; headers: HeaderList } | null {
  const { limitTable } = ctx;
  switch (admitted.outcome) {
    case 'ok':
      return null;
    case 'banned':
      return {
        error: Err.ipBanned(admitted.bannedUntil ?? 0),
        headers: ['Retry-After', String(retryAfterSeconds(admitted.retryAfterMs ?? 0))],
      };
    case 'ip-limited': {
      const ref = admitted.limitedBy;
      const raw = ref?.type === 'RAW_REQUESTS';
      const limit = raw ? limitTable.rawRequests[ref.index] : limitTable.requestWeight[ref?.index ?? 0];
      const per = limit ? limitPerText(limit) : '1 MINUTE';
      const error = raw ? Err.tooManyRequests(limit?.limit ?? 0, per) : Err.tooMuchWeight(limit?.limit ?? 0, per);
      return { error, headers: ['Retry-After', String(retryAfterSeconds(admitted.retryAfterMs ?? 0))] };
    }
    case 'orders-limited': {
      const limit = limitTable.orders[admitted.limitedBy?.index ?? 0];
      // Binance sends no Retry-After with -1015 (SPEC §3).
      return { error: Err.tooManyOrders(limit?.limit ?? 0, limit ? limitPerText(limit) : ''), headers: [] };
    }
  }
}

export function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
