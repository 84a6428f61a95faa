/**
 * The stream control protocol under seeded random traffic, over real connections (reference notes
 * §8.1–8.2, docs/binance-gaps.md "WebSocket streams"). `/ws`, `/ws/<s1>/<s2>…` and
 * `/stream?streams=…` each get WSCONTROL_N random control messages: SUBSCRIBE / UNSUBSCRIBE of random
 * subsets (repeats of subscribed streams, duplicates within a request, streams never subscribed,
 * batches that fill the 1024-stream limit exactly or pass it), LIST_SUBSCRIPTIONS, SET_PROPERTY /
 * GET_PROPERTY `combined`, and malformed ones: JSON cut at random points, trailing characters,
 * garbage, unknown methods, a missing or non-string method, `params` that is not a list, duplicate
 * fields, ids of every unsupported type, too many parameters, bad property names and values,
 * invalid stream names (upper-case symbols, unknown kinds, non-strings). Members come in random
 * order, sometimes spread over lines with random whitespace.
 *
 * An independent model (the subscriptions in subscription order, the combined flag, the messages of
 * the current second) predicts the exact text of every answer — result or error frame, the id
 * echoed as sent when valid, else `null`, serde_json's line/column positions — and a refused
 * request applies nothing; LIST_SUBSCRIPTIONS is compared with the model every 25 messages. Stream
 * data frames arriving between the answers must come from a subscribed stream and be framed as the
 * combined flag says at that moment. The sandbox clock paces the messages at random steps (0 ms to
 * just over a second), at most 5 in one aligned second (often exactly 5: the next message then goes
 * at the first millisecond of the next second), and each run ends with a 6th message in a second:
 * close 1008 "Too many requests", no answer.
 * `WSCONTROL_SEED=<n> WSCONTROL_N=<messages>` explore other streams locally (a summary is printed).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WS_CONFIG } from '../../src/config.js';
import { mulberry32 } from '../engine/helpers.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { closeAfterEachTest, connectWs, type Client } from '../ws/client.js';

const SEED = Number(process.env.WSCONTROL_SEED ?? 20261127);
const N = Number(process.env.WSCONTROL_N ?? 400);
/** Binance's limits per connection (reference notes §8.1). */
const MAX_STREAMS = 1024;
const PER_SECOND = 5;

let sb: TestSandbox | undefined;
const sockets = closeAfterEachTest(() => sb);

