/**
 * Exact decimal arithmetic for the engine. Every amount is an integer count of "units" of 1e-8
 * (Binance renders every spot price, quantity and balance with 8 decimals).
 *
 * - Prices and quantities of one order fit a JS number exactly (< 2^53 units = 90,071,992.54740991);
 *   `parseUnits` refuses larger values (OVERFLOW) so no float rounding can ever creep in.
 * - Notionals, balances and sums are BigInt: products of two unit counts exceed 2^53.
 * - No float is ever used for a value: `Number` only holds integers below 2^53.
 */

export const DECIMALS = 8;
export const UNIT = 100_000_000; // units per 1
export const UNIT_N = 100_000_000n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** `parseUnits` failures (negative sentinels; a valid result is ≥ 0). */
export const BAD = -1; // not a plain non-negative decimal
export const TOO_PRECISE = -2; // more significant decimals than allowed
export const OVERFLOW = -3; // ≥ 2^53 units

/**
 * Parses a plain non-negative decimal ("123", "0.01"; "5.", ".5", "-1", "1e5" refused) into 1e-8
 * units. Trailing zeros after the point are not significant ("1.000000000" is fine);
 * a non-zero digit past `maxDecimals` gives TOO_PRECISE. Returns units (≥ 0) or a sentinel.
 */
export function parseUnits(s: string, maxDecimals: number = DECIMALS): number {
  const n = s.length;
  if (n === 0 || n > 64) return BAD;
  let i = 0;
  let int = 0;
  let digits = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    int = int * 10 + c;
    digits++;
  }
  if (digits === 0) return BAD;
  if (int > 90_071_992) return OVERFLOW;
  let frac = 0;
  let scale = UNIT;
  if (i < n) {
    if (s.charCodeAt(i) !== 46 /* . */ || i === n - 1) return BAD;
    i++;
    let pos = 0;
    for (; i < n; i++, pos++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return BAD;
      if (pos < maxDecimals && pos < DECIMALS) {
        scale /= 10;
        frac += c * scale;
      } else if (c !== 0) {
        return TOO_PRECISE;
      }
    }
  }
  const v = int * UNIT + frac;
  return v > MAX_SAFE ? OVERFLOW : v;
}

/** Same rules as parseUnits but without a size limit (balances, quoteOrderQty). */
export function parseUnitsBig(s: string, maxDecimals: number = DECIMALS): bigint | typeof BAD | typeof TOO_PRECISE {
  const m = /^([0-9]{1,40})(?:\.([0-9]{1,40}))?$/.exec(s);
  if (!m) return BAD;
  const intPart = m[1] as string;
  const fracPart = (m[2] ?? '').replace(/0+$/, '');
  if (fracPart.length > Math.min(maxDecimals, DECIMALS)) return TOO_PRECISE;
  return BigInt(intPart) * UNIT_N + BigInt(fracPart.padEnd(DECIMALS, '0') || '0');
}

const ZEROS = '00000000';
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** Renders units as Binance does: always 8 decimals, "0.01000000", "-1.50000000". */
export function formatUnits(v: number | bigint): string {
  // a BigInt within 2^53 converts exactly: the number path (most amounts; BigInt division is slower)
  if (typeof v === 'bigint' && v >= 0n && v <= MAX_SAFE_BIG) v = Number(v);
  if (typeof v === 'number') {
    if (v >= 0 && v <= MAX_SAFE) {
      const int = Math.floor(v / UNIT);
      const frac = v - int * UNIT;
      const f = String(frac);
      return `${int}.${ZEROS.slice(f.length)}${f}`;
    }
    v = BigInt(v);
  }
  const neg = v < 0n;
  const a = neg ? -v : v;
  const int = a / UNIT_N;
  const f = String(a % UNIT_N);
  return `${neg ? '-' : ''}${int}.${ZEROS.slice(f.length)}${f}`;
}

