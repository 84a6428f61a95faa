#!/usr/bin/env node
/**
 * The `binance-sandbox` executable. Usage errors: one line on stderr, exit 2. Startup errors (bad
 * config file, port in use, Redis unreachable): one line on stderr, exit 1. SIGINT/SIGTERM: close
 * gracefully and exit 0; a second signal, or a close that hangs, exits 1. A journal that fails to
 * write (disk full, I/O error): the sandbox stops by itself, one line on stderr, exit 3.
 */
import { readFileSync } from 'node:fs';
import { describeStartupError, firstLine, helpText, parseCliArgs, PROGRAM, usageErrorLine } from './cli-args.js';
import { loadConfigFile, resolveConfig, type SandboxConfig } from './config.js';
import { startSandbox } from './sandbox.js';

/** Longest a graceful shutdown may take before the process gives up and exits 1. */
const CLOSE_TIMEOUT_MS = 10_000;

function version(): string {
  try {
    // src/cli.ts and dist/cli.js both sit one level below the package root.
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function serve(configFile: string | null, flags: Parameters<typeof resolveConfig>[1]): Promise<void> {
  let config: SandboxConfig;
  try {
    config = resolveConfig(configFile === null ? {} : loadConfigFile(configFile), flags);
  } catch (err) {
    process.stderr.write(`${PROGRAM}: ${firstLine(err instanceof Error ? err.message : String(err))}\n`);
    process.exit(1);
  }

  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox(config);
  } catch (err) {
    process.stderr.write(`${PROGRAM}: ${describeStartupError(err, config)}\n`);
    if (config.logLevel === 'debug' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  }
  process.stdout.write(`${PROGRAM} listening on ${sandbox.url}\n`);

  let closing = false;
  /** Closes the sandbox (at most CLOSE_TIMEOUT_MS), then exits with `code` (1 if the close failed). */
  const stop = (code: number) => {
    closing = true;
    const timer = setTimeout(() => {
      process.stderr.write(`${PROGRAM}: shutdown took longer than ${CLOSE_TIMEOUT_MS / 1000} s, exiting\n`);
      process.exit(1);
    }, CLOSE_TIMEOUT_MS);
    timer.unref();
    sandbox.close().then(
      () => process.exit(code),
      (err: unknown) => {
        process.stderr.write(
          `${PROGRAM}: error while shutting down: ${firstLine(err instanceof Error ? err.message : String(err))}\n`,
        );
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      process.stderr.write(`${PROGRAM}: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    stop(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  void sandbox.failed.then((failure) => {
    process.stderr.write(
      `${PROGRAM}: ${firstLine(failure.message)}; stopping (every acknowledged command is in ${config.dataDir ?? 'the data dir'}: fix the disk and start again to recover them)\n`,
    );
    if (!closing) stop(3);
  });
}

async function main(argv: readonly string[]): Promise<void> {
  const cmd = parseCliArgs(argv);
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(helpText());
      return;
    case 'version':
      process.stdout.write(`${version()}\n`);
      return;
    case 'error':
      process.stderr.write(`${usageErrorLine(cmd.message)}\n`);
      process.exitCode = 2;
      return;
    case 'serve':
      await serve(cmd.configFile, cmd.flags);
      return;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${PROGRAM}: ${firstLine(err instanceof Error ? err.message : String(err))}\n`);
  process.exit(1);
});