type Rnd = () => number;
const int = (r: Rnd, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[int(r, xs.length)]!;
function shuffle<T>(r: Rnd, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = int(r, i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
/** Up to `max` distinct elements of `xs`, in random order. */
const some = <T>(r: Rnd, xs: readonly T[], max: number): T[] => shuffle(r, [...xs]).slice(0, int(r, max + 1));

// ---- streams ------------------------------------------------------------------------------------

/** The default symbols, and one well-formed symbol the sandbox does not list (accepted, never emits). */
const SYMBOLS = ['btcusdt', 'ethusdt', 'bnbusdt', 'ethbtc', 'nosuchusdt'];
const KINDS = [
  'trade',
  'aggTrade',
  'depth',
  'depth@100ms',
  'depth5',
  'depth10@100ms',
  'depth20',
  'depth5@100ms',
  'kline_1m',
  'kline_1s',
  'kline_1M',
  'kline_4h@+08:00',
  'bookTicker',
  'miniTicker',
  'ticker',
  'ticker_1h',
  'ticker_4h',
  'ticker_1d',
  'avgPrice',
  'referencePrice',
  'blockTrade',
];
/** A well-formed listenKey (64 alphanumerics) that is not active: accepted, never emits. */
const LISTEN_KEY = 'pqrsdmdwTxCZdwDCyjgb8h9B5OJmKmGy0yvxnWoKXRQH0DgGbdvP3HeGD2VfjCnv';
const STREAMS = [
  ...SYMBOLS.flatMap((s) => KINDS.map((k) => `${s}@${k}`)),
  '!miniTicker@arr',
  '!ticker_1h@arr',
  '!ticker_4h@arr',
  '!ticker@arr',
  LISTEN_KEY,
];
/** Streams that push every 100 ms of real time while subscribed (partial depth of listed symbols). */
const FAST_DEPTH = ['btcusdt@depth5@100ms', 'ethusdt@depth10@100ms', 'bnbusdt@depth5@100ms'];
/** Malformed names (symbols are lower case in stream names, §8.1; kinds and speeds as §8.3 lists them). */
const INVALID_STREAMS = [
  'BTCUSDT@trade',
  'btcUSDT@aggTrade',
  'ETHBTC@depth',
  'btcusdt@trades',
  'btcusdt@Trade',
  'btcusdt@bookticker',
  'btcusdt@depth7',
  'btcusdt@depth5@200ms',
  'btcusdt@depth@500ms',
  'btcusdt@kline_7m',
  'btcusdt@kline',
  'btcusdt@kline_1m@+09:00',
  'btcusdt@ticker_2h',
  'btcusdt@trade@100ms',
  'btcusdt@miniTicker@arr',
  '@trade',
  'btcusdt@',
  'btc-usdt@trade',
  'btcusdt@@trade',
  ' btcusdt@trade',
  'btcusdt@trade ',
  '!bookTicker',
  '!miniTicker',
  `${'a'.repeat(33)}@trade`,
];
/** Stream list elements that are not strings (JSON text). */
const NON_STRINGS = ['1', '-2', 'null', 'true', '["btcusdt@trade"]', '{"stream":"btcusdt@trade"}'];

// ---- ids ----------------------------------------------------------------------------------------

const ALNUM = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
const alnum = (r: Rnd, n: number): string => Array.from({ length: n }, () => pick(r, ALNUM)).join('');

/** An id Binance accepts (§8.2: 64-bit signed integer, alphanumeric string ≤ 36, null), as JSON text: echoed as sent. */
function validId(r: Rnd): string {
  switch (int(r, 9)) {
    case 0:
      return String(int(r, 1000));
    case 1:
      return String(int(r, 2 ** 31));
    case 2:
      return `-${1 + int(r, 2 ** 31)}`;
    case 3:
      return pick(r, ['9223372036854775807', '-9223372036854775808', '0', '9007199254740993']);
    case 4: // beyond 2^53 (a client that parses the echo as a double would see another number)
      return `${1 + int(r, 8)}${String(int(r, 1e9)).padStart(9, '0')}${String(int(r, 1e9)).padStart(9, '0')}`;
    case 5:
      return JSON.stringify(alnum(r, 1 + int(r, 36)));
    case 6:
      return JSON.stringify(String(int(r, 1e6)));
    case 7:
      return JSON.stringify(alnum(r, 36));
    default:
      return 'null';
  }
}

/** Ids Binance refuses ("request ID must be an unsigned integer"); undefined: no id at all. */
const INVALID_IDS: readonly (string | undefined)[] = [
  undefined,
  '1.5',
  '2.0',
  '1e3',
  '-0.25',
  'true',
  'false',
  '[1]',
  '{}',
  '{"id":1}',
  '""',
  '"a-b"',
  '"a b"',
  '"é"',
  `"${'x'.repeat(37)}"`,
  '9223372036854775808',
  '-9223372036854775809',
  '18446744073709551615',
];

// ---- frames -------------------------------------------------------------------------------------

const ok = (result: string, id: string): string => `{"result":${result},"id":${id}}`;
const fail = (code: number, msg: string, id = 'null'): string =>
  `{"error":{"code":${code},"msg":${JSON.stringify(msg)}},"id":${id}}`;
const TOO_MANY_PARAMS = 'Invalid request: too many parameters';
const PROPERTY_NAME = 'Invalid request: property name must be a string';
const BAD_ID = 'Invalid request: request ID must be an unsigned integer';
const INVALID_STREAM = 'Invalid request: invalid stream';
const TOO_MANY_STREAMS = 'Invalid request: too many streams';
const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'];
const VARIANTS = `expected one of ${METHODS.map((m) => `\`${m}\``).join(', ')}`;

/** serde_json's position of a character index: 1-based line, BYTES since the line's start. */
function at(text: string, idx: number): string {
  const head = text.slice(0, idx);
  return `line ${head.split('\n').length} column ${Buffer.byteLength(head.slice(head.lastIndexOf('\n') + 1))}`;
}

type Member = readonly [key: string, json: string];
interface Laid {
  readonly text: string;
  /** Index where each member's value starts, and just after each key's closing quote. */
  readonly value: readonly number[];
  readonly keyEnd: readonly number[];
}

const WHITESPACE = [' ', '\n', '  ', '\t', '\r\n'];
/** An object of these members (values as JSON text), compact or with random whitespace between tokens. */
function layout(r: Rnd, members: readonly Member[], spaced: boolean): Laid {
  const sp = (): string => (spaced && r() < 0.5 ? pick(r, WHITESPACE) : '');
  let text = `{${sp()}`;
  const value: number[] = [];
  const keyEnd: number[] = [];
  members.forEach(([k, v], i) => {
    if (i > 0) text += `,${sp()}`;
    text += JSON.stringify(k);
    keyEnd.push(text.length);
    text += `${sp()}:${sp()}`;
    value.push(text.length);
    text += v + sp();
  });
  return { text: `${text}}`, value, keyEnd };
}

/** A request's members in random order (undefined ones left out). */
function members(r: Rnd, method: string | undefined, params: string | undefined, id: string | undefined): Member[] {
  const out: Member[] = [];
  if (method !== undefined) out.push(['method', method]);
  if (params !== undefined) out.push(['params', params]);
  if (id !== undefined) out.push(['id', id]);
  return shuffle(r, out);
}

/**
 * serde_json's syntax error for a prefix of a well-formed object (no escapes, no fractions, no
 * nested objects): what was being parsed when the input ended.
 */
function eofError(prefix: string): string {
  type Ctx = { arr: boolean; state: 'open' | 'comma' | 'key' | 'colon' | 'value' };
  const stack: Ctx[] = [];
  let inStr = false;
  /** A number or literal being read. */
  let bare: string | null = null;
  const done = (): void => {
    const top = stack[stack.length - 1];
    if (top !== undefined) top.state = 'value';
  };
  for (const ch of prefix) {
    if (inStr) {
      if (ch === '"') {
        inStr = false;
        const top = stack[stack.length - 1]!;
        if (!top.arr && (top.state === 'open' || top.state === 'comma')) top.state = 'key';
        else done();
      }
      continue;
    }
    if (bare !== null) {
      if (/[0-9a-z-]/.test(ch)) {
        bare += ch;
        continue;
      }
      bare = null;
      done();
    }
    if (' \n\r\t'.includes(ch)) continue;
    if (ch === '{' || ch === '[') stack.push({ arr: ch === '[', state: 'open' });
    else if (ch === '}' || ch === ']') {
      stack.pop();
      done();
    } else if (ch === '"') inStr = true;
    else if (ch === ':') stack[stack.length - 1]!.state = 'colon';
    else if (ch === ',') stack[stack.length - 1]!.state = 'comma';
    else bare = ch;
  }
  if (inStr) return 'EOF while parsing a string';
  if (bare !== null) {
    // a number or a whole literal ends where the input does; `-`, `nu`, `tr`… need more
    if (!/^(-?[0-9]+|null|true|false)$/.test(bare)) return 'EOF while parsing a value';
    done();
  }
  const top = stack[stack.length - 1];
  // nothing yet, or a value expected (after ':' or ',')
  if (top === undefined || top.state === 'comma' || top.state === 'colon') return 'EOF while parsing a value';
  return top.arr ? 'EOF while parsing a list' : 'EOF while parsing an object';
}

// ---- the model ----------------------------------------------------------------------------------

class Model {
  /** Subscriptions in subscription order (a re-subscribed stream keeps its place). */
  readonly subs = new Set<string>();
  /** Aligned second of the sandbox clock and the messages sent in it. */
  window = -1;
  count = 0;
  private fillers = 0;

  constructor(
    public combined: boolean,
    initial: readonly string[],
  ) {
    for (const s of initial) this.subs.add(s);
  }

  /** A well-formed stream of an unknown symbol never subscribed on this connection (fills the 1024). */
  filler(): string {
    return `f${this.fillers++}x@trade`;
  }

  list(): string {
    return JSON.stringify([...this.subs]);
  }
}

interface Step {
  readonly label: string;
  readonly text: string;
  readonly expect: string;
  readonly apply?: () => void;
}

function subscribe(m: Model, label: string, text: string, names: readonly string[], id: string): Step {
  const fresh = [...new Set(names)].filter((n) => !m.subs.has(n));
  if (m.subs.size + fresh.length > MAX_STREAMS)
    return { label: `${label} refused`, text, expect: fail(2, TOO_MANY_STREAMS, id) };
  return {
    label: m.subs.size + fresh.length === MAX_STREAMS ? `${label} full` : label,
    text,
    expect: ok('null', id),
    apply: () => fresh.forEach((n) => m.subs.add(n)),
  };
}

function unsubscribe(m: Model, label: string, text: string, names: readonly string[], id: string): Step {
  return { label, text, expect: ok('null', id), apply: () => names.forEach((n) => m.subs.delete(n)) };
}

/** A stream list's JSON for a request that carries none: `[]`, `null` or no params at all. */
const noList = (r: Rnd): string | undefined => pick(r, ['[]', 'null', undefined]);

/** A valid request of `method` (`params` JSON or undefined) with a random valid id, laid out at random. */
function valid(r: Rnd, method: string, params: string | undefined): { text: string; id: string } {
  const id = validId(r);
  return { text: layout(r, members(r, JSON.stringify(method), params, id), r() < 0.25).text, id };
}

/** A SUBSCRIBE that fills the limit exactly, passes it by `over`, or stays `-over` below it. */
function bulkSubscribe(r: Rnd, m: Model, over: number): Step {
  const fresh = Array.from({ length: Math.max(0, MAX_STREAMS - m.subs.size + over) }, () => m.filler());
  const names = shuffle(r, [...fresh, ...some(r, [...m.subs], 5), ...some(r, fresh, 3)]);
  const { text, id } = valid(r, 'SUBSCRIBE', JSON.stringify(names));
  return subscribe(m, 'bulk SUBSCRIBE', text, names, id);
}

function bulkUnsubscribe(r: Rnd, m: Model, share: number): Step {
  const subscribed = [...m.subs];
  const names = shuffle(r, [
    ...subscribed.filter(() => r() < share),
    ...Array.from({ length: int(r, 5) }, () => m.filler()),
  ]);
  const { text, id } = valid(r, 'UNSUBSCRIBE', JSON.stringify(names));
  return unsubscribe(m, 'bulk UNSUBSCRIBE', text, names, id);
}

function listStep(r: Rnd, m: Model): Step {
  const { text, id } = valid(r, 'LIST_SUBSCRIPTIONS', noList(r));
  return { label: 'LIST_SUBSCRIPTIONS', text, expect: ok(m.list(), id) };
}

/** Something that is not JSON, or JSON that is not an object (serde: expected value at the first byte). */
const GARBAGE = [
  'hello',
  'SUBSCRIBE',
  '<xml/>',
  '#',
  ')',
  '}',
  ']',
  ':',
  'undefined',
  'Null',
  'TRUE',
  '+1',
  '.5',
  "'x'",
];

const GENERATORS: readonly [weight: number, gen: (r: Rnd, m: Model) => Step][] = [
  // SUBSCRIBE: random streams, repeats of subscribed ones, duplicates within the request
  [
    18,
    (r, m) => {
      const names = some(r, STREAMS, 5);
      if (m.subs.size > 0 && r() < 0.4) names.push(...some(r, [...m.subs], 3));
      if (names.length > 0 && r() < 0.2) names.push(pick(r, names));
      shuffle(r, names);
      const { text, id } = valid(r, 'SUBSCRIBE', names.length === 0 ? noList(r) : JSON.stringify(names));
      return subscribe(m, 'SUBSCRIBE', text, names, id);
    },
  ],
  // UNSUBSCRIBE: subscribed streams, others never subscribed
  [
    12,
    (r, m) => {
      const names = [...some(r, [...m.subs], 4), ...some(r, STREAMS, 2)];
      if (r() < 0.2) names.push(m.filler());
      if (names.length > 0 && r() < 0.15) names.push(pick(r, names));
      shuffle(r, names);
      const { text, id } = valid(r, 'UNSUBSCRIBE', names.length === 0 ? noList(r) : JSON.stringify(names));
      return unsubscribe(m, 'UNSUBSCRIBE', text, names, id);
    },
  ],
  [6, listStep],
  [
    5,
    (r, m) => {
      const value = r() < 0.5;
      const { text, id } = valid(r, 'SET_PROPERTY', `["combined",${value}]`);
      return { label: 'SET_PROPERTY', text, expect: ok('null', id), apply: () => (m.combined = value) };
    },
  ],
  [
    4,
    (r, m) => {
      const { text, id } = valid(r, 'GET_PROPERTY', '["combined"]');
      return { label: 'GET_PROPERTY', text, expect: ok(String(m.combined), id) };
    },
  ],
  // near the 1024 limit: exactly to it, one past it, far past it, or below it; or back down
  [
    3,
    (r, m) =>
      r() < 0.6
        ? bulkSubscribe(r, m, pick(r, [0, 0, 1, 1 + int(r, 40), -1, -int(r, 200)]))
        : bulkUnsubscribe(r, m, pick(r, [0.1, 0.5, 1])),
  ],
  // invalid stream names, or non-strings, among valid ones: refused whole, nothing applied
  [
    6,
    (r) => {
      const method = r() < 0.6 ? 'SUBSCRIBE' : 'UNSUBSCRIBE';
      const bad = r() < 0.75 ? JSON.stringify(pick(r, INVALID_STREAMS)) : pick(r, NON_STRINGS);
      const good = some(r, STREAMS, 3).map((s) => JSON.stringify(s));
      const params = `[${shuffle(r, [...good, bad]).join(',')}]`;
      const { text, id } = valid(r, method, params);
      return { label: 'invalid stream', text, expect: fail(2, INVALID_STREAM, id) };
    },
  ],
  // parameters of LIST_SUBSCRIPTIONS / GET_PROPERTY / SET_PROPERTY
  [
    8,
    (r) => {
      const [method, params, code, msg] = pick(r, [
        ['LIST_SUBSCRIPTIONS', '["btcusdt@trade"]', 2, TOO_MANY_PARAMS],
        ['LIST_SUBSCRIPTIONS', '[null]', 2, TOO_MANY_PARAMS],
        ['GET_PROPERTY', '["combined",true]', 2, TOO_MANY_PARAMS],
        ['GET_PROPERTY', '["nope","combined"]', 2, TOO_MANY_PARAMS],
        ['GET_PROPERTY', '[]', 2, PROPERTY_NAME],
        ['GET_PROPERTY', undefined, 2, PROPERTY_NAME],
        ['GET_PROPERTY', 'null', 2, PROPERTY_NAME],
        ['GET_PROPERTY', '[1]', 2, PROPERTY_NAME],
        ['GET_PROPERTY', '[["combined"]]', 2, PROPERTY_NAME],
        ['GET_PROPERTY', '["Combined"]', 0, 'Unknown property'],
        ['GET_PROPERTY', '["combined "]', 0, 'Unknown property'],
        ['GET_PROPERTY', '[""]', 0, 'Unknown property'],
        ['SET_PROPERTY', '["combined",true,1]', 2, TOO_MANY_PARAMS],
        ['SET_PROPERTY', '["nope",true,false]', 2, TOO_MANY_PARAMS],
        ['SET_PROPERTY', '[]', 2, PROPERTY_NAME],
        ['SET_PROPERTY', undefined, 2, PROPERTY_NAME],
        ['SET_PROPERTY', '[true,"combined"]', 2, PROPERTY_NAME],
        ['SET_PROPERTY', '[null,false]', 2, PROPERTY_NAME],
        ['SET_PROPERTY', '["timeUnit",true]', 0, 'Unknown property'],
        ['SET_PROPERTY', '["COMBINED",false]', 0, 'Unknown property'],
        ['SET_PROPERTY', '["nope"]', 0, 'Unknown property'],
        ['SET_PROPERTY', '["combined"]', 1, 'Invalid value type: expected Boolean'],
        ['SET_PROPERTY', '["combined","true"]', 1, 'Invalid value type: expected Boolean'],
        ['SET_PROPERTY', '["combined",1]', 1, 'Invalid value type: expected Boolean'],
        ['SET_PROPERTY', '["combined",0]', 1, 'Invalid value type: expected Boolean'],
        ['SET_PROPERTY', '["combined",null]', 1, 'Invalid value type: expected Boolean'],
        ['SET_PROPERTY', '["combined",[true]]', 1, 'Invalid value type: expected Boolean'],
      ] as const);
      const { text, id } = valid(r, method, params);
      return { label: `${method} params`, text, expect: fail(code, msg, id) };
    },
  ],
  // unsupported ids, whatever the request (even one that would succeed): refused, id null
  [
    6,
    (r, m) => {
      const method = pick(r, METHODS);
      const byMethod: Record<string, string | undefined> = {
        SUBSCRIBE: JSON.stringify(some(r, STREAMS, 3)),
        UNSUBSCRIBE: JSON.stringify(some(r, [...m.subs], 3)),
        LIST_SUBSCRIPTIONS: undefined,
        SET_PROPERTY: `["combined",${!m.combined}]`,
        GET_PROPERTY: '["combined"]',
      };
      const text = layout(
        r,
        members(r, JSON.stringify(method), byMethod[method], pick(r, INVALID_IDS)),
        r() < 0.25,
      ).text;
      return { label: 'id', text, expect: fail(2, BAD_ID) };
    },
  ],
  // unknown methods (case matters), reported after the method's closing quote
  [
    3,
    (r) => {
      const method = pick(r, [
        'subscribe',
        'Subscribe',
        'SUBSCRIBX',
        'LIST',
        'UNSUBSCRIBE_ALL',
        'GET_PROPERTIES',
        'PING',
        '',
        'SUBSCRIBÉ',
        'SET_PROPERTY ',
      ]);
      const ms = members(r, JSON.stringify(method), '["btcusdt@trade"]', pick(r, [validId(r), ...INVALID_IDS]));
      const laid = layout(r, ms, r() < 0.3);
      const i = ms.findIndex(([k]) => k === 'method');
      const end = laid.value[i]! + JSON.stringify(method).length;
      const msg = `Invalid request: unknown variant \`${method}\`, ${VARIANTS} at ${at(laid.text, end)}`;
      return { label: 'unknown method', text: laid.text, expect: fail(2, msg) };
    },
  ],
  // a method that is not a string: serde's "expected value" at the value's first byte
  [
    1,
    (r) => {
      const ms = members(r, pick(r, ['1', '-3', 'null', 'true', '["SUBSCRIBE"]']), '[]', validId(r));
      const laid = layout(r, ms, r() < 0.3);
      const i = ms.findIndex(([k]) => k === 'method');
      return {
        label: 'method type',
        text: laid.text,
        expect: fail(3, `Invalid JSON: expected value at ${at(laid.text, laid.value[i]! + 1)}`),
      };
    },
  ],
  // no method: reported after the closing brace
  [
    2,
    (r) => {
      const ms = members(r, undefined, pick(r, ['["btcusdt@trade"]', '[]', undefined]), pick(r, [validId(r), '1.5']));
      const { text } = layout(r, ms, r() < 0.3);
      const msg = `Invalid request: missing field \`method\` at ${at(text, text.lastIndexOf('}') + 1)}`;
      return { label: 'missing method', text, expect: fail(2, msg) };
    },
  ],
  // params that is not a list
  [
    2,
    (r) => {
      const [params, what, consumed] = pick(r, [
        ['"btcusdt@trade"', 'string "btcusdt@trade"', true],
        ['"combined"', 'string "combined"', true],
        ['5', 'integer `5`', true],
        ['-1', 'integer `-1`', true],
        ['true', 'boolean `true`', true],
        ['false', 'boolean `false`', true],
        ['{}', 'map', false],
        ['{"streams":["btcusdt@trade"]}', 'map', false],
      ] as const);
      const ms = members(r, JSON.stringify(pick(r, METHODS)), params, validId(r));
      const laid = layout(r, ms, r() < 0.3);
      const i = ms.findIndex(([k]) => k === 'params');
      const end = laid.value[i]! + (consumed ? params.length : 0);
      // a deserialization error: whatever the method, before the id or the method's own rules are looked at
      const msg = `Invalid request: invalid type: ${what}, expected a sequence at ${at(laid.text, end)}`;
      return { label: 'params type', text: laid.text, expect: fail(2, msg) };
    },
  ],
  // a field twice: reported after the second key (and the whitespace after it)
  [
    2,
    (r) => {
      const ms = members(r, '"LIST_SUBSCRIPTIONS"', noList(r), validId(r));
      const dup = pick(r, ms)[0];
      const values: Record<string, string> = { method: '"SUBSCRIBE"', params: '["btcusdt@trade"]', id: validId(r) };
      const again: Member = [dup, values[dup]!];
      const first = ms.findIndex(([k]) => k === dup);
      ms.splice(first + 1 + int(r, ms.length - first), 0, again);
      const laid = layout(r, ms, r() < 0.3);
      let end = laid.keyEnd[ms.lastIndexOf(again)]!;
      while (' \n\r\t'.includes(laid.text[end]!)) end++;
      return {
        label: 'duplicate field',
        text: laid.text,
        expect: fail(2, `Invalid request: duplicate field \`${dup}\` at ${at(laid.text, end)}`),
      };
    },
  ],
  // a valid request cut short: EOF while parsing whatever was open
  [
    6,
    (r, m) => {
      const step = pick(r, [listStep, ...GENERATORS.slice(0, 5).map(([, g]) => g)])(r, m);
      const prefix = step.text.slice(0, int(r, step.text.length));
      const msg = `Invalid JSON: ${eofError(prefix)} at ${at(prefix, prefix.length)}`;
      return { label: 'cut', text: prefix, expect: fail(3, msg) };
    },
  ],
  // a valid request followed by more
  [
    3,
    (r, m) => {
      const step = listStep(r, m);
      const junk = pick(r, [' x', 'x', '}', ']', ',', '{}', '\n{"method":"LIST_SUBSCRIPTIONS","id":1}', ' 1', 'null']);
      const text = step.text + junk;
      const idx = step.text.length + junk.search(/\S/);
      return { label: 'trailing', text, expect: fail(3, `Invalid JSON: trailing characters at ${at(text, idx + 1)}`) };
    },
  ],
  // not JSON at all, or nothing
  [
    2,
    (r) => {
      if (r() < 0.3) {
        const text = pick(r, ['', ' ', '   ', '\n', '\r\n\t']);
        return {
          label: 'empty',
          text,
          expect: fail(3, `Invalid JSON: EOF while parsing a value at ${at(text, text.length)}`),
        };
      }
      const lead = pick(r, ['', ' ', '\n ']);
      const text = lead + pick(r, GARBAGE);
      return {
        label: 'garbage',
        text,
        expect: fail(3, `Invalid JSON: expected value at ${at(text, lead.length + 1)}`),
      };
    },
  ],
];
const TOTAL_WEIGHT = GENERATORS.reduce((s, [w]) => s + w, 0);

