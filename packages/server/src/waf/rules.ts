/**
 * Building blocks of the WAF: IP/CIDR matching and the SQL-injection shapes. Everything here is
 * compiled once, when the WAF is created; the per-request functions allocate little and never throw.
 */

// ---------------------------------------------------------------------------------------------
// IP addresses and CIDR ranges
// ---------------------------------------------------------------------------------------------

/**
 * An address as four big-endian 32-bit words of an IPv6 address. IPv4 addresses are stored in their
 * IPv4-mapped form (::ffff:a.b.c.d), so "10.0.0.0/8" also matches a socket address reported as
 * "::ffff:10.1.2.3" and "::/0" matches every address.
 */
export type IpWords = readonly [number, number, number, number];

export interface IpRule {
  /** The rule as written in the configuration. */
  readonly source: string;
  readonly words: IpWords;
  /** Prefix length over the 128-bit form (an IPv4 /8 is stored as /104). */
  readonly prefix: number;
}

const IPV4_RE =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX16_RE = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(s: string): number | null {
  const m = IPV4_RE.exec(s);
  if (m === null) return null;
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}

function parseIpv6(input: string): IpWords | null {
  let s = input;
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s.length < 2 || s.length > 45) return null;

  // A trailing dotted IPv4 part stands for the last two groups.
  let tailV4: number | null = null;
  const lastColon = s.lastIndexOf(':');
  if (lastColon === -1) return null;
  if (s.indexOf('.', lastColon) !== -1) {
    tailV4 = parseIpv4(s.slice(lastColon + 1));
    if (tailV4 === null) return null;
    s = s.slice(0, lastColon + 1) + '0:0';
  }

  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const explicit = head.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const groups: string[] = [...head, ...new Array<string>(8 - explicit).fill('0'), ...tail];
  const g: number[] = [];
  for (const part of groups) {
    if (!HEX16_RE.test(part)) return null;
    g.push(parseInt(part, 16));
  }
  const w: [number, number, number, number] = [
    ((g[0]! << 16) | g[1]!) >>> 0,
    ((g[2]! << 16) | g[3]!) >>> 0,
    ((g[4]! << 16) | g[5]!) >>> 0,
    ((g[6]! << 16) | g[7]!) >>> 0,
  ];
  if (tailV4 !== null) w[3] = tailV4;
  return w;
}

/** Parse an IPv4 or IPv6 address (zone ids and brackets tolerated); null when it is not one. */
export function parseIp(s: string): IpWords | null {
  if (s.indexOf(':') === -1) {
    const v4 = parseIpv4(s);
    return v4 === null ? null : [0, 0, 0xffff, v4];
  }
  return parseIpv6(s);
}

/** Parse a blocked-IP rule: an exact address or a CIDR range. Throws a descriptive Error. */
export function parseIpRule(source: string): IpRule {
  const slash = source.indexOf('/');
  const addr = slash === -1 ? source : source.slice(0, slash);
  const words = parseIp(addr);
  if (words === null) throw new Error(`"${source}" is not an IPv4/IPv6 address or CIDR range`);
  const isV4 = addr.indexOf(':') === -1;
  const max = isV4 ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const p = source.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) {
      throw new Error(`"${source}": the prefix length must be an integer from 0 to ${max}`);
    }
    bits = Number(p);
  }
  return { source, words, prefix: isV4 ? 96 + bits : bits };
}

export function ipInRule(ip: IpWords, rule: IpRule): boolean {
  let remaining = rule.prefix;
  for (let i = 0; i < 4 && remaining > 0; i++, remaining -= 32) {
    const mask = remaining >= 32 ? 0xffffffff : (0xffffffff << (32 - remaining)) >>> 0;
    if (((ip[i]! ^ rule.words[i]!) & mask) >>> 0 !== 0) return false;
  }
  return true;
}

export function ipKey(w: IpWords): string {
  return `${w[0]}.${w[1]}.${w[2]}.${w[3]}`;
}

/**
 * A compiled blocked-IP list: exact addresses in a hash set, ranges scanned linearly (a config holds
 * a handful of ranges). Returns the rule that matched, or null.
 */
export function compileIpRules(sources: readonly string[]): (ip: string) => IpRule | null {
  if (sources.length === 0) return () => null;
  const exact = new Map<string, IpRule>();
  const ranges: IpRule[] = [];
  for (const src of sources) {
    const rule = parseIpRule(src.trim());
    if (rule.prefix === 128) exact.set(ipKey(rule.words), rule);
    else ranges.push(rule);
  }
  return (ip: string) => {
    const words = parseIp(ip);
    if (words === null) return null;
    if (exact.size > 0) {
      const hit = exact.get(ipKey(words));
      if (hit !== undefined) return hit;
    }
    for (const r of ranges) if (ipInRule(words, r)) return r;
    return null;
  };
}

// ---------------------------------------------------------------------------------------------
// User agents
// ---------------------------------------------------------------------------------------------

/** Compile case-insensitive regex sources; throws a descriptive Error naming the bad one. */
export function compileUserAgentRules(sources: readonly string[]): { any: RegExp; each: readonly RegExp[] } | null {
  if (sources.length === 0) return null;
  const each = sources.map((src) => {
    try {
      return new RegExp(src, 'i');
    } catch (e) {
      throw new Error(`"${src}" is not a valid regular expression (${(e as Error).message})`);
    }
  });
  return { any: new RegExp(sources.map((s) => `(?:${s})`).join('|'), 'i'), each };
}

// ---------------------------------------------------------------------------------------------
// Percent-encoding
// ---------------------------------------------------------------------------------------------

const BAD_ESCAPE_RE = /%(?![0-9A-Fa-f]{2})/;

