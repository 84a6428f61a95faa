import { describe, expect, it } from 'vitest';
import { handleControl } from '../../src/ws/control.js';
import { parseStreamName } from '../../src/ws/streams/index.js';

const frame = (text: string) => {
  const out = handleControl(text);
  return out.ok ? out : JSON.parse(out.frame);
};
const err = (code: number, msg: string, id: unknown = null) => ({ error: { code, msg }, id });
const VARIANTS = 'expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`';

describe('serde_json-compatible errors (positions in bytes, 1-based lines)', () => {
  it.each([
    ['', err(3, 'Invalid JSON: EOF while parsing a value at line 1 column 0')],
    ['   ', err(3, 'Invalid JSON: EOF while parsing a value at line 1 column 3')],
    ['x', err(3, 'Invalid JSON: expected value at line 1 column 1')],
    ['{', err(3, 'Invalid JSON: EOF while parsing an object at line 1 column 1')],
    ['{"method":x}', err(3, 'Invalid JSON: expected value at line 1 column 11')],
    ['{"method":"SUBSCRIBE" "id":1}', err(3, 'Invalid JSON: expected `,` or `}` at line 1 column 23')],
    ['{"method" "SUBSCRIBE"}', err(3, 'Invalid JSON: expected `:` at line 1 column 11')],
    ['{method:1}', err(3, 'Invalid JSON: key must be a string at line 1 column 2')],
    ['{"id":1,}', err(3, 'Invalid JSON: trailing comma at line 1 column 9')],
    ['{"id":[1,]}', err(3, 'Invalid JSON: trailing comma at line 1 column 10')],
    ['{"id":[1 2]}', err(3, 'Invalid JSON: expected `,` or `]` at line 1 column 10')],
    ['{"id":tru}', err(3, 'Invalid JSON: expected ident at line 1 column 10')],
    ['{"id":"a\\q"}', err(3, 'Invalid JSON: invalid escape at line 1 column 10')],
    ['{"id":"ab', err(3, 'Invalid JSON: EOF while parsing a string at line 1 column 9')],
    ['{"method":"LIST_SUBSCRIPTIONS","id":1} x', err(3, 'Invalid JSON: trailing characters at line 1 column 40')],
    [
      '{\n  "method": "LIST",\n  "id": 1\n}',
      err(2, `Invalid request: unknown variant \`LIST\`, ${VARIANTS} at line 2 column 18`),
    ],
    ['{"id":1}', err(2, 'Invalid request: missing field `method` at line 1 column 8')],
    ['{"id":1\n}', err(2, 'Invalid request: missing field `method` at line 2 column 1')],
    ['{"method":1,"id":1}', err(3, 'Invalid JSON: expected value at line 1 column 11')],
    [
      '{"method":"SUBSCRIBE","params":"btcusdt@trade","id":1}',
      err(2, 'Invalid request: invalid type: string "btcusdt@trade", expected a sequence at line 1 column 46'),
    ],
    [
      '{"method":"SUBSCRIBE","params":5,"id":1}',
      err(2, 'Invalid request: invalid type: integer `5`, expected a sequence at line 1 column 32'),
    ],
    [
      '{"method":"SUBSCRIBE","params":{},"id":1}',
      err(2, 'Invalid request: invalid type: map, expected a sequence at line 1 column 31'),
    ],
    [
      '{"method":"SUBSCRIBE","method":"SUBSCRIBE","id":1}',
      err(2, 'Invalid request: duplicate field `method` at line 1 column 30'),
    ],
    ['5', err(2, 'Invalid request: invalid type: integer `5`, expected struct Request at line 1 column 1')],
  ])('%j', (text, expected) => {
    expect(frame(text)).toEqual(expected);
  });
});

describe('ids and parameters', () => {
  it('accepts 64-bit signed ints, alphanumeric strings ≤ 36 and null; echoes them', () => {
    expect(frame('{"method":"LIST_SUBSCRIPTIONS","id":-9223372036854775808}')).toMatchObject({
      ok: true,
      id: '-9223372036854775808',
    });
    expect(frame('{"method":"LIST_SUBSCRIPTIONS","id":"abc123"}')).toMatchObject({ ok: true, id: '"abc123"' });
    expect(frame('{"method":"LIST_SUBSCRIPTIONS","id":null}')).toMatchObject({ ok: true, id: 'null' });
    const bad = err(2, 'Invalid request: request ID must be an unsigned integer');
    expect(frame('{"method":"LIST_SUBSCRIPTIONS","id":9223372036854775808}')).toEqual(bad);
    expect(frame(`{"method":"LIST_SUBSCRIPTIONS","id":"${'a'.repeat(37)}"}`)).toEqual(bad);
    expect(frame('{"method":"LIST_SUBSCRIPTIONS","id":"a-b"}')).toEqual(bad);
    expect(frame('{"method":"LIST_SUBSCRIPTIONS","id":true}')).toEqual(bad);
    expect(frame('{"method":"LIST_SUBSCRIPTIONS","id":[1]}')).toEqual(bad);
  });

  it('parameter errors echo the id', () => {
    expect(frame('{"method":"LIST_SUBSCRIPTIONS","params":["x"],"id":7}')).toEqual(
      err(2, 'Invalid request: too many parameters', 7),
    );
    expect(frame('{"method":"SET_PROPERTY","params":["combined",true,1],"id":7}')).toEqual(
      err(2, 'Invalid request: too many parameters', 7),
    );
    expect(frame('{"method":"SET_PROPERTY","params":[],"id":7}')).toEqual(
      err(2, 'Invalid request: property name must be a string', 7),
    );
    expect(frame('{"method":"SET_PROPERTY","params":["combined"],"id":7}')).toEqual(
      err(1, 'Invalid value type: expected Boolean', 7),
    );
    expect(frame('{"method":"SUBSCRIBE","params":[1],"id":"x"}')).toEqual(
      err(2, 'Invalid request: invalid stream', 'x'),
    );
  });
});

describe('stream names (syntax only)', () => {
  it.each([
    ['btcusdt@trade', true],
    ['btcusdt@aggTrade', true],
    ['btcusdt@depth', true],
    ['btcusdt@depth@100ms', true],
    ['btcusdt@depth5', true],
    ['btcusdt@depth20@100ms', true],
    ['btcusdt@bookTicker', true],
    ['btcusdt@kline_1m', true],
    ['btcusdt@kline_1m@+08:00', true],
    ['btcusdt@ticker_4h', true],
    ['!miniTicker@arr', true],
    ['nosuchsymbol@trade', true],
    ['BTCUSDT@trade', false],
    ['btcusdt@depth7', false],
    ['btcusdt@kline_7m', false],
    ['btcusdt', false],
    ['@trade', false],
    ['btcusdt@trade@100ms', false],
    ['!bookTicker', false],
  ])('%s → %s', (name, ok) => {
    expect(parseStreamName(name) !== null).toBe(ok);
  });
});