function randomStep(r: Rnd, m: Model): Step {
  let x = int(r, TOTAL_WEIGHT);
  for (const [w, gen] of GENERATORS) {
    if (x < w) return gen(r, m);
    x -= w;
  }
  throw new Error('unreachable');
}

// ---- data frames --------------------------------------------------------------------------------

/** The names a raw (unwrapped) data frame can have come from. */
function rawSource(v: unknown): RegExp | null {
  if (Array.isArray(v)) return /^!.+@arr$/;
  if (typeof v !== 'object' || v === null || 'stream' in v || 'id' in v) return null;
  const o = v as Record<string, unknown>;
  if ('lastUpdateId' in o) return /^[a-z0-9]+@depth(5|10|20)(@100ms)?$/;
  const s = String(o.s).toLowerCase();
  if (o.e === undefined) return new RegExp(`^${s}@bookTicker$`);
  const e = String(o.e);
  const kind =
    e === '24hrMiniTicker'
      ? 'miniTicker'
      : e === '24hrTicker'
        ? 'ticker'
        : /^\d+[hd]Ticker$/.test(e)
          ? `ticker_${e.slice(0, -6)}`
          : e === 'depthUpdate'
            ? 'depth(@100ms)?'
            : e === 'kline'
              ? `kline_${String((o.k as Record<string, unknown>).i)}(@\\+08:00)?`
              : e;
  return new RegExp(`^${s}@${kind}$`);
}

