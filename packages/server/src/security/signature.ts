/**
 * Request signatures (reference notes §2.3).
 *
 * | key type    | algorithm                      | encoding | case             |
 * | HMAC_SHA256 | HMAC-SHA256 with the secretKey | hex      | case-insensitive |
 * | RSA         | RSASSA-PKCS1-v1_5 + SHA-256    | base64   | case-sensitive   |
 * | ED25519     | Ed25519 (pure)                 | base64   | case-sensitive   |
 *
 * The REST payload is `queryString + requestBody` (no separator) as received, minus the `signature`
 * parameter itself (wherever it is: end of the query or of the body, per the docs).
 */
import * as crypto from 'node:crypto';
import {
  createHash,
  createHmac,
  createPrivateKey,
  sign,
  timingSafeEqual,
  verify,
  constants,
  type KeyObject,
} from 'node:crypto';
import type { ApiKeyRecord } from './accounts.js';

export type KeyType = 'HMAC_SHA256' | 'ED25519' | 'RSA';

/** What verifies a key's signatures: the HMAC secret bytes, or the registered public key. */
export type Verifier =
  | { readonly kind: 'HMAC_SHA256'; readonly secret: Buffer }
  | { readonly kind: 'ED25519'; readonly publicKey: KeyObject }
  | { readonly kind: 'RSA'; readonly publicKey: KeyObject };

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const AMPERSAND = 0x26;
const NON_ASCII_RUNS_RE = /[\u0080-\uffff]+/g;

/**
 * HMAC-SHA256 verification as two one-shot SHA-256 hashes (RFC 2104: H(K⊕opad ‖ H(K⊕ipad ‖ m))) over
 * reusable buffers that already hold each secret's padded key block: no Hmac object, no key setup
 * per request. `crypto.hash` (Node ≥ 20.12) is a single native call; without it, createHmac. Its
 * digests are taken as 'binary' (latin1) strings, one character per byte, and written into reused
 * buffers: a Buffer result is a new ArrayBuffer with its own backing store, which cost more than
 * the hashing.
 */
const oneShotHash = (crypto as { hash?: (alg: string, data: Buffer, enc: 'binary') => string }).hash;
const BLOCK = 64;
const pads = new WeakMap<Buffer, { inner: Buffer; outer: Buffer }>();
const MAX_SCRATCH = 64 << 10;
let innerScratch = Buffer.alloc(BLOCK + 4096);
const outerScratch = Buffer.alloc(BLOCK + 32);
/** The decoded signature of the request being verified (verification is synchronous). */
const decodedHmac = Buffer.alloc(32);
const digestScratch = Buffer.alloc(32);

function padsOf(secret: Buffer): { inner: Buffer; outer: Buffer } {
  let p = pads.get(secret);
  if (p === undefined) {
    const key = Buffer.alloc(BLOCK);
    (secret.length > BLOCK ? createHash('sha256').update(secret).digest() : secret).copy(key);
    const inner = Buffer.alloc(BLOCK);
    const outer = Buffer.alloc(BLOCK);
    for (let i = 0; i < BLOCK; i++) {
      inner[i] = (key[i] as number) ^ 0x36;
      outer[i] = (key[i] as number) ^ 0x5c;
    }
    p = { inner, outer };
    pads.set(secret, p);
  }
  return p;
}

/**
 * HMAC-SHA256 of the UTF-8 bytes of `payload`, as a raw 32-byte digest — in a buffer that the next
 * call overwrites (read it before verifying another request).
 */
export function hmacDigest(secret: Buffer, payload: string): Buffer {
  if (oneShotHash === undefined) return createHmac('sha256', secret).update(payload, 'utf8').digest();
  const { inner, outer } = padsOf(secret);
  const need = BLOCK + Buffer.byteLength(payload, 'utf8');
  // the scratch buffer grows for ordinary requests only; a huge body gets a buffer of its own
  if (need > innerScratch.length && need <= MAX_SCRATCH) innerScratch = Buffer.alloc(Math.min(MAX_SCRATCH, need * 2));
  const data = need <= innerScratch.length ? innerScratch : Buffer.allocUnsafe(need);
  inner.copy(data, 0);
  data.write(payload, BLOCK, 'utf8');
  outerScratch.write(oneShotHash('sha256', data.subarray(0, need), 'binary'), BLOCK, 'latin1');
  outer.copy(outerScratch, 0);
  digestScratch.write(oneShotHash('sha256', outerScratch, 'binary'), 0, 'latin1');
  return digestScratch;
}

