import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api-error.js';
import { ErrorCode } from '../src/errors.js';
import type { ParamSpec, RawParams, SecurityType } from '../src/types.js';
import {
  LEGAL_RANGE,
  enumError,
  parseBooleanParam,
  parseIntegerParam,
  parseRecvWindow,
  validateParams,
} from '../src/validate.js';

type Spec = { params: readonly ParamSpec[]; security: SecurityType };

const NO_PARAMS: Spec = { params: [], security: 'NONE' };
const DEPTH: Spec = {
  params: [
    { name: 'symbol', type: 'SYMBOL', required: true },
    { name: 'limit', type: 'INT' },
  ],
  security: 'NONE',
};
const ORDER: Spec = {
  params: [
    { name: 'symbol', type: 'SYMBOL', required: true },
    { name: 'side', type: 'ENUM', required: true, values: ['BUY', 'SELL'], enumErrorCode: ErrorCode.INVALID_SIDE },
    {
      name: 'type',
      type: 'ENUM',
      required: true,
      values: ['LIMIT', 'MARKET'],
      enumErrorCode: ErrorCode.INVALID_ORDER_TYPE,
    },
    { name: 'timeInForce', type: 'ENUM', values: ['GTC', 'IOC', 'FOK'], enumErrorCode: ErrorCode.INVALID_TIF },
    { name: 'quantity', type: 'DECIMAL' },
    { name: 'price', type: 'DECIMAL' },
    { name: 'newOrderRespType', type: 'ENUM', values: ['ACK', 'RESULT', 'FULL'] },
    { name: 'newClientOrderId', type: 'CLIENT_ORDER_ID' },
    { name: 'recvWindow', type: 'DECIMAL' },
    { name: 'timestamp', type: 'LONG', required: true },
  ],
  security: 'TRADE',
};
/** A signed endpoint whose table does not list timestamp / recvWindow: they are implicit. */
const ACCOUNT_IMPLICIT: Spec = { params: [{ name: 'omitZeroBalances', type: 'BOOLEAN' }], security: 'USER_DATA' };
const TICKERS: Spec = {
  params: [
    { name: 'symbol', type: 'SYMBOL' },
    { name: 'symbols', type: 'SYMBOLS' },
  ],
  security: 'NONE',
};
const EXCHANGE_INFO: Spec = {
  params: [
    { name: 'permissions', type: 'STRING_ARRAY', values: ['SPOT', 'MARGIN', 'LEVERAGED'] },
    { name: 'showPermissionSets', type: 'BOOLEAN' },
  ],
  security: 'NONE',
};

function err(spec: Spec, raw: RawParams, sentCount = Object.keys(raw).length, max?: number) {
  try {
    validateParams(spec, raw, sentCount, max === undefined ? {} : { recvWindowMax: max });
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    const a = e as ApiError;
    expect(a.httpStatus).toBe(400);
    return a.toJSON();
  }
  throw new Error('expected an ApiError');
}
const ok = (spec: Spec, raw: RawParams, sentCount = Object.keys(raw).length) => validateParams(spec, raw, sentCount);

const illegal = (p: string, range: string) => ({
  code: -1100,
  msg: `Illegal characters found in parameter '${p}'; legal range is '${range}'.`,
});
const mandatory = (p: string) => ({
  code: -1102,
  msg: `Mandatory parameter '${p}' was not sent, was empty/null, or malformed.`,
});
const INT_RANGE = '^[0-9]{1,20}$';
const DEC_RANGE = '^([0-9]{1,20})(\\.[0-9]{1,20})?$';
const SYM_RANGE = '^[A-Z0-9-_.]{1,20}$';
const SYMS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$';

const goodOrder = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '1',
  price: '0.1',
  timestamp: '1499827319559',
};

describe('legal range texts', () => {
  it('match Binance verbatim', () => {
    expect(LEGAL_RANGE.INTEGER).toBe(INT_RANGE);
    expect(LEGAL_RANGE.DECIMAL).toBe(DEC_RANGE);
    expect(LEGAL_RANGE.SYMBOL).toBe(SYM_RANGE);
    expect(LEGAL_RANGE.SYMBOLS).toBe(SYMS_RANGE);
  });
});

