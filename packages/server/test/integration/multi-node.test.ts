import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAgents, request } from '../helpers/http.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bsbx-test-${randomBytes(4).toString('hex')}:`;
let nodes: ServerProcess[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsbx-'));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      // A daily window: no minute boundary can fall between two requests of the test.
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'DAY', intervalNum: 1, limit: 10 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
        { rateLimitType: 'RAW_REQUESTS', interval: 'DAY', intervalNum: 1, limit: 100000 },
      ],
      banPolicy: { rejectionsBeforeBan: 2 },
      redisKeyPrefix: prefix,
    }),
  );
  nodes = await Promise.all(
    [0, 1].map(() => startServerProcess(['--redis', REDIS_URL, '--config', config, '--log-level', 'error'])),
  );
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  closeAgents();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('two gateway processes on one Redis (like api1–api4)', () => {
  it('share weight, 429s and bans per IP', async () => {
    const [a, b] = nodes as [ServerProcess, ServerProcess];
    const ping = (n: ServerProcess) => request(`${n.url}/api/v3/ping`, { localAddress: '127.0.0.7' });
    expect((await ping(a)).headers['x-mbx-used-weight-1d']).toBe('1');
    expect((await ping(b)).headers['x-mbx-used-weight-1d']).toBe('2');
    for (let i = 3; i <= 10; i++) await ping(i % 2 ? a : b);
    const limitedOnA = await ping(a);
    expect(limitedOnA.status).toBe(429);
    expect(limitedOnA.headers['x-mbx-used-weight-1d']).toBe('11');
    expect((await ping(b)).status).toBe(429);
    // Two 429s earned the ban; both nodes enforce it.
    expect((await ping(a)).status).toBe(418);
    expect((await ping(b)).status).toBe(418);
    // Another IP is untouched on both nodes.
    expect((await request(`${b.url}/api/v3/ping`, { localAddress: '127.0.0.8' })).status).toBe(200);
  });
});
