/**
 * Snapshot files: the complete durable state after a known number of journal records, so that a
 * restart loads it and replays only the records after it.
 *
 * file   := "BSBXSNP1" headerLength:u32le headerCrc:u32le header body
 * header := JSON SnapshotMeta (record counts, config fingerprint, body length and CRC-32), padded
 *           with spaces so that the body starts at a multiple of 8 bytes
 * body   := version 2: packBody(SnapshotData) (packed-body.ts: a v8-serialised tree of plain data
 *           and the large typed arrays — order and trade columns — as raw sections);
 *           version 1 (still read): v8.serialize(SnapshotData)
 *
 * Named `snapshot-<records, 12 digits>.bin`; written to a `.tmp` file, fsynced, renamed, and the
 * directory fsynced, so a crash leaves either the old set or the new file whole. The newest
 * KEEP_SNAPSHOTS are kept. A file that fails any check is skipped by `loadNewestSnapshot`.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import type { SymbolDefinition } from '@binance-sandbox/protocol';
import type { EngineState } from '../engine/snapshot.js';
import type { MarketState } from '../market/market-data.js';
import { fsyncDir } from './fsync-dir.js';
import { packBody, unpackBody, type Packed } from './packed-body.js';
import { crc32 } from './crc32.js';
import type { RecordCounts } from './file-journal.js';
import type { ApiKeyRecord } from './records.js';

export const SNAPSHOT_MAGIC = Buffer.from('BSBXSNP1', 'latin1');
export const SNAPSHOT_VERSION = 2;
/** Versions this build reads. */
const READABLE_VERSIONS: readonly number[] = [1, 2];
export const KEEP_SNAPSHOTS = 2;
const NAME_RE = /^snapshot-(\d{12})\.bin$/;
const PREFIX_BYTES = SNAPSHOT_MAGIC.length + 8;

export interface SnapshotMeta extends RecordCounts {
  readonly version: number;
  /** Engine commands covered (the first N `ExchangeCommand` records of the journal). */
  readonly engineRecords: number;
  /** Registry and clock records covered (the first N of those). */
  readonly adminRecords: number;
  /** Of the configuration the state depends on (symbols, engine options): another one replays instead. */
  readonly fingerprint: string;
  readonly bodyBytes: number;
  readonly bodyCrc: number;
}

export interface SnapshotData {
  readonly engine: EngineState;
  readonly market: MarketState;
  readonly accounts: readonly ApiKeyRecord[];
  /** Total clock advance (ms). */
  readonly clockAdvancedMs: number;
  /** The sandbox clock when the snapshot was taken (absent in older snapshots). */
  readonly clockNow?: number;
}

export interface LoadedSnapshot {
  readonly path: string;
  readonly meta: SnapshotMeta;
  readonly data: SnapshotData;
  readonly bytes: number;
}

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

/** What the snapshot's validity depends on besides the journal: the symbols and engine options. */
export function snapshotFingerprint(symbols: readonly SymbolDefinition[], engineOptions: object = {}): string {
  return createHash('sha256')
    .update(JSON.stringify({ version: SNAPSHOT_VERSION, symbols, engineOptions }))
    .digest('hex');
}

export function snapshotName(records: number): string {
  return `snapshot-${String(records).padStart(12, '0')}.bin`;
}

/**
 * The state as bytes: the event-loop pause of a snapshot (the state keeps changing right after).
 * `spare`: the buffer of an earlier body (Packed.buffer), written into when large enough.
 */
export function serializeSnapshot(data: SnapshotData, spare?: Buffer): Packed {
  return packBody(data, spare);
}

/** CRC slices between which the event loop runs (a 200 MiB body takes ~0.1 s in one go). */
const CRC_SLICE_BYTES = 8 << 20;

/** The file's parts for a serialised body: its CRC is computed slice by slice, off the pause. */
export async function frameSnapshot(body: Buffer, counts: RecordCounts, fingerprint: string): Promise<Buffer[]> {
  let crc = 0;
  for (let at = 0; at < body.length; at += CRC_SLICE_BYTES) {
    crc = crc32(body.subarray(at, Math.min(at + CRC_SLICE_BYTES, body.length)), crc);
    if (at + CRC_SLICE_BYTES < body.length) await new Promise((resolve) => setImmediate(resolve));
  }
  return snapshotParts(body, crc, counts, fingerprint);
}