describe('count rules', () => {
  it('no declared params: nothing sent → {}', () => {
    expect(ok(NO_PARAMS, {})).toEqual({});
  });

  it('no declared params: any sent → -1101 with the counts', () => {
    expect(err(NO_PARAMS, { a: '1' })).toEqual({
      code: -1101,
      msg: "Too many parameters; expected '0' and received '1'.",
    });
    expect(err(NO_PARAMS, { a: '1', b: '', c: 'x' })).toEqual({
      code: -1101,
      msg: "Too many parameters; expected '0' and received '3'.",
    });
  });

  it('a NONE endpoint does not consume signature', () => {
    expect(err(NO_PARAMS, { signature: 'x' })).toEqual({
      code: -1101,
      msg: "Too many parameters; expected '0' and received '1'.",
    });
    expect(err(DEPTH, { symbol: 'BTCUSDT', signature: 'x' })).toEqual({
      code: -1104,
      msg: "Not all sent parameters were read; read '1' parameter(s) but was sent '2'.",
    });
  });

  it('unread params → -1104 (read = sent params the endpoint reads)', () => {
    expect(err(DEPTH, { symbol: 'BTCUSDT', depth: '5' })).toEqual({
      code: -1104,
      msg: "Not all sent parameters were read; read '1' parameter(s) but was sent '2'.",
    });
  });

  it('signature counts as read on signed endpoints (python-binance #793 shape: read 3, sent 4)', () => {
    const spec: Spec = {
      params: [
        { name: 'symbol', type: 'SYMBOL', required: true },
        { name: 'orderId', type: 'LONG' },
        { name: 'recvWindow', type: 'DECIMAL' },
        { name: 'timestamp', type: 'LONG', required: true },
      ],
      security: 'USER_DATA',
    };
    expect(err(spec, { symbol: 'YFIUSDT', order_id: '871264961', timestamp: '1', signature: 'ab' })).toEqual({
      code: -1104,
      msg: "Not all sent parameters were read; read '3' parameter(s) but was sent '4'.",
    });
    const typed = ok(spec, { symbol: 'YFIUSDT', orderId: '871264961', timestamp: '1', signature: 'ab' });
    expect(typed).toEqual({ symbol: 'YFIUSDT', orderId: 871264961, timestamp: 1 });
  });

  it('count rules come before per-parameter checks', () => {
    expect(err(ORDER, { side: 'UP', foo: '1' }).code).toBe(-1104);
  });

  it('uses the transport sentCount', () => {
    expect(err(DEPTH, { symbol: 'BTCUSDT' }, 2).code).toBe(-1104);
  });

  it('consumed names (WS apiKey) are read but not returned', () => {
    const raw = { symbol: 'BTCUSDT', apiKey: 'k' };
    expect(err(DEPTH, raw).code).toBe(-1104);
    expect(validateParams(DEPTH, raw, 2, { consumed: ['apiKey'] })).toEqual({ symbol: 'BTCUSDT' });
    expect(validateParams(NO_PARAMS, { apiKey: 'k' }, 1, { consumed: ['apiKey'] })).toEqual({});
  });
});

describe('mandatory / empty', () => {
  it('required missing → -1102', () => {
    expect(err(DEPTH, {})).toEqual(mandatory('symbol'));
  });
  it('required empty → -1102', () => {
    expect(err(DEPTH, { symbol: '' })).toEqual(mandatory('symbol'));
  });
  it('optional empty → -1105', () => {
    expect(err(DEPTH, { symbol: 'BTCUSDT', limit: '' })).toEqual({ code: -1105, msg: "Parameter 'limit' was empty." });
  });
  it('declaration order decides which error is reported', () => {
    expect(err(ORDER, { side: 'BUY', type: 'LIMIT', timestamp: '1' })).toEqual(mandatory('symbol'));
    expect(err(ORDER, { symbol: 'BTCUSDT', side: 'X', type: 'Y', timestamp: '1' }).code).toBe(-1117);
    expect(err(ORDER, { ...goodOrder, timestamp: undefined as unknown as string }).code).toBe(-1102);
  });
});

describe('LONG / INT', () => {
  const spec: Spec = {
    params: [
      { name: 'orderId', type: 'LONG' },
      { name: 'limit', type: 'INT' },
    ],
    security: 'NONE',
  };
  it('digits → numbers', () => {
    expect(ok(spec, { orderId: '12345678901', limit: '007' })).toEqual({ orderId: 12345678901, limit: 7 });
    expect(ok(spec, { orderId: '0' })).toEqual({ orderId: 0 });
  });
  it.each(['-1', '+1', '1.0', '1e3', ' 1', '0x10', 'abc', '１'])('%j → -1100', (v) => {
    expect(err(spec, { orderId: v })).toEqual(illegal('orderId', INT_RANGE));
  });
  it('more than 20 digits → -1100', () => {
    expect(err(spec, { orderId: '1'.repeat(21) })).toEqual(illegal('orderId', INT_RANGE));
  });
  it('LONG: largest safe integer ok, one more → -1108', () => {
    expect(ok(spec, { orderId: '9007199254740991' })).toEqual({ orderId: 9007199254740991 });
    expect(err(spec, { orderId: '9007199254740992' })).toEqual({ code: -1108, msg: "Parameter 'orderId' overflowed." });
    expect(err(spec, { orderId: '9'.repeat(20) })).toEqual({ code: -1108, msg: "Parameter 'orderId' overflowed." });
  });
  it('INT: int32 max ok, one more → -1108', () => {
    expect(ok(spec, { limit: '2147483647' })).toEqual({ limit: 2147483647 });
    expect(err(spec, { limit: '2147483648' })).toEqual({ code: -1108, msg: "Parameter 'limit' overflowed." });
  });
  it('helper', () => {
    expect(parseIntegerParam('x', '42', 'INT')).toBe(42);
  });
});

