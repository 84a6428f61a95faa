/**
 * The web application firewall: a handful of cheap, configurable rules evaluated for every request
 * before routing. A request that breaks one is answered 403 (SPEC §1) by the transport; the WAF only
 * decides. Everything is compiled in createWaf(); check() does no regex compilation, no JSON work and,
 * for an ordinary request, at most one percent-decoding and one regex test per query string / body.
 */
import {
  compileIpRules,
  compileUserAgentRules,
  encodingProblem,
  formDecode,
  formDecodeOnce,
  looksLikeSqlInjection,
  sqlInjectionShape,
} from './rules.js';

export interface WafConfig {
  /** Master switch; false lets every request through. */
  readonly enabled: boolean;
  /** Longest request target (path + query, as received) in bytes. Binance caps URLs near 8 KB. (≤ 0 = unlimited, API only; config files need ≥ 1.) */
  readonly maxUrlBytes: number;
  /** Largest request body in bytes. (≤ 0 = unlimited, API only; config files need ≥ 1.) */
  readonly maxBodyBytes: number;
  /** Exact IPv4/IPv6 addresses and CIDR ranges ("10.0.0.0/8", "2001:db8::/32"). IPv4 rules also match IPv4-mapped IPv6 addresses. */
  readonly blockedIps: readonly string[];
  /** Case-insensitive regex sources tested against the User-Agent header (an absent header is tested as ""). */
  readonly blockedUserAgents: readonly string[];
  /** Refuse a '%' not followed by two hex digits, or escapes decoding to invalid UTF-8, in path, query or form body. */
  readonly blockMalformedEncoding: boolean;
  /** Refuse the classic SQL-injection shapes in decoded query/form-body names and values. */
  readonly blockSqlInjection: boolean;
}

export const DEFAULT_WAF_CONFIG: WafConfig = Object.freeze({
  enabled: true,
  maxUrlBytes: 8192,
  maxBodyBytes: 65536,
  blockedIps: Object.freeze([]) as readonly string[],
  blockedUserAgents: Object.freeze([]) as readonly string[],
  blockMalformedEncoding: true,
  blockSqlInjection: true,
});

/** Rule ids reported in WafVerdict.rule. */
export const WAF_RULES = [
  'blocked-ip',
  'url-too-long',
  'body-too-large',
  'blocked-user-agent',
  'malformed-encoding',
  'sql-injection',
] as const;
export type WafRule = (typeof WAF_RULES)[number];

export interface WafRequest {
  /** Client address as the limiter sees it (socket address, or X-Forwarded-For with trustProxy). */
  readonly ip: string;
  readonly method: string;
  /** Request target as received: path + '?' + query, still percent-encoded. */
  readonly url: string;
  readonly userAgent?: string;
  /** The body as text, when it has been read. Only form bodies are inspected for encoding/SQL (see contentType). */
  readonly rawBody?: string;
  /** Body size in bytes, when known (e.g. Content-Length before the body is read); else rawBody's UTF-8 length. */
  readonly bodyBytes?: number;
  /**
   * Content-Type of the body. Absent or application/x-www-form-urlencoded: the body is parsed like a
   * query string and inspected. Anything else (e.g. the admin API's JSON): only its size is checked.
   */
  readonly contentType?: string;
}

export interface WafVerdict {
  /** One of WAF_RULES for verdicts of check(); the transport may add its own (e.g. a body refused while being read). */
  readonly rule: string;
  readonly detail: string;
}

export interface Waf {
  readonly config: WafConfig;
  /** null = let the request through; a verdict = answer 403. Never throws. */
  check(req: WafRequest): WafVerdict | null;
}

function isFormBody(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === '') return true;
  return contentType.trimStart().toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Split a query/form string into its name and value parts (raw, still encoded). */
function* components(qs: string): Generator<[name: string, value: string]> {
  let start = 0;
  while (start <= qs.length) {
    let end = qs.indexOf('&', start);
    if (end === -1) end = qs.length;
    if (end > start) {
      const eq = qs.indexOf('=', start);
      if (eq === -1 || eq > end) yield [qs.slice(start, end), ''];
      else yield [qs.slice(start, eq), qs.slice(eq + 1, end)];
    }
    start = end + 1;
  }
}

function quote(s: string, max = 40): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

/**
 * Compile a WAF. `config` fields left out take DEFAULT_WAF_CONFIG's values. Throws an Error with a
 * clear message on an invalid IP rule or user-agent regex (config validation reports them earlier).
 */
