/**
 * Accounts and their API keys.
 *
 * Deterministic from a seed: every generated value (API keys, HMAC secrets, Ed25519 key pairs) is
 * drawn from a keyed stream HMAC-SHA256(seed, "<label>#<block>"), where the label names the account,
 * the key's index within that account and the purpose ("acct:3:key:0:apiKey"). So account 3's
 * credentials depend only on the seed and on how many keys account 3 already had, never on what other
 * accounts did. Account ids are sequential (1, 2, 3, … in creation order). RSA key pairs are NOT
 * deterministic (node:crypto offers no seeded RSA generation); they are generated randomly.
 */
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { KeyType, Verifier } from './signature.js';

export type { KeyType, Verifier } from './signature.js';

/** One API key. Looked up on every authenticated request. */
export interface ApiKeyRecord {
  readonly apiKey: string;
  readonly accountId: number;
  readonly keyType: KeyType;
  /** `trade`: may use TRADE endpoints (Binance: "trading enabled"). */
  readonly permissions: { trade: boolean };
  readonly verifier: Verifier;
}

export interface AccountRecord {
  readonly id: number;
  /** Initial balances, asset → decimal string, as given at creation. */
  readonly balances: Readonly<Record<string, string>>;
  /** API keys of this account, in creation order. */
  readonly apiKeys: readonly string[];
}

export interface KeyOptions {
  /** Default HMAC_SHA256. */
  readonly keyType?: KeyType;
  /** ED25519 / RSA only: a public key as PEM or base64 SPKI DER. Absent: a key pair is generated. */
  readonly publicKey?: string;
  /** Trading permission; default true (choice: Binance defaults to off, a sandbox wants to trade). */
  readonly canTrade?: boolean;
}

export interface CreateAccountOptions extends KeyOptions {
  readonly balances?: Record<string, string>;
}

export interface ImportKeyOptions {
  /** 64 alphanumerics (anything else could never authenticate: -2014). */
  readonly apiKey: string;
  readonly keyType: KeyType;
  /** HMAC_SHA256: the secret, used as given (UTF-8 bytes). */
  readonly secretKey?: string;
  /** ED25519 / RSA: PEM or base64 SPKI DER. */
  readonly publicKey?: string;
  /** Attach the key to this existing account; absent: a new account is created. */
  readonly accountId?: number;
  readonly canTrade?: boolean;
  /** Balances of the new account (ignored with accountId). */
  readonly balances?: Record<string, string>;
}

export interface CreatedKey {
  readonly accountId: number;
  readonly apiKey: string;
  readonly keyType: KeyType;
  /** HMAC_SHA256 generated keys: the 64-alphanumeric secret. */
  readonly secretKey?: string;
  /** ED25519 / RSA generated key pairs: the PKCS#8 PEM private key. */
  readonly privateKey?: string;
}

const API_KEY_RE = /^[A-Za-z0-9]{64}$/;
const DECIMAL_RE = /^[0-9]{1,20}(\.[0-9]{1,20})?$/;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const RSA_MIN_BITS = 2048;
const RSA_MAX_BITS = 4096;

/** Whether `apiKey` has Binance's API-key format (64 alphanumerics). */
export function isApiKeyFormat(apiKey: string): boolean {
  return API_KEY_RE.test(apiKey);
}

/**
 * Parses a user-supplied public key (PEM, or base64 of the SPKI DER as Binance's key pages show it).
 * Throws an Error with a readable message when it is not a public key of `keyType` (RSA: 2048–4096
 * bits, per the docs).
 */
export function parsePublicKey(keyType: 'ED25519' | 'RSA', input: string): KeyObject {
  const text = input.trim();
  if (text === '') throw new Error('publicKey is empty');
  if (text.includes('PRIVATE KEY')) throw new Error('publicKey must be a public key (SPKI), not a private key');
  let key: KeyObject;
  try {
    if (text.startsWith('-----BEGIN')) {
      key = createPublicKey(text);
    } else {
      const b64 = text.replace(/\s+/g, '');
      if (!BASE64_RE.test(b64)) throw new Error('not base64');
      key = createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' });
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`publicKey is not a valid ${keyType} public key (expected PEM or base64 SPKI DER): ${why}`);
  }
  if (keyType === 'ED25519') {
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new Error(`publicKey is a ${key.asymmetricKeyType ?? 'unknown'} key, expected ed25519`);
    }
  } else {
    if (key.asymmetricKeyType !== 'rsa') {
      throw new Error(`publicKey is a ${key.asymmetricKeyType ?? 'unknown'} key, expected rsa (PKCS#1 v1.5)`);
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
      throw new Error(`RSA publicKey has ${bits} bits; Binance accepts ${RSA_MIN_BITS} to ${RSA_MAX_BITS}`);
    }
  }
  return key;
}

