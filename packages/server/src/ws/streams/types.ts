import type { SandboxContext } from '../../context.js';

/**
 * Renders one stream message's `data` JSON. `timeScale` is 1 (milliseconds) or 1000 (microseconds,
 * `timeUnit=MICROSECOND` connections): multiply every time field by it.
 */
export type Render = (timeScale: 1 | 1000) => string;

/** A stream with at least one subscriber, as stream modules see it. */
export interface ActiveStream {
  readonly name: string;
  /** Lowercase symbol of the name, '' for `!…` streams. */
  readonly symbol: string;
  /** What the module's parse() returned for this name. */
  readonly params: unknown;
  /** Sends one message to every subscriber (serialized once per framing, lazily). */
  publish(render: Render): void;
  /** The hub serving it (modules shared by several hubs keep per-hub state through it). */
  readonly hub: StreamHubView;
}

/** What modules may use of the hub. */
export interface StreamHubView {
  readonly ctx: SandboxContext;
  /** The active stream of that exact name, if anyone is subscribed. */
  get(name: string): ActiveStream | undefined;
  /** The active streams of a module. */
  active(module: StreamModule): ReadonlySet<ActiveStream>;
  /** Closes every connection subscribed to the stream (after what was published is written). */
  closeSubscribers(stream: ActiveStream, code: number, reason?: string): void;
}

/**
 * One stream type. Adding a stream type = one module implementing this and one line in
 * streams/index.ts. Names are `<symbol>@<suffix>` (symbol lowercase) or `!<suffix>` (all-market).
 */
export interface StreamModule {
  readonly id: string;
  /**
   * Syntax check: returns the parsed parameters (anything but undefined) when this module serves
   * `<symbol>@<suffix>` (symbol '' for `!<suffix>` names), undefined otherwise.
   */
  parse(symbol: string, suffix: string): unknown;
  /** Starts producing for the hub (event listeners, timers); returns the stop function. */
  start?(hub: StreamHubView): () => void;
  /** Called when a stream of this module gets its first subscriber / loses its last one. */
  onActivate?(stream: ActiveStream): void;
  onDeactivate?(stream: ActiveStream): void;
}
