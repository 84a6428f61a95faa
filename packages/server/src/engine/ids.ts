/**
 * Deterministic Binance-style client order ids: 22 alphanumerics drawn from (seed, sequence).
 * `clientOrderIdSeq` inverts the mapping (for sequences below 2^32), so the engine needs no index of
 * the ids it generated: a lookup decodes the sequence and checks it by re-encoding.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

const GOLD = 0x9e3779b9;
const K1 = 0x85ebca6b;
const M1 = 0x7feb352d;
const M2 = 0x846ca68b;

function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, M1);
  x ^= x >>> 15;
  x = Math.imul(x, M2);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Multiplicative inverse of an odd number mod 2^32 (Newton). */
function inv32(a: number): number {
  let x = a;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x;
}
const M1_INV = inv32(M1);
const M2_INV = inv32(M2);
const GOLD_INV = inv32(GOLD);

function unmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, M2_INV);
  x ^= (x >>> 15) ^ (x >>> 30);
  x = Math.imul(x, M1_INV);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * 22 characters: five mix32 outputs (multipliers 1, 6, 11, 16, 21 × K1), five base-62 digits each
 * (two from the last). Written out on purpose: it runs for every order without a client id, and the
 * loop forms measured 4–5× slower (String.fromCharCode.apply on a reused buffer, or concatenation).
 */
export function clientOrderId(seed: number, seq: number): string {
  const hi = Math.floor(seq / 4294967296);
  const base = seed ^ Math.imul(seq | 0, GOLD);
  let h = mix32(base + K1 + hi);
  const c0 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c1 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c2 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c3 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c4 = CODES[h % 62] as number;
  h = mix32(base + Math.imul(6, K1) + hi);
  const c5 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c6 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c7 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c8 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c9 = CODES[h % 62] as number;
  h = mix32(base + Math.imul(11, K1) + hi);
  const c10 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c11 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c12 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c13 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c14 = CODES[h % 62] as number;
  h = mix32(base + Math.imul(16, K1) + hi);
  const c15 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c16 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c17 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c18 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c19 = CODES[h % 62] as number;
  h = mix32(base + Math.imul(21, K1) + hi);
  const c20 = CODES[h % 62] as number;
  h = Math.floor(h / 62);
  const c21 = CODES[h % 62] as number;
  return String.fromCharCode(
    c0,
    c1,
    c2,
    c3,
    c4,
    c5,
    c6,
    c7,
    c8,
    c9,
    c10,
    c11,
    c12,
    c13,
    c14,
    c15,
    c16,
    c17,
    c18,
    c19,
    c20,
    c21,
  );
}

/** The sequence (1 ≤ seq < 2^32) that `clientOrderId(seed, seq)` turns into `id`, or −1. */
export function clientOrderIdSeq(seed: number, id: string): number {
  if (id.length !== 22) return -1;
  // the first 5 characters are the low base-62 digits of the first mix32 output
  let low = 0;
  for (let i = 4; i >= 0; i--) {
    const c = id.charCodeAt(i);
    const v = c < 128 ? (VALUE[c] as number) : -1;
    if (v < 0) return -1;
    low = low * 62 + v;
  }
  const span = 916_132_832; // 62^5
  for (let h = low; h < 4294967296; h += span) {
    const t = (unmix32(h) - K1) >>> 0;
    const seq = Math.imul(t ^ seed, GOLD_INV) >>> 0;
    if (seq > 0 && clientOrderId(seed, seq) === id) return seq;
  }
  return -1;
}

/** Kinds of `ownClientId`. */
export const OWN_ORDER = 1;
export const OWN_CANCEL = 2;
const OWN_SPAN = 2 ** 40;

/**
 * A client order id generated from an orderId, not from the sequence (a transient account's:
 * EngineCore.markTransient): for an order, or for a cancel of it. Outside the decodable range
 * (kind · 2^40 + orderId ≥ 2^32), so it is indexed like a client-given id, for as long as its
 * order is open.
 */
export function ownClientId(seed: number, kind: typeof OWN_ORDER | typeof OWN_CANCEL, orderId: number): string {
  return clientOrderId(seed, kind * OWN_SPAN + orderId);
}
