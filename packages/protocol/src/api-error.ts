/** A Binance error answer: `{"code": <negative int>, "msg": "<text>"}` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly httpStatus: number = 400,
    /** Extra `data` member (cancelReplace partial results). */
    readonly data?: unknown,
  ) {
    super(msg);
    this.name = 'ApiError';
  }

  toJSON(): { code: number; msg: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, msg: this.msg }
      : { code: this.code, msg: this.msg, data: this.data };
  }
}
