import type { FastifyReply } from 'fastify';
import type { ApiError } from '@binance-sandbox/protocol';
import { bodyJson } from './json-text.js';

/** Binance answers JSON with this exact content type. */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** What Binance's edge answers for a path it does not serve (an HTML page, not JSON). */
export const NOT_FOUND_HTML = '<html><body><h2>404 Not found</h2></body></html>';

/** Response headers as a flat list: name, value, name, value … (what ServerResponse.writeHead takes). */
export type HeaderList = string[];

/**
 * Every answer of the sandbox's HTTP side goes out here: straight to Node's ServerResponse with one
 * header list, bypassing Fastify's reply lifecycle (we use no onSend/onResponse hooks) — on a ping
 * that per-header bookkeeping costs more than our whole pipeline.
 */
export function sendRaw(
  reply: FastifyReply,
  status: number,
  contentType: string,
  body: string,
  headers: HeaderList,
): void {
  headers.push('Content-Type', contentType, 'Content-Length', String(Buffer.byteLength(body)));
  reply.hijack();
  reply.raw.writeHead(status, headers);
  reply.raw.end(body);
}

/** `body`: a value, or a JsonText already serialised. */
export function sendJson(reply: FastifyReply, status: number, body: unknown, headers: HeaderList = []): void {
  sendRaw(reply, status, JSON_CONTENT_TYPE, bodyJson(body), headers);
}

export function sendApiError(reply: FastifyReply, err: ApiError, headers: HeaderList = []): void {
  sendRaw(reply, err.httpStatus, JSON_CONTENT_TYPE, JSON.stringify(err.toJSON()), headers);
}
