import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** The built CLI (npm test builds first; child processes run compiled JS like a user would). */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcessWithoutNullStreams;
  /** Its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** What it wrote so far. */
  output(): { readonly stdout: string; readonly stderr: string };
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ServerProcessOptions {
  /** RLIMIT_FSIZE of the process in KiB (bash's `ulimit -f`): writes past it fail with EFBIG, as on a full disk. */
  readonly fileSizeLimitKiB?: number;
  readonly timeoutMs?: number;
}

/** Starts `binance-sandbox serve …` and waits for its "listening on" line. */
export function startServerProcess(args: string[], opts: ServerProcessOptions = {}): Promise<ServerProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const argv = [CLI, 'serve', '--port', '0', '--no-simulator', ...args];
  const limit = opts.fileSizeLimitKiB;
  const child =
    limit === undefined
      ? spawn(process.execPath, argv, { stdio: 'pipe' })
      : spawn('bash', ['-c', `ulimit -f ${limit} && exec "$0" "$@"`, process.execPath, ...argv], { stdio: 'pipe' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms; stdout: ${out} stderr: ${err}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          child,
          exited,
          output: () => ({ stdout: out, stderr: err }),
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}; stdout: ${out} stderr: ${err}`));
    });
  });
}

/**
 * Server processes and temporary data dirs of one test file: whatever a test left running is
 * SIGKILLed and its dirs removed after each test. Call at the top level of the file.
 */
export function serverProcessesOfTest(): {
  start(args: string[], opts?: ServerProcessOptions): Promise<ServerProcess>;
  tempDir(prefix: string): string;
} {
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0))
      if (s.child.exitCode === null && s.child.signalCode === null) await s.stop('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    async start(args, opts) {
      const s = await startServerProcess(args, opts);
      servers.push(s);
      return s;
    },
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
  };
}
