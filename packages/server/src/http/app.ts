import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { ENDPOINTS, Err } from '@binance-sandbox/protocol';
import { ENDPOINT_IMPLS } from '../api/index.js';
import type { SandboxContext } from '../context.js';
import { registerAdminRoutes } from '../sandbox/admin.js';
import { createLimitHeaderWriter } from './limit-headers.js';
import { createLimiterOutage } from './limiter-outage.js';
import { NOT_FOUND_HTML, sendApiError, sendRaw } from './reply.js';
import { createRestHandler, limitRefusal, type Gateway } from './rest-pipeline.js';
import { createWafGate } from './waf-gate.js';

/** What Fastify sees as every request's parsed query (never read: see querystringParser below). */
const NO_QUERY = Object.freeze({});

const BAD_REQUEST_HTML =
  '<html><head><title>400 Bad Request</title></head><body><center><h1>400 Bad Request</h1></center></body></html>';

export function buildApp(ctx: SandboxContext, logLevel: string = 'silent'): FastifyInstance {
  const { config } = ctx;
  const app = Fastify({
    logger: logLevel === 'silent' ? false : { level: logLevel },
    logController: new LogController({ disableRequestLogging: true }),
    // One logger for all requests: a pino child per request costs more than the whole ping handler.
    childLoggerFactory: (logger) => logger,
    trustProxy: config.trustProxy,
    bodyLimit: Math.max(1, config.waf.maxBodyBytes),
    // Parameters are parsed from the raw query by the pipeline (Binance rules), not by Fastify.
    routerOptions: { querystringParser: () => NO_QUERY },
    forceCloseConnections: true,
    return503OnClosing: false,
    // HTTP the parser cannot read gets what Binance's nginx edge answers, then the socket closes.
    clientErrorHandler: (_err, socket) => {
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: ${BAD_REQUEST_HTML.length}\r\nConnection: close\r\n\r\n${BAD_REQUEST_HTML}`,
        );
      } else {
        socket.destroy();
      }
    },
  });

  // Every body is kept as its raw text: signatures cover the exact bytes, and Binance reads
  // form-encoded parameters whatever the declared content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const headers = createLimitHeaderWriter(ctx.limitTable);
  const gateway: Gateway = {
    ctx,
    headers,
    waf: createWafGate(ctx, headers),
    outage: createLimiterOutage(app.log, ctx.clock),
  };

  for (const endpoint of ENDPOINTS) {
    app.route({
      method: endpoint.method,
      url: endpoint.path,
      handler: createRestHandler(endpoint, ENDPOINT_IMPLS[endpoint.id], gateway),
    });
  }
  registerAdminRoutes(app, ctx, gateway.waf);

  app.setNotFoundHandler(async (req, reply) => {
    const verdict = gateway.waf.check(req);
    if (verdict) return gateway.waf.block(req, reply, verdict);
    // An unknown path still costs a request and 1 weight, and a banned IP still gets its 418.
    const pending = ctx.limits.admit({ ip: req.ip, weight: 1, now: ctx.clock.now() });
    let admitted;
    try {
      admitted = pending instanceof Promise ? await pending : pending;
    } catch (err) {
      return gateway.outage.refuse(reply, err);
    }
    const list = headers.weight([], admitted.usedWeight);
    const refusal = limitRefusal(admitted, ctx);
    if (refusal) return sendApiError(reply, refusal.error, list.concat(refusal.headers));
    return sendRaw(reply, 404, 'text/html', NOT_FOUND_HTML, list);
  });

  app.setErrorHandler(async (error: FastifyError, req, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return gateway.waf.block(req, reply, { rule: 'body-too-large', detail: 'request body too large' });
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // Malformed HTTP that Fastify itself refused (bad content length, aborted body …).
      return sendApiError(reply, Err.of(-1000, 'An unknown error occurred while processing the request.', 400));
    }
    req.log.error({ err: error }, 'internal error');
    return sendApiError(reply, Err.unknown());
  });

  return app;
}
