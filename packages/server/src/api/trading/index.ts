import type { EndpointImpl } from '../../context.js';
import { account, accountCommission, myAllocations, myFilters, myPreventedMatches, myTrades } from './account.js';
import { placeSorOrder, testSorOrder } from './sor.js';
import { amendOrder, orderAmendments } from './amend.js';
import { cancelReplace } from './cancel-replace.js';
import { allOrders, cancelOpenOrders, openOrders } from './open-orders.js';
import {
  allOrderLists,
  cancelOrderList,
  openOrderLists,
  placeLegacyOco,
  placeOco,
  placeOpo,
  placeOpoco,
  placeOto,
  placeOtoco,
  queryOrderList,
} from './order-list.js';
import { cancelOrder, placeOrder, queryOrder, testOrder } from './order.js';

export { trackFirstFills } from './order-count.js';

/** Trading and account endpoint implementations by protocol id. */
export const TRADING_IMPLS: Readonly<Record<string, EndpointImpl>> = {
  'order.place': placeOrder,
  'order.test': testOrder,
  'order.cancel': cancelOrder,
  'order.status': queryOrder,
  'order.cancelReplace': cancelReplace,
  'order.amend.keepPriority': amendOrder,
  'order.amendments': orderAmendments,
  'openOrders.status': openOrders,
  'openOrders.cancelAll': cancelOpenOrders,
  allOrders,
  'orderList.place.oco': placeOco,
  'orderList.place': placeLegacyOco,
  'orderList.place.oto': placeOto,
  'orderList.place.otoco': placeOtoco,
  'orderList.place.opo': placeOpo,
  'orderList.place.opoco': placeOpoco,
  'orderList.cancel': cancelOrderList,
  'orderList.status': queryOrderList,
  'openOrderLists.status': openOrderLists,
  allOrderLists,
  'account.status': account,
  'account.commission': accountCommission,
  myTrades,
  myPreventedMatches,
  myFilters,
  myAllocations,
  'sor.order.place': placeSorOrder,
  'sor.order.test': testSorOrder,
};
