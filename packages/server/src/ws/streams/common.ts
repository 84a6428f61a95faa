/** Helpers shared by the timed stream modules. */
import type { SandboxContext } from '../../context.js';

/** Engine symbol (upper case) of a stream's lowercase symbol, or undefined if there is no such symbol. */
export function engineSymbol(ctx: SandboxContext, lower: string): string | undefined {
  for (const s of ctx.config.symbols) if (s.symbol.toLowerCase() === lower) return s.symbol;
  return undefined;
}

/** A repeating real-time timer that does not keep the process alive. */
export function every(ms: number, fn: () => void): () => void {
  const t = setInterval(fn, ms);
  t.unref();
  return () => clearInterval(t);
}

/**
 * One JSON object from [key, value, isTime] entries, values already JSON-encoded unless `isTime`
 * (a number multiplied by the time scale).
 */
export type Field = readonly [key: string, json: string] | readonly [key: string, time: number, isTime: true];

export function jsonObject(fields: readonly Field[], scale: number): string {
  let out = '{';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    out += `${i === 0 ? '' : ','}"${f[0]}":${f.length === 3 ? String((f[1] as number) * scale) : f[1]}`;
  }
  return out + '}';
}

/** JSON string literal. */
export const str = (s: string): string => JSON.stringify(s);