/** An answer to a control message (data frames never carry `id`). */
function isAnswer(frame: string): boolean {
  const v: unknown = JSON.parse(frame);
  return typeof v === 'object' && v !== null && 'id' in v && ('result' in v || 'error' in v);
}

// ---- the run ------------------------------------------------------------------------------------

const STEPS_MS = [0, 0, 0, 1, 10, 100, 250, 250, 250, 500, 999, 1000, 1001];

/** Advances the sandbox clock at random, never sending a 6th message in an aligned second. */
function pace(r: Rnd, m: Model, s: TestSandbox, advance = true): void {
  if (advance) s.clock.advance(pick(r, STEPS_MS));
  let w = Math.floor(s.clock.now() / 1000);
  if (w === m.window && m.count === PER_SECOND) {
    // the next second, at its first millisecond (windows are aligned on the sandbox clock)
    s.clock.advance((w + 1) * 1000 - s.clock.now());
    w++;
  }
  if (w !== m.window) {
    m.window = w;
    m.count = 0;
  }
  m.count++;
}

type Variant = 'ws' | 'raw' | 'combined';

/** The connection's URL (streams given at random, some twice, '@' sometimes percent-encoded) and its model. */
function open(r: Rnd, variant: Variant): { path: string; model: Model } {
  if (variant === 'ws') return { path: '/ws', model: new Model(false, []) };
  const names = some(r, STREAMS, 8);
  names.push(...some(r, names, 2), pick(r, FAST_DEPTH));
  shuffle(r, names);
  const enc = (n: string): string => (r() < 0.3 ? n.replace('@', '%40') : n);
  if (variant === 'raw') return { path: `/ws/${names.map(enc).join('/')}`, model: new Model(false, names) };
  const query = names.map((n) => enc(n).replace('+', '%2B')).join('/');
  return { path: `/stream?streams=${query}`, model: new Model(true, names) };
}

