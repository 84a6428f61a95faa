import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccountRegistry } from '../../src/security/accounts.js';
import {
  hmacDigest,
  signaturePayload,
  signEd25519,
  signHmac,
  signRsa,
  verifySignature,
} from '../../src/security/signature.js';
import { mulberry32 } from '../engine/helpers.js';

// Reference notes §2.3 (official docs' vectors).
const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const R1 =
  'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const R1_SIG = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
const R2 =
  'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const R2_SIG = 'e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3';
const R3_QUERY = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC';
const R3_BODY = 'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const R3_SIG = '0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77';

const ED_PRIVATE =
  '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n-----END PRIVATE KEY-----\n';
const ED_PUBLIC = 'MCowBQYDK2VwAyEAGUIKv9dSpWXBViXp2m6vAIb8QMFJYBgyFEQsFJlqgA0=';
const ED_PAYLOAD =
  'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918&recvWindow=5000';
const ED_SIG = 'inDT086KVIP8vgUfw5sV3VTkescWztiAGlf4x8FLKHM4NInsn0c1kYVLoGMO8cyjfR6vmTku2YQE0gtfVVlfCw==';
const ED_API_KEY = 'E'.repeat(64);

function hmacKey() {
  const reg = new AccountRegistry('vectors');
  reg.importKey({ apiKey: API_KEY, secretKey: SECRET, keyType: 'HMAC_SHA256' });
  return reg.byApiKey(API_KEY)!;
}

describe('signaturePayload', () => {
  it('concatenates query and body without a separator (R3)', () => {
    expect(signaturePayload(R3_QUERY, R3_BODY)).toBe(
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559',
    );
  });
  it('removes the signature parameter wherever it is', () => {
    expect(signaturePayload(`${R1}&signature=${R1_SIG}`, '')).toBe(R1);
    expect(signaturePayload(R3_QUERY, `${R3_BODY}&signature=${R3_SIG}`)).toBe(R3_QUERY + R3_BODY);
    expect(signaturePayload(`${R3_QUERY}&signature=x`, R3_BODY)).toBe(R3_QUERY + R3_BODY);
    expect(signaturePayload(`signature=x&${R1}`, '')).toBe(R1);
    expect(signaturePayload('a=1&signature=x&b=2', '')).toBe('a=1&b=2');
    expect(signaturePayload('signature=x', R1)).toBe(R1);
  });
  it('removes exactly the segments named signature, for any arrangement (property, vs split and filter)', () => {
    const next = mulberry32(3);
    const parts = ['signature', 'signature=', '=', '&', 'x', 'a=1', 'signatureX=1', 'sig'];
    for (let i = 0; i < 5000; i++) {
      const raw = Array.from({ length: Math.floor(next() * 7) }, () => parts[Math.floor(next() * parts.length)]).join(
        '',
      );
      const segments = raw.split('&');
      const kept = segments.filter((x) => x !== 'signature' && !x.startsWith('signature='));
      expect(signaturePayload(raw, ''), raw).toBe(kept.length === segments.length ? raw : kept.join('&'));
    }
  });
  it('keeps everything else byte for byte', () => {
    expect(signaturePayload('a=1&&b=%2B+c&signatureX=1', '')).toBe('a=1&&b=%2B+c&signatureX=1');
  });
  it('percent-encodes raw non-ASCII (un-encoded-then-signed fails, CL 2025-12-17)', () => {
    expect(signaturePayload('symbol=１２３４５６&side=BUY', '')).toBe(
      'symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY',
    );
  });
});

describe('HMAC-SHA256', () => {
  it.each([
    ['R1', R1, '', R1_SIG],
    ['R2 (non-ASCII, percent-encoded)', R2, '', R2_SIG],
    ['R3 (mixed query + body)', R3_QUERY, R3_BODY, R3_SIG],
  ])('%s official vector', (_name, query, body, sig) => {
    expect(signHmac(SECRET, signaturePayload(query, body))).toBe(sig);
    expect(verifySignature(hmacKey(), signaturePayload(`${query}`, `${body}`), sig)).toBe(true);
  });
  it('R3 with the signature at the end of the body', () => {
    const payload = signaturePayload(R3_QUERY, `${R3_BODY}&signature=${R3_SIG}`);
    expect(verifySignature(hmacKey(), payload, R3_SIG)).toBe(true);
  });
  it('R2 sent as raw UTF-8 and signed over the raw text → invalid', () => {
    const raw = R2.replace('%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96', '１２３４５６');
    const sigOverRaw = signHmac(SECRET, raw);
    expect(verifySignature(hmacKey(), signaturePayload(raw, ''), sigOverRaw)).toBe(false);
  });
  it('is case-insensitive', () => {
    expect(verifySignature(hmacKey(), R1, R1_SIG.toUpperCase())).toBe(true);
    expect(
      verifySignature(
        hmacKey(),
        R1,
        R1_SIG.replace(/[a-f]/g, (c) => (c === 'c' ? 'C' : c)),
      ),
    ).toBe(true);
  });
  it('rejects wrong, truncated, padded or non-hex signatures', () => {
    const key = hmacKey();
    expect(verifySignature(key, R1, R1_SIG.replace(/.$/, '0'))).toBe(false);
    expect(verifySignature(key, R1, R1_SIG.slice(0, 63))).toBe(false);
    expect(verifySignature(key, R1, R1_SIG + '0')).toBe(false);
    expect(verifySignature(key, R1, R1_SIG.slice(0, 63) + 'g')).toBe(false);
    expect(verifySignature(key, R1, '')).toBe(false);
    expect(verifySignature(key, R1 + '&x=1', R1_SIG)).toBe(false);
  });
});

