import { ApiError, Err, type SymbolDefinition } from '@binance-sandbox/protocol';
import { ALL_EVENT_KINDS, eventKinds, Exchange, type EngineEvent, type EngineOptions } from '../engine/index.js';
import { applyCommand, type CommandOf, type CommandResults, type ExchangeCommand } from './commands.js';

export type EventListener = (events: readonly EngineEvent[]) => void;

/** A command's result as far as listeners are concerned: its events, decoded when first read. */
interface Published {
  readonly events: readonly EngineEvent[];
  /** EVENT_KIND bits of `events` (place and cancel results know them without decoding). */
  readonly eventKinds?: number;
}

/**
 * Where commands become durable before they are acknowledged. The in-memory journal acknowledges at
 * once; the file journal (--data-dir) after a group-committed fsync.
 */
export interface Journal {
  /** Records a command the engine has applied; resolves once it is durable. */
  append(command: ExchangeCommand): Promise<void>;
  close(): Promise<void>;
  /**
   * Set once the journal has failed for good (a write or sync to its file failed): nothing more can
   * be made durable, so no command may execute any more.
   */
  readonly failure?: Error | null;
}

/**
 * The engine executed the command but it could not be made durable: neither success nor failure can
 * be promised — Binance's "execution status unknown" (the journal logs the cause).
 */
function executionUnknown(): never {
  throw Err.executionUnknown();
}

/**
 * A command applied by `ExchangeService.apply`: its answer (or the error it was refused or failed
 * with) now, and a promise that settles once it is durable (rejects with the error, or with
 * "execution status unknown" if the journal failed).
 */
export type Applied<R> =
  | { readonly ok: true; readonly answer: R; readonly durable: Promise<void> }
  | { readonly ok: false; readonly error: unknown; readonly durable: Promise<never> };

export const MEMORY_JOURNAL: Journal = {
  append: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/**
 * The exchange behind the gateway: one deterministic engine, the journal that makes its commands
 * durable, and the fan-out of its events (market data read models, the ORDERS limiter, user data
 * streams). Reads go straight to `engine` (synchronous, consistent); writes go through `submit`.
 */
export class ExchangeService {
  readonly engine: Exchange;
  private readonly listeners = new Set<{ readonly listener: EventListener; readonly kinds: number }>();

  constructor(
    symbols: readonly SymbolDefinition[],
    private readonly journal: Journal = MEMORY_JOURNAL,
    engineOptions: EngineOptions = {},
  ) {
    this.engine = new Exchange(symbols, engineOptions);
  }

  /**
   * Applies a command, publishes its events, and resolves once the command is durable. `render` runs
   * synchronously right after the engine applied the command, so the answer shows the state as of
   * execution even when other commands run while the journal commits. A command the engine refuses
   * is journaled too (it may have consumed ids), then rethrown as its ApiError. Never throws: every
   * failure is a rejection.
   */
  submit<K extends ExchangeCommand['kind'], R = CommandResults[K]>(
    kind: K,
    cmd: CommandOf<K>,
    render?: (result: CommandResults[K]) => R,
  ): Promise<R> {
    const applied = this.apply(kind, cmd, render);
    return applied.ok ? applied.durable.then(() => applied.answer, executionUnknown) : applied.durable;
  }

  /**
   * `submit` in two steps: the command is applied, journaled and published now, and the outcome is
   * known at once (`ok`, the answer or the refusal); `durable` settles as `submit`'s promise would.
   * Several commands applied in one go run with nothing in between (cancelReplace's two halves).
   */
  apply<K extends ExchangeCommand['kind'], R = CommandResults[K]>(
    kind: K,
    cmd: CommandOf<K>,
    render?: (result: CommandResults[K]) => R,
  ): Applied<R> {
    if (this.halted) {
      const refusal = Err.serviceShuttingDown();
      return { ok: false, error: refusal, durable: Promise.reject(refusal) };
    }
    const command = { kind, cmd } as ExchangeCommand;
    let result: CommandResults[K];
    try {
      result = applyCommand(this.engine, command) as CommandResults[K];
    } catch (err) {
      return { ok: false, error: err, durable: this.refused(command, err) };
    }
    // Journaled before anything else runs: the journal's order is the engine's order even if a
    // listener or the renderer fails (or, one day, submits a command of its own).
    const durable = this.journal.append(command);
    try {
      this.publish(result);
      // Without a renderer the result itself is the answer, read after later commands ran: its
      // events are decoded now (the engine reuses their words at the next command).
      if (render === undefined) void (result as Published).events;
      const answer = render ? render(result) : (result as unknown as R);
      return { ok: true, answer, durable };
    } catch (err) {
      durable.catch(() => undefined); // the rejection below is what the caller sees
      return { ok: false, error: err, durable: Promise.reject(err instanceof Error ? err : new Error(String(err))) };
    }
  }

  /**
   * Whether commands are refused before they execute: the journal failed, so whatever executed now
   * could not be made durable (the sandbox then shuts down; a restart recovers every acknowledged
   * command).
   */
  get halted(): boolean {
    const failure = this.journal.failure;
    return failure !== undefined && failure !== null;
  }

  /**
   * The refusal is certain whether or not it becomes durable; a failed journal (which then refuses
   * every later append) surfaces on the next command that executes.
   */
  private async refused(command: ExchangeCommand, err: unknown): Promise<never> {
    if (err instanceof ApiError) await this.journal.append(command).catch(() => undefined);
    throw err;
  }

  /** Replays journaled commands (at startup): same engine state, events published to listeners. */
  replay(command: ExchangeCommand): void {
    try {
      this.publish(applyCommand(this.engine, command));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }

  /**
   * Calls `listener` with the events of every command that produced at least one of `kinds`
   * (EVENT_KIND bits; default all), in order of registration. Returns the unsubscribe function.
   */
  onEvents(listener: EventListener, kinds = ALL_EVENT_KINDS): () => void {
    const entry = { listener, kinds };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  private publish(result: Published): void {
    // the kinds come with place and cancel results; other results already hold their events as objects
    const kinds = result.eventKinds ?? eventKinds(result.events);
    if (kinds === 0) return;
    for (const { listener, kinds: wanted } of this.listeners) if ((wanted & kinds) !== 0) listener(result.events);
  }

  close(): Promise<void> {
    return this.journal.close();
  }
}
