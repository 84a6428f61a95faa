import type { KeyType } from '../security/signature.js';
import type { ExchangeCommand } from '../exchange/commands.js';

/**
 * One API key registered in the AccountRegistry (generated or imported), with everything needed to
 * register it again identically and without the seed: the HMAC secret, or the public key (PEM SPKI;
 * RSA pairs are random, so regenerating them is impossible), its account and, for the key that
 * created an account, that account's initial balances.
 */
export interface ApiKeyRecord {
  readonly kind: 'account.apiKey';
  readonly accountId: number;
  /** This key created its account (the account's first key). */
  readonly newAccount: boolean;
  /** Initial balances of a new account, as AccountRegistry reports them. */
  readonly balances?: Readonly<Record<string, string>>;
  readonly apiKey: string;
  readonly keyType: KeyType;
  readonly secretKey?: string;
  readonly publicKey?: string;
  readonly canTrade: boolean;
}

export interface TradePermissionRecord {
  readonly kind: 'account.tradePermission';
  readonly apiKey: string;
  readonly trade: boolean;
}

/** The admin API moved the sandbox clock forward by `ms`. */
export interface ClockAdvanceRecord {
  readonly kind: 'clock.advance';
  readonly ms: number;
}

export type RegistryRecord = ApiKeyRecord | TradePermissionRecord;

/** Everything the journal holds: engine commands plus the sandbox state around the engine. */
export type JournalRecord = ExchangeCommand | RegistryRecord | ClockAdvanceRecord;

export function isRegistryRecord(r: JournalRecord): r is RegistryRecord {
  return r.kind === 'account.apiKey' || r.kind === 'account.tradePermission';
}