describe('Ed25519', () => {
  function edKey() {
    const reg = new AccountRegistry('vectors');
    reg.importKey({ apiKey: ED_API_KEY, publicKey: ED_PUBLIC, keyType: 'ED25519' });
    return reg.byApiKey(ED_API_KEY)!;
  }
  it('the derived REST vector verifies with the public key from the notes', () => {
    expect(verifySignature(edKey(), ED_PAYLOAD, ED_SIG)).toBe(true);
    expect(
      verifySignature(edKey(), signaturePayload(`${ED_PAYLOAD}&signature=${encodeURIComponent(ED_SIG)}`, ''), ED_SIG),
    ).toBe(true);
  });
  it('signEd25519 reproduces it (Ed25519 is deterministic)', () => {
    expect(signEd25519(ED_PRIVATE, ED_PAYLOAD)).toBe(ED_SIG);
  });
  it('is case-sensitive and exact', () => {
    const key = edKey();
    expect(verifySignature(key, ED_PAYLOAD, ED_SIG.toLowerCase())).toBe(false);
    expect(verifySignature(key, ED_PAYLOAD + 'x', ED_SIG)).toBe(false);
    // '+' sent un-encoded arrives as a space after form decoding
    let payload = '';
    let sig = '';
    for (let i = 0; !sig.includes('+'); i++) sig = signEd25519(ED_PRIVATE, (payload = `a=${i}`));
    expect(verifySignature(key, payload, sig)).toBe(true);
    expect(verifySignature(key, payload, sig.replace(/\+/g, ' '))).toBe(false);
    expect(verifySignature(key, ED_PAYLOAD, 'AAAA')).toBe(false);
    expect(verifySignature(key, ED_PAYLOAD, '')).toBe(false);
  });
  it('an HMAC hex signature does not pass for an Ed25519 key', () => {
    expect(verifySignature(edKey(), R1, R1_SIG)).toBe(false);
  });
});

describe('RSA PKCS#1 v1.5 SHA-256', () => {
  it('round trip with a generated 2048-bit key (PEM and base64 SPKI)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const reg = new AccountRegistry('rsa');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const b64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    reg.importKey({ apiKey: 'R'.repeat(64), publicKey: pem, keyType: 'RSA' });
    reg.importKey({ apiKey: 'S'.repeat(64), publicKey: b64, keyType: 'RSA' });
    const sig = signRsa(privateKey, R1);
    expect(sig).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    for (const k of ['R'.repeat(64), 'S'.repeat(64)]) {
      const key = reg.byApiKey(k)!;
      expect(verifySignature(key, R1, sig)).toBe(true);
      expect(verifySignature(key, R1 + '&x=1', sig)).toBe(false);
      expect(verifySignature(key, R1, sig.toLowerCase())).toBe(false);
    }
    const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(signRsa(pkcs8, R1)).toBe(sig); // PKCS#1 v1.5 is deterministic
  });
});

describe('hmacDigest (one-shot SHA-256 over precomputed key pads)', () => {
  it('equals createHmac for keys shorter than, equal to and longer than the block, and any payload', () => {
    const next = mulberry32(7);
    const rnd = (n: number) => Math.floor(next() * n);
    const alphabet = 'abcXYZ019=&%.-_ éü€😀';
    for (let i = 0; i < 300; i++) {
      const secret = Buffer.from(Array.from({ length: rnd(150) }, () => alphabet[rnd(alphabet.length)]).join(''));
      const chars = Array.from(
        { length: i === 298 ? 20_000 : i === 299 ? 60_000 : rnd(600) },
        () => alphabet[rnd(alphabet.length)],
      );
      const payload = chars.join('');
      const expected = createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
      expect(hmacDigest(secret, payload).toString('hex')).toBe(expected);
    }
  });
});