describe('DECIMAL', () => {
  it('kept as the exact string', () => {
    expect(ok(ORDER, { ...goodOrder, quantity: '0.00100000', price: '00012.5' })).toMatchObject({
      quantity: '0.00100000',
      price: '00012.5',
    });
    expect(ok(ORDER, { ...goodOrder, quantity: '1'.repeat(20) + '.' + '9'.repeat(20) }).quantity).toBe(
      '1'.repeat(20) + '.' + '9'.repeat(20),
    );
  });
  it.each(['-1', '1.', '.5', '1e-7', '1,5', '1.2.3', ' 1', 'NaN', '1'.repeat(21), '1.' + '0'.repeat(21)])(
    '%j → -1100',
    (v) => {
      expect(err(ORDER, { ...goodOrder, price: v })).toEqual(illegal('price', DEC_RANGE));
    },
  );
});

describe('SYMBOL', () => {
  it.each(['BTCUSDT', 'A', 'BTC-USD_T.1', 'ABCDEFGHIJKLMNOPQRST', '这是测试币456', '１２３４５６', 'ÄBC'])(
    '%j ok',
    (s) => {
      expect(ok(DEPTH, { symbol: s })).toEqual({ symbol: s });
    },
  );
  it.each([
    'btcusdt',
    'BTCusdt',
    'BTC USDT',
    'BTC\u0001',
    'BTC/USDT',
    'BTC+',
    'ABCDEFGHIJKLMNOPQRSTU',
    '这'.repeat(21),
    'BTC\u00a0',
  ])('%j → -1100 with the legal range', (s) => {
    expect(err(DEPTH, { symbol: s })).toEqual(illegal('symbol', SYM_RANGE));
  });
});

describe('CLIENT_ORDER_ID', () => {
  const base = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timestamp: '1499827319559' };
  it.each(['a', 'A-b_9', '6gCrw2kRUAF9CvJDGP16IP', 'x'.repeat(36)])('%j ok', (id) => {
    expect(ok(ORDER, { ...base, newClientOrderId: id }).newClientOrderId).toBe(id);
  });
  // live: a period, a space, a 37th character, anything outside ASCII letters and digits, - and _
  it.each(['a.b', 'a b', 'x'.repeat(37), 'é', 'a:b', 'a/b', 'a+b', '\u0000'])(
    '%j → -1100 with the legal range',
    (id) => {
      expect(err(ORDER, { ...base, newClientOrderId: id })).toEqual(
        illegal('newClientOrderId', '^[a-zA-Z0-9-_]{1,36}$'),
      );
    },
  );
});

describe('SYMBOLS', () => {
  it('JSON array → string[]', () => {
    expect(ok(TICKERS, { symbols: '["BTCUSDT","BNBBTC"]' })).toEqual({ symbols: ['BTCUSDT', 'BNBBTC'] });
    expect(ok(TICKERS, { symbols: '["这是测试币456"]' })).toEqual({ symbols: ['这是测试币456'] });
  });
  it.each(['BTCUSDT', '["BTCUSDT"', '{"a":1}', '"BTCUSDT"', '[1]', '["BTCUSDT",null]', "['BTCUSDT']"])(
    'malformed %j → -1135',
    (v) => {
      expect(err(TICKERS, { symbols: v })).toEqual({
        code: -1135,
        msg: "JSON sent for parameter 'symbols' is not valid",
      });
    },
  );
  it('empty array → -1102', () => {
    expect(err(TICKERS, { symbols: '[]' })).toEqual(mandatory('symbols'));
  });
  it('duplicates → -1151', () => {
    expect(err(TICKERS, { symbols: '["BTCUSDT","BNBBTC","BTCUSDT"]' })).toEqual({
      code: -1151,
      msg: 'Symbol is present multiple times in the list.',
    });
  });
  it.each(['["btcusdt"]', '["BTCUSDT", "BNBBTC"]', '[ "BTCUSDT"]', '["BTC USDT"]', '[""]', '["\\u0042TC"]'])(
    'bad element or non-compact JSON %j → -1100 with the symbols legal range',
    (v) => {
      expect(err(TICKERS, { symbols: v })).toEqual(illegal('symbols', SYMS_RANGE));
    },
  );
});

