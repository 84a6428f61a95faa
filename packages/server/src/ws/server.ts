/**
 * WebSocket market streams on the REST port: `/ws`, `/ws/<s1>/<s2>…` (raw), `/stream?streams=…`
 * (combined), live control messages, Binance's connection limits, heartbeat and lifetime on the
 * sandbox clock, fan-out that serializes and frames each message once per stream, and faults.
 * Design notes and every choice the docs leave open: packages/server/src/ws/README.md.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { Err } from '@binance-sandbox/protocol';
import type { SandboxContext } from '../context.js';
import type { WsConfig } from '../config.js';
import { DEFAULT_WS_CONFIG } from '../config.js';
import type { ConnectionAdmitResult } from '../limits/types.js';
import { handleControl, errorFrame, resultFrame, TOO_MANY_STREAMS } from './control.js';
import {
  parseStreamName,
  STREAM_MODULES,
  type ActiveStream,
  type ParsedStream,
  type Render,
  type StreamHubView,
  type StreamModule,
} from './streams/index.js';

/** Real-time period of the scheduler that checks heartbeats and lifetimes against the sandbox clock. */
export const SCHEDULER_MS = 50;
/** After a slow consumer's close frame, the socket is destroyed this long later (real ms). */
const SLOW_CONSUMER_GRACE_MS = 1_000;
const MAX_PAYLOAD = 1 << 20;

export const CLOSE_NORMAL = 1000;
export const CLOSE_POLICY = 1008;
/** The sandbox itself is stopping. */
export const CLOSE_GOING_AWAY = 1001;
/** How long a stopping sandbox lets its connections take their `serverShutdown` and close frame, real ms. */
const SHUTDOWN_GRACE_MS = 250;

/** One unmasked FIN text frame holding `payload` (header and payload in one buffer). */
export function textFrame(payload: string): Buffer {
  const len = Buffer.byteLength(payload);
  const hdr = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const buf = Buffer.allocUnsafe(hdr + len);
  buf[0] = 0x81;
  if (len < 126) buf[1] = len;
  else if (len < 65536) {
    buf[1] = 126;
    buf.writeUInt16BE(len, 2);
  } else {
    buf[1] = 127;
    buf.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    buf.writeUInt32BE(len >>> 0, 6);
  }
  buf.write(payload, hdr, 'utf8');
  return buf;
}

export interface ConnectionFaults {
  /** Do not answer the client's PINGs. */
  ignorePings: boolean;
  /** Delay every outgoing data frame by this many real milliseconds. */
  delayMs: number;
}

/** One client connection. Kept small: idle connections cost ws's own state plus this. */
export class Connection {
  /** Streams in subscription order. */
  streams: Set<HubStream> | null = null;
  combined: boolean;
  msgWindow = -1;
  msgCount = 0;
  /** Next server PING due (sandbox ms). */
  nextPingAt: number;
  /** Sandbox time of the oldest PING not answered yet (NaN: none outstanding). */
  unansweredSince = NaN;
  lastPingAt = NaN;
  closing = false;
  /** The socket is corked until the check phase of the current event-loop iteration (WsServer.flush). */
  corked = false;
  ignorePings: boolean;
  delayMs: number;
  /** Sandbox time at which a `serverShutdown` notice said it will be closed (NaN: none given). */
  shutdownAt = NaN;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    readonly socket: Socket | null,
    readonly ip: string,
    readonly path: string,
    readonly micro: boolean,
    readonly openedAt: number,
    combined: boolean,
    config: WsConfig,
    faults: ConnectionFaults,
  ) {
    this.combined = combined;
    this.nextPingAt = openedAt + config.pingIntervalMs;
    this.ignorePings = faults.ignorePings;
    this.delayMs = faults.delayMs;
  }

  get streamCount(): number {
    return this.streams === null ? 0 : this.streams.size;
  }
}

/** A stream with subscribers. */
export class HubStream implements ActiveStream {
  readonly subs = new Set<Connection>();

  constructor(
    readonly name: string,
    readonly symbol: string,
    readonly module: StreamModule,
    readonly params: unknown,
    readonly hub: WsServer,
  ) {}

