/**
 * Checks of one JSON value each (objects with known keys, strings, integers, enums, decimals). Each
 * throws a ConfigError "<path> <problem>"; the caller prefixes the source.
 */
import { ConfigError } from './model.js';

export type Json = unknown;

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** Throws "<path> <problem>", plus " (got <value>)" when a value is passed. */
export function fail(path: string, problem: string, ...got: [Json] | []): never {
  throw new ConfigError(`${path} ${problem}${got.length === 0 ? '' : ` (got ${describe(got[0])})`}`);
}

export function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(
        dp[j]! + 1,
        dp[j - 1]! + 1,
        prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** "did you mean …" for a misspelt name, or ''. */
export function suggest(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : '';
}

export function object(
  path: string,
  v: Json,
  allowed: readonly string[],
  required: readonly string[] = [],
): Record<string, Json> {
  if (!isObject(v)) fail(path, 'must be an object', v);
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) {
      const hint = suggest(key, allowed);
      fail(
        path,
        `has an unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}`,
      );
    }
  }
  for (const key of required) if (!(key in v)) fail(`${path}.${key}`, 'is required');
  return v;
}

export function array(path: string, v: Json): readonly Json[] {
  if (!Array.isArray(v)) fail(path, 'must be an array', v);
  return v;
}

export function string(path: string, v: Json, opts: { nonEmpty?: boolean } = {}): string {
  if (typeof v !== 'string') fail(path, 'must be a string', v);
  if (opts.nonEmpty && v.length === 0) fail(path, 'must not be empty');
  return v;
}

export function nullableString(path: string, v: Json): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || v.length === 0) fail(path, 'must be a non-empty string or null', v);
  return v;
}

export function boolean(path: string, v: Json): boolean {
  if (typeof v !== 'boolean') fail(path, 'must be true or false', v);
  return v;
}

export function integer(path: string, v: Json, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(path, 'must be an integer', v);
  if (v < min || v > max)
    fail(path, max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be from ${min} to ${max}`, v);
  return v;
}

export function oneOf<T extends string>(path: string, v: Json, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    const hint = typeof v === 'string' ? suggest(v, values) : '';
    fail(path, `must be one of ${values.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`, v);
  }
  return v as T;
}

export function listOf<T extends string>(path: string, v: Json, values: readonly T[]): T[] {
  const out = array(path, v).map((x, i) => oneOf(`${path}[${i}]`, x, values));
  const dup = out.find((x, i) => out.indexOf(x) !== i);
  if (dup !== undefined) fail(path, `lists "${dup}" twice`);
  return out;
}

const DECIMAL_RE = /^\d{1,20}(\.\d{1,20})?$/;

export function decimal(path: string, v: Json): string {
  if (typeof v !== 'string' || !DECIMAL_RE.test(v))
    fail(path, 'must be a non-negative decimal string such as "0.01000000"', v);
  return v;
}
