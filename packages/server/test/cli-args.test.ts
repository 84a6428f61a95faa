import { describe, expect, it } from 'vitest';
import { describeStartupError, helpText, parseCliArgs, usageErrorLine } from '../src/cli-args.js';
import { ConfigError } from '../src/config.js';

const parse = (line: string) => parseCliArgs(line === '' ? [] : line.split(' '));
const errorOf = (line: string): string => {
  const cmd = parse(line);
  if (cmd.kind !== 'error') throw new Error(`expected an error for "${line}", got ${JSON.stringify(cmd)}`);
  expect(cmd.message).not.toContain('\n');
  return cmd.message;
};

describe('parseCliArgs: serve', () => {
  it('serve with no flags', () => {
    expect(parse('serve')).toEqual({ kind: 'serve', configFile: null, flags: {} });
  });

  it('every flag, space- or =-separated', () => {
    expect(
      parseCliArgs([
        'serve',
        '--host',
        '0.0.0.0',
        '--port=0',
        '--seed',
        'demo',
        '--config',
        'cfg.json',
        '--data-dir=/var/lib/bsbx',
        '--snapshot-every',
        '5000',
        '--keep-journal',
        '--redis',
        'redis://127.0.0.1:6379/1',
        '--trust-proxy',
        '--admin-token',
        's3cret',
        '--log-level',
        'debug',
      ]),
    ).toEqual({
      kind: 'serve',
      configFile: 'cfg.json',
      flags: {
        host: '0.0.0.0',
        port: 0,
        seed: 'demo',
        dataDir: '/var/lib/bsbx',
        snapshotEvery: 5000,
        keepJournal: true,
        redisUrl: 'redis://127.0.0.1:6379/1',
        trustProxy: true,
        adminToken: 's3cret',
        logLevel: 'debug',
      },
    });
  });

  it('--keep-journal takes no value', () => {
    expect(errorOf('serve --keep-journal=yes')).toBe('option --keep-journal takes no value (got "yes")');
  });

  it('flags may come before the command', () => {
    expect(parse('--port 9000 serve')).toEqual({ kind: 'serve', configFile: null, flags: { port: 9000 } });
  });

  it('the last of a repeated flag wins', () => {
    expect(parse('serve --port 1 --port 2')).toMatchObject({ flags: { port: 2 } });
  });

  it('IPv6 hosts, bracketed or not', () => {
    expect(parse('serve --host ::1')).toMatchObject({ flags: { host: '::1' } });
    expect(parse('serve --host [::1]')).toMatchObject({ flags: { host: '::1' } });
  });

  it('--no-trust-proxy overrides a config file', () => {
    expect(parse('serve --no-trust-proxy')).toMatchObject({ flags: { trustProxy: false } });
    expect(errorOf('serve --trust-proxy --no-trust-proxy')).toBe(
      '--trust-proxy and --no-trust-proxy contradict each other',
    );
  });

  it('rediss:// is accepted too', () => {
    expect(parse('serve --redis rediss://user:pw@redis.example:6380')).toMatchObject({
      flags: { redisUrl: 'rediss://user:pw@redis.example:6380' },
    });
  });

  it('a value may start with a dash when written with =', () => {
    expect(parse('serve --seed=-x')).toMatchObject({ flags: { seed: '-x' } });
  });
});

describe('parseCliArgs: help and version', () => {
  it.each([
    '--help',
    '-h',
    'help',
    'serve --help',
    'serve -h',
    'help serve',
    'serve --port 1 --help',
    'serve --bogus --help',
    '--version --help',
  ])('%s → help', (line) => {
    expect(parse(line)).toEqual({ kind: 'help' });
  });

  it.each(['--version', 'version', 'serve --version'])('%s → version', (line) => {
    expect(parse(line)).toEqual({ kind: 'version' });
  });

  it('the help documents every flag, the defaults and examples', () => {
    const text = helpText();
    for (const flag of [
      '--host',
      '--port',
      '--seed',
      '--config',
      '--data-dir',
      '--snapshot-every',
      '--keep-journal',
      '--redis',
      '--trust-proxy',
      '--no-trust-proxy',
      '--admin-token',
      '--log-level',
      '--help',
      '-h',
      '--version',
    ]) {
      expect(text).toContain(flag);
    }
    for (const dflt of [
      'default 127.0.0.1',
      'default 8090',
      'default "binance-sandbox"',
      'default warn',
      'silent, error, warn, info, debug',
    ]) {
      expect(text).toContain(dflt);
    }
    expect(text).toContain('Examples:');
    expect(text).toContain('binance-sandbox serve --port 0');
    expect(text).toContain('binance-sandbox listening on http://HOST:PORT');
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });
});

