/**
 * The journal's on-disk framing.
 *
 *   file   := MAGIC frame*
 *   MAGIC  := "BSBXJNL1" (8 bytes)
 *   frame  := length:u32le  crc:u32le  payload[length]
 *   crc    := CRC-32 over the 4 length bytes, then the payload
 *   payload:= one JSON object (UTF-8), a JournalRecord
 *
 * A frame is valid only when its length is in 1..MAX_RECORD_BYTES, the whole payload is present and
 * the CRC matches. The first invalid frame ends the readable journal: everything from it on is a
 * torn tail (a group-commit batch whose write never completed; nothing in it was acknowledged).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { jsonString } from '../engine/json-string.js';
import { crc32, crc32OfUint32LE } from './crc32.js';

export const MAGIC = Buffer.from('BSBXJNL1', 'latin1');
export const FRAME_HEADER_BYTES = 8;
/** Largest payload of one record (an order is ~300 bytes; an RSA key record ~600). */
export const MAX_RECORD_BYTES = 1 << 20;

/** A record's payload: its JSON text. Throws on values JSON cannot carry (BigInt). */
export function recordJson(record: unknown): string {
  const json = commandJson(record) ?? JSON.stringify(record);
  if (typeof json !== 'string') throw new TypeError('journal record is not JSON-serialisable');
  return json;
}

/**
 * JSON.stringify's exact text for the usual engine command, `{ kind, cmd }` with `cmd` a flat
 * object of strings, numbers and booleans; null for anything else (the caller stringifies). The
 * order path journals one per request, and V8's generic stringify cost ~1.5 µs of it there.
 */
function commandJson(record: unknown): string | null {
  // plain objects only: a prototype could carry a toJSON that JSON.stringify would call
  if (typeof record !== 'object' || record === null || Object.getPrototypeOf(record) !== Object.prototype) return null;
  const { kind, cmd } = record as { kind?: unknown; cmd?: unknown };
  if (typeof kind !== 'string' || typeof cmd !== 'object' || cmd === null) return null;
  if (Object.getPrototypeOf(cmd) !== Object.prototype) return null;
  const keys = Object.keys(record);
  if (keys.length !== 2 || keys[0] !== 'kind' || keys[1] !== 'cmd') return null;
  let body = '';
  // own enumerable keys, in JSON.stringify's order (for…in would also list inherited ones)
  for (const key of Object.keys(cmd)) {
    const v = (cmd as Record<string, unknown>)[key];
    let text: string;
    switch (typeof v) {
      case 'string':
        text = jsonString(v);
        break;
      case 'number':
        text = Number.isFinite(v) ? String(v) : 'null';
        break;
      case 'boolean':
        text = v ? 'true' : 'false';
        break;
      case 'undefined':
        continue;
      default:
        return null;
    }
    body += `${body === '' ? '' : ','}${jsonString(key)}:${text}`;
  }
  return `{"kind":${jsonString(kind)},"cmd":{${body}}}`;
}

/** Bytes a frame of `json` may take at most (UTF-8: up to 3 bytes per UTF-16 code unit). */
export function maxFrameBytes(json: string): number {
  return FRAME_HEADER_BYTES + 3 * json.length;
}

/**
 * Writes `json` as one frame (length, CRC, payload) at `at` of `target`, which must have
 * maxFrameBytes(json) of room there; returns the frame's size.
 */
export function writeFrame(target: Buffer, at: number, json: string): number {
  const len = target.write(json, at + FRAME_HEADER_BYTES, 'utf8');
  if (len === 0 || len > MAX_RECORD_BYTES)
    throw new RangeError(`journal record of ${len} bytes (max ${MAX_RECORD_BYTES})`);
  target.writeUInt32LE(len, at);
  target.writeUInt32LE(frameCrc(target, at, len), at + 4);
  return FRAME_HEADER_BYTES + len;
}

/** Encodes one record as a frame of its own. */
export function encodeFrame(record: unknown): Buffer {
  const json = recordJson(record);
  const frame = Buffer.allocUnsafe(maxFrameBytes(json));
  return frame.subarray(0, writeFrame(frame, 0, json));
}

