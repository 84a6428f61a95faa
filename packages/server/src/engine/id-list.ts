/** Intrusive doubly linked lists of orderIds (book queues, an account's open orders). */

/** A doubly linked list of orderIds through two link columns of the table (0: none). */
export interface IdList {
  head: number;
  tail: number;
}

/** Links `id` at the tail of `list`. */
export function appendId(list: IdList, prev: Int32Array, next: Int32Array, id: number): void {
  prev[id] = list.tail;
  next[id] = 0;
  if (list.tail !== 0) next[list.tail] = id;
  else list.head = id;
  list.tail = id;
}

/** Unlinks `id` from `list`. */
export function removeId(list: IdList, prev: Int32Array, next: Int32Array, id: number): void {
  const p = prev[id] as number;
  const n = next[id] as number;
  if (p !== 0) next[p] = n;
  else list.head = n;
  if (n !== 0) prev[n] = p;
  else list.tail = p;
  prev[id] = next[id] = 0;
}
