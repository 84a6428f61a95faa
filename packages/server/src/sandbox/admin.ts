import { ApiError, SYMBOL_STATUSES, type SymbolStatus } from '@binance-sandbox/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { blockTradeJson } from '../market/block-trade-format.js';
import { formatReferencePrice } from '../market/reference-price-format.js';
import type { SandboxContext } from '../context.js';
import type { CommandOf, CommandResults, ExchangeCommand } from '../exchange/commands.js';
import { sendJson } from '../http/reply.js';
import type { WafGate } from '../http/waf-gate.js';
import { adminDenial } from './admin-auth.js';
import { JournalFailedError } from '../journal/group-commit.js';
import { FaultSpecError } from './faults.js';

/** A bad admin request: answered as `{"error": message}` with `status`. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const KEY_TYPES = ['HMAC_SHA256', 'ED25519', 'RSA'] as const;
type KeyType = (typeof KEY_TYPES)[number];
const ASSET = /^[A-Z0-9]{1,20}$/;
const AMOUNT = /^[0-9]{1,20}(\.[0-9]{1,8})?$/;

function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const text = typeof req.body === 'string' ? req.body.trim() : '';
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AdminError(400, 'request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AdminError(400, 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) throw new AdminError(400, `unknown field "${k}"; allowed: ${allowed.join(', ')}`);
  }
}

function queryParam(req: FastifyRequest, name: string): string | undefined {
  const q = req.url.indexOf('?');
  if (q < 0) return undefined;
  return new URLSearchParams(req.url.slice(q + 1)).get(name) ?? undefined;
}

function parseBalances(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AdminError(400, 'balances must be an object like {"USDT":"10000"}');
  }
  const out: Record<string, string> = {};
  for (const [asset, amount] of Object.entries(value)) {
    if (!ASSET.test(asset)) throw new AdminError(400, `balances: "${asset}" is not an asset name (A-Z, 0-9)`);
    if (typeof amount !== 'string' || !AMOUNT.test(amount)) {
      throw new AdminError(400, `balances.${asset} must be a decimal string with at most 8 decimals, e.g. "10000.5"`);
    }
    out[asset] = amount;
  }
  return out;
}

/** The sandbox's own API under /sandbox/v1 (not part of Binance): accounts, clock, usage, bans. */
export function registerAdminRoutes(app: FastifyInstance, ctx: SandboxContext, waf: WafGate): void {
  const route = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    handler: (req: FastifyRequest) => unknown,
    status = 200,
  ) =>
    app.route({
      method,
      url,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const verdict = waf.check(req);
        if (verdict) return waf.block(req, reply, verdict);
        const denied = adminDenial(req, ctx.config.adminToken);
        if (denied) return sendJson(reply, denied.status, { error: denied.message });
        try {
          return sendJson(reply, status, await handler(req));
        } catch (err) {
          if (err instanceof AdminError) return sendJson(reply, err.status, { error: err.message });
          // the journal failed (the sandbox is stopping): the change is not durable, or not made
          if (err instanceof JournalFailedError) return sendJson(reply, 503, { error: err.message });
          if (err instanceof ApiError && err.httpStatus >= 500)
            return sendJson(reply, err.httpStatus, { error: err.msg });
          throw err;
        }
      },
    });
  /** `v` is a positive decimal string with at most 8 decimals (400 otherwise). */
  function positiveAmount(name: string, v: unknown): asserts v is string {
    if (typeof v !== 'string' || !AMOUNT.test(v) || !/[1-9]/.test(v))
      throw new AdminError(400, `${name} must be a positive decimal string with at most 8 decimals`);
  }
  /** Submits an admin command to the exchange; the engine's refusal becomes a 400. */
  async function submitted<K extends ExchangeCommand['kind']>(kind: K, cmd: CommandOf<K>): Promise<CommandResults[K]> {
    try {
      return await ctx.exchange.submit(kind, cmd);
    } catch (err) {
      if (err instanceof ApiError && err.httpStatus < 500) throw new AdminError(400, err.message);
      throw err;
    }
  }
  /** A symbol of the sandbox's configuration (400 otherwise). */
  function knownSymbol(v: unknown): asserts v is string {
    if (typeof v !== 'string' || !ctx.config.symbols.some((s) => s.symbol === v))
      throw new AdminError(400, `symbol must be one of ${ctx.config.symbols.map((s) => s.symbol).join(', ')}`);
  }

  route(
    'POST',
    '/sandbox/v1/accounts',
    async (req) => {
      const body = jsonBody(req);
      onlyKeys(body, ['balances', 'keyType', 'publicKey', 'canTrade']);
      const keyType = body.keyType ?? 'HMAC_SHA256';
      if (!KEY_TYPES.includes(keyType as KeyType)) {
        throw new AdminError(400, `keyType must be one of ${KEY_TYPES.join(', ')}`);
      }
      if (body.publicKey !== undefined && typeof body.publicKey !== 'string') {
        throw new AdminError(400, 'publicKey must be a PEM string');
      }
      if (body.publicKey !== undefined && keyType === 'HMAC_SHA256') {
        throw new AdminError(400, 'publicKey is only for ED25519 and RSA keys');
      }
      if (body.canTrade !== undefined && typeof body.canTrade !== 'boolean') {
        throw new AdminError(400, 'canTrade must be true or false');
      }
      const balances = parseBalances(body.balances);
      let created;
      try {
        created = ctx.accounts.create({
          balances,
          keyType: keyType as KeyType,
          publicKey: body.publicKey as string | undefined,
          canTrade: body.canTrade as boolean | undefined,
        });
      } catch (err) {
        if (err instanceof JournalFailedError) throw err;
        throw new AdminError(400, `cannot create the account: ${(err as Error).message}`);
      }
      const now = ctx.clock.now();
      for (const [asset, amount] of Object.entries(balances)) {
        await ctx.exchange.submit('deposit', { now, accountId: created.accountId, asset, amount });
      }
      return created;
    },
    201,
  );

  route('GET', '/sandbox/v1/clock', () => ({ serverTime: ctx.clock.now() }));

  route('POST', '/sandbox/v1/clock/advance', (req) => {
    const body = jsonBody(req);
    onlyKeys(body, ['ms']);
    const ms = body.ms;
    if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
      throw new AdminError(400, 'ms must be a non-negative integer number of milliseconds');
    }
    return { serverTime: ctx.clock.advance(ms) };
  });

  route('GET', '/sandbox/v1/usage', async (req) => {
    const ip = queryParam(req, 'ip') ?? req.ip;
    const now = ctx.clock.now();
    const usage = await ctx.limits.usage(ip, now);
    const { requestWeight, rawRequests } = ctx.limitTable;
    return {
      serverTime: now,
      ...usage,
      rawRequests: rawRequests.map((l, i) => ({ ...l, count: usage.rawRequests[i] ?? 0 })),
      requestWeight: requestWeight.map((l, i) => ({ ...l, count: usage.requestWeight[i] ?? 0 })),
    };
  });

  // Fault injection (sandbox/faults.ts): install, list, clear.
  route('POST', '/sandbox/v1/faults', (req) => {
    try {
      return ctx.faults.add(jsonBody(req));
    } catch (err) {
      if (err instanceof FaultSpecError) throw new AdminError(400, err.message);
      throw err;
    }
  });

  route('GET', '/sandbox/v1/faults', () => ({ faults: ctx.faults.list() }));

  route('DELETE', '/sandbox/v1/faults', (req) => {
    const id = queryParam(req, 'id');
    if (id !== undefined && !/^[0-9]{1,15}$/.test(id)) throw new AdminError(400, 'id must be a fault id');
    return { cleared: ctx.faults.clear(id === undefined ? undefined : Number(id)) };
  });

  // The EXTERNAL reference price of a symbol (price-range execution rule): set, or clear with null.
  route('POST', '/sandbox/v1/referencePrice', async (req) => {
    const body = jsonBody(req);
    onlyKeys(body, ['symbol', 'referencePrice']);
    const { symbol, referencePrice: price = null } = body;
    knownSymbol(symbol);
    if (ctx.exchange.engine.referencePriceCalculation(symbol)?.calculationType !== 'EXTERNAL')
      throw new AdminError(400, `${symbol} has no EXTERNAL reference price (executionRules in the config)`);
    if (price !== null && (typeof price !== 'string' || !AMOUNT.test(price) || !/[1-9]/.test(price)))
      throw new AdminError(400, 'referencePrice must be a positive decimal string with at most 8 decimals, or null');
    const now = ctx.clock.now();
    await submitted('setReferencePrice', { now, symbol, price });
    const v = ctx.exchange.engine.referencePrice(symbol, now);
    return {
      symbol,
      referencePrice: v == null ? null : formatReferencePrice(ctx.exchange.engine, symbol, v),
      timestamp: now,
    };
  });

  route('POST', '/sandbox/v1/symbols/status', async (req) => {
    const body = jsonBody(req);
    onlyKeys(body, ['symbol', 'status']);
    const { symbol, status } = body;
    knownSymbol(symbol);
    if (typeof status !== 'string' || !(SYMBOL_STATUSES as readonly string[]).includes(status))
      throw new AdminError(400, `status must be one of ${SYMBOL_STATUSES.join(', ')}`);
    await submitted('setSymbolStatus', { now: ctx.clock.now(), symbol, status: status as SymbolStatus });
    return { symbol, status: ctx.exchange.engine.symbolStatus(symbol) };
  });

  route('POST', '/sandbox/v1/blockTrades', async (req) => {
    const body = jsonBody(req);
    onlyKeys(body, ['symbol', 'price', 'qty', 'isBuyerMaker']);
    const { symbol, price, qty, isBuyerMaker = false } = body;
    knownSymbol(symbol);
    positiveAmount('price', price);
    positiveAmount('qty', qty);
    if (typeof isBuyerMaker !== 'boolean') throw new AdminError(400, 'isBuyerMaker must be true or false');
    const { events } = await submitted('reportBlockTrade', { now: ctx.clock.now(), symbol, price, qty, isBuyerMaker });
    const t = events.find((e) => e.type === 'blockTrade');
    if (t === undefined) throw new Error('reportBlockTrade published no block trade');
    return { symbol: t.symbol, ...blockTradeJson(t) };
  });

  route('DELETE', '/sandbox/v1/bans', async (req) => {
    const ip = queryParam(req, 'ip');
    return { lifted: await ctx.limits.liftBans(ip, ctx.clock.now()) };
  });
}