/** Deterministic byte stream: HMAC-SHA256(seed, label#0) ‖ HMAC-SHA256(seed, label#1) ‖ … */
class SeededStream {
  private block = 0;
  private buf = Buffer.alloc(0);
  private pos = 0;

  constructor(
    private readonly seed: string,
    private readonly label: string,
  ) {}

  byte(): number {
    if (this.pos >= this.buf.length) {
      this.buf = createHmac('sha256', this.seed).update(`${this.label}#${this.block++}`).digest();
      this.pos = 0;
    }
    return this.buf[this.pos++] as number;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.byte();
    return out;
  }

  /** `n` characters of [A-Za-z0-9], unbiased (rejection sampling of bytes ≥ 248). */
  alphanumeric(n: number): string {
    let s = '';
    while (s.length < n) {
      const b = this.byte();
      if (b < 248) s += ALNUM[b % 62];
    }
    return s;
  }
}

interface MutableAccount {
  readonly id: number;
  readonly balances: Readonly<Record<string, string>>;
  readonly apiKeys: string[];
}

export class AccountRegistry {
  private readonly accountsById = new Map<number, MutableAccount>();
  private readonly keys = new Map<string, ApiKeyRecord>();
  private nextAccountId = 1;

  constructor(readonly seed: string) {}

  /** Creates an account with one API key (HMAC by default). Throws Error on bad input. */
  create(options: CreateAccountOptions = {}): CreatedKey {
    const balances = checkBalances(options.balances);
    const publicKey = checkKeyOptions(options); // before the account exists: no orphan on bad input
    const account = this.newAccount(balances);
    return this.generateKey(account, options, publicKey);
  }

  /** Adds a generated API key to an existing account. Throws Error on bad input. */
  addKey(accountId: number, options: KeyOptions = {}): CreatedKey {
    const account = this.accountsById.get(accountId);
    if (account === undefined) throw new Error(`unknown account ${accountId}`);
    return this.generateKey(account, options, checkKeyOptions(options));
  }

  /**
   * Registers a given API key (e.g. the documentation's test vectors), on a new account or on
   * `accountId`. Throws Error on bad input or when the API key is already registered.
   */
  importKey(options: ImportKeyOptions): CreatedKey {
    if (!isApiKeyFormat(options.apiKey)) throw new Error('apiKey must be 64 alphanumeric characters');
    if (this.keys.has(options.apiKey)) throw new Error('apiKey is already registered');
    let verifier: Verifier;
    if (options.keyType === 'HMAC_SHA256') {
      if (options.publicKey !== undefined) throw new Error('HMAC_SHA256 keys take a secretKey, not a publicKey');
      if (options.secretKey === undefined || options.secretKey === '')
        throw new Error('secretKey is required for HMAC_SHA256');
      verifier = { kind: 'HMAC_SHA256', secret: Buffer.from(options.secretKey, 'utf8') };
    } else if (options.keyType === 'ED25519' || options.keyType === 'RSA') {
      if (options.secretKey !== undefined) throw new Error(`${options.keyType} keys take a publicKey, not a secretKey`);
      if (options.publicKey === undefined) throw new Error(`publicKey is required for ${options.keyType}`);
      verifier = { kind: options.keyType, publicKey: parsePublicKey(options.keyType, options.publicKey) };
    } else {
      throw new Error(`unknown keyType ${String(options.keyType)}`);
    }
    let account: MutableAccount;
    if (options.accountId !== undefined) {
      const existing = this.accountsById.get(options.accountId);
      if (existing === undefined) throw new Error(`unknown account ${options.accountId}`);
      account = existing;
    } else {
      account = this.newAccount(checkBalances(options.balances));
    }
    this.register(account, options.apiKey, options.keyType, verifier, options.canTrade);
    return { accountId: account.id, apiKey: options.apiKey, keyType: options.keyType };
  }

