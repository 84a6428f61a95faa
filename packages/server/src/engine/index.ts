/** The exchange engine: deterministic, no I/O. See exchange.ts (its interface) and engine-core.ts. */
export * from './decimal.js';
export * from './types.js';
export * from './responses.js';
export { BookSide, Level } from './book.js';
export { CompiledSymbol } from './symbol.js';
export { clientOrderId } from './ids.js';
export { Order } from './order.js';
export { Exchange, type EngineOptions, SOR_ALLOCATOR } from './exchange.js';
export { type Allocation, type SorConfig, type WorkingFloor } from './sor.js';
export { OrderList } from './order-list.js';
export { type AccountView } from './account.js';
export {
  type AccountTrade,
  type AmendResult,
  type CancelOpenOrdersItem,
  type CancelOpenOrdersResult,
  type CancelResult,
  type HistoryQuery,
  type OcoResult,
  type OrderListView,
  type PlaceResult,
} from './results.js';
export { PRICE_RANGE_MULTIPLIERS, type PriceRangeRule, type SymbolExecutionRules } from './price-range.js';
export { type ReferencePriceCalculation } from './reference-price.js';
