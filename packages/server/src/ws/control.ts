/**
 * Stream control messages: SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY,
 * with Binance's result and error frames (reference notes §8.2). Parsing (and its serde_json
 * errors, codes 2 and 3) is in serde.ts; this file validates ids and parameters and renders frames.
 *
 * Choices where the docs are silent (packages/server/src/ws/README.md):
 * - Errors echo the request's `id` when it was valid; parse errors and id errors carry `"id":null`.
 * - `id` must be present: a 64-bit signed integer, an alphanumeric string of 1–36 characters, or
 *   null; anything else (or no id) → code 2 "request ID must be an unsigned integer".
 * - SUBSCRIBE / UNSUBSCRIBE with a non-string or malformed stream → code 2 "invalid stream";
 *   the whole request is refused, nothing applied.
 * - SUBSCRIBE that would exceed the per-connection stream limit → code 2
 *   "Invalid request: too many streams" (nothing applied; the connection stays open).
 * - SET_PROPERTY: more than 2 params → "too many parameters"; first param missing / not a string →
 *   "property name must be a string"; not `combined` → code 0 "Unknown property"; value missing or
 *   not a boolean → code 1. GET_PROPERTY: more than 1 param → "too many parameters".
 * - LIST_SUBSCRIPTIONS with a non-empty params list → "too many parameters".
 */
import { parseStreamName, type ParsedStream } from './streams/index.js';
import { parseControl, SerdeError, type ControlRequest, type JsonValue } from './serde.js';

export type ControlAction =
  | { readonly kind: 'subscribe'; readonly streams: readonly ParsedStream[] }
  | { readonly kind: 'unsubscribe'; readonly streams: readonly ParsedStream[] }
  | { readonly kind: 'list' }
  | { readonly kind: 'set-combined'; readonly value: boolean }
  | { readonly kind: 'get-combined' };

export type ControlOutcome =
  | { readonly ok: true; readonly id: string; readonly action: ControlAction }
  | { readonly ok: false; readonly frame: string };

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const STRING_ID = /^[A-Za-z0-9]{1,36}$/;

export function errorFrame(code: number, msg: string, id: string = 'null'): string {
  return `{"error":{"code":${code},"msg":${JSON.stringify(msg)}},"id":${id}}`;
}

export function resultFrame(result: string, id: string): string {
  return `{"result":${result},"id":${id}}`;
}

export const INVALID_STREAM = 'Invalid request: invalid stream';
export const TOO_MANY_STREAMS = 'Invalid request: too many streams';

/** The id as it is echoed (JSON text), or null when it is not acceptable. */
export function renderId(id: JsonValue | undefined): string | null {
  if (id === undefined) return null;
  if (id === null) return 'null';
  if (typeof id === 'string') return STRING_ID.test(id) ? JSON.stringify(id) : null;
  if (typeof id === 'object' && !Array.isArray(id) && 'num' in id) {
    if (!/^-?(0|[1-9][0-9]*)$/.test(id.num)) return null;
    const v = BigInt(id.num);
    return v >= I64_MIN && v <= I64_MAX ? v.toString() : null;
  }
  return null;
}

function streamsOf(params: JsonValue[] | undefined): ParsedStream[] | null {
  const out: ParsedStream[] = [];
  for (const p of params ?? []) {
    if (typeof p !== 'string') return null;
    const parsed = parseStreamName(p);
    if (parsed === null) return null;
    out.push(parsed);
  }
  return out;
}

function decide(req: ControlRequest, id: string): ControlOutcome {
  const params = req.params;
  const fail = (code: number, msg: string): ControlOutcome => ({ ok: false, frame: errorFrame(code, msg, id) });
  switch (req.method) {
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      const streams = streamsOf(params);
      if (streams === null) return fail(2, INVALID_STREAM);
      return { ok: true, id, action: { kind: req.method === 'SUBSCRIBE' ? 'subscribe' : 'unsubscribe', streams } };
    }
    case 'LIST_SUBSCRIPTIONS':
      if (params !== undefined && params.length > 0) return fail(2, 'Invalid request: too many parameters');
      return { ok: true, id, action: { kind: 'list' } };
    case 'SET_PROPERTY':
    case 'GET_PROPERTY': {
      const set = req.method === 'SET_PROPERTY';
      const p = params ?? [];
      if (p.length > (set ? 2 : 1)) return fail(2, 'Invalid request: too many parameters');
      const name = p[0];
      if (typeof name !== 'string') return fail(2, 'Invalid request: property name must be a string');
      if (name !== 'combined') return fail(0, 'Unknown property');
      if (!set) return { ok: true, id, action: { kind: 'get-combined' } };
      const value = p[1];
      if (typeof value !== 'boolean') return fail(1, 'Invalid value type: expected Boolean');
      return { ok: true, id, action: { kind: 'set-combined', value } };
    }
  }
}

/** Parses and validates one text frame: an action to apply (then answer), or the error frame to send. */
export function handleControl(text: string | Uint8Array): ControlOutcome {
  let req: ControlRequest;
  try {
    req = parseControl(text);
  } catch (err) {
    if (!(err instanceof SerdeError)) throw err;
    return {
      ok: false,
      frame: errorFrame(err.code, `${err.code === 3 ? 'Invalid JSON' : 'Invalid request'}: ${err.detail}`),
    };
  }
  const id = renderId(req.id);
  if (id === null)
    return { ok: false, frame: errorFrame(2, 'Invalid request: request ID must be an unsigned integer') };
  return decide(req, id);
}
