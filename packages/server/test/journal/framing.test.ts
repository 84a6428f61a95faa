import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32, crc32Js } from '../../src/journal/crc32.js';
import { mulberry32 } from '../engine/helpers.js';
import { encodeFrame, MAGIC, MAX_RECORD_BYTES, recordJson, scanFile } from '../../src/journal/frame.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'bsbx-frame-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function journalFile(records: unknown[]): string {
  const path = join(tmp(), 'journal.log');
  writeFileSync(path, Buffer.concat([MAGIC, ...records.map((r) => encodeFrame(r))]));
  return path;
}

function scan(path: string) {
  const got: unknown[] = [];
  const r = scanFile(path, MAGIC.length, (json) => got.push(JSON.parse(json)));
  return { ...r, got };
}

describe('journal framing', () => {
  it('CRC-32 matches the standard check value, natively and in JS', () => {
    const data = Buffer.from('123456789');
    expect(crc32(data)).toBe(0xcbf43926);
    expect(crc32Js(data)).toBe(0xcbf43926);
    expect(crc32Js(data.subarray(4), crc32Js(data.subarray(0, 4)))).toBe(0xcbf43926);
  });

  it('frames are length + CRC + JSON and read back in order', () => {
    const recs = [
      { kind: 'deposit', cmd: { now: 1, accountId: 1, asset: 'USDT', amount: '10.5' } },
      { kind: 'x', s: 'é€😀' },
    ];
    const r = scan(journalFile(recs));
    expect(r.got).toEqual(recs);
    expect(r.records).toBe(2);
    expect(r.validEnd).toBe(r.fileSize);
    expect(r.problem).toBeUndefined();
  });

  it("writes a command record as JSON.stringify does, whatever its values (the flat-command encoder's exactness)", () => {
    const random = mulberry32(7);
    const rnd = (n: number) => Math.floor(random() * n);
    const chars = [
      'a',
      'Z',
      '0',
      '.',
      '-',
      ' ',
      '"',
      '\\',
      '\n',
      '\u0000',
      '\u001f',
      '\u007f',
      'é',
      '€',
      '\ud83d\ude00',
      '\ud800',
      '\udfff',
      '/',
    ];
    const text = () => Array.from({ length: rnd(6) }, () => chars[rnd(chars.length)]).join('');
    const numbers = [0, -0, 1, -1, 1.5, 1764000000000, 2 ** 53 + 2, 1e21, 1e-7, 0.1, NaN, Infinity, -Infinity];
    const value = (): unknown => {
      switch (rnd(9)) {
        case 0:
        case 1:
          return text();
        case 2:
        case 3:
          return numbers[rnd(numbers.length)];
        case 4:
          return rnd(2) === 0;
        case 5:
          return undefined;
        case 6:
          return null;
        case 7:
          return { nested: text() };
        default:
          return [text(), rnd(10)];
      }
    };
    const keys = ['now', 'accountId', 'symbol', 'side', '2', 'a"b', 'é', '\n'];
    for (let i = 0; i < 3000; i++) {
      const cmd: Record<string, unknown> = {};
      for (let k = rnd(7); k > 0; k--) cmd[keys[rnd(keys.length)] as string] = value();
      const record = rnd(20) === 0 ? { cmd, kind: 'placeOrder' } : { kind: rnd(10) === 0 ? text() : 'placeOrder', cmd };
      expect(recordJson(record)).toBe(JSON.stringify(record));
    }
    const order = {
      kind: 'placeOrder',
      cmd: { now: 1764000000000, accountId: 1, symbol: 'BTCUSDT', price: '1000.00' },
    };
    expect(recordJson(order)).toBe(JSON.stringify(order));
    expect(() => recordJson({ kind: 'placeOrder', cmd: { n: 1n } })).toThrow(TypeError);
    // a record or command whose prototype says how to serialise it
    class Shown {
      constructor(
        readonly kind: string,
        readonly cmd: object,
      ) {}
      toJSON() {
        return { shown: this.kind };
      }
    }
    const special = new Shown('placeOrder', { now: 1 });
    expect(recordJson(special)).toBe('{"shown":"placeOrder"}');
    // an enumerable property on Object.prototype (polluted) is not the command's own
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      const plainCmd = { kind: 'placeOrder', cmd: { now: 1 } };
      expect(recordJson(plainCmd)).toBe('{"kind":"placeOrder","cmd":{"now":1}}');
    } finally {
      delete (Object.prototype as Record<string, unknown>)['polluted'];
    }
    const withDate = { kind: 'placeOrder', cmd: new Date(0) };
    expect(recordJson(withDate)).toBe(JSON.stringify(withDate));
  });

  it('refuses records JSON cannot carry (BigInt) and oversized records', () => {
    expect(() => encodeFrame({ n: 1n })).toThrow();
    expect(() => encodeFrame({ s: 'x'.repeat(MAX_RECORD_BYTES) })).toThrow(RangeError);
  });

  it('a torn last record, cut at any byte, is detected and never misread', () => {
    const recs = Array.from({ length: 3 }, (_, i) => ({
      kind: 'placeOrder',
      cmd: { now: i, price: '30000.01', quantity: '0.001' },
    }));
    const path = journalFile(recs);
    const full = readFileSync(path);
    const lastStart = MAGIC.length + encodeFrame(recs[0]).length * 2;
    for (let cut = lastStart; cut < full.length; cut++) {
      writeFileSync(path, full.subarray(0, cut));
      const r = scan(path);
      expect(r.got).toEqual(recs.slice(0, 2));
      expect(r.validEnd).toBe(lastStart);
      if (cut > lastStart) expect(r.problem).toBeDefined();
    }
  });

  it('a last record with flipped bytes, zero-filled or garbage tails stop at the last valid frame', () => {
    const recs = [{ kind: 'a' }, { kind: 'b', v: '1.00000000' }];
    const path = journalFile(recs);
    const full = readFileSync(path);
    const lastStart = MAGIC.length + encodeFrame(recs[0]).length;
    for (let i = lastStart; i < full.length; i++) {
      const bad = Buffer.from(full);
      bad[i] = bad[i]! ^ 0x10;
      writeFileSync(path, bad);
      const r = scan(path);
      expect(r.got).toEqual([recs[0]]);
      expect(r.validEnd).toBe(lastStart);
    }
    writeFileSync(path, full);
    appendFileSync(path, Buffer.alloc(4096)); // a crash after the file grew but before the data landed
    expect(scan(path)).toMatchObject({ got: recs, validEnd: full.length, problem: 'bad length' });
    writeFileSync(path, full);
    appendFileSync(path, Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5]));
    expect(scan(path)).toMatchObject({ got: recs, validEnd: full.length, problem: 'bad length' });
    truncateSync(path, full.length + 3);
    expect(scan(path)).toMatchObject({ got: recs, validEnd: full.length, problem: 'short header' });
  });

  it('reads journals larger than its read chunk (frames straddling chunk boundaries)', () => {
    const recs = Array.from({ length: 40_000 }, (_, i) => ({ kind: 'placeOrder', i, pad: 'p'.repeat(i % 700) }));
    const r = scan(journalFile(recs));
    expect(r.records).toBe(recs.length);
    expect(r.got[39_999]).toEqual(recs[39_999]);
    expect(r.fileSize).toBeGreaterThan(8 << 20);
  });
});
