import type { AccountRegistry } from '../security/accounts.js';
import { apiKeyRecord } from './accounts.js';
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
    account.apiKeys.forEach((apiKey, i) => out.push(apiKeyRecord(registry, apiKey, i === 0)));
  }
  return out;
}
