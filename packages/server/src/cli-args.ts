/**
 * Command-line parsing for `binance-sandbox`, separate from the executable so that it can be
 * unit-tested. Never throws and never prints: it returns what to do, or a one-line error.
 */
import { parseArgs } from 'node:util';
import {
  ConfigError,
  DEFAULT_PORT,
  DEFAULT_SNAPSHOT_EVERY,
  LOG_LEVELS,
  suggest,
  type ConfigInput,
  type LogLevel,
  type SandboxConfig,
} from './config.js';

export const PROGRAM = 'binance-sandbox';

export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  /** Start the sandbox: flags override the config file (`configFile`), which overrides the defaults. */
  | { readonly kind: 'serve'; readonly configFile: string | null; readonly flags: ConfigInput }
  /** A usage error: print usageErrorLine(message) on stderr and exit 2. */
  | { readonly kind: 'error'; readonly message: string };

/** Options of `serve`, as parseArgs declares them. */
const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  seed: { type: 'string' },
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  'snapshot-every': { type: 'string' },
  'keep-journal': { type: 'boolean' },
  redis: { type: 'string' },
  'trust-proxy': { type: 'boolean' },
  'no-trust-proxy': { type: 'boolean' },
  'admin-token': { type: 'string' },
  'log-level': { type: 'string' },
  simulator: { type: 'boolean' },
  'no-simulator': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;
type OptionName = keyof typeof OPTIONS;
const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[];

const COMMANDS = ['serve', 'help', 'version'] as const;

export function helpText(): string {
  return `${PROGRAM} — a Binance-compatible Spot exchange sandbox

Usage:
  ${PROGRAM} serve [options]     start the sandbox (what \`npm start\` runs)
  ${PROGRAM} help                show this help (also --help, -h)
  ${PROGRAM} version             print the version (also --version)

Options of serve:
  --host HOST           interface to listen on (default 127.0.0.1; 0.0.0.0 or :: for every
                        interface — then protect the admin API with --admin-token)
  --port PORT           TCP port, 0 = pick a free one (default ${DEFAULT_PORT}); the real port is printed
  --seed SEED           seed of every random choice: the same seed replays the same sandbox
                        (default "binance-sandbox")
  --config FILE         JSON config file: rateLimits (replace the table), banPolicy and waf
                        (merged field by field), symbols, exchangeFilters, assetFilters,
                        executionRules, sors, recvWindowMax, redisKeyPrefix and any setting
                        below; flags override the file
  --data-dir DIR        where the journal is kept (default: none, state lives in memory)
  --snapshot-every N    with --data-dir: snapshot the state every N journal records and on
                        shutdown, so a restart replays only what follows (default ${DEFAULT_SNAPSHOT_EVERY};
                        0 = on shutdown only)
  --keep-journal        with --data-dir: keep every journal segment (default: after each snapshot,
                        delete the segments that the two snapshots kept cover entirely)
  --redis URL           share limits and bans through Redis, e.g. redis://127.0.0.1:6379
                        (default: in memory, this process only)
  --trust-proxy         take the client IP from X-Forwarded-For (only behind your own proxy;
                        default off: the socket address); --no-trust-proxy undoes a config file
  --admin-token TOKEN   token the admin API /sandbox/v1 requires (Authorization: Bearer TOKEN)
                        from non-loopback clients (default: none, admin API on loopback only)
  --log-level LEVEL     ${LOG_LEVELS.join(', ')} (default warn)
  --no-simulator        no simulated market makers and takers: books stay empty until you trade
                        (default: the simulator keeps every default market quoting and trading);
                        --simulator turns it back on when a config file turned it off
  -h, --help            show this help
  --version             print the version

On start one line goes to stdout: "${PROGRAM} listening on http://HOST:PORT".
Ctrl-C or SIGTERM shuts down cleanly (a second one forces exit). Exit codes: 0 after a clean
shutdown, 1 when the sandbox cannot start (port in use, bad config file, Redis unreachable),
2 on a command-line error, 3 when the journal could not be written (disk full, I/O error: the
sandbox stops by itself; a restart recovers every command it acknowledged).

Examples:
  ${PROGRAM} serve
  ${PROGRAM} serve --port 0 --seed demo-1
  ${PROGRAM} serve --no-simulator
  ${PROGRAM} serve --host 0.0.0.0 --port 9000 --admin-token s3cret
  ${PROGRAM} serve --config sandbox.json --redis redis://127.0.0.1:6379
  npm start -- --port 0 --log-level debug
`;
}

/** The line a usage error prints on stderr (one line, with the hint). */
export function usageErrorLine(message: string): string {
  return `${PROGRAM}: ${message} (see '${PROGRAM} --help')`;
}

function parsePort(raw: string): number | string {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535)
    return `--port must be an integer from 0 to 65535 (got ${JSON.stringify(raw)})`;
  return Number(raw);
}

function parseRedisUrl(raw: string): string | null {
  try {
    const url = new URL(raw);
    if (url.protocol === 'redis:' || url.protocol === 'rediss:') return null;
  } catch {
    // fall through
  }
  return `--redis must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379 (got ${JSON.stringify(raw)})`;
}

