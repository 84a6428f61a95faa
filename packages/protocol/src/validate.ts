/**
 * Parameter validation against an endpoint's ParamSpec list, as Binance's API layer does it. Pure (no
 * I/O, no clock): shared by the REST server, the WS API and the client (which validates before
 * sending). Every rule carries a comment naming where it comes from: "docs" (errors.md / the
 * reference notes), "live" (what Binance's servers answer, as widely reported by API users), or
 * "choice" (docs silent; our decision).
 *
 * Order of checks (docs silent; live behaviour): the parameter-count rules first (-1101 / -1104), then
 * each parameter in declaration order, then the implicit `timestamp` / `recvWindow` of a signed
 * endpoint that does not declare them.
 */
import type { ApiError } from './api-error.js';
import { Err, ErrorCode, ErrorMessage } from './errors.js';
import type { ParamSpec, ParamValue, RawParams, SecurityType, TypedParams } from './types.js';

/** The `legal range` texts Binance prints in -1100 messages (live, verbatim). */
export const LEGAL_RANGE = {
  /** LONG and INT parameters. */
  INTEGER: '^[0-9]{1,20}$',
  DECIMAL: '^([0-9]{1,20})(\\.[0-9]{1,20})?$',
  SYMBOL: '^[A-Z0-9-_.]{1,20}$',
  SYMBOLS: '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$',
  /** Client order ids of every kind (live: a Binance maintainer quoting the answer, docs PR #34; FIX docs). */
  CLIENT_ORDER_ID: '^[a-zA-Z0-9-_]{1,36}$',
  /** choice: Binance's text for a bad BOOLEAN is not documented; we list the values like an ENUM. */
  BOOLEAN: 'true, false',
} as const;

/** docs: recvWindow "cannot be greater than 60000". Configurable. */
export const DEFAULT_RECV_WINDOW_MAX = 60_000;
/** docs: recvWindow defaults to 5000 ms when not sent. */
export const DEFAULT_RECV_WINDOW = 5_000;

export interface ValidateOptions {
  /** Largest recvWindow accepted (ms); default 60000. */
  readonly recvWindowMax?: number;
  /**
   * Names consumed by an outer layer and therefore "read" although no ParamSpec declares them
   * (e.g. the WS API's `apiKey`). They are not copied into the result.
   */
  readonly consumed?: readonly string[];
}

const INTEGER_RE = /^[0-9]{1,20}$/;
const DECIMAL_RE = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
/**
 * choice (Unicode symbols accepted since CL 2025-12-02, exact rule undocumented): 1–20 code points,
 * each either Binance's ASCII set [A-Z0-9-_.] or a NON-ASCII letter, combining mark or digit
 * (\p{L}\p{M}\p{N}, e.g. `这是测试币456`, `１２３４５６`). Rejected with -1100: ASCII lower case,
 * spaces, control characters, punctuation and symbols outside [-_.], and anything longer than 20.
 */
const SYMBOL_RE = /^(?:[A-Z0-9\-_.]|(?!\p{ASCII})[\p{L}\p{M}\p{N}]){1,20}$/u;
const CLIENT_ORDER_ID_RE = /^[a-zA-Z0-9\-_]{1,36}$/;
const INT32_MAX = 2_147_483_647;

/** TRADE and USER_DATA need `timestamp` + `signature` (docs §2.2; MARKET_DATA/USER_STREAM: key only). */
export function isSignedSecurity(security: SecurityType): boolean {
  return security === 'TRADE' || security === 'USER_DATA';
}

/** Codes whose message is fixed (ErrorCode and ErrorMessage entries sharing a key). */
const FIXED_MESSAGES: ReadonlyMap<number, string> = (() => {
  const map = new Map<number, string>();
  const messages = ErrorMessage as Readonly<Record<string, string>>;
  for (const [key, code] of Object.entries(ErrorCode)) {
    const msg = messages[key];
    if (msg !== undefined) map.set(code, msg);
  }
  return map;
})();

/**
 * An ENUM value outside `values`: the endpoint's dedicated code with its fixed message (docs: -1115
 * "Invalid timeInForce.", -1116, -1117, -1120, -1122, -1139, -1145, -1210, -1211, …); -1130 takes
 * the parameter name; without a dedicated code (or one we have no fixed message for): -1100 listing
 * the legal values, e.g. "legal range is 'ACK, RESULT, FULL'." (live).
 */
