/**
 * The stream registry: every stream type the sandbox knows, in one list. A name is valid when one
 * module's parse() accepts it (syntax only: a well-formed stream of an unknown symbol is accepted
 * and never emits, as on Binance).
 */
import { aggTradeStream, tradeStream } from './trade.js';
import { blockTradeStream } from './block-trade.js';
import { bookTickerStream, diffDepthStream, partialDepthStream } from './depth.js';
import { klineStream } from './kline.js';
import { referencePriceStream } from './reference-price.js';
import { allTickersStream, avgPriceStream, miniTickerStream, tickerStream } from './ticker.js';
import { userDataStream } from './user-data.js';
import type { StreamModule } from './types.js';

export type { ActiveStream, Render, StreamHubView, StreamModule } from './types.js';

export const STREAM_MODULES: readonly StreamModule[] = [
  tradeStream,
  aggTradeStream,
  diffDepthStream,
  partialDepthStream,
  bookTickerStream,
  klineStream,
  miniTickerStream,
  tickerStream,
  allTickersStream,
  avgPriceStream,
  referencePriceStream,
  userDataStream,
  blockTradeStream,
];

/** Lowercase symbol (Binance stream names); a-z, 0-9, 1–32 characters. */
const SYMBOL = /^[a-z0-9]{1,32}$/;

export interface ParsedStream {
  readonly name: string;
  readonly symbol: string;
  readonly module: StreamModule;
  readonly params: unknown;
}

/** The module serving `name` and its parameters, or null when the name is malformed. */
export function parseStreamName(name: string, modules: readonly StreamModule[] = STREAM_MODULES): ParsedStream | null {
  let symbol: string;
  let suffix: string;
  if (name.startsWith('!')) {
    symbol = '';
    suffix = name.slice(1);
  } else if (!name.includes('@')) {
    // a listenKey (user data stream)
    symbol = '';
    suffix = name;
  } else {
    const at = name.indexOf('@');
    symbol = name.slice(0, at);
    suffix = name.slice(at + 1);
    if (!SYMBOL.test(symbol)) return null;
  }
  for (const module of modules) {
    const params = module.parse(symbol, suffix);
    if (params !== undefined) return { name, symbol, module, params };
  }
  return null;
}