function percentEncodeNonAscii(payload: string): string {
  try {
    return payload.replace(NON_ASCII_RUNS_RE, (s) => encodeURIComponent(s));
  } catch {
    return payload; // a lone surrogate: leave it, verification fails
  }
}

/** Removes `signature=…` segments (and one adjoining '&') from a form-encoded string. */
function stripSignature(raw: string): string {
  const first = raw.indexOf('signature');
  if (first === -1) return raw;
  // Usual case, without split/join: the first `signature` opens a segment as `signature=` and no
  // segment follows it (indexOf: lastIndexOf is a runtime call, not a builtin, in this V8).
  if (
    (first === 0 || raw.charCodeAt(first - 1) === AMPERSAND) &&
    raw.startsWith('signature=', first) &&
    raw.indexOf('&', first) === -1
  )
    return first === 0 ? '' : raw.slice(0, first - 1);
  const segments = raw.split('&');
  const kept = segments.filter((s) => s !== 'signature' && !s.startsWith('signature='));
  return kept.length === segments.length ? raw : kept.join('&');
}

/**
 * The exact text a REST request signs: query string + body, no separator (docs R3: the mixed case
 * has no '&' between them), with the `signature` parameter removed. Pass the body only where the
 * transport read it (never for GET).
 *
 * Non-ASCII characters (a client that sent raw UTF-8 instead of percent-encoding) are
 * percent-encoded before verification (choice: this is how we model CL 2025-12-17 — "percent-encode
 * before signing, else -1022": a signature computed over raw UTF-8 then fails).
 */
export function signaturePayload(rawQuery: string, rawBody: string): string {
  const payload = stripSignature(rawQuery) + stripSignature(rawBody);
  // as many UTF-8 bytes as characters: all ASCII (cheaper to ask than a regular expression)
  return Buffer.byteLength(payload, 'utf8') === payload.length ? payload : percentEncodeNonAscii(payload);
}

/** HMAC-SHA256 of `payload`, lower-case hex. */
export function signHmac(secret: string | Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

/** Ed25519 signature of `payload`, base64. `privateKey`: a KeyObject or a PKCS#8 PEM. */
export function signEd25519(privateKey: KeyObject | string, payload: string): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign(null, Buffer.from(payload, 'utf8'), key).toString('base64');
}

/** RSASSA-PKCS1-v1_5 SHA-256 signature of `payload`, base64. `privateKey`: a KeyObject or a PEM. */
export function signRsa(privateKey: KeyObject | string, payload: string): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign('sha256', Buffer.from(payload, 'utf8'), {
    key,
    padding: constants.RSA_PKCS1_PADDING,
  }).toString('base64');
}

/**
 * Verifies `signature` (the decoded value of the `signature` parameter) over `payload` with the
 * key's verifier. HMAC: exactly 64 hex digits, any case, constant-time comparison. RSA / Ed25519:
 * strict base64 (a '+' sent un-encoded arrives as a space and fails, as on Binance).
 */
export function verifySignature(key: ApiKeyRecord, payload: string, signature: string): boolean {
  const v = key.verifier;
  if (v.kind === 'HMAC_SHA256') {
    // 64 characters that decode to 32 bytes: 64 hex digits (hex decoding stops at the first bad pair)
    if (signature.length !== 64 || decodedHmac.write(signature, 'hex') !== 32) return false;
    return timingSafeEqual(hmacDigest(v.secret, payload), decodedHmac);
  }
  if (!BASE64_RE.test(signature)) return false;
  const sig = Buffer.from(signature, 'base64');
  const data = Buffer.from(payload, 'utf8');
  try {
    if (v.kind === 'ED25519') return verify(null, data, v.publicKey, sig);
    return verify('sha256', data, { key: v.publicKey, padding: constants.RSA_PKCS1_PADDING }, sig);
  } catch {
    return false;
  }
}