export function enumError(spec: ParamSpec): ApiError {
  const code = spec.enumErrorCode;
  if (code !== undefined && code !== ErrorCode.ILLEGAL_CHARS) {
    if (code === ErrorCode.INVALID_PARAMETER) return Err.invalidParameter(spec.name);
    const msg = FIXED_MESSAGES.get(code);
    if (msg !== undefined) return Err.of(code, msg);
  }
  return Err.illegalChars(spec.name, (spec.values ?? []).join(', '));
}

/**
 * LONG / INT (docs + live): digits only, 1–20 of them (no sign: "-1" is -1100 with the legal range
 * '^[0-9]{1,20}$'). Beyond the type's range → -1108 "Parameter '%s' overflowed.": INT is int32; LONG
 * is int64 on Binance, and here additionally anything beyond Number.MAX_SAFE_INTEGER (choice: we
 * return JS numbers and never round silently).
 */
export function parseIntegerParam(name: string, value: string, type: 'LONG' | 'INT' = 'LONG'): number {
  if (!INTEGER_RE.test(value)) throw Err.illegalChars(name, LEGAL_RANGE.INTEGER);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || (type === 'INT' && n > INT32_MAX)) throw Err.paramOverflow(name);
  return n;
}

/** DECIMAL (docs + live): '^([0-9]{1,20})(\.[0-9]{1,20})?$', kept as the exact string. */
export function parseDecimalParam(name: string, value: string): string {
  if (!DECIMAL_RE.test(value)) throw Err.illegalChars(name, LEGAL_RANGE.DECIMAL);
  return value;
}

/**
 * recvWindow (docs §2.4): a DECIMAL in milliseconds with at most 3 decimals (µs precision, CL
 * 2025-08-12) → more decimals: -1111 "Parameter 'recvWindow' has too much precision." (choice: docs
 * name no code; -1111 is Binance's precision error; trailing zeros count too); greater than the max
 * (60000) → -1102 "'recvWindow' contains unexpected value. Cannot be greater than 60000." (choice:
 * the current errors.md variant, not the historical -1131). Returns milliseconds (may be fractional).
 */
export function parseRecvWindow(value: string, max: number = DEFAULT_RECV_WINDOW_MAX, name = 'recvWindow'): number {
  if (!DECIMAL_RE.test(value)) throw Err.illegalChars(name, LEGAL_RANGE.DECIMAL);
  const dot = value.indexOf('.');
  if (dot !== -1 && value.length - dot - 1 > 3) throw Err.badPrecision(name);
  const n = Number(value);
  if (n > max) throw Err.greaterThan(name, max);
  return n;
}

/** SYMBOL: see SYMBOL_RE; failures → -1100 with Binance's ASCII legal range text (live). */
export function parseSymbolParam(name: string, value: string): string {
  if (!SYMBOL_RE.test(value)) throw Err.illegalChars(name, LEGAL_RANGE.SYMBOL);
  return value;
}

/**
 * A client order id (new, original, list or leg): 1–36 of [a-zA-Z0-9-_], else -1100 with that legal
 * range (live: "Illegal characters found in parameter 'newClientOrderId'; legal range is
 * '^[a-zA-Z0-9-_]{1,36}$'.", also for a period or a 37th character; the FIX docs give the same rule
 * for original and list ids).
 */
export function parseClientOrderIdParam(name: string, value: string): string {
  if (!CLIENT_ORDER_ID_RE.test(value)) throw Err.illegalChars(name, LEGAL_RANGE.CLIENT_ORDER_ID);
  return value;
}

/** Parses a JSON array of strings; anything else → -1135 "JSON sent for parameter '%s' is not valid" (docs). */
function parseJsonStringArray(name: string, value: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw Err.invalidJsonParam(name);
  }
  if (!Array.isArray(parsed)) throw Err.invalidJsonParam(name);
  for (const item of parsed) if (typeof item !== 'string') throw Err.invalidJsonParam(name);
  return parsed as string[];
}