/** The CRC of the frame at `at`: its 4 length bytes (which hold `len`), then its payload. */
function frameCrc(buf: Buffer, at: number, len: number): number {
  return crc32(buf.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + len), crc32OfUint32LE(len));
}

/** Why a scan stopped before the end of the file. */
export type TailProblem = 'short header' | 'bad length' | 'short payload' | 'bad crc';

export interface ScanResult {
  /** File offset just after the last valid frame (the journal's logical end). */
  readonly validEnd: number;
  readonly fileSize: number;
  readonly records: number;
  /** Set when validEnd < fileSize. */
  readonly problem?: TailProblem;
}

/**
 * Decodes the valid frames of a buffer region [start, end). Calls `onPayload(buf, from, to)` for each
 * and returns the offset after the last complete valid frame plus, when it stopped early on
 * something that cannot become valid with more bytes, the problem.
 */
export function scanFrames(
  buf: Buffer,
  start: number,
  end: number,
  onPayload: (buf: Buffer, from: number, to: number) => void,
): { pos: number; count: number; problem?: TailProblem; needMore: boolean } {
  let pos = start;
  let count = 0;
  while (true) {
    if (end - pos < FRAME_HEADER_BYTES)
      return { pos, count, needMore: true, problem: pos < end ? 'short header' : undefined };
    const len = buf.readUInt32LE(pos);
    if (len === 0 || len > MAX_RECORD_BYTES) return { pos, count, needMore: false, problem: 'bad length' };
    if (end - pos < FRAME_HEADER_BYTES + len) return { pos, count, needMore: true, problem: 'short payload' };
    if (buf.readUInt32LE(pos + 4) !== frameCrc(buf, pos, len))
      return { pos, count, needMore: false, problem: 'bad crc' };
    onPayload(buf, pos + FRAME_HEADER_BYTES, pos + FRAME_HEADER_BYTES + len);
    pos += FRAME_HEADER_BYTES + len;
    count++;
  }
}

const CHUNK_BYTES = 8 << 20;

/**
 * Reads a journal file from `from` (just after MAGIC) frame by frame, in chunks, calling
 * `onRecord(payloadText)` for every valid frame in order. Stops at the end of the file or at the
 * first invalid frame.
 */
export function scanFile(path: string, from: number, onRecord: (json: string) => void): ScanResult {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    let buf = Buffer.allocUnsafe(
      Math.min(CHUNK_BYTES, Math.max(fileSize - from, 0)) + FRAME_HEADER_BYTES + MAX_RECORD_BYTES,
    );
    let bufFileOffset = from; // file offset of buf[0]
    let filled = 0;
    let pos = 0;
    let records = 0;
    let readAt = from;
    const decode = (b: Buffer, s: number, e: number) => onRecord(b.toString('utf8', s, e));
    while (true) {
      // Refill: move the unconsumed bytes to the front, then read as much as fits.
      if (pos > 0) {
        buf.copy(buf, 0, pos, filled);
        filled -= pos;
        bufFileOffset += pos;
        pos = 0;
      }
      let eof = readAt >= fileSize;
      while (!eof && filled < buf.length) {
        const n = readSync(fd, buf, filled, Math.min(buf.length - filled, fileSize - readAt), readAt);
        if (n === 0) break;
        filled += n;
        readAt += n;
        eof = readAt >= fileSize;
      }
      const r = scanFrames(buf, 0, filled, decode);
      records += r.count;
      pos = r.pos;
      if (!r.needMore || eof) {
        const validEnd = bufFileOffset + pos;
        return r.problem === undefined
          ? { validEnd, fileSize, records }
          : { validEnd, fileSize, records, problem: r.problem };
      }
      if (pos === 0 && filled === buf.length) {
        // Cannot happen (the buffer holds a chunk plus the largest frame), but never loop forever.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
    }
  } finally {
    closeSync(fd);
  }
}
