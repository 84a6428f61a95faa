/**
 * Reading a config file (validated, with messages naming the file and the exact path of a bad
 * value) and merging defaults ← file ← command-line flags.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type BanPolicy } from '../limits/types.js';
import { whyUnreadable } from '../file-problem.js';
import {
  type SandboxConfig,
  type SimulatorSymbolConfig,
  type SimulatorConfig,
  type ConfigInput,
  defaultConfig,
  ConfigError,
} from './model.js';
import { type Json, fail, isObject, suggest } from './json-fields.js';
import { checkSors, FIELD_VALIDATORS, CONFIG_KEYS } from './sections.js';

/** Keys a config file may hold without meaning anything (for editors and humans). */
const IGNORED_KEYS = ['$schema', '$comment'];

/**
 * Validate a parsed config object. Throws a ConfigError "<source>: <path> <problem>" at the first
 * problem; returns only the fields the object sets.
 */
export function validateConfig(value: Json, source = 'config'): ConfigInput {
  try {
    if (!isObject(value)) fail('the top level', 'must be a JSON object', value);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (IGNORED_KEYS.includes(key)) continue;
      const validate = (FIELD_VALIDATORS as Record<string, ((p: string, v: Json) => unknown) | undefined>)[key];
      if (validate === undefined) {
        const hint = suggest(key, CONFIG_KEYS);
        throw new ConfigError(
          `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed keys: ${CONFIG_KEYS.join(', ')}`,
        );
      }
      out[key] = validate(key, v);
    }
    const ban = out['banPolicy'] as Partial<BanPolicy> | undefined;
    if (ban?.firstBanMs !== undefined && ban.maxBanMs !== undefined && ban.maxBanMs < ban.firstBanMs) {
      throw new ConfigError(
        `banPolicy.maxBanMs (${ban.maxBanMs}) must not be less than banPolicy.firstBanMs (${ban.firstBanMs})`,
      );
    }
    return out as ConfigInput;
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${source}: ${e.message}`);
    throw e;
  }
}

/** Where JSON.parse gives up: the length of the longest prefix of `text` that is still valid JSON so far. */
function jsonErrorOffset(text: string): number {
  const validPrefix = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return true;
    } catch (e) {
      const m = (e as Error).message;
      return m.includes('Unexpected end of JSON input') || m.includes(`at position ${k}`);
    }
  };
  if (validPrefix(text.length)) return text.length; // truncated
  let lo = 0; // valid
  let hi = text.length; // invalid
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (validPrefix(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** A one-line description of a JSON syntax error, with line and column. */
function jsonProblem(text: string, err: Error): string {
  const offset = jsonErrorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const v8 = (err.message.split('\n')[0] ?? '').replace(/ in JSON at position \d+.*$/, '');
  const what =
    offset >= text.trimEnd().length
      ? 'unexpected end of the file'
      : v8 === '' || v8.startsWith('Unexpected token') || v8.includes('is not valid JSON')
        ? `unexpected ${JSON.stringify(text[offset])}`
        : v8.charAt(0).toLowerCase() + v8.slice(1);
  return `not valid JSON: ${what} at line ${line}, column ${column}`;
}

/** Read and validate a JSON config file. Every problem is a one-line ConfigError naming the file. */
export function loadConfigFile(path: string): ConfigInput {
  const source = `config file ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${source}: cannot read it (${whyUnreadable(e)})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: Json;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: ${jsonProblem(text, e as Error)}`);
  }
  return replayPathsFrom(dirname(path), validateConfig(value, source));
}

/** The config with every relative simulator replay path made absolute against `dir`. */
function replayPathsFrom(dir: string, config: ConfigInput): ConfigInput {
  const symbols = config.simulator?.symbols;
  if (symbols === undefined) return config;
  const resolved = Object.fromEntries(
    Object.entries(symbols).map(([sym, entry]) => [
      sym,
      entry.replay === undefined ? entry : { ...entry, replay: resolve(dir, entry.replay) },
    ]),
  );
  return { ...config, simulator: { ...config.simulator, symbols: resolved } };
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (o === undefined) return out;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * The simulator section: fields merge like ws; `symbols` merges symbol by symbol and field by field.
 * A symbol a file or flag names must be one of the sandbox's symbols and end up with a startPrice
 * or a replay file; default entries for symbols the sandbox does not list are dropped.
 */
function resolveSimulator(base: SandboxConfig, file: Partial<ConfigInput>, cli: Partial<ConfigInput>): SimulatorConfig {
  const known = new Set((cli.symbols ?? file.symbols ?? base.symbols).map((s) => s.symbol));
  const given: Record<string, Partial<SimulatorSymbolConfig>>[] = [];
  for (const layer of [file.simulator?.symbols, cli.simulator?.symbols]) if (layer) given.push(layer);
  const symbols: Record<string, SimulatorSymbolConfig> = {};
  for (const [sym, entry] of Object.entries(base.simulator.symbols)) if (known.has(sym)) symbols[sym] = { ...entry };
  for (const layer of given) {
    for (const [sym, entry] of Object.entries(layer)) {
      if (!known.has(sym)) {
        const hint = suggest(sym, [...known]);
        throw new ConfigError(
          `simulator.symbols.${sym} is not a symbol of the sandbox${hint ? ` (did you mean "${hint}"?)` : ''}; symbols: ${[...known].join(', ')}`,
        );
      }
      const merged = { ...base.simulator.symbols[sym], ...symbols[sym], ...definedOnly(entry) };
      if (merged.startPrice === undefined && merged.replay === undefined)
        throw new ConfigError(
          `simulator.symbols.${sym}.startPrice is required (${sym} has no default price), or a replay file`,
        );
      symbols[sym] = {
        ...(merged.startPrice !== undefined && { startPrice: merged.startPrice }),
        volatility: merged.volatility ?? 0.03,
        ...(merged.replay !== undefined && { replay: merged.replay }),
      };
    }
  }
  const { symbols: _f, ...fileRest } = file.simulator ?? {};
  const { symbols: _c, ...cliRest } = cli.simulator ?? {};
  return { ...base.simulator, ...definedOnly(fileRest), ...definedOnly(cliRest), symbols };
}

/**
 * The effective configuration: defaults, overridden by the config file, overridden by command-line
 * flags (undefined values are ignored). rateLimits, symbols and exchangeFilters replace the default
 * lists; banPolicy and waf merge field by field. Throws a ConfigError on a combination that cannot work.
 */
export function resolveConfig(fileConfig: ConfigInput = {}, cliFlags: ConfigInput = {}): SandboxConfig {
  const base = defaultConfig();
  const file = definedOnly(fileConfig);
  const cli = definedOnly(cliFlags);
  const config: SandboxConfig = {
    ...base,
    ...file,
    ...cli,
    banPolicy: { ...base.banPolicy, ...definedOnly(file.banPolicy), ...definedOnly(cli.banPolicy) },
    waf: { ...base.waf, ...definedOnly(file.waf), ...definedOnly(cli.waf) },
    ws: { ...base.ws, ...definedOnly(file.ws), ...definedOnly(cli.ws) },
    simulator: resolveSimulator(base, file, cli),
  };
  const known = config.symbols.map((s) => s.symbol);
  for (const sym of Object.keys(config.executionRules)) {
    if (!known.includes(sym)) {
      const hint = suggest(sym, known);
      throw new ConfigError(
        `executionRules.${sym} is not a symbol of the sandbox${hint ? ` (did you mean "${hint}"?)` : ''}; symbols: ${known.join(', ')}`,
      );
    }
  }
  checkSors(config);
  if (config.banPolicy.maxBanMs < config.banPolicy.firstBanMs) {
    throw new ConfigError(
      `banPolicy.maxBanMs (${config.banPolicy.maxBanMs}) must not be less than banPolicy.firstBanMs (${config.banPolicy.firstBanMs})`,
    );
  }
  return config;
}
