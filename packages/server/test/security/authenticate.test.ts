import { describe, expect, it } from 'vitest';
import { ApiError, type SecurityType } from '@binance-sandbox/protocol';
import { AccountRegistry } from '../../src/security/accounts.js';
import { authenticate, recheckRecvWindow, type AuthInput } from '../../src/security/authenticate.js';
import { signEd25519, signHmac } from '../../src/security/signature.js';
import { parseRawParams } from '../../src/http/raw-params.js';

const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const NO_TRADE_KEY = 'N'.repeat(64);
const ED_API_KEY = 'E'.repeat(64);
const ED_PUBLIC = 'MCowBQYDK2VwAyEAGUIKv9dSpWXBViXp2m6vAIb8QMFJYBgyFEQsFJlqgA0=';
const ED_PRIVATE =
  '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n-----END PRIVATE KEY-----\n';

const NOW = 1_700_000_000_000;

function registry(): AccountRegistry {
  const reg = new AccountRegistry('auth-tests');
  reg.importKey({ apiKey: API_KEY, secretKey: SECRET, keyType: 'HMAC_SHA256' });
  reg.importKey({ apiKey: NO_TRADE_KEY, secretKey: SECRET, keyType: 'HMAC_SHA256', canTrade: false });
  reg.importKey({ apiKey: ED_API_KEY, publicKey: ED_PUBLIC, keyType: 'ED25519' });
  return reg;
}
const REG = registry();

/** Builds the input as the REST layer would: transport-parse, then authenticate. */
function input(
  security: SecurityType,
  opts: { query?: string; body?: string; key?: string | undefined; now?: number; recvWindowMax?: number } = {},
): AuthInput {
  const rawQuery = opts.query ?? '';
  const rawBody = opts.body ?? '';
  const { params } = parseRawParams(rawQuery, rawBody, 'POST');
  return {
    security,
    apiKeyHeader: 'key' in opts ? opts.key : API_KEY,
    params,
    rawQuery,
    rawBody,
    now: opts.now ?? NOW,
    ...(opts.recvWindowMax === undefined ? {} : { recvWindowMax: opts.recvWindowMax }),
  };
}

function signed(query: string, secret = SECRET): string {
  return `${query}&signature=${signHmac(secret, query)}`;
}

function fails(fn: () => unknown): { code: number; msg: string; status: number } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    const a = e as ApiError;
    return { code: a.code, msg: a.msg, status: a.httpStatus };
  }
  throw new Error('expected an ApiError');
}

