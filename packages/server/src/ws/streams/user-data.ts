/**
 * Legacy user data streams: a stream named by a listenKey (`/ws/<listenKey>`,
 * `/stream?streams=<listenKey>`, or SUBSCRIBE) delivers the key's account events from the one
 * user-event source (user-data/user-events.ts), unwrapped on raw connections, `{"stream":
 * <listenKey>,"data":…}` on combined ones, with `timeUnit` applied.
 *
 * Choices: a well-formed key (64 alphanumerics) that is not active is accepted and never emits (as
 * an unknown symbol). Events are delivered while the key is active: after DELETE the stream goes
 * quiet (no event, the connection stays). When the key expires on the sandbox clock (checked every
 * 100 ms of real time) `{"e":"listenKeyExpired","E":<now>,"listenKey":…}` is sent and every
 * connection subscribed to it is closed with 1000.
 */
import { LISTEN_KEY_RE, userData, type UserData } from '../../user-data/index.js';
import { every } from './common.js';
import type { ActiveStream, StreamHubView, StreamModule } from './types.js';

export const LISTEN_KEY_SWEEP_MS = 100;

/** Per-hub state: the account subscription of each active listenKey stream. */
const subscriptions = new WeakMap<StreamHubView, Map<ActiveStream, () => void>>();

export const userDataStream: StreamModule = {
  id: 'userData',
  /** Names without '@': parseStreamName passes them with symbol '' and the name as suffix. */
  parse: (symbol, suffix) => (symbol === '' && LISTEN_KEY_RE.test(suffix) ? suffix : undefined),
  start(hub: StreamHubView) {
    const { ctx } = hub;
    const ud: UserData = userData(ctx);
    subscriptions.set(hub, new Map());
    const offExpire = ud.keys.onExpire((k, now) => {
      const stream = hub.get(k.key);
      if (stream === undefined) return;
      stream.publish((scale) => `{"e":"listenKeyExpired","E":${now * scale},"listenKey":"${k.key}"}`);
      hub.closeSubscribers(stream, 1000);
    });
    const stopSweep = every(LISTEN_KEY_SWEEP_MS, () => ud.keys.sweep(ctx.clock.now()));
    return () => {
      offExpire();
      stopSweep();
      const subs = subscriptions.get(hub);
      if (subs !== undefined) for (const off of subs.values()) off();
      subscriptions.delete(hub);
    };
  },
  onActivate(stream: ActiveStream) {
    const hub = stream.hub;
    const subs = subscriptions.get(hub);
    if (subs === undefined) return;
    const ud = userData(hub.ctx);
    const key = stream.params as string;
    const k = ud.keys.get(key, hub.ctx.clock.now());
    if (k === undefined) return; // not an active key: accepted, never emits
    subs.set(
      stream,
      ud.events.subscribe(k.accountId, (event) => {
        if (ud.keys.get(key, hub.ctx.clock.now(), k.accountId) === undefined) return; // deleted or expired
        stream.publish(event.render);
      }),
    );
  },
  onDeactivate(stream: ActiveStream) {
    const subs = subscriptions.get(stream.hub);
    const off = subs?.get(stream);
    if (off === undefined) return;
    off();
    subs!.delete(stream);
  },
};