  publish(render: Render): void {
    this.hub.deliver(this, render);
  }
}

export class WsServer implements StreamHubView {
  readonly config: WsConfig;
  readonly wss: WebSocketServer;
  readonly connections = new Map<number, Connection>();
  private readonly streams = new Map<string, HubStream>();
  private readonly byModule = new Map<StreamModule, Set<HubStream>>();
  private readonly stops: (() => void)[] = [];
  private nextId = 1;
  /** Earliest sandbox time at which some connection needs a ping, a timeout or a lifetime close. */
  private nextDue = Infinity;
  private timer: NodeJS.Timeout | null = null;
  private server: Server | null = null;
  private closed = false;
  /** Faults given to new connections. */
  readonly defaultFaults: ConnectionFaults = { ignorePings: false, delayMs: 0 };
  /** Messages and bytes written to sockets (for the benchmark and diagnostics). */
  delivered = 0;
  /** Connections whose socket was corked in the current event-loop iteration. */
  private corked: Connection[] = [];

  constructor(
    readonly ctx: SandboxContext,
    private readonly modules: readonly StreamModule[] = STREAM_MODULES,
  ) {
    this.config = { ...DEFAULT_WS_CONFIG, ...(ctx.config.ws ?? {}) };
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      autoPong: false,
      maxPayload: MAX_PAYLOAD,
    });
    for (const m of modules) {
      this.byModule.set(m, new Set());
      if (m.start) this.stops.push(m.start(this));
    }
    this.timer = setInterval(() => this.tick(), SCHEDULER_MS);
    this.timer.unref();
  }

  // ---- StreamHubView -------------------------------------------------------------------------------

  get(name: string): ActiveStream | undefined {
    return this.streams.get(name);
  }

  active(module: StreamModule): ReadonlySet<ActiveStream> {
    return this.byModule.get(module) ?? new Set();
  }

  closeSubscribers(stream: ActiveStream, code: number, reason = ''): void {
    const s = this.streams.get(stream.name);
    if (s === undefined || s !== stream) return;
    for (const conn of [...s.subs]) {
      if (conn.delayMs > 0) {
        // frames are delayed: close after them
        const t = setTimeout(() => this.closeConnection(conn, code, reason), conn.delayMs);
        t.unref();
      } else this.closeConnection(conn, code, reason);
    }
  }

  // ---- HTTP upgrade --------------------------------------------------------------------------------

  attach(server: Server): void {
    this.server = server;
    server.on('upgrade', this.onUpgrade);
  }

  private clientIp(req: IncomingMessage): string {
    if (this.ctx.config.trustProxy) {
      const xff = req.headers['x-forwarded-for'];
      const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
      if (first) return first;
    }
    return req.socket.remoteAddress ?? '';
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    if (this.closed) {
      socket.destroy();
      return;
    }
    const ip = this.clientIp(req);
    const c = this.config;
    let admitted: ConnectionAdmitResult | Promise<ConnectionAdmitResult>;
    try {
      admitted = this.ctx.limits.admitConnection({
        ip,
        now: this.ctx.clock.now(),
        limit: c.maxConnectionAttempts,
        windowMs: c.maxConnectionAttemptsWindowMs,
      });
    } catch {
      refuseUnavailable(socket);
      return;
    }
    if (admitted instanceof Promise) {
      admitted.then(
        (r) => this.afterAdmit(req, socket, head, ip, r),
        () => refuseUnavailable(socket),
      );
    } else this.afterAdmit(req, socket, head, ip, admitted);
  };

  private afterAdmit(req: IncomingMessage, socket: Duplex, head: Buffer, ip: string, r: ConnectionAdmitResult): void {
    if (socket.destroyed) return;
    if (r.outcome === 'banned') {
      const until = r.bannedUntil ?? 0;
      refuse(
        socket,
        418,
        "I'm a teapot",
        JSON.stringify({ code: -1003, msg: `Way too many connection attempts; IP banned until ${until}.` }),
        Math.ceil((r.retryAfterMs ?? 0) / 1000),
      );
      return;
    }
    if (r.outcome === 'limited') {
      const c = this.config;
      refuse(
        socket,
        429,
        'Too Many Requests',
        JSON.stringify({
          code: -1003,
          msg: `Too many connection attempts; current limit is ${c.maxConnectionAttempts} per ${c.maxConnectionAttemptsWindowMs} ms.`,
        }),
        Math.ceil((r.retryAfterMs ?? 0) / 1000),
      );
      return;
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    let names: string[];
    let combined: boolean;
    try {
      if (path === '/ws' || path === '/ws/') {
        names = [];
        combined = false;
      } else if (path.startsWith('/ws/')) {
        names = decodeURIComponent(path.slice(4)).split('/');
        combined = false;
      } else if (path === '/stream' || path === '/stream/') {
        const s = rawQueryParam(q < 0 ? '' : url.slice(q + 1), 'streams');
        names = s === null || s === '' ? [] : s.split('/');
        combined = true;
      } else {
        refuse(socket, 400, 'Bad Request', 'Invalid request path', undefined, 'text/plain');
        return;
      }
    } catch {
      refuse(socket, 400, 'Bad Request', 'Invalid request path', undefined, 'text/plain');
      return;
    }
    const timeUnit = query.get('timeUnit');
    let micro = false;
    if (timeUnit !== null && timeUnit !== '') {
      if (timeUnit === 'MICROSECOND' || timeUnit === 'microsecond') micro = true;
      else if (timeUnit !== 'MILLISECOND' && timeUnit !== 'millisecond') {
        refuse(
          socket,
          400,
          'Bad Request',
          JSON.stringify({
            code: -1194,
            msg: 'Invalid value for time unit; expected either MICROSECOND or MILLISECOND.',
          }),
        );
        return;
      }
    }
    const parsed = new Map<string, ParsedStream>();
    for (const name of names) {
      if (name === '' && names.length > 1) continue; // a trailing '/'
      const p = parseStreamName(name);
      if (p === null) {
        // ccxt.pro opens /ws/0, /ws/1 … and then SUBSCRIBEs, and production accepts that: on a raw
        // path a name without '@' (a would-be listenKey) that is none subscribes nothing
        if (!combined && !name.includes('@') && !name.startsWith('!')) continue;
        refuse(socket, 400, 'Bad Request', 'Invalid request: invalid stream', undefined, 'text/plain');
        return;
      }
      parsed.set(name, p);
    }
    if (parsed.size > this.config.maxStreamsPerConnection) {
      refuse(socket, 400, 'Bad Request', TOO_MANY_STREAMS, undefined, 'text/plain');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.closed) {
        ws.terminate();
        return;
      }
      const conn = new Connection(
        this.nextId++,
        ws,
        ((ws as unknown as { _socket?: Socket })._socket ?? null) as Socket | null,
        ip,
        path,
        micro,
        this.ctx.clock.now(),
        combined,
        this.config,
        this.defaultFaults,
      );
      this.connections.set(conn.id, conn);
      for (const p of parsed.values()) this.subscribe(conn, p);
      this.noteDue(conn);
      ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(conn, data, isBinary));
      ws.on('ping', (data: Buffer) => {
        if (!this.countMessage(conn)) return;
        if (!conn.ignorePings) ws.pong(data);
      });
      ws.on('pong', (data: Buffer) => {
        if (!this.countMessage(conn)) return;
        this.onPong(conn, data);
      });
      ws.on('close', () => this.drop(conn));
      ws.on('error', () => undefined);
    });
  }

  // ---- incoming ------------------------------------------------------------------------------------

  /** Counts one incoming message (text, PING or PONG); false when it broke the per-second limit. */
  private countMessage(conn: Connection): boolean {
    if (conn.closing) return false;
    const now = this.ctx.clock.now();
    const w = Math.floor(now / 1000);
    if (w !== conn.msgWindow) {
      conn.msgWindow = w;
      conn.msgCount = 0;
    }
    if (++conn.msgCount <= this.config.maxMessagesPerSecond) return true;
    this.closeConnection(conn, CLOSE_POLICY, 'Too many requests');
    // Repeated offenders get banned: each such disconnect is one 429 rejection of the IP.
    try {
      const r = this.ctx.limits.strike(conn.ip, now, this.config.maxConnectionAttemptsWindowMs);
      if (r instanceof Promise) r.catch(() => undefined);
    } catch {
      // the limit store is down: the disconnect stands, the strike is lost
    }
    return false;
  }

  private onMessage(conn: Connection, data: Buffer, _isBinary: boolean): void {
    if (!this.countMessage(conn)) return;
    const out = handleControl(data);
    if (!out.ok) {
      this.send(conn, out.frame);
      return;
    }
    const a = out.action;
    switch (a.kind) {
      case 'subscribe': {
        let added = 0;
        const seen = new Set<string>();
        for (const s of a.streams) {
          if (seen.has(s.name)) continue;
          seen.add(s.name);
          const existing = this.streams.get(s.name);
          if (existing === undefined || !existing.subs.has(conn)) added++;
        }
        if (conn.streamCount + added > this.config.maxStreamsPerConnection) {
          this.send(conn, errorFrame(2, TOO_MANY_STREAMS, out.id));
          return;
        }
        for (const s of a.streams) this.subscribe(conn, s);
        this.send(conn, resultFrame('null', out.id));
        return;
      }
      case 'unsubscribe':
        for (const s of a.streams) this.unsubscribe(conn, s.name);
        this.send(conn, resultFrame('null', out.id));
        return;
      case 'list': {
        const names = conn.streams === null ? [] : [...conn.streams].map((s) => s.name);
        this.send(conn, resultFrame(JSON.stringify(names), out.id));
        return;
      }
      case 'set-combined':
        conn.combined = a.value;
        this.send(conn, resultFrame('null', out.id));
        return;
      case 'get-combined':
        this.send(conn, resultFrame(String(conn.combined), out.id));
        return;
    }
  }

  private onPong(conn: Connection, data: Buffer): void {
    if (Number.isNaN(conn.unansweredSince)) return; // unsolicited: allowed, changes nothing
    const t = Number(data.toString('latin1'));
    if (t === conn.lastPingAt) conn.unansweredSince = NaN;
    else if (Number.isSafeInteger(t) && t >= conn.unansweredSince && t < conn.lastPingAt) {
      // answered an older ping: the oldest unanswered one is later (at most the latest)
      conn.unansweredSince = conn.lastPingAt;
    }
  }

  // ---- subscriptions -------------------------------------------------------------------------------

  private subscribe(conn: Connection, p: ParsedStream): void {
    let s = this.streams.get(p.name);
    if (s === undefined) {
      s = new HubStream(p.name, p.symbol, p.module, p.params, this);
      this.streams.set(p.name, s);
      this.byModule.get(p.module)?.add(s);
      p.module.onActivate?.(s);
    }
    if (s.subs.has(conn)) return;
    s.subs.add(conn);
    (conn.streams ??= new Set()).add(s);
  }

  private unsubscribe(conn: Connection, name: string): void {
    const s = this.streams.get(name);
    if (s === undefined || !s.subs.delete(conn)) return;
    conn.streams?.delete(s);
    if (s.subs.size === 0) this.retire(s);
  }

  private retire(s: HubStream): void {
    this.streams.delete(s.name);
    this.byModule.get(s.module)?.delete(s);
    s.module.onDeactivate?.(s);
  }

  private drop(conn: Connection): void {
    conn.closing = true;
    if (!this.connections.delete(conn.id)) return;
    if (conn.streams !== null) {
      for (const s of conn.streams) {
        s.subs.delete(conn);
        if (s.subs.size === 0) this.retire(s);
      }
      conn.streams = null;
    }
  }

  // ---- outgoing ------------------------------------------------------------------------------------

  /**
   * Fan-out: the payload is rendered at most once per time unit and framed at most once per
   * (framing, time unit); every subscriber gets the same bytes.
   */
  deliver(stream: HubStream, render: Render): void {
    let rawMs: Buffer | undefined;
    let rawUs: Buffer | undefined;
    let combMs: Buffer | undefined;
    let combUs: Buffer | undefined;
    let dataMs: string | undefined;
    let dataUs: string | undefined;
    for (const conn of stream.subs) {
      let f: Buffer;
      if (conn.micro) {
        if (conn.combined) f = combUs ??= textFrame(`{"stream":"${stream.name}","data":${(dataUs ??= render(1000))}}`);
        else f = rawUs ??= textFrame((dataUs ??= render(1000)));
      } else if (conn.combined)
        f = combMs ??= textFrame(`{"stream":"${stream.name}","data":${(dataMs ??= render(1))}}`);
      else f = rawMs ??= textFrame((dataMs ??= render(1)));
      this.write(conn, f);
    }
  }

  /** A control response or other one-off text frame. */
  send(conn: Connection, json: string): void {
    this.write(conn, textFrame(json));
  }

  private write(conn: Connection, frame: Buffer): void {
    if (conn.closing) return;
    if (conn.delayMs > 0) {
      const t = setTimeout(() => this.writeNow(conn, frame), conn.delayMs);
      t.unref();
      return;
    }
    this.writeNow(conn, frame);
  }

  private writeNow(conn: Connection, frame: Buffer): void {
    if (conn.closing || conn.ws.readyState !== WebSocket.OPEN) return;
    const sock = conn.socket;
    if (sock === null) {
      conn.ws.send(frame.subarray(frame[1]! === 126 ? 4 : frame[1]! === 127 ? 10 : 2));
      return;
    }
    // Everything written to a socket in one event-loop iteration goes out in one writev: cork on the
    // first write, uncork (and check the backlog) in the check phase, after every request that the
    // poll phase delivered has run: under load, the trades of many orders share one syscall per socket.
    if (!conn.corked) {
      conn.corked = true;
      sock.cork();
      this.corked.push(conn);
      if (this.corked.length === 1) setImmediate(this.flush);
    }
    sock.write(frame);
    this.delivered++;
  }

  /** Uncorks the sockets written to in this iteration; a socket left with > maxBufferedBytes unsent is a slow consumer. */
  private readonly flush = (): void => {
    const list = this.corked;
    this.corked = [];
    const max = this.config.maxBufferedBytes;
    for (const conn of list) {
      conn.corked = false;
      const sock = conn.socket!;
      sock.uncork();
      if (sock.writableLength > max && !conn.closing) {
        // Slow consumer: stop before it costs unbounded memory.
        this.closeConnection(conn, CLOSE_POLICY, 'Slow consumer');
        const t = setTimeout(() => conn.ws.terminate(), SLOW_CONSUMER_GRACE_MS);
        t.unref();
      }
    }
  };

  /** Sends a close frame (if still open) and forgets the connection's subscriptions. */
  closeConnection(conn: Connection, code: number, reason = ''): void {
    if (conn.closing) return;
    conn.closing = true;
    try {
      conn.ws.close(code, reason);
    } catch {
      conn.ws.terminate();
    }
    this.drop(conn);
  }

  // ---- heartbeat, lifetime -------------------------------------------------------------------------

  private dueOf(conn: Connection): number {
    let due = Math.min(conn.nextPingAt, conn.openedAt + this.config.maxConnectionLifetimeMs);
    if (!Number.isNaN(conn.unansweredSince)) due = Math.min(due, conn.unansweredSince + this.config.pongTimeoutMs);
    if (!Number.isNaN(conn.shutdownAt)) due = Math.min(due, conn.shutdownAt);
    return due;
  }

  private noteDue(conn: Connection): void {
    const d = this.dueOf(conn);
    if (d < this.nextDue) this.nextDue = d;
  }

  /**
   * Sends due PINGs and closes timed-out and expired connections, against the sandbox clock. Runs
   * every SCHEDULER_MS of real time and right after an admin clock advance; cheap when nothing is due.
   */
  tick(): void {
    if (this.closed) return;
    const now = this.ctx.clock.now();
    if (now < this.nextDue) return;
    const c = this.config;
    let next = Infinity;
    for (const conn of this.connections.values()) {
      if (conn.closing) continue;
      if (now >= conn.openedAt + c.maxConnectionLifetimeMs || now >= conn.shutdownAt) {
        this.closeConnection(conn, CLOSE_NORMAL);
        continue;
      }
      if (!Number.isNaN(conn.unansweredSince) && now >= conn.unansweredSince + c.pongTimeoutMs) {
        this.closeConnection(conn, CLOSE_NORMAL);
        continue;
      }
      if (now >= conn.nextPingAt) {
        try {
          conn.ws.ping(String(now));
        } catch {
          // socket already gone; 'close' follows
        }
        conn.lastPingAt = now;
        if (Number.isNaN(conn.unansweredSince)) conn.unansweredSince = now;
        conn.nextPingAt = now + c.pingIntervalMs;
      }
      const d = this.dueOf(conn);
      if (d < next) next = d;
    }
    this.nextDue = next;
  }

  // ---- faults --------------------------------------------------------------------------------------

  /**
   * Binance's maintenance notice (web-socket-streams.md "Server Shutdown"): a `serverShutdown` event
   * now (`{"e":"serverShutdown","E":…}`, or wrapped as stream `!serverShutdown` on combined
   * connections), and the connection closed `inMs` of sandbox time later. Returns how many got it.
   */
  announceShutdown(conns: readonly Connection[], inMs: number): number {
    const now = this.ctx.clock.now();
    let n = 0;
    for (const conn of conns) {
      if (conn.closing) continue;
      this.sendShutdown(conn, now);
      conn.shutdownAt = now + inMs;
      this.noteDue(conn);
      n++;
    }
    if (inMs === 0) this.tick();
    return n;
  }

  /** The connections with these ids (all when ids is undefined). */
  select(ids: readonly number[] | undefined): Connection[] {
    if (ids === undefined) return [...this.connections.values()];
    const out: Connection[] = [];
    for (const id of ids) {
      const c = this.connections.get(id);
      if (c !== undefined) out.push(c);
    }
    return out;
  }

  private sendShutdown(conn: Connection, now: number): void {
    const event = `{"e":"serverShutdown","E":${conn.micro ? now * 1000 : now}}`;
    this.send(conn, conn.combined ? `{"stream":"!serverShutdown","data":${event}}` : event);
  }

  // ---- shutdown ------------------------------------------------------------------------------------

  /**
   * Stops with the sandbox: every connection gets a `serverShutdown` event and a 1001 close, as a
   * Binance server going down for maintenance would do; those that have not closed within
   * SHUTDOWN_GRACE_MS of real time are cut.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    for (const stop of this.stops) stop();
    this.server?.off('upgrade', this.onUpgrade);
    const conns = [...this.connections.values()];
    if (conns.length > 0) {
      const now = this.ctx.clock.now();
      const closed = conns.map((conn) => new Promise<void>((resolve) => conn.ws.once('close', () => resolve())));
      for (const conn of conns) {
        if (conn.closing) continue;
        this.sendShutdown(conn, now);
        this.closeConnection(conn, CLOSE_GOING_AWAY, 'Server shutdown');
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(closed),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS))),
      ]);
      clearTimeout(timer);
      for (const conn of conns) {
        conn.ws.terminate();
        this.drop(conn);
      }
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** Answers a handshake with a plain HTTP response and closes the socket. */
/** The limit store did not answer (Redis unreachable): the REST API's 503 -1001, before the upgrade. */
function refuseUnavailable(socket: Duplex): void {
  refuse(socket, 503, 'Service Unavailable', JSON.stringify(Err.disconnected().toJSON()));
}

function refuse(
  socket: Duplex,
  status: number,
  text: string,
  body: string,
  retryAfterSeconds?: number,
  type = 'application/json',
): void {
  if (socket.destroyed) return;
  const headers = [
    `HTTP/1.1 ${status} ${text}`,
    `Content-Type: ${body === '' ? 'text/plain' : type}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  if (retryAfterSeconds !== undefined) headers.push(`Retry-After: ${retryAfterSeconds}`);
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * A query parameter percent-decoded but with '+' kept: stream names contain it
 * (`<symbol>@kline_<interval>@+08:00`) and clients put them in the URL as they are (@binance/spot
 * rebuilds `/stream?streams=…` from its subscriptions on reconnect). Throws URIError on a bad escape.
 */
function rawQueryParam(query: string, name: string): string | null {
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (decodeURIComponent(key) === name) return eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
  }
  return null;
}
