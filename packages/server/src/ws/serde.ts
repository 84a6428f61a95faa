/**
 * Parses a stream control message the way Binance's server does (Rust, serde_json deserializing
 * into `struct { method: Method, params: Option<Vec<Value>>, id: Option<Value> }`), so that errors
 * carry serde_json's exact texts and positions:
 *
 * - syntax / EOF errors → code 3 "Invalid JSON: <msg> at line L column C";
 * - data errors (missing field, unknown variant, invalid type, duplicate field) → code 2
 *   "Invalid request: <msg> at line L column C".
 *
 * Positions follow serde_json's SliceRead: line is 1-based; column counts BYTES since the start of
 * the line; errors raised after consuming a byte report the index after it ("position"), errors
 * raised on a peeked byte report index + 1 ("peek position", capped at the input length).
 *
 * Faithful for: empty input, non-JSON text, truncated objects/lists/strings, missing colon/comma,
 * non-string keys, trailing commas, trailing characters, bad literals, bad escapes, control
 * characters in strings, missing `method`, unknown/non-string `method`, duplicate fields,
 * non-array `params`, non-object top level. Approximated: number grammar errors (reported as
 * "invalid number" at the offending byte), `method` given as an object (serde would try an
 * externally tagged enum; reported as "expected value"), a top-level array (serde would fill the
 * struct from it in field order; reported as an invalid type), and the struct's name in
 * "expected struct …" messages, which Binance never shows (we say `struct Request`).
 */

export const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'] as const;
export type Method = (typeof METHODS)[number];

/** A JSON value as the control layer needs it; numbers keep their source text (ids are echoed verbatim). */
export type JsonValue = null | boolean | string | { readonly num: string } | JsonValue[] | { readonly obj: true };

export interface ControlRequest {
  readonly method: Method;
  /** undefined: absent or null. */
  readonly params: JsonValue[] | undefined;
  /** undefined: absent; null: JSON null. */
  readonly id: JsonValue | undefined;
}

