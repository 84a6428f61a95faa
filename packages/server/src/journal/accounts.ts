import {
  AccountRegistry,
  type CreateAccountOptions,
  type CreatedKey,
  type ImportKeyOptions,
  type KeyOptions,
} from '../security/accounts.js';
import type { ApiKeyRecord, RegistryRecord } from './records.js';

/**
 * An AccountRegistry whose every change is journaled, synchronously and durably, before the call
 * returns (so an admin reply that shows a key implies the key survives a crash). Records carry the
 * key material itself (HMAC secret, public key), so a restart rebuilds the registry identically
 * even for random RSA pairs or a different --seed; ids come out the same because they are assigned
 * in creation order and the records are replayed in that order.
 */
export class JournaledAccountRegistry extends AccountRegistry {
  private sink: ((record: RegistryRecord) => void) | null = null;

  /** Starts journaling through `sink` (after recovery, which must not journal again). */
  attach(sink: (record: RegistryRecord) => void): void {
    this.sink = sink;
  }

  override create(options: CreateAccountOptions = {}): CreatedKey {
    const created = super.create(options);
    this.journalKey(created.apiKey, true);
    return created;
  }

  override addKey(accountId: number, options: KeyOptions = {}): CreatedKey {
    const created = super.addKey(accountId, options);
    this.journalKey(created.apiKey, false);
    return created;
  }

  override importKey(options: ImportKeyOptions): CreatedKey {
    const created = super.importKey(options);
    this.journalKey(created.apiKey, options.accountId === undefined);
    return created;
  }

  override setTradePermission(apiKey: string, trade: boolean): boolean {
    const changed = super.setTradePermission(apiKey, trade);
    if (changed) this.sink?.({ kind: 'account.tradePermission', apiKey, trade });
    return changed;
  }

  /** Applies a journaled change (recovery). Throws when the journal and the registry disagree. */
  restore(record: RegistryRecord): void {
    if (record.kind === 'account.tradePermission') {
      if (!super.setTradePermission(record.apiKey, record.trade)) throw new Error(`unknown API key ${record.apiKey}`);
      return;
    }
    const created = super.importKey({
      apiKey: record.apiKey,
      keyType: record.keyType,
      canTrade: record.canTrade,
      ...(record.secretKey !== undefined ? { secretKey: record.secretKey } : {}),
      ...(record.publicKey !== undefined ? { publicKey: record.publicKey } : {}),
      ...(record.newAccount ? { balances: { ...record.balances } } : { accountId: record.accountId }),
    });
    if (created.accountId !== record.accountId) {
      throw new Error(`API key of account ${record.accountId} was restored as account ${created.accountId}`);
    }
  }

  private journalKey(apiKey: string, newAccount: boolean): void {
    if (this.sink === null) return;
    this.sink(apiKeyRecord(this, apiKey, newAccount));
  }
}

/**
 * The journal record of one API key: its material (HMAC secret or public key) and permission, and
 * for the key that created its account, the account's initial balances.
 */
export function apiKeyRecord(registry: AccountRegistry, apiKey: string, newAccount: boolean): ApiKeyRecord {
  const key = registry.byApiKey(apiKey);
  if (key === undefined) throw new Error(`registered API key ${apiKey} is missing`);
  const v = key.verifier;
  return {
    kind: 'account.apiKey',
    accountId: key.accountId,
    newAccount,
    ...(newAccount ? { balances: { ...registry.account(key.accountId)?.balances } } : {}),
    apiKey,
    keyType: key.keyType,
    ...(v.kind === 'HMAC_SHA256'
      ? { secretKey: v.secret.toString('utf8') }
      : { publicKey: v.publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
    canTrade: key.permissions.trade,
  };
}
