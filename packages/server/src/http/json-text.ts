/**
 * A response body already serialised to JSON. An endpoint that renders its answer before waiting
 * (an order: rendered at execution, sent after the journal's fsync) serialises it at once, while the
 * objects are still in the CPU cache; what then waits is one compact string instead of an object
 * graph that every young-generation GC in between has to copy.
 */
export class JsonText {
  constructor(readonly json: string) {}

  static of(body: unknown): JsonText {
    return new JsonText(JSON.stringify(body));
  }
}

/** The body as a value (parses a JsonText). */
export function bodyValue(body: unknown): unknown {
  return body instanceof JsonText ? (JSON.parse(body.json) as unknown) : body;
}

/** The body as JSON text (serialises anything but a JsonText). */
export function bodyJson(body: unknown): string {
  return body instanceof JsonText ? body.json : JSON.stringify(body);
}