function snapshotParts(body: Buffer, bodyCrc: number, counts: RecordCounts, fingerprint: string): Buffer[] {
  const meta: SnapshotMeta = {
    version: SNAPSHOT_VERSION,
    engineRecords: counts.engineRecords,
    adminRecords: counts.adminRecords,
    fingerprint,
    bodyBytes: body.length,
    bodyCrc,
  };
  const json = JSON.stringify(meta);
  // the body 8-byte aligned in the file (and so in the buffer it is read into): its sections become views
  const header = Buffer.from(json.padEnd(json.length + ((8 - ((PREFIX_BYTES + json.length) % 8)) % 8)), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  SNAPSHOT_MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(header.length, SNAPSHOT_MAGIC.length);
  prefix.writeUInt32LE(crc32(header), SNAPSHOT_MAGIC.length + 4);
  return [prefix, header, body];
}

/** Writes the parts atomically as `dir/name` (temp file, fsync, rename, directory fsync). */
export async function writeSnapshotFile(dir: string, name: string, parts: readonly Buffer[]): Promise<string> {
  const path = join(dir, name);
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writev([...parts]);
    await file.sync();
  } catch (err) {
    await file.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await file.close();
  await rename(tmp, path);
  fsyncDir(dir);
  return path;
}

/** Snapshot files of `dir`, newest (most records) first. */
export function listSnapshots(dir: string): { name: string; records: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: { name: string; records: number }[] = [];
  for (const name of names) {
    const m = NAME_RE.exec(name);
    if (m) out.push({ name, records: Number(m[1]) });
  }
  return out.sort((a, b) => b.records - a.records);
}

/** Deletes all but the newest `keep` snapshots, and leftover temp files. */
export async function pruneSnapshots(dir: string, keep = KEEP_SNAPSHOTS): Promise<void> {
  for (const { name } of listSnapshots(dir).slice(keep)) await unlink(join(dir, name)).catch(() => undefined);
  for (const name of readdirSync(dir))
    if (NAME_RE.test(name.replace(/\.tmp$/, '')) && name.endsWith('.tmp'))
      await unlink(join(dir, name)).catch(() => undefined);
}

/** The header of a snapshot file (magic, header CRC, version checked); `buf` holds at least the prefix. */
function parseHeader(buf: Buffer): { meta: SnapshotMeta; headerEnd: number } {
  if (buf.length < PREFIX_BYTES || !buf.subarray(0, SNAPSHOT_MAGIC.length).equals(SNAPSHOT_MAGIC))
    throw new SnapshotError('not a snapshot file (bad magic)');
  const headerLength = buf.readUInt32LE(SNAPSHOT_MAGIC.length);
  const headerEnd = PREFIX_BYTES + headerLength;
  if (headerEnd > buf.length) throw new SnapshotError('truncated header');
  const header = buf.subarray(PREFIX_BYTES, headerEnd);
  if (crc32(header) !== buf.readUInt32LE(SNAPSHOT_MAGIC.length + 4)) throw new SnapshotError('header CRC mismatch');
  const meta = JSON.parse(header.toString('utf8')) as SnapshotMeta;
  if (!READABLE_VERSIONS.includes(meta.version)) throw new SnapshotError(`unknown snapshot version ${meta.version}`);
  return { meta, headerEnd };
}

/** Reads only a snapshot's header (its record counts and fingerprint). */
export function readSnapshotMeta(path: string): SnapshotMeta {
  const fd = openSync(path, 'r');
  try {
    const prefix = Buffer.alloc(PREFIX_BYTES);
    if (readSync(fd, prefix, 0, PREFIX_BYTES, 0) < PREFIX_BYTES) throw new SnapshotError('truncated header');
    const buf = Buffer.alloc(PREFIX_BYTES + Math.min(prefix.readUInt32LE(SNAPSHOT_MAGIC.length), 1 << 20));
    readSync(fd, buf, 0, buf.length, 0);
    return parseHeader(buf).meta;
  } finally {
    closeSync(fd);
  }
}

/** Reads and checks one snapshot file (magic, header CRC, version, fingerprint, body length and CRC). */
export function readSnapshot(path: string, fingerprint: string): LoadedSnapshot {
  const buf = readFileSync(path);
  const { meta, headerEnd } = parseHeader(buf);
  if (meta.fingerprint !== fingerprint)
    throw new SnapshotError('taken with another configuration (symbols or engine options)');
  const body = buf.subarray(headerEnd);
  if (body.length !== meta.bodyBytes)
    throw new SnapshotError(`body is ${body.length} bytes, expected ${meta.bodyBytes}`);
  if (crc32(body) !== meta.bodyCrc) throw new SnapshotError('body CRC mismatch');
  let data: SnapshotData;
  try {
    data = (meta.version === 1 ? deserialize(body) : unpackBody(body)) as SnapshotData;
  } catch (err) {
    throw new SnapshotError(`body cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { path, meta, data, bytes: buf.length };
}

/**
 * The newest snapshot of `dir` that passes every check; each one that does not is reported to
 * `warn` and skipped (the caller then replays more of the journal). null: none usable.
 */
export function loadNewestSnapshot(
  dir: string,
  fingerprint: string,
  warn: (path: string, why: string) => void,
): LoadedSnapshot | null {
  for (const { name } of listSnapshots(dir)) {
    const path = join(dir, name);
    try {
      return readSnapshot(path, fingerprint);
    } catch (err) {
      warn(path, err instanceof Error ? err.message : String(err));
    }
  }
  return null;
}