const FORMAT = { code: -2014, msg: 'API-key format invalid.', status: 401 };
const REJECTED = { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.', status: 401 };
const OUTSIDE = { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.', status: 400 };
const AHEAD = { code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time.", status: 400 };
const BAD_SIG = { code: -1022, msg: 'Signature for this request is not valid.', status: 400 };
const mandatory = (p: string) => ({
  code: -1102,
  msg: `Mandatory parameter '${p}' was not sent, was empty/null, or malformed.`,
  status: 400,
});

describe('API key', () => {
  it('NONE → null, whatever the header', () => {
    expect(authenticate(input('NONE', { key: undefined }), REG)).toBeNull();
    expect(authenticate(input('NONE', { key: 'garbage' }), REG)).toBeNull();
  });

  it.each<SecurityType>(['TRADE', 'USER_DATA', 'USER_STREAM', 'MARKET_DATA'])(
    '%s: missing / blank / malformed → -2014',
    (s) => {
      expect(fails(() => authenticate(input(s, { key: undefined }), REG))).toEqual(FORMAT);
      expect(fails(() => authenticate(input(s, { key: '' }), REG))).toEqual(FORMAT);
      expect(fails(() => authenticate(input(s, { key: ' '.repeat(64) }), REG))).toEqual(FORMAT);
      expect(fails(() => authenticate(input(s, { key: API_KEY.slice(1) }), REG))).toEqual(FORMAT);
      expect(fails(() => authenticate(input(s, { key: API_KEY + 'x' }), REG))).toEqual(FORMAT);
      expect(fails(() => authenticate(input(s, { key: API_KEY.slice(1) + '-' }), REG))).toEqual(FORMAT);
    },
  );

  it.each<SecurityType>(['TRADE', 'USER_DATA', 'USER_STREAM', 'MARKET_DATA'])('%s: unknown key → -2015', (s) => {
    expect(fails(() => authenticate(input(s, { key: 'Z'.repeat(64) }), REG))).toEqual(REJECTED);
    expect(fails(() => authenticate(input(s, { key: API_KEY.toLowerCase() }), REG))).toEqual(REJECTED);
  });

  it('USER_STREAM / MARKET_DATA: key only, no signature needed', () => {
    for (const s of ['USER_STREAM', 'MARKET_DATA'] as const) {
      const r = authenticate(input(s), REG)!;
      expect(r.account).toBe(1);
      expect(r.key.apiKey).toBe(API_KEY);
    }
  });

  it('TRADE with a key without trading permission → -2015; USER_DATA is fine', () => {
    const q = signed(`timestamp=${NOW}`);
    expect(fails(() => authenticate(input('TRADE', { key: NO_TRADE_KEY, query: q }), REG))).toEqual(REJECTED);
    expect(authenticate(input('USER_DATA', { key: NO_TRADE_KEY, query: q }), REG)!.account).toBe(2);
  });

  it('the key check comes before the parameter checks', () => {
    expect(fails(() => authenticate(input('TRADE', { key: undefined, query: '' }), REG))).toEqual(FORMAT);
  });
});

describe('signed: mandatory timestamp and signature', () => {
  it('timestamp missing or empty → -1102', () => {
    expect(fails(() => authenticate(input('TRADE', { query: 'signature=ab' }), REG))).toEqual(mandatory('timestamp'));
    expect(fails(() => authenticate(input('TRADE', { query: 'timestamp=&signature=ab' }), REG))).toEqual(
      mandatory('timestamp'),
    );
    expect(fails(() => authenticate(input('USER_DATA', {}), REG))).toEqual(mandatory('timestamp'));
  });
  it('signature missing or empty → -1102', () => {
    expect(fails(() => authenticate(input('TRADE', { query: `timestamp=${NOW}` }), REG))).toEqual(
      mandatory('signature'),
    );
    expect(fails(() => authenticate(input('TRADE', { query: `timestamp=${NOW}&signature=` }), REG))).toEqual(
      mandatory('signature'),
    );
  });
  it('malformed timestamp → -1100 / -1108', () => {
    expect(fails(() => authenticate(input('TRADE', { query: signed('timestamp=-1') }), REG))).toEqual({
      code: -1100,
      msg: "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.",
      status: 400,
    });
    expect(fails(() => authenticate(input('TRADE', { query: signed('timestamp=99999999999999999999') }), REG))).toEqual(
      {
        code: -1108,
        msg: "Parameter 'timestamp' overflowed.",
        status: 400,
      },
    );
  });
  it('a huge but valid int64 timestamp is ahead', () => {
    expect(fails(() => authenticate(input('TRADE', { query: signed('timestamp=9223372036854775807') }), REG))).toEqual(
      AHEAD,
    );
  });
  it('malformed recvWindow → the validate.ts errors', () => {
    const q = (rw: string) => signed(`timestamp=${NOW}&recvWindow=${rw}`);
    expect(fails(() => authenticate(input('TRADE', { query: q('') }), REG)).code).toBe(-1105);
    expect(fails(() => authenticate(input('TRADE', { query: q('1.2345') }), REG)).code).toBe(-1111);
    expect(fails(() => authenticate(input('TRADE', { query: q('60001') }), REG))).toEqual({
      code: -1102,
      msg: "'recvWindow' contains unexpected value. Cannot be greater than 60000.",
      status: 400,
    });
    expect(fails(() => authenticate(input('TRADE', { query: q('70001'), recvWindowMax: 70000 }), REG))).toEqual({
      code: -1102,
      msg: "'recvWindow' contains unexpected value. Cannot be greater than 70000.",
      status: 400,
    });
    expect(authenticate(input('TRADE', { query: q('70000'), recvWindowMax: 70000 }), REG)!.recvWindowMs).toBe(70000);
  });
});

describe('timestamp vs server time', () => {
  const at = (ts: number | string, extra = '') => input('TRADE', { query: signed(`timestamp=${ts}${extra}`) });

  it('+999 ms ok, +1000 ms → ahead', () => {
    expect(authenticate(at(NOW + 999), REG)!.timestampMs).toBe(NOW + 999);
    expect(fails(() => authenticate(at(NOW + 1000), REG))).toEqual(AHEAD);
  });
  it('µs: +999999 µs ok, +1000000 µs → ahead', () => {
    expect(authenticate(at(NOW * 1000 + 999_999), REG)!.timestampMs).toBe(NOW + 999.999);
    expect(fails(() => authenticate(at(NOW * 1000 + 1_000_000), REG))).toEqual(AHEAD);
  });
  it('default recvWindow 5000: exactly 5000 ms old ok, 5001 → outside', () => {
    const r = authenticate(at(NOW - 5000), REG)!;
    expect(r.recvWindowMs).toBe(5000);
    expect(fails(() => authenticate(at(NOW - 5001), REG))).toEqual(OUTSIDE);
  });
  it('explicit recvWindow: exactly recvWindow old ok, +1 ms → outside', () => {
    expect(authenticate(at(NOW - 10_000, '&recvWindow=10000'), REG)!.recvWindowMs).toBe(10_000);
    expect(fails(() => authenticate(at(NOW - 10_001, '&recvWindow=10000'), REG))).toEqual(OUTSIDE);
  });
  it('recvWindow with µs precision against a µs timestamp', () => {
    const tsUs = NOW * 1000 - 6_000_346;
    expect(authenticate(at(tsUs, '&recvWindow=6000.346'), REG)).not.toBeNull();
    expect(fails(() => authenticate(at(tsUs - 1, '&recvWindow=6000.346'), REG))).toEqual(OUTSIDE);
  });
  it('recvWindow=0 accepts only the current millisecond', () => {
    expect(authenticate(at(NOW, '&recvWindow=0'), REG)).not.toBeNull();
    expect(fails(() => authenticate(at(NOW - 1, '&recvWindow=0'), REG))).toEqual(OUTSIDE);
  });
  it('before 2017-01-01 → outside, whatever the recvWindow', () => {
    const now = 1_483_228_800_000 + 1000;
    const q = (ts: number) => signed(`timestamp=${ts}&recvWindow=60000`);
    expect(authenticate(input('TRADE', { query: q(1_483_228_800_000), now }), REG)).not.toBeNull();
    expect(fails(() => authenticate(input('TRADE', { query: q(1_483_228_799_999), now }), REG))).toEqual(OUTSIDE);
    expect(fails(() => authenticate(input('TRADE', { query: signed('timestamp=0') }), REG))).toEqual(OUTSIDE);
  });
  it('time is checked before the signature', () => {
    expect(fails(() => authenticate(input('TRADE', { query: `timestamp=${NOW + 5000}&signature=00` }), REG))).toEqual(
      AHEAD,
    );
  });
});

describe('signature', () => {
  it('valid HMAC (query) → account and key', () => {
    const r = authenticate(input('TRADE', { query: signed(`symbol=LTCBTC&side=BUY&timestamp=${NOW}`) }), REG)!;
    expect(r.account).toBe(1);
    expect(r.key.apiKey).toBe(API_KEY);
    expect(r.timestampMs).toBe(NOW);
    expect(r.recvWindowMs).toBe(5000);
  });
  it('mixed query + body, signature at the end of the body', () => {
    const query = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC';
    const body = `quantity=1&price=0.1&recvWindow=5000&timestamp=${NOW}`;
    const sig = signHmac(SECRET, query + body);
    expect(authenticate(input('TRADE', { query, body: `${body}&signature=${sig}` }), REG)).not.toBeNull();
    expect(authenticate(input('TRADE', { query, body: `${body}&signature=${sig.toUpperCase()}` }), REG)).not.toBeNull();
  });
  it('wrong secret, tampered payload → -1022', () => {
    expect(fails(() => authenticate(input('TRADE', { query: signed(`timestamp=${NOW}`, 'wrong') }), REG))).toEqual(
      BAD_SIG,
    );
    const q = signed(`timestamp=${NOW}&side=BUY`).replace('BUY', 'SELL');
    expect(fails(() => authenticate(input('TRADE', { query: q }), REG))).toEqual(BAD_SIG);
  });
  it('Ed25519 signature, percent-encoded in the query', () => {
    const payload = `symbol=BTCUSDT&side=SELL&timestamp=${NOW}`;
    const sig = signEd25519(ED_PRIVATE, payload);
    const good = input('TRADE', { key: ED_API_KEY, query: `${payload}&signature=${encodeURIComponent(sig)}` });
    expect(authenticate(good, REG)!.key.keyType).toBe('ED25519');
    if (sig.includes('+')) {
      const raw = input('TRADE', { key: ED_API_KEY, query: `${payload}&signature=${sig}` });
      expect(fails(() => authenticate(raw, REG))).toEqual(BAD_SIG);
    }
    const lower = input('TRADE', {
      key: ED_API_KEY,
      query: `${payload}&signature=${encodeURIComponent(sig.toLowerCase())}`,
    });
    expect(fails(() => authenticate(lower, REG))).toEqual(BAD_SIG);
  });
});

describe('recheckRecvWindow', () => {
  it('exactly recvWindow old passes, 1 ms more fails', () => {
    expect(() => recheckRecvWindow(NOW - 5000, 5000, NOW)).not.toThrow();
    expect(fails(() => recheckRecvWindow(NOW - 5001, 5000, NOW))).toEqual(OUTSIDE);
  });
  it('µs precision', () => {
    expect(() => recheckRecvWindow(NOW - 6000.346, 6000.346, NOW)).not.toThrow();
    expect(fails(() => recheckRecvWindow(NOW - 6000.347, 6000.346, NOW))).toEqual(OUTSIDE);
  });
  it('does not apply the ahead rule (the first check did)', () => {
    expect(() => recheckRecvWindow(NOW + 1500, 5000, NOW)).not.toThrow();
  });
  it('uses what authenticate returned', () => {
    const r = authenticate(input('TRADE', { query: signed(`timestamp=${NOW - 4000}`) }), REG)!;
    expect(() => recheckRecvWindow(r.timestampMs!, r.recvWindowMs!, NOW + 1000)).not.toThrow();
    expect(fails(() => recheckRecvWindow(r.timestampMs!, r.recvWindowMs!, NOW + 1001))).toEqual(OUTSIDE);
  });
});
