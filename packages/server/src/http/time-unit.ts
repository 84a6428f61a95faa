import { ApiError, ErrorCode, ErrorMessage } from '@binance-sandbox/protocol';

export type TimeUnit = 'MILLISECOND' | 'MICROSECOND';

/** Reads the X-MBX-TIME-UNIT header (REST) or `timeUnit` URL param (WS); absent → milliseconds. */
export function parseTimeUnit(value: string | undefined): TimeUnit {
  if (value === undefined || value === '') return 'MILLISECOND';
  switch (value) {
    case 'MILLISECOND':
    case 'millisecond':
      return 'MILLISECOND';
    case 'MICROSECOND':
    case 'microsecond':
      return 'MICROSECOND';
    default:
      throw new ApiError(ErrorCode.INVALID_TIME_UNIT, ErrorMessage.INVALID_TIME_UNIT);
  }
}

/** JSON members that hold epoch-millisecond times in Binance responses and events. */
const TIME_FIELDS = new Set([
  'serverTime',
  'time',
  'transactTime',
  'transactionTime',
  'updateTime',
  'workingTime',
  'trailingTime',
  // GET referencePrice: when the reference price was valid
  'timestamp',
  'openTime',
  'closeTime',
  'authorizedSince',
  'connectedSince',
  'E',
  'T',
  'O',
  'W',
]);

/**
 * Converts a response body to microseconds. `workingTime`/`trailingTime` of -1 (not working yet) stay -1.
 * Kline rows (12-element arrays) carry times at positions 0 and 6.
 */
export function toMicroseconds(body: unknown): unknown {
  if (Array.isArray(body)) {
    if (body.length === 12 && typeof body[0] === 'number' && typeof body[6] === 'number') {
      const row = body.slice();
      row[0] = (body[0] as number) * 1000;
      row[6] = (body[6] as number) * 1000;
      return row;
    }
    return body.map(toMicroseconds);
  }
  if (body !== null && typeof body === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) {
      out[k] = TIME_FIELDS.has(k) && typeof v === 'number' && v > 0 ? v * 1000 : toMicroseconds(v);
    }
    return out;
  }
  return body;
}
