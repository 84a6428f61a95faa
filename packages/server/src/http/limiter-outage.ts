/**
 * A limit store that cannot answer (Redis unreachable or too slow): the request is refused before
 * anything executes — 503 -1001 "Internal error; unable to process your request. Please try
 * again.", Binance's answer when a backend cannot process a request — instead of a 500 after the
 * client library gave up retrying. The cause is logged at most once per LOG_EVERY_MS of sandbox
 * time: during an outage under load every request fails the same way.
 */
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { Err } from '@binance-sandbox/protocol';
import type { Clock } from '../clock.js';
import { sendApiError, type HeaderList } from './reply.js';

const LOG_EVERY_MS = 10_000;

export interface LimiterOutage {
  /** Logs (throttled) that the limit store failed. */
  note(err: unknown): void;
  /** Logs it and refuses the request. */
  refuse(reply: FastifyReply, err: unknown, headers?: HeaderList): undefined;
}

export function createLimiterOutage(log: FastifyBaseLogger, clock: Clock): LimiterOutage {
  let lastLogAt = -Infinity;
  let unlogged = 0;
  const note = (err: unknown): void => {
    const now = clock.now();
    if (now - lastLogAt < LOG_EVERY_MS) {
      unlogged++;
      return;
    }
    log.warn(
      { err, failuresSinceLastLog: unlogged },
      'the limit store did not answer: requests are refused with 503 -1001 until it does',
    );
    lastLogAt = now;
    unlogged = 0;
  };
  return {
    note,
    refuse(reply, err, headers = []) {
      note(err);
      sendApiError(reply, Err.disconnected(), headers);
      return undefined;
    },
  };
}