async function fuzz(variant: Variant, seed: number): Promise<Map<string, number>> {
  const r = mulberry32(seed);
  // no server PINGs: the client's PONGs would count toward the 5 messages a second
  const s = (sb = await startTestSandbox({ ws: { ...DEFAULT_WS_CONFIG, pingIntervalMs: 30 * 86_400_000 } }));
  const { path, model: m } = open(r, variant);
  const c: Client = await connectWs(s.url, path, sockets);
  const frames: string[] = [];
  c.ws.on('message', (d: Buffer) => frames.push(d.toString()));
  const seen = new Map<string, number>();
  const note = (label: string): void => void seen.set(label, (seen.get(label) ?? 0) + 1);

  /** The next answer; data frames before it are checked against the model as it is now. */
  const answer = async (what: string): Promise<string> => {
    for (;;) {
      await c.until(() => frames.length > 0 || c.closed !== null);
      const f = frames.shift();
      if (f === undefined) throw new Error(`closed ${JSON.stringify(c.closed)} waiting for the answer to ${what}`);
      c.messages.shift();
      if (isAnswer(f)) return f;
      note('data frame');
      const v = JSON.parse(f) as Record<string, unknown>;
      if (m.combined) {
        expect(Object.keys(v), `${f} (combined) before the answer to ${what}`).toEqual(['stream', 'data']);
        expect(m.subs.has(String(v.stream)), `${f} from a stream not subscribed, before ${what}`).toBe(true);
      } else {
        const source = rawSource(v);
        expect(source, `${f} (raw) before the answer to ${what}`).not.toBeNull();
        expect(
          [...m.subs].some((n) => source!.test(n)),
          `${f} from no subscribed stream, before ${what}`,
        ).toBe(true);
      }
    }
  };

  const exchange = async (step: Step, i: number, advance = true): Promise<void> => {
    pace(r, m, s, advance);
    c.send(step.text);
    const what = `#${i} ${step.label} ${JSON.stringify(step.text.length > 400 ? `${step.text.slice(0, 400)}…` : step.text)}`;
    expect(await answer(what), what).toBe(step.expect);
    step.apply?.();
    note(step.label);
  };

  // scripted among the random steps: the limit reached exactly, then passed; later, everything dropped
  const third = Math.floor(N / 3);
  const scripted: Record<number, () => Step> = {
    [third]: () => bulkSubscribe(r, m, 0),
    [third + 1]: () => bulkSubscribe(r, m, 1 + int(r, 3)),
    [2 * third]: () => bulkUnsubscribe(r, m, 1),
  };
  for (let i = 0; i < N; i++) {
    const script = scripted[i];
    if (script !== undefined) await exchange(script(), i);
    else if (i % 25 === 24) await exchange(listStep(r, m), i);
    else if (i % 200 === 50) {
      // a stream that pushes every 100 ms: its frames must be framed and routed as the model says
      const stream = pick(r, FAST_DEPTH);
      const { text, id } = valid(r, 'SUBSCRIBE', JSON.stringify([stream]));
      await exchange(subscribe(m, 'SUBSCRIBE', text, [stream], id), i);
      if (m.subs.has(stream)) {
        await c.until(() => frames.length > 0);
        note('waited for data');
      }
    } else await exchange(randomStep(r, m), i);
  }
  await exchange(listStep(r, m), N);

  // the limit itself: fill the current second up to 5 messages, then a 6th
  while (m.count < PER_SECOND) await exchange(listStep(r, m), N, false);
  c.send(listStep(r, m).text);
  await c.until(() => c.closed !== null);
  expect(c.closed).toEqual({ code: 1008, reason: 'Too many requests' });
  expect(frames.filter(isAnswer)).toEqual([]);
  return seen;
}

describe('stream control messages under seeded random traffic (WSCONTROL_SEED, WSCONTROL_N)', () => {
  it.each([
    ['/ws', 'ws', 0],
    ['/ws/<streams>', 'raw', 1],
    ['/stream?streams=<streams>', 'combined', 2],
  ] as const)(
    '%s: every answer is the one the model predicts; the 1024th stream is fine, the 1025th refused; a 6th message in a second closes with 1008',
    async (_, variant, k) => {
      const seen = await fuzz(variant, SEED + 1000 * k);
      if (process.env.WSCONTROL_SEED) console.log(variant, JSON.stringify([...seen].sort()));
      if (N >= 300) {
        expect(seen.get('bulk SUBSCRIBE full') ?? 0, JSON.stringify([...seen])).toBeGreaterThan(0);
        expect(seen.get('bulk SUBSCRIBE refused') ?? 0, JSON.stringify([...seen])).toBeGreaterThan(0);
        if (seen.has('waited for data')) expect(seen.get('data frame') ?? 0).toBeGreaterThan(0);
      }
    },
  );
});
