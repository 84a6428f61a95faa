import { createHmac, sign } from 'node:crypto';

export interface TestAccount {
  accountId: number;
  apiKey: string;
  secretKey?: string;
  privateKey?: string;
}

/** The signature of `payload` for the account's key type, ready to put in a URL. */
export function signatureFor(account: TestAccount, payload: string): string {
  if (account.secretKey) return createHmac('sha256', account.secretKey).update(payload).digest('hex');
  if (!account.privateKey) throw new Error('account has no key to sign with');
  const isEd25519 = account.privateKey.includes('MC4CAQAwBQYDK2Vw') || account.privateKey.length < 200;
  const sig = sign(isEd25519 ? null : 'sha256', Buffer.from(payload), account.privateKey).toString('base64');
  return encodeURIComponent(sig);
}

/** `query&signature=…` for a query string. */
export function signedQuery(account: TestAccount, query: string): string {
  return `${query}&signature=${signatureFor(account, query)}`;
}