/**
 * SYMBOLS, e.g. `["BTCUSDT","BNBBTC"]`:
 * - not a JSON array of strings → -1135 "JSON sent for parameter 'symbols' is not valid" (docs);
 * - `[]` → -1102 mandatory (choice: the brief's suggestion; docs silent);
 * - an element failing the SYMBOL rule, or JSON that is not compact (whitespace, \u escapes) → -1100
 *   with Binance's legal range '^\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\]$' (live:
 *   Binance matches that regex, so `["A", "B"]` with a space is refused);
 * - a symbol present twice → -1151 "Symbol is present multiple times in the list." (docs).
 */
export function parseSymbolsParam(name: string, value: string): string[] {
  const list = parseJsonStringArray(name, value);
  if (list.length === 0) throw Err.mandatoryParam(name);
  for (const s of list) if (!SYMBOL_RE.test(s)) throw Err.illegalChars(name, LEGAL_RANGE.SYMBOLS);
  if (JSON.stringify(list) !== value) throw Err.illegalChars(name, LEGAL_RANGE.SYMBOLS);
  if (new Set(list).size !== list.length) throw Err.of(ErrorCode.DUPLICATE_SYMBOLS, ErrorMessage.DUPLICATE_SYMBOLS);
  return list;
}

/**
 * STRING_ARRAY (permissions; docs §2.1): a JSON array (`["SPOT","MARGIN"]`) or a single bare value
 * (`SPOT`). A value starting with '[' is JSON: malformed → -1135; `[]` → -1102 (choice, as SYMBOLS).
 * Each element outside `values` (when given) → the ENUM error (case-sensitive).
 */
export function parseStringArrayParam(spec: ParamSpec, value: string): string[] {
  const list = value.charCodeAt(0) === 0x5b /* [ */ ? parseJsonStringArray(spec.name, value) : [value];
  if (list.length === 0) throw Err.mandatoryParam(spec.name);
  const values = spec.values;
  if (values !== undefined) for (const v of list) if (!values.includes(v)) throw enumError(spec);
  return list;
}

/**
 * BOOLEAN: choice (docs silent): "true"/"false" in any letter case (Binance's examples use lower
 * case; its parsers are lenient about case); anything else → -1100 "…legal range is 'true, false'.".
 */
export function parseBooleanParam(name: string, value: string): boolean {
  const lower = value.length === 4 || value.length === 5 ? value.toLowerCase() : '';
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw Err.illegalChars(name, LEGAL_RANGE.BOOLEAN);
}

/** Converts one non-empty raw value according to its spec; throws ApiError. */
function convert(spec: ParamSpec, value: string, recvWindowMax: number): ParamValue {
  // docs §2.4: recvWindow is DECIMAL ms with µs precision whatever type the table gives it.
  if (spec.name === 'recvWindow') return parseRecvWindow(value, recvWindowMax);
  switch (spec.type) {
    case 'STRING':
      return value;
    case 'CLIENT_ORDER_ID':
      return parseClientOrderIdParam(spec.name, value);
    case 'SYMBOL':
      return parseSymbolParam(spec.name, value);
    case 'SYMBOLS':
      return parseSymbolsParam(spec.name, value);
    case 'STRING_ARRAY':
      return parseStringArrayParam(spec, value);
    case 'DECIMAL':
      return parseDecimalParam(spec.name, value);
    case 'LONG':
    case 'INT':
      return parseIntegerParam(spec.name, value, spec.type);
    case 'ENUM':
      // docs §2.1: enum values are case-sensitive.
      if (spec.values === undefined || !spec.values.includes(value)) throw enumError(spec);
      return value;
    case 'BOOLEAN':
      return parseBooleanParam(spec.name, value);
  }
}

const TIMESTAMP_SPEC: ParamSpec = { name: 'timestamp', type: 'LONG', required: true };
const RECV_WINDOW_SPEC: ParamSpec = { name: 'recvWindow', type: 'DECIMAL' };

/** Per-endpoint facts derived once from its spec (cached by identity of the params array). */
interface Compiled {
  /** Declared specs followed by implicit ones (signed endpoints: timestamp, recvWindow). */
  readonly checked: readonly ParamSpec[];
  /** Every name the endpoint reads: checked names plus `signature` when signed. */
  readonly readable: readonly string[];
  /** Every readable name → its position in `checked` (−1: read but not checked, i.e. `signature`). */
  readonly positions: ReadonlyMap<string, number>;
  /**
   * The sent values by position in `checked`, filled per call (validation is synchronous): one map
   * lookup per sent name instead of probing the raw object for every declared one.
   */
  readonly sent: (string | undefined)[];
}

