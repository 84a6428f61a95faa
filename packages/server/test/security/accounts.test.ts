import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccountRegistry, isApiKeyFormat, parsePublicKey } from '../../src/security/accounts.js';
import { signEd25519, signHmac, signRsa, verifySignature } from '../../src/security/signature.js';

const ALNUM64 = /^[A-Za-z0-9]{64}$/;
const ED_PUBLIC = 'MCowBQYDK2VwAyEAGUIKv9dSpWXBViXp2m6vAIb8QMFJYBgyFEQsFJlqgA0=';

describe('AccountRegistry.create', () => {
  it('HMAC by default: 64-alphanumeric apiKey and secretKey, sequential ids', () => {
    const reg = new AccountRegistry('seed');
    const a = reg.create({ balances: { BTC: '1', USDT: '1000.5' } });
    const b = reg.create();
    expect(a.accountId).toBe(1);
    expect(b.accountId).toBe(2);
    expect(a.keyType).toBe('HMAC_SHA256');
    expect(a.apiKey).toMatch(ALNUM64);
    expect(a.secretKey).toMatch(ALNUM64);
    expect(a.privateKey).toBeUndefined();
    expect(a.apiKey).not.toBe(b.apiKey);
    expect(reg.account(1)).toEqual({ id: 1, balances: { BTC: '1', USDT: '1000.5' }, apiKeys: [a.apiKey] });
    expect(reg.account(3)).toBeUndefined();
    const key = reg.byApiKey(a.apiKey)!;
    expect(key).toMatchObject({ apiKey: a.apiKey, accountId: 1, keyType: 'HMAC_SHA256', permissions: { trade: true } });
    expect(verifySignature(key, 'a=1', signHmac(a.secretKey!, 'a=1'))).toBe(true);
    expect(reg.byApiKey(a.apiKey.toLowerCase())).toBeUndefined(); // case-sensitive
  });

  it('is deterministic from the seed (ids, API keys, secrets, Ed25519 keys)', () => {
    const run = (seed: string) => {
      const reg = new AccountRegistry(seed);
      return [reg.create(), reg.create({ keyType: 'ED25519' }), reg.create({ canTrade: false }), reg.addKey(1)];
    };
    const one = run('seed-1');
    const two = run('seed-1');
    const other = run('seed-2');
    expect(two).toEqual(one);
    expect(other[0]!.apiKey).not.toBe(one[0]!.apiKey);
    expect(other[0]!.secretKey).not.toBe(one[0]!.secretKey);
    expect(other[1]!.privateKey).not.toBe(one[1]!.privateKey);
    expect(other.map((c) => c.accountId)).toEqual(one.map((c) => c.accountId));
  });

  it("an account's credentials do not depend on other accounts' key types", () => {
    const a = new AccountRegistry('s');
    a.create({ keyType: 'ED25519' });
    const x = a.create();
    const b = new AccountRegistry('s');
    b.create();
    const y = b.create();
    expect(y).toEqual(x);
  });

  it('ED25519 without publicKey: generated pair, PKCS#8 PEM private key returned', () => {
    const reg = new AccountRegistry('seed');
    const c = reg.create({ keyType: 'ED25519' });
    expect(c.secretKey).toBeUndefined();
    expect(c.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = reg.byApiKey(c.apiKey)!;
    expect(key.keyType).toBe('ED25519');
    expect(verifySignature(key, 'a=1', signEd25519(c.privateKey!, 'a=1'))).toBe(true);
  });

  it('RSA without publicKey: generated 2048-bit pair (random), PKCS#8 PEM private key', () => {
    const reg = new AccountRegistry('seed');
    const c = reg.create({ keyType: 'RSA' });
    expect(c.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = reg.byApiKey(c.apiKey)!;
    expect(key.verifier.kind).toBe('RSA');
    expect(verifySignature(key, 'a=1', signRsa(c.privateKey!, 'a=1'))).toBe(true);
  });

  it('ED25519 / RSA with a publicKey (PEM or base64 SPKI): no private key returned', () => {
    const reg = new AccountRegistry('seed');
    const ed = reg.create({ keyType: 'ED25519', publicKey: ED_PUBLIC });
    expect(ed.privateKey).toBeUndefined();
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsa = reg.create({ keyType: 'RSA', publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString() });
    expect(rsa.privateKey).toBeUndefined();
    expect(verifySignature(reg.byApiKey(rsa.apiKey)!, 'x', signRsa(privateKey, 'x'))).toBe(true);
  });

  it('canTrade: false and setTradePermission', () => {
    const reg = new AccountRegistry('seed');
    const c = reg.create({ canTrade: false });
    expect(reg.byApiKey(c.apiKey)!.permissions.trade).toBe(false);
    expect(reg.setTradePermission(c.apiKey, true)).toBe(true);
    expect(reg.byApiKey(c.apiKey)!.permissions.trade).toBe(true);
    expect(reg.setTradePermission('X'.repeat(64), true)).toBe(false);
  });

  it('bad input throws a clear Error and creates no account', () => {
    const reg = new AccountRegistry('seed');
    expect(() => reg.create({ keyType: 'ED25519', publicKey: 'not a key' })).toThrow(
      /publicKey is not a valid ED25519/,
    );
    expect(() => reg.create({ keyType: 'ED25519', publicKey: 'QUJD' })).toThrow(/publicKey is not a valid ED25519/);
    expect(() => reg.create({ keyType: 'RSA', publicKey: ED_PUBLIC })).toThrow(/expected rsa/);
    expect(() =>
      reg.create({ keyType: 'ED25519', publicKey: '-----BEGIN PRIVATE KEY-----\nMC4=\n-----END PRIVATE KEY-----' }),
    ).toThrow(/not a private key/);
    expect(() => reg.create({ keyType: 'HMAC_SHA256', publicKey: ED_PUBLIC })).toThrow(/publicKey applies/);
    expect(() => reg.create({ balances: { BTC: '-1' } })).toThrow(/balance of BTC/);
    expect(() => reg.create({ keyType: 'DSA' as never })).toThrow(/unknown keyType/);
    expect([...reg.accounts()]).toEqual([]);
    expect(reg.create().accountId).toBe(1);
  });

  it('rejects RSA keys outside 2048–4096 bits', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => parsePublicKey('RSA', publicKey.export({ format: 'pem', type: 'spki' }).toString())).toThrow(
      /1024 bits/,
    );
  });
});

