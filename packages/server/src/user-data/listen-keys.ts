/**
 * Legacy listenKeys (reference notes §4.6, §10.1): one active key per account, valid 60 minutes of
 * the SANDBOX clock from its creation or last keepalive. POST on an account with an active key
 * returns that key and extends it. A key expires when the clock passes its expiry: `sweep(now)`
 * (run by the WS scheduler and before every listenKey request) drops it and tells the expiry
 * listeners (the listenKey streams send `listenKeyExpired` and close). DELETE invalidates a key at
 * once, without an expiry event.
 */
import { randomBytes } from 'node:crypto';

export const LISTEN_KEY_VALIDITY_MS = 60 * 60 * 1000;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Syntax of a listenKey (64 alphanumerics). */
export const LISTEN_KEY_RE = /^[A-Za-z0-9]{64}$/;

export interface ListenKey {
  readonly key: string;
  readonly accountId: number;
  expiresAt: number;
}

export type ExpiryListener = (key: ListenKey, now: number) => void;

function newKey(): string {
  const bytes = randomBytes(64);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

export class ListenKeyStore {
  private readonly byKey = new Map<string, ListenKey>();
  private readonly byAccount = new Map<number, ListenKey>();
  private readonly expiryListeners = new Set<ExpiryListener>();
  /** Earliest expiry of any key (Infinity: none). */
  private nextExpiry = Infinity;

  constructor(readonly validityMs = LISTEN_KEY_VALIDITY_MS) {}

  /** POST: the account's active key extended, or a new one. */
  start(accountId: number, now: number): ListenKey {
    this.sweep(now);
    const existing = this.byAccount.get(accountId);
    if (existing !== undefined) {
      existing.expiresAt = now + this.validityMs;
      return existing;
    }
    let key = newKey();
    while (this.byKey.has(key)) key = newKey();
    const k: ListenKey = { key, accountId, expiresAt: now + this.validityMs };
    this.byKey.set(key, k);
    this.byAccount.set(accountId, k);
    if (k.expiresAt < this.nextExpiry) this.nextExpiry = k.expiresAt;
    return k;
  }

  /** The active key (of that account when given), or undefined. */
  get(key: string, now: number, accountId?: number): ListenKey | undefined {
    this.sweep(now);
    const k = this.byKey.get(key);
    if (k === undefined || (accountId !== undefined && k.accountId !== accountId)) return undefined;
    return k;
  }

  /** PUT: extends by the validity; false when the key does not exist (for that account). */
  keepAlive(key: string, accountId: number, now: number): boolean {
    const k = this.get(key, now, accountId);
    if (k === undefined) return false;
    k.expiresAt = now + this.validityMs;
    return true;
  }

  /** DELETE: invalidates; false when the key does not exist (for that account). */
  stop(key: string, accountId: number, now: number): boolean {
    const k = this.get(key, now, accountId);
    if (k === undefined) return false;
    this.remove(k);
    return true;
  }

  onExpire(listener: ExpiryListener): () => void {
    this.expiryListeners.add(listener);
    return () => this.expiryListeners.delete(listener);
  }

  /** Expires every key whose validity ended at or before `now`. Cheap when nothing is due. */
  sweep(now: number): void {
    if (now < this.nextExpiry) return;
    let next = Infinity;
    const expired: ListenKey[] = [];
    for (const k of this.byKey.values()) {
      if (k.expiresAt <= now) expired.push(k);
      else if (k.expiresAt < next) next = k.expiresAt;
    }
    this.nextExpiry = next;
    for (const k of expired) {
      this.remove(k);
      for (const l of this.expiryListeners) l(k, now);
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  private remove(k: ListenKey): void {
    this.byKey.delete(k.key);
    if (this.byAccount.get(k.accountId) === k) this.byAccount.delete(k.accountId);
  }
}
