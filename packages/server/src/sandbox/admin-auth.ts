import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip.startsWith('::ffff:127.');
}

/**
 * The admin API is open to loopback clients; from elsewhere it needs `Authorization: Bearer <token>`
 * (or `X-Sandbox-Admin-Token`) matching --admin-token, and is closed when no token was configured.
 * Returns null when allowed, else the reason.
 */
export function adminDenial(req: FastifyRequest, token: string | null): { status: number; message: string } | null {
  if (isLoopback(req.socket.remoteAddress ?? '')) return null;
  if (token === null) {
    return {
      status: 403,
      message: 'the admin API is open on loopback only; start the sandbox with --admin-token to allow remote use',
    };
  }
  const auth = req.headers.authorization;
  const header = req.headers['x-sandbox-admin-token'];
  const given =
    typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : typeof header === 'string' ? header : '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length === b.length && timingSafeEqual(a, b)) return null;
  return { status: 401, message: 'missing or wrong admin token (Authorization: Bearer <token>)' };
}