  /** O(1) lookup of an API key (case-sensitive, as on Binance). */
  byApiKey(apiKey: string): ApiKeyRecord | undefined {
    return this.keys.get(apiKey);
  }

  account(id: number): AccountRecord | undefined {
    return this.accountsById.get(id);
  }

  /** All accounts in creation order. */
  accounts(): IterableIterator<AccountRecord> {
    return this.accountsById.values();
  }

  /** Enables or disables trading for a key; false when the key is unknown. */
  setTradePermission(apiKey: string, trade: boolean): boolean {
    const key = this.keys.get(apiKey);
    if (key === undefined) return false;
    key.permissions.trade = trade;
    return true;
  }

  private newAccount(balances: Record<string, string>): MutableAccount {
    const account: MutableAccount = { id: this.nextAccountId++, balances, apiKeys: [] };
    this.accountsById.set(account.id, account);
    return account;
  }

  private generateKey(account: MutableAccount, options: KeyOptions, publicKey: KeyObject | undefined): CreatedKey {
    const keyType = options.keyType ?? 'HMAC_SHA256';
    const label = `acct:${account.id}:key:${account.apiKeys.length}`;
    let apiKey = new SeededStream(this.seed, `${label}:apiKey`).alphanumeric(64);
    for (let retry = 1; this.keys.has(apiKey); retry++) {
      apiKey = new SeededStream(this.seed, `${label}:apiKey:retry:${retry}`).alphanumeric(64);
    }
    let verifier: Verifier;
    let secretKey: string | undefined;
    let privateKey: string | undefined;
    if (keyType === 'HMAC_SHA256') {
      secretKey = new SeededStream(this.seed, `${label}:secret`).alphanumeric(64);
      verifier = { kind: 'HMAC_SHA256', secret: Buffer.from(secretKey, 'utf8') };
    } else if (publicKey !== undefined) {
      verifier = { kind: keyType, publicKey };
    } else if (keyType === 'ED25519') {
      const seed = new SeededStream(this.seed, `${label}:ed25519`).bytes(32);
      const priv = createPrivateKey({
        key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
        format: 'der',
        type: 'pkcs8',
      });
      privateKey = priv.export({ format: 'pem', type: 'pkcs8' }).toString();
      verifier = { kind: 'ED25519', publicKey: createPublicKey(priv) };
    } else {
      // Random (not seeded): node:crypto has no deterministic RSA key generation.
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      privateKey = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      verifier = { kind: 'RSA', publicKey: pair.publicKey };
    }
    this.register(account, apiKey, keyType, verifier, options.canTrade);
    return {
      accountId: account.id,
      apiKey,
      keyType,
      ...(secretKey !== undefined ? { secretKey } : {}),
      ...(privateKey !== undefined ? { privateKey } : {}),
    };
  }

  private register(
    account: MutableAccount,
    apiKey: string,
    keyType: KeyType,
    verifier: Verifier,
    canTrade: boolean | undefined,
  ): void {
    this.keys.set(apiKey, {
      apiKey,
      accountId: account.id,
      keyType,
      permissions: { trade: canTrade ?? true },
      verifier,
    });
    account.apiKeys.push(apiKey);
  }
}

/** Checks key options; returns the parsed public key when one is given. Throws Error. */
function checkKeyOptions(options: KeyOptions): KeyObject | undefined {
  const keyType = options.keyType ?? 'HMAC_SHA256';
  if (keyType !== 'HMAC_SHA256' && keyType !== 'ED25519' && keyType !== 'RSA') {
    throw new Error(`unknown keyType ${String(keyType)}`);
  }
  if (options.publicKey === undefined) return undefined;
  if (keyType === 'HMAC_SHA256') {
    throw new Error('HMAC_SHA256 keys are generated with a secret; publicKey applies to ED25519 and RSA');
  }
  return parsePublicKey(keyType, options.publicKey);
}

function checkBalances(balances: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (balances === undefined) return out;
  for (const [asset, amount] of Object.entries(balances)) {
    if (typeof amount !== 'string' || !DECIMAL_RE.test(amount)) {
      throw new Error(`balance of ${asset} must be a non-negative decimal string, got ${JSON.stringify(amount)}`);
    }
    out[asset] = amount;
  }
  return out;
}
