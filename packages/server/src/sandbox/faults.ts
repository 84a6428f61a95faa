/**
 * Fault injection (admin API `/sandbox/v1/faults`, SPEC §6): the next N requests matching a method,
 * path and probability are answered 5XX -1007 "execution status unknown" after (or before) the
 * request was executed, are delayed, or — for order/cancelReplace — fail halfway (409).
 *
 * Probabilities draw from a PRNG seeded with config.seed, so a run replays the same faults. Latency
 * is a real timer (setTimeout): keep the values small in tests.
 */
import { createHash } from 'node:crypto';
import { ApiError, Err, type EndpointSpec } from '@binance-sandbox/protocol';
import type { ApiCall, EndpointImpl } from '../context.js';

export type FaultEffect =
  | { readonly kind: 'unknownStatus'; readonly when: 'after' | 'before'; readonly status: 500 | 503 | 504 }
  | { readonly kind: 'latency'; readonly ms: number }
  /** cancelReplace: `fail` names the half that fails (default the new order, so the cancel succeeds). */
  | { readonly kind: 'cancelReplaceHalfway'; readonly fail: 'new' | 'cancel' };

export type FaultKind = FaultEffect['kind'];

export interface FaultMatch {
  /** Upper-case HTTP method; absent: any. */
  readonly method?: string;
  /** Exact path without query string, e.g. /api/v3/order; absent: any. */
  readonly path?: string;
  /** Chance that a matching request is affected, 0..1 (default 1). */
  readonly probability: number;
}

export interface FaultRule {
  readonly id: number;
  readonly match: FaultMatch;
  readonly effect: FaultEffect;
  /** Requests still to affect; null: unlimited. */
  remaining: number | null;
  /** Requests affected so far. */
  hits: number;
}

/** A fault specification that cannot be used; the admin API answers it with 400. */
export class FaultSpecError extends Error {}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = [500, 503, 504];
const MAX_LATENCY_MS = 60_000;