/** Strips trailing zeros: "0.01000000" → "0.01", "5.00000000" → "5" (for exchangeInfo-free contexts). */
export function trimDecimal(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

export function gcdBig(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/** floor(a * b / c) for non-negative bigints. */
/** An integer count (steps, units) from BigInt arithmetic, exactly; throws if it is not a safe integer. */
export function safeInt(v: bigint): number {
  if (v > 9_007_199_254_740_991n || v < -9_007_199_254_740_991n) throw new RangeError(`${v} is not a safe integer`);
  return Number(v);
}

export function mulDivFloor(a: bigint, b: bigint, c: bigint): bigint {
  return (a * b) / c;
}

/** ceil(a * b / c) for non-negative bigints. */
export function mulDivCeil(a: bigint, b: bigint, c: bigint): bigint {
  const p = a * b;
  return (p + c - 1n) / c;
}

/**
 * Notional of `ticks × steps` in units, for a symbol where one tick × one step = fn/fd units:
 * floor(ticks·steps·fn / fd). Exact: number arithmetic while the product stays below 2^53,
 * BigInt otherwise.
 */
export function notionalUnits(ticks: number, steps: number, fn: number, fd: number): bigint {
  const p = ticks * steps * fn;
  if (p <= MAX_SAFE) {
    if (fd === 1) return BigInt(p);
    let q = Math.floor(p / fd);
    if (q * fd > p) q--;
    return BigInt(q);
  }
  return (BigInt(ticks) * BigInt(steps) * BigInt(fn)) / BigInt(fd);
}

/** notionalUnits as a number, or −1 when ticks·steps·fn reaches 2^53 (use notionalUnits then). */
export function notionalNum(ticks: number, steps: number, fn: number, fd: number): number {
  const p = ticks * steps * fn;
  if (p > MAX_SAFE) return -1;
  if (fd === 1) return p;
  let q = Math.floor(p / fd);
  if (q * fd > p) q--;
  return q;
}

/** Below this, sums and products of two such numbers' parts stay exact in a double with headroom. */
const EXACT = 2 ** 52;

/**
 * floor(a · 10^k / d) for integers a ≥ 0, d > 0, by long division one decimal digit at a time, so
 * every intermediate stays an exact double; −1 when a or 10·d is too large for that (use BigInt).
 */
export function floorScaledDiv(a: number, k: number, d: number): number {
  if (a > EXACT || d * 10 > EXACT) return -1;
  let q = Math.floor(a / d);
  let r = a - q * d;
  if (r < 0) {
    q--;
    r += d;
  } else if (r >= d) {
    q++;
    r -= d;
  }
  for (let i = 0; i < k; i++) {
    r *= 10;
    let digit = Math.floor(r / d);
    let rest = r - digit * d;
    if (rest < 0) {
      digit--;
      rest += d;
    } else if (rest >= d) {
      digit++;
      rest -= d;
    }
    q = q * 10 + digit;
    r = rest;
  }
  return q <= EXACT ? q : -1;
}

/** A decimal multiplier (units of 1e-8) as a reduced fraction of numbers: 0.2 → [1, 5], 5 → [5, 1]. */
export type Fraction = readonly [number, number];

export function unitsFraction(m: bigint): Fraction {
  const g = gcdBig(m, UNIT_N);
  return g === 0n ? [0, 1] : [Number(m / g), Number(UNIT_N / g)];
}

/** floor(x · n / d) exactly (BigInt only when x · n leaves the exact range); Infinity beyond 2^53. */
export function floorTimes(x: number, [n, d]: Fraction): number {
  const p = x * n;
  if (p <= EXACT) {
    let q = Math.floor(p / d);
    if (q * d > p) q--;
    else if ((q + 1) * d <= p) q++;
    return q;
  }
  const v = (BigInt(x) * BigInt(n)) / BigInt(d);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
}

/** ceil(x · n / d), as floorTimes. */
export function ceilTimes(x: number, f: Fraction): number {
  const q = floorTimes(x, f);
  if (q === Infinity) return q;
  const [n, d] = f;
  const p = x * n;
  if (p <= EXACT) return q * d === p ? q : q + 1;
  return BigInt(q) * BigInt(d) === BigInt(x) * BigInt(n) ? q : q + 1;
}

/** hi·2^32 + lo as a bigint (a two-part amount: integers, 0 ≤ lo < 2^32). */
export function wideBig(hi: number, lo: number): bigint {
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) + BigInt(lo);
}

/** floor(p / d) for integers 0 ≤ p ≤ 2^53, d > 0 (float division corrected to the exact floor). */
export function floorDiv(p: number, d: number): number {
  let q = Math.floor(p / d);
  if (q * d > p) q--;
  return q;
}
/**
 * Commission floor(amount · rate / 1e8) as a number (integers 0 ≤ amount, rate < 2^53), or −1 when
 * it cannot be computed exactly in doubles. A product beyond 2^53 is split: amount = a1·1e8 + a0
 * gives floor(amount·rate/1e8) = a1·rate + floor(a0·rate/1e8), each part exact.
 */
export function commNum(amount: number, rateN: number): number {
  if (rateN === 0) return 0;
  if (rateN < 0) return -1;
  const p = amount * rateN;
  if (p <= MAX_SAFE) return floorDiv(p, UNIT);
  const a1 = floorDiv(amount, UNIT);
  const lo = (amount - a1 * UNIT) * rateN;
  const hi = a1 * rateN;
  if (lo > MAX_SAFE || hi > MAX_SAFE) return -1;
  const c = hi + floorDiv(lo, UNIT);
  return c <= MAX_SAFE ? c : -1;
}

/** `formatUnits` without trailing zeros ("0.052", "5838"): block trades are rendered so (rest-api.md). */
export function formatUnitsTrimmed(v: number | bigint): string {
  const s = formatUnits(v);
  return s.replace(/\.?0+$/, '');
}
