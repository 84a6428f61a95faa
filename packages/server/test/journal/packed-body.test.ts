import { deserialize, serialize } from 'node:v8';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packBody, unpackBody } from '../../src/journal/packed-body.js';

/** A tree like an exported state: columns of every type, views with offsets, small arrays, other values. */
function state(n: number) {
  const f64 = new Float64Array(n * 2).map((_, i) => i * 1.5 - 7);
  const shared = new Int32Array(n).map((_, i) => i * 3);
  return {
    version: 4,
    name: 'BTCUSDT',
    big: 12345678901234567890n,
    columns: {
      f64: f64.subarray(3, n + 3), // a view: only its own bytes travel
      i32: shared,
      u32: new Uint32Array(n).fill(0xfffffff0),
      u8: new Uint8Array(n * 8).map((_, i) => i & 0xff),
      i8: new Int8Array(n * 8).fill(-3),
      u16: new Uint16Array(n * 4).fill(65000),
      i16: new Int16Array(n * 4).fill(-20000),
      f32: new Float32Array(n * 2).fill(0.25),
      b64: new BigInt64Array(n).fill(-(2n ** 62n)),
      ub64: new BigUint64Array(n).fill(2n ** 63n),
    },
    again: shared, // the same array twice stays one array
    small: new Float64Array([1, 2, 3]), // stays in the v8 blob
    buffer: Buffer.from('a Buffer is left to v8'),
    lists: [[1, 2, { x: new Float64Array(n) }], 'text', null, undefined, true],
    map: new Map([['k', 1]]),
    nested: { deeper: { deepest: [new Uint8Array(n * 16).fill(7)] } },
  };
}

describe('packed snapshot body', () => {
  it('reads back what v8.deserialize(v8.serialize(…)) reads back, with shared arrays still shared', () => {
    const data = state(5000);
    const { body } = packBody(data);
    const back = unpackBody(body) as ReturnType<typeof state>;
    expect(isDeepStrictEqual(back, deserialize(serialize(data)))).toBe(true);
    expect(back.again).toBe(back.columns.i32);
    expect(back.columns.f64.length).toBe(5000);
    expect(back.columns.f64[0]).toBe(data.columns.f64[0]);
    expect(body.length % 8).toBe(0);
  });

  it('leaves the caller’s objects as they were (copy on write)', () => {
    const data = state(2000);
    const before = deserialize(serialize(data)) as unknown;
    packBody(data);
    expect(isDeepStrictEqual(data, before)).toBe(true);
    expect(data.columns.i32).toBeInstanceOf(Int32Array);
  });

  it('writes into a spare buffer that fits, only within the body, and the result reads back the same', () => {
    const large = packBody(state(8000));
    expect(large.buffer.length).toBeGreaterThan(large.body.length); // room for the next, larger body
    const spare = large.buffer;
    spare.fill(0xee);
    const data = state(3000);
    const reused = packBody(data, spare);
    expect(reused.buffer).toBe(spare);
    expect(reused.body.buffer).toBe(spare.buffer);
    expect(reused.body.equals(packBody(data).body)).toBe(true);
    expect(spare[reused.body.length]).toBe(0xee);
    expect(isDeepStrictEqual(unpackBody(Buffer.from(reused.body)), deserialize(serialize(data)))).toBe(true);
    const tooSmall = Buffer.alloc(100);
    expect(packBody(data, tooSmall).buffer).not.toBe(tooSmall);
  });

  it('sections at 8-byte aligned places become views of the body; others are copies', () => {
    const data = { col: new Float64Array(4096).fill(2.5) };
    const { body } = packBody(data);
    const aligned = Buffer.from(new Uint8Array(body.length + 8).buffer, 8, body.length);
    body.copy(aligned);
    const a = unpackBody(aligned) as typeof data;
    expect(a.col.buffer).toBe(aligned.buffer);
    const odd = Buffer.from(new Uint8Array(body.length + 4).buffer, 4, body.length);
    body.copy(odd);
    const b = unpackBody(odd) as typeof data;
    expect(b.col.buffer).not.toBe(odd.buffer);
    expect(b.col).toEqual(data.col);
  });

  it('a damaged body is an error, never a wrong state', () => {
    const { body } = packBody(state(1000));
    expect(() => unpackBody(body.subarray(0, 4))).toThrow(RangeError);
    expect(() => unpackBody(body.subarray(0, body.length - 64))).toThrow(/beyond the end/);
    const lying = Buffer.from(body);
    lying.writeUInt32LE(lying.readUInt32LE(4) + 1, 4);
    expect(() => unpackBody(lying)).toThrow(/sections/);
    const huge = Buffer.from(body);
    huge.writeUInt32LE(body.length, 0);
    expect(() => unpackBody(huge)).toThrow(/blob beyond the end/);
  });
});