describe('AccountRegistry.importKey', () => {
  it('imports a given HMAC key on a new account, or onto an existing one', () => {
    const reg = new AccountRegistry('seed');
    const k1 = 'A'.repeat(64);
    const k2 = 'B'.repeat(64);
    const r = reg.importKey({ apiKey: k1, secretKey: 'secret', keyType: 'HMAC_SHA256', balances: { BTC: '2' } });
    expect(r).toEqual({ accountId: 1, apiKey: k1, keyType: 'HMAC_SHA256' });
    reg.importKey({ apiKey: k2, publicKey: ED_PUBLIC, keyType: 'ED25519', accountId: 1, canTrade: false });
    expect(reg.account(1)).toEqual({ id: 1, balances: { BTC: '2' }, apiKeys: [k1, k2] });
    expect(reg.byApiKey(k2)).toMatchObject({ accountId: 1, keyType: 'ED25519', permissions: { trade: false } });
  });

  it('validates its input', () => {
    const reg = new AccountRegistry('seed');
    expect(() => reg.importKey({ apiKey: 'short', secretKey: 's', keyType: 'HMAC_SHA256' })).toThrow(/64 alphanumeric/);
    expect(() => reg.importKey({ apiKey: 'A'.repeat(64), keyType: 'HMAC_SHA256' })).toThrow(/secretKey is required/);
    expect(() => reg.importKey({ apiKey: 'A'.repeat(64), keyType: 'ED25519' })).toThrow(/publicKey is required/);
    expect(() =>
      reg.importKey({ apiKey: 'A'.repeat(64), secretKey: 's', keyType: 'HMAC_SHA256', accountId: 9 }),
    ).toThrow(/unknown account 9/);
    reg.importKey({ apiKey: 'A'.repeat(64), secretKey: 's', keyType: 'HMAC_SHA256' });
    expect(() => reg.importKey({ apiKey: 'A'.repeat(64), secretKey: 's', keyType: 'HMAC_SHA256' })).toThrow(
      /already registered/,
    );
    expect(() => reg.addKey(42)).toThrow(/unknown account 42/);
  });

  it('isApiKeyFormat', () => {
    expect(isApiKeyFormat('a'.repeat(64))).toBe(true);
    expect(isApiKeyFormat('a'.repeat(63))).toBe(false);
    expect(isApiKeyFormat('a'.repeat(63) + '-')).toBe(false);
  });
});