const compiledCache = new WeakMap<readonly ParamSpec[], { signed: Compiled; unsigned: Compiled }>();

function compile(params: readonly ParamSpec[], signed: boolean): Compiled {
  let entry = compiledCache.get(params);
  if (entry === undefined) {
    const build = (withSecurity: boolean): Compiled => {
      const names = new Set(params.map((p) => p.name));
      const checked = [...params];
      if (withSecurity) {
        if (!names.has('timestamp')) checked.push(TIMESTAMP_SPEC);
        if (!names.has('recvWindow')) checked.push(RECV_WINDOW_SPEC);
      }
      const readable = checked.map((p) => p.name);
      // Security consumes `signature` of signed endpoints (brief; live: counted as read).
      if (withSecurity && !names.has('signature')) readable.push('signature');
      const positions = new Map<string, number>(readable.map((name) => [name, -1]));
      checked.forEach((p, i) => positions.set(p.name, i));
      return { checked, readable, positions, sent: new Array<string | undefined>(checked.length).fill(undefined) };
    };
    entry = { signed: build(true), unsigned: build(false) };
    compiledCache.set(params, entry);
  }
  return signed ? entry.signed : entry.unsigned;
}

/**
 * Validates raw parameters against an endpoint's specs and returns the typed values of those sent.
 * `sentCount` is the number of distinct names the client sent (from the transport). Throws ApiError.
 * Signed endpoints (TRADE, USER_DATA) implicitly read `timestamp` (LONG, required), `recvWindow`
 * (recvWindow rule) and `signature` (consumed by security, not returned) unless they declare them.
 */
export function validateParams(
  spec: { readonly params: readonly ParamSpec[]; readonly security: SecurityType },
  raw: RawParams,
  sentCount: number,
  options: ValidateOptions = {},
): TypedParams {
  const { checked, readable, positions, sent } = compile(spec.params, isSignedSecurity(spec.security));
  const consumed = options.consumed;

  // 1. Count rules. live: an endpoint reading no parameter at all answers
  //    -1101 "Too many parameters; expected '0' and received 'N'." (e.g. /api/v3/time?x=1).
  if (readable.length === 0 && (consumed === undefined || consumed.length === 0)) {
    if (sentCount > 0) throw Err.tooManyParameters(0, sentCount);
    return {};
  }
  // live: otherwise any parameter it does not read gives -1104 "Not all sent parameters were read;
  // read 'R' parameter(s) but was sent 'S'." with R = sent parameters it read (signature included:
  // e.g. GET /order with symbol, timestamp, signature and one misspelt name → read '3' … sent '4').
  let read = 0;
  sent.fill(undefined);
  // The sent names (a handful) looked up once each: cheaper than probing raw for every declared name.
  for (const name of Object.keys(raw)) {
    const at = positions.get(name);
    if (at === undefined) continue;
    read++;
    if (at >= 0) sent[at] = raw[name];
  }
  if (consumed !== undefined) {
    for (const name of consumed) if (!readable.includes(name) && Object.hasOwn(raw, name)) read++;
  }
  if (read < sentCount) throw Err.unreadParameters(read, sentCount);

  // 2. Each parameter in declaration order.
  const out: Record<string, ParamValue> = {};
  const recvWindowMax = options.recvWindowMax ?? DEFAULT_RECV_WINDOW_MAX;
  for (let i = 0; i < checked.length; i++) {
    const p = checked[i] as ParamSpec;
    const value = sent[i];
    if (value === undefined) {
      // docs: -1102 "Mandatory parameter '%s' was not sent, was empty/null, or malformed."
      if (p.required === true) throw Err.mandatoryParam(p.name);
      continue;
    }
    if (value === '') {
      // Required but empty → the same -1102 (brief/live); optional but empty → -1105
      // "Parameter '%s' was empty." (docs).
      throw p.required === true ? Err.mandatoryParam(p.name) : Err.paramEmpty(p.name);
    }
    out[p.name] = convert(p, value, recvWindowMax);
  }
  return out;
}
