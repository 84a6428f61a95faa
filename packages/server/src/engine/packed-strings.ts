/**
 * Many short strings (client order ids) as one string and their lengths, for snapshots: v8
 * serialises one string as one copy, where an array of a million strings costs an entry each
 * (~0.25 s of a snapshot's event-loop pause at 1M client order ids).
 */
export interface PackedStrings {
  readonly text: string;
  readonly lengths: Uint32Array;
}

export function packStrings(strings: readonly string[]): PackedStrings {
  const lengths = new Uint32Array(strings.length);
  for (let i = 0; i < strings.length; i++) lengths[i] = (strings[i] as string).length;
  return { text: strings.join(''), lengths };
}

/** Calls `each` with every packed string, in order, and its index. */
export function unpackStrings(text: string, lengths: Uint32Array, each: (s: string, i: number) => void): void {
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i] as number;
    each(text.slice(at, at + len), i);
    at += len;
  }
}

/** `head` then `tail` in `out` (sized for both): how a packed form grows by what came since. */
export function appendTyped<T extends Uint32Array | Float64Array>(out: T, head: T, tail: ArrayLike<number>): T {
  out.set(head);
  out.set(tail, head.length);
  return out;
}
