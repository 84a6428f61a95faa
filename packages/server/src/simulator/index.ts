export {
  Simulator,
  SIM_MAKER_ACCOUNT_ID,
  SIM_TAKER_ACCOUNT_ID,
  type SimulatorDeps,
  type SimulatorLogger,
  type SimulatorStats,
} from './simulator.js';
export { FairPrices, PriceWalk, type PricePath, type PriceSource } from './walk.js';
export { PriceReplay, parseTradesCsv, readTradesCsv, type RecordedTrades, type TradesFormat } from './replay.js';
export { Rng, hash128 } from './prng.js';
export * from './ladder.js';