/**
 * Why `s` is not valid percent-encoding, or null when it decodes to valid UTF-8. `plusIsSpace` is
 * irrelevant to validity, so it is not a parameter.
 */
export function encodingProblem(s: string): string | null {
  if (s.indexOf('%') === -1) return null;
  const bad = BAD_ESCAPE_RE.exec(s);
  if (bad !== null) {
    return `'%' not followed by two hex digits at offset ${bad.index} ("${s.slice(bad.index, bad.index + 3)}")`;
  }
  try {
    decodeURIComponent(s);
    return null;
  } catch {
    return 'percent-decodes to invalid UTF-8';
  }
}

/** Form/query decoding, one pass ('+' is a space); null when the escapes are malformed. */
export function formDecodeOnce(s: string): string | null {
  const plus = s.indexOf('+') === -1 ? s : s.replace(/\+/g, ' ');
  if (plus.indexOf('%') === -1) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    return null;
  }
}

/**
 * Form/query decoding of one value, with a second pass that unmasks double encoding (%2527 → %27 → ')
 * when the first pass left a '%' (ordinary values never contain one). null when the escapes are malformed.
 */
export function formDecode(s: string): string | null {
  const once = formDecodeOnce(s);
  if (once === null || once.indexOf('%') === -1) return once;
  try {
    return decodeURIComponent(once);
  } catch {
    return once;
  }
}

// ---------------------------------------------------------------------------------------------
// SQL injection
// ---------------------------------------------------------------------------------------------

/**
 * The classic injection shapes, matched case-insensitively against percent-decoded query and form
 * values. Each needs a character or word sequence that no Binance parameter value contains: a quote
 * followed by whitespace and a boolean operator, whitespace between SQL keywords, a ';' before a
 * statement, a comment opener right after a quote, a complete inline comment, or a SQL function call.
 * Symbols, JSON symbol arrays (["BTCUSDT","ORDIUSDT"]), hex and base64 signatures, client order ids
 * (`^[.A-Z:/a-z0-9_-]{1,36}$`, so "x--y" is fine) and decimals never match.
 */
export const SQL_INJECTION_PATTERNS: readonly { readonly name: string; readonly re: RegExp }[] = [
  // ' OR 1=1   " or ""="   1') AND ('a'='a   admin' || 'x
  { name: 'quote followed by a boolean operator', re: /['"`][\s)]*(?:(?:or|and|xor)\s|\|\||&&)[\s(]*[\w'"`@]/i },
  // 1 OR 1=1   x AND 'a'='a   1 or true
  {
    name: 'boolean tautology',
    re: /\b(?:or|and|xor)\s[\s(]*(?:['"`]?\w+['"`]?\s*(?:=|<>|!=|<|>|like\b|is\b)|true\b|false\b|not\s)/i,
  },
  // UNION SELECT, UNION ALL SELECT, union/**/select, union(select …)
  { name: 'UNION SELECT', re: /\bunion(?:\s|\/\*|\*\/|\()+(?:(?:all|distinct)(?:\s|\/\*|\*\/)+)?select\b/i },
  // ; DROP TABLE   ; DELETE FROM   ; SHUTDOWN
  {
    name: 'stacked statement',
    re: /;\s*(?:(?:drop|alter|create|truncate|rename)\s+(?:table|database|schema|index|view|user|procedure|function)\b|delete\s+from\b|insert\s+into\b|update\s+\S+\s+set\b|select\s|exec(?:ute)?\s|shutdown\b|declare\s+@|grant\s|revoke\s)/i,
  },
  // admin'--   x' -- y   x'#   (a "--" must end the value or be followed by a space, so that a JSON
  // array element such as "--X" passes; '&' and '=' count as an end for the whole-query fast path)
  { name: 'comment after a quote', re: /['"`][\s)]*(?:--(?=[\s&=]|$)|#)/ },
  // /* … */ and MySQL's executable /*! … */: no Binance value contains "/*"
  { name: 'inline comment', re: /\/\*/ },
  // SELECT … FROM, INSERT INTO … VALUES, DROP TABLE (whitespace between keywords: never in a Binance value)
  {
    name: 'SQL statement',
    re: /\bselect\s[^;]{0,120}?\sfrom\s|\binsert\s+into\s[^;]{0,120}?\bvalues\s*\(|\b(?:drop|truncate)\s+(?:table|database)\s/i,
  },
  // time-based blind injection, file access, well-known system objects
  {
    name: 'SQL function or system object',
    re: /\b(?:sleep|benchmark|pg_sleep|load_file|extractvalue|updatexml)\s*\(|\bwaitfor\s+delay\b|\binto\s+(?:out|dump)file\b|\binformation_schema\b|\bxp_cmdshell\b|@@version\b/i,
  },
];

const SQL_ANY_RE = new RegExp(SQL_INJECTION_PATTERNS.map((p) => `(?:${p.re.source})`).join('|'), 'i');

/**
 * Every shape above needs one of these characters: a quote, whitespace, ';', '/', '(', '@' or '_'
 * (information_schema, xp_cmdshell). Text without any cannot match, and this one-class scan is
 * about 5× cheaper than the full alternation on an ordinary order's query string.
 */
const SQL_NEEDS_ONE_OF_RE = /[\s'"`;/(@_]/;

/** True when the (decoded) text contains one of the shapes; cheap on ordinary values. */
export function looksLikeSqlInjection(text: string): boolean {
  return SQL_NEEDS_ONE_OF_RE.test(text) && SQL_ANY_RE.test(text);
}

/** The name of the first shape found in `text`, or null. */
export function sqlInjectionShape(text: string): string | null {
  for (const p of SQL_INJECTION_PATTERNS) if (p.re.test(text)) return p.name;
  return null;
}
