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

/** Journal records of the registry and the clock (written synchronously; the rest are engine commands). */
export function isAdminRecord(record: JournalRecord): record is RegistryRecord | ClockAdvanceRecord {
  return (
    record.kind === 'account.apiKey' || record.kind === 'account.tradePermission' || record.kind === 'clock.advance'
  );
}

/** Every record is written with `kind` first, so its kind can be read without parsing it. */
const KIND_PREFIX = '{"kind":"';
const ADMIN_PREFIXES = ['{"kind":"account.', '{"kind":"clock.'] as const;

/**
 * From a record's JSON text: true for a registry/clock record, false for an engine command, null
 * when the text does not start with its kind (then only parsing tells).
 */
export function isAdminJson(json: string): boolean | null {
  if (!json.startsWith(KIND_PREFIX)) return null;
  return json.startsWith(ADMIN_PREFIXES[0]) || json.startsWith(ADMIN_PREFIXES[1]);
}