export class SerdeError extends Error {
  constructor(
    /** 2: data error ("Invalid request"), 3: syntax error ("Invalid JSON"). */
    readonly code: 2 | 3,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const MAX_DEPTH = 128;

/** serde's `Unexpected` rendering of a number's source text. */
function unexpectedNumber(text: string): string {
  if (/^-?\d+$/.test(text)) return `integer \`${text}\``;
  const f = Number(text);
  return `floating point \`${Number.isInteger(f) ? f.toFixed(1) : String(f)}\``;
}

/** Rust's Debug rendering of a string (the part of serde's `string "…"`). */
function rustDebugString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

class Parser {
  i = 0;
  private depth = 0;

  constructor(private readonly b: Uint8Array) {}

  private at(idx: number): string {
    const b = this.b;
    let line = 1;
    let start = 0;
    for (let k = 0; k < idx; k++) {
      if (b[k] === 0x0a) {
        line++;
        start = k + 1;
      }
    }
    return `line ${line} column ${idx - start}`;
  }

  /** Error at the current position (after the last consumed byte). */
  error(code: 2 | 3, msg: string): SerdeError {
    return new SerdeError(code, `${msg} at ${this.at(this.i)}`);
  }

  /** Error at the peek position (the byte not consumed yet). */
  peekError(code: 2 | 3, msg: string): SerdeError {
    return new SerdeError(code, `${msg} at ${this.at(Math.min(this.b.length, this.i + 1))}`);
  }

  /** Skips whitespace; returns the next byte (not consumed) or -1 at EOF. */
  ws(): number {
    const b = this.b;
    while (this.i < b.length) {
      const c = b[this.i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else return c;
    }
    return -1;
  }

  private ident(rest: string): void {
    for (let k = 0; k < rest.length; k++) {
      if (this.i >= this.b.length) throw this.error(3, 'EOF while parsing a value');
      const c = this.b[this.i++]!;
      if (c !== rest.charCodeAt(k)) throw this.error(3, 'expected ident');
    }
  }

  /** A string; the opening quote is already consumed. */
  str(): string {
    const b = this.b;
    const start = this.i;
    let simple = true;
    for (;;) {
      if (this.i >= b.length) throw this.error(3, 'EOF while parsing a string');
      const c = b[this.i++]!;
      if (c === 0x22) break;
      if (c === 0x5c) {
        simple = false;
        if (this.i >= b.length) throw this.error(3, 'EOF while parsing a string');
        const e = b[this.i++]!;
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            if (this.i >= b.length) throw this.error(3, 'EOF while parsing a string');
            const h = b[this.i++]!;
            const hex = (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
            if (!hex) throw this.error(3, 'invalid escape');
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) {
          throw this.error(3, 'invalid escape');
        }
      } else if (c < 0x20) {
        throw this.error(3, 'control character (\\u0000-\\u001F) found while parsing a string');
      }
    }
    const raw = Buffer.from(b.buffer, b.byteOffset + start, this.i - 1 - start).toString('utf8');
    if (simple) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      throw this.error(3, 'invalid unicode code point');
    }
  }

  /** A number starting at the current byte ('-' or a digit). */
  num(): string {
    const b = this.b;
    const start = this.i;
    const digit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
    if (b[this.i] === 0x2d) this.i++;
    if (!digit(b[this.i])) {
      if (this.i >= b.length) throw this.error(3, 'EOF while parsing a value');
      this.i++;
      throw this.error(3, 'invalid number');
    }
    if (b[this.i] === 0x30) {
      this.i++;
      if (digit(b[this.i])) throw this.peekError(3, 'invalid number');
    } else while (digit(b[this.i])) this.i++;
    if (b[this.i] === 0x2e) {
      this.i++;
      if (!digit(b[this.i])) {
        if (this.i >= b.length) throw this.error(3, 'EOF while parsing a value');
        this.i++;
        throw this.error(3, 'invalid number');
      }
      while (digit(b[this.i])) this.i++;
    }
    if (b[this.i] === 0x65 || b[this.i] === 0x45) {
      this.i++;
      if (b[this.i] === 0x2b || b[this.i] === 0x2d) this.i++;
      if (!digit(b[this.i])) {
        if (this.i >= b.length) throw this.error(3, 'EOF while parsing a value');
        this.i++;
        throw this.error(3, 'invalid number');
      }
      while (digit(b[this.i])) this.i++;
    }
    return Buffer.from(b.buffer, b.byteOffset + start, this.i - start).toString('latin1');
  }

  /** Any value (serde_json deserialize_any). */
  value(): JsonValue {
    const c = this.ws();
    switch (c) {
      case -1:
        throw this.peekError(3, 'EOF while parsing a value');
      case 0x6e:
        this.i++;
        this.ident('ull');
        return null;
      case 0x74:
        this.i++;
        this.ident('rue');
        return true;
      case 0x66:
        this.i++;
        this.ident('alse');
        return false;
      case 0x22:
        this.i++;
        return this.str();
      case 0x5b:
        this.i++;
        return this.seq();
      case 0x7b:
        this.i++;
        this.skipMap();
        return { obj: true };
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return { num: this.num() };
        throw this.peekError(3, 'expected value');
    }
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw this.error(3, 'recursion limit exceeded');
  }

  /** The elements of a list; '[' consumed. */
  seq(): JsonValue[] {
    this.enter();
    const out: JsonValue[] = [];
    let first = true;
    for (;;) {
      let c = this.ws();
      if (c === 0x5d) {
        this.i++;
        break;
      }
      if (c === -1) throw this.peekError(3, 'EOF while parsing a list');
      if (!first) {
        if (c !== 0x2c) throw this.peekError(3, 'expected `,` or `]`');
        this.i++;
        c = this.ws();
        if (c === 0x5d) throw this.peekError(3, 'trailing comma');
        if (c === -1) throw this.peekError(3, 'EOF while parsing a value');
      }
      first = false;
      out.push(this.value());
    }
    this.depth--;
    return out;
  }

  /** Before a member's value: whitespace, ':'. */
  colon(): void {
    const c = this.ws();
    if (c === 0x3a) {
      this.i++;
      return;
    }
    if (c === -1) throw this.peekError(3, 'EOF while parsing an object');
    throw this.peekError(3, 'expected `:`');
  }

  /**
   * The next key of an object ('{' consumed), or null at '}' (not consumed). `first`: no member yet.
   */
  key(first: boolean): string | null {
    let c = this.ws();
    if (c === 0x7d) return null;
    if (c === -1) throw this.peekError(3, 'EOF while parsing an object');
    if (!first) {
      if (c !== 0x2c) throw this.peekError(3, 'expected `,` or `}`');
      this.i++;
      c = this.ws();
    }
    if (c === 0x22) {
      this.i++;
      return this.str();
    }
    if (c === 0x7d) throw this.peekError(3, 'trailing comma');
    if (c === -1) throw this.peekError(3, 'EOF while parsing a value');
    throw this.peekError(3, 'key must be a string');
  }

  /** An object's members, ignored ('{' consumed; '}' consumed on return). */
  skipMap(): void {
    this.enter();
    let first = true;
    while (this.key(first) !== null) {
      first = false;
      this.colon();
      this.value();
    }
    this.i++;
    this.depth--;
  }

  /** serde's invalid-type error for the value at the current byte (peek_invalid_type). */
  invalidType(expected: string): SerdeError {
    const c = this.ws();
    let what: string;
    if (c === 0x6e) {
      this.i++;
      this.ident('ull');
      what = 'null';
    } else if (c === 0x74) {
      this.i++;
      this.ident('rue');
      what = 'boolean `true`';
    } else if (c === 0x66) {
      this.i++;
      this.ident('alse');
      what = 'boolean `false`';
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      what = unexpectedNumber(this.num());
    } else if (c === 0x22) {
      this.i++;
      what = `string ${rustDebugString(this.str())}`;
    } else if (c === 0x5b) what = 'sequence';
    else if (c === 0x7b) what = 'map';
    else throw this.peekError(3, 'expected value');
    return this.error(2, `invalid type: ${what}, expected ${expected}`);
  }
}

/** Parses one control message; throws SerdeError with serde_json's message. */
export function parseControl(text: string | Uint8Array): ControlRequest {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const p = new Parser(bytes);
  const c = p.ws();
  if (c === -1) throw p.peekError(3, 'EOF while parsing a value');
  if (c !== 0x7b) throw p.invalidType('struct Request');
  p.i++;
  let method: Method | undefined;
  let params: JsonValue[] | undefined;
  let paramsSeen = false;
  let id: JsonValue | undefined;
  let idSeen = false;
  let first = true;
  for (;;) {
    const key = p.key(first);
    if (key === null) break;
    first = false;
    if (key === 'method') {
      if (method !== undefined) {
        p.ws();
        throw p.error(2, 'duplicate field `method`');
      }
      p.colon();
      const v = p.ws();
      if (v === -1) throw p.peekError(3, 'EOF while parsing a value');
      if (v !== 0x22) throw p.peekError(3, 'expected value');
      p.i++;
      const name = p.str();
      if (!(METHODS as readonly string[]).includes(name)) {
        throw p.error(2, `unknown variant \`${name}\`, expected one of ${METHODS.map((m) => `\`${m}\``).join(', ')}`);
      }
      method = name as Method;
    } else if (key === 'params') {
      if (paramsSeen) {
        p.ws();
        throw p.error(2, 'duplicate field `params`');
      }
      paramsSeen = true;
      p.colon();
      const v = p.ws();
      if (v === 0x6e) p.value();
      else if (v === 0x5b) {
        p.i++;
        params = p.seq();
      } else if (v === -1) throw p.peekError(3, 'EOF while parsing a value');
      else throw p.invalidType('a sequence');
    } else if (key === 'id') {
      if (idSeen) {
        p.ws();
        throw p.error(2, 'duplicate field `id`');
      }
      idSeen = true;
      p.colon();
      id = p.value();
    } else {
      p.colon();
      p.value();
    }
  }
  p.i++; // '}'
  if (method === undefined) throw p.error(2, 'missing field `method`');
  if (p.ws() !== -1) throw p.peekError(3, 'trailing characters');
  return { method, params, id };
}