describe('parseCliArgs: usage errors', () => {
  it.each([
    ['', "missing the command; to start the sandbox run 'binance-sandbox serve'"],
    ['--port 1', "missing the command: write 'binance-sandbox serve --port 1'"],
    ['start', 'unknown command "start"'],
    ['serv', 'unknown command "serv" (did you mean "serve"?)'],
    ['serve extra', `unexpected argument "extra" after 'serve'`],
    ['version --port 1', "'version' takes no options"],
    ['serve --bogus', 'unknown option --bogus'],
    ['serve --prot 1', 'unknown option --prot (did you mean --port?)'],
    ['serve --trust-prox', 'unknown option --trust-prox (did you mean --trust-proxy?)'],
    ['serve -p 1', 'unknown option -p'],
    ['serve --port', 'option --port needs a value'],
    [
      'serve --port --host x',
      `option --port needs a value (got "--host"; write --port=VALUE for a value starting with '-')`,
    ],
    ['serve --trust-proxy=yes', 'option --trust-proxy takes no value (got "yes")'],
    ['serve --port abc', '--port must be an integer from 0 to 65535 (got "abc")'],
    ['serve --port 65536', '--port must be an integer from 0 to 65535 (got "65536")'],
    ['serve --port -1', `option --port needs a value (got "-1"; write --port=VALUE for a value starting with '-')`],
    ['serve --port=-1', '--port must be an integer from 0 to 65535 (got "-1")'],
    ['serve --port 1.5', '--port must be an integer from 0 to 65535 (got "1.5")'],
    ['serve --port=', '--port must be an integer from 0 to 65535 (got "")'],
    ['serve --host=', '--host must not be empty'],
    ['serve --seed=', '--seed must not be empty'],
    ['serve --config=', '--config needs a file name'],
    ['serve --data-dir=', '--data-dir needs a directory'],
    ['serve --admin-token=', '--admin-token must not be empty'],
    [
      'serve --redis localhost:6379',
      '--redis must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379 (got "localhost:6379")',
    ],
    [
      'serve --redis http://x',
      '--redis must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379 (got "http://x")',
    ],
    ['serve --log-level loud', '--log-level must be one of silent, error, warn, info, debug (got "loud")'],
  ])('%j → %s', (line, message) => {
    expect(errorOf(line)).toBe(message);
  });

  it('formats one line with the hint', () => {
    expect(usageErrorLine('unknown option --bogus')).toBe(
      "binance-sandbox: unknown option --bogus (see 'binance-sandbox --help')",
    );
  });
});

describe('describeStartupError', () => {
  const cfg = { host: '127.0.0.1', port: 8090 };
  const sysErr = (code: string) => Object.assign(new Error(`listen ${code}: whatever 127.0.0.1:8090`), { code });

  it('explains the common listen failures in one line', () => {
    expect(describeStartupError(sysErr('EADDRINUSE'), cfg)).toBe(
      'cannot listen on 127.0.0.1:8090: the address is already in use (pick another --port, or --port 0 for a free one)',
    );
    expect(describeStartupError(sysErr('EACCES'), { host: '::1', port: 80 })).toBe(
      'cannot listen on [::1]:80: permission denied (ports below 1024 need privileges)',
    );
    expect(describeStartupError(sysErr('EADDRNOTAVAIL'), { host: '10.9.9.9', port: 1 })).toBe(
      'cannot listen on 10.9.9.9:1: 10.9.9.9 is not an address of this machine',
    );
    expect(describeStartupError(sysErr('ENOTFOUND'), { host: 'nohost', port: 1 })).toBe(
      'cannot listen on nohost:1: unknown host "nohost"',
    );
  });

  it('passes other messages through, first line only', () => {
    expect(
      describeStartupError(
        new Error('cannot reach Redis at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n    at x'),
        cfg,
      ),
    ).toBe('cannot reach Redis at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1');
    expect(describeStartupError(new Error('boom'), cfg)).toBe('cannot start: boom');
    expect(describeStartupError('weird', cfg)).toBe('cannot start: weird');
    expect(describeStartupError(null, cfg)).toBe('cannot start: null');
    expect(describeStartupError(new ConfigError('config file x: port must be …'), cfg)).toBe(
      'config file x: port must be …',
    );
  });
});

describe('parseCliArgs: simulator flags', () => {
  it('--no-simulator and --simulator', () => {
    expect(parse('serve --no-simulator')).toEqual({
      kind: 'serve',
      configFile: null,
      flags: { simulator: { enabled: false } },
    });
    expect(parse('serve --simulator')).toEqual({
      kind: 'serve',
      configFile: null,
      flags: { simulator: { enabled: true } },
    });
    expect(errorOf('serve --simulator --no-simulator')).toBe('--simulator and --no-simulator contradict each other');
    expect(errorOf('serve --no-simulator=1')).toBe('option --no-simulator takes no value (got "1")');
    expect(errorOf('serve --no-simulater')).toMatch(/^unknown option --no-simulater/);
  });

  it('--help documents them', () => {
    expect(helpText()).toContain('--no-simulator');
    expect(helpText()).toContain('--simulator turns it back on');
  });
});
