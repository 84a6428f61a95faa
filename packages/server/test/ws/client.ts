/** A WebSocket test client with a message queue (shared by the stream and user-data tests). */
import { afterAll, afterEach } from 'vitest';
import WebSocket from 'ws';
import { closeAgents } from '../helpers/http.js';

export class Client {
  readonly messages: unknown[] = [];
  /** Payloads of the server's PING frames, oldest first. */
  readonly pings: string[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.messages.push(JSON.parse(d.toString()));
      this.wake();
    });
    ws.on('ping', (d) => {
      this.pings.push(d.toString());
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(cond: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error('timeout waiting for the WebSocket');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async next<T = Record<string, unknown>>(ms = 5000): Promise<T> {
    await this.until(() => this.messages.length > 0, ms);
    return this.messages.shift() as T;
  }

  /** The next message matching `pred` (earlier non-matching ones are dropped). */
  async nextWhere<T = Record<string, unknown>>(pred: (m: T) => boolean, ms = 5000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = await this.next<T>(Math.max(1, deadline - Date.now()));
      if (pred(m)) return m;
    }
  }

  /** Waits `ms` of real time and returns (and drops) everything received meanwhile. */
  async drain(ms: number): Promise<unknown[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.messages.splice(0);
  }

  send(v: unknown): void {
    this.ws.send(typeof v === 'string' ? v : JSON.stringify(v));
  }

  /** Sends a control message and returns the next frame. */
  async request<T = Record<string, unknown>>(v: unknown): Promise<T> {
    this.send(v);
    return this.next<T>();
  }
}

let ipSeq = 2;
/** A fresh loopback source address (connection-attempt limits are per IP). */
export const freshIp = (): string => `127.0.${100 + Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 2}`;

export async function connectWs(baseUrl: string, path: string, sockets: WebSocket[]): Promise<Client> {
  const ws = new WebSocket(baseUrl.replace('http://', 'ws://') + path, { localAddress: freshIp() });
  sockets.push(ws);
  const c = new Client(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return c;
}

/**
 * The cleanup of a test file whose tests open WebSockets on a sandbox: after each test its sockets
 * are cut, then the sandbox `current()` gives is closed; after the file, the HTTP agents. Returns the
 * list `connectWs` records its sockets in.
 */
export function closeAfterEachTest(current: () => { close(): Promise<void> } | undefined): WebSocket[] {
  const sockets: WebSocket[] = [];
  afterEach(() => closeAll(sockets, current));
  afterAll(closeAgents);
  return sockets;
}

/** The same for a file whose tests share one sandbox: sockets, sandbox and agents once, after the file. */
export function closeAfterAll(current: () => { close(): Promise<void> } | undefined): WebSocket[] {
  const sockets: WebSocket[] = [];
  afterAll(async () => {
    await closeAll(sockets, current);
    closeAgents();
  });
  return sockets;
}

async function closeAll(sockets: WebSocket[], current: () => { close(): Promise<void> } | undefined): Promise<void> {
  for (const s of sockets.splice(0)) s.terminate();
  await current()?.close();
}
