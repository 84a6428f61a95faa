/**
 * Binance's parameter transport (reference notes §2.1, SPEC §2).
 *
 * - GET (and HEAD): the query string only; a body is ignored.
 * - POST/PUT/DELETE: the query string and/or an `application/x-www-form-urlencoded` body, any order,
 *   mixed. The caller passes the body only when its content type is form-urlencoded ('' otherwise).
 * - A name present in both the query and the body: the query's value wins, no error.
 * - The same name twice within the query, or twice within the body: -1101 "Duplicate values for a
 *   parameter detected." (names compared after decoding, so `a=1&%61=2` is a duplicate).
 * - Form decoding: '+' is a space, %XX is UTF-8. Malformed percent-encoding or invalid UTF-8:
 *   -1100 "Illegal characters found in a parameter.".
 * - Empty segments (`a=1&&b=2`, a trailing '&') are skipped; a segment without '=' is a name with an
 *   empty value (`a` → a=''); a segment with an empty name (`=x`) is kept under the name '' so that
 *   validation reports it as a parameter it does not read.
 *
 * A hand-written single-pass loop: about 2× faster than URLSearchParams (measured on Node 20: a
 * signed 9-parameter order 0.67 µs vs 1.45 µs; a percent-encoded `symbols` list 0.30 µs vs 0.50 µs),
 * and URLSearchParams silently keeps malformed `%` sequences, which Binance refuses. A string with
 * nothing to decode (no '%', no '+': the usual signed request) is split with indexOf instead, about
 * twice as fast again.
 */
import { Err, ErrorCode, ErrorMessage } from '@binance-sandbox/protocol';

export interface TransportParams {
  /**
   * Merged parameters: a plain object (much faster than a null-prototype one in V8) holding own
   * properties only; read it with Object.hasOwn, never with `in`.
   */
  readonly params: Record<string, string>;
  /** Number of distinct parameter names sent (query and body together). */
  readonly sentCount: number;
}

const AMP = 0x26; // '&'
const EQ = 0x3d; // '='
const PERCENT = 0x25; // '%'
const PLUS = 0x2b; // '+'

function illegal(): never {
  throw Err.of(ErrorCode.ILLEGAL_CHARS, ErrorMessage.ILLEGAL_CHARS);
}

/** Form-decodes `raw.slice(start, end)`; `escaped` says whether the slice holds '%' or '+'. */
function decode(raw: string, start: number, end: number, escaped: boolean): string {
  const s = raw.slice(start, end);
  if (!escaped) return s;
  const spaced = s.indexOf('+') === -1 ? s : s.replace(/\+/g, ' ');
  if (spaced.indexOf('%') === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return illegal();
  }
}

/** Own data property, also for the name `__proto__` (which plain assignment would swallow). */
function put(out: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') {
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[name] = value;
  }
}

/** Adds one parameter (the duplicate rule applies). */
function add(out: Record<string, string>, name: string, value: string): void {
  if (Object.hasOwn(out, name)) throw Err.duplicateParameter();
  put(out, name, value);
}

/**
 * parseInto for a string without '%' or '+' (the usual signed request): the segments found with
 * indexOf, which scans far faster than a loop over every character; nothing to decode.
 */
function parsePlainInto(raw: string, out: Record<string, string>): number {
  const len = raw.length;
  let added = 0;
  let start = 0;
  let eq = raw.indexOf('=');
  while (start < len) {
    let end = raw.indexOf('&', start);
    if (end === -1) end = len;
    if (end > start) {
      if (eq !== -1 && eq < start) eq = raw.indexOf('=', start);
      if (eq === -1 || eq >= end) add(out, raw.slice(start, end), '');
      else add(out, raw.slice(start, eq), raw.slice(eq + 1, end));
      added++;
    }
    start = end + 1;
  }
  return added;
}

/** Parses one form-encoded string into `out`; returns the number of names added. */
function parseInto(raw: string, out: Record<string, string>): number {
  if (raw.indexOf('%') === -1 && raw.indexOf('+') === -1) return parsePlainInto(raw, out);
  const len = raw.length;
  let added = 0;
  let start = 0;
  let eq = -1;
  let nameEscaped = false;
  let valueEscaped = false;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? raw.charCodeAt(i) : AMP;
    if (c === AMP) {
      if (i > start) {
        let name: string;
        let value: string;
        if (eq === -1) {
          name = decode(raw, start, i, nameEscaped);
          value = '';
        } else {
          name = decode(raw, start, eq, nameEscaped);
          value = decode(raw, eq + 1, i, valueEscaped);
        }
        add(out, name, value);
        added++;
      }
      start = i + 1;
      eq = -1;
      nameEscaped = false;
      valueEscaped = false;
    } else if (c === EQ) {
      if (eq === -1) eq = i;
    } else if (c === PERCENT || c === PLUS) {
      if (eq === -1) nameEscaped = true;
      else valueEscaped = true;
    }
  }
  return added;
}

/**
 * Merges the query string (without its leading '?') and the form body as Binance does; throws an
 * ApiError (-1101 duplicate, -1100 malformed encoding).
 */
export function parseRawParams(rawQuery: string, rawBody: string, method: string): TransportParams {
  const params: Record<string, string> = {};
  let sentCount = rawQuery.length === 0 ? 0 : parseInto(rawQuery, params);
  if (rawBody.length === 0 || method === 'GET' || method === 'HEAD') return { params, sentCount };
  if (sentCount === 0) return { params, sentCount: parseInto(rawBody, params) };
  const body: Record<string, string> = {};
  parseInto(rawBody, body);
  for (const name of Object.keys(body)) {
    if (Object.hasOwn(params, name)) continue; // the query string's value wins
    put(params, name, body[name] as string);
    sentCount++;
  }
  return { params, sentCount };
}
