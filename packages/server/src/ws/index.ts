/**
 * WebSocket market streams: attachWebSockets(app, ctx) serves them on the Fastify server's port,
 * registers the WS admin routes (faults) and closes everything on app.close().
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.js';
import { sendJson } from '../http/reply.js';
import { adminDenial } from '../sandbox/admin-auth.js';
import { CLOSE_NORMAL, CLOSE_POLICY, WsServer } from './server.js';

/**
 * Default notice before the close: the 10 minutes Binance first announced (CHANGELOG 2026-05-06); since
 * 2026-06-09 it promises no fixed time, so clients must reconnect whenever the event comes.
 */
export const SERVER_SHUTDOWN_NOTICE_MS = 600_000;

export { WsServer, textFrame, Connection, SCHEDULER_MS } from './server.js';
export { parseStreamName, STREAM_MODULES } from './streams/index.js';

class BadRequest extends Error {}

function body(req: FastifyRequest): Record<string, unknown> {
  const text = typeof req.body === 'string' ? req.body.trim() : '';
  if (text === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new BadRequest('request body is not valid JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new BadRequest('request body must be a JSON object');
  return v as Record<string, unknown>;
}

function only(b: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(b)) {
    if (!allowed.includes(k)) throw new BadRequest(`unknown field "${k}"; allowed: ${allowed.join(', ')}`);
  }
}

function ids(v: unknown): number[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x) && (x as number) > 0)) {
    throw new BadRequest('ids must be an array of connection ids (GET /sandbox/v1/ws/connections)');
  }
  return v as number[];
}

/**
 * Admin routes under /sandbox/v1/ws (loopback or admin token, like the rest of /sandbox/v1):
 * - GET    /sandbox/v1/ws/connections          → {connections:[{id, ip, path, streams, combined, openedAt, ignorePings, delayMs}]}
 * - POST   /sandbox/v1/ws/close  {ids?, code?: 1000|1008, reason?}  → {closed}
 * - POST   /sandbox/v1/ws/faults {ids?, ignorePings?, delayMs?}     → {applied}; without ids also for new connections
 * - DELETE /sandbox/v1/ws/faults                                     → {cleared}: every connection back to normal
 * - POST   /sandbox/v1/ws/serverShutdown {ids?, inMs?}              → {notified}: `serverShutdown` now, closed
 *   inMs of sandbox time later (default 600000: the 10 minutes Binance first announced)
 */
export function registerWsAdminRoutes(app: FastifyInstance, ctx: SandboxContext, ws: WsServer): void {
  const route = (method: 'GET' | 'POST' | 'DELETE', url: string, handler: (req: FastifyRequest) => unknown) =>
    app.route({
      method,
      url,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const denied = adminDenial(req, ctx.config.adminToken);
        if (denied) return sendJson(reply, denied.status, { error: denied.message });
        try {
          return sendJson(reply, 200, await handler(req));
        } catch (err) {
          if (err instanceof BadRequest) return sendJson(reply, 400, { error: err.message });
          throw err;
        }
      },
    });

  route('GET', '/sandbox/v1/ws/connections', () => ({
    connections: [...ws.connections.values()].map((c) => ({
      id: c.id,
      ip: c.ip,
      path: c.path,
      streams: c.streams === null ? [] : [...c.streams].map((s) => s.name),
      combined: c.combined,
      openedAt: c.openedAt,
      ignorePings: c.ignorePings,
      delayMs: c.delayMs,
    })),
  }));

  route('POST', '/sandbox/v1/ws/close', (req) => {
    const b = body(req);
    only(b, ['ids', 'code', 'reason']);
    const code = b.code ?? CLOSE_NORMAL;
    if (code !== CLOSE_NORMAL && code !== CLOSE_POLICY) throw new BadRequest('code must be 1000 or 1008');
    const reason = b.reason ?? '';
    if (typeof reason !== 'string' || Buffer.byteLength(reason) > 123) {
      throw new BadRequest('reason must be a string of at most 123 bytes');
    }
    const targets = ws.select(ids(b.ids));
    for (const c of targets) ws.closeConnection(c, code, reason);
    return { closed: targets.length };
  });

  route('POST', '/sandbox/v1/ws/faults', (req) => {
    const b = body(req);
    only(b, ['ids', 'ignorePings', 'delayMs']);
    if (b.ignorePings !== undefined && typeof b.ignorePings !== 'boolean')
      throw new BadRequest('ignorePings must be true or false');
    if (
      b.delayMs !== undefined &&
      !(Number.isSafeInteger(b.delayMs) && (b.delayMs as number) >= 0 && (b.delayMs as number) <= 600_000)
    ) {
      throw new BadRequest('delayMs must be an integer from 0 to 600000');
    }
    const which = ids(b.ids);
    const targets = ws.select(which);
    for (const c of targets) {
      if (b.ignorePings !== undefined) c.ignorePings = b.ignorePings as boolean;
      if (b.delayMs !== undefined) c.delayMs = b.delayMs as number;
    }
    if (which === undefined) {
      if (b.ignorePings !== undefined) ws.defaultFaults.ignorePings = b.ignorePings as boolean;
      if (b.delayMs !== undefined) ws.defaultFaults.delayMs = b.delayMs as number;
    }
    return { applied: targets.length, defaults: { ...ws.defaultFaults } };
  });

  route('POST', '/sandbox/v1/ws/serverShutdown', (req) => {
    const b = body(req);
    only(b, ['ids', 'inMs']);
    const inMs = b.inMs ?? SERVER_SHUTDOWN_NOTICE_MS;
    if (!(Number.isSafeInteger(inMs) && (inMs as number) >= 0 && (inMs as number) <= 86_400_000))
      throw new BadRequest('inMs must be an integer from 0 to 86400000');
    return { notified: ws.announceShutdown(ws.select(ids(b.ids)), inMs as number) };
  });

  route('DELETE', '/sandbox/v1/ws/faults', () => {
    ws.defaultFaults.ignorePings = false;
    ws.defaultFaults.delayMs = 0;
    let cleared = 0;
    for (const c of ws.connections.values()) {
      if (c.ignorePings || c.delayMs > 0) cleared++;
      c.ignorePings = false;
      c.delayMs = 0;
    }
    return { cleared };
  });
}

/**
 * Serves the streams on app.server (call before app.listen / app.ready): WebSocket upgrades, the
 * WS admin routes, a clock-advance hook (due pings / timeouts / lifetime closes run right after
 * POST /sandbox/v1/clock/advance), and shutdown with the app.
 */
export function attachWebSockets(app: FastifyInstance, ctx: SandboxContext): WsServer {
  const ws = new WsServer(ctx);
  ws.attach(app.server);
  // Reachable as app.wsHub (tests, benchmarks, a later WS API) without changing the Sandbox type.
  app.decorate('wsHub', ws);
  registerWsAdminRoutes(app, ctx, ws);
  app.addHook('onResponse', async (req) => {
    if (req.url.startsWith('/sandbox/v1/clock/advance')) ws.tick();
  });
  app.addHook('preClose', async () => {
    await ws.close();
  });
  return ws;
}