/** mulberry32 seeded from SHA-256(seed): deterministic and independent of other consumers. */
function prng(seed: string): () => number {
  let a = createHash('sha256').update(`faults:${seed}`).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function onlyKeys(what: string, o: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new FaultSpecError(`${what}: unknown field "${k}"; allowed: ${allowed.join(', ')}`);
}

function parseMatch(v: unknown): FaultMatch {
  if (v === undefined) return { probability: 1 };
  if (!isObject(v)) throw new FaultSpecError('match must be an object like {"method":"POST","path":"/api/v3/order"}');
  onlyKeys('match', v, ['method', 'path', 'probability']);
  const out: { method?: string; path?: string; probability: number } = { probability: 1 };
  if (v.method !== undefined) {
    if (typeof v.method !== 'string' || !METHODS.includes(v.method.toUpperCase()))
      throw new FaultSpecError(`match.method must be one of ${METHODS.join(', ')}`);
    out.method = v.method.toUpperCase();
  }
  if (v.path !== undefined) {
    if (typeof v.path !== 'string' || !v.path.startsWith('/'))
      throw new FaultSpecError('match.path must be a path like "/api/v3/order"');
    out.path = v.path;
  }
  if (v.probability !== undefined) {
    if (typeof v.probability !== 'number' || !(v.probability >= 0 && v.probability <= 1))
      throw new FaultSpecError('match.probability must be a number from 0 to 1');
    out.probability = v.probability;
  }
  return out;
}

function parseEffect(v: unknown): FaultEffect {
  if (!isObject(v)) throw new FaultSpecError('effect must be an object with a "kind"');
  switch (v.kind) {
    case 'unknownStatus': {
      onlyKeys('effect', v, ['kind', 'when', 'status']);
      const when = v.when ?? 'after';
      if (when !== 'after' && when !== 'before') throw new FaultSpecError('effect.when must be "after" or "before"');
      const status = v.status ?? 503;
      if (typeof status !== 'number' || !STATUSES.includes(status))
        throw new FaultSpecError('effect.status must be 500, 503 or 504');
      return { kind: 'unknownStatus', when, status: status as 500 | 503 | 504 };
    }
    case 'latency': {
      onlyKeys('effect', v, ['kind', 'ms']);
      if (typeof v.ms !== 'number' || !Number.isInteger(v.ms) || v.ms < 0 || v.ms > MAX_LATENCY_MS)
        throw new FaultSpecError(`effect.ms must be an integer from 0 to ${MAX_LATENCY_MS}`);
      return { kind: 'latency', ms: v.ms };
    }
    case 'cancelReplaceHalfway': {
      onlyKeys('effect', v, ['kind', 'fail']);
      const fail = v.fail ?? 'new';
      if (fail !== 'new' && fail !== 'cancel') throw new FaultSpecError('effect.fail must be "new" or "cancel"');
      return { kind: 'cancelReplaceHalfway', fail };
    }
    default:
      throw new FaultSpecError('effect.kind must be "unknownStatus", "latency" or "cancelReplaceHalfway"');
  }
}

/** The pipeline's kinds (the cancelReplace handler consults cancelReplaceHalfway itself). */
export const PIPELINE_FAULTS: readonly FaultKind[] = ['unknownStatus', 'latency'];

export class FaultInjector {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private readonly random: () => number;

  constructor(seed = 'binance-sandbox') {
    this.random = prng(seed);
  }

  /** Fast path: false while no fault is installed. */
  get active(): boolean {
    return this.rules.length > 0;
  }

  /** Installs a rule from the admin API's JSON body; throws FaultSpecError when invalid. */
  add(body: unknown): { id: number } {
    if (!isObject(body)) throw new FaultSpecError('body must be a JSON object');
    onlyKeys('body', body, ['match', 'count', 'effect']);
    const match = parseMatch(body.match);
    const effect = parseEffect(body.effect);
    let remaining: number | null = null;
    if (body.count !== undefined) {
      if (typeof body.count !== 'number' || !Number.isSafeInteger(body.count) || body.count < 1)
        throw new FaultSpecError('count must be a positive integer (absent: every matching request)');
      remaining = body.count;
    }
    const id = this.nextId++;
    this.rules.push({ id, match, effect, remaining, hits: 0 });
    return { id };
  }

  list(): readonly FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Removes one rule (or all); returns how many were removed. */
  clear(id?: number): number {
    const before = this.rules.length;
    this.rules = id === undefined ? [] : this.rules.filter((r) => r.id !== id);
    return before - this.rules.length;
  }

  /**
   * The effects that apply to this request, at most one per kind, in installation order; each
   * consumes one of its rule's `count`. Rules whose probability draw fails are not consumed.
   */
  match(method: string, path: string, kinds: readonly FaultKind[] = PIPELINE_FAULTS): FaultEffect[] {
    if (this.rules.length === 0) return [];
    const out: FaultEffect[] = [];
    for (const r of this.rules) {
      if (!kinds.includes(r.effect.kind) || out.some((e) => e.kind === r.effect.kind)) continue;
      if (r.match.method !== undefined && r.match.method !== method) continue;
      if (r.match.path !== undefined && r.match.path !== path) continue;
      if (r.match.probability < 1 && !(this.random() < r.match.probability)) continue;
      r.hits++;
      if (r.remaining !== null) r.remaining--;
      out.push(r.effect);
    }
    if (out.length > 0) this.rules = this.rules.filter((r) => r.remaining === null || r.remaining > 0);
    return out;
  }

  /** Waits `ms` on a real timer. */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/**
 * The REST pipeline's hook: wraps an endpoint implementation so that installed faults apply to the
 * requests that reach it (admitted, authenticated, valid). Costs one property read while no fault is
 * installed. Latency is waited before the implementation runs; unknownStatus "before" answers 5XX
 * -1007 without running it, "after" runs it (the order IS executed) and then answers 5XX -1007.
 */
export function withFaults(endpoint: EndpointSpec, impl: EndpointImpl, faults: FaultInjector): EndpointImpl {
  return (call) => {
    if (!faults.active) return impl(call);
    const effects = faults.match(endpoint.method, endpoint.path);
    return effects.length === 0 ? impl(call) : applyFaults(effects, impl, call, faults);
  };
}

async function applyFaults(
  effects: readonly FaultEffect[],
  impl: EndpointImpl,
  call: ApiCall,
  faults: FaultInjector,
): Promise<unknown> {
  for (const e of effects) if (e.kind === 'latency') await faults.delay(e.ms);
  const unknown = effects.find((e) => e.kind === 'unknownStatus');
  if (unknown === undefined) return impl(call);
  if (unknown.when === 'after') {
    try {
      await impl(call);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
  throw Err.executionUnknown(unknown.status);
}