/** Parse `argv` (without node and the script path). */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let tokens;
  try {
    ({ tokens } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      strict: false,
      allowPositionals: true,
      tokens: true,
    }));
  } catch (e) {
    return { kind: 'error', message: (e as Error).message.split('\n')[0] ?? 'cannot parse the command line' };
  }

  const positionals: string[] = [];
  const values = new Map<OptionName, string | true>();
  let help = false;
  let version = false;
  let error: string | null = null;

  // Scan everything (the first error is kept) so that --help anywhere still shows the help.
  for (const t of tokens) {
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind === 'option-terminator') continue;
    const name = t.name as OptionName;
    if (!OPTION_NAMES.includes(name)) {
      const longs = OPTION_NAMES.filter((n) => n !== 'no-trust-proxy' && n !== 'no-simulator');
      const hint = t.rawName.startsWith('--') ? suggest(t.name, longs) : '';
      error ??= `unknown option ${t.rawName}${hint ? ` (did you mean --${hint}?)` : ''}`;
      continue;
    }
    const spec = OPTIONS[name];
    if (spec.type === 'boolean') {
      if (t.inlineValue) error ??= `option ${t.rawName} takes no value (got ${JSON.stringify(t.value)})`;
      else if (name === 'help') help = true;
      else if (name === 'version') version = true;
      else values.set(name, true);
      continue;
    }
    // A string option: parseArgs (non-strict) takes the next argument as the value even when it is
    // another option; refuse that, as well as a missing value.
    if (t.value === undefined || (!t.inlineValue && t.value.startsWith('-') && t.value !== '-')) {
      error ??= `option ${t.rawName} needs a value${t.value !== undefined ? ` (got ${JSON.stringify(t.value)}; write ${t.rawName}=VALUE for a value starting with '-')` : ''}`;
      // The swallowed argument may be an option in its own right (--port --help).
      if (t.value === '--help' || t.value === '-h') help = true;
      continue;
    }
    values.set(name, t.value);
  }

  // --help anywhere wins: `serve --bogus --help` shows the help.
  if (help) return { kind: 'help' };
  if (error !== null) return { kind: 'error', message: error };
  if (version) return { kind: 'version' };

  const [command, ...rest] = positionals;
  if (command === undefined) {
    if (values.size > 0)
      return { kind: 'error', message: `missing the command: write '${PROGRAM} serve ${argv.join(' ')}'` };
    return { kind: 'error', message: `missing the command; to start the sandbox run '${PROGRAM} serve'` };
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    const hint = suggest(command, COMMANDS);
    return {
      kind: 'error',
      message: `unknown command ${JSON.stringify(command)}${hint ? ` (did you mean "${hint}"?)` : ''}`,
    };
  }
  if (command === 'help') return { kind: 'help' };
  if (rest.length > 0)
    return { kind: 'error', message: `unexpected argument ${JSON.stringify(rest[0])} after '${command}'` };
  if (command === 'version') {
    if (values.size > 0) return { kind: 'error', message: `'version' takes no options` };
    return { kind: 'version' };
  }

  // serve
  const flags: ConfigInput = {};
  let configFile: string | null = null;
  for (const [name, value] of values) {
    const v = value === true ? '' : value;
    switch (name) {
      case 'host': {
        const host = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
        if (host === '') return { kind: 'error', message: '--host must not be empty' };
        flags.host = host;
        break;
      }
      case 'port': {
        const port = parsePort(v);
        if (typeof port === 'string') return { kind: 'error', message: port };
        flags.port = port;
        break;
      }
      case 'seed':
        if (v === '') return { kind: 'error', message: '--seed must not be empty' };
        flags.seed = v;
        break;
      case 'config':
        if (v === '') return { kind: 'error', message: '--config needs a file name' };
        configFile = v;
        break;
      case 'data-dir':
        if (v === '') return { kind: 'error', message: '--data-dir needs a directory' };
        flags.dataDir = v;
        break;
      case 'snapshot-every':
        if (!/^\d{1,15}$/.test(v))
          return {
            kind: 'error',
            message: `--snapshot-every must be a non-negative integer (got ${JSON.stringify(v)})`,
          };
        flags.snapshotEvery = Number(v);
        break;
      case 'keep-journal':
        flags.keepJournal = true;
        break;
      case 'redis': {
        const problem = parseRedisUrl(v);
        if (problem !== null) return { kind: 'error', message: problem };
        flags.redisUrl = v;
        break;
      }
      case 'trust-proxy':
        if (values.has('no-trust-proxy'))
          return { kind: 'error', message: '--trust-proxy and --no-trust-proxy contradict each other' };
        flags.trustProxy = true;
        break;
      case 'no-trust-proxy':
        flags.trustProxy = false;
        break;
      case 'admin-token':
        if (v === '') return { kind: 'error', message: '--admin-token must not be empty' };
        flags.adminToken = v;
        break;
      case 'simulator':
        if (values.has('no-simulator'))
          return { kind: 'error', message: '--simulator and --no-simulator contradict each other' };
        flags.simulator = { enabled: true };
        break;
      case 'no-simulator':
        flags.simulator = { enabled: false };
        break;
      case 'log-level': {
        if (!(LOG_LEVELS as readonly string[]).includes(v)) {
          return {
            kind: 'error',
            message: `--log-level must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(v)})`,
          };
        }
        flags.logLevel = v as LogLevel;
        break;
      }
      default:
        break;
    }
  }
  return { kind: 'serve', configFile, flags };
}

export function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/** One line saying why the sandbox could not start. */
export function describeStartupError(err: unknown, config: Pick<SandboxConfig, 'host' | 'port'>): string {
  if (err instanceof ConfigError) return err.message;
  const code = typeof err === 'object' && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
  const where = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the address is already in use (pick another --port, or --port 0 for a free one)`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${config.host} is not an address of this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${where}: unknown host ${JSON.stringify(config.host)}`;
    default:
      break;
  }
  const message = firstLine(err instanceof Error ? err.message : String(err)) || 'unknown error';
  return /^cannot /i.test(message) ? message : `cannot start: ${message}`;
}