describe('STRING_ARRAY', () => {
  it('JSON array or a single bare value', () => {
    expect(ok(EXCHANGE_INFO, { permissions: '["SPOT","MARGIN"]' })).toEqual({ permissions: ['SPOT', 'MARGIN'] });
    expect(ok(EXCHANGE_INFO, { permissions: 'SPOT' })).toEqual({ permissions: ['SPOT'] });
  });
  it('malformed JSON → -1135', () => {
    expect(err(EXCHANGE_INFO, { permissions: '["SPOT"' })).toEqual({
      code: -1135,
      msg: "JSON sent for parameter 'permissions' is not valid",
    });
  });
  it('empty array → -1102', () => {
    expect(err(EXCHANGE_INFO, { permissions: '[]' })).toEqual(mandatory('permissions'));
  });
  it('unknown value → -1100 listing the values', () => {
    expect(err(EXCHANGE_INFO, { permissions: 'spot' })).toEqual(illegal('permissions', 'SPOT, MARGIN, LEVERAGED'));
    expect(err(EXCHANGE_INFO, { permissions: '["SPOT","FUTURES"]' })).toEqual(
      illegal('permissions', 'SPOT, MARGIN, LEVERAGED'),
    );
  });
});

describe('ENUM', () => {
  it('case-sensitive', () => {
    expect(err(ORDER, { ...goodOrder, side: 'buy' })).toEqual({ code: -1117, msg: 'Invalid side.' });
  });
  it.each([
    [ErrorCode.INVALID_SIDE, 'Invalid side.'],
    [ErrorCode.INVALID_ORDER_TYPE, 'Invalid orderType.'],
    [ErrorCode.INVALID_TIF, 'Invalid timeInForce.'],
    [ErrorCode.BAD_INTERVAL, 'Invalid interval.'],
    [ErrorCode.INVALID_SYMBOLSTATUS, 'Invalid symbolStatus.'],
    [ErrorCode.INVALID_TICKER_TYPE, 'Invalid ticker type.'],
    [ErrorCode.INVALID_CANCEL_RESTRICTIONS, 'Invalid cancelRestrictions'],
    [ErrorCode.INVALID_PEG_PRICE_TYPE, 'Invalid pegPriceType.'],
    [ErrorCode.INVALID_PEG_OFFSET_TYPE, 'Invalid pegOffsetType.'],
  ])('dedicated code %i → its fixed message', (code, msg) => {
    const spec: Spec = { params: [{ name: 'x', type: 'ENUM', values: ['A'], enumErrorCode: code }], security: 'NONE' };
    expect(err(spec, { x: 'B' })).toEqual({ code, msg });
  });
  it('-1130 names the parameter', () => {
    const p: ParamSpec = { name: 'x', type: 'ENUM', values: ['A'], enumErrorCode: ErrorCode.INVALID_PARAMETER };
    expect(enumError(p).toJSON()).toEqual({ code: -1130, msg: "Data sent for parameter 'x' is not valid." });
  });
  it('no dedicated code → -1100 with the values as the legal range', () => {
    expect(err(ORDER, { ...goodOrder, newOrderRespType: 'full' })).toEqual(
      illegal('newOrderRespType', 'ACK, RESULT, FULL'),
    );
  });
  it('valid value is returned', () => {
    expect(ok(ORDER, { ...goodOrder, newOrderRespType: 'FULL' }).newOrderRespType).toBe('FULL');
  });
});

describe('BOOLEAN', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['TRUE', true],
    ['False', false],
  ])('%j → %s', (v, b) => {
    expect(ok(ACCOUNT_IMPLICIT, { omitZeroBalances: v, timestamp: '1' })).toEqual({
      omitZeroBalances: b,
      timestamp: 1,
    });
  });
  it.each(['1', '0', 'yes', 'truee', ' true'])('%j → -1100', (v) => {
    expect(err(ACCOUNT_IMPLICIT, { omitZeroBalances: v, timestamp: '1' })).toEqual(
      illegal('omitZeroBalances', 'true, false'),
    );
    expect(() => parseBooleanParam('b', v)).toThrow(ApiError);
  });
});

