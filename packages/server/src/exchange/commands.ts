import type { SymbolStatus } from '@binance-sandbox/protocol';
import type {
  AmendOrderCommand,
  AmendResult,
  CancelOpenOrdersCommand,
  CancelOpenOrdersResult,
  CancelOrderCommand,
  CancelOrderListCommand,
  CancelResult,
  EngineEvent,
  Exchange,
  OcoResult,
  OrderListView,
  PlaceOcoCommand,
  PlaceOpoCommand,
  PlaceOpocoCommand,
  PlaceOrderCommand,
  PlaceOtoCommand,
  PlaceOtocoCommand,
  PlaceResult,
} from '../engine/index.js';

/**
 * Every state-changing command of the exchange, as the journal records it (JSON-serialisable, with
 * its `now`): replaying the same commands into a fresh engine rebuilds the identical state.
 */
export type ExchangeCommand =
  | { readonly kind: 'placeOrder'; readonly cmd: PlaceOrderCommand }
  | { readonly kind: 'placeSorOrder'; readonly cmd: PlaceOrderCommand }
  | { readonly kind: 'cancelOrder'; readonly cmd: CancelOrderCommand }
  | { readonly kind: 'amendOrder'; readonly cmd: AmendOrderCommand }
  | { readonly kind: 'cancelOpenOrders'; readonly cmd: CancelOpenOrdersCommand }
  | { readonly kind: 'placeOco'; readonly cmd: PlaceOcoCommand }
  | { readonly kind: 'placeOto'; readonly cmd: PlaceOtoCommand }
  | { readonly kind: 'placeOtoco'; readonly cmd: PlaceOtocoCommand }
  | { readonly kind: 'placeOpo'; readonly cmd: PlaceOpoCommand }
  | { readonly kind: 'placeOpoco'; readonly cmd: PlaceOpocoCommand }
  | { readonly kind: 'cancelOrderList'; readonly cmd: CancelOrderListCommand }
  | { readonly kind: 'deposit'; readonly cmd: BalanceCommand }
  | { readonly kind: 'withdraw'; readonly cmd: BalanceCommand }
  | { readonly kind: 'setCommission'; readonly cmd: CommissionCommand }
  | { readonly kind: 'setReferencePrice'; readonly cmd: ReferencePriceCommand }
  | { readonly kind: 'reportBlockTrade'; readonly cmd: BlockTradeCommand }
  | { readonly kind: 'setSymbolStatus'; readonly cmd: SymbolStatusCommand }
  | { readonly kind: 'markTransient'; readonly cmd: TransientCommand };

/** Makes system accounts transient (Exchange.markTransient): journaled, so replays reuse the same orderIds. */
export interface TransientCommand {
  readonly now: number;
  readonly accountIds: readonly number[];
  /** Their generated client order ids from their orderIds (absent in journals written before it existed). */
  readonly ownClientIds?: boolean;
}

export interface BalanceCommand {
  readonly now: number;
  readonly accountId: number;
  readonly asset: string;
  readonly amount: string;
}

export interface CommissionCommand {
  readonly now: number;
  readonly accountId: number;
  readonly maker?: string;
  readonly taker?: string;
}

/** Changes a symbol's trading status (admin API). */
export interface SymbolStatusCommand {
  readonly now: number;
  readonly symbol: string;
  readonly status: SymbolStatus;
}

/** Publishes a block trade of a symbol (admin API): market data only. */
export interface BlockTradeCommand {
  readonly now: number;
  readonly symbol: string;
  readonly price: string;
  readonly qty: string;
  readonly isBuyerMaker: boolean;
}

/** Sets (or clears: null) the EXTERNAL reference price of a symbol (admin API). */
export interface ReferencePriceCommand {
  readonly now: number;
  readonly symbol: string;
  readonly price: string | null;
}

export type CancelOrderListResult = {
  list: OrderListView;
  cancelClientOrderId: string;
  events: readonly EngineEvent[];
};

/** The engine's answer to each command kind. */
export interface CommandResults {
  placeOrder: PlaceResult;
  placeSorOrder: PlaceResult;
  cancelOrder: CancelResult;
  amendOrder: AmendResult;
  cancelOpenOrders: CancelOpenOrdersResult;
  placeOco: OcoResult;
  placeOto: OcoResult;
  placeOtoco: OcoResult;
  placeOpo: OcoResult;
  placeOpoco: OcoResult;
  cancelOrderList: CancelOrderListResult;
  deposit: { events: readonly EngineEvent[] };
  withdraw: { events: readonly EngineEvent[] };
  setCommission: { events: readonly EngineEvent[] };
  setReferencePrice: { events: readonly EngineEvent[] };
  reportBlockTrade: { events: readonly EngineEvent[] };
  setSymbolStatus: { events: readonly EngineEvent[] };
  markTransient: { events: readonly EngineEvent[] };
}

export type CommandOf<K extends ExchangeCommand['kind']> = Extract<ExchangeCommand, { kind: K }>['cmd'];

/** Applies one command to the engine (throws the engine's ApiError when it refuses). */
export function applyCommand(engine: Exchange, command: ExchangeCommand): CommandResults[ExchangeCommand['kind']] {
  switch (command.kind) {
    case 'placeOrder':
      return engine.placeOrder(command.cmd);
    case 'placeSorOrder':
      return engine.placeSorOrder(command.cmd);
    case 'cancelOrder':
      return engine.cancelOrder(command.cmd);
    case 'amendOrder':
      return engine.amendOrder(command.cmd);
    case 'cancelOpenOrders':
      return engine.cancelOpenOrders(command.cmd);
    case 'placeOco':
      return engine.placeOco(command.cmd);
    case 'placeOto':
      return engine.placeOto(command.cmd);
    case 'placeOtoco':
      return engine.placeOtoco(command.cmd);
    case 'placeOpo':
      return engine.placeOpo(command.cmd);
    case 'placeOpoco':
      return engine.placeOpoco(command.cmd);
    case 'cancelOrderList':
      return engine.cancelOrderList(command.cmd);
    case 'deposit':
      return { events: engine.deposit(command.cmd) };
    case 'withdraw':
      return { events: engine.withdraw(command.cmd) };
    case 'setCommission':
      engine.setCommission(command.cmd.accountId, { maker: command.cmd.maker, taker: command.cmd.taker });
      return { events: [] };
    case 'setReferencePrice':
      return { events: engine.setReferencePrice(command.cmd) };
    case 'reportBlockTrade':
      return { events: engine.reportBlockTrade(command.cmd) };
    case 'setSymbolStatus':
      return { events: engine.setSymbolStatus(command.cmd) };
    case 'markTransient':
      engine.markTransient(command.cmd.accountIds, command.cmd.ownClientIds === true);
      return { events: [] };
  }
}
