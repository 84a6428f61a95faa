import type { AccountRegistry } from '../security/accounts.js';
import type { ApiKeyRecord } from './records.js';

/**
 * The registry as the journal records it: per account (in id order) its keys in creation order,
 * the first one creating the account with its initial balances. Replaying these records through
 * `JournaledAccountRegistry.restore` rebuilds the same ids, keys, secrets and permissions.
 */
export function exportRegistry(registry: AccountRegistry): ApiKeyRecord[] {
  const out: ApiKeyRecord[] = [];
  for (const account of registry.accounts()) {
    if (account.apiKeys.length === 0) throw new Error(`account ${account.id} has no API key to restore it by`);
    account.apiKeys.forEach((apiKey, i) => {
      const key = registry.byApiKey(apiKey);
      if (key === undefined) throw new Error(`API key of account ${account.id} is missing`);
      const v = key.verifier;
      out.push({
        kind: 'account.apiKey',
        accountId: account.id,
        newAccount: i === 0,
        ...(i === 0 ? { balances: { ...account.balances } } : {}),
        apiKey,
        keyType: key.keyType,
        ...(v.kind === 'HMAC_SHA256'
          ? { secretKey: v.secret.toString('utf8') }
          : { publicKey: v.publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
        canTrade: key.permissions.trade,
      });
    });
  }
  return out;
}