describe('recvWindow', () => {
  const sig = (recvWindow: string) => ({ ...goodOrder, recvWindow, signature: 'x' });
  it('decimal ms with up to 3 decimals → number', () => {
    expect(ok(ORDER, sig('5000')).recvWindow).toBe(5000);
    expect(ok(ORDER, sig('6000.346')).recvWindow).toBe(6000.346);
    expect(ok(ORDER, sig('0')).recvWindow).toBe(0);
  });
  it('more than 3 decimals → -1111', () => {
    expect(err(ORDER, sig('6000.3461'))).toEqual({
      code: -1111,
      msg: "Parameter 'recvWindow' has too much precision.",
    });
    expect(err(ORDER, sig('5000.0000'))).toEqual({
      code: -1111,
      msg: "Parameter 'recvWindow' has too much precision.",
    });
  });
  it('max 60000 inclusive; above → -1102', () => {
    expect(ok(ORDER, sig('60000')).recvWindow).toBe(60000);
    expect(ok(ORDER, sig('60000.000')).recvWindow).toBe(60000);
    const over = { code: -1102, msg: "'recvWindow' contains unexpected value. Cannot be greater than 60000." };
    expect(err(ORDER, sig('60000.001'))).toEqual(over);
    expect(err(ORDER, sig('60001'))).toEqual(over);
  });
  it('configurable max', () => {
    expect(err(ORDER, sig('10001'), undefined, 10000)).toEqual({
      code: -1102,
      msg: "'recvWindow' contains unexpected value. Cannot be greater than 10000.",
    });
    expect(validateParams(ORDER, sig('90000'), 9, { recvWindowMax: 100000 }).recvWindow).toBe(90000);
  });
  it('not a decimal → -1100', () => {
    expect(err(ORDER, sig('-1'))).toEqual(illegal('recvWindow', DEC_RANGE));
    expect(err(ORDER, sig('5e3'))).toEqual(illegal('recvWindow', DEC_RANGE));
  });
  it('empty → -1105', () => {
    expect(err(ORDER, sig(''))).toEqual({ code: -1105, msg: "Parameter 'recvWindow' was empty." });
  });
  it('helper', () => {
    expect(parseRecvWindow('1.5')).toBe(1.5);
    expect(() => parseRecvWindow('60001')).toThrow(ApiError);
  });
});

describe('signed endpoints without timestamp/recvWindow in their table', () => {
  it('read them implicitly, after the declared ones', () => {
    expect(ok(ACCOUNT_IMPLICIT, { timestamp: '1499827319559', recvWindow: '5000', signature: 's' })).toEqual({
      timestamp: 1499827319559,
      recvWindow: 5000,
    });
    expect(err(ACCOUNT_IMPLICIT, { signature: 's' })).toEqual(mandatory('timestamp'));
    expect(err(ACCOUNT_IMPLICIT, { omitZeroBalances: 'x', signature: 's' }).code).toBe(-1100);
  });
  it('USER_DATA with no declared params still reads timestamp/recvWindow/signature', () => {
    const spec: Spec = { params: [], security: 'USER_DATA' };
    expect(ok(spec, { timestamp: '1', signature: 's' })).toEqual({ timestamp: 1 });
    expect(err(spec, { timestamp: '1', signature: 's', x: '1' })).toEqual({
      code: -1104,
      msg: "Not all sent parameters were read; read '2' parameter(s) but was sent '3'.",
    });
  });
  it('MARKET_DATA / USER_STREAM do not read signature', () => {
    const spec: Spec = { params: [], security: 'USER_STREAM' };
    expect(err(spec, { signature: 's' }).code).toBe(-1101);
  });
});

describe('a full order', () => {
  it('returns typed values of sent params only', () => {
    expect(ok(ORDER, { ...goodOrder, recvWindow: '5000', signature: 'abc' })).toEqual({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '0.1',
      recvWindow: 5000,
      timestamp: 1499827319559,
    });
  });
});

describe('ApiError', () => {
  it('is an Error with the wire body, built without a stack trace (and leaves the global limit alone)', () => {
    const limit = Error.stackTraceLimit;
    const e = new ApiError(ErrorCode.TOO_MANY_REQUESTS, 'Too many requests.', 429);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ApiError');
    expect(e.stack).toBe('ApiError: Too many requests.');
    expect(Error.stackTraceLimit).toBe(limit);
    expect(JSON.stringify(e)).toBe('{"code":-1003,"msg":"Too many requests."}');
    expect(new ApiError(-2022, 'x', 409, { a: 1 }).toJSON()).toEqual({ code: -2022, msg: 'x', data: { a: 1 } });
  });
});