export function createWaf(config: Partial<WafConfig> = {}): Waf {
  const cfg: WafConfig = Object.freeze({ ...DEFAULT_WAF_CONFIG, ...config });
  if (!cfg.enabled) return { config: cfg, check: () => null };

  const matchIp = compileIpRules(cfg.blockedIps);
  const hasIpRules = cfg.blockedIps.length > 0;
  const ua = compileUserAgentRules(cfg.blockedUserAgents);
  const maxUrl = cfg.maxUrlBytes > 0 ? cfg.maxUrlBytes : Infinity;
  const maxBody = cfg.maxBodyBytes > 0 ? cfg.maxBodyBytes : Infinity;
  const checkEncoding = cfg.blockMalformedEncoding;
  const checkSql = cfg.blockSqlInjection;

  /** Inspect one query string or form body; `where` names it in the verdict. */
  function inspectParams(qs: string, where: 'query' | 'body'): WafVerdict | null {
    if (qs.length === 0) return null;
    if (checkEncoding) {
      const problem = encodingProblem(qs);
      if (problem !== null) return { rule: 'malformed-encoding', detail: `${where}: ${problem}` };
    }
    if (!checkSql) return null;
    // Fast path: one decode of the whole string and one regex test. Parameter boundaries ('&', '=')
    // are non-word characters, so a shape inside one parameter is found in the whole string too.
    const whole = formDecodeOnce(qs);
    if (whole !== null && whole.indexOf('%') === -1 && !looksLikeSqlInjection(whole)) return null;
    // Slow path (something looked suspicious, a value still holds a '%' after decoding, i.e. maybe a
    // double encoding, or the encoding is malformed and allowed): look at each parameter, decoded
    // twice where needed, so that the verdict names it and shapes spanning two parameters do not count.
    for (const [rawName, rawValue] of components(qs)) {
      for (const [part, raw] of [
        ['name', rawName],
        ['value', rawValue],
      ] as const) {
        const text = formDecode(raw) ?? raw.replace(/\+/g, ' ');
        if (!looksLikeSqlInjection(text)) continue;
        const name = formDecode(rawName) ?? rawName;
        const shape = sqlInjectionShape(text) ?? 'SQL syntax';
        return {
          rule: 'sql-injection',
          detail: `${where} parameter ${quote(name)}${part === 'name' ? ' (its name)' : ''} looks like SQL injection: ${shape}`,
        };
      }
    }
    return null;
  }

  function check(req: WafRequest): WafVerdict | null {
    if (hasIpRules) {
      const hit = matchIp(req.ip);
      if (hit !== null) return { rule: 'blocked-ip', detail: `IP ${req.ip} is blocked by rule ${quote(hit.source)}` };
    }

    const url = req.url;
    // Node hands the request line over as one char per byte, but measure honestly when in doubt.
    if (url.length > maxUrl / 3) {
      const bytes = Buffer.byteLength(url, 'utf8');
      if (bytes > maxUrl)
        return { rule: 'url-too-long', detail: `URL is ${bytes} bytes; the limit is ${cfg.maxUrlBytes}` };
    }

    const body = req.rawBody;
    if (maxBody !== Infinity) {
      const bodyBytes =
        req.bodyBytes ??
        (body === undefined ? 0 : body.length > maxBody / 3 ? Buffer.byteLength(body, 'utf8') : body.length);
      if (bodyBytes > maxBody)
        return { rule: 'body-too-large', detail: `body is ${bodyBytes} bytes; the limit is ${cfg.maxBodyBytes}` };
    }

    if (ua !== null) {
      const agent = req.userAgent ?? '';
      if (ua.any.test(agent)) {
        const which = ua.each.find((re) => re.test(agent));
        return {
          rule: 'blocked-user-agent',
          detail: `User-Agent ${quote(agent)} matches blocked pattern ${quote(which?.source ?? '?')}`,
        };
      }
    }

    if (!checkEncoding && !checkSql) return null;

    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (checkEncoding) {
      const problem = encodingProblem(path);
      if (problem !== null) return { rule: 'malformed-encoding', detail: `path: ${problem}` };
    }
    if (q !== -1) {
      const hash = url.indexOf('#', q);
      const verdict = inspectParams(hash === -1 ? url.slice(q + 1) : url.slice(q + 1, hash), 'query');
      if (verdict !== null) return verdict;
    }
    if (body !== undefined && body.length > 0 && isFormBody(req.contentType)) {
      const verdict = inspectParams(body, 'body');
      if (verdict !== null) return verdict;
    }
    return null;
  }

  return { config: cfg, check };
}
