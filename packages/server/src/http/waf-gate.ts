import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context.js';
import { createWaf, type WafVerdict } from '../waf/waf.js';
import type { LimitHeaderWriter } from './limit-headers.js';
import { sendRaw } from './reply.js';

/** Modelled on the page a CDN WAF answers with; the rule is named in a header for debugging. */
const WAF_HTML =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"><HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY><H1>403 ERROR</H1><H2>The request could not be satisfied.</H2>Request blocked.</BODY></HTML>';

export interface WafGate {
  /** The verdict for a request whose body has been read, or null to let it through. */
  check(req: FastifyRequest): WafVerdict | null;
  /** Answers 403 with the IP's current weight (the WAF does not count the request). */
  block(req: FastifyRequest, reply: FastifyReply, verdict: WafVerdict): Promise<void>;
}

/** The WAF runs first in every handler (inline rather than as a hook: it is on every request's path). */
export function createWafGate(ctx: SandboxContext, headers: LimitHeaderWriter): WafGate {
  const waf = createWaf(ctx.config.waf);
  return {
    check(req) {
      return waf.check({
        ip: req.ip,
        method: req.method,
        url: req.url,
        userAgent: req.headers['user-agent'],
        rawBody: typeof req.body === 'string' ? req.body : undefined,
        // Only the admin API takes JSON; Binance routes read every body as a form, so a client must
        // not be able to skip the body checks by labelling a form as JSON.
        contentType: req.url.startsWith('/sandbox/') ? req.headers['content-type'] : undefined,
      });
    },
    async block(req, reply, verdict) {
      const pending = ctx.limits.peekWeight(req.ip, ctx.clock.now());
      const list = headers.weight([], pending instanceof Promise ? await pending : pending);
      list.push('X-Sandbox-Waf-Rule', verdict.rule);
      sendRaw(reply, 403, 'text/html', WAF_HTML, list);
    },
  };
}
