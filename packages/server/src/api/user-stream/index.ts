/**
 * Legacy listenKey endpoints (reference notes §4.6, §10.1), security USER_STREAM (API key only):
 * - POST   /api/v3/userDataStream              → {"listenKey": <64 chars>} (the account's active key, extended, if any)
 * - PUT    /api/v3/userDataStream?listenKey=…  → {} (valid 60 more minutes of the sandbox clock)
 * - DELETE /api/v3/userDataStream?listenKey=…  → {} (invalidated; its streams stop delivering)
 * A key that does not exist, expired, or belongs to another account → -1125 "This listenKey does not exist."
 */
import { Err, ErrorCode, ErrorMessage } from '@binance-sandbox/protocol';
import type { ApiCall, EndpointImpl } from '../../context.js';
import { userData } from '../../user-data/index.js';

const noKey = () => Err.of(ErrorCode.INVALID_LISTEN_KEY, ErrorMessage.INVALID_LISTEN_KEY);

function account(call: ApiCall): number {
  if (call.accountId === null) throw noKey(); // the pipeline authenticates USER_STREAM calls
  return call.accountId;
}

export const startUserDataStream: EndpointImpl = (call) => {
  const k = userData(call.ctx).keys.start(account(call), call.now);
  return { listenKey: k.key };
};

export const keepAliveUserDataStream: EndpointImpl = (call) => {
  const key = call.params['listenKey'];
  if (typeof key !== 'string' || !userData(call.ctx).keys.keepAlive(key, account(call), call.now)) throw noKey();
  return {};
};

export const closeUserDataStream: EndpointImpl = (call) => {
  const key = call.params['listenKey'];
  if (typeof key !== 'string' || !userData(call.ctx).keys.stop(key, account(call), call.now)) throw noKey();
  return {};
};

export const USER_STREAM_IMPLS: Readonly<Record<string, EndpointImpl>> = {
  'userDataStream.start': startUserDataStream,
  'userDataStream.ping': keepAliveUserDataStream,
  'userDataStream.stop': closeUserDataStream,
};
