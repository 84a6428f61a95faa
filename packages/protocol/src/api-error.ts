/**
 * A Binance error answer: `{"code": <negative int>, "msg": "<text>"}` with its HTTP status.
 *
 * An ordinary answer, not a bug: built without a stack trace. Capturing one costs more than most
 * requests' whole work, and a client that floods the API with refused requests (429s, bad
 * signatures, rejected orders) would otherwise make every refusal expensive.
 */
export class ApiError extends Error {
  readonly code: number;
  readonly msg: string;
  readonly httpStatus: number;
  /** Extra `data` member (cancelReplace partial results). */
  readonly data?: unknown;

  constructor(code: number, msg: string, httpStatus = 400, data?: unknown) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(msg);
    Error.stackTraceLimit = limit;
    this.name = 'ApiError';
    this.code = code;
    this.msg = msg;
    this.httpStatus = httpStatus;
    this.data = data;
  }

  toJSON(): { code: number; msg: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, msg: this.msg }
      : { code: this.code, msg: this.msg, data: this.data };
  }
}
