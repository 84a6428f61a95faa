/**
 * `<symbol>@depth[@100ms]` (diff depth), `<symbol>@depth<5|10|20>[@100ms]` (partial book) and
 * `<symbol>@bookTicker`.
 *
 * Diff depth: the engine's depth events (one per command, contiguous update ids per symbol) are
 * merged per stream while it has subscribers and flushed every 1000 ms / 100 ms of REAL time (as
 * Binance pushes on wall-clock cadence), as one `depthUpdate` with U = the first merged event's
 * first id, u = the last one's last id, and each changed level's latest quantity (0 = removed).
 * Partial book: the engine's book (top N) every 1000 ms / 100 ms, `lastUpdateId` from the same
 * sequence. bookTicker: after every batch of engine events that changed a symbol's book, when its
 * best bid/ask price or quantity changed; `u` = the book's update id.
 */
import { EVENT_KIND, type DepthEvent } from '../../engine/types.js';
import { formatUnits } from '../../engine/decimal.js';
import { engineSymbol, every } from './common.js';
import type { ActiveStream, StreamHubView, StreamModule } from './types.js';

/** Real-time cadence of the timed streams, ms. */
export const FAST_MS = 100;
export const SLOW_MS = 1000;

interface DiffParams {
  readonly fast: boolean;
}
interface PartialParams {
  readonly levels: number;
  readonly fast: boolean;
}

interface PendingDiff {
  U: number;
  u: number;
  readonly bids: Map<number, number>;
  readonly asks: Map<number, number>;
}

const levels = (side: Iterable<readonly [number, number]>): string => {
  let out = '[';
  let first = true;
  for (const [p, q] of side) {
    out += `${first ? '' : ','}["${formatUnits(p)}","${formatUnits(q)}"]`;
    first = false;
  }
  return out + ']';
};

export const diffDepthStream: StreamModule = {
  id: 'depth',
  parse(symbol, suffix): DiffParams | undefined {
    if (symbol === '') return undefined;
    if (suffix === 'depth') return { fast: false };
    if (suffix === 'depth@100ms') return { fast: true };
    if (suffix === 'depth@1000ms') return { fast: false };
    return undefined;
  },
  start(hub: StreamHubView) {
    const { ctx } = hub;
    const pending = new Map<ActiveStream, PendingDiff>();
    const merge = (stream: ActiveStream, e: DepthEvent): void => {
      let p = pending.get(stream);
      if (p === undefined) {
        p = { U: e.firstUpdateId, u: e.lastUpdateId, bids: new Map(), asks: new Map() };
        pending.set(stream, p);
      } else p.u = e.lastUpdateId;
      for (const [price, qty] of e.bids) p.bids.set(price, qty);
      for (const [price, qty] of e.asks) p.asks.set(price, qty);
    };
    const offEvents = ctx.exchange.onEvents((events) => {
      for (const e of events) {
        if (e.type !== 'depth') continue;
        const lower = e.symbol.toLowerCase();
        const slow = hub.get(`${lower}@depth`);
        if (slow !== undefined) merge(slow, e);
        const slow2 = hub.get(`${lower}@depth@1000ms`);
        if (slow2 !== undefined) merge(slow2, e);
        const fast = hub.get(`${lower}@depth@100ms`);
        if (fast !== undefined) merge(fast, e);
      }
    }, EVENT_KIND.depth);
    let tick = 0;
    const stopTimer = every(FAST_MS, () => {
      tick++;
      if (pending.size === 0) return;
      const slowToo = tick % (SLOW_MS / FAST_MS) === 0;
      const E = ctx.clock.now();
      for (const [stream, p] of pending) {
        if (!(stream.params as DiffParams).fast && !slowToo) continue;
        pending.delete(stream);
        if (hub.get(stream.name) !== stream) continue; // unsubscribed meanwhile
        const symbol = engineSymbol(ctx, stream.symbol) ?? stream.symbol.toUpperCase();
        const bids = levels([...p.bids].sort((a, b) => b[0] - a[0]));
        const asks = levels([...p.asks].sort((a, b) => a[0] - b[0]));
        const body = `,"s":"${symbol}","U":${p.U},"u":${p.u},"b":${bids},"a":${asks}}`;
        stream.publish((k) => `{"e":"depthUpdate","E":${E * k}${body}`);
      }
    });
    return () => {
      offEvents();
      stopTimer();
    };
  },
};

export const partialDepthStream: StreamModule = {
  id: 'partialDepth',
  parse(symbol, suffix): PartialParams | undefined {
    if (symbol === '') return undefined;
    const m = /^depth(5|10|20)(@100ms|@1000ms)?$/.exec(suffix);
    if (m === null) return undefined;
    return { levels: Number(m[1]), fast: m[2] === '@100ms' };
  },
  start(hub: StreamHubView) {
    const { ctx } = hub;
    let tick = 0;
    return every(FAST_MS, () => {
      tick++;
      const slowToo = tick % (SLOW_MS / FAST_MS) === 0;
      for (const stream of hub.active(partialDepthStream)) {
        const params = stream.params as PartialParams;
        if (!params.fast && !slowToo) continue;
        const symbol = engineSymbol(ctx, stream.symbol);
        if (symbol === undefined) continue; // unknown symbol: accepted, never emits
        const book = ctx.exchange.engine.book(symbol, params.levels);
        const json = `{"lastUpdateId":${book.lastUpdateId},"bids":${levels(book.bids)},"asks":${levels(book.asks)}}`;
        stream.publish(() => json);
      }
    });
  },
};

const ZERO = '0.00000000';

export const bookTickerStream: StreamModule = {
  id: 'bookTicker',
  parse: (symbol, suffix) => (symbol !== '' && suffix === 'bookTicker' ? true : undefined),
  start(hub: StreamHubView) {
    const { ctx } = hub;
    const last = new Map<string, string>();
    return ctx.exchange.onEvents((events) => {
      let seen: Set<string> | undefined;
      for (const e of events) {
        if (e.type !== 'depth') continue;
        if (seen?.has(e.symbol)) continue;
        (seen ??= new Set()).add(e.symbol);
        const name = `${e.symbol.toLowerCase()}@bookTicker`;
        const stream = hub.get(name);
        if (stream === undefined) {
          last.delete(name);
          continue;
        }
        const book = ctx.exchange.engine.book(e.symbol, 1);
        const bid = book.bids[0];
        const ask = book.asks[0];
        const top =
          `"b":"${bid ? formatUnits(bid[0]) : ZERO}","B":"${bid ? formatUnits(bid[1]) : ZERO}",` +
          `"a":"${ask ? formatUnits(ask[0]) : ZERO}","A":"${ask ? formatUnits(ask[1]) : ZERO}"`;
        if (last.get(name) === top) continue;
        last.set(name, top);
        const json = `{"u":${book.lastUpdateId},"s":"${e.symbol}",${top}}`;
        stream.publish(() => json);
      }
    }, EVENT_KIND.depth);
  },
};
