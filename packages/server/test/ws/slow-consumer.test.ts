/**
 * The slow-consumer rule over real sockets (README "Fan-out / backpressure"): a connection whose
 * socket holds more than `ws.maxBufferedBytes` of unsent bytes after a write is closed with 1008
 * "Slow consumer" and destroyed SLOW_CONSUMER_GRACE_MS (1 s) later; other subscribers of the same
 * stream are unaffected.
 *
 * The slow client is a raw `net` socket that does the WebSocket upgrade by hand and then never reads
 * again, so the server's bytes pile up first in the kernel (client receive + server send buffers on
 * loopback) and then in the server socket's userland buffer, which the rule measures. Traffic is real
 * stream traffic (trades from the engine) generated until the server gives up on the slow client,
 * bounded by the most the kernel could ever hold (tcp_rmem + tcp_wmem maxima) so a broken rule fails
 * rather than hangs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import { closeAgents } from '../helpers/http.js';
import { startTestSandbox, submitLimit, type TestSandbox } from '../helpers/sandbox.js';
import { defaultConfig } from '../../src/config.js';
import type { Connection, WsServer } from '../../src/ws/server.js';
import { connectWs, freshIp } from './client.js';

let sb: TestSandbox | undefined;
const sockets: WebSocket[] = [];
const raw: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const s of raw.splice(0)) s.destroy();
  await sb?.close();
  sb = undefined;
});
afterAll(closeAgents);

const MAX_BUFFERED = 64 * 1024;

/** The most bytes the kernel can buffer for one loopback connection (receiver + sender maxima). */
function kernelBufferBound(): number {
  const max = (f: string, fallback: number) => {
    try {
      const v = Number(readFileSync(f, 'utf8').trim().split(/\s+/)[2]);
      return Number.isFinite(v) && v > 0 ? v : fallback;
    } catch {
      return fallback;
    }
  };
  return max('/proc/sys/net/ipv4/tcp_rmem', 32 << 20) + max('/proc/sys/net/ipv4/tcp_wmem', 32 << 20);
}

/** A WebSocket handshake done by hand; resolves once the 101 is read, with the socket paused for good. */
function rawUpgrade(port: number, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress: freshIp() });
    raw.push(s);
    s.on('error', () => undefined); // a reset after the server gives up is fine
    s.once('error', reject);
    s.once('connect', () => {
      s.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      s.pause(); // never read again: the kernel buffers fill up
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(`no upgrade: ${head.slice(0, end)}`));
      else resolve(s);
    };
    s.on('data', onData);
  });
}

describe('slow consumer', () => {
  it('a client that stops reading is closed with 1008 once maxBufferedBytes is exceeded; a reading client keeps receiving', async () => {
    const s = (sb = await startTestSandbox({ ws: { ...defaultConfig().ws, maxBufferedBytes: MAX_BUFFERED } }));
    const hub = (s.app as unknown as { wsHub: WsServer }).wsHub;
    const closes: { id: number; code: number; reason: string }[] = [];
    const closeConnection = hub.closeConnection.bind(hub);
    hub.closeConnection = (conn: Connection, code: number, reason = '') => {
      closes.push({ id: conn.id, code, reason });
      closeConnection(conn, code, reason);
    };

    const port = Number(new URL(s.url).port);
    const ids = new Set(hub.connections.keys());
    const slowSock = await rawUpgrade(port, '/stream?streams=btcusdt@trade/btcusdt@aggTrade');
    const slow = [...hub.connections.values()].find((c) => !ids.has(c.id))!;
    expect(slow).toBeDefined();
    const good = await connectWs(s.url, '/ws/btcusdt@trade', sockets);
    const goodConn = [...hub.connections.values()].find((c) => !ids.has(c.id) && c !== slow)!;

    const buyer = await s.createAccount({});
    const seller = await s.createAccount({});
    await s.ctx.exchange.submit('deposit', {
      now: s.clock.now(),
      accountId: buyer.accountId,
      asset: 'USDT',
      amount: '1000000000',
    });
    await s.ctx.exchange.submit('deposit', {
      now: s.clock.now(),
      accountId: seller.accountId,
      asset: 'BTC',
      amount: '100000',
    });
    const place = (accountId: number, side: 'BUY' | 'SELL', quantity: string, price: string) =>
      submitLimit(s, accountId, side, quantity, price);

    // Each round: FILLS resting sells at distinct prices, swept by one buy (FILLS trades + FILLS aggTrades).
    const FILLS = 100;
    const bound = kernelBufferBound() + MAX_BUFFERED;
    const t0 = Date.now();
    let trades = 0;
    let rounds = 0;
    while (!slow.closing) {
      for (let i = 0; i < FILLS; i++) await place(seller.accountId, 'SELL', '0.001', (50000 + i).toFixed(2));
      await place(buyer.accountId, 'BUY', (0.001 * FILLS).toFixed(3), (50000 + FILLS).toFixed(2));
      trades += FILLS;
      rounds++;
      await new Promise((r) => setImmediate(r)); // let sockets drain
      // ≥ 150 bytes per message (a trade is ~220 framed), two messages per fill on the slow connection
      if (trades * 2 * 150 > bound) throw new Error(`still open after ${trades} trades (${rounds} rounds)`);
    }
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(closes).toContainEqual({ id: slow.id, code: 1008, reason: 'Slow consumer' });
    expect(hub.connections.has(slow.id)).toBe(false);
    // The socket is destroyed after the grace period.
    await vi.waitFor(() => expect(slow.socket?.destroyed).toBe(true), { timeout: 2500, interval: 50 });

    // Client side: once it reads again it gets what the kernel held (unmasked text frames), then the end.
    let got = 0;
    let first: Buffer | undefined;
    slowSock.on('data', (d: Buffer) => {
      first ??= d;
      got += d.length;
    });
    const ended = new Promise<void>((r) => slowSock.once('close', () => r()));
    slowSock.resume();
    await ended;
    expect(first?.[0]).toBe(0x81);
    expect(got).toBeGreaterThan(0);

    // The reading client got every trade, in order, and is still open.
    await good.until(() => good.messages.length >= trades);
    expect(good.messages.length).toBe(trades);
    expect(good.closed).toBeNull();
    expect(hub.connections.get(goodConn.id)).toBe(goodConn);
    expect(goodConn.closing).toBe(false);
    await place(seller.accountId, 'SELL', '0.001', '50000.00');
    await place(buyer.accountId, 'BUY', '0.001', '50000.00');
    const last = await good.next();
    expect(last).toMatchObject({ e: 'trade', p: '50000.00000000' });
    expect(closes.filter((c) => c.id !== slow.id)).toEqual([]);
  });
});
