/**
 * A snapshot body with its large typed arrays as raw sections beside a v8-serialised tree.
 *
 *   body     := blobBytes:u32le sections:u32le blob pad8 (section pad8)*
 *   blob     := v8.serialize(tree), each extracted array replaced by { $snapshotSection: i, type, length }
 *   section  := the array's bytes as they are in memory (little-endian), 8-byte aligned in the body
 *
 * Why: the columns (orders, trades) are nearly all of a snapshot's bytes, and writing them is the
 * event-loop pause. v8.serialize writes them into a buffer it grows by reallocation, fresh memory
 * every time (page faults cost more than the copy: ~50 ms per 100 MiB here against ~10 ms). Here
 * they are copied once into one buffer of the exact size, which the caller may keep and pass back
 * for the next snapshot.
 */
import { deserialize, serialize } from 'node:v8';

/** Arrays smaller than this stay inside the v8 blob. */
const MIN_SECTION_BYTES = 4096;
const SECTION = '$snapshotSection';
const HEAD_BYTES = 8;

const TYPES = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type TypeName = keyof typeof TYPES;
type Typed = InstanceType<(typeof TYPES)[TypeName]>;

interface Marker {
  readonly [SECTION]: number;
  readonly type: TypeName;
  readonly length: number;
}

const align8 = (n: number): number => (n + 7) & ~7;

function typeName(v: ArrayBufferView): TypeName | null {
  if (Buffer.isBuffer(v)) return null; // Node's own serialisation of Buffers stays in charge
  const name = v.constructor.name;
  return Object.hasOwn(TYPES, name) && TYPES[name as TypeName] === v.constructor ? (name as TypeName) : null;
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * `value` with every large typed array (at any depth of plain objects and arrays) replaced by a
 * marker; `out` collects the arrays, once each (an array met again gets its first marker's index).
 * Copy-on-write: containers without one are returned as they are, so the caller's objects are
 * never modified.
 */
function extract(value: unknown, out: Map<Typed, number>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value)) {
    const type = value.byteLength >= MIN_SECTION_BYTES ? typeName(value) : null;
    if (type === null) return value;
    const array = value as Typed;
    let index = out.get(array);
    if (index === undefined) out.set(array, (index = out.size));
    const marker: Marker = { [SECTION]: index, type, length: array.length };
    return marker;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v !== 'object' || v === null) continue;
      const x = extract(v, out);
      if (x !== v) (copy ??= value.slice())[i] = x;
    }
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v !== 'object' || v === null) continue;
    const x = extract(v, out);
    if (x !== v) (copy ??= { ...value })[key] = x;
  }
  return copy ?? value;
}

/** A packed body, and the buffer it was written into: pass that back for the next one. */
export interface Packed {
  readonly body: Buffer;
  readonly buffer: Buffer;
}

/** Room left in a new buffer for the next, usually larger, body (history only grows). */
export const HEADROOM = 1.25;

/** The packed body of `data` (see the file comment), written into `spare` when it fits. */
export function packBody(data: unknown, spare?: Buffer): Packed {
  const found = new Map<Typed, number>();
  const blob = serialize(extract(data, found));
  const arrays = [...found.keys()];
  let size = align8(HEAD_BYTES + blob.length);
  for (const a of arrays) size += align8(a.byteLength);
  // never a slice of Node's shared pool: the caller writes into this buffer again later
  const buffer =
    spare !== undefined && spare.length >= size ? spare : Buffer.allocUnsafeSlow(Math.ceil(size * HEADROOM));
  const body = buffer.subarray(0, size);
  body.writeUInt32LE(blob.length, 0);
  body.writeUInt32LE(arrays.length, 4);
  blob.copy(body, HEAD_BYTES);
  let at = HEAD_BYTES + blob.length;
  body.fill(0, at, align8(at));
  at = align8(at);
  for (const a of arrays) {
    body.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    const end = at + a.byteLength;
    body.fill(0, end, align8(end));
    at = align8(end);
  }
  return { body, buffer };
}

/**
 * Reads a packed body back: the tree with its typed arrays in place of the markers. A section whose
 * place in memory suits its type becomes a view of `body` (no copy; the body stays referenced, as
 * v8.deserialize's views do), any other a copy.
 */
export function unpackBody(body: Buffer): unknown {
  if (body.length < HEAD_BYTES) throw new RangeError('snapshot body too short');
  const blobBytes = body.readUInt32LE(0);
  const count = body.readUInt32LE(4);
  if (HEAD_BYTES + blobBytes > body.length) throw new RangeError('snapshot body: blob beyond the end');
  const tree = deserialize(body.subarray(HEAD_BYTES, HEAD_BYTES + blobBytes)) as unknown;
  const sections: Typed[] = [];
  let at = align8(HEAD_BYTES + blobBytes);
  const section = (m: Marker): Typed => {
    const index = m[SECTION];
    if (index < sections.length) return sections[index] as Typed;
    const Type = Object.hasOwn(TYPES, m.type) ? TYPES[m.type] : undefined;
    if (index !== sections.length || Type === undefined || !Number.isSafeInteger(m.length) || m.length < 0)
      throw new RangeError('snapshot body: bad section marker');
    const bytes = m.length * Type.BYTES_PER_ELEMENT;
    if (at + bytes > body.length) throw new RangeError('snapshot body: section beyond the end');
    const offset = body.byteOffset + at;
    let array: Typed;
    if (offset % Type.BYTES_PER_ELEMENT === 0) {
      array = new Type(body.buffer as ArrayBuffer, offset, m.length);
    } else {
      array = new Type(m.length);
      new Uint8Array(array.buffer).set(body.subarray(at, at + bytes));
    }
    sections.push(array);
    at = align8(at + bytes);
    return array;
  };
  // markers are numbered in walk order (first meeting), which is also the sections' order in the body
  const restore = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = restore(value[i]);
      return value;
    }
    if (!isPlainObject(value)) return value;
    if (Object.hasOwn(value, SECTION)) return section(value as unknown as Marker);
    for (const key of Object.keys(value)) value[key] = restore(value[key]);
    return value;
  };
  const out = restore(tree);
  if (sections.length !== count) throw new RangeError(`snapshot body: ${sections.length} of ${count} sections`);
  return out;
}
