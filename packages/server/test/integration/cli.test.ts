import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAgents, request } from '../helpers/http.js';
import { CLI, startServerProcess } from '../helpers/process.js';

afterAll(closeAgents);

describe('binance-sandbox CLI', () => {
  it('serve prints its URL, answers, and shuts down cleanly on SIGTERM', async () => {
    const server = await startServerProcess(['--log-level', 'error']);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await request(`${server.url}/api/v3/ping`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('{}');
    expect(await server.stop('SIGTERM')).toBe(0);
  });

  it('--help documents every flag', () => {
    const out = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    for (const flag of [
      '--host',
      '--port',
      '--seed',
      '--config',
      '--data-dir',
      '--redis',
      '--trust-proxy',
      '--admin-token',
    ]) {
      expect(out.stdout).toContain(flag);
    }
  });

  it('refuses unknown flags with a hint and exit code 2, without a stack trace', () => {
    const out = spawnSync(process.execPath, [CLI, 'serve', '--bogus'], { encoding: 'utf8' });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('--help');
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails clearly when Redis is unreachable', () => {
    const out = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--redis', 'redis://127.0.0.1:1'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/redis/i);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
