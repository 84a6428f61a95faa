import zlib from 'node:zlib';

/** CRC-32 (IEEE 802.3, as zlib/gzip/PNG) of `data`, continuing from `crc` (0 to start). */
export type Crc32 = (data: Uint8Array, crc?: number) => number;

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  return table;
}

/** Table-driven fallback for Node versions without zlib.crc32 (added in 20.15 / 22.2). */
export function crc32Js(data: Uint8Array, crc = 0): number {
  const t = crcTable();
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of the 4 little-endian bytes of `value` (no buffer, no native call: 4 table steps). */
export function crc32OfUint32LE(value: number): number {
  const t = crcTable();
  let c = 0xffffffff;
  for (let shift = 0; shift < 32; shift += 8) c = t[(c ^ (value >>> shift)) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as unknown as { crc32?: Crc32 }).crc32;

export const crc32: Crc32 = typeof native === 'function' ? (data, crc = 0) => native(data, crc) >>> 0 : crc32Js;
