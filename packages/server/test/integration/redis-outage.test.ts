/**
 * The shared limit store going away (Redis restarted, network cut) and coming back, played by a TCP
 * proxy in front of the real Redis: while it is away every request is refused at once with 503
 * -1001 before anything executes (no order placed, nothing counted); once it is back the sandbox
 * answers again with the counts Redis kept.
 */
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAgents, type HttpResponse } from '../helpers/http.js';
import { limitParams, startTestSandbox } from '../helpers/sandbox.js';

const REDIS = {
  host: '127.0.0.1',
  port: Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379),
};
const prefix = `bsbx-outage-${randomBytes(4).toString('hex')}:`;
const REFUSED = { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' };

/** A TCP proxy to Redis that can be cut (every connection closed, new ones refused) and restored on the same port. */
class RedisProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(REDIS);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address === 'object' && address !== null) this.port = address.port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const proxy = new RedisProxy();
afterAll(async () => {
  await proxy.down();
  closeAgents();
  const redis = new Redis(`redis://${REDIS.host}:${REDIS.port}`);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('the shared limit store away and back', () => {
  it('refuses every request at once with 503 -1001 while Redis is unreachable, and recovers', async () => {
    await proxy.up();
    const sb = await startTestSandbox({ redisUrl: `redis://127.0.0.1:${proxy.port}`, redisKeyPrefix: prefix });
    try {
      const trader = await sb.createAccount({ USDT: '100000' });
      const order = () => sb.signed(trader, 'POST', '/order', limitParams('BUY', '0.01', '30000'));
      const first = await order();
      expect(first.status, first.text).toBe(200);
      expect(first.headers['x-mbx-order-count-10s']).toBe('1');

      await proxy.down();
      // Not a speed measurement: a refusal is immediate, where the client library's default was to
      // hold each request through 20 reconnection attempts (~4 s each here, 10 s at most).
      const cutAt = Date.now();
      const expectRefused = (res: HttpResponse) => {
        expect(res.status, res.text).toBe(503);
        expect(res.json()).toEqual(REFUSED);
      };
      expectRefused(await sb.call('/api/v3/ping'));
      expectRefused(await sb.call('/api/v3/depth?symbol=BTCUSDT'));
      expectRefused(await order());
      expectRefused(await sb.call('/api/v3/no-such-endpoint'));
      expect(Date.now() - cutAt).toBeLessThan(5_000);
      // a WebSocket handshake too (its connection attempts are counted in the same store)
      const handshake = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const ws = new WebSocket(`${sb.url.replace('http', 'ws')}/ws/btcusdt@trade`);
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.on('open', () => reject(new Error('the handshake succeeded')));
        ws.on('error', () => undefined);
      });
      expect(handshake.status).toBe(503);
      expect(JSON.parse(handshake.body)).toEqual(REFUSED);
      // nothing executed: the one order placed before the outage is the only one
      expect(sb.ctx.exchange.engine.openOrders(trader.accountId, 'BTCUSDT')).toHaveLength(1);

      await proxy.up();
      let ping = await sb.call('/api/v3/ping');
      for (let i = 0; i < 100 && ping.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        ping = await sb.call('/api/v3/ping');
      }
      expect(ping.status, ping.text).toBe(200);
      const second = await order();
      expect(second.status, second.text).toBe(200);
      // Redis kept the count; the refused order was never counted
      expect(second.headers['x-mbx-order-count-10s']).toBe('2');
      expect(sb.ctx.exchange.engine.openOrders(trader.accountId, 'BTCUSDT')).toHaveLength(2);
    } finally {
      await sb.close();
    }
  });
});
