import { describe, expect, it } from 'vitest';
import { ApiError } from '@binance-sandbox/protocol';
import { parseRawParams } from '../../src/http/raw-params.js';
import { mulberry32 } from '../engine/helpers.js';

function fails(fn: () => unknown): { code: number; msg: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return (e as ApiError).toJSON();
  }
  throw new Error('expected an ApiError');
}

const DUPLICATE = { code: -1101, msg: 'Duplicate values for a parameter detected.' };
const ILLEGAL = { code: -1100, msg: 'Illegal characters found in a parameter.' };

describe('parseRawParams', () => {
  it('reads the query string', () => {
    const r = parseRawParams('symbol=BTCUSDT&limit=5', '', 'GET');
    expect(r.params).toEqual({ symbol: 'BTCUSDT', limit: '5' });
    expect(r.sentCount).toBe(2);
  });

  it('empty query and body → no params', () => {
    expect(parseRawParams('', '', 'GET')).toEqual({ params: {}, sentCount: 0 });
    expect(parseRawParams('', '', 'POST')).toEqual({ params: {}, sentCount: 0 });
  });

  it('GET ignores the body', () => {
    const r = parseRawParams('a=1', 'b=2&a=3', 'GET');
    expect(r.params).toEqual({ a: '1' });
    expect(r.sentCount).toBe(1);
  });

  it.each(['POST', 'PUT', 'DELETE'])('%s reads query and body, mixed', (method) => {
    const r = parseRawParams('symbol=LTCBTC&side=BUY', 'quantity=1&price=0.1', method);
    expect(r.params).toEqual({ symbol: 'LTCBTC', side: 'BUY', quantity: '1', price: '0.1' });
    expect(r.sentCount).toBe(4);
  });

  it('body only', () => {
    const r = parseRawParams('', 'symbol=LTCBTC&side=BUY', 'POST');
    expect(r.params).toEqual({ symbol: 'LTCBTC', side: 'BUY' });
    expect(r.sentCount).toBe(2);
  });

  it('a name in both: the query string value wins, counted once', () => {
    const r = parseRawParams('side=BUY&a=1', 'side=SELL&b=2', 'POST');
    expect(r.params).toEqual({ side: 'BUY', a: '1', b: '2' });
    expect(r.sentCount).toBe(3);
  });

  it('duplicate within the query → -1101', () => {
    expect(fails(() => parseRawParams('a=1&a=2', '', 'GET'))).toEqual(DUPLICATE);
    expect(fails(() => parseRawParams('a=1&a=1', '', 'GET'))).toEqual(DUPLICATE);
  });

  it('duplicate within the body → -1101 (even when the query also has it)', () => {
    expect(fails(() => parseRawParams('', 'a=1&a=2', 'POST'))).toEqual(DUPLICATE);
    expect(fails(() => parseRawParams('a=0', 'a=1&a=2', 'POST'))).toEqual(DUPLICATE);
  });

  it('duplicates are detected after decoding', () => {
    expect(fails(() => parseRawParams('a=1&%61=2', '', 'GET'))).toEqual(DUPLICATE);
  });

  it('form decoding: + is a space, %XX is UTF-8', () => {
    const r = parseRawParams(
      'symbol=%EF%BC%91%EF%BC%92%EF%BC%93&note=a+b%2Bc&symbols=%5B%22BTCUSDT%22,%22BNBBTC%22%5D',
      '',
      'GET',
    );
    expect(r.params).toEqual({ symbol: '１２３', note: 'a b+c', symbols: '["BTCUSDT","BNBBTC"]' });
  });

  it('decodes names too', () => {
    expect(parseRawParams('my%20name=x', '', 'GET').params).toEqual({ 'my name': 'x' });
  });

  it.each(['a=%', 'a=%4', 'a=%zz', 'a=%FF', 'a=%C3%28', '%=1'])('malformed %s → -1100', (q) => {
    expect(fails(() => parseRawParams(q, '', 'GET'))).toEqual(ILLEGAL);
  });

  it('malformed body → -1100', () => {
    expect(fails(() => parseRawParams('', 'a=%E2%82', 'POST'))).toEqual(ILLEGAL);
  });

  it('skips empty segments; a name without = has an empty value', () => {
    const r = parseRawParams('&a=1&&b&c=&', '', 'GET');
    expect(r.params).toEqual({ a: '1', b: '', c: '' });
    expect(r.sentCount).toBe(3);
  });

  it('keeps the first = as the separator', () => {
    expect(parseRawParams('a=b=c', '', 'GET').params).toEqual({ a: 'b=c' });
  });

  it('an empty name is a parameter too (validation will not read it)', () => {
    const r = parseRawParams('=x&a=1', '', 'GET');
    expect(r.params).toEqual({ '': 'x', a: '1' });
    expect(r.sentCount).toBe(2);
  });

  it('__proto__ and other Object.prototype names are plain parameters', () => {
    const r = parseRawParams('__proto__=1&constructor=2&toString=3', '', 'GET');
    expect(Object.keys(r.params)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.hasOwn(r.params, '__proto__')).toBe(true);
    expect(r.params['__proto__']).toBe('1');
    expect(r.sentCount).toBe(3);
    expect(Object.getPrototypeOf(r.params)).toBe(Object.prototype);
    expect(fails(() => parseRawParams('__proto__=1&__proto__=2', '', 'GET'))).toEqual(DUPLICATE);
    const merged = parseRawParams('a=1', '__proto__=2', 'POST');
    expect(Object.hasOwn(merged.params, '__proto__')).toBe(true);
    expect(merged.sentCount).toBe(2);
  });

  it('keeps signature as a parameter (security consumes it)', () => {
    const r = parseRawParams('symbol=LTCBTC&side=BUY', 'timestamp=1&signature=abc', 'POST');
    expect(r.params.signature).toBe('abc');
    expect(r.sentCount).toBe(4);
  });
});

describe('the plain path (no % or +) and the decoding path agree', () => {
  it('on random strings of names, values, empty segments, bare names and extra =', () => {
    const next = mulberry32(11);
    const rnd = (n: number) => Math.floor(next() * n);
    const pieces = ['a', 'b', 'sym', '=', '=', '&', '&', '1', 'x.y', '__proto__', '-', ''];
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      const s = Array.from({ length: rnd(12) }, () => pieces[rnd(pieces.length)]).join('');
      // the same string plus one escaped parameter takes the character-by-character decoder
      const viaDecoder = () => parseRawParams(`${s}&zz%41=1`, '', 'GET');
      const plain = () => parseRawParams(s, '', 'GET');
      const a = (() => {
        try {
          return plain();
        } catch (e) {
          return (e as { code: number }).code;
        }
      })();
      const b = (() => {
        try {
          const r = viaDecoder();
          const params = { ...r.params };
          delete params.zzA;
          return { params, sentCount: r.sentCount - 1 };
        } catch (e) {
          return (e as { code: number }).code;
        }
      })();
      expect(a, JSON.stringify(s)).toEqual(b);
      compared++;
    }
    expect(compared).toBe(3000);
  });
});
