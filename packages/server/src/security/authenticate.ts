/**
 * Endpoint security (reference notes §2.2–2.4): API key, timestamp / recvWindow, signature.
 *
 * Order of checks (brief; matches what Binance answers for each single fault):
 *  1. NONE → no authentication at all (an X-MBX-APIKEY header is ignored), result null.
 *  2. Every other type needs the key: header missing, blank or not 64 alphanumerics → -2014
 *     "API-key format invalid." (401); unknown key → -2015 "Invalid API-key, IP, or permissions for
 *     action." (401); TRADE with a key without trading permission → -2015 (401).
 *     MARKET_DATA and USER_STREAM stop here (key only, no signature).
 *  3. TRADE / USER_DATA: `timestamp` missing/empty → -1102 mandatory; `signature` missing/empty →
 *     -1102 mandatory; recvWindow parsed (same rules as validate.ts); then the time checks (-1021);
 *     then the signature (-1022 "Signature for this request is not valid.").
 */
import {
  DEFAULT_RECV_WINDOW,
  DEFAULT_RECV_WINDOW_MAX,
  Err,
  LEGAL_RANGE,
  parseRecvWindow,
  type RawParams,
  type SecurityType,
} from '@binance-sandbox/protocol';
import type { AccountRegistry, ApiKeyRecord } from './accounts.js';
import { isApiKeyFormat } from './accounts.js';
import { signaturePayload, verifySignature } from './signature.js';

/** CL 2024-12-09: timestamps before 2017-01-01 are rejected. */
export const MIN_TIMESTAMP_MS = 1_483_228_800_000;
/** A `timestamp` at or above this value is in microseconds (1e14 ms is year 5138; 1e14 µs is 1973). */
export const MICROSECOND_THRESHOLD = 1e14;
/** docs: accepted only while timestamp < serverTime + 1000 ms. */
const AHEAD_LIMIT_US = 1_000_000;

const INTEGER_RE = /^[0-9]{1,20}$/;
const INT64_MAX = 9_223_372_036_854_775_807n;

export interface AuthInput {
  readonly security: SecurityType;
  /** The X-MBX-APIKEY header (WS API: the `apiKey` parameter or the session's key). */
  readonly apiKeyHeader: string | undefined;
  /** Merged request parameters (transport output). */
  readonly params: RawParams;
  /** Query string as received, without '?'. */
  readonly rawQuery: string;
  /** Form body as received; '' when the transport ignored it (GET) or there was none. */
  readonly rawBody: string;
  /** Server time, epoch ms (Clock.now()). */
  readonly now: number;
  /** Largest recvWindow accepted, ms (default 60000). */
  readonly recvWindowMax?: number;
}

export interface AuthResult {
  readonly account: number;
  readonly key: ApiKeyRecord;
  /** Signed requests: the timestamp in ms (fractional when sent in µs), for recheckRecvWindow. */
  readonly timestampMs?: number;
  /** Signed requests: the effective recvWindow in ms (may carry 3 decimals). */
  readonly recvWindowMs?: number;
}

function param(params: RawParams, name: string): string | undefined {
  return Object.hasOwn(params, name) ? params[name] : undefined;
}

/**
 * `timestamp` as microseconds. Same syntax as a LONG parameter (-1100 / -1108); a value that is a
 * valid int64 but beyond JS's safe integers is far in the future (→ -1021 "ahead", returned as
 * +Infinity).
 */
function timestampMicros(value: string): number {
  if (!INTEGER_RE.test(value)) throw Err.illegalChars('timestamp', LEGAL_RANGE.INTEGER);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    if (BigInt(value) > INT64_MAX) throw Err.paramOverflow('timestamp');
    return Number.POSITIVE_INFINITY;
  }
  // choice (docs: "ms or µs", detection undocumented): magnitude-based.
  return n >= MICROSECOND_THRESHOLD ? n : n * 1000;
}

/** recvWindow in ms: default 5000 when absent, -1105 when empty, else validate.ts `parseRecvWindow`. */
function recvWindowMillis(value: string | undefined, max: number): number {
  if (value === undefined) return DEFAULT_RECV_WINDOW;
  if (value === '') throw Err.paramEmpty('recvWindow');
  return parseRecvWindow(value, max);
}

/** The time checks in µs (recvWindow has µs precision; timestamps may be µs). */
function checkTime(timestampUs: number, recvWindowMs: number, now: number, checkAhead: boolean): void {
  const nowUs = now * 1000;
  // CL 2024-12-09: before 2017-01-01 → rejected; choice: with the recvWindow message.
  if (timestampUs < MIN_TIMESTAMP_MS * 1000) throw Err.timestampOutsideRecvWindow();
  // docs: accept only if timestamp < serverTime + 1000 ms (so +999.999 ms passes, +1000 ms fails).
  if (checkAhead && timestampUs >= nowUs + AHEAD_LIMIT_US) throw Err.timestampAhead();
  // docs: accept only if serverTime - timestamp <= recvWindow (exactly recvWindow old passes).
  if (nowUs - timestampUs > Math.round(recvWindowMs * 1000)) throw Err.timestampOutsideRecvWindow();
}

/**
 * Authenticates a request against its endpoint's security type. Returns null for NONE, else the
 * account and key. Throws ApiError (-2014, -2015, -1102, -1100, -1105, -1108, -1111, -1021, -1022).
 */
export function authenticate(input: AuthInput, registry: AccountRegistry): AuthResult | null {
  const { security } = input;
  if (security === 'NONE') return null;

  const header = input.apiKeyHeader;
  if (header === undefined) throw Err.badApiKeyFormat();
  // Every registered key has the API-key format, so the format needs checking only for a miss.
  const key = registry.byApiKey(header);
  if (key === undefined) throw isApiKeyFormat(header) ? Err.rejectedApiKey() : Err.badApiKeyFormat();
  if (security === 'TRADE' && !key.permissions.trade) throw Err.rejectedApiKey();
  if (security === 'MARKET_DATA' || security === 'USER_STREAM') return { account: key.accountId, key };

  const { params } = input;
  const timestamp = param(params, 'timestamp');
  if (timestamp === undefined || timestamp === '') throw Err.mandatoryParam('timestamp');
  const signature = param(params, 'signature');
  if (signature === undefined || signature === '') throw Err.mandatoryParam('signature');
  const timestampUs = timestampMicros(timestamp);
  const recvWindowMs = recvWindowMillis(param(params, 'recvWindow'), input.recvWindowMax ?? DEFAULT_RECV_WINDOW_MAX);
  checkTime(timestampUs, recvWindowMs, input.now, true);

  if (!verifySignature(key, signaturePayload(input.rawQuery, input.rawBody), signature)) {
    throw Err.invalidSignature();
  }
  return { account: key.accountId, key, timestampMs: timestampUs / 1000, recvWindowMs };
}

/**
 * The second recvWindow check, just before the matching engine (docs §2.4; CL 2025-05-22): throws
 * -1021 "Timestamp for this request is outside of the recvWindow." when now − timestamp > recvWindow.
 * `timestampMs` may be fractional (µs precision), as AuthResult gives it.
 */
export function recheckRecvWindow(timestampMs: number, recvWindowMs: number, now: number): void {
  checkTime(Math.round(timestampMs * 1000), recvWindowMs, now, false);
}
