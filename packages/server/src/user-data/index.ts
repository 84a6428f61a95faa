/**
 * User data of one sandbox: the listenKey store and the per-account event fan-out, created on first
 * use per SandboxContext (so neither the context type nor the sandbox assembly changes).
 */
import type { SandboxContext } from '../context.js';
import { ListenKeyStore } from './listen-keys.js';
import { UserEvents } from './user-events.js';

export { ListenKeyStore, LISTEN_KEY_RE, LISTEN_KEY_VALIDITY_MS, type ListenKey } from './listen-keys.js';
export {
  UserEvents,
  cachedRender,
  userPayload,
  type UserEvent,
  type UserEventListener,
  type UserEventRender,
} from './user-events.js';

export interface UserData {
  readonly keys: ListenKeyStore;
  readonly events: UserEvents;
}

const perContext = new WeakMap<SandboxContext, UserData>();

export function userData(ctx: SandboxContext): UserData {
  let u = perContext.get(ctx);
  if (u === undefined) {
    u = { keys: new ListenKeyStore(), events: new UserEvents(ctx.exchange) };
    perContext.set(ctx, u);
  }
  return u;
}
